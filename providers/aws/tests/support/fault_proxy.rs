//! A fault-injecting HTTP proxy in front of moto: point a provider (its `endpoints`) or the S3
//! backend at [`FaultProxy::url`], and every request is forwarded to moto unless a rule says to
//! fail it. Requests are told apart by their AWS action: the `Action=` form parameter (query
//! protocols: EC2, RDS, ElastiCache, IAM, STS, ELB), the `X-Amz-Target` header (JSON
//! protocols: CloudWatch Logs, KMS, ACM, the tagging API), or for S3's REST protocol a name
//! made from the method and path (`PutObject`, `GetObject`, `DeleteObject`, `HeadBucket`,
//! `ListObjectsV2`). An action may be qualified by the service of the request's credential
//! scope (`logs:ListTagsForResource`, `elasticache:AddTagsToResource`) where two services share
//! a name. The proxy counts requests per action, faults included.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// What to do instead of (or after) forwarding a request.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fault {
    /// Answer with this status (500, 503) and an error body in the protocol's shape.
    Status(u16),
    /// Answer with the service's throttling error: `RequestLimitExceeded` (EC2),
    /// `Throttling` (other query protocols), `ThrottlingException` (JSON), `SlowDown` (S3).
    Throttle,
    /// Close the connection without an answer; the request never reaches the service.
    Drop,
    /// Forward the request, then close the connection without passing the answer on: the
    /// service did the work, the client cannot know.
    LoseResponse,
    /// Say nothing for this long, then close the connection.
    Hang(Duration),
    /// Refuse the call for want of permission: `AccessDeniedException` (JSON),
    /// `UnauthorizedOperation` (EC2), `AccessDenied` (other query protocols, S3).
    Denied,
}

struct Rule {
    action: String,
    /// Only requests whose path (without the query) ends so: an S3 key.
    path_suffix: Option<String>,
    /// Matching requests let through before the first fault.
    skip: usize,
    /// How many faults to inject (`None`: every matching request after `skip`).
    times: Option<usize>,
    fault: Fault,
    seen: usize,
    fired: usize,
}

#[derive(Default)]
struct Shared {
    rules: Vec<Rule>,
    counts: HashMap<String, usize>,
    faults: HashMap<String, usize>,
}

pub struct FaultProxy {
    pub url: String,
    shared: Arc<Mutex<Shared>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultProxy {
    /// A proxy to moto on 127.0.0.1 at a free port.
    pub async fn start() -> FaultProxy {
        Self::start_to("127.0.0.1:5000").await
    }

    pub async fn start_to(upstream: &str) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the fault proxy");
        let url = format!("http://{}", listener.local_addr().expect("proxy address"));
        let shared = Arc::new(Mutex::new(Shared::default()));
        let upstream = upstream.to_string();
        let s = shared.clone();
        let task = tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                tokio::spawn(serve(conn, upstream.clone(), s.clone()));
            }
        });
        FaultProxy { url, shared, task }
    }

    fn add(&self, action: &str, path_suffix: Option<&str>, skip: usize, times: Option<usize>, fault: Fault) {
        self.shared.lock().unwrap().rules.push(Rule {
            action: action.to_string(),
            path_suffix: path_suffix.map(str::to_string),
            skip,
            times,
            fault,
            seen: 0,
            fired: 0,
        });
    }

    /// Fails the next request for `action` once.
    pub fn once(&self, action: &str, fault: Fault) {
        self.add(action, None, 0, Some(1), fault);
    }

    /// Fails every request for `action` from now on.
    pub fn always(&self, action: &str, fault: Fault) {
        self.add(action, None, 0, None, fault);
    }

    /// Fails the `n`th request (1-based, counted from now) for `action`, once.
    pub fn nth(&self, action: &str, n: usize, fault: Fault) {
        self.add(action, None, n.saturating_sub(1), Some(1), fault);
    }

    /// Fails the next request for `action` whose path ends with `suffix` (an S3 key), once.
    pub fn once_at(&self, action: &str, suffix: &str, fault: Fault) {
        self.add(action, Some(suffix), 0, Some(1), fault);
    }

    /// Removes every rule (counts are kept).
    pub fn clear(&self) {
        self.shared.lock().unwrap().rules.clear();
    }

    /// Removes every rule and forgets the counts.
    pub fn reset(&self) {
        let mut s = self.shared.lock().unwrap();
        s.rules.clear();
        s.counts.clear();
        s.faults.clear();
    }

    /// Requests seen for `action` (plain or qualified), faulted ones included.
    pub fn count(&self, action: &str) -> usize {
        sum(&self.shared.lock().unwrap().counts, action)
    }

    /// Faults injected so far into requests for `action` (plain or qualified).
    pub fn faults(&self, action: &str) -> usize {
        sum(&self.shared.lock().unwrap().faults, action)
    }

    /// Every action seen (qualified: `ec2:CreateVpc`), with its count.
    pub fn counts(&self) -> HashMap<String, usize> {
        self.shared.lock().unwrap().counts.clone()
    }

    /// Whether every rule that fails a limited number of times has fired that often.
    pub fn all_fired(&self) -> Result<(), String> {
        let s = self.shared.lock().unwrap();
        let unfired: Vec<String> = s
            .rules
            .iter()
            .filter(|r| r.times.is_some_and(|t| r.fired < t))
            .map(|r| format!("{} {:?} ({} of {:?})", r.action, r.fault, r.fired, r.times))
            .collect();
        if unfired.is_empty() { Ok(()) } else { Err(format!("faults not injected: {unfired:?}")) }
    }
}

fn sum(m: &HashMap<String, usize>, action: &str) -> usize {
    m.iter()
        .filter(|(k, _)| k.as_str() == action || k.split_once(':').is_some_and(|(_, a)| a == action))
        .map(|(_, n)| n)
        .sum()
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Protocol {
    Ec2,
    Query,
    Json,
    Rest,
}

struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The service of the request's SigV4 credential scope (`ec2`, `logs`, `s3`).
    fn service(&self) -> String {
        self.header("authorization")
            .and_then(|a| a.split("Credential=").nth(1))
            .and_then(|c| c.split('/').nth(3))
            .unwrap_or("unknown")
            .to_string()
    }

    /// The service, the AWS action and the protocol's error shape.
    fn action(&self) -> (String, String, Protocol) {
        let service = self.service();
        if let Some(target) = self.header("x-amz-target") {
            return (service, target.rsplit('.').next().unwrap_or(target).to_string(), Protocol::Json);
        }
        let form = String::from_utf8_lossy(&self.body);
        if let Some(action) = form.split('&').find_map(|kv| kv.strip_prefix("Action=")) {
            let protocol = if service == "ec2" { Protocol::Ec2 } else { Protocol::Query };
            return (service, action.to_string(), protocol);
        }
        let (path, query) = self.path.split_once('?').unwrap_or((&self.path, ""));
        let has_key = path.trim_start_matches('/').contains('/');
        let name = match (self.method.as_str(), has_key) {
            ("PUT", true) => "PutObject",
            ("GET", true) => "GetObject",
            ("DELETE", true) => "DeleteObject",
            ("HEAD", true) => "HeadObject",
            ("HEAD", false) => "HeadBucket",
            ("PUT", false) => "CreateBucket",
            ("GET", false) if query.contains("list-type=2") => "ListObjectsV2",
            (m, _) => m,
        };
        (service, name.to_string(), Protocol::Rest)
    }
}

async fn read_head<R: AsyncBufReadExt + Unpin>(r: &mut R) -> Option<(String, Vec<(String, String)>)> {
    let mut first = String::new();
    if r.read_line(&mut first).await.ok()? == 0 {
        return None;
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    Some((first.trim_end().to_string(), headers))
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// A body by Content-Length, or de-chunked.
async fn read_body<R: AsyncBufReadExt + Unpin>(r: &mut R, headers: &[(String, String)]) -> Option<Vec<u8>> {
    if header(headers, "transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        let mut body = Vec::new();
        loop {
            let mut size = String::new();
            r.read_line(&mut size).await.ok()?;
            let n = usize::from_str_radix(size.trim().split(';').next()?.trim(), 16).ok()?;
            if n == 0 {
                // Trailers, up to the empty line.
                loop {
                    let mut t = String::new();
                    if r.read_line(&mut t).await.ok()? == 0 || t.trim().is_empty() {
                        break;
                    }
                }
                return Some(body);
            }
            let mut chunk = vec![0; n + 2];
            r.read_exact(&mut chunk).await.ok()?;
            body.extend_from_slice(&chunk[..n]);
        }
    }
    let n: usize = header(headers, "content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut body = vec![0; n];
    r.read_exact(&mut body).await.ok()?;
    Some(body)
}

async fn serve(conn: TcpStream, upstream: String, shared: Arc<Mutex<Shared>>) {
    let mut conn = BufReader::new(conn);
    loop {
        let Some((first, headers)) = read_head(&mut conn).await else { return };
        let mut parts = first.split_whitespace();
        let (method, path) = (parts.next().unwrap_or("").to_string(), parts.next().unwrap_or("/").to_string());
        if header(&headers, "expect").is_some_and(|e| e.eq_ignore_ascii_case("100-continue"))
            && conn.get_mut().write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await.is_err()
        {
            return;
        }
        let Some(body) = read_body(&mut conn, &headers).await else { return };
        let req = Request { method, path, headers, body };
        let (service, action, protocol) = req.action();
        let qualified = format!("{service}:{action}");
        let path = req.path.split('?').next().unwrap_or_default();
        let fault = {
            let mut s = shared.lock().unwrap();
            *s.counts.entry(qualified.clone()).or_default() += 1;
            let mut chosen = None;
            for r in s.rules.iter_mut() {
                if (r.action != action && r.action != qualified)
                    || r.path_suffix.as_ref().is_some_and(|p| !path.ends_with(p.as_str()))
                {
                    continue;
                }
                r.seen += 1;
                if chosen.is_none() && r.seen > r.skip && r.times.is_none_or(|t| r.fired < t) {
                    r.fired += 1;
                    chosen = Some(r.fault);
                }
            }
            if chosen.is_some() {
                *s.faults.entry(qualified.clone()).or_default() += 1;
            }
            chosen
        };
        let answer = match fault {
            None => match forward(&upstream, &req).await {
                Some(a) => a,
                None => return,
            },
            Some(Fault::Drop) => return,
            Some(Fault::Hang(d)) => {
                tokio::time::sleep(d).await;
                return;
            }
            Some(Fault::LoseResponse) => {
                let _ = forward(&upstream, &req).await;
                return;
            }
            Some(Fault::Status(code)) => error_response(protocol, code, false, &req.method),
            Some(Fault::Throttle) => error_response(protocol, 0, true, &req.method),
            Some(Fault::Denied) => error_response(protocol, 403, false, &req.method),
        };
        if conn.get_mut().write_all(&answer).await.is_err() {
            return;
        }
    }
}

/// Sends the request to the service on a fresh connection and returns its answer, re-framed
/// with a Content-Length so the client's connection can stay open.
async fn forward(upstream: &str, req: &Request) -> Option<Vec<u8>> {
    let mut up = TcpStream::connect(upstream).await.ok()?;
    let mut out = format!("{} {} HTTP/1.1\r\n", req.method, req.path).into_bytes();
    for (k, v) in &req.headers {
        let k_l = k.to_ascii_lowercase();
        if ["connection", "content-length", "transfer-encoding", "expect", "keep-alive"].contains(&k_l.as_str()) {
            continue;
        }
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(format!("Content-Length: {}\r\nConnection: close\r\n\r\n", req.body.len()).as_bytes());
    out.extend_from_slice(&req.body);
    up.write_all(&out).await.ok()?;
    let mut reader = BufReader::new(up);
    let (status, headers) = read_head(&mut reader).await?;
    let code: u16 = status.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let no_body = req.method == "HEAD" || code == 204 || code == 304 || (100..200).contains(&code);
    let body = if no_body {
        Vec::new()
    } else if header(&headers, "transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
        || header(&headers, "content-length").is_some()
    {
        read_body(&mut reader, &headers).await?
    } else {
        let mut b = Vec::new();
        reader.read_to_end(&mut b).await.ok()?;
        b
    };
    let mut answer = format!("{status}\r\n").into_bytes();
    for (k, v) in &headers {
        let k_l = k.to_ascii_lowercase();
        if ["connection", "transfer-encoding", "keep-alive"].contains(&k_l.as_str())
            || (k_l == "content-length" && !no_body)
        {
            continue;
        }
        answer.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    if !no_body {
        answer.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    answer.extend_from_slice(b"\r\n");
    answer.extend_from_slice(&body);
    Some(answer)
}

/// An error answer in the protocol's shape: `status` 500 or 503, or (`throttle`) the service's
/// throttling error.
fn error_response(protocol: Protocol, status: u16, throttle: bool, method: &str) -> Vec<u8> {
    let (status, code, message) = match (protocol, throttle, status) {
        (Protocol::Ec2, true, _) => (503, "RequestLimitExceeded", "Request limit exceeded."),
        (Protocol::Query, true, _) => (400, "Throttling", "Rate exceeded"),
        (Protocol::Json, true, _) => (400, "ThrottlingException", "Rate exceeded"),
        (Protocol::Rest, true, _) => (503, "SlowDown", "Please reduce your request rate."),
        (Protocol::Json, false, 403) => (400, "AccessDeniedException", "not authorized (injected)"),
        (Protocol::Ec2, false, 403) => (403, "UnauthorizedOperation", "not authorized (injected)"),
        (_, false, 403) => (403, "AccessDenied", "not authorized (injected)"),
        (Protocol::Ec2 | Protocol::Rest, false, 503) => (503, "ServiceUnavailable", "Service is unavailable"),
        (Protocol::Ec2 | Protocol::Rest, false, s) => (s, "InternalError", "Internal error (injected)"),
        (_, false, 503) => (503, "ServiceUnavailable", "Service is unavailable"),
        (_, false, s) => (s, "InternalFailure", "Internal failure (injected)"),
    };
    let (content_type, body) = match protocol {
        Protocol::Ec2 => (
            "text/xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>fault-proxy</RequestID></Response>"
            ),
        ),
        Protocol::Query => (
            "text/xml",
            format!(
                "<ErrorResponse><Error><Type>{}</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>",
                if status < 500 { "Sender" } else { "Receiver" }
            ),
        ),
        Protocol::Json => {
            ("application/x-amz-json-1.1", format!("{{\"__type\":\"{code}\",\"message\":\"{message}\"}}"))
        }
        Protocol::Rest => (
            "application/xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>fault-proxy</RequestId></Error>"
            ),
        ),
    };
    let reason = match status {
        400 => "Bad Request",
        403 => "Forbidden",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Error",
    };
    let body = if method == "HEAD" { String::new() } else { body };
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nx-amzn-RequestId: fault-proxy\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}
