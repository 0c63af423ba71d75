//! Waiting for an object to reach a state (RDS "available", an instance "running"), polling
//! with backoff until the resource's `timeouts` runs out; a timeout names the last status.

use std::future::Future;
use std::time::{Duration, Instant};
use terrane_engine::provider::ProviderError;

/// A configured timeout (`"40m"`), or `default` when none is configured or it does not parse.
pub fn configured_or(configured: Option<&str>, default: Duration) -> Duration {
    configured.and_then(|s| humantime::parse_duration(s).ok()).unwrap_or(default)
}

/// Polling interval bounds: the running provider's ([`crate::timings`]).
fn intervals() -> (Duration, Duration) {
    let t = crate::timings::current();
    (t.poll_min, t.poll_max)
}

/// What one poll found.
pub enum Poll<T> {
    Done(T),
    Pending(String),
    Failed(String),
}

/// Polls `check` until it is done, fails, or `timeout` passes.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Poll<T>, ProviderError>>,
{
    let start = Instant::now();
    let (mut delay, max) = intervals();
    loop {
        let last = match check().await? {
            Poll::Done(v) => return Ok(v),
            Poll::Failed(status) => return Err(ProviderError::new(format!("{what} failed: status is {status}"))),
            Poll::Pending(status) => status,
        };
        if start.elapsed() >= timeout {
            return Err(ProviderError::new(format!(
                "timed out after {} waiting for {what} (last status: {last}); raise the timeout with timeouts {{ ... }} if it needs longer",
                humantime::format_duration(Duration::from_secs(timeout.as_secs()))
            )));
        }
        tokio::time::sleep(delay.min(timeout.saturating_sub(start.elapsed()))).await;
        delay = (delay * 3 / 2).min(max);
    }
}
