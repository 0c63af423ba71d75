//! HTTP for the registries, as Terraform speaks it: one client (rustls with the system's
//! roots, which `SSL_CERT_FILE` and `SSL_CERT_DIR` extend, as Go's do), Terraform's service
//! discovery (`/.well-known/terraform.json`, or a `host` block of the CLI configuration),
//! and the credentials of the CLI configuration (`credentials "HOST" { token }`) and of
//! `TF_TOKEN_<host>`, sent only to the host they belong to.

use crate::install::CliConfig;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::{Client, connect::HttpConnector};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use url::Url;

/// An answer, with the address it finally came from (after redirects).
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub url: Url,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl Response {
    /// The body as JSON.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, String> {
        serde_json::from_slice(&self.body).map_err(|e| format!("invalid response from {}: {e}", self.url))
    }
}

/// The registries' HTTP client.
pub struct Net {
    client: Client<HttpsConnector<HttpConnector>, Empty<Bytes>>,
    credentials: BTreeMap<String, String>,
    hosts: BTreeMap<String, BTreeMap<String, String>>,
    discovered: Mutex<BTreeMap<String, Arc<BTreeMap<String, serde_json::Value>>>>,
    timeout: Duration,
}

/// A host name as Terraform compares them: lower case, without the default HTTPS port.
pub fn host_key(host: &str) -> String {
    let h = host.to_ascii_lowercase();
    h.strip_suffix(":443").map(str::to_string).unwrap_or(h)
}

/// The host `TF_TOKEN_<name>` is for: `__` is a hyphen, `_` a dot (Terraform 1.2 and later).
fn token_env_host(name: &str) -> String {
    name.split("__").map(|p| p.replace('_', ".")).collect::<Vec<_>>().join("-")
}

impl Net {
    pub fn new(cfg: &CliConfig) -> Result<Net, String> {
        let mut roots = rustls::RootCertStore::empty();
        // Unreadable system certificates are skipped, as Go skips them.
        for cert in rustls_native_certs::load_native_certs().certs {
            let _ = roots.add(cert);
        }
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let https =
            hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(tls).https_or_http().enable_http1().build();
        let client = Client::builder(hyper_util::rt::TokioExecutor::new()).build(https);
        let mut credentials: BTreeMap<String, String> =
            cfg.credentials.iter().map(|(h, t)| (host_key(h), t.clone())).collect();
        // The environment's tokens win over the file's, as in Terraform.
        for (k, v) in std::env::vars() {
            if let Some(name) = k.strip_prefix("TF_TOKEN_")
                && !v.is_empty()
            {
                credentials.insert(host_key(&token_env_host(name)), v);
            }
        }
        // TF_REGISTRY_CLIENT_TIMEOUT, in seconds, as Terraform's registry client reads it.
        let timeout = std::env::var("TF_REGISTRY_CLIENT_TIMEOUT")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .map(Duration::from_secs)
            .unwrap_or(Duration::from_secs(10));
        let hosts = cfg.hosts.iter().map(|(h, s)| (host_key(h), s.clone())).collect();
        Ok(Net { client, credentials, hosts, discovered: Mutex::new(BTreeMap::new()), timeout })
    }

    /// The token for `host`, if the CLI configuration or the environment has one.
    pub fn token(&self, host: &str) -> Option<&str> {
        self.credentials.get(&host_key(host)).map(String::as_str)
    }

    /// GETs `url`, following up to ten redirects. The host's token goes with each request to
    /// that host only. `timeout` bounds each request (a download gets longer).
    pub async fn get(&self, url: &Url, timeout: Option<Duration>) -> Result<Response, String> {
        self.get_for(url, None, timeout).await
    }

    /// [`Net::get`] for a call to a registry's service on behalf of `registry_host`: that
    /// host's token goes with the request (and its redirects to the same address's host) even
    /// when the service lives elsewhere, as Terraform's registry clients send it.
    pub async fn get_for(
        &self,
        url: &Url,
        registry_host: Option<&str>,
        timeout: Option<Duration>,
    ) -> Result<Response, String> {
        let host_of = |u: &Url| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_string(),
            })
        };
        let service_host = host_of(url);
        let mut url = url.clone();
        for _ in 0..10 {
            let mut req = http::Request::get(url.as_str())
                .header(http::header::USER_AGENT, concat!("terrane/", env!("CARGO_PKG_VERSION")));
            if let Some(host) = host_of(&url) {
                let token = match registry_host {
                    Some(r) if Some(&host) == service_host.as_ref() => self.token(r).or_else(|| self.token(&host)),
                    _ => self.token(&host),
                };
                if let Some(t) = token {
                    req = req.header(http::header::AUTHORIZATION, format!("Bearer {t}"));
                }
            }
            let req = req.body(Empty::new()).map_err(|e| e.to_string())?;
            let limit = timeout.unwrap_or(self.timeout);
            let call = async {
                let resp = self.client.request(req).await.map_err(|e| terrane_engine::diag::error_chain(&e))?;
                let (parts, body) = resp.into_parts();
                let body = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
                Ok::<_, String>((parts, body))
            };
            let (parts, body) = tokio::time::timeout(limit, call)
                .await
                .map_err(|_| format!("Get \"{url}\": timed out after {}s", limit.as_secs()))?
                .map_err(|e| format!("Get \"{url}\": {e}"))?;
            if parts.status.is_redirection()
                && let Some(loc) = parts.headers.get(http::header::LOCATION).and_then(|l| l.to_str().ok())
            {
                url = url.join(loc).map_err(|e| format!("invalid redirect from {url}: {e}"))?;
                continue;
            }
            return Ok(Response { status: parts.status.as_u16(), url, headers: parts.headers, body });
        }
        Err(format!("Get \"{url}\": stopped after 10 redirects"))
    }

    /// The base address of service `id` (`providers.v1`, `modules.v1`) on `host`, from the
    /// CLI configuration's `host` block or the host's discovery document.
    pub async fn service(&self, host: &str, id: &str) -> Result<Url, String> {
        let key = host_key(host);
        let base = Url::parse(&format!("https://{key}/")).map_err(|e| format!("invalid host {host:?}: {e}"))?;
        if let Some(services) = self.hosts.get(&key) {
            let s = services.get(id).ok_or_else(|| format!("host {host} does not provide a {id} service"))?;
            return base.join(s).map_err(|e| format!("invalid {id} address for {host}: {e}"));
        }
        let cached = self.discovered.lock().unwrap_or_else(|p| p.into_inner()).get(&key).cloned();
        let doc = match cached {
            Some(d) => d,
            None => {
                let url = base.join(".well-known/terraform.json").map_err(|e| e.to_string())?;
                let resp =
                    self.get(&url, None).await.map_err(|e| format!("failed to request discovery document: {e}"))?;
                let doc: BTreeMap<String, serde_json::Value> = match resp.status {
                    200 => resp.json()?,
                    404 => BTreeMap::new(),
                    s => return Err(format!("failed to request discovery document: {url}: HTTP {s}")),
                };
                let doc = Arc::new(doc);
                self.discovered.lock().unwrap_or_else(|p| p.into_inner()).insert(key.clone(), doc.clone());
                doc
            }
        };
        let s = doc
            .get(id)
            .and_then(|s| s.as_str())
            .ok_or_else(|| format!("host {host} does not provide a {id} service"))?;
        // Relative to the discovery document, as Terraform resolves it.
        base.join(".well-known/terraform.json")
            .and_then(|d| d.join(s))
            .map_err(|e| format!("invalid {id} address for {host}: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tf_token_names_map_to_hosts_as_terraform_reads_them() {
        assert_eq!(token_env_host("app_terraform_io"), "app.terraform.io");
        assert_eq!(token_env_host("my__registry_example_com"), "my-registry.example.com");
        assert_eq!(host_key("Registry.Example.com:443"), "registry.example.com");
        assert_eq!(host_key("localhost:8443"), "localhost:8443");
    }
}
