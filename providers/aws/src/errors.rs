//! API errors as users should read them: the operation, the service's code and message.

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use terrane_engine::provider::ProviderError;

/// A failed call, described with what was being done (`creating VPC`).
pub fn sdk_error<E, R>(doing: &str, e: SdkError<E, R>) -> ProviderError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    ProviderError::new(describe(doing, &e))
}

pub fn describe<E, R>(doing: &str, e: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match e {
        SdkError::ServiceError(se) => {
            let err = se.err();
            let code = err.code().unwrap_or("Unknown");
            let msg = err.message().unwrap_or("");
            format!("{doing}: {code}: {msg}")
        }
        SdkError::TimeoutError(_) => format!("{doing}: the request timed out"),
        SdkError::DispatchFailure(d) => {
            let context = aws_smithy_types::error::display::DisplayErrorContext(e).to_string();
            if context.contains("loading credentials") || context.contains("credentials provider") {
                return format!(
                    "{doing}: no valid AWS credentials were found (tried the environment, the shared config and credentials files, SSO, the container and the instance metadata service)"
                );
            }
            let why = if d.is_io() {
                "could not connect"
            } else if d.is_timeout() {
                "connection timed out"
            } else {
                "the request could not be sent"
            };
            format!("{doing}: {why} ({})", aws_smithy_types::error::display::DisplayErrorContext(e))
        }
        other => format!("{doing}: {}", aws_smithy_types::error::display::DisplayErrorContext(other)),
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
