//! Provider configurations: evaluated and configured the same way in plan and apply; what
//! follows (the plan's refresh) is the operation's. The validate walk only decodes them.

use super::Walk;
use crate::context::Context;
use crate::diag::Diagnostic;
use crate::eval::decode_body;
use crate::graph::Permits;
use crate::provider::Provider;
use crate::run::RunScope;
use std::sync::Arc;

/// Configures provider `key`: the provider, or `None` when that failed (reported).
pub(super) async fn visit(w: &Walk<'_>, key: &str) -> Option<Arc<dyn Provider>> {
    let Some(p) = w.provider_instance(key) else {
        w.error(w.ctx.error_unknown_provider(key));
        return None;
    };
    let root = w.root();
    let scope = w.scope(&root, None, None);
    configure(w.ctx, key, p.as_ref(), &scope, &w.permits, &mut |d| w.error(d)).await.then_some(p)
}

/// The validate walk: the configuration decoded against the provider's schema (it is not
/// configured).
pub(super) fn validating(w: &Walk<'_>, key: &str) -> bool {
    let (Some(p), Some(schema)) = (w.ctx.config.providers.get(key), w.ctx.provider_schema(key)) else { return true };
    let decode = |ev: &mut crate::eval::Evaluator<'_>| decode_body(ev, &p.body, &schema.provider, &p.range).1;
    if let Some(d) = w.in_module(&[], crate::run::Repetition::None, None, decode) {
        w.error(d);
    }
    true
}

/// Evaluates a provider's configuration and configures it.
async fn configure(
    ctx: &Context,
    key: &str,
    p: &dyn Provider,
    scope: &RunScope<'_>,
    permits: &Permits,
    report: &mut dyn FnMut(Diagnostic),
) -> bool {
    let schema = &p.schema().provider;
    let (config, diags) = match ctx.config.providers.get(key) {
        Some(block) => {
            let mut ev = scope.evaluator();
            decode_body(&mut ev, &block.body, schema, &block.range)
        }
        None => {
            let mut ev = scope.evaluator();
            let range = crate::diag::SourceRange::new(0, 0..0);
            decode_body(&mut ev, &crate::config::BlockBody::empty(), schema, &range)
        }
    };
    let bad = diags.has_errors();
    for d in diags {
        report(d);
    }
    if bad {
        return false;
    }
    let Some(_permit) = permits.acquire().await else { return false };
    match p.configure(config).await {
        Ok(()) => true,
        Err(e) => {
            let range = ctx.config.providers.get(key).map(|b| b.range.clone());
            report(Diagnostic::error(format!("Failed to configure provider \"{key}\""), e.message).at(range));
            false
        }
    }
}
