//! Retries of daemon calls. Throttling (HTTP 429), server errors (5xx, except 501 and the
//! swarm's "update out of sequence", which a retry cannot fix), timeouts and dropped or refused
//! connections are retried with exponential backoff and jitter (`backon`), bounded in attempts,
//! in total waiting time and in the time one attempt may take; then the call fails with the
//! last cause and what was tried. Everything else (404, 409, 400, ...) fails at once.
//!
//! Reads, deletes and updates are safe to repeat. A create whose request may have reached
//! the daemon (anything but a connection that could not be made) is not simply sent again:
//! the next attempt first looks the object up by its name, unique in a swarm, and adopts it
//! when it is there (see [`create`]).
//!
//! The bounds come from the environment (the Terraform Docker provider has no such arguments):
//! `TERRANE_DOCKER_MAX_RETRIES` (default 4), `TERRANE_DOCKER_RETRY_MAX_WAIT` (the total of
//! the pauses, default 30s), `TERRANE_DOCKER_REQUEST_TIMEOUT` (one attempt, default 60s).

use backon::{BackoffBuilder, ExponentialBuilder};
use bollard::errors::Error as DockerError;
use std::fmt;
use std::future::Future;
use std::time::{Duration, Instant};
use terrane_engine::provider::ProviderError;

#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts after the first one.
    pub max_retries: usize,
    /// The first pause; each later one doubles (plus up to as much again of jitter).
    pub min_delay: Duration,
    /// The longest single pause.
    pub max_delay: Duration,
    /// The total of all pauses of one call.
    pub max_wait: Duration,
    /// How long one attempt may take before it counts as a timeout.
    pub attempt_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_retries: 4,
            min_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_wait: Duration::from_secs(30),
            attempt_timeout: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The default policy with the environment's overrides.
    pub fn from_env() -> Result<RetryPolicy, ProviderError> {
        let mut p = RetryPolicy::default();
        if let Ok(v) = std::env::var("TERRANE_DOCKER_MAX_RETRIES") {
            p.max_retries = v.trim().parse().map_err(|_| {
                ProviderError::new(format!("TERRANE_DOCKER_MAX_RETRIES must be a whole number, not {v:?}"))
            })?;
        }
        let duration = |name: &str| -> Result<Option<Duration>, ProviderError> {
            match std::env::var(name) {
                Ok(v) => humantime::parse_duration(v.trim())
                    .map(Some)
                    .map_err(|e| ProviderError::new(format!("{name} must be a duration such as \"30s\": {e}"))),
                Err(_) => Ok(None),
            }
        };
        if let Some(d) = duration("TERRANE_DOCKER_RETRY_MAX_WAIT")? {
            p.max_wait = d;
            p.min_delay = p.min_delay.min(d / 4);
        }
        if let Some(d) = duration("TERRANE_DOCKER_REQUEST_TIMEOUT")? {
            p.attempt_timeout = d.max(Duration::from_millis(1));
        }
        Ok(p)
    }

    fn backoff(&self) -> ExponentialBuilder {
        ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_factor(2.0)
            .with_jitter()
            .with_max_times(self.max_retries)
            .with_total_delay(Some(self.max_wait))
    }
}

/// What went wrong in one attempt.
#[derive(Debug)]
pub enum Fault {
    Daemon(DockerError),
    /// No complete answer within the attempt timeout.
    Timeout(Duration),
}

impl Fault {
    pub fn retryable(&self) -> bool {
        if self.is_not_found() {
            return false;
        }
        match self {
            Fault::Timeout(_) => true,
            Fault::Daemon(e) => match e {
                DockerError::DockerResponseServerError { status_code, message } => {
                    *status_code == 429
                        || ((500..600).contains(status_code)
                            && *status_code != 501
                            && !message.contains("out of sequence"))
                }
                DockerError::HyperLegacyError { .. }
                | DockerError::HyperResponseError { .. }
                | DockerError::IOError { .. }
                | DockerError::RequestTimeoutError => true,
                _ => false,
            },
        }
    }

    /// Whether the request may have reached the daemon (and done its work there): all but a
    /// connection that could not be made.
    pub fn may_have_landed(&self) -> bool {
        !matches!(self, Fault::Daemon(DockerError::HyperLegacyError { err }) if err.is_connect())
    }

    /// A 404, or the 500 "network ... not found" the daemon answers for a swarm network that
    /// an earlier (lost) request of ours already removed.
    pub fn is_not_found(&self) -> bool {
        match self {
            Fault::Daemon(DockerError::DockerResponseServerError { status_code, message }) => {
                *status_code == 404 || (*status_code == 500 && message.contains(" not found"))
            }
            _ => false,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            Fault::Daemon(DockerError::DockerResponseServerError { status_code, .. }) => Some(*status_code),
            _ => None,
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Timeout(d) => {
                write!(f, "no answer from the Docker daemon within {}", humantime::format_duration(*d))
            }
            Fault::Daemon(DockerError::DockerResponseServerError { status_code, message }) => {
                let message = message.trim();
                if message.is_empty() {
                    write!(f, "HTTP {status_code}")
                } else {
                    write!(f, "{message} (HTTP {status_code})")
                }
            }
            Fault::Daemon(e) => {
                // The underlying causes say what actually failed (refused, reset, closed, ...).
                write!(f, "{}", terrane_engine::diag::error_chain(e))
            }
        }
    }
}

/// A call that failed for good: what was being done, its last fault, and what was tried.
#[derive(Debug)]
pub struct CallError {
    pub doing: String,
    pub fault: Fault,
    pub attempts: usize,
    pub elapsed: Duration,
    /// The daemon's address, named when the connection itself failed.
    pub host: String,
}

impl CallError {
    pub fn is_not_found(&self) -> bool {
        self.fault.is_not_found()
    }
}

impl From<CallError> for ProviderError {
    /// The error as users should read it: what was being done, the cause, and the retries.
    fn from(e: CallError) -> ProviderError {
        let mut msg = format!("{}: {}", e.doing, e.fault);
        if e.fault.status().is_none() && !e.host.is_empty() {
            msg.push_str(&format!(" (Docker host {})", e.host));
        }
        if e.attempts > 1 {
            msg.push_str(&format!("; gave up after {} attempts in {:.1} s", e.attempts, e.elapsed.as_secs_f64()));
        }
        // A conflict on the first attempt is another object's name; on a later one it may be
        // what a lost attempt of ours made.
        if e.attempts == 1 && e.fault.status() == Some(409) {
            ProviderError::new(msg).already_exists()
        } else {
            ProviderError::new(msg)
        }
    }
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fault.fmt(f)
    }
}

async fn attempt<T, Fut>(policy: &RetryPolicy, fut: Fut) -> Result<T, Fault>
where
    Fut: Future<Output = Result<T, DockerError>>,
{
    match tokio::time::timeout(policy.attempt_timeout, fut).await {
        Ok(r) => r.map_err(Fault::Daemon),
        Err(_) => Err(Fault::Timeout(policy.attempt_timeout)),
    }
}

/// One failed attempt, and whether another one may follow.
struct Failed {
    fault: Fault,
    again: bool,
}

impl From<Fault> for Failed {
    fn from(fault: Fault) -> Failed {
        Failed { again: fault.retryable(), fault }
    }
}

/// The attempts of one call: backon's pauses between them, until one succeeds, one fails for
/// good, or the pauses run out (in number or in total waiting time).
struct Attempts<'a> {
    doing: &'a str,
    pauses: <ExponentialBuilder as BackoffBuilder>::Backoff,
    made: usize,
    start: Instant,
}

impl<'a> Attempts<'a> {
    fn new(policy: &RetryPolicy, doing: &'a str) -> Attempts<'a> {
        Attempts { doing, pauses: policy.backoff().build(), made: 0, start: Instant::now() }
    }

    /// After a failed attempt: pauses and returns when another may follow, else the error.
    async fn after(&mut self, failed: Failed) -> Result<(), CallError> {
        match failed.again.then(|| self.pauses.next()).flatten() {
            Some(pause) => {
                tracing::warn!("{}: {}; retrying in {:.2} s", self.doing, failed.fault, pause.as_secs_f64());
                tokio::time::sleep(pause).await;
                Ok(())
            }
            None => Err(CallError {
                doing: self.doing.to_string(),
                fault: failed.fault,
                attempts: self.made,
                elapsed: self.start.elapsed(),
                host: String::new(),
            }),
        }
    }
}

/// Runs a call that is safe to repeat (a read, a delete, an update against a fresh version),
/// retrying what is worth retrying.
pub async fn call<T, F, Fut>(policy: &RetryPolicy, doing: &str, mut f: F) -> Result<T, CallError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, DockerError>>,
{
    let mut attempts = Attempts::new(policy, doing);
    loop {
        attempts.made += 1;
        match attempt(policy, f()).await {
            Ok(v) => return Ok(v),
            Err(fault) => attempts.after(fault.into()).await?,
        }
    }
}

/// Runs a create. After an attempt whose request may have reached the daemon, the next one
/// first looks the object up by name (`find`) and adopts what it finds instead of creating
/// it twice; a name conflict after such an attempt is resolved the same way (the object
/// appeared after the look-up), and so is running out of attempts. Without a name to look
/// for (`find` is `None`), only attempts that never reached the daemon are repeated.
pub async fn create<T, F, Fut, G, GFut>(
    policy: &RetryPolicy,
    doing: &str,
    mut create: F,
    mut find: Option<G>,
) -> Result<T, CallError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, DockerError>>,
    G: FnMut() -> GFut,
    GFut: Future<Output = Result<Option<T>, DockerError>>,
{
    let mut attempts = Attempts::new(policy, doing);
    let mut landed = false;
    loop {
        attempts.made += 1;
        if landed && let Some(find) = find.as_mut() {
            match attempt(policy, find()).await {
                Ok(Some(found)) => {
                    tracing::info!("{doing}: adopted the object an earlier attempt created");
                    return Ok(found);
                }
                Ok(None) => {}
                Err(fault) => {
                    attempts.after(fault.into()).await?;
                    continue;
                }
            }
        }
        let fault = match attempt(policy, create()).await {
            Ok(v) => return Ok(v),
            Err(fault) => fault,
        };
        let mut failed = Failed::from(fault);
        if failed.again && failed.fault.may_have_landed() {
            landed = true;
            failed.again = find.is_some();
        } else if failed.fault.status() == Some(409) && landed {
            // The earlier attempt's object appeared after the look-up: the next one adopts it.
            failed.again = find.is_some();
        }
        if let Err(e) = attempts.after(failed).await {
            // Out of attempts after one that may have created it: a last look before giving up.
            if landed
                && let Some(find) = find.as_mut()
                && let Ok(Some(found)) = attempt(policy, find()).await
            {
                return Ok(found);
            }
            return Err(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::{Cell, RefCell};
    use std::collections::VecDeque;

    fn answer(status_code: u16, message: &str) -> DockerError {
        DockerError::DockerResponseServerError { status_code, message: message.into() }
    }

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 3,
            min_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            max_wait: Duration::from_secs(10),
            attempt_timeout: Duration::from_secs(1),
        }
    }

    /// What each attempt does: `None` never answers; `Some(Ok)` or `Some(Err)` answers.
    type Script = RefCell<VecDeque<Option<Result<&'static str, DockerError>>>>;

    async fn play(script: &Script, sent: &Cell<usize>) -> Result<&'static str, DockerError> {
        sent.set(sent.get() + 1);
        let next = script.borrow_mut().pop_front().expect("an attempt too many");
        match next {
            Some(r) => r,
            None => std::future::pending().await,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn throttling_server_errors_and_timeouts_are_retried_until_the_call_succeeds() {
        let script: Script = RefCell::new(VecDeque::from([
            Some(Err(answer(503, "busy"))),
            Some(Err(answer(429, "slow down"))),
            None,
            Some(Ok("done")),
        ]));
        let sent = Cell::new(0);
        let r = call(&policy(), "reading service web", || play(&script, &sent)).await;
        assert_eq!(r.unwrap(), "done");
        assert_eq!(sent.get(), 4);
    }

    #[tokio::test(start_paused = true)]
    async fn real_answers_fail_at_once() {
        for e in [
            answer(404, "no such service"),
            answer(409, "name conflicts with an existing object"),
            answer(400, "invalid mount config"),
            answer(501, "not implemented"),
            answer(500, "rpc error: code = Unknown desc = update out of sequence"),
            answer(500, "network abc not found"),
        ] {
            let text = e.to_string();
            let script: Script = RefCell::new(VecDeque::from([Some(Err(e))]));
            let sent = Cell::new(0);
            let r = call(&policy(), "updating service web", || play(&script, &sent)).await;
            assert!(r.is_err(), "{text}");
            assert_eq!(sent.get(), 1, "{text} is not retried");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn retries_are_bounded_in_number_and_in_waiting_time() {
        let always = |n| RefCell::new((0..n).map(|_| Some(Err(answer(500, "boom")))).collect::<VecDeque<_>>());
        let (script, sent) = (always(4), Cell::new(0));
        let start = tokio::time::Instant::now();
        let e = call(&policy(), "listing services", || play(&script, &sent)).await.unwrap_err();
        assert_eq!((sent.get(), e.attempts), (4, 4));
        // Pauses of 100, 200 and 400 ms, each with up to as much again of jitter.
        assert!(start.elapsed() >= Duration::from_millis(700) && start.elapsed() < Duration::from_millis(1400));

        // The total of the pauses is capped too: 300 ms allow the first pause or two, not three.
        let tight = RetryPolicy { max_wait: Duration::from_millis(300), ..policy() };
        let (script, sent) = (always(4), Cell::new(0));
        let e = call(&tight, "listing services", || play(&script, &sent)).await.unwrap_err();
        assert!((2..=3).contains(&sent.get()), "{} attempts", sent.get());
        assert!(e.elapsed <= Duration::from_millis(300));

        // A call that never answers costs at most an attempt timeout per attempt.
        let script: Script = RefCell::new((0..4).map(|_| None).collect());
        let (sent, start) = (Cell::new(0), tokio::time::Instant::now());
        let e = call(&policy(), "listing tasks", || play(&script, &sent)).await.unwrap_err();
        assert_eq!(sent.get(), 4);
        assert!(start.elapsed() < Duration::from_secs(4) + Duration::from_millis(1400));
        assert_eq!(e.fault.to_string(), "no answer from the Docker daemon within 1s");
    }

    #[tokio::test(start_paused = true)]
    async fn a_create_whose_answer_may_be_lost_is_found_by_name_not_made_twice() {
        // The first create reached the daemon but its answer was lost (a timeout): the second
        // attempt looks the object up first and adopts it.
        let script: Script = RefCell::new(VecDeque::from([None]));
        let (sent, looked) = (Cell::new(0), Cell::new(0));
        let find = || {
            looked.set(looked.get() + 1);
            async { Ok(Some("made-by-attempt-1")) }
        };
        let r = create(&policy(), "creating service web", || play(&script, &sent), Some(find)).await;
        assert_eq!(r.unwrap(), "made-by-attempt-1");
        assert_eq!((sent.get(), looked.get()), (1, 1));

        // Not there yet: created again; a name conflict then means the first one landed late.
        let script: Script = RefCell::new(VecDeque::from([
            Some(Err(answer(502, "bad gateway"))),
            Some(Err(answer(409, "name conflicts with an existing object"))),
        ]));
        let (sent, looked) = (Cell::new(0), Cell::new(0));
        let find = || {
            looked.set(looked.get() + 1);
            let n = looked.get();
            async move { Ok((n > 1).then_some("late")) }
        };
        let r = create(&policy(), "creating network net", || play(&script, &sent), Some(find)).await;
        assert_eq!(r.unwrap(), "late");
        assert_eq!((sent.get(), looked.get()), (2, 2));

        // A conflict before anything was sent is the user's: reported, not adopted.
        let script: Script = RefCell::new(VecDeque::from([Some(Err(answer(409, "name conflicts")))]));
        let sent = Cell::new(0);
        let find = || async { Ok(Some("someone else's")) };
        let e = create(&policy(), "creating secret s", || play(&script, &sent), Some(find)).await.unwrap_err();
        assert_eq!(e.fault.status(), Some(409));
    }

    #[tokio::test(start_paused = true)]
    async fn a_create_without_a_name_is_not_repeated_once_it_may_have_reached_the_daemon() {
        let script: Script = RefCell::new(VecDeque::from([Some(Err(answer(500, "boom")))]));
        let sent = Cell::new(0);
        type Find = fn() -> std::future::Ready<Result<Option<&'static str>, DockerError>>;
        let no_name: Option<Find> = None;
        let e = create(&policy(), "creating volume (unnamed)", || play(&script, &sent), no_name).await.unwrap_err();
        assert_eq!((sent.get(), e.attempts), (1, 1));
    }

    #[test]
    fn the_error_names_the_call_the_cause_and_the_tries() {
        let e = CallError {
            doing: "creating service web".into(),
            fault: Fault::Daemon(answer(503, "injected")),
            attempts: 4,
            elapsed: Duration::from_millis(2345),
            host: "tcp://127.0.0.1:2375".into(),
        };
        assert_eq!(
            ProviderError::from(e).message,
            "creating service web: injected (HTTP 503); gave up after 4 attempts in 2.3 s"
        );
        let e = CallError {
            doing: "listing tasks".into(),
            fault: Fault::Timeout(Duration::from_secs(2)),
            attempts: 1,
            elapsed: Duration::from_secs(2),
            host: "tcp://127.0.0.1:2375".into(),
        };
        assert_eq!(
            ProviderError::from(e).message,
            "listing tasks: no answer from the Docker daemon within 2s (Docker host tcp://127.0.0.1:2375)"
        );
    }

    #[test]
    fn a_conflict_on_the_first_attempt_is_someone_elses_object() {
        let conflict = |attempts| CallError {
            doing: "creating secret db".into(),
            fault: Fault::Daemon(answer(409, "name conflicts with an existing object")),
            attempts,
            elapsed: Duration::from_millis(10),
            host: String::new(),
        };
        assert!(ProviderError::from(conflict(1)).already_exists);
        // After a lost attempt, the object may be that attempt's.
        assert!(!ProviderError::from(conflict(2)).already_exists);
        let other = CallError { fault: Fault::Daemon(answer(500, "boom")), ..conflict(1) };
        assert!(!ProviderError::from(other).already_exists);
    }
}
