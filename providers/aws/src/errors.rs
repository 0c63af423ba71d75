//! API errors as users should read them, on one line: what was being done (naming the
//! resource), the service's code and message or the transport's cause, and the API operation
//! with the attempts made (`creating security group web: Throttling: Rate exceeded (EC2
//! CreateSecurityGroup, gave up after 25 attempts)`).

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use terrane_engine::provider::ProviderError;

/// A failed call, described with what was being done (`creating VPC`).
pub fn sdk_error<E, R>(doing: &str, e: SdkError<E, R>) -> ProviderError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    taken_if(conflict_on_first_attempt(&e), ProviderError::new(describe(doing, &e)))
}

/// `err`, marked [`ProviderError::already_exists`] when `taken`.
pub fn taken_if(taken: bool, err: ProviderError) -> ProviderError {
    if taken { err.already_exists() } else { err }
}

/// The error codes by which AWS refuses a create because the name or key is taken.
const ALREADY_EXISTS: &[&str] = &[
    "AlreadyExistsException",
    "BucketAlreadyExists",
    "BucketAlreadyOwnedByYou",
    "CacheClusterAlreadyExists",
    "CacheParameterGroupAlreadyExists",
    "CacheSubnetGroupAlreadyExists",
    "DBInstanceAlreadyExists",
    "DBParameterGroupAlreadyExists",
    "DBSubnetGroupAlreadyExists",
    "DuplicateListener",
    "DuplicateLoadBalancerName",
    "DuplicateTargetGroupName",
    "EntityAlreadyExists",
    "InvalidGroup.Duplicate",
    "InvalidKeyPair.Duplicate",
    "InvalidPermission.Duplicate",
    "ReplicationGroupAlreadyExists",
    "Resource.AlreadyAssociated",
    "ResourceAlreadyExistsException",
    "RouteAlreadyExists",
];

/// A create refused on its first attempt because the name or key is taken: by someone else's
/// object, since no earlier attempt of this create could have made it. (On a later attempt the
/// conflict may be with what an attempt whose answer was lost made.)
pub fn conflict_on_first_attempt<E, R>(e: &SdkError<E, R>) -> bool
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let SdkError::ServiceError(se) = e else { return false };
    if !se.err().code().is_some_and(|c| ALREADY_EXISTS.contains(&c)) {
        return false;
    }
    let response = (se.raw() as &dyn std::any::Any).downcast_ref::<aws_smithy_runtime_api::http::Response>();
    crate::retries::call_info(response, e).is_some_and(|i| i.attempts == 1)
}

pub fn describe<E, R>(doing: &str, e: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    use crate::retries::{call_info, root_cause};
    fn raw<R: 'static>(r: &R) -> Option<&aws_smithy_runtime_api::http::Response> {
        (r as &dyn std::any::Any).downcast_ref()
    }
    let info = match e {
        SdkError::ServiceError(se) => call_info(raw(se.raw()), e),
        SdkError::ResponseError(re) => call_info(raw(re.raw()), e),
        _ => call_info(None, e),
    };
    let suffix = info.map(|i| i.suffix()).unwrap_or_default();
    match e {
        SdkError::ServiceError(se) => {
            let err = se.err();
            let status = raw(se.raw()).map(|r| r.status().as_u16());
            let code = match (err.code(), status) {
                (Some(c), _) => c.to_string(),
                (None, Some(s)) => format!("HTTP {s} without an error code"),
                (None, None) => "Unknown".to_string(),
            };
            match err.message().filter(|m| !m.is_empty()) {
                Some(msg) => format!("{doing}: {code}: {msg}{suffix}"),
                None => format!("{doing}: {code}{suffix}"),
            }
        }
        SdkError::TimeoutError(_) => {
            let context = aws_smithy_types::error::display::DisplayErrorContext(e).to_string();
            let what = if context.contains("operation attempt timeout") {
                format!(
                    "no answer within {} (the time one attempt may take)",
                    humantime::format_duration(crate::timings::current().attempt_timeout)
                )
            } else if context.contains("operation timeout") {
                format!(
                    "no answer within {} (the time a call may take with its retries)",
                    humantime::format_duration(crate::timings::current().operation_timeout)
                )
            } else {
                "the request timed out".to_string()
            };
            format!("{doing}: {what}{suffix}")
        }
        SdkError::DispatchFailure(d) => {
            let context = aws_smithy_types::error::display::DisplayErrorContext(e).to_string();
            if context.contains("loading credentials") || context.contains("credentials provider") {
                return format!(
                    "{doing}: no valid AWS credentials were found (tried the environment, the shared config and credentials files, SSO, the container and the instance metadata service)"
                );
            }
            let why = if d.is_timeout() {
                "connecting timed out"
            } else if d.is_user() {
                "the request could not be sent"
            } else {
                // I/O errors, and connections closed before the answer came.
                "the connection failed"
            };
            format!("{doing}: {why}: {}{suffix}", root_cause(e))
        }
        other => format!("{doing}: {}{suffix}", aws_smithy_types::error::display::DisplayErrorContext(other)),
    }
}

/// The service error code of a failed call, if the service answered.
pub fn code<E, R>(e: &SdkError<E, R>) -> Option<&str>
where
    E: ProvideErrorMetadata,
{
    match e {
        SdkError::ServiceError(se) => se.err().code(),
        _ => None,
    }
}

/// Whether a failed call says the object does not exist.
pub fn is_not_found<E, R>(e: &SdkError<E, R>) -> bool
where
    E: ProvideErrorMetadata,
{
    code(e).is_some_and(|c| {
        c.ends_with(".NotFound")
            || c.ends_with("NotFound")
            || c.ends_with("NotFoundFault")
            || c == "NoSuchEntity"
            || c == "ResourceNotFoundException"
            || c == "InvalidGroup.NotFound"
    })
}
