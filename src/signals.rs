//! Ctrl-C and SIGTERM: the first stops starting new work and lets in-flight calls finish;
//! the second abandons them. Either way the state is saved and the lock released.

use terrane_engine::graph::WalkControl;

/// Starts listening for interrupts for the duration of an operation.
pub fn watch(control: &WalkControl) -> tokio::task::JoinHandle<()> {
    let control = control.clone();
    tokio::spawn(async move {
        let mut count = 0;
        loop {
            if !next_signal().await {
                return;
            }
            count += 1;
            if count == 1 {
                eprintln!(
                    "\nInterrupt received.\nPlease wait for terrane to exit or data loss may occur.\nGracefully shutting down...\n"
                );
                control.cancel.cancel();
            } else {
                eprintln!("\nTwo interrupts received. Exiting immediately. Note that data loss may have occurred.\n");
                control.abandon.cancel();
                return;
            }
        }
    })
}

#[cfg(unix)]
async fn next_signal() -> bool {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut int), Ok(mut term)) = (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) else {
        return false;
    };
    tokio::select! {
        _ = int.recv() => true,
        _ = term.recv() => true,
    }
}

#[cfg(not(unix))]
async fn next_signal() -> bool {
    tokio::signal::ctrl_c().await.is_ok()
}
