//! Counts every HTTP request a provider sends, by operation (`EC2.DescribeInstances`), so
//! tests and benchmarks can check that refresh is batched. The counts belong to the provider
//! (or to whoever handed the provider its [`ApiCalls`]), not to the process: tests running
//! side by side each count their own.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Requests sent, by operation (retries included); clones share the counts.
#[derive(Clone, Debug, Default)]
pub struct ApiCalls(Arc<Mutex<BTreeMap<String, u64>>>);

impl ApiCalls {
    /// The counts so far.
    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        self.0.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// Forgets the counts.
    pub fn reset(&self) {
        if let Ok(mut c) = self.0.lock() {
            c.clear();
        }
    }
}

/// The interceptor counting a client's requests into its [`ApiCalls`].
#[derive(Debug)]
pub struct CallCounter(pub ApiCalls);

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
        if let Ok(mut c) = self.0.0.lock() {
            *c.entry(op).or_default() += 1;
        }
        Ok(())
    }
}
