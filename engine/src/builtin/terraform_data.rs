//! `terraform_data`: a value kept in state, with Terraform's arguments `input` (echoed as
//! `output` after apply) and `triggers_replace` (any change replaces the resource).

use crate::provider::PlanResponse;
use crate::schema::{Attribute, Schema};
use crate::value::{PathStep, Type, Value};

pub(super) fn schema() -> Schema {
    Schema::new()
        .attr("id", Attribute::computed(Type::String).describe("A random identifier set at creation."))
        .attr("input", Attribute::optional(Type::Dynamic).describe("A value stored in state and echoed in output."))
        .attr("output", Attribute::computed(Type::Dynamic).describe("The input, after apply."))
        .attr(
            "triggers_replace",
            Attribute::optional(Type::Dynamic).describe("A change to this value replaces the resource."),
        )
}

fn attr(v: &Value, name: &str) -> Value {
    v.unmarked().get_attr(name).cloned().unwrap_or(Value::NULL)
}

/// Terraform's `planDataStoreResourceChange`: the proposed new state (configuration, with
/// the prior `id` and `output`), then `id` and `output` unknown as a create, a replacement
/// or a changed input needs them.
pub(super) fn plan(prior: Option<&Value>, config: &Value) -> PlanResponse {
    let prior = prior.filter(|p| !p.is_null());
    let input = attr(config, "input");
    let trigger = attr(config, "triggers_replace");
    let output_for_input = || if input.is_null() { input.clone() } else { Value::unknown(input.ty()) };
    let new_id = || Value::unknown(Type::String);
    let (id, output, requires_replace) = match prior {
        None => (new_id(), output_for_input(), Vec::new()),
        Some(p) if attr(p, "triggers_replace") != trigger => {
            (new_id(), output_for_input(), vec![vec![PathStep::Attr("triggers_replace".into())]])
        }
        Some(p) if attr(p, "input") != input => (attr(p, "id"), Value::unknown(input.ty()), Vec::new()),
        Some(p) => (attr(p, "id"), attr(p, "output"), Vec::new()),
    };
    PlanResponse::new(
        Value::object([("id", id), ("input", input), ("output", output), ("triggers_replace", trigger)]),
        requires_replace,
    )
}

/// Terraform's `applyDataStoreResourceChange`: an unknown `output` becomes the input, an
/// unknown `id` a new UUID.
pub(super) fn apply(planned: Value, _create: bool) -> Value {
    let (planned, marks) = planned.unmark();
    let mut m = planned.as_map().cloned().unwrap_or_default();
    if m.get("output").is_none_or(|o| !o.is_known()) {
        m.insert("output".into(), m.get("input").cloned().unwrap_or(Value::NULL));
    }
    if m.get("id").is_none_or(|i| !i.is_known()) {
        m.insert("id".into(), Value::from(uuid::Uuid::new_v4().to_string()));
    }
    Value::object_from_map(m).with_marks(marks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(input: Value, triggers: Value) -> Value {
        Value::object([("input", input), ("triggers_replace", triggers)])
    }

    #[test]
    fn input_change_updates_and_output_becomes_unknown() {
        let prior = apply(plan(None, &config("a".into(), Value::NULL)).planned, true);
        assert_eq!(prior.get_attr("output"), Some(&Value::from("a")));
        let r = plan(Some(&prior), &config("b".into(), Value::NULL));
        assert!(r.requires_replace.is_empty());
        assert_eq!(r.planned.get_attr("output"), Some(&Value::unknown(Type::String)));
        assert_eq!(r.planned.get_attr("id"), prior.get_attr("id"));
        let same_again = plan(Some(&prior), &config("a".into(), Value::NULL));
        assert_eq!(same_again.planned, prior, "no change plans the prior state exactly");
    }

    #[test]
    fn triggers_change_replaces() {
        let prior = apply(plan(None, &config(Value::NULL, 1i64.into())).planned, true);
        let r = plan(Some(&prior), &config(Value::NULL, 2i64.into()));
        assert_eq!(r.requires_replace, vec![vec![PathStep::Attr("triggers_replace".into())]]);
        assert_eq!(r.planned.get_attr("id"), Some(&Value::unknown(Type::String)));
    }
}
