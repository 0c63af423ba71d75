//! `tags` and `tags_all`: the provider's `default_tags` merged under each resource's tags.

use std::cell::RefCell;
use std::collections::BTreeMap;
use terrane_engine::value::Value;

/// The tag that marks an object with the idempotency token of the create that made it, so
/// the object is found again after a crash (`find_created`). Reserved and hidden: it is in
/// neither `tags` nor `tags_all` ([`read_back_tags`], [`visible`]), so no plan shows it or takes it
/// away (tag updates go from the prior `tags_all` to the planned one).
pub const TOKEN_TAG: &str = "terrane:create-token";

/// Tags as AWS holds them, without the token tag.
pub fn visible(api: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut m = api.clone();
    m.remove(TOKEN_TAG);
    m
}

tokio::task_local! {
    /// The token tags [`read_back_tags`] hid, while [`seen_tokens`] collects them.
    static SEEN: RefCell<Vec<String>>;
}

/// Runs `f` (a read) and returns, with its result, the creation tokens of the objects it read
/// (the token tags [`read_back_tags`] hid from their values).
pub async fn seen_tokens<F: std::future::Future>(f: F) -> (F::Output, Vec<String>) {
    SEEN.scope(RefCell::new(Vec::new()), async {
        let out = f.await;
        (out, SEEN.with(|s| s.take()))
    })
    .await
}

/// Sets the planned `tags_all` as hashicorp/aws's `SetTagsDiff` does: default tags overlaid
/// with the resource's when that gives any tag; otherwise unknown on a create (`fresh`: no prior
/// object, or a replacement) and where the prior object had tags, and the prior (empty) map kept
/// otherwise. Unknown too while the resource's tags are unknown.
pub fn plan_tags_all(planned: &mut Value, prior: Option<&Value>, fresh: bool, default_tags: &BTreeMap<String, String>) {
    let tags = planned.get_attr("tags").cloned().unwrap_or(Value::NULL);
    let ty = terrane_engine::value::Type::map(terrane_engine::value::Type::String);
    let all = merged(default_tags, &crate::val::string_map(planned, "tags"));
    let prior_all = prior.and_then(|p| p.get_attr("tags_all")).filter(|_| !fresh);
    let all = if !tags.is_wholly_known() {
        Value::unknown(ty)
    } else if !all.is_empty() {
        Value::map(terrane_engine::value::Type::String, all.into_iter().map(|(k, v)| (k, Value::from(v))).collect())
    } else {
        match prior_all {
            Some(p) if p.is_known() && p.length_int().unwrap_or(0) == 0 => p.clone(),
            _ => Value::unknown(ty),
        }
    };
    planned.set_at_path(&[terrane_engine::value::PathStep::Attr("tags_all".into())], all);
}

/// Keeps a prior empty `tags` map that the configuration leaves out: hashicorp/aws reads an
/// object without tags back as `tags = {}` (a state Terraform refreshed has it), and the
/// Terraform SDK takes an empty map for none, so that is no change.
pub fn keep_empty(prior: Option<&Value>, planned: &mut Value) {
    let empty =
        prior.and_then(|p| p.get_attr("tags")).filter(|t| t.is_known() && !t.is_null() && t.length_int() == Some(0));
    if let Some(t) = empty
        && planned.get_attr("tags").is_some_and(|v| v.is_known() && v.is_null())
    {
        planned.set_at_path(&[terrane_engine::value::PathStep::Attr("tags".into())], t.clone());
    }
}

pub fn merged(default_tags: &BTreeMap<String, String>, tags: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut all = default_tags.clone();
    all.extend(tags.iter().map(|(k, v)| (k.clone(), v.clone())));
    all
}

/// The `tags` and `tags_all` of an object read back: `tags_all` is what AWS holds; `tags` is
/// that minus the default tags (unless the resource sets the key itself), from the prior
/// `tags` (none when the configuration sets none: then `tags` stays none).
pub fn read_back_tags(
    api: &BTreeMap<String, String>,
    default_tags: &BTreeMap<String, String>,
    prior_tags: Option<&BTreeMap<String, String>>,
) -> crate::model::Tags {
    if let Some(t) = api.get(TOKEN_TAG) {
        let _ = SEEN.try_with(|s| s.borrow_mut().push(t.clone()));
    }
    let api = visible(api);
    let own: BTreeMap<String, String> = api
        .iter()
        .filter(|(k, v)| prior_tags.is_some_and(|p| p.contains_key(*k)) || default_tags.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let tags = if own.is_empty() && prior_tags.is_none() { None } else { Some(own) };
    crate::model::Tags { tags, tags_all: Some(api) }
}

/// Brings an object's tags from `old` to `new`: `untag` is called with the keys to remove,
/// then `tag` with the tags to set, each only when there is something to send.
pub async fn update(
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
    untag: impl AsyncFnOnce(Vec<String>) -> crate::resource::Result<()>,
    tag: impl AsyncFnOnce(BTreeMap<String, String>) -> crate::resource::Result<()>,
) -> crate::resource::Result<()> {
    let (removed, set) = diff(old, new);
    if !removed.is_empty() {
        untag(removed).await?;
    }
    if !set.is_empty() {
        tag(set).await?;
    }
    Ok(())
}

/// Keys to remove and tags to set to go from `old` to `new`.
pub fn diff(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> (Vec<String>, BTreeMap<String, String>) {
    let removed = old.keys().filter(|k| !new.contains_key(*k)).cloned().collect();
    let set = new.iter().filter(|(k, v)| old.get(*k) != Some(*v)).map(|(k, v)| (k.clone(), v.clone())).collect();
    (removed, set)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn an_empty_map_of_tags_is_none() {
        let ty = terrane_engine::value::Type::String;
        let prior = Value::object([("tags", Value::map(ty.clone(), Default::default()))]);
        let mut planned = Value::object([("tags", Value::null(terrane_engine::value::Type::map(ty.clone())))]);
        keep_empty(Some(&prior), &mut planned);
        assert_eq!(planned.get_attr("tags"), prior.get_attr("tags"));
        let prior = Value::object([("tags", Value::map(ty, [("a".to_string(), Value::from("b"))].into()))]);
        let mut removed = Value::object([("tags", Value::NULL)]);
        keep_empty(Some(&prior), &mut removed);
        assert_eq!(removed.get_attr("tags"), Some(&Value::NULL), "tags taken away are planned away");
    }

    #[test]
    fn default_tags_merge_under_resource_tags() {
        let mut planned = Value::object([
            ("tags", Value::object([("Name", Value::from("web")), ("env", Value::from("dev"))])),
            ("tags_all", Value::DYNAMIC),
        ]);
        plan_tags_all(&mut planned, None, true, &m(&[("env", "prod"), ("team", "ops")]));
        assert_eq!(
            crate::val::string_map(&planned, "tags_all"),
            m(&[("Name", "web"), ("env", "dev"), ("team", "ops")])
        );
    }

    /// hashicorp/aws's `SetTagsDiff`: with no tag at all, `tags_all` is decided at apply on a
    /// create (Terraform prints `tags_all = (known after apply)`) and when tags are taken away,
    /// and stays the prior empty map otherwise.
    #[test]
    fn no_tags_at_all_is_known_after_apply_on_create_only() {
        let ty = terrane_engine::value::Type::String;
        let none = || Value::object([("tags", Value::NULL), ("tags_all", Value::DYNAMIC)]);
        let empty = Value::map(ty.clone(), Default::default());
        let mut planned = none();
        plan_tags_all(&mut planned, None, true, &BTreeMap::new());
        assert!(!planned.get_attr("tags_all").unwrap().is_known(), "create");
        let prior = Value::object([("tags", Value::NULL), ("tags_all", empty.clone())]);
        let mut planned = none();
        plan_tags_all(&mut planned, Some(&prior), false, &BTreeMap::new());
        assert_eq!(planned.get_attr("tags_all"), Some(&empty), "update keeps the empty map");
        let mut planned = none();
        plan_tags_all(&mut planned, Some(&prior), true, &BTreeMap::new());
        assert!(!planned.get_attr("tags_all").unwrap().is_known(), "replacement");
        let tagged = Value::map(ty, [("a".to_string(), Value::from("b"))].into());
        let prior = Value::object([("tags", tagged.clone()), ("tags_all", tagged)]);
        let mut planned = none();
        plan_tags_all(&mut planned, Some(&prior), false, &BTreeMap::new());
        assert!(!planned.get_attr("tags_all").unwrap().is_known(), "tags taken away");
    }

    #[test]
    fn read_back_separates_default_tags() {
        let prior = m(&[("Name", "web")]);
        let t = read_back_tags(&m(&[("Name", "web"), ("team", "ops")]), &m(&[("team", "ops")]), Some(&prior));
        assert_eq!(t.tags, Some(m(&[("Name", "web")])));
        assert_eq!(t.tags_all.unwrap_or_default().len(), 2);
        let t = read_back_tags(&m(&[("team", "ops")]), &m(&[("team", "ops")]), None);
        assert_eq!(t.tags, None);
    }

    #[test]
    fn the_token_tag_is_never_read_back() {
        let api = m(&[("Name", "web"), (TOKEN_TAG, "terrane-1")]);
        let t = read_back_tags(&api, &m(&[]), None);
        assert_eq!(t.tags, Some(m(&[("Name", "web")])));
        assert_eq!(t.tags_all, Some(m(&[("Name", "web")])));
        assert_eq!(visible(&api), m(&[("Name", "web")]));
    }

    #[tokio::test]
    async fn hidden_tokens_are_seen_by_a_collecting_read() {
        let api = m(&[(TOKEN_TAG, "terrane-2")]);
        let ((), seen) = seen_tokens(async {
            read_back_tags(&api, &m(&[]), None);
        })
        .await;
        assert_eq!(seen, vec!["terrane-2".to_string()]);
        // Outside a collecting read, nothing is kept (and nothing fails).
        read_back_tags(&api, &m(&[]), None);
    }

    #[test]
    fn diff_lists_removals_and_changes() {
        let (removed, set) = diff(&m(&[("a", "1"), ("b", "2")]), &m(&[("b", "3"), ("c", "4")]));
        assert_eq!(removed, vec!["a"]);
        assert_eq!(set, m(&[("b", "3"), ("c", "4")]));
    }
}
