//! Plans and states as machine-readable JSON, in Terraform's documented formats
//! (`terraform show -json`): the plan representation (format `1.2`) and the state
//! representation (format `1.0`), for CI systems and policy tools written against Terraform.
//!
//! Both functions only present what the plan or state says; the [`Context`] gives the
//! configuration (for the `configuration` section and `relevant_attributes`) and the
//! providers' schemas (schema versions, sets, schema-sensitive attributes).
//!
//! # Deliberate differences from Terraform
//!
//! * **Sensitive values are masked.** Terraform's JSON prints sensitive values in clear text
//!   (resource attributes, outputs, variable values and defaults) and leaves it to consumers
//!   to hide them using `before_sensitive`/`after_sensitive`/`sensitive_values`. terrane prints
//!   `null` in their place, and marks the place in those same fields (`true`), so a plan
//!   file's JSON can be archived or posted by CI without leaking secrets. Variable values
//!   that are masked carry `"sensitive": true`. Configuration expressions of attributes the
//!   schema declares sensitive, and of sensitive outputs, have no `constant_value`.
//! * A `terrane_version` field is added beside `terraform_version`, which names the Terraform
//!   language version terrane implements (in the state representation too, where Terraform
//!   gives the version that last wrote the state).
//! * No-op changes carry their values (from the prior state), so `before == after` as in
//!   Terraform, although the saved plan keeps them only once.
//! * `resource_changes` and `output_changes` are always present (empty when there is
//!   nothing); Terraform omits them when empty. `resource_drift` and `relevant_attributes`
//!   are omitted when empty, as in Terraform. `checks` is not produced.
//! * Configuration expressions that call functions have no `constant_value`, as in
//!   Terraform; `count_expression`/`for_each_expression` are always given when the argument
//!   is set (Terraform drops them when they are neither constant nor referencing).
//!
//! Output is deterministic: object keys are sorted (serde_json without `preserve_order`),
//! resources are in Terraform's order (by module, data sources first, then type, name and
//! instance key).

use crate::addr::{InstanceAddr, InstanceKey, Mode, ModuleStep, ResourceAddr};
use crate::config::{BlockBody, Expr, LANGUAGE_VERSION};
use crate::context::Context;
use crate::eval::references::{self, Reference, Subject};
use crate::plan::{Action, OutputChange, Plan, ResourceChange};
use crate::schema::{Nesting, Schema};
use crate::state::{ObjectState, ObjectStatus, State, value_from_object};
use crate::value::{PathStep, Value, View};
use crate::walk::output_type;
use serde_json::{Map, Value as J, json};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// `format_version` of the plan representation.
pub const PLAN_FORMAT_VERSION: &str = "1.2";
/// `format_version` of the state representation.
pub const STATE_FORMAT_VERSION: &str = "1.0";

/// The plan in the shape of `terraform show -json PLANFILE`. See the module documentation
/// for what differs from Terraform (sensitive values are masked).
pub fn plan_json(plan: &Plan, ctx: &Context) -> J {
    let changes: Vec<ResourceChange> = sorted(plan.changes.iter().map(|c| filled(c, plan, ctx)).collect());
    let drift: Vec<ResourceChange> = sorted(plan.drift.iter().map(|c| filled(c, plan, ctx)).collect());
    let mut out = Map::new();
    out.insert("format_version".into(), PLAN_FORMAT_VERSION.into());
    out.insert("terraform_version".into(), LANGUAGE_VERSION.into());
    out.insert("terrane_version".into(), plan.terrane_version.clone().into());
    let variables = variables_json(plan, ctx);
    if !variables.is_empty() {
        out.insert("variables".into(), J::Object(variables));
    }
    out.insert("planned_values".into(), planned_values(&changes, &plan.outputs, ctx));
    let resource_changes: Vec<J> = changes
        .iter()
        .filter(|c| !(c.addr.resource.mode == Mode::Data && c.action == Action::Delete))
        .map(|c| change_json(c, Some(plan)))
        .collect();
    out.insert("resource_changes".into(), J::Array(resource_changes));
    if !drift.is_empty() {
        out.insert("resource_drift".into(), drift.iter().map(|c| change_json(c, None)).collect());
    }
    let relevant = relevant_attributes(&changes, &plan.outputs, ctx);
    if !relevant.is_empty() {
        out.insert("relevant_attributes".into(), J::Array(relevant));
    }
    out.insert(
        "output_changes".into(),
        J::Object(plan.outputs.iter().map(|o| (o.name.clone(), output_change_json(o))).collect()),
    );
    if !plan.prior_state.is_empty() {
        out.insert("prior_state".into(), state_json(&plan.prior_state, ctx));
    }
    out.insert("configuration".into(), configuration_json(ctx));
    if !plan.checks.is_empty() {
        out.insert("checks".into(), plan.checks.to_json());
    }
    out.insert("timestamp".into(), plan.created.clone().into());
    out.insert("applyable".into(), J::Bool(!plan.errored && plan.has_changes()));
    out.insert("complete".into(), J::Bool(!plan.errored && plan.targets.is_empty()));
    out.insert("errored".into(), J::Bool(plan.errored));
    J::Object(out)
}

/// A state in the shape of `terraform show -json` (the state representation, also used as a
/// plan's `prior_state`). Sensitive values are masked (see the module documentation).
pub fn state_json(state: &State, ctx: &Context) -> J {
    let mut out = Map::new();
    out.insert("format_version".into(), STATE_FORMAT_VERSION.into());
    out.insert("terraform_version".into(), LANGUAGE_VERSION.into());
    out.insert("terrane_version".into(), crate::VERSION.into());
    if state.is_empty() {
        return J::Object(out);
    }
    let mut values = Map::new();
    if !state.outputs.is_empty() {
        let outputs: Map<String, J> = state
            .outputs
            .iter()
            .map(|(name, o)| {
                let value = if o.sensitive { J::Null } else { o.value.clone() };
                (name.clone(), json!({"sensitive": o.sensitive, "value": value, "type": o.ty}))
            })
            .collect();
        values.insert("outputs".into(), J::Object(outputs));
    }
    let mut resources = Vec::new();
    for (addr, rs) in &state.resources {
        let provider_key = ctx.provider_key_of(addr, state);
        let schema = ctx.resource_schema(&provider_key, addr);
        for (key, objects) in &rs.instances {
            let inst = addr.instance(key.clone());
            let mut entries: Vec<(Option<&String>, &ObjectState)> = Vec::new();
            if let Some(o) = &objects.current {
                entries.push((None, o));
            }
            entries.extend(objects.deposed.iter().map(|(k, o)| (Some(k), o)));
            for (deposed, obj) in entries {
                let v = match schema {
                    Some(s) => s.block.mark_sensitive(value_from_object(obj, &s.block)),
                    None => obj.attributes.to_value().mark_paths(&obj.sensitive_paths),
                };
                let mut r = instance_head(&inst, &rs.provider);
                r.insert("schema_version".into(), obj.schema_version.into());
                r.insert("values".into(), known_json(&v).unwrap_or(J::Null));
                r.insert("sensitive_values".into(), v.sensitive_mask());
                if !obj.dependencies.is_empty() {
                    r.insert("depends_on".into(), obj.dependencies.iter().map(ToString::to_string).collect());
                }
                if obj.status == ObjectStatus::Tainted {
                    r.insert("tainted".into(), J::Bool(true));
                }
                if let Some(d) = deposed {
                    r.insert("deposed_key".into(), d.clone().into());
                }
                resources.push((inst.clone(), r));
            }
        }
    }
    values.insert("root_module".into(), module_tree(resources));
    out.insert("values".into(), J::Object(values));
    if !state.check_results.is_empty() {
        out.insert("checks".into(), state.check_results.to_json());
    }
    J::Object(out)
}

fn sorted(mut changes: Vec<ResourceChange>) -> Vec<ResourceChange> {
    changes.sort_by(|a, b| instance_order(&a.addr, &b.addr).then_with(|| a.deposed.cmp(&b.deposed)));
    changes
}

/// Terraform's order of resources: by module, data sources before managed resources, then by
/// type, name and instance key.
fn resource_order(a: &ResourceAddr, b: &ResourceAddr) -> Ordering {
    a.module
        .cmp(&b.module)
        .then_with(|| (a.mode == Mode::Managed).cmp(&(b.mode == Mode::Managed)))
        .then_with(|| a.type_name.cmp(&b.type_name))
        .then_with(|| a.name.cmp(&b.name))
}

fn instance_order(a: &InstanceAddr, b: &InstanceAddr) -> Ordering {
    resource_order(&a.resource, &b.resource).then_with(|| a.key.cmp(&b.key))
}

/// The change with its values as JSON consumers expect them: a no-op's values (kept only in
/// the prior state) filled in, and schema-sensitive attributes marked.
fn filled(c: &ResourceChange, plan: &Plan, ctx: &Context) -> ResourceChange {
    let mut c = c.clone();
    let schema = ctx.resource_schema(&c.provider, &c.addr.resource).map(|s| &s.block);
    if c.action == Action::NoOp && c.before.is_null() && c.after.is_null() {
        let objects = plan.prior_state.resource(&c.addr.resource).and_then(|r| r.instances.get(&c.addr.key));
        let obj = match &c.deposed {
            Some(d) => objects.and_then(|o| o.deposed.get(d)),
            None => objects.and_then(|o| o.current.as_ref()),
        };
        if let Some(obj) = obj {
            let v = match schema {
                Some(s) => value_from_object(obj, s),
                None => obj.attributes.to_value().mark_paths(&obj.sensitive_paths),
            };
            c.before = v.clone();
            c.after = v;
        }
    }
    if let Some(s) = schema {
        c.before = s.mark_sensitive(std::mem::take(&mut c.before));
        c.after = s.mark_sensitive(std::mem::take(&mut c.after));
    }
    c
}

/// A value as JSON with sensitive values masked (`null`) and unknown values left out of
/// objects (`null` in sequences, so positions still line up with `after_unknown`), as
/// Terraform's `omitUnknowns`. `None` for a wholly unknown value.
pub fn known_json(v: &Value) -> Option<J> {
    match v.view() {
        View::Unknown => None,
        View::Sensitive(inner) => (!inner.is_unknown()).then_some(J::Null),
        View::Seq(items) => Some(J::Array(items.iter().map(|i| known_json(i).unwrap_or(J::Null)).collect())),
        View::Map(m) => Some(J::Object(m.iter().filter_map(|(k, v)| known_json(v).map(|j| (k.clone(), j))).collect())),
        _ => Some(v.to_json()),
    }
}

/// `provider["registry.terraform.io/hashicorp/aws"].west` → `registry.terraform.io/hashicorp/aws`.
fn provider_name(provider_address: &str) -> String {
    crate::state::provider_address_source(provider_address).unwrap_or(provider_address).to_string()
}

/// The fields every resource instance entry starts with.
fn instance_head(inst: &InstanceAddr, provider_address: &str) -> Map<String, J> {
    let r = &inst.resource;
    let mut m = Map::new();
    m.insert("address".into(), inst.to_string().into());
    m.insert("mode".into(), r.mode.as_str().into());
    m.insert("type".into(), r.type_name.clone().into());
    m.insert("name".into(), r.name.clone().into());
    if let Some(k) = inst.key.to_json() {
        m.insert("index".into(), k);
    }
    m.insert("provider_name".into(), provider_name(provider_address).into());
    m
}

fn module_address(module: &[ModuleStep]) -> String {
    module.iter().map(|m| format!("module.{}{}", m.name, m.key)).collect::<Vec<_>>().join(".")
}

/// A resource instance's entry in a values representation.
type Entry = (InstanceAddr, Map<String, J>);

/// Resource entries arranged as Terraform's module objects: `{"resources": [...],
/// "child_modules": [{"address": "module.a", "resources": [...], ...}]}`.
fn module_tree(mut entries: Vec<Entry>) -> J {
    entries.sort_by(|a, b| instance_order(&a.0, &b.0));
    fn build(depth: usize, entries: &[Entry]) -> Map<String, J> {
        let mut out = Map::new();
        let here: Vec<J> = entries
            .iter()
            .filter(|(a, _)| a.resource.module.len() == depth)
            .map(|(_, m)| J::Object(m.clone()))
            .collect();
        if !here.is_empty() {
            out.insert("resources".into(), J::Array(here));
        }
        let mut children: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
        for (a, m) in entries.iter().filter(|(a, _)| a.resource.module.len() > depth) {
            children.entry(module_address(&a.resource.module[..=depth])).or_default().push((a.clone(), m.clone()));
        }
        if !children.is_empty() {
            let list: Vec<J> = children
                .into_iter()
                .map(|(address, items)| {
                    let mut m = build(depth + 1, &items);
                    m.insert("address".into(), address.into());
                    J::Object(m)
                })
                .collect();
            out.insert("child_modules".into(), J::Array(list));
        }
        out
    }
    J::Object(build(0, &entries))
}

fn path_json(path: &[PathStep]) -> J {
    path.iter()
        .map(|s| match s {
            PathStep::Attr(a) | PathStep::Key(a) => J::from(a.clone()),
            PathStep::Index(i) => J::from(*i),
        })
        .collect()
}

/// One entry of `resource_changes` or `resource_drift`.
fn change_json(c: &ResourceChange, plan: Option<&Plan>) -> J {
    let mut m = instance_head(&c.addr, &c.provider_address);
    if let Some(from) = plan.and_then(|p| p.moved_from(&c.addr)) {
        m.insert("previous_address".into(), from.to_string().into());
    }
    if let Some(module) = c.addr.resource.module_string() {
        m.insert("module_address".into(), module.into());
    }
    if let Some(d) = &c.deposed {
        m.insert("deposed".into(), d.clone().into());
    }
    let mut change = Map::new();
    change.insert("actions".into(), c.action.json_actions().iter().map(|a| J::from(*a)).collect());
    change.insert("before".into(), known_json(&c.before).unwrap_or(J::Null));
    change.insert("after".into(), known_json(&c.after).unwrap_or(J::Null));
    let after_unknown = if c.after.is_wholly_known() { J::Object(Map::new()) } else { c.after.unknown_mask() };
    change.insert("after_unknown".into(), after_unknown);
    change.insert("before_sensitive".into(), c.before.sensitive_mask());
    change.insert("after_sensitive".into(), c.after.sensitive_mask());
    if !c.replace_paths.is_empty() {
        change.insert("replace_paths".into(), c.replace_paths.iter().map(|p| path_json(p)).collect());
    }
    if let Some(id) = plan.and_then(|p| p.import_id(&c.addr)) {
        change.insert("importing".into(), serde_json::json!({ "id": id }));
    }
    m.insert("change".into(), J::Object(change));
    if let Some(r) = c.reason {
        m.insert("action_reason".into(), serde_json::to_value(r).unwrap_or(J::Null));
    }
    if let Some(p) = plan
        && !p.causes_of(c).is_empty()
    {
        m.insert("terrane_causes".into(), causes_json(p, c));
    }
    J::Object(m)
}

/// The terrane extension `terrane_causes`: why the change happens (see
/// [`crate::plan::provenance`]). Consumers of Terraform's format ignore it.
fn causes_json(plan: &Plan, c: &ResourceChange) -> J {
    use crate::plan::provenance::Root;
    let here = c.addr.to_string();
    plan.causes_of(c)
        .iter()
        .map(|cause| {
            let mut root = serde_json::to_value(&cause.root).unwrap_or(J::Null);
            // Values as plain JSON (sensitive variables never carry any).
            if let (Root::Variable { before, after, .. }, Some(obj)) = (&cause.root, root.as_object_mut()) {
                for (k, v) in [("before", before), ("after", after)] {
                    match v {
                        Some(v) if !v.contains_sensitive() => obj.insert(k.into(), v.to_json()),
                        _ => obj.remove(k),
                    };
                }
            }
            serde_json::json!({
                "summary": cause.line(&here),
                "root_cause": cause.root.describe(None),
                "root": root,
                "chain": serde_json::to_value(&cause.chain).unwrap_or(J::Null),
            })
        })
        .collect()
}

fn output_change_json(o: &OutputChange) -> J {
    let value = |v: &Value| if o.sensitive { J::Null } else { known_json(v).unwrap_or(J::Null) };
    let after_unknown = if o.after.is_wholly_known() {
        J::Bool(false)
    } else if o.sensitive {
        // The shape of a sensitive value is not shown either.
        J::Bool(true)
    } else {
        o.after.unknown_mask()
    };
    json!({
        "actions": o.action.json_actions(),
        "before": value(&o.before),
        "after": value(&o.after),
        "after_unknown": after_unknown,
        "before_sensitive": o.sensitive,
        "after_sensitive": o.sensitive,
    })
}

fn variables_json(plan: &Plan, ctx: &Context) -> Map<String, J> {
    plan.variables
        .iter()
        .map(|(name, v)| {
            let declared_sensitive = ctx.config.variables.get(name).is_some_and(|d| d.sensitive);
            let entry = if declared_sensitive || v.contains_sensitive() {
                json!({"value": J::Null, "sensitive": true})
            } else {
                json!({"value": known_json(v).unwrap_or(J::Null)})
            };
            (name.clone(), entry)
        })
        .collect()
}

fn planned_values(changes: &[ResourceChange], outputs: &[OutputChange], ctx: &Context) -> J {
    let mut out = Map::new();
    let planned_outputs: Map<String, J> = outputs
        .iter()
        .filter(|o| o.action != Action::Delete)
        .map(|o| {
            let mut m = Map::new();
            m.insert("sensitive".into(), J::Bool(o.sensitive));
            if o.after.is_wholly_known() {
                m.insert("type".into(), output_type(&o.after));
                m.insert("value".into(), if o.sensitive { J::Null } else { known_json(&o.after).unwrap_or(J::Null) });
            }
            (o.name.clone(), J::Object(m))
        })
        .collect();
    if !planned_outputs.is_empty() {
        out.insert("outputs".into(), J::Object(planned_outputs));
    }
    let resources = changes
        .iter()
        .filter(|c| c.action != Action::Delete && c.deposed.is_none())
        .map(|c| {
            let mut m = instance_head(&c.addr, &c.provider_address);
            let version = ctx.resource_schema(&c.provider, &c.addr.resource).map_or(0, |s| s.version);
            m.insert("schema_version".into(), version.into());
            if !c.after.is_null() {
                m.insert("values".into(), known_json(&c.after).unwrap_or(J::Null));
            }
            m.insert("sensitive_values".into(), c.after.sensitive_mask());
            (c.addr.clone(), m)
        })
        .collect();
    out.insert("root_module".into(), module_tree(resources));
    J::Object(out)
}

/// Resource attributes that the changes and changed outputs depend on (directly or through
/// locals and other resources): what Terraform lists so that consumers can tell which drift
/// matters.
fn relevant_attributes(changes: &[ResourceChange], outputs: &[OutputChange], ctx: &Context) -> Vec<J> {
    let config = &ctx.config;
    let mut queue: Vec<Reference> = Vec::new();
    let mut seen_resources: HashSet<ResourceAddr> = HashSet::new();
    let mut push_resource = |addr: &ResourceAddr, queue: &mut Vec<Reference>| {
        if !seen_resources.insert(addr.clone()) {
            return;
        }
        if let Some(r) = config.resources.get(addr) {
            queue.extend(references::of_body(r.body.file, &r.body.body));
            for e in r.count.iter().chain(r.for_each.iter()) {
                queue.extend(references::of_expr(e));
            }
        }
    };
    for c in changes.iter().filter(|c| c.action != Action::NoOp) {
        push_resource(&c.addr.resource, &mut queue);
    }
    for o in outputs.iter().filter(|o| o.action != Action::NoOp) {
        if let Some(decl) = config.outputs.get(&o.name) {
            queue.extend(references::of_expr(&decl.value));
        }
    }
    let mut seen_locals: HashSet<String> = HashSet::new();
    let mut found: BTreeSet<(String, String)> = BTreeSet::new();
    while let Some(r) = queue.pop() {
        match &r.subject {
            Subject::Resource(addr) => {
                let (resource, attr) = match r.rest.split_first() {
                    Some((PathStep::Index(i), rest)) => (addr.instance(InstanceKey::Int(*i as i64)).to_string(), rest),
                    Some((PathStep::Key(k), rest)) => (addr.instance(InstanceKey::Str(k.clone())).to_string(), rest),
                    _ => (addr.to_string(), r.rest.as_slice()),
                };
                found.insert((resource, path_json(attr).to_string()));
                push_resource(addr, &mut queue);
            }
            Subject::Local(name) => {
                if seen_locals.insert(name.clone())
                    && let Some(l) = config.locals.get(name)
                {
                    queue.extend(references::of_expr(&l.expr));
                }
            }
            _ => {}
        }
    }
    found
        .into_iter()
        .map(|(resource, attr)| {
            json!({"resource": resource, "attribute": serde_json::from_str::<J>(&attr).unwrap_or(J::Array(vec![]))})
        })
        .collect()
}

/// The `configuration` section: provider configurations and the root module's resources,
/// outputs and variables, with expressions as constants or the references they make.
fn configuration_json(ctx: &Context) -> J {
    let config = &ctx.config;
    let mut providers = Map::new();
    let mut keys: BTreeSet<String> = config.providers.keys().cloned().collect();
    keys.extend(config.resources.values().map(|r| r.provider.clone()));
    keys.extend(config.terraform.required_providers.keys().cloned());
    for key in keys {
        let (name, alias) = match key.split_once('.') {
            Some((n, a)) => (n.to_string(), Some(a.to_string())),
            None => (key.clone(), None),
        };
        let mut p = Map::new();
        p.insert("name".into(), name.clone().into());
        p.insert("full_name".into(), provider_name(&ctx.provider_address(&key)).into());
        if let Some(a) = alias {
            p.insert("alias".into(), a.into());
        }
        if let Some(v) = config.terraform.required_providers.get(&name).and_then(|r| r.version.clone()) {
            p.insert("version_constraint".into(), v.into());
        }
        if let Some(block) = config.providers.get(&key) {
            let schema = ctx.provider_schema(&key).map(|s| s.provider.clone()).unwrap_or_default();
            let exprs = body_expressions(&block.body, &block.body.body, &schema);
            if !exprs.is_empty() {
                p.insert("expressions".into(), J::Object(exprs));
            }
        }
        providers.insert(key, J::Object(p));
    }

    let mut resources: Vec<(&ResourceAddr, J)> = Vec::new();
    for (addr, r) in &config.resources {
        let schema = ctx.resource_schema(&r.provider, addr);
        let mut m = Map::new();
        m.insert("address".into(), addr.to_string().into());
        m.insert("mode".into(), addr.mode.as_str().into());
        m.insert("type".into(), addr.type_name.clone().into());
        m.insert("name".into(), addr.name.clone().into());
        m.insert("provider_config_key".into(), r.provider.clone().into());
        let block = schema.map(|s| s.block.clone()).unwrap_or_default();
        let exprs = body_expressions(&r.body, &r.body.body, &block);
        if !exprs.is_empty() {
            m.insert("expressions".into(), J::Object(exprs));
        }
        m.insert("schema_version".into(), schema.map_or(0, |s| s.version).into());
        if let Some(e) = &r.count {
            m.insert("count_expression".into(), expression_json(e, false));
        }
        if let Some(e) = &r.for_each {
            m.insert("for_each_expression".into(), expression_json(e, false));
        }
        if !r.depends_on.is_empty() {
            let deps: Vec<J> = r
                .depends_on
                .iter()
                .filter_map(|e| references::static_reference(e).ok())
                .map(|r| J::from(r.subject.to_string()))
                .collect();
            m.insert("depends_on".into(), J::Array(deps));
        }
        resources.push((addr, J::Object(m)));
    }
    resources.sort_by(|a, b| resource_order(a.0, b.0));

    let outputs: Map<String, J> = config
        .outputs
        .values()
        .map(|o| {
            let mut m = Map::new();
            if o.sensitive {
                m.insert("sensitive".into(), J::Bool(true));
            }
            m.insert("expression".into(), expression_json(&o.value, o.sensitive));
            if let Some(d) = &o.description {
                m.insert("description".into(), d.clone().into());
            }
            if !o.depends_on.is_empty() {
                let deps: Vec<J> = o
                    .depends_on
                    .iter()
                    .filter_map(|e| references::static_reference(e).ok())
                    .map(|r| J::from(r.subject.to_string()))
                    .collect();
                m.insert("depends_on".into(), J::Array(deps));
            }
            (o.name.clone(), J::Object(m))
        })
        .collect();

    let variables: Map<String, J> = config
        .variables
        .values()
        .map(|v| {
            let mut m = Map::new();
            if let Some(d) = &v.default {
                let masked = v.sensitive || d.contains_sensitive();
                m.insert("default".into(), if masked { J::Null } else { known_json(d).unwrap_or(J::Null) });
            }
            if let Some(d) = &v.description {
                m.insert("description".into(), d.clone().into());
            }
            if v.sensitive {
                m.insert("sensitive".into(), J::Bool(true));
            }
            (v.name.clone(), J::Object(m))
        })
        .collect();

    let mut root = Map::new();
    if !outputs.is_empty() {
        root.insert("outputs".into(), J::Object(outputs));
    }
    if !resources.is_empty() {
        root.insert("resources".into(), resources.into_iter().map(|(_, r)| r).collect());
    }
    if !variables.is_empty() {
        root.insert("variables".into(), J::Object(variables));
    }
    let mut out = Map::new();
    if !providers.is_empty() {
        out.insert("provider_config".into(), J::Object(providers));
    }
    out.insert("root_module".into(), J::Object(root));
    J::Object(out)
}

/// The expressions of a block body, by the schema: attributes as expression objects, nested
/// blocks as objects (single) or lists of objects. `dynamic` blocks and arguments the schema
/// does not know (meta-arguments) are left out.
fn body_expressions(body: &BlockBody, inner: &crate::hcl::ast::Body, schema: &Schema) -> Map<String, J> {
    let mut out = Map::new();
    for a in &inner.attributes {
        if let Some(attr) = schema.attributes.get(&a.name) {
            let e = Expr::new(body.file, a.expr.clone(), &body.source);
            out.insert(a.name.clone(), expression_json(&e, attr.sensitive));
        }
    }
    let mut blocks: BTreeMap<String, Vec<J>> = BTreeMap::new();
    for b in &inner.blocks {
        if let Some(nested) = schema.blocks.get(&b.ty) {
            let inner = body_expressions(body, &b.body, &nested.schema);
            blocks.entry(b.ty.clone()).or_default().push(J::Object(inner));
        }
    }
    for (name, mut items) in blocks {
        let single = schema.blocks.get(&name).is_some_and(|b| b.nesting == Nesting::Single);
        let v = if single { items.swap_remove(0) } else { J::Array(items) };
        out.insert(name, v);
    }
    out
}

/// Terraform's `marshalExpression`: `constant_value` when the expression evaluates without
/// a context to a wholly known value, `references` when it refers to anything. Values of
/// sensitive attributes are left out (terrane never prints a secret, even a constant one).
fn expression_json(e: &Expr, sensitive: bool) -> J {
    let mut out = Map::new();
    let (v, _) = crate::eval::eval_constant_all(e);
    if !sensitive && v.is_wholly_known() && !v.contains_sensitive() {
        let ty = v.ty();
        if let Ok(text) = crate::cty::json::marshal(&v, &ty)
            && let Ok(j) = serde_json::from_str::<J>(&text)
        {
            out.insert("constant_value".into(), j);
        }
    }
    let refs = references::of_expr(e);
    if !refs.is_empty() {
        let list: Vec<J> = refs.iter().flat_map(reference_strings).map(J::from).collect();
        out.insert("references".into(), J::Array(list));
    }
    J::Object(out)
}

/// A reference as Terraform lists it: the full traversal, then each shorter prefix down to the
/// referenced object (`aws_instance.web[0].id`, `aws_instance.web[0]`, `aws_instance.web`).
fn reference_strings(r: &Reference) -> Vec<String> {
    let subject = r.subject.to_string();
    (0..=r.rest.len())
        .rev()
        .map(|n| {
            let steps: String = r.rest[..n].iter().map(ToString::to_string).collect();
            format!("{subject}{steps}")
        })
        .collect()
}

#[cfg(test)]
mod tests;
