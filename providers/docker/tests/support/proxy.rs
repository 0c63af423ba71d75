//! A fault-injecting proxy: listens on 127.0.0.1:<port>, forwards each HTTP request to the
//! local daemon's socket (/var/run/docker.sock), and injects faults by rule: "the first
//! `POST /services/create` gets HTTP 503", "every `GET /tasks` hangs". It logs every request,
//! so tests can see the retries. Point the provider at it with `host = proxy.host()`.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, UnixStream};

const SOCKET: &str = "/var/run/docker.sock";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Answers this status (with a JSON message) without forwarding.
    Status(u16),
    /// Closes the connection without an answer, the request never forwarded.
    Drop,
    /// Never answers (until the client gives up).
    Hang,
    /// Forwards the request (the daemon does the work), then closes the connection instead of
    /// answering: the case where a retried create must not create twice.
    LoseAnswer,
}

impl Fault {
    pub fn name(self) -> String {
        match self {
            Fault::Status(s) => format!("HTTP {s}"),
            Fault::Drop => "a dropped connection".into(),
            Fault::Hang => "no answer".into(),
            Fault::LoseAnswer => "a lost answer".into(),
        }
    }
}

/// Which of the requests a rule matches get its fault (counted from 1).
#[derive(Clone, Copy, Debug)]
pub enum Hits {
    Once,
    Always,
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub method: String,
    /// The API path without the version prefix; `*` matches anything: `/services/*/update`.
    pub path: String,
    /// Only requests whose body contains this.
    pub body: Option<String>,
    pub fault: Fault,
    pub hits: Hits,
}

impl Rule {
    /// `"POST /services/create"` gets `fault` on the first matching request.
    pub fn once(call: &str, fault: Fault) -> Rule {
        let (method, path) = call.split_once(' ').expect("METHOD /path");
        Rule { method: method.into(), path: path.into(), body: None, fault, hits: Hits::Once }
    }

    pub fn always(call: &str, fault: Fault) -> Rule {
        Rule { hits: Hits::Always, ..Rule::once(call, fault) }
    }

    pub fn with_body(mut self, text: &str) -> Rule {
        self.body = Some(text.into());
        self
    }

    fn matches(&self, method: &str, path: &str, body: &[u8]) -> bool {
        self.method == method
            && glob(&self.path, path)
            && self.body.as_ref().is_none_or(|b| String::from_utf8_lossy(body).contains(b.as_str()))
    }
}

/// `*` matches any run of characters.
fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, rest)) => {
            let Some(text) = text.strip_prefix(head) else { return false };
            (0..=text.len()).any(|i| text.is_char_boundary(i) && glob(rest, &text[i..]))
        }
    }
}

/// One request the proxy saw.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub fault: Option<Fault>,
}

#[derive(Default)]
struct State {
    rules: Vec<(Rule, usize)>,
    seen: Vec<Seen>,
}

pub struct Proxy {
    pub port: u16,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// `/v1.41/services/create` → `/services/create`; the query is left off.
fn api_path(uri: &hyper::Uri) -> String {
    let path = uri.path();
    if let Some(rest) = path.strip_prefix("/v")
        && let Some((version, tail)) = rest.split_once('/')
        && version.chars().all(|c| c.is_ascii_digit() || c == '.')
    {
        return format!("/{tail}");
    }
    path.to_string()
}

impl Proxy {
    pub async fn start(rules: Vec<Rule>) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the proxy");
        let port = listener.local_addr().unwrap().port();
        let state =
            Arc::new(Mutex::new(State { rules: rules.into_iter().map(|r| (r, 0)).collect(), seen: Vec::new() }));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                let state = shared.clone();
                connections.spawn(async move {
                    let service = hyper::service::service_fn(move |req| handle(state.clone(), req));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Proxy { port, state, task }
    }

    /// The provider's `host` for this proxy.
    pub fn host(&self) -> String {
        format!("tcp://127.0.0.1:{}", self.port)
    }

    pub fn set_rules(&self, rules: Vec<Rule>) {
        self.state.lock().unwrap().rules = rules.into_iter().map(|r| (r, 0)).collect();
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    /// How many requests matched `"METHOD /path"` (a rule's pattern), faulted or not.
    pub fn count(&self, call: &str) -> usize {
        let rule = Rule::once(call, Fault::Drop);
        self.seen().iter().filter(|s| rule.method == s.method && glob(&rule.path, &s.path)).count()
    }

    /// How many faults each rule injected, in the rules' order.
    pub fn fired(&self) -> Vec<usize> {
        self.state.lock().unwrap().rules.iter().map(|(_, n)| *n).collect()
    }
}

type Answer = Result<Response<Full<Bytes>>, std::io::Error>;

async fn handle(state: Arc<Mutex<State>>, req: Request<Incoming>) -> Answer {
    let (parts, body) = req.into_parts();
    let body = body.collect().await.map_err(std::io::Error::other)?.to_bytes();
    let method = parts.method.to_string();
    let path = api_path(&parts.uri);
    let fault = {
        let mut st = state.lock().unwrap();
        let mut fault = None;
        for (rule, fired) in st.rules.iter_mut() {
            if rule.matches(&method, &path, &body) {
                let fire = match rule.hits {
                    Hits::Once => *fired == 0,
                    Hits::Always => true,
                };
                if fire {
                    *fired += 1;
                    fault = Some(rule.fault);
                    break;
                }
            }
        }
        st.seen.push(Seen { method: method.clone(), path: path.clone(), fault });
        fault
    };
    match fault {
        Some(Fault::Status(code)) => {
            let status = StatusCode::from_u16(code).expect("a status code");
            let msg = serde_json::json!({ "message": format!("injected fault: HTTP {code}") }).to_string();
            Ok(Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from(msg)))
                .unwrap())
        }
        Some(Fault::Drop) => Err(std::io::Error::other("injected fault: connection dropped")),
        Some(Fault::Hang) => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Err(std::io::Error::other("hung"))
        }
        Some(Fault::LoseAnswer) => {
            forward(Request::from_parts(parts, Full::new(body))).await?;
            Err(std::io::Error::other("injected fault: answer lost"))
        }
        None => forward(Request::from_parts(parts, Full::new(body))).await,
    }
}

async fn forward(req: Request<Full<Bytes>>) -> Answer {
    let stream = UnixStream::connect(SOCKET).await?;
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(std::io::Error::other)?;
    tokio::spawn(conn);
    let resp = sender.send_request(req).await.map_err(std::io::Error::other)?;
    let (mut parts, body) = resp.into_parts();
    let body = body.collect().await.map_err(std::io::Error::other)?.to_bytes();
    // The body is whole now: its length replaces the daemon's chunking.
    parts.headers.remove(hyper::header::TRANSFER_ENCODING);
    parts.headers.remove(hyper::header::CONTENT_LENGTH);
    Ok(Response::from_parts(parts, Full::new(body)))
}
