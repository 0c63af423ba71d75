//! The `provider "docker"` block: which daemon (`host`, else `DOCKER_HOST`, else the local
//! socket), TLS from `cert_path` (else `DOCKER_CERT_PATH`) or PEM material, and registry
//! credentials for private images.

use crate::retry::{self, RetryPolicy};
use bollard::{API_DEFAULT_VERSION, Docker};
use std::path::{Path, PathBuf};
use terrane_engine::model::Model;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

/// The `provider "docker"` block.
#[derive(Model, Clone, Debug, Default)]
struct ProviderConfig {
    #[model(optional, describe = "Daemon address: unix:///var/run/docker.sock, tcp://host:2376 (DOCKER_HOST).")]
    host: Option<String>,
    #[model(optional, describe = "Directory with ca.pem, cert.pem and key.pem (DOCKER_CERT_PATH).")]
    cert_path: Option<String>,
    #[model(optional)]
    ca_material: Option<String>,
    #[model(optional)]
    cert_material: Option<String>,
    #[model(optional, sensitive)]
    key_material: Option<String>,
    #[model(optional)]
    ssh_opts: Option<Vec<String>>,
    #[model(block = "set")]
    registry_auth: Vec<RegistryAuthBlock>,
}

/// A `registry_auth` block.
#[derive(Model, Clone, Debug, Default)]
struct RegistryAuthBlock {
    #[model(required)]
    address: String,
    #[model(optional)]
    username: Option<String>,
    #[model(optional, sensitive)]
    password: Option<String>,
    #[model(optional)]
    config_file: Option<String>,
    #[model(optional)]
    auth_disabled: Option<bool>,
}

pub fn schema() -> Schema {
    ProviderConfig::schema()
}

#[derive(Clone, Debug, Default)]
pub struct RegistryAuth {
    pub address: String,
    pub username: Option<String>,
    pub password: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub host: String,
    pub cert_path: Option<PathBuf>,
    pub material: Option<(String, String, String)>,
    pub registry_auth: Vec<RegistryAuth>,
    /// For ssh:// hosts: the identity file given as `-i PATH` in `ssh_opts`.
    pub ssh_identity: Option<String>,
    /// How daemon calls are retried (from the environment: see `retry`).
    pub retry: RetryPolicy,
}

impl Settings {
    pub fn from_value(v: &Value) -> Result<Settings, ProviderError> {
        if v.get_attr("host").is_some_and(Value::is_unknown) {
            return Err(ProviderError::new(
                "the docker provider's \"host\" depends on a value not known until apply; give it a known value",
            ));
        }
        let v = ProviderConfig::from_stub(v)?;
        let host = v
            .host
            .or_else(|| std::env::var("DOCKER_HOST").ok())
            .unwrap_or_else(|| "unix:///var/run/docker.sock".to_string());
        let cert_path = v.cert_path.or_else(|| std::env::var("DOCKER_CERT_PATH").ok()).map(PathBuf::from);
        let material = match (v.ca_material, v.cert_material, v.key_material) {
            (Some(ca), Some(cert), Some(key)) => Some((ca, cert, key)),
            (None, None, None) => None,
            _ => {
                return Err(ProviderError::new("ca_material, cert_material and key_material must be given together"));
            }
        };
        let registry_auth = v
            .registry_auth
            .into_iter()
            .map(|r| RegistryAuth { address: r.address, username: r.username, password: r.password })
            .collect();
        let ssh_opts = v.ssh_opts.unwrap_or_default();
        let ssh_identity = ssh_opts.iter().position(|o| o == "-i").and_then(|i| ssh_opts.get(i + 1)).cloned();
        if let Some(other) = ssh_opts.iter().enumerate().find_map(|(i, o)| {
            let is_identity = o == "-i" || (i > 0 && ssh_opts[i - 1] == "-i");
            (!is_identity).then_some(o)
        }) {
            return Err(ProviderError::new(format!(
                "ssh_opts: only \"-i\" <identity file> is passed to ssh; put {other:?} and other options in ~/.ssh/config for the host"
            )));
        }
        let retry = RetryPolicy::from_env()?;
        Ok(Settings { host, cert_path, material, registry_auth, ssh_identity, retry })
    }

    /// Credentials for the registry an image lives in, if configured.
    pub fn credentials_for(&self, image: &str) -> Option<bollard::auth::DockerCredentials> {
        let registry = image.split('/').next().filter(|first| first.contains('.') || first.contains(':'))?;
        let auth = self
            .registry_auth
            .iter()
            .find(|a| a.address.trim_start_matches("https://").trim_end_matches('/') == registry)?;
        Some(bollard::auth::DockerCredentials {
            username: auth.username.clone(),
            password: auth.password.clone(),
            serveraddress: Some(auth.address.clone()),
            ..Default::default()
        })
    }
}

/// A client of the daemon, with what it needs for as long as it is used.
pub struct Connection {
    pub docker: Docker,
    /// Inline TLS material (`*_material`), in a private temporary directory: bollard reads the
    /// client certificate and key at every TLS handshake, so the files live as long as the
    /// client does, and are removed with it (when the provider is dropped).
    _tls: Option<tempfile::TempDir>,
}

/// Connects to the daemon and negotiates the API version.
pub async fn connect(s: &Settings) -> Result<Connection, ProviderError> {
    connect_in(s, &std::env::temp_dir()).await
}

/// [`connect`], writing inline TLS material under `tmp`. On every error path the material is
/// removed before this returns.
async fn connect_in(s: &Settings, tmp: &Path) -> Result<Connection, ProviderError> {
    let (docker, tls) = open(s, tmp)?;
    let doing = format!("cannot connect to the Docker daemon at {}", s.host);
    let docker = retry::call(&s.retry, &doing, || docker.clone().negotiate_version()).await?;
    Ok(Connection { docker, _tls: tls })
}

/// The client for `s.host`, not yet connected, and the directory holding its TLS material.
fn open(s: &Settings, tmp: &Path) -> Result<(Docker, Option<tempfile::TempDir>), ProviderError> {
    // Each attempt is bounded by the retry policy; bollard's own timeout only backs it up.
    let timeout_secs = s.retry.attempt_timeout.as_secs() + 1;
    let fail = |e: bollard::errors::Error| {
        // The underlying causes say what actually failed (refused, ssh's own message, ...).
        let why = terrane_engine::diag::error_chain(&e);
        ProviderError::new(format!("cannot connect to the Docker daemon at {}: {why}", s.host))
    };
    let mut material = None;
    let docker = if let Some(path) = s.host.strip_prefix("unix://") {
        Docker::connect_with_unix(path, timeout_secs, API_DEFAULT_VERSION).map_err(fail)?
    } else if s.host.starts_with("tcp://") || s.host.starts_with("http://") || s.host.starts_with("https://") {
        let tls_dir = match &s.material {
            Some((ca, cert, key)) => {
                let dir = write_material(tmp, ca, cert, key)?;
                let path = dir.path().to_path_buf();
                material = Some(dir);
                Some(path)
            }
            None => s.cert_path.clone(),
        };
        match tls_dir {
            Some(dir) => Docker::connect_with_ssl(
                &s.host,
                &dir.join("key.pem"),
                &dir.join("cert.pem"),
                &dir.join("ca.pem"),
                timeout_secs,
                API_DEFAULT_VERSION,
            )
            .map_err(fail)?,
            None => Docker::connect_with_http(&s.host, timeout_secs, API_DEFAULT_VERSION).map_err(fail)?,
        }
    } else if let Some(dest) = s.host.strip_prefix("ssh://") {
        // bollard hands ssh the host without the URL scheme, so ssh would read `host:2222`
        // as a host name: a port must come from ~/.ssh/config instead.
        let host_part = dest.rsplit_once('@').map_or(dest, |(_, h)| h).trim_end_matches('/');
        if let Some((host, port)) = host_part.rsplit_once(':')
            && !host.ends_with(']')
            && port.chars().all(|c| c.is_ascii_digit())
        {
            return Err(ProviderError::new(format!(
                "docker host {}: give the SSH port in ~/.ssh/config (Host {host} / Port {port}) and use ssh://{} without it",
                s.host,
                dest.replacen(&format!(":{port}"), "", 1)
            )));
        }
        // The system ssh client (with ~/.ssh/config, the agent and known_hosts) runs
        // `docker system dial-stdio` on the remote host, as the docker CLI does.
        Docker::connect_with_ssh(&s.host, timeout_secs, API_DEFAULT_VERSION, s.ssh_identity.clone()).map_err(fail)?
    } else {
        return Err(ProviderError::new(format!(
            "unsupported Docker host {:?}: use unix://, tcp:// or https://",
            s.host
        )));
    };
    Ok((docker, material))
}

/// Writes PEM material given inline to a new private directory under `tmp` (0700, its files
/// 0600 from their creation), removed when the returned guard is dropped: also when writing
/// fails half-way.
fn write_material(tmp: &Path, ca: &str, cert: &str, key: &str) -> Result<tempfile::TempDir, ProviderError> {
    let mut builder = tempfile::Builder::new();
    builder.prefix("terrane-docker-tls-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o700));
    }
    let dir = builder.tempdir_in(tmp).map_err(|e| ProviderError::new(format!("cannot write TLS material: {e}")))?;
    for (name, text) in [("ca.pem", ca), ("cert.pem", cert), ("key.pem", key)] {
        write_private(&dir.path().join(name), text)?;
    }
    Ok(dir)
}

fn write_private(path: &Path, text: &str) -> Result<(), ProviderError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| ProviderError::new(format!("cannot write {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A self-signed test certificate and its key (generated for the tests, trusted by nothing).
    const CERT: &str = include_str!("../../../tests/fixtures/tls/cert.pem");
    const KEY: &str = include_str!("../../../tests/fixtures/tls/key.pem");

    /// Inline material for a daemon that refuses connections, without retries.
    fn settings(ca: &str) -> Settings {
        Settings {
            host: "https://127.0.0.1:1".into(),
            material: Some((ca.into(), CERT.into(), KEY.into())),
            retry: RetryPolicy { max_retries: 0, ..RetryPolicy::default() },
            ..Settings::default()
        }
    }

    fn entries(dir: &Path) -> Vec<PathBuf> {
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect()
    }

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn inline_tls_material_is_private_and_lives_as_long_as_the_client() {
        let tmp = tempfile::tempdir().unwrap();
        let (docker, tls) = open(&settings(CERT), tmp.path()).unwrap();
        let dirs = entries(tmp.path());
        assert_eq!(dirs.len(), 1, "{dirs:?}");
        assert_eq!(mode(&dirs[0]), 0o700);
        for (name, text) in [("ca.pem", CERT), ("cert.pem", CERT), ("key.pem", KEY)] {
            let f = dirs[0].join(name);
            assert_eq!(mode(&f), 0o600, "{name}");
            assert_eq!(std::fs::read_to_string(&f).unwrap(), text);
        }
        let connection = Connection { docker, _tls: tls };
        assert!(dirs[0].exists(), "the client reads the key at each handshake");
        drop(connection);
        assert!(entries(tmp.path()).is_empty(), "left behind: {:?}", entries(tmp.path()));
    }

    #[tokio::test]
    async fn inline_tls_material_is_not_left_behind_when_connecting_fails() {
        let tmp = tempfile::tempdir().unwrap();
        // The daemon refuses the connection.
        assert!(connect_in(&settings(CERT), tmp.path()).await.is_err());
        assert!(entries(tmp.path()).is_empty(), "left behind: {:?}", entries(tmp.path()));
        // The material is not a certificate: the client cannot be made.
        assert!(connect_in(&settings("not a certificate"), tmp.path()).await.is_err());
        assert!(entries(tmp.path()).is_empty(), "left behind: {:?}", entries(tmp.path()));
    }

    #[tokio::test]
    async fn the_provider_removes_its_tls_material_when_dropped() {
        use terrane_engine::provider::Provider;
        let tmp = tempfile::tempdir().unwrap();
        let provider = crate::DockerProvider::default();
        let _ = provider.settings.set(settings(CERT));
        // What the provider would hold after connecting (the refusing daemon aside).
        let (docker, tls) = open(&settings(CERT), tmp.path()).unwrap();
        let _ = provider.client.set(Connection { docker, _tls: tls });
        assert_eq!(entries(tmp.path()).len(), 1);
        let provider: std::sync::Arc<dyn Provider> = std::sync::Arc::new(provider);
        drop(provider);
        assert!(entries(tmp.path()).is_empty(), "left behind: {:?}", entries(tmp.path()));
    }
}
