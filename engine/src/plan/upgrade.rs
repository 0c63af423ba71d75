//! State upgrades, as Terraform's `UpgradeResourceState`: before anything reads a recorded
//! managed object, one stored with an older `schema_version` than its type's schema declares
//! is handed to its provider, which rewrites it in the current shape. One stored with a newer
//! version stops the plan ("Resource instance managed by newer provider version"): an older
//! provider cannot know what it means, and guessing could plan destroying it.
//!
//! Objects at their schema's version are left alone, so a state with nothing to upgrade costs
//! one comparison per object.

use crate::context::Context;
use crate::diag::{Diagnostic, Diagnostics};
use crate::graph::state_provider_key;
use crate::state::{Attributes, ObjectState, State};

/// Upgrades every recorded managed object of `state` stored with an older schema version.
pub(crate) async fn upgrade_objects(ctx: &Context, state: &mut State) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for (addr, rs) in state.resources.iter_mut() {
        if addr.mode != crate::addr::Mode::Managed {
            continue; // Terraform upgrades managed objects only: data sources are read again.
        }
        let key = state_provider_key(&rs.provider, &addr.type_name);
        let (Some(provider), Some(schema)) = (ctx.providers.get(&key), ctx.resource_schema(&key, addr)) else {
            continue; // reported when the graph is built
        };
        for (k, inst) in rs.instances.iter_mut() {
            let objects = inst.current.iter_mut().chain(inst.deposed.values_mut());
            for obj in objects.filter(|o| o.schema_version != schema.version) {
                let at = addr.instance(k.clone());
                if obj.schema_version > schema.version {
                    diags.push(Diagnostic::error(
                        "Resource instance managed by newer provider version",
                        format!(
                            "The current state of {at} was created by a newer provider version than is currently selected. Upgrade the {} provider to work with this state.",
                            crate::config::implied_provider(&addr.type_name)
                        ),
                    ));
                    continue;
                }
                match provider.upgrade_state(&addr.type_name, obj.schema_version, obj.attributes.to_json()).await {
                    Ok(upgraded) => upgrade(obj, &upgraded, schema.version),
                    Err(e) => diags.push(Diagnostic::error(
                        "Failed to upgrade the recorded state",
                        format!(
                            "The state of {at} was recorded with schema version {} of {}; the provider could not upgrade it to version {}: {}",
                            obj.schema_version, addr.type_name, schema.version, e.message
                        ),
                    )),
                }
            }
        }
    }
    diags
}

fn upgrade(obj: &mut ObjectState, upgraded: &serde_json::Value, version: u64) {
    obj.attributes = Attributes::from_json(upgraded);
    obj.schema_version = version;
}
