//! Ctrl-C and SIGTERM: the first stops starting new work and lets in-flight calls finish;
//! the second abandons them. Either way the state is saved and the lock released.

use std::sync::LazyLock;
use terrane_engine::graph::WalkControl;
use tokio_util::sync::CancellationToken;

/// Fired by the first interrupt, for waits outside a graph walk (the state lock).
static INTERRUPTED: LazyLock<CancellationToken> = LazyLock::new(CancellationToken::new);

/// The process-wide "an interrupt was received" token.
pub fn interrupted() -> &'static CancellationToken {
    &INTERRUPTED
}

/// Starts listening for interrupts for the duration of an operation. The handlers are
/// installed before this returns, so a signal that arrives at any later moment (even while the
/// lock is being taken) is handled, never the default "terminate now".
pub fn watch(control: &WalkControl) -> tokio::task::JoinHandle<()> {
    let control = control.clone();
    let mut signals = Signals::install();
    tokio::spawn(async move {
        let mut count = 0;
        loop {
            if !signals.next().await {
                return;
            }
            count += 1;
            if count == 1 {
                eprintln!(
                    "\nInterrupt received.\nPlease wait for terrane to exit or data loss may occur.\nGracefully shutting down...\n"
                );
                control.cancel.cancel();
                INTERRUPTED.cancel();
            } else {
                eprintln!("\nTwo interrupts received. Exiting immediately. Note that data loss may have occurred.\n");
                control.abandon.cancel();
                return;
            }
        }
    })
}

#[cfg(unix)]
struct Signals(Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>);

#[cfg(unix)]
impl Signals {
    fn install() -> Signals {
        use tokio::signal::unix::{SignalKind, signal};
        Signals(signal(SignalKind::interrupt()).ok().zip(signal(SignalKind::terminate()).ok()))
    }

    async fn next(&mut self) -> bool {
        let Some((int, term)) = &mut self.0 else { return false };
        tokio::select! {
            _ = int.recv() => true,
            _ = term.recv() => true,
        }
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn install() -> Signals {
        Signals
    }

    async fn next(&mut self) -> bool {
        tokio::signal::ctrl_c().await.is_ok()
    }
}
