//! A small HTTPS server for the tests that need a registry: it serves fixed answers by path,
//! over TLS with a certificate from a throwaway CA made here (trusted by terrane and by
//! Terraform through `SSL_CERT_FILE`), optionally only to requests with a bearer token, and
//! records what it was asked.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// One answer.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn ok(body: impl Into<Vec<u8>>) -> Answer {
        Answer { status: 200, headers: Vec::new(), body: body.into() }
    }

    pub fn json(v: &serde_json::Value) -> Answer {
        Answer {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: v.to_string().into_bytes(),
        }
    }
}

/// One request: its path and whether it carried the token.
#[derive(Clone, Debug, PartialEq)]
pub struct Asked {
    pub path: String,
    pub authorized: bool,
}

pub struct Server {
    /// `localhost:PORT`.
    pub host: String,
    /// The CA's certificate, for `SSL_CERT_FILE`.
    pub ca_file: PathBuf,
    pub answers: Arc<Mutex<BTreeMap<String, Answer>>>,
    pub asked: Arc<Mutex<Vec<Asked>>>,
    _dir: tempfile::TempDir,
}

impl Server {
    /// Starts serving on 127.0.0.1 (a free port); with `token`, paths under `/v1/` answer 401
    /// to requests without it.
    pub fn start(token: Option<&str>) -> Server {
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params.distinguished_name.push(rcgen::DnType::CommonName, "terrane test CA");
        let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
        let leaf_key = rcgen::KeyPair::generate().unwrap();
        let leaf = rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .unwrap()
            .signed_by(&leaf_key, &ca)
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let ca_file = dir.path().join("ca.pem");
        std::fs::write(&ca_file, ca.pem()).unwrap();
        let tls = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![leaf.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
            )
            .unwrap();
        let tls = Arc::new(tls);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let host = format!("localhost:{}", listener.local_addr().unwrap().port());
        let answers: Arc<Mutex<BTreeMap<String, Answer>>> = Arc::default();
        let asked: Arc<Mutex<Vec<Asked>>> = Arc::default();
        let (a, k, token) = (answers.clone(), asked.clone(), token.map(|t| format!("Bearer {t}")));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (tls, a, k, token) = (tls.clone(), a.clone(), k.clone(), token.clone());
                std::thread::spawn(move || {
                    let Ok(conn) = rustls::ServerConnection::new(tls) else { return };
                    let mut s = rustls::StreamOwned::new(conn, stream);
                    let _ = serve(&mut s, &a, &k, token.as_deref());
                });
            }
        });
        Server { host, ca_file, answers, asked, _dir: dir }
    }

    pub fn answer(&self, path: &str, a: Answer) {
        self.answers.lock().unwrap().insert(path.to_string(), a);
    }

    pub fn url(&self, path: &str) -> String {
        format!("https://{}{path}", self.host)
    }

    /// The paths asked so far, and forgets them.
    pub fn take_asked(&self) -> Vec<Asked> {
        std::mem::take(&mut *self.asked.lock().unwrap())
    }
}

/// Answers one request and closes the connection.
fn serve(
    s: &mut (impl std::io::Read + Write),
    answers: &Mutex<BTreeMap<String, Answer>>,
    asked: &Mutex<Vec<Asked>>,
    token: Option<&str>,
) -> std::io::Result<()> {
    let mut r = BufReader::new(&mut *s);
    let mut line = String::new();
    r.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut authorized = false;
    loop {
        let mut h = String::new();
        if r.read_line(&mut h)? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':')
            && k.eq_ignore_ascii_case("authorization")
        {
            authorized = Some(v.trim()) == token;
        }
    }
    asked.lock().unwrap().push(Asked { path: path.clone(), authorized });
    let path_only = path.split('?').next().unwrap_or("/");
    let a = if token.is_some() && path_only.starts_with("/v1/") && !authorized {
        Answer { status: 401, headers: Vec::new(), body: b"unauthorized".to_vec() }
    } else {
        answers.lock().unwrap().get(path_only).cloned().unwrap_or(Answer {
            status: 404,
            headers: Vec::new(),
            body: b"not found".to_vec(),
        })
    };
    // The reason phrase clients print (Go's Status is "401 Unauthorized").
    let reason = match a.status {
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        401 => "Unauthorized",
        404 => "Not Found",
        _ => "X",
    };
    let mut head =
        format!("HTTP/1.1 {} {reason}\r\nContent-Length: {}\r\nConnection: close\r\n", a.status, a.body.len());
    for (k, v) in &a.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes())?;
    s.write_all(&a.body)?;
    s.flush()
}
