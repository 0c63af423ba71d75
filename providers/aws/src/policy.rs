//! Policy documents (IAM role, role policy, KMS key and bucket policies) compared as AWS and
//! Terraform compare them: whitespace, key order, statement order, a single string versus a
//! one-element list and an account ID versus its root ARN make no difference; stored
//! normalised as Terraform stores them.

use crate::resource::invalid;
use crate::val;
use serde_json::Value as J;
use terrane_engine::diag::Diagnostic;
use terrane_engine::provider::PlanResponse;
use terrane_engine::value::{PathStep, Type, Value};

/// IAM returns policy documents URL-encoded (RFC 3986).
pub fn url_decode(s: &str) -> String {
    if s.trim_start().starts_with('{') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (b[i], b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// JSON with object keys sorted at every depth (whatever serde_json's map order).
fn sorted(v: &J) -> J {
    match v {
        J::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            J::Object(keys.into_iter().map(|k| (k.clone(), sorted(&m[k]))).collect())
        }
        J::Array(items) => J::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// Compact JSON as Go's encoder writes it (`<`, `>`, `&` escaped), which is what Terraform
/// stores.
fn go_json(v: &J) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// Terraform's `NormalizeJsonString`: compact, keys sorted. `None` for invalid JSON.
pub fn normalize_json(s: &str) -> Option<String> {
    serde_json::from_str::<J>(s).ok().map(|v| go_json(&sorted(&v)))
}

/// Terraform's legacy policy normalisation (inline policies): normalised JSON with `Version`
/// first.
pub fn normalize_policy(s: &str) -> Option<String> {
    let v = sorted(&serde_json::from_str::<J>(s).ok()?);
    let J::Object(m) = &v else { return Some(go_json(&v)) };
    let Some(version) = m.get("Version") else { return Some(go_json(&v)) };
    let mut parts = vec![format!("\"Version\":{}", go_json(version))];
    parts.extend(
        m.iter()
            .filter(|(k, _)| *k != "Version")
            .map(|(k, x)| format!("{}:{}", go_json(&J::String(k.clone())), go_json(x))),
    );
    Some(format!("{{{}}}", parts.join(",")))
}

/// A string or list of strings as a sorted set; other values as their JSON.
fn string_set(v: Option<&J>) -> J {
    let mut items: Vec<String> = match v {
        None | Some(J::Null) => Vec::new(),
        Some(J::Array(a)) => a.iter().map(scalar).collect(),
        Some(x) => vec![scalar(x)],
    };
    items.sort();
    items.dedup();
    J::Array(items.into_iter().map(J::String).collect())
}

fn scalar(v: &J) -> String {
    match v {
        J::String(s) => s.clone(),
        other => go_json(&sorted(other)),
    }
}

/// `arn:aws:iam::123456789012:root` and `123456789012` name the same principal.
fn principal(p: &str) -> String {
    let parts: Vec<&str> = p.split(':').collect();
    match parts.as_slice() {
        ["arn", _, "iam", "", account, "root"]
            if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) =>
        {
            (*account).to_string()
        }
        _ => p.to_string(),
    }
}

fn principals(v: &J) -> J {
    match v {
        J::String(s) => J::String(principal(s)),
        J::Object(m) => {
            let mut out = serde_json::Map::new();
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            for k in keys {
                let J::Array(set) = string_set(Some(&m[k])) else { continue };
                let mut set: Vec<String> = set.iter().filter_map(|s| s.as_str().map(principal)).collect();
                set.sort();
                set.dedup();
                if !set.is_empty() {
                    out.insert(k.clone(), J::Array(set.into_iter().map(J::String).collect()));
                }
            }
            J::Object(out)
        }
        other => sorted(other),
    }
}

fn statement(s: &J) -> J {
    let J::Object(m) = s else { return sorted(s) };
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort();
    let mut out = serde_json::Map::new();
    for k in keys {
        let v = &m[k];
        let c = match k.as_str() {
            "Sid" | "Effect" if v.as_str() == Some("") => continue,
            "Effect" => J::String(v.as_str().map(str::to_lowercase).unwrap_or_else(|| scalar(v))),
            "Action" | "NotAction" | "Resource" | "NotResource" => match string_set(Some(v)) {
                J::Array(a) if a.is_empty() => continue,
                set => set,
            },
            "Principal" | "NotPrincipal" => principals(v),
            "Condition" => match v {
                J::Object(ops) => {
                    let mut ops_out = serde_json::Map::new();
                    let mut op_keys: Vec<&String> = ops.keys().collect();
                    op_keys.sort();
                    for op in op_keys {
                        let inner = match &ops[op] {
                            J::Object(keys) => {
                                let mut ks: Vec<&String> = keys.keys().collect();
                                ks.sort();
                                J::Object(ks.into_iter().map(|ck| (ck.clone(), string_set(Some(&keys[ck])))).collect())
                            }
                            other => sorted(other),
                        };
                        ops_out.insert(op.clone(), inner);
                    }
                    J::Object(ops_out)
                }
                other => sorted(other),
            },
            _ => sorted(v),
        };
        out.insert(k.clone(), c);
    }
    J::Object(out)
}

/// A policy document in a form where equivalent policies are equal.
fn canonical_policy(v: &J) -> Option<J> {
    let J::Object(m) = v else { return None };
    let stmts: Vec<J> = match m.get("Statement")? {
        J::Array(a) => a.clone(),
        o @ J::Object(_) => vec![o.clone()],
        _ => return None,
    };
    let mut cs: Vec<String> = stmts.iter().map(|s| go_json(&statement(s))).collect();
    cs.sort();
    cs.dedup();
    let mut out = serde_json::Map::new();
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort();
    for k in keys {
        match k.as_str() {
            "Statement" => {}
            "Version" | "Id" if m[k].as_str() == Some("") => {}
            _ => {
                out.insert(k.clone(), sorted(&m[k]));
            }
        }
    }
    out.insert("Statement".into(), J::Array(cs.into_iter().map(J::String).collect()));
    Some(J::Object(out))
}

/// Whether two policy documents mean the same (Terraform's `awspolicyequivalence`): JSON
/// whitespace and key order, statement order, a single string versus a one-element list, an
/// account ID versus its root ARN make no difference. Any JSON that is not a policy compares
/// as normalised JSON.
pub fn policies_equivalent(a: &str, b: &str) -> bool {
    let (Ok(x), Ok(y)) = (serde_json::from_str::<J>(a), serde_json::from_str::<J>(b)) else { return false };
    match (canonical_policy(&x), canonical_policy(&y)) {
        (Some(p), Some(q)) => p == q,
        _ => sorted(&x) == sorted(&y),
    }
}

/// The value to store for a policy read from AWS: the stored value while it means the same
/// (so formatting never shows as a change), else AWS's, normalised.
pub fn policy_to_set(stored: Option<&str>, remote: &str, legacy: bool) -> String {
    match stored {
        Some(s) if policies_equivalent(s, remote) => s.to_string(),
        _ => (if legacy { normalize_policy(remote) } else { normalize_json(remote) })
            .unwrap_or_else(|| remote.to_string()),
    }
}

/// Plans a policy attribute: the prior value while the configuration means the same, else the
/// configuration normalised (what Terraform stores).
pub fn plan_policy(prior: Option<&Value>, plan: &mut PlanResponse, key: &str, legacy: bool) {
    if let Some(u) = plan.planned.get_attr(key).filter(|v| v.is_unknown()) {
        // The text is normalised at apply, so what the configuration's refinements promise
        // (a prefix of the text as written) does not hold; only that it is not null.
        let plain = Value::unknown(Type::String);
        let plain = if u.range().definitely_not_null() { plain.refine_not_null() } else { plain };
        let plain = plain.with_marks(u.marks());
        plan.planned.set_at_path(&[PathStep::Attr(key.into())], plain);
        return;
    }
    let Some(cfg) = plan.planned.get_attr(key).and_then(Value::as_str).map(str::to_string) else { return };
    let before = prior.and_then(|p| val::string(p, key));
    let v = match before {
        Some(b) if plan.requires_replace.is_empty() && policies_equivalent(&b, &cfg) => b,
        _ => (if legacy { normalize_policy(&cfg) } else { normalize_json(&cfg) }).unwrap_or(cfg),
    };
    plan.planned.set_at_path(&[PathStep::Attr(key.into())], Value::from(v));
}

/// An error when a known policy argument is not a JSON object.
pub fn validate_policy(config: &Value, key: &str) -> Vec<Diagnostic> {
    match val::string(config, key) {
        Some(s) if !matches!(serde_json::from_str::<J>(&s), Ok(J::Object(_))) => {
            vec![invalid(
                &format!("Invalid {key}"),
                format!("\"{key}\" must be a JSON object (a policy document); got {s:?}."),
            )]
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

    #[test]
    fn equivalent_policies_ignore_formatting_and_order() {
        let b = r#"{
          "Statement": {
            "Action": ["sts:AssumeRole"],
            "Principal": { "Service": ["ec2.amazonaws.com"] },
            "Effect": "Allow"
          },
          "Version": "2012-10-17"
        }"#;
        assert!(policies_equivalent(A, b));
        assert!(!policies_equivalent(A, &A.replace("ec2", "ecs")));
        assert!(!policies_equivalent(A, "not json"));
        let two = r#"{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"},{"Sid":"b","Effect":"Deny","Action":"s3:Delete*","Resource":"*"}]}"#;
        let swapped = r#"{"Version":"2012-10-17","Statement":[{"Sid":"b","Effect":"Deny","Action":"s3:Delete*","Resource":["*"]},{"Sid":"a","Effect":"allow","Action":["s3:List*","s3:Get*"],"Resource":"*"}]}"#;
        assert!(policies_equivalent(two, swapped));
        let root = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#;
        assert!(policies_equivalent(root, &root.replace("arn:aws:iam::123456789012:root", "123456789012")));
    }

    #[test]
    fn normalisation_matches_terraform() {
        assert_eq!(
            normalize_json("{ \"b\": 1, \"a\": [ \"x\", \"<y>\" ] }").unwrap(),
            r#"{"a":["x","\u003cy\u003e"],"b":1}"#
        );
        assert_eq!(
            normalize_policy(r#"{"Statement":[],"Version":"2012-10-17"}"#).unwrap(),
            r#"{"Version":"2012-10-17","Statement":[]}"#
        );
        assert_eq!(policy_to_set(Some(A), &A.replace(',', ", "), false), A);
        assert_eq!(
            policy_to_set(Some(A), &A.replace("ec2", "ecs"), false),
            normalize_json(&A.replace("ec2", "ecs")).unwrap()
        );
    }

    #[test]
    fn url_decoding() {
        assert_eq!(url_decode("%7B%22a%22%3A%20%22b%2Bc%22%7D"), r#"{"a": "b+c"}"#);
        assert_eq!(url_decode(r#"{"a":"%20"}"#), r#"{"a":"%20"}"#);
    }
}
