//! Test support: compares a provider's built-in schemas with a reference recorded from the
//! Terraform provider it stands in for (`terraform providers schema -json`, or written from
//! that provider's source where its binary is not available), attribute by attribute and
//! block by block, at every depth: which attributes and blocks there are; an attribute's type,
//! required / optional / computed and sensitive; a block's nesting mode and, for lists and
//! sets, min and max items; the schema version. Not compared, because the reference format
//! does not say them: what forces replacement, defaults, descriptions, deprecation.
//!
//! Differences known and not fixed yet are listed in a file, one per line (`TYPE.PATH: WHAT`,
//! data sources as `data.TYPE.PATH`, optionally `  # comment`). The list only shrinks: a
//! difference it does not list fails, and so does a listed one that is gone
//! (`TERRANE_SCHEMA_PRUNE=1` removes those lines). A comment starting with `deliberate:` marks
//! a difference kept on purpose, and says why.

use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use terrane_engine::schema::{Attribute, NestedBlock, Nesting, ProviderSchema, ResourceSchema, Schema};
use terrane_engine::value::Type;

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
pub struct Tally<'a> {
    /// The reference's name in messages (`hashicorp/aws`).
    them: String,
    /// Whether an attribute terrane has and the reference lacks is accepted (counted in
    /// `accepted_extras`, not a difference): (type path, name, attribute).
    accept_extra: &'a dyn Fn(&str, &str, &Attribute) -> bool,
    pub accepted_extras: usize,
    pub types: usize,
    /// Attributes and blocks compared (at every depth; a block missing on one side counts once).
    pub items: usize,
    /// Of those, the ones without any difference.
    pub equal: usize,
    /// One line per difference: `TYPE.PATH: WHAT`.
    pub diffs: Vec<String>,
}

impl Tally<'_> {
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
                (Some(t), _, Some(o), _) => self.item(attribute(&self.them, &p, t, o)),
                (_, Some(t), _, Some(o)) => {
                    self.item(block_itself(&self.them, &p, t, o));
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
                    "an attribute in {} ({}), a block in terrane ({})",
                    self.them,
                    their_attr(t),
                    our_block(o)
                ))),
                (_, Some(t), Some(o), _) => self.item(d(format!(
                    "a block in {} ({}), an attribute in terrane ({})",
                    self.them,
                    their_block(t),
                    our_attr(o)
                ))),
                (Some(t), _, None, None) => self.item(d(format!("missing attribute ({})", their_attr(t)))),
                (_, Some(t), None, None) => self.item(d(format!("missing block ({})", their_block(t)))),
                (None, None, Some(o), _) if (self.accept_extra)(path, name, o) => {
                    self.accepted_extras += 1;
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
            self.diffs.push(format!("{name}: schema_version: {} {version}, terrane {}", self.them, ours.version));
        }
        self.block(name, theirs.get("block").unwrap_or(&Json::Null), &ours.block);
    }
}

fn attribute(them: &str, path: &str, theirs: &Json, ours: &Attribute) -> Vec<String> {
    let mut out = Vec::new();
    match theirs.get("type") {
        Some(t) => {
            let t = json_type(t);
            if t != ours.ty {
                out.push(format!("{path}: type: {them} {t}, terrane {}", ours.ty));
            }
        }
        None => out.push(format!("{path}: type: {them} a nested attribute, terrane {}", ours.ty)),
    }
    let (tf, of) = (their_flags(theirs), our_flags(ours));
    if tf != of {
        out.push(format!("{path}: flags: {them} {tf}, terrane {of}"));
    }
    let ts = flag(theirs, "sensitive");
    if ts != ours.sensitive {
        out.push(format!("{path}: sensitive: {them} {ts}, terrane {}", ours.sensitive));
    }
    out
}

/// The block's own properties (its contents are compared item by item).
fn block_itself(them: &str, path: &str, theirs: &Json, ours: &NestedBlock) -> Vec<String> {
    let mut out = Vec::new();
    let (tn, on) = (their_nesting(theirs), our_nesting(ours));
    if tn != on {
        out.push(format!("{path}: nesting: {them} {}, terrane {}", their_block(theirs), our_block(ours)));
    } else if tn != "single" {
        let tmin = theirs.get("min_items").and_then(Json::as_u64).unwrap_or(0);
        if tmin != ours.min_items as u64 {
            out.push(format!("{path}: min_items: {them} {tmin}, terrane {}", ours.min_items));
        }
        let tmax = theirs.get("max_items").and_then(Json::as_u64);
        if tmax != ours.max_items.map(|n| n as u64) {
            let show = |n: Option<u64>| n.map_or("none".to_string(), |n| n.to_string());
            out.push(format!(
                "{path}: max_items: {them} {}, terrane {}",
                show(tmax),
                show(ours.max_items.map(|n| n as u64))
            ));
        }
    }
    out
}

/// The listed differences: `TYPE.PATH: WHAT`, each with its comment (after `  #`), if any.
fn known(path: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| match l.split_once("  #") {
            Some((d, c)) => (d.trim().to_string(), c.trim().to_string()),
            None => (l.trim().to_string(), String::new()),
        })
        .collect()
}

/// Removes the lines of differences that are gone (keeping comments and order).
fn prune(path: &Path, gone: &BTreeSet<&String>) {
    let text = std::fs::read_to_string(path).unwrap();
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| {
            let d = l.split_once("  #").map_or(*l, |(d, _)| d).trim();
            !gone.iter().any(|g| g.as_str() == d)
        })
        .collect();
    std::fs::write(path, kept.join("\n") + "\n").unwrap();
}

/// What [`check`] compares against: the reference file, the known-differences file, and the
/// reference's name in messages.
pub struct Reference<'a> {
    pub json: &'a Path,
    pub known: &'a Path,
    pub name: &'a str,
}

/// Compares `ours` with the reference, prints the tally and fails (panics) on any difference
/// the known list does not have, or a listed one that is gone. `accept_extra` says which
/// attributes terrane has beyond the reference are accepted (counted apart).
pub fn check<'a>(
    reference: &Reference<'_>,
    ours: &ProviderSchema,
    accept_extra: &'a dyn Fn(&str, &str, &Attribute) -> bool,
) -> Tally<'a> {
    let json: Json = serde_json::from_slice(
        &std::fs::read(reference.json).unwrap_or_else(|e| panic!("{}: {e}", reference.json.display())),
    )
    .expect("the reference is JSON");
    let mut tally = Tally {
        them: reference.name.to_string(),
        accept_extra,
        accepted_extras: 0,
        types: 0,
        items: 0,
        equal: 0,
        diffs: Vec::new(),
    };
    for (kind, prefix, theirs, ours) in [
        ("resource_schemas", "", &json["resource_schemas"], &ours.resources),
        ("data_source_schemas", "data.", &json["data_source_schemas"], &ours.data_sources),
    ] {
        let empty = serde_json::Map::new();
        let theirs = theirs.as_object().unwrap_or(&empty);
        let their_names: BTreeSet<&str> = theirs.keys().map(String::as_str).collect();
        let our_names: BTreeSet<&str> = ours.keys().map(String::as_str).collect();
        assert_eq!(their_names, our_names, "the {kind} of the reference are not the types terrane builds in");
        for (name, schema) in ours {
            tally.schema(&format!("{prefix}{name}"), &theirs[name.as_str()], schema);
        }
    }

    let known = known(reference.known);
    let found: BTreeSet<&String> = tally.diffs.iter().collect();
    let unlisted: Vec<&&String> = found.iter().filter(|d| !known.contains_key(d.as_str())).collect();
    let gone: BTreeSet<&String> = known.keys().filter(|k| !found.contains(k)).collect();
    let deliberate = known.values().filter(|c| c.starts_with("deliberate:")).count();
    println!(
        "schema parity with {} {}: {} types checked; {} attributes and blocks checked, {} equal; \
         {} differences, {} listed ({} deliberate), {} unlisted, {} listed but gone; {} accepted extras",
        reference.name,
        json["provider_version"].as_str().unwrap_or("?"),
        tally.types,
        tally.items,
        tally.equal,
        found.len(),
        found.len() - unlisted.len(),
        deliberate,
        unlisted.len(),
        gone.len(),
        tally.accepted_extras
    );
    let prune_asked = std::env::var_os("TERRANE_SCHEMA_PRUNE").is_some();
    if !gone.is_empty() && prune_asked {
        prune(reference.known, &gone);
        println!("removed {} lines from {}", gone.len(), reference.known.display());
    }
    assert!(
        unlisted.is_empty(),
        "{} schema differences from {} are not in {}:\n{}",
        unlisted.len(),
        reference.name,
        reference.known.display(),
        unlisted.iter().map(|d| d.as_str()).collect::<Vec<_>>().join("\n")
    );
    assert!(
        gone.is_empty() || prune_asked,
        "{} listed differences are gone; remove them from {} (or run with TERRANE_SCHEMA_PRUNE=1):\n{}",
        gone.len(),
        reference.known.display(),
        gone.iter().map(|d| d.as_str()).collect::<Vec<_>>().join("\n")
    );
    tally
}
