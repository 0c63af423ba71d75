//! Counts every HTTP request the provider sends, by operation (`EC2.DescribeInstances`), so
//! tests and benchmarks can check that refresh is batched.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use std::collections::BTreeMap;
use std::sync::Mutex;

static CALLS: Mutex<BTreeMap<String, u64>> = Mutex::new(BTreeMap::new());

/// Requests sent so far in this process, by operation (retries included).
pub fn api_calls() -> BTreeMap<String, u64> {
    CALLS.lock().map(|c| c.clone()).unwrap_or_default()
}

/// Forgets the counts.
pub fn reset_api_calls() {
    if let Ok(mut c) = CALLS.lock() {
        c.clear();
    }
}

#[derive(Debug)]
pub struct CallCounter;

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "terrane-call-counter"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let op =
            cfg.load::<Metadata>().map(|m| format!("{}.{}", m.service(), m.name())).unwrap_or_else(|| "unknown".into());
        if let Ok(mut c) = CALLS.lock() {
            *c.entry(op).or_default() += 1;
        }
        Ok(())
    }
}
