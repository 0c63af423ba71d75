//! The timings tests shorten: how often waiters poll, how long one API attempt and one call
//! with its retries may take. The defaults are overridden for the binary by the environment
//! (`TERRANE_AWS_POLL_MS`, `TERRANE_AWS_ATTEMPT_TIMEOUT`, `TERRANE_AWS_OPERATION_TIMEOUT`), or
//! given to one provider explicitly ([`crate::AwsProvider::with_timings`]): tests do that,
//! since a test that changes the process's environment changes it for every other test that
//! runs beside it in the same process.
//!
//! During each of its operations a provider makes its timings [`current`], for the code that
//! has no handle on the provider (waiters, error messages).

use std::future::Future;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timings {
    /// A waiter's first pause between polls; the pause grows to `poll_max`.
    pub poll_min: Duration,
    pub poll_max: Duration,
    /// How long one attempt of an API call may take.
    pub attempt_timeout: Duration,
    /// How long a call may take with all its retries.
    pub operation_timeout: Duration,
}

impl Default for Timings {
    fn default() -> Timings {
        Timings {
            poll_min: Duration::from_secs(5),
            poll_max: Duration::from_secs(30),
            attempt_timeout: Duration::from_secs(60),
            operation_timeout: Duration::from_secs(10 * 60),
        }
    }
}

impl Timings {
    /// The defaults with the environment's overrides.
    pub fn from_env() -> Timings {
        let mut t = Timings::default();
        if let Some(ms) = std::env::var("TERRANE_AWS_POLL_MS").ok().and_then(|s| s.trim().parse::<u64>().ok()) {
            t = t.with_poll(Duration::from_millis(ms));
        }
        let duration = |var: &str| std::env::var(var).ok().and_then(|s| humantime::parse_duration(s.trim()).ok());
        if let Some(d) = duration("TERRANE_AWS_ATTEMPT_TIMEOUT") {
            t.attempt_timeout = d;
        }
        if let Some(d) = duration("TERRANE_AWS_OPERATION_TIMEOUT") {
            t.operation_timeout = d;
        }
        t
    }

    /// Polling from `every`, growing to four times that.
    pub fn with_poll(self, every: Duration) -> Timings {
        Timings { poll_min: every, poll_max: every * 4, ..self }
    }
}

tokio::task_local! {
    static CURRENT: Timings;
}

/// The timings of the provider whose operation is running, else the environment's.
pub fn current() -> Timings {
    CURRENT.try_with(|t| *t).unwrap_or_else(|_| Timings::from_env())
}

/// Runs `f` with `t` as the [`current`] timings.
pub async fn scope<F: Future>(t: Timings, f: F) -> F::Output {
    CURRENT.scope(t, f).await
}
