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
use async_trait::async_trait;
use std::collections::{BTreeSet, HashSet};
use terrane_engine::model::Model;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct IamPolicyDocument;

const DEFAULT_VERSION: &str = "2012-10-17";

/// A `data "aws_iam_policy_document"` object.
#[derive(Model, Clone, Debug, Default)]
struct PolicyDocumentObject {
    #[model(computed)]
    id: Option<String>,
    #[model(computed)]
    json: Option<String>,
    #[model(computed)]
    minified_json: Option<String>,
    #[model(optional, default = DEFAULT_VERSION)]
    version: String,
    #[model(optional)]
    policy_id: Option<String>,
    /// (Null elements are skipped, as Terraform does.)
    #[model(optional)]
    source_policy_documents: Option<Vec<Option<String>>>,
    #[model(optional)]
    override_policy_documents: Option<Vec<Option<String>>>,
    // The single-document forms hashicorp/aws still accepts (deprecated): the base the
    // source documents merge into, and the last override.
    #[model(optional)]
    source_json: Option<String>,
    #[model(optional)]
    override_json: Option<String>,
    #[model(block)]
    statement: Vec<StatementBlock>,
}

/// A `statement` block.
#[derive(Model, Clone, Debug, Default)]
struct StatementBlock {
    #[model(optional)]
    sid: Option<String>,
    #[model(optional, default = "Allow")]
    effect: String,
    #[model(optional)]
    actions: Option<BTreeSet<String>>,
    #[model(optional)]
    not_actions: Option<BTreeSet<String>>,
    #[model(optional)]
    resources: Option<BTreeSet<String>>,
    #[model(optional)]
    not_resources: Option<BTreeSet<String>>,
    #[model(block = "set")]
    principals: Vec<PrincipalsBlock>,
    #[model(block = "set")]
    not_principals: Vec<PrincipalsBlock>,
    #[model(block = "set")]
    condition: Vec<ConditionBlock>,
}

/// A `principals` or `not_principals` block.
#[derive(Model, Clone, Debug, Default)]
struct PrincipalsBlock {
    #[model(required, name = "type")]
    kind: String,
    #[model(required)]
    identifiers: BTreeSet<String>,
}

/// A `condition` block.
#[derive(Model, Clone, Debug, Default)]
struct ConditionBlock {
    #[model(required)]
    test: String,
    #[model(required)]
    variable: String,
    #[model(required)]
    values: Vec<String>,
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
fn string_set(items: &BTreeSet<String>) -> Vec<String> {
    sdk_set_order(items.iter().cloned().collect(), |s| format!("{s};"))
}

/// `&{...}` becomes `${...}` (AWS policy variables, which HCL would otherwise interpolate);
/// the 2008-10-17 language has no variables.
fn replace_vars(s: String, version: &str) -> std::result::Result<String, String> {
    if version == "2008-10-17" && s.contains("&{") {
        return Err(format!("found &{{ sequence in ({s}), which is not supported in document version 2008-10-17"));
    }
    Ok(s.replace("&{", "${"))
}

fn principals(blocks: &[PrincipalsBlock], version: &str) -> std::result::Result<Vec<Principal>, String> {
    let blocks: Vec<(String, Vec<String>)> =
        blocks.iter().map(|b| (b.kind.clone(), string_set(&b.identifiers))).collect();
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

fn conditions(blocks: &[ConditionBlock], version: &str) -> std::result::Result<Vec<Condition>, String> {
    let blocks: Vec<(String, String, Vec<String>)> =
        blocks.iter().map(|b| (b.test.clone(), b.variable.clone(), b.values.clone())).collect();
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

fn statement(stmt: &StatementBlock, version: &str) -> std::result::Result<Statement, String> {
    let effect = stmt.effect.clone();
    if effect != "Allow" && effect != "Deny" {
        return Err(format!("expected effect to be one of [\"Allow\" \"Deny\"], got {effect}"));
    }
    let sid = stmt.sid.clone().unwrap_or_default();
    if !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!("invalid sid {sid:?}: must only include alphanumeric characters"));
    }
    let list = |items: &Option<BTreeSet<String>>| {
        let items = items.as_ref().map(string_set).unwrap_or_default();
        (!items.is_empty()).then(|| Strings::from_config(items))
    };
    let with_vars = |k: &str, items: &Option<BTreeSet<String>>| -> std::result::Result<Option<Strings>, String> {
        list(items).map(|s| s.map(|x| replace_vars(x, version))).transpose().map_err(|e| format!("reading {k}: {e}"))
    };
    let out = |s: Option<Strings>| s.map(|s| s.out());
    Ok(Statement {
        sid,
        effect,
        actions: out(list(&stmt.actions)),
        not_actions: out(list(&stmt.not_actions)),
        resources: out(with_vars("resources", &stmt.resources)?),
        not_resources: out(with_vars("not_resources", &stmt.not_resources)?),
        principals: principals(&stmt.principals, version).map_err(|e| format!("reading principals: {e}"))?,
        not_principals: principals(&stmt.not_principals, version)
            .map_err(|e| format!("reading not_principals: {e}"))?,
        conditions: conditions(&stmt.condition, version).map_err(|e| format!("reading condition: {e}"))?,
    })
}

/// The configured documents of `k` (`items`), parsed (empty strings and nulls skipped, as
/// Terraform does).
fn documents(items: &Option<Vec<Option<String>>>, k: &str, what: &str) -> std::result::Result<Vec<Document>, String> {
    let mut out = Vec::new();
    for (i, item) in items.iter().flatten().enumerate() {
        let Some(text) = item.as_deref().filter(|t| !t.is_empty()) else { continue };
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
fn render(config: &PolicyDocumentObject) -> std::result::Result<Document, String> {
    let single = |k: &str, text: &Option<String>| -> std::result::Result<Option<Document>, String> {
        let Some(text) = text.as_deref().filter(|t| !t.is_empty()) else { return Ok(None) };
        serde_json::from_str::<serde_json::Value>(text)
            .map_err(|e| format!("\"{k}\" contains an invalid JSON: {e}"))?;
        Document::parse(text).map(Some).map_err(|e| format!("writing IAM Policy Document: reading {k}: {e}"))
    };
    let mut merged = single("source_json", &config.source_json)?.unwrap_or_default();
    let mut sids = HashSet::new();
    for (i, doc) in
        documents(&config.source_policy_documents, "source_policy_documents", "source")?.into_iter().enumerate()
    {
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
    let version = config.version.clone();
    if version != "2008-10-17" && version != "2012-10-17" {
        return Err(format!("expected version to be one of [\"2008-10-17\" \"2012-10-17\"], got {version}"));
    }
    let mut own =
        Document { version: version.clone(), id: config.policy_id.clone().unwrap_or_default(), statements: Vec::new() };
    let mut own_sids = HashSet::new();
    for stmt in &config.statement {
        let s = statement(stmt, &version)?;
        if !s.sid.is_empty() && !own_sids.insert(s.sid.clone()) {
            return Err(format!(
                "writing IAM Policy Document: duplicate Sid ({}). Remove the Sid or ensure the Sid is unique.",
                s.sid
            ));
        }
        own.statements.push(s);
    }
    merged.merge(own);
    for doc in documents(&config.override_policy_documents, "override_policy_documents", "override")? {
        merged.merge(doc);
    }
    if let Some(doc) = single("override_json", &config.override_json)? {
        merged.merge(doc);
    }
    Ok(merged)
}

/// The data source's result: the configuration with defaults filled (`version`, each
/// statement's `effect`), `json`, `minified_json` and `id` (the provider's CRC-32 hash code of
/// `json`).
pub fn compute(config: &Value) -> Result<Value> {
    let config = PolicyDocumentObject::from_value(config)?;
    let doc = render(&config).map_err(ProviderError::new)?;
    let json = doc.pretty();
    Ok(PolicyDocumentObject {
        id: Some(hash_code(&json)),
        minified_json: Some(doc.compact()),
        json: Some(json),
        ..config
    }
    .to_value())
}

#[async_trait]
impl DataSourceType for IamPolicyDocument {
    fn name(&self) -> &'static str {
        "aws_iam_policy_document"
    }

    fn schema(&self) -> Schema {
        PolicyDocumentObject::schema()
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
