//! `data "aws_iam_policy_document"`: a policy document built from HCL blocks, rendered exactly
//! as the Terraform AWS provider renders it (so a configuration moved over from Terraform
//! plans no change to the policies it feeds). A pure function of the configuration: no API
//! call, no credentials.
//!
//! Terraform hands the provider `principals` and `condition` blocks (sets) ordered by the
//! plugin SDK's set hash (CRC-32 of a serialisation, compared as decimal strings). That order
//! shows where several blocks share a principal type or a condition key, so it is reproduced
//! here.

use crate::policy_document::{Condition, Document, Principal, Statement, Strings};
use crate::resource::{Ctx, DataSourceType, Result};
use crate::val;
use async_trait::async_trait;
use std::collections::HashSet;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::{Attribute, NestedBlock, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::{PathStep, Value};

pub struct IamPolicyDocument;

const DEFAULT_VERSION: &str = "2012-10-17";

fn principals_schema() -> NestedBlock {
    NestedBlock::set(
        Schema::new()
            .attr("type", Attribute::required(Type::String))
            .attr("identifiers", Attribute::required(Type::set(Type::String))),
    )
}

fn schema() -> Schema {
    let strings = || Attribute::optional(Type::set(Type::String));
    Schema::new()
        .attr("id", Attribute::computed(Type::String))
        .attr("json", Attribute::computed(Type::String))
        .attr("minified_json", Attribute::computed(Type::String))
        .attr("version", Attribute::optional(Type::String).default(DEFAULT_VERSION))
        .attr("policy_id", Attribute::optional(Type::String))
        .attr("source_policy_documents", Attribute::optional(Type::list(Type::String)))
        .attr("override_policy_documents", Attribute::optional(Type::list(Type::String)))
        // The single-document forms hashicorp/aws still accepts (deprecated): the base the
        // source documents merge into, and the last override.
        .attr("source_json", Attribute::optional(Type::String))
        .attr("override_json", Attribute::optional(Type::String))
        .block(
            "statement",
            NestedBlock::list(
                Schema::new()
                    .attr("sid", Attribute::optional(Type::String))
                    .attr("effect", Attribute::optional(Type::String).default("Allow"))
                    .attr("actions", strings())
                    .attr("not_actions", strings())
                    .attr("resources", strings())
                    .attr("not_resources", strings())
                    .block("principals", principals_schema())
                    .block("not_principals", principals_schema())
                    .block(
                        "condition",
                        NestedBlock::set(
                            Schema::new()
                                .attr("test", Attribute::required(Type::String))
                                .attr("variable", Attribute::required(Type::String))
                                .attr("values", Attribute::required(Type::list(Type::String))),
                        ),
                    ),
            ),
        )
}

/// The plugin SDK's hash code of a serialised set element, as the string it sorts by.
fn hash_code(serialised: &str) -> String {
    let mut crc = !0u32;
    for &b in serialised.as_bytes() {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    (!crc).to_string()
}

/// Elements in the SDK's set order (by hash code string), duplicates by hash dropped.
fn sdk_set_order<T>(items: Vec<T>, serialise: impl Fn(&T) -> String) -> Vec<T> {
    let mut keyed: Vec<(String, T)> = items.into_iter().map(|i| (hash_code(&serialise(&i)), i)).collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.dedup_by(|a, b| a.0 == b.0);
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// A set of strings in the SDK's order (each element hashed as `value;`).
fn string_set(v: &Value, k: &str) -> Vec<String> {
    sdk_set_order(val::strings(v, k), |s| format!("{s};"))
}

/// `&{...}` becomes `${...}` (AWS policy variables, which HCL would otherwise interpolate);
/// the 2008-10-17 language has no variables.
fn replace_vars(s: String, version: &str) -> std::result::Result<String, String> {
    if version == "2008-10-17" && s.contains("&{") {
        return Err(format!("found &{{ sequence in ({s}), which is not supported in document version 2008-10-17"));
    }
    Ok(s.replace("&{", "${"))
}

fn principals(stmt: &Value, k: &str, version: &str) -> std::result::Result<Vec<Principal>, String> {
    let blocks: Vec<(String, Vec<String>)> = val::blocks(stmt, k)
        .iter()
        .map(|b| (val::string(b, "type").unwrap_or_default(), string_set(b, "identifiers")))
        .collect();
    let ordered = sdk_set_order(blocks, |(kind, ids)| {
        format!("identifiers:{{{}}};type:{kind};", ids.iter().map(|i| format!("{i};")).collect::<String>())
    });
    ordered
        .into_iter()
        .map(|(kind, ids)| {
            let identifiers = Strings::from_config(ids)
                .map(|s| replace_vars(s, version))
                .map_err(|e| format!("reading identifiers: {e}"))?;
            Ok(Principal { kind, identifiers })
        })
        .collect()
}

fn conditions(stmt: &Value, version: &str) -> std::result::Result<Vec<Condition>, String> {
    let blocks: Vec<(String, String, Vec<String>)> = val::blocks(stmt, "condition")
        .iter()
        .map(|b| {
            (val::string(b, "test").unwrap_or_default(), val::string(b, "variable").unwrap_or_default(), {
                val::strings(b, "values")
            })
        })
        .collect();
    let ordered = sdk_set_order(blocks, |(test, variable, values)| {
        format!(
            "test:{test};values:({});variable:{variable};",
            values.iter().map(|v| format!("{v};")).collect::<String>()
        )
    });
    ordered
        .into_iter()
        .map(|(test, variable, values)| {
            let mut values = values
                .into_iter()
                .map(|v| replace_vars(v, version))
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| format!("reading values: {e}"))?;
            let values = if values.len() == 1 { Strings::One(values.remove(0)) } else { Strings::Many(values) };
            Ok(Condition { test, variable, values })
        })
        .collect()
}

fn statement(stmt: &Value, version: &str) -> std::result::Result<Statement, String> {
    let effect = val::string(stmt, "effect").unwrap_or_else(|| "Allow".into());
    if effect != "Allow" && effect != "Deny" {
        return Err(format!("expected effect to be one of [\"Allow\" \"Deny\"], got {effect}"));
    }
    let sid = val::string(stmt, "sid").unwrap_or_default();
    if !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!("invalid sid {sid:?}: must only include alphanumeric characters"));
    }
    let list = |k: &str| {
        let items = string_set(stmt, k);
        (!items.is_empty()).then(|| Strings::from_config(items))
    };
    let with_vars = |k: &str| -> std::result::Result<Option<Strings>, String> {
        list(k).map(|s| s.map(|x| replace_vars(x, version))).transpose().map_err(|e| format!("reading {k}: {e}"))
    };
    let out = |s: Option<Strings>| s.map(|s| s.out());
    Ok(Statement {
        sid,
        effect,
        actions: out(list("actions")),
        not_actions: out(list("not_actions")),
        resources: out(with_vars("resources")?),
        not_resources: out(with_vars("not_resources")?),
        principals: principals(stmt, "principals", version).map_err(|e| format!("reading principals: {e}"))?,
        not_principals: principals(stmt, "not_principals", version)
            .map_err(|e| format!("reading not_principals: {e}"))?,
        conditions: conditions(stmt, version).map_err(|e| format!("reading condition: {e}"))?,
    })
}

/// The configured documents of `k`, parsed (empty strings and nulls skipped, as Terraform
/// does).
fn documents(config: &Value, k: &str, what: &str) -> std::result::Result<Vec<Document>, String> {
    let items = config.get_attr(k).and_then(Value::as_seq).unwrap_or(&[]);
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(text) = item.as_str().filter(|t| !t.is_empty()) else { continue };
        if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
            return Err(format!("\"{k}.{i}\" contains an invalid JSON: {e}"));
        }
        out.push(
            Document::parse(text)
                .map_err(|e| format!("writing IAM Policy Document: merging {what} document {i}: {e}"))?,
        );
    }
    Ok(out)
}

/// The merged document: source documents (Sids unique across them), then the statements
/// configured here, then the override documents, each replacing statements with its Sids.
pub fn render(config: &Value) -> std::result::Result<Document, String> {
    let single = |k: &str| -> std::result::Result<Option<Document>, String> {
        let Some(text) = val::string(config, k).filter(|t| !t.is_empty()) else { return Ok(None) };
        serde_json::from_str::<serde_json::Value>(&text)
            .map_err(|e| format!("\"{k}\" contains an invalid JSON: {e}"))?;
        Document::parse(&text).map(Some).map_err(|e| format!("writing IAM Policy Document: reading {k}: {e}"))
    };
    let mut merged = single("source_json")?.unwrap_or_default();
    let mut sids = HashSet::new();
    for (i, doc) in documents(config, "source_policy_documents", "source")?.into_iter().enumerate() {
        for (j, s) in doc.statements.iter().enumerate() {
            if !s.sid.is_empty() && !sids.insert(s.sid.clone()) {
                return Err(format!(
                    "writing IAM Policy Document: merging source document {i}: duplicate Sid ({}) in source_policy_documents (statement {j}). Remove the Sid or ensure Sids are unique.",
                    s.sid
                ));
            }
        }
        merged.merge(doc);
    }
    let version = val::string(config, "version").unwrap_or_else(|| DEFAULT_VERSION.into());
    if version != "2008-10-17" && version != "2012-10-17" {
        return Err(format!("expected version to be one of [\"2008-10-17\" \"2012-10-17\"], got {version}"));
    }
    let mut own = Document {
        version: version.clone(),
        id: val::string(config, "policy_id").unwrap_or_default(),
        statements: Vec::new(),
    };
    let mut own_sids = HashSet::new();
    for stmt in val::blocks(config, "statement") {
        let s = statement(&stmt, &version)?;
        if !s.sid.is_empty() && !own_sids.insert(s.sid.clone()) {
            return Err(format!(
                "writing IAM Policy Document: duplicate Sid ({}). Remove the Sid or ensure the Sid is unique.",
                s.sid
            ));
        }
        own.statements.push(s);
    }
    merged.merge(own);
    for doc in documents(config, "override_policy_documents", "override")? {
        merged.merge(doc);
    }
    if let Some(doc) = single("override_json")? {
        merged.merge(doc);
    }
    Ok(merged)
}

/// The data source's result: the configuration with defaults filled, `json`,
/// `minified_json` and `id` (the provider's CRC-32 hash code of `json`).
pub fn compute(config: &Value) -> Result<Value> {
    let doc = render(config).map_err(ProviderError::new)?;
    let json = doc.pretty();
    let mut v = config.clone();
    let attr = |k: &str| PathStep::Attr(k.into());
    if val::string(config, "version").is_none() {
        v.set_at_path(&[attr("version")], Value::from(DEFAULT_VERSION));
    }
    for (i, stmt) in val::blocks(config, "statement").iter().enumerate() {
        if val::string(stmt, "effect").is_none() {
            v.set_at_path(&[attr("statement"), PathStep::Index(i), attr("effect")], Value::from("Allow"));
        }
    }
    v.set_at_path(&[attr("id")], Value::from(hash_code(&json)));
    v.set_at_path(&[attr("minified_json")], Value::from(doc.compact()));
    v.set_at_path(&[attr("json")], Value::from(json));
    Ok(v)
}

#[async_trait]
impl DataSourceType for IamPolicyDocument {
    fn name(&self) -> &'static str {
        "aws_iam_policy_document"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn compute(&self, config: &Value) -> Option<Result<Value>> {
        Some(compute(config))
    }

    async fn read(&self, _c: &Ctx<'_>, config: &Value) -> Result<Value> {
        compute(config)
    }
}

#[cfg(test)]
#[path = "iam_policy_document_tests.rs"]
mod tests;
