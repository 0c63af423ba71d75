//! Plans as terraform-plugin-framework makes them, for the providers of this crate written
//! with it (random, time). It differs from the engine's default plan (the plugin SDK's) in
//! three ways that change what a plan shows: a `Default` applies whenever the configuration
//! leaves the attribute out (also on update, so removing `special = false` plans `true` and
//! replaces); an empty list or map stays empty (the SDK reads it as null); and a computed
//! attribute without `UseStateForUnknown` becomes unknown when anything else changes.

use crate::kit::Result;
use std::collections::BTreeMap;
use terrane_engine::plan::diff::same;
use terrane_engine::provider::{PlanRequest, PlanResponse};
use terrane_engine::schema::Schema;
use terrane_engine::value::{PathStep, Value};

pub type Attrs = BTreeMap<String, Value>;

/// A `RequiresReplaceIf`: attribute name, prior, configured and planned values.
pub type ReplaceIf = dyn Fn(&str, &Value, &Value, &Value) -> Option<bool> + Sync;

/// Plan modifiers: the planned attributes, the prior object and the configuration.
pub type Modify = dyn Fn(&mut Attrs, Option<&Value>, &Value) -> Result<()> + Sync;

/// What a resource type adds to the framework's plan.
#[derive(Default)]
pub struct Rules<'a> {
    /// Computed attributes with `UseStateForUnknown`: an update keeps their prior value.
    pub keep: &'a [&'a str],
    /// A `RequiresReplaceIf` of an attribute: `Some(replace)` decides for attribute `name`
    /// given its prior, configured and planned values; `None` leaves it to the plain
    /// `RequiresReplace` of a `force_new` attribute (planned differs from prior).
    pub replace_if: Option<&'a ReplaceIf>,
    /// Attribute plan modifiers and `ModifyPlan`: adjusts the planned attributes, given the
    /// prior object (`None` on create) and the configuration.
    pub modify: Option<&'a Modify>,
}

fn attr(v: Option<&Value>, name: &str) -> Value {
    v.and_then(|v| v.unmarked().get_attr(name)).cloned().unwrap_or(Value::NULL)
}

/// The planned attributes of a create (`prior` `None`) or an update.
fn proposed(schema: &Schema, prior: Option<&Value>, config: &Value, rules: &Rules<'_>) -> Result<Attrs> {
    let mut out = Attrs::new();
    for (name, a) in &schema.attributes {
        let c = attr(Some(config), name);
        let v = if !c.is_null() {
            c
        } else if let Some(d) = &a.default {
            d.clone()
        } else if a.computed {
            match prior {
                Some(p) => attr(Some(p), name),
                None => Value::unknown(a.ty.clone()),
            }
        } else {
            Value::null(a.ty.clone())
        };
        out.insert(name.clone(), v.conform(&a.ty));
    }
    if let Some(prior) = prior {
        // The framework marks computed attributes unknown when the plan changes anything,
        // unless they keep their state or have a default (applied before).
        let changed = out.iter().any(|(name, v)| differs(&attr(Some(prior), name), v));
        if changed {
            for (name, a) in &schema.attributes {
                let kept = a.default.is_some() || rules.keep.contains(&name.as_str());
                if a.computed && attr(Some(config), name).is_null() && !kept {
                    out.insert(name.clone(), Value::unknown(a.ty.clone()));
                }
            }
        }
    }
    if let Some(modify) = rules.modify {
        modify(&mut out, prior, config)?;
    }
    Ok(out)
}

/// Whether a planned value differs from the prior one (`same` says an unknown differs
/// from everything; a null equals a null of any type here).
pub fn differs(prior: &Value, planned: &Value) -> bool {
    !(same(prior, planned) || (prior.is_null() && planned.is_null()))
}

/// The framework's plan of `req`, with `rules`.
pub fn plan(req: &PlanRequest<'_>, rules: &Rules<'_>) -> Result<PlanResponse> {
    let schema = &req.schema.block;
    let prior = req.prior.filter(|p| !p.is_null());
    let (config, marks) = req.config.clone().unmark();
    let config = &config;
    let object = |planned: Attrs| Value::object_from_map(planned).conform(&schema.value_type()).with_marks(marks);
    if !config.is_known() {
        // A configuration not known yet (an unknown `for_each` element): so is the object.
        return Ok(PlanResponse::new(Value::unknown(schema.value_type()).with_marks(marks), Vec::new()));
    }
    let planned = proposed(schema, prior, config, rules)?;
    let mut replace = Vec::new();
    if let Some(prior) = prior {
        for (name, a) in &schema.attributes {
            let (p, c, v) = (attr(Some(prior), name), attr(Some(config), name), planned[name].clone());
            let decided = rules.replace_if.and_then(|f| f(name, &p, &c, &v));
            let replaces = match decided {
                Some(r) => r,
                None => a.force_new && differs(&p, &v),
            };
            if replaces {
                replace.push(vec![PathStep::Attr(name.clone())]);
            }
        }
    }
    if replace.is_empty() {
        return Ok(PlanResponse::new(object(planned), replace));
    }
    // A replacement is planned as a create.
    let planned = proposed(schema, None, config, rules)?;
    Ok(PlanResponse::new(object(planned), replace))
}
