//! Reading many objects at once, as every resource type's `read_many` does: one call each
//! for a few objects or one paged listing for many, describing by ID (or ARN) in pages, telling
//! "gone" apart from other failures, and the result of a batch whose read failed.

use crate::errors::{is_not_found, sdk_error};
use crate::resource::{Result, chunks};
use aws_smithy_async::future::pagination_stream::PaginationStream;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::stream::{self, StreamExt};
use std::collections::HashMap;
use std::future::Future;
use terrane_engine::provider::ProviderError;
use terrane_engine::value::Value;

/// Up to this many objects are read with one Describe call each; more are read with one
/// paged listing of everything (these APIs cannot filter on many names at once).
pub const FEW: usize = 3;

/// The page size of RDS and ElastiCache listings.
pub const PAGE: i32 = 100;

/// Concurrent per-object calls (tags) while reading a batch.
pub const CONCURRENCY: usize = 8;

/// Runs futures with at most [`CONCURRENCY`] at a time, keeping their order.
pub async fn bounded<T, F: std::future::Future<Output = T>>(futures: Vec<F>) -> Vec<T> {
    stream::iter(futures).buffered(CONCURRENCY).collect().await
}

/// The same error for every object of a batch whose read failed.
pub fn all_failed(n: usize, e: &ProviderError) -> Vec<Result<Option<Value>>> {
    (0..n).map(|_| Err(e.clone())).collect()
}

/// The objects with these keys (lowercase names or IDs), by key (`key`): for up to [`FEW`]
/// keys, one call each (`one`, `None` for an object that is gone); for more, the `listing`
/// of every object (a paginator's items, sent only when read), read until each key is found.
/// `doing` names the listing in its error (`listing DB subnet groups`).
pub async fn few_or_listing<'a, T, E, R, One, Fut>(
    keys: &'a [String],
    key: impl Fn(&T) -> String,
    one: One,
    mut listing: PaginationStream<std::result::Result<T, SdkError<E, R>>>,
    doing: &str,
) -> Result<HashMap<String, T>>
where
    One: Fn(&'a str) -> Fut,
    Fut: Future<Output = Result<Option<T>>>,
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let mut found = HashMap::new();
    if keys.len() <= FEW {
        for t in bounded(keys.iter().map(|k| one(k)).collect()).await {
            if let Some(t) = t? {
                found.insert(key(&t), t);
            }
        }
        return Ok(found);
    }
    while let Some(t) = listing.try_next().await.map_err(|e| ProviderError::new(crate::errors::describe(doing, &e)))? {
        let k = key(&t);
        if keys.contains(&k) {
            found.insert(k, t);
            // Stopping within a page sends no more calls than stopping after it.
            if found.len() == keys.len() {
                break;
            }
        }
    }
    Ok(found)
}

/// A failed call as (does it say the object is gone, the error).
pub fn split_err<E, R>(doing: &str, e: SdkError<E, R>) -> (bool, ProviderError)
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    (is_not_found(&e), sdk_error(doing, e))
}

/// Describes objects by ARN, `page` at a time. AWS fails a whole call when one ARN is gone, so
/// such a page is described again one ARN at a time, skipping the ones that are gone.
pub async fn describe_by_arn<T, F, Fut>(arns: &[String], page: usize, describe: F) -> Result<Vec<T>>
where
    F: Fn(Vec<String>) -> Fut,
    Fut: Future<Output = std::result::Result<Vec<T>, (bool, ProviderError)>>,
{
    let mut out = Vec::new();
    for chunk in chunks(arns, page) {
        match describe(chunk.clone()).await {
            Ok(items) => out.extend(items),
            Err((true, _)) if chunk.len() == 1 => {}
            Err((true, _)) => {
                for arn in chunk {
                    match describe(vec![arn]).await {
                        Ok(items) => out.extend(items),
                        Err((true, _)) => {}
                        Err((false, e)) => return Err(e),
                    }
                }
            }
            Err((false, e)) => return Err(e),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::elbv2::PAGE;

    #[tokio::test]
    async fn describes_in_pages_and_skips_what_is_gone() {
        use std::sync::Mutex;
        let arns: Vec<String> = (0..45).map(|i| format!("arn-{i}")).collect();
        let calls = Mutex::new(Vec::new());
        let found = describe_by_arn(&arns, PAGE, |page: Vec<String>| {
            calls.lock().unwrap().push(page.len());
            async move {
                // arn-7 is gone: AWS fails any call that names it.
                if page.iter().any(|a| a == "arn-7") {
                    return Err((true, ProviderError::new("LoadBalancerNotFound")));
                }
                Ok(page)
            }
        })
        .await
        .unwrap();
        assert_eq!(found.len(), 44);
        assert!(!found.contains(&"arn-7".to_string()));
        // Three pages (20, 20, 5); the first, naming arn-7, again one ARN at a time.
        let calls = calls.into_inner().unwrap();
        assert_eq!(calls.len(), 3 + 20, "{calls:?}");
        assert_eq!(&calls[..2], &[20, 1]);
        let failing = describe_by_arn(&arns, PAGE, |_page: Vec<String>| async {
            Err::<Vec<String>, _>((false, ProviderError::new("throttled")))
        })
        .await;
        assert_eq!(failing.unwrap_err().message, "throttled");
    }
}
