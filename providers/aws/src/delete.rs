//! Deleting an object that other objects may still hold for a while (a subnet with
//! interfaces in it, a target group a listener let go of a moment ago): the delete is sent
//! again while AWS answers that the object is in use, until the time allowed runs out. An
//! object already gone counts as deleted. And waiting, after a delete was accepted, for the
//! object to be gone.

use crate::errors::{code, is_not_found, sdk_error};
use crate::resource::Result;
use crate::waiter::{Poll, wait_for};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::future::Future;
use std::time::Duration;

/// Sends a delete (`send`) until it is accepted or says the object is gone, waiting while
/// `in_use` gives the status of a refusal that means "still in use"; any other error fails
/// with `doing` (`deleting subnet subnet-1`). `waiting` is what the wait is for (`subnet
/// subnet-1 to be deleted`), for the timeout's message.
pub async fn retry_while_in_use<O, E, R, Fut>(
    waiting: &str,
    limit: Duration,
    doing: &str,
    in_use: impl Fn(&SdkError<E, R>) -> Option<String>,
    mut send: impl FnMut() -> Fut,
) -> Result<()>
where
    Fut: Future<Output = std::result::Result<O, SdkError<E, R>>>,
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let in_use = &in_use;
    wait_for(waiting, limit, || {
        let sent = send();
        async move {
            match sent.await {
                Ok(_) => Ok(Poll::Done(())),
                Err(e) if is_not_found(&e) => Ok(Poll::Done(())),
                Err(e) => match in_use(&e) {
                    Some(status) => Ok(Poll::Pending(status)),
                    None => Err(sdk_error(doing, e)),
                },
            }
        }
    })
    .await
}

/// The status of an EC2 call refused with `DependencyViolation` (other objects still use
/// the one being deleted or detached).
pub fn dependency_violation<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> Option<String> {
    (code(e) == Some("DependencyViolation")).then(|| "in use (DependencyViolation)".to_string())
}

/// Waits for a deleted object to be gone: polls `status` (the object's status, `None` once
/// it is gone) until it is, or `limit` passes. `waiting` is what the wait is for (`RDS DB
/// instance db-1 to be deleted`), for the timeout's message.
pub async fn wait_gone<Fut>(waiting: &str, limit: Duration, mut status: impl FnMut() -> Fut) -> Result<()>
where
    Fut: Future<Output = Result<Option<String>>>,
{
    wait_for(waiting, limit, || {
        let status = status();
        async move {
            Ok(match status.await? {
                None => Poll::Done(()),
                Some(s) => Poll::Pending(s),
            })
        }
    })
    .await
}
