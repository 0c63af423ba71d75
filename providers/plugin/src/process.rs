//! Starting a plugin and talking to it: go-plugin's handshake, the gRPC connection (over the
//! Unix socket it names, with automatic mutual TLS), the plugin's own output, and stopping it.
//!
//! The handshake, as go-plugin's client does it: the environment carries the magic cookie
//! (a plugin started by hand refuses to run), the protocol versions offered, and the
//! client's certificate; the plugin answers one line on stdout,
//! `CORE|VERSION|NETWORK|ADDRESS|grpc|CERT`, then serves. Whatever it writes afterwards on
//! stdout or stderr is its log: kept out of the user's terminal, at debug level in terrane's
//! log (`TF_LOG=debug`), the last lines kept to explain a crash.

use crate::tls::{ClientIdentity, server_name};
use crate::wire::{self, Method};
use hyper_util::rt::TokioIo;
use prost::Message;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, BufReader};
use tokio::process::{Child, Command};
use tonic::transport::{Channel, Endpoint};

/// Terraform's magic cookie for provider plugins.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// How long a plugin may take to print its handshake (go-plugin's default start timeout).
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// The largest message accepted (a provider's schema is several megabytes).
const MAX_MESSAGE: usize = 256 << 20;
/// How many of the plugin's last output lines are kept to explain a crash.
const TAIL_LINES: usize = 60;

/// A failure to start or to talk to a plugin.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{summary}: {detail}")]
pub struct PluginError {
    pub summary: String,
    pub detail: String,
}

impl PluginError {
    fn new(summary: impl Into<String>, detail: impl Into<String>) -> PluginError {
        PluginError { summary: summary.into(), detail: detail.into() }
    }
}

trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

/// A running plugin.
pub struct Plugin {
    /// Protocol version agreed on (5 or 6).
    pub protocol: u32,
    name: String,
    grpc: tonic::client::Grpc<Channel>,
    child: Mutex<Option<Child>>,
    tail: Arc<Mutex<VecDeque<String>>>,
    _socket_dir: tempfile::TempDir,
}

impl Plugin {
    /// Starts the plugin at `path` (`name` is how messages call it: `hashicorp/aws`).
    pub async fn start(path: &Path, name: &str) -> Result<Plugin, PluginError> {
        let fail = |detail: String| {
            PluginError::new("Failed to start the provider plugin", format!("{name} ({}): {detail}", path.display()))
        };
        let identity = ClientIdentity::generate().map_err(|e| fail(format!("making its TLS certificate: {e}")))?;
        let socket_dir = tempfile::Builder::new()
            .prefix("terrane-plugin")
            .tempdir()
            .map_err(|e| fail(format!("making its socket directory: {e}")))?;
        let mut cmd = Command::new(path);
        cmd.env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
            .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
            .env("PLUGIN_MIN_PORT", "10000")
            .env("PLUGIN_MAX_PORT", "25000")
            .env("PLUGIN_CLIENT_CERT", &identity.cert_pem)
            .env("PLUGIN_UNIX_SOCKET_DIR", socket_dir.path())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        // Its own process group: the terminal's Ctrl-C goes to terrane, which stops the
        // plugin's work itself (the Stop call) instead of the plugin dying mid-call.
        #[cfg(unix)]
        cmd.process_group(0);
        let mut child = cmd.spawn().map_err(|e| fail(e.to_string()))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        let tail = Arc::new(Mutex::new(VecDeque::new()));
        drain(stderr, name.to_string(), Arc::clone(&tail));

        let mut lines = BufReader::new(stdout).lines();
        let handshake = tokio::time::timeout(START_TIMEOUT, async {
            loop {
                match lines.next_line().await {
                    Ok(Some(l)) if l.starts_with("1|") => return Ok(l),
                    Ok(Some(l)) => tracing::debug!(target: "terrane::plugin", plugin = name, "{l}"),
                    Ok(None) => return Err("it exited before its handshake".to_string()),
                    Err(e) => return Err(e.to_string()),
                }
            }
        })
        .await;
        let line = match handshake {
            Ok(Ok(l)) => l,
            Ok(Err(e)) => {
                let status = child.wait().await.ok().map(|s| format!(" ({s})")).unwrap_or_default();
                tokio::time::sleep(Duration::from_millis(50)).await;
                return Err(fail(format!("{e}{status}.{}", tail_text(&tail))));
            }
            Err(_) => {
                let _ = child.start_kill();
                return Err(fail(format!("no handshake within {} s.{}", START_TIMEOUT.as_secs(), tail_text(&tail))));
            }
        };
        // Whatever the plugin prints on stdout from now on is log, too.
        drain(lines.into_inner(), name.to_string(), Arc::clone(&tail));
        let hs = parse_handshake(&line).map_err(fail)?;
        let tls = match &hs.cert {
            Some(der) => Some(Arc::new(identity.client_config(der.clone()).map_err(fail)?)),
            None => None,
        };
        let channel = connect(&hs.network, &hs.address, tls)
            .await
            .map_err(|e| fail(format!("connecting to {}: {e}", hs.address)))?;
        let grpc = tonic::client::Grpc::new(channel)
            .max_decoding_message_size(MAX_MESSAGE)
            .max_encoding_message_size(MAX_MESSAGE);
        Ok(Plugin {
            protocol: hs.protocol,
            name: name.to_string(),
            grpc,
            child: Mutex::new(Some(child)),
            tail,
            _socket_dir: socket_dir,
        })
    }

    /// Calls a method of the provider service.
    pub async fn call<Req, Resp>(&self, method: Method, req: Req) -> Result<Resp, PluginError>
    where
        Req: Message + Send + Sync + 'static,
        Resp: Message + Default + Send + Sync + 'static,
    {
        self.unary(method.path(self.protocol), req).await.map_err(|status| self.failed(method, status))
    }

    async fn unary<Req, Resp>(&self, path: &'static str, req: Req) -> Result<Resp, tonic::Status>
    where
        Req: Message + Send + Sync + 'static,
        Resp: Message + Default + Send + Sync + 'static,
    {
        let mut grpc = self.grpc.clone();
        grpc.ready().await.map_err(|e| tonic::Status::unavailable(e.to_string()))?;
        let codec = tonic_prost::ProstCodec::<Req, Resp>::default();
        let path = http::uri::PathAndQuery::from_static(path);
        grpc.unary(tonic::Request::new(req), path, codec).await.map(tonic::Response::into_inner)
    }

    /// The error for a failed call: a crashed plugin says so, with what it printed last.
    fn failed(&self, method: Method, status: tonic::Status) -> PluginError {
        // A plugin that died closes its socket as it goes: give the exit a moment to show.
        let mut exited = None;
        for _ in 0..10 {
            exited = self.child.lock().expect("child lock").as_mut().and_then(|c| c.try_wait().ok().flatten());
            if exited.is_some() || status.code() == tonic::Code::Ok {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let call = format!("{method:?}");
        match exited {
            Some(code) => PluginError::new(
                "Plugin did not respond",
                format!(
                    "The plugin {} exited ({code}) during the {call} call, without answering it.{}",
                    self.name,
                    tail_text(&self.tail)
                ),
            ),
            None if matches!(
                status.code(),
                tonic::Code::Unavailable | tonic::Code::Unknown | tonic::Code::Internal
            ) =>
            {
                PluginError::new(
                    "Plugin did not respond",
                    format!(
                        "The plugin {} encountered an error, and failed to respond to the {call} call: {}. The plugin logs may contain more details (TF_LOG=debug).",
                        self.name,
                        status.message()
                    ),
                )
            }
            None => PluginError::new(format!("Plugin error in {call}"), status.message().to_string()),
        }
    }

    /// Asks the plugin to stop what it is doing (Terraform's `Stop`, after a Ctrl-C).
    pub async fn stop(&self) -> Result<(), PluginError> {
        let resp: wire::StopResponse = self.call(Method::Stop, wire::Empty {}).await?;
        if resp.error.is_empty() { Ok(()) } else { Err(PluginError::new("Failed to stop the provider", resp.error)) }
    }

    /// Ends the plugin: go-plugin's `Shutdown`, then, if it is still there after two
    /// seconds, a kill.
    pub async fn shutdown(&self) {
        let _ = tokio::time::timeout(
            Duration::from_secs(2),
            self.unary::<wire::Empty, wire::Empty>(wire::CONTROLLER_SHUTDOWN, wire::Empty {}),
        )
        .await;
        let child = self.child.lock().expect("child lock").take();
        if let Some(mut child) = child
            && tokio::time::timeout(Duration::from_secs(2), child.wait()).await.is_err()
        {
            let _ = child.kill().await;
        }
    }

    /// Whether the plugin process has exited.
    pub fn exited(&self) -> bool {
        self.child.lock().expect("child lock").as_mut().is_none_or(|c| c.try_wait().ok().flatten().is_some())
    }
}

/// The handshake line's parts.
#[derive(Debug, PartialEq)]
struct Handshake {
    protocol: u32,
    network: String,
    address: String,
    cert: Option<Vec<u8>>,
}

fn parse_handshake(line: &str) -> Result<Handshake, String> {
    use base64::Engine;
    let parts: Vec<&str> = line.trim().split('|').collect();
    if parts.len() < 5 {
        return Err(format!("unrecognised handshake {line:?}"));
    }
    if parts[0] != "1" {
        return Err(format!("its plugin core protocol is {}, terrane speaks 1", parts[0]));
    }
    let protocol: u32 = parts[1].parse().map_err(|_| format!("unrecognised protocol version {:?}", parts[1]))?;
    if !(5..=6).contains(&protocol) {
        return Err(format!("it speaks plugin protocol {protocol}; terrane speaks 5 and 6"));
    }
    if parts[4] != "grpc" {
        return Err(format!("it speaks {:?}, not gRPC", parts[4]));
    }
    let cert = match parts.get(5).filter(|c| !c.is_empty()) {
        Some(c) => Some(
            base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(c.trim_end_matches('='))
                .map_err(|e| format!("its certificate is not base64: {e}"))?,
        ),
        None => None,
    };
    Ok(Handshake { protocol, network: parts[2].to_string(), address: parts[3].to_string(), cert })
}

async fn connect(network: &str, address: &str, tls: Option<Arc<rustls::ClientConfig>>) -> Result<Channel, String> {
    let network = network.to_string();
    let address = address.to_string();
    let connector = tower::service_fn(move |_: http::Uri| {
        let (network, address, tls) = (network.clone(), address.clone(), tls.clone());
        async move {
            let stream: Box<dyn Io> = match network.as_str() {
                "unix" => Box::new(tokio::net::UnixStream::connect(PathBuf::from(&address)).await?),
                "tcp" => Box::new(tokio::net::TcpStream::connect(&address).await?),
                n => return Err(std::io::Error::other(format!("unsupported network {n:?}"))),
            };
            let stream: Box<dyn Io> = match tls {
                Some(config) => {
                    Box::new(tokio_rustls::TlsConnector::from(config).connect(server_name(), stream).await?)
                }
                None => stream,
            };
            Ok::<_, std::io::Error>(TokioIo::new(stream))
        }
    });
    Endpoint::from_static("http://localhost")
        .connect_timeout(Duration::from_secs(30))
        .connect_with_connector(connector)
        .await
        .map_err(|e| {
            let mut msg = e.to_string();
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                msg = format!("{msg}: {s}");
                src = s.source();
            }
            msg
        })
}

/// Reads the plugin's output into terrane's debug log, keeping its last lines.
fn drain<R: AsyncRead + Unpin + Send + 'static>(r: R, name: String, tail: Arc<Mutex<VecDeque<String>>>) {
    tokio::spawn(async move {
        let mut lines = BufReader::new(r).lines();
        while let Ok(Some(l)) = lines.next_line().await {
            tracing::debug!(target: "terrane::plugin", plugin = %name, "{l}");
            let mut t = tail.lock().expect("tail lock");
            if t.len() == TAIL_LINES {
                t.pop_front();
            }
            t.push_back(l);
        }
    });
}

/// The plugin's last output, for an error message: from its first `panic:` line if it
/// panicked (Go's crash report), else the last few lines.
fn tail_text(tail: &Mutex<VecDeque<String>>) -> String {
    let t = tail.lock().expect("tail lock");
    if t.is_empty() {
        return String::new();
    }
    // The SDK's own structured trace and debug lines say nothing about a crash.
    let quiet =
        |l: &str| l.starts_with('{') && (l.contains("\"@level\":\"trace\"") || l.contains("\"@level\":\"debug\""));
    let lines: Vec<&str> = t.iter().map(String::as_str).filter(|l| !quiet(l)).collect();
    if lines.is_empty() {
        return String::new();
    }
    let from = lines.iter().position(|l| l.starts_with("panic:")).unwrap_or(lines.len().saturating_sub(10));
    format!("\n\nThe plugin's last output:\n{}", lines[from..].join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_plugins_handshake_line() {
        let hs = parse_handshake("1|5|unix|/tmp/plugin123/sock|grpc|AQID\n").unwrap();
        assert_eq!(
            hs,
            Handshake {
                protocol: 5,
                network: "unix".into(),
                address: "/tmp/plugin123/sock".into(),
                cert: Some(vec![1, 2, 3])
            }
        );
        let hs = parse_handshake("1|6|tcp|127.0.0.1:10000|grpc|").unwrap();
        assert_eq!(hs.cert, None);
        assert_eq!(hs.protocol, 6);
    }

    #[test]
    fn refuses_what_it_cannot_speak() {
        assert!(parse_handshake("2|5|unix|/x|grpc|").unwrap_err().contains("core protocol is 2"));
        assert!(parse_handshake("1|4|unix|/x|grpc|").unwrap_err().contains("protocol 4"));
        assert!(parse_handshake("1|5|unix|/x|netrpc|").unwrap_err().contains("not gRPC"));
        assert!(parse_handshake("hello").unwrap_err().contains("unrecognised"));
    }

    #[test]
    fn a_crash_report_starts_at_the_panic() {
        let tail = Mutex::new(VecDeque::from(vec!["log 1".to_string(), "panic: boom".into(), "goroutine 1".into()]));
        assert_eq!(tail_text(&tail), "\n\nThe plugin's last output:\npanic: boom\ngoroutine 1");
    }
}
