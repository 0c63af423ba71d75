//! The retry and timeout policy of every API client, and what a call that failed anyway
//! reports: which API operation it was and how many attempts were made.
//!
//! Policy (the SDK's standard retry mode, configured rather than rewritten):
//! - Throttling (`Throttling`, `ThrottlingException`, `RequestLimitExceeded`, `SlowDown`, ...),
//!   HTTP 500/502/503/504, timed-out attempts and failed or dropped connections are retried.
//! - `max_retries` is the number of attempts in all, as in the Terraform provider (default 25;
//!   the S3 backend's default is 5).
//! - Between attempts: exponential backoff with full jitter, a random delay in
//!   `[0, min(1 s × 2^(n-1), 20 s)]` (or the server's `Retry-After`, capped at 20 s).
//! - No client-side retry quota: the SDK's default token bucket stops retrying, for every call
//!   to the service, after about a hundred retries within the process, which a refresh of a
//!   few hundred objects during throttling spends in seconds ("retry quota exceeded", a known
//!   failure of Terraform's provider). `max_retries`, the backoff and the timeouts bound each
//!   call instead.
//! - Connecting may take 10 s, one attempt 60 s, a whole call with its retries 10 min
//!   ([`crate::timings::Timings`]), so a hung endpoint cannot hang a run.

use aws_smithy_runtime::client::retries::{RetryPartition, TokenBucket};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::FinalizerInterceptorContextMut;
use aws_smithy_runtime_api::client::orchestrator::{Metadata, OrchestratorError};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use std::time::Duration;

pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The response header that carries a failed call's [`CallInfo`] into its error.
const HEADER: &str = "x-terrane-call";

pub fn timeout_config(t: &crate::timings::Timings) -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(t.attempt_timeout)
        .operation_timeout(t.operation_timeout)
        .build()
}

/// A retry partition for one service's client without the client-side retry quota.
pub fn partition(service: &'static str) -> RetryPartition {
    RetryPartition::custom(service).token_bucket(TokenBucket::unlimited()).build()
}

/// Which API operation a failed call was (`EC2 CreateSecurityGroup`), how many attempts were
/// made and how many were allowed.
#[derive(Clone, Debug, PartialEq)]
pub struct CallInfo {
    pub operation: String,
    pub attempts: u32,
    pub max_attempts: u32,
}

impl CallInfo {
    fn parse(s: &str) -> Option<CallInfo> {
        let (rest, max) = s.rsplit_once("; max=")?;
        let (operation, attempts) = rest.rsplit_once("; attempts=")?;
        Some(CallInfo {
            operation: operation.to_string(),
            attempts: attempts.parse().ok()?,
            max_attempts: max.parse().ok()?,
        })
    }

    /// For the end of a message: ` (EC2 CreateSecurityGroup, gave up after 3 attempts)` when
    /// the retries ran out, ` (EC2 CreateSecurityGroup, failed on attempt 2 of 25)` when a
    /// retry met an error not worth retrying (the object a lost first attempt made, say).
    pub fn suffix(&self) -> String {
        match self.attempts {
            0 | 1 => format!(" ({})", self.operation),
            n if n >= self.max_attempts => format!(" ({}, gave up after {n} attempts)", self.operation),
            n => format!(" ({}, failed on attempt {n} of {})", self.operation, self.max_attempts),
        }
    }
}

impl std::fmt::Display for CallInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}; attempts={}; max={}", self.operation, self.attempts, self.max_attempts)
    }
}

/// A failure without a response (a timeout, a dropped connection), wrapped with its [`CallInfo`].
#[derive(Debug)]
pub struct GaveUp {
    pub info: CallInfo,
    source: BoxError,
}

impl std::fmt::Display for GaveUp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}, attempt {} of {}", self.info.operation, self.info.attempts, self.info.max_attempts)
    }
}

impl std::error::Error for GaveUp {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.source.as_ref())
    }
}

/// Records, on a call that failed after its retries, which operation it was and how many
/// attempts it made: in a response header when the service answered, else around the error.
#[derive(Debug)]
pub struct CallReport;

impl Intercept for CallReport {
    fn name(&self) -> &'static str {
        "terrane-call-report"
    }

    fn modify_before_completion(
        &self,
        context: &mut FinalizerInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if !matches!(context.output_or_error(), Some(Err(_))) {
            return Ok(());
        }
        let info = CallInfo {
            operation: cfg
                .load::<Metadata>()
                .map(|m| format!("{} {}", m.service(), m.name()))
                .unwrap_or_else(|| "AWS API call".into()),
            attempts: cfg.load::<RequestAttempts>().map_or(1, RequestAttempts::attempts),
            max_attempts: cfg.load::<RetryConfig>().map_or(1, RetryConfig::max_attempts),
        };
        if let Some(response) = context.response_mut() {
            response.headers_mut().insert(HEADER, info.to_string());
            return Ok(());
        }
        let Some(slot) = context.output_or_error_mut() else { return Ok(()) };
        let wrap = matches!(&*slot, Err(e) if e.is_timeout_error() || e.is_connector_error());
        if !wrap {
            return Ok(());
        }
        let Err(old) = std::mem::replace(slot, Err(OrchestratorError::other("replaced"))) else {
            return Ok(());
        };
        let kind = old.as_connector_error().map(|c| (c.is_io(), c.is_timeout(), c.is_user(), c.as_other()));
        let gave_up: BoxError = Box::new(GaveUp { info, source: Box::new(old) });
        *slot = Err(match kind {
            Some((true, ..)) => OrchestratorError::connector(ConnectorError::io(gave_up)),
            Some((_, true, ..)) => OrchestratorError::connector(ConnectorError::timeout(gave_up)),
            Some((_, _, true, _)) => OrchestratorError::connector(ConnectorError::user(gave_up)),
            Some((.., other)) => OrchestratorError::connector(ConnectorError::other(gave_up, other)),
            None => OrchestratorError::timeout(gave_up),
        });
        Ok(())
    }
}

/// The [`CallInfo`] of a failed call: from the response the interceptor marked, or from the
/// error chain.
pub fn call_info(
    response: Option<&aws_smithy_runtime_api::http::Response>,
    error: &(dyn std::error::Error + 'static),
) -> Option<CallInfo> {
    if let Some(info) = response.and_then(|r| r.headers().get(HEADER)).and_then(CallInfo::parse) {
        return Some(info);
    }
    let mut e: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(err) = e {
        if let Some(g) = err.downcast_ref::<GaveUp>() {
            return Some(g.info.clone());
        }
        e = err.source();
    }
    None
}

/// The innermost cause of an error (`Connection refused (os error 111)`).
pub fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut e = error;
    while let Some(next) = e.source() {
        e = next;
    }
    e.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_info_round_trips_through_the_header() {
        let info = CallInfo { operation: "EC2 CreateSecurityGroup".into(), attempts: 3, max_attempts: 3 };
        assert_eq!(CallInfo::parse(&info.to_string()), Some(info.clone()));
        assert_eq!(info.suffix(), " (EC2 CreateSecurityGroup, gave up after 3 attempts)");
        let retried = CallInfo { attempts: 2, max_attempts: 25, ..info.clone() };
        assert_eq!(retried.suffix(), " (EC2 CreateSecurityGroup, failed on attempt 2 of 25)");
        assert_eq!(CallInfo { attempts: 1, ..info }.suffix(), " (EC2 CreateSecurityGroup)");
    }

    #[test]
    fn gave_up_is_found_in_an_error_chain() {
        let info = CallInfo { operation: "S3 PutObject".into(), attempts: 2, max_attempts: 2 };
        let inner: BoxError = "connection closed before message completed".into();
        let e = GaveUp { info: info.clone(), source: inner };
        let outer = ConnectorError::io(Box::new(e));
        assert_eq!(call_info(None, &outer), Some(info));
        assert_eq!(root_cause(&outer), "connection closed before message completed");
    }
}
