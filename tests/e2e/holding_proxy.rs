//! A pass-through HTTP proxy in front of moto or dockerd that can hold back the answer to one
//! call (the first of a named action: `CreateVpc` for AWS, `services/create` for Docker): the
//! server has made the object, and the client never hears of it. A test kills terrane while the
//! answer is held, which is the exact moment crash-safe creates exist for (the object exists,
//! the state does not know it), instead of hoping a timed kill lands in that window.
//!
//! One request per connection, as moto (werkzeug) answers anyway: each is forwarded with
//! `Connection: close`, and its answer relayed byte for byte.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

pub struct HoldingProxy {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The action whose first call to hold, if any; taken (left `None`) by the call it holds.
    hold: Arc<Mutex<Option<String>>>,
    held: mpsc::Receiver<String>,
}

impl HoldingProxy {
    /// Serves on a free port of 127.0.0.1, forwarding to `upstream` (`host:port`, or the path
    /// of a Unix socket).
    pub fn start(upstream: &str) -> HoldingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let hold = Arc::new(Mutex::new(None));
        let (tx, held) = mpsc::channel();
        let upstream = upstream.to_string();
        let h = hold.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (upstream, h, tx) = (upstream.clone(), h.clone(), tx.clone());
                std::thread::spawn(move || serve(client, &upstream, &h, &tx));
            }
        });
        HoldingProxy { url, hold, held }
    }

    /// Holds the answer to the next call of `action`; everything else passes.
    fn hold(&self, action: &str) {
        while self.held.try_recv().is_ok() {}
        *self.hold.lock().unwrap() = Some(action.to_string());
    }

    /// Forwards everything.
    fn pass_through(&self) {
        *self.hold.lock().unwrap() = None;
    }

    /// Runs `apply` in `w` and kills it while the answer to its first call of `action` is
    /// held (the server has made the object, terrane has not heard of it); fails, with the
    /// run's output, when the apply never makes that call.
    pub fn apply_killed_while_held(&self, w: &crate::Work, action: &str) {
        self.hold(action);
        let child = crate::spawn_apply(w);
        let held = self.held.recv_timeout(Duration::from_secs(60)).ok();
        let output = crate::kill(child);
        self.pass_through();
        assert_eq!(held.as_deref(), Some(action), "the apply never called {action}:\n{output}");
    }
}

/// The action of a request: for AWS, `Action=` in a query-protocol body, or `X-Amz-Target` of a
/// JSON one (`Logs_20140328.CreateLogGroup`); for Docker, a POST's path after the API version
/// (`services/create`; AWS posts to `/`).
fn action(head: &str, body: &[u8]) -> String {
    if let Some(path) = head.strip_prefix("POST /").and_then(|p| p.split(' ').next()).filter(|p| !p.is_empty()) {
        let path = path.split('?').next().unwrap_or_default();
        let unversioned = path.strip_prefix("v1.").and_then(|p| p.split_once('/')).map_or(path, |(_, rest)| rest);
        return unversioned.to_string();
    }
    for line in head.lines() {
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("x-amz-target")
        {
            return v.trim().rsplit('.').next().unwrap_or_default().to_string();
        }
    }
    String::from_utf8_lossy(body).split('&').find_map(|kv| kv.strip_prefix("Action=")).unwrap_or_default().to_string()
}

/// Sends `request` on a fresh connection and reads the answer until the server closes it.
fn exchange(mut up: impl Read + Write, request: &[&[u8]]) -> Vec<u8> {
    for part in request {
        up.write_all(part).unwrap();
    }
    let mut answer = Vec::new();
    up.read_to_end(&mut answer).unwrap();
    answer
}

fn serve(client: TcpStream, upstream: &str, hold: &Mutex<Option<String>>, held: &mpsc::Sender<String>) {
    let mut reader = BufReader::new(client);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let end = line == "\r\n";
        head.push_str(&line);
        if end {
            break;
        }
    }
    let length = head
        .lines()
        .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("content-length")))
        .map_or(0, |(_, v)| v.trim().parse::<usize>().unwrap());
    assert!(
        !head.to_ascii_lowercase().contains("transfer-encoding: chunked"),
        "the holding proxy reads bodies by Content-Length only: {head}"
    );
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();

    let mut forwarded: String = head
        .split_inclusive("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:") && *l != "\r\n")
        .collect();
    forwarded.push_str("Connection: close\r\n\r\n");
    let answer = if upstream.starts_with('/') {
        exchange(UnixStream::connect(upstream).unwrap(), &[forwarded.as_bytes(), &body])
    } else {
        exchange(TcpStream::connect(upstream).unwrap(), &[forwarded.as_bytes(), &body])
    };

    let action = action(&head, &body);
    if hold.lock().unwrap().take_if(|a| *a == action).is_some() {
        // Made, never told: hold until the client goes away (it is killed).
        let _ = held.send(action);
        let mut client = reader.into_inner();
        let _ = client.set_read_timeout(Some(Duration::from_secs(120)));
        let _ = client.read(&mut [0; 1]);
        return;
    }
    let _ = reader.into_inner().write_all(&answer);
}

#[test]
fn actions_are_read_from_aws_and_docker_requests() {
    let query = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n";
    assert_eq!(action(query, b"Action=CreateVpc&Version=2016-11-15"), "CreateVpc");
    let json = "POST / HTTP/1.1\r\nX-Amz-Target: Logs_20140328.CreateLogGroup\r\n\r\n";
    assert_eq!(action(json, b"{}"), "CreateLogGroup");
    assert_eq!(action("POST /v1.47/services/create HTTP/1.1\r\n\r\n", b"{}"), "services/create");
    assert_eq!(action("POST /secrets/create?x=1 HTTP/1.1\r\n\r\n", b"{}"), "secrets/create");
    assert_eq!(action("GET /v1.47/networks HTTP/1.1\r\n\r\n", b""), "");
}
