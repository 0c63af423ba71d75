//! `terraform_data`: a value kept in state, with Terraform's arguments `input` (echoed as
//! `output` after apply) and `triggers_replace` (any change replaces the resource).

use crate::plan::diff::same;
use crate::provider::PlanResponse;
use crate::schema::{Attribute, Schema};
use crate::types::Type;
use crate::value::{PathStep, Value};

pub(super) fn schema() -> Schema {
    Schema::new()
        .attr("id", Attribute::computed(Type::String).describe("A random identifier set at creation."))
        .attr("input", Attribute::optional(Type::Any).describe("A value stored in state and echoed in output."))
        .attr("output", Attribute::computed(Type::Any).describe("The input, after apply."))
        .attr(
            "triggers_replace",
            Attribute::optional(Type::Any).describe("A change to this value replaces the resource."),
        )
}

fn attr(v: &Value, name: &str) -> Value {
    v.get_attr(name).cloned().unwrap_or(Value::Null)
}

pub(super) fn plan(prior: Option<&Value>, config: &Value) -> PlanResponse {
    let input = attr(config, "input");
    let triggers = attr(config, "triggers_replace");
    let create = |requires_replace| PlanResponse {
        planned: Value::object([
            ("id", Value::Unknown),
            ("input", input.clone()),
            ("output", if input.is_null() { Value::Null } else { Value::Unknown }),
            ("triggers_replace", triggers.clone()),
        ]),
        requires_replace,
    };
    let Some(prior) = prior.filter(|p| !p.is_null()) else { return create(Vec::new()) };
    let prior_triggers = attr(prior, "triggers_replace");
    if !same(&prior_triggers, &triggers) {
        return create(vec![vec![PathStep::Attr("triggers_replace".into())]]);
    }
    let prior_input = attr(prior, "input");
    let input_same = same(&prior_input, &input);
    let output = if input_same { attr(prior, "output") } else { Value::Unknown };
    PlanResponse {
        planned: Value::object([
            ("id", attr(prior, "id")),
            ("input", input),
            ("output", output),
            ("triggers_replace", triggers),
        ]),
        requires_replace: Vec::new(),
    }
}

pub(super) fn apply(planned: Value, create: bool) -> Value {
    let (planned, marked) = planned.into_unmarked();
    let mut m = planned.as_map().cloned().unwrap_or_default();
    if create || m.get("id").is_none_or(Value::is_unknown) {
        m.insert("id".into(), Value::from(uuid::Uuid::new_v4().to_string()));
    }
    let input = m.get("input").cloned().unwrap_or(Value::Null);
    m.insert("output".into(), input);
    Value::Map(m).mark_if(marked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(input: Value, triggers: Value) -> Value {
        Value::object([("input", input), ("triggers_replace", triggers)])
    }

    #[test]
    fn input_change_updates_and_output_becomes_unknown() {
        let prior = apply(plan(None, &config("a".into(), Value::Null)).planned, true);
        assert_eq!(prior.get_attr("output"), Some(&Value::from("a")));
        let r = plan(Some(&prior), &config("b".into(), Value::Null));
        assert!(r.requires_replace.is_empty());
        assert_eq!(r.planned.get_attr("output"), Some(&Value::Unknown));
        assert_eq!(r.planned.get_attr("id"), prior.get_attr("id"));
        let same_again = plan(Some(&prior), &config("a".into(), Value::Null));
        assert_eq!(same_again.planned, prior, "no change plans the prior state exactly");
    }

    #[test]
    fn triggers_change_replaces() {
        let prior = apply(plan(None, &config(Value::Null, 1i64.into())).planned, true);
        let r = plan(Some(&prior), &config(Value::Null, 2i64.into()));
        assert_eq!(r.requires_replace, vec![vec![PathStep::Attr("triggers_replace".into())]]);
        assert_eq!(r.planned.get_attr("id"), Some(&Value::Unknown));
    }
}
