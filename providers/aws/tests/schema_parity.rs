//! Schema parity with hashicorp/aws 5.100.0: every resource type and data source terrane builds
//! in has the schema the real plugin has, attribute by attribute and block by block.
//!
//! The reference is `tests/schema/hashicorp_aws.json`, recorded by `tests/schema/regenerate.sh`
//! from `terraform providers schema -json` (no network or plugin is needed here). Compared, at
//! every depth: which attributes and blocks there are; an attribute's type, required / optional /
//! computed and sensitive; a block's nesting mode and, for lists and sets, min and max items; the
//! resource's schema version. Not compared, because the reference does not say them: what forces
//! replacement, defaults, descriptions, deprecation.
//!
//! Differences known and not fixed yet are listed in `tests/schema/known_differences.txt`, one
//! per line. The list only shrinks: a difference it does not list fails the test, and so does a
//! listed one that is gone (`TERRANE_SCHEMA_PRUNE=1` removes those lines for you). A line whose
//! comment starts with `deliberate:` is a difference terrane keeps on purpose, and says why.

use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use terrane_engine::provider::Provider;
use terrane_engine::schema::{Attribute, NestedBlock, Nesting, ResourceSchema, Schema};
use terrane_engine::value::Type;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/schema")
}

/// A type in the reference's JSON form (`"string"`, `["list", "string"]`, `["object", {...}]`).
fn json_type(j: &Json) -> Type {
    match j {
        Json::String(s) => match s.as_str() {
            "string" => Type::String,
            "number" => Type::Number,
            "bool" => Type::Bool,
            "dynamic" => Type::Dynamic,
            other => panic!("unknown primitive type {other:?} in the reference"),
        },
        Json::Array(a) => match (a.first().and_then(Json::as_str), a.get(1)) {
            (Some("list"), Some(e)) => Type::list(json_type(e)),
            (Some("set"), Some(e)) => Type::set(json_type(e)),
            (Some("map"), Some(e)) => Type::map(json_type(e)),
            (Some("tuple"), Some(Json::Array(es))) => Type::Tuple(Arc::new(es.iter().map(json_type).collect())),
            (Some("object"), Some(Json::Object(attrs))) => {
                let attrs: BTreeMap<String, Type> = attrs.iter().map(|(k, v)| (k.clone(), json_type(v))).collect();
                let optional: BTreeSet<String> = a
                    .get(2)
                    .and_then(Json::as_array)
                    .map(|o| o.iter().filter_map(Json::as_str).map(str::to_string).collect())
                    .unwrap_or_default();
                Type::object_with_optional(attrs, optional)
            }
            _ => panic!("unknown type {j} in the reference"),
        },
        _ => panic!("unknown type {j} in the reference"),
    }
}

fn flag(j: &Json, name: &str) -> bool {
    j.get(name).and_then(Json::as_bool).unwrap_or(false)
}

/// `required`, `optional`, `computed` or `optional+computed`.
fn flags(required: bool, optional: bool, computed: bool) -> String {
    let mut f = Vec::new();
    if required {
        f.push("required");
    }
    if optional {
        f.push("optional");
    }
    if computed {
        f.push("computed");
    }
    f.join("+")
}

fn their_flags(j: &Json) -> String {
    flags(flag(j, "required"), flag(j, "optional"), flag(j, "computed"))
}

fn our_flags(a: &Attribute) -> String {
    flags(a.required, a.optional, a.computed)
}

fn their_attr(j: &Json) -> String {
    match j.get("type") {
        Some(t) => format!("{} {}", their_flags(j), json_type(t)),
        None => format!("{} nested attribute", their_flags(j)),
    }
}

fn our_attr(a: &Attribute) -> String {
    format!("{} {}", our_flags(a), a.ty)
}

fn their_nesting(j: &Json) -> &str {
    j.get("nesting_mode").and_then(Json::as_str).unwrap_or("?")
}

fn our_nesting(b: &NestedBlock) -> &'static str {
    match b.nesting {
        Nesting::Single => "single",
        Nesting::List => "list",
        Nesting::Set => "set",
    }
}

fn their_block(j: &Json) -> String {
    let mut s = their_nesting(j).to_string();
    if let Some(n) = j.get("min_items").and_then(Json::as_u64).filter(|n| *n > 0) {
        s.push_str(&format!(", min {n}"));
    }
    if let Some(n) = j.get("max_items").and_then(Json::as_u64) {
        s.push_str(&format!(", max {n}"));
    }
    s
}

fn our_block(b: &NestedBlock) -> String {
    let mut s = our_nesting(b).to_string();
    if b.nesting != Nesting::Single {
        if b.min_items > 0 {
            s.push_str(&format!(", min {}", b.min_items));
        }
        if let Some(n) = b.max_items {
            s.push_str(&format!(", max {n}"));
        }
    }
    s
}

/// What one comparison found.
#[derive(Default)]
struct Tally {
    types: usize,
    /// Attributes and blocks compared (at every depth; a block missing on one side counts once).
    items: usize,
    /// Of those, the ones without any difference.
    equal: usize,
    /// One line per difference: `TYPE.PATH: WHAT`.
    diffs: Vec<String>,
    /// Types with hashicorp/aws v6's per-resource `region` argument (optional, forces
    /// replacement), which 5.100.0 does not have.
    v6_region: usize,
}

impl Tally {
    fn item(&mut self, diffs: Vec<String>) {
        self.items += 1;
        if diffs.is_empty() {
            self.equal += 1;
        }
        self.diffs.extend(diffs);
    }

    fn block(&mut self, path: &str, theirs: &Json, ours: &Schema) {
        let empty = serde_json::Map::new();
        let their_attrs = theirs.get("attributes").and_then(Json::as_object).unwrap_or(&empty);
        let their_blocks = theirs.get("block_types").and_then(Json::as_object).unwrap_or(&empty);
        let names: BTreeSet<&str> = their_attrs
            .keys()
            .chain(their_blocks.keys())
            .map(String::as_str)
            .chain(ours.attributes.keys().map(String::as_str))
            .chain(ours.blocks.keys().map(String::as_str))
            .collect();
        for name in names {
            let p = format!("{path}.{name}");
            let d = |what: String| vec![format!("{p}: {what}")];
            match (their_attrs.get(name), their_blocks.get(name), ours.attributes.get(name), ours.blocks.get(name)) {
                (Some(t), _, Some(o), _) => self.item(attribute(&p, t, o)),
                (_, Some(t), _, Some(o)) => {
                    self.item(block_itself(&p, t, o));
                    self.block(&p, t.get("block").unwrap_or(&Json::Null), &o.schema);
                }
                // A block that is also written as an argument (SDKv2's attributes as blocks):
                // equal when the argument's type is the block's.
                (Some(t), _, _, Some(o))
                    if o.attribute_syntax
                        && their_flags(t) == "optional+computed"
                        && t.get("type").map(json_type)
                            == Some(match o.nesting {
                                Nesting::Set => Type::set(o.schema.value_type()),
                                _ => Type::list(o.schema.value_type()),
                            }) =>
                {
                    self.item(Vec::new());
                }
                (Some(t), _, _, Some(o)) => self.item(d(format!(
                    "an attribute in hashicorp/aws ({}), a block in terrane ({})",
                    their_attr(t),
                    our_block(o)
                ))),
                (_, Some(t), Some(o), _) => self.item(d(format!(
                    "a block in hashicorp/aws ({}), an attribute in terrane ({})",
                    their_block(t),
                    our_attr(o)
                ))),
                (Some(t), _, None, None) => self.item(d(format!("missing attribute ({})", their_attr(t)))),
                (_, Some(t), None, None) => self.item(d(format!("missing block ({})", their_block(t)))),
                // v6's `region`, at the top level of a type that 5.100.0 gives none.
                (None, None, Some(o), _)
                    if name == "region"
                        && !path.trim_start_matches("data.").contains('.')
                        && o.optional
                        && !o.computed
                        && o.force_new =>
                {
                    self.v6_region += 1;
                }
                (None, None, Some(o), _) => self.item(d(format!("extra attribute ({})", our_attr(o)))),
                (None, None, _, Some(o)) => self.item(d(format!("extra block ({})", our_block(o)))),
                (None, None, None, None) => unreachable!(),
            }
        }
    }

    fn schema(&mut self, name: &str, theirs: &Json, ours: &ResourceSchema) {
        self.types += 1;
        let version = theirs.get("version").and_then(Json::as_u64).unwrap_or(0);
        if version != ours.version {
            self.diffs.push(format!("{name}: schema_version: hashicorp/aws {version}, terrane {}", ours.version));
        }
        self.block(name, theirs.get("block").unwrap_or(&Json::Null), &ours.block);
    }
}

fn attribute(path: &str, theirs: &Json, ours: &Attribute) -> Vec<String> {
    let mut out = Vec::new();
    match theirs.get("type") {
        Some(t) => {
            let t = json_type(t);
            if t != ours.ty {
                out.push(format!("{path}: type: hashicorp/aws {t}, terrane {}", ours.ty));
            }
        }
        None => out.push(format!("{path}: type: hashicorp/aws a nested attribute, terrane {}", ours.ty)),
    }
    let (tf, of) = (their_flags(theirs), our_flags(ours));
    if tf != of {
        out.push(format!("{path}: flags: hashicorp/aws {tf}, terrane {of}"));
    }
    let ts = flag(theirs, "sensitive");
    if ts != ours.sensitive {
        out.push(format!("{path}: sensitive: hashicorp/aws {ts}, terrane {}", ours.sensitive));
    }
    out
}

/// The block's own properties (its contents are compared item by item).
fn block_itself(path: &str, theirs: &Json, ours: &NestedBlock) -> Vec<String> {
    let mut out = Vec::new();
    let (tn, on) = (their_nesting(theirs), our_nesting(ours));
    if tn != on {
        out.push(format!("{path}: nesting: hashicorp/aws {}, terrane {}", their_block(theirs), our_block(ours)));
    } else if tn != "single" {
        let tmin = theirs.get("min_items").and_then(Json::as_u64).unwrap_or(0);
        if tmin != ours.min_items as u64 {
            out.push(format!("{path}: min_items: hashicorp/aws {tmin}, terrane {}", ours.min_items));
        }
        let tmax = theirs.get("max_items").and_then(Json::as_u64);
        if tmax != ours.max_items.map(|n| n as u64) {
            let show = |n: Option<u64>| n.map_or("none".to_string(), |n| n.to_string());
            out.push(format!(
                "{path}: max_items: hashicorp/aws {}, terrane {}",
                show(tmax),
                show(ours.max_items.map(|n| n as u64))
            ));
        }
    }
    out
}

/// A value of `ty` that is not its zero value (what a configuration setting the argument has).
fn sample(ty: &Type) -> terrane_engine::value::Value {
    use terrane_engine::value::Value;
    match ty {
        Type::String => Value::from("x"),
        Type::Number => Value::from(1),
        Type::Bool => Value::Bool(true),
        Type::List(e) => Value::list((**e).clone(), vec![sample(e)]),
        Type::Set(e) => Value::set((**e).clone(), vec![sample(e)]),
        Type::Map(e) => Value::map((**e).clone(), BTreeMap::from([("k".to_string(), sample(e))])),
        Type::Object(o) => Value::object(o.attrs.iter().map(|(k, t)| (k.clone(), sample(t)))),
        other => panic!("no sample value of {other}"),
    }
}

/// A configuration block of `b` with every attribute set, as one block.
fn sample_block(b: &NestedBlock) -> terrane_engine::value::Value {
    use terrane_engine::value::Value;
    let one = Value::object(b.schema.attributes.iter().map(|(k, a)| (k.clone(), sample(&a.ty))));
    match b.nesting {
        Nesting::Single => one,
        Nesting::List => Value::list_of(vec![one]).unwrap(),
        Nesting::Set => Value::set_of(vec![one]).unwrap(),
    }
}

/// Every argument a type refuses ([`AwsProvider::refused_arguments`]) is in its schema (so a
/// configuration written for Terraform parses), and a configuration that sets it is refused at
/// validate with an error that names it and says why; one that leaves it out, or sets it to its
/// zero value (`false`, `0`: "off" in hashicorp/aws too), is not.
#[test]
fn refused_arguments_are_declared_and_refused_by_name() {
    use terrane_engine::value::Value;
    let provider = terrane_provider_aws::AwsProvider::default();
    let mut count = 0;
    for (name, schema) in &provider.schema().resources {
        for (arg, why) in terrane_provider_aws::AwsProvider::refused_arguments(name) {
            count += 1;
            assert!(!why.trim().is_empty(), "{name}.{arg}: refused without a reason");
            let value = match (schema.block.attributes.get(arg), schema.block.blocks.get(arg)) {
                (Some(a), _) => sample(&a.ty),
                (_, Some(b)) => sample_block(b),
                _ => panic!("{name}.{arg} is refused but not in the schema"),
            };
            let diags = provider.validate(name, &Value::object([(arg, value)]));
            assert!(
                diags
                    .iter()
                    .any(|d| d.is_error() && d.detail.contains(&format!("\"{arg}\"")) && d.detail.contains(why)),
                "{name}.{arg}: setting it is not refused by name: {diags:?}"
            );
            let zero = match (schema.block.attributes.get(arg), schema.block.blocks.get(arg)) {
                (Some(a), _) if a.ty == Type::Bool => Some(Value::Bool(false)),
                (_, Some(b)) if b.nesting != Nesting::Single => Some(Value::list(b.schema.value_type(), vec![])),
                _ => None,
            };
            for v in [Some(Value::null(Type::Dynamic)), zero].into_iter().flatten() {
                let diags = provider.validate(name, &Value::object([(arg, v.clone())]));
                assert!(
                    !diags.iter().any(|d| d.detail.contains(&format!("\"{arg}\""))),
                    "{name}.{arg} = {v:?} is refused: {diags:?}"
                );
            }
        }
    }
    println!("{count} arguments declared as hashicorp/aws has them and refused by name when set");
}

/// The listed differences: `TYPE.PATH: WHAT`, each with its comment (after `  #`), if any.
fn known() -> BTreeMap<String, String> {
    std::fs::read_to_string(dir().join("known_differences.txt"))
        .expect("tests/schema/known_differences.txt")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| match l.split_once("  #") {
            Some((d, c)) => (d.trim().to_string(), c.trim().to_string()),
            None => (l.trim().to_string(), String::new()),
        })
        .collect()
}

/// Removes the lines of differences that are gone (keeping comments and order).
fn prune(gone: &BTreeSet<&String>) {
    let path = dir().join("known_differences.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| {
            let d = l.split_once("  #").map_or(*l, |(d, _)| d).trim();
            !gone.iter().any(|g| g.as_str() == d)
        })
        .collect();
    std::fs::write(&path, kept.join("\n") + "\n").unwrap();
}

#[test]
fn schemas_equal_hashicorp_aws() {
    let reference: Json = serde_json::from_slice(
        &std::fs::read(dir().join("hashicorp_aws.json")).expect("tests/schema/hashicorp_aws.json"),
    )
    .expect("the reference is JSON");
    let provider = terrane_provider_aws::AwsProvider::default();
    let ours = provider.schema();

    let mut tally = Tally::default();
    for (kind, prefix, theirs, ours) in [
        ("resource_schemas", "", &reference["resource_schemas"], &ours.resources),
        ("data_source_schemas", "data.", &reference["data_source_schemas"], &ours.data_sources),
    ] {
        let theirs = theirs.as_object().unwrap_or_else(|| panic!("the reference has no {kind}"));
        let their_names: BTreeSet<&str> = theirs.keys().map(String::as_str).collect();
        let our_names: BTreeSet<&str> = ours.keys().map(String::as_str).collect();
        assert_eq!(
            their_names, our_names,
            "the {kind} of the reference are not the types terrane builds in; run tests/schema/regenerate.sh"
        );
        for (name, schema) in ours {
            tally.schema(&format!("{prefix}{name}"), &theirs[name.as_str()], schema);
        }
    }

    let known = known();
    let found: BTreeSet<&String> = tally.diffs.iter().collect();
    let unlisted: Vec<&&String> = found.iter().filter(|d| !known.contains_key(d.as_str())).collect();
    let gone: BTreeSet<&String> = known.keys().filter(|k| !found.contains(k)).collect();
    let deliberate = known.values().filter(|c| c.starts_with("deliberate:")).count();
    println!(
        "schema parity with hashicorp/aws {}: {} types checked; {} attributes and blocks checked, {} equal; \
         {} differences, {} listed ({} deliberate), {} unlisted, {} listed but gone; \
         {} types also take v6's per-resource region",
        reference["provider_version"].as_str().unwrap_or("?"),
        tally.types,
        tally.items,
        tally.equal,
        found.len(),
        found.len() - unlisted.len(),
        deliberate,
        unlisted.len(),
        gone.len(),
        tally.v6_region
    );
    assert_eq!(
        tally.v6_region + 1,
        tally.types,
        "every type takes v6's region argument (aws_s3_bucket's own region becomes settable)"
    );
    if !gone.is_empty() && std::env::var_os("TERRANE_SCHEMA_PRUNE").is_some() {
        prune(&gone);
        println!("removed {} lines from known_differences.txt", gone.len());
    }
    assert!(
        unlisted.is_empty(),
        "{} schema differences from hashicorp/aws are not in tests/schema/known_differences.txt:\n{}",
        unlisted.len(),
        unlisted.iter().map(|d| d.as_str()).collect::<Vec<_>>().join("\n")
    );
    assert!(
        gone.is_empty() || std::env::var_os("TERRANE_SCHEMA_PRUNE").is_some(),
        "{} listed differences are gone; remove them from tests/schema/known_differences.txt \
         (or run with TERRANE_SCHEMA_PRUNE=1):\n{}",
        gone.len(),
        gone.iter().map(|d| d.as_str()).collect::<Vec<_>>().join("\n")
    );
}
