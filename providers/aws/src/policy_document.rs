//! The IAM policy document model behind `data "aws_iam_policy_document"`, as the Terraform AWS
//! provider has it (`iam_policy_model.go`): documents merged statement by statement (a
//! statement with a Sid replaces the earlier one with that Sid), documents parsed as Go's
//! `encoding/json` parses them into that model, and JSON written byte for byte as Go writes
//! it: fields in the model's order (`Version`, `Id`, `Statement`; `Sid`, `Effect`, `Action`,
//! `NotAction`, `Resource`, `NotResource`, `Principal`, `NotPrincipal`, `Condition`), empty
//! ones left out, map keys sorted, `<`, `>` and `&` escaped, two-space indentation.

use serde_json::Value as Json;
use std::collections::BTreeMap;

/// A JSON value with its object members in the order they are written.
#[derive(Clone, Debug, PartialEq)]
pub enum Out {
    Null,
    Bool(bool),
    /// A number, already formatted as Go formats a float64.
    Num(String),
    Str(String),
    Arr(Vec<Out>),
    Obj(Vec<(String, Out)>),
}

/// One string or several (the model's `string` / `[]string` in an `any`).
#[derive(Clone, Debug, PartialEq)]
pub enum Strings {
    One(String),
    Many(Vec<String>),
}

impl Strings {
    /// A configured set of strings as the provider encodes it: the single element as a
    /// string, more sorted in reverse.
    pub fn from_config(mut items: Vec<String>) -> Strings {
        if items.len() == 1 {
            return Strings::One(items.remove(0));
        }
        items.sort();
        items.reverse();
        Strings::Many(items)
    }

    pub fn map(self, f: impl Fn(String) -> Result<String, String>) -> Result<Strings, String> {
        Ok(match self {
            Strings::One(s) => Strings::One(f(s)?),
            Strings::Many(v) => Strings::Many(v.into_iter().map(f).collect::<Result<_, _>>()?),
        })
    }

    pub fn out(&self) -> Out {
        match self {
            Strings::One(s) => Out::Str(s.clone()),
            Strings::Many(v) => Out::Arr(v.iter().cloned().map(Out::Str).collect()),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Principal {
    pub kind: String,
    pub identifiers: Strings,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    pub test: String,
    pub variable: String,
    pub values: Strings,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Statement {
    pub sid: String,
    pub effect: String,
    pub actions: Option<Out>,
    pub not_actions: Option<Out>,
    pub resources: Option<Out>,
    pub not_resources: Option<Out>,
    pub principals: Vec<Principal>,
    pub not_principals: Vec<Principal>,
    pub conditions: Vec<Condition>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Document {
    pub version: String,
    pub id: String,
    pub statements: Vec<Statement>,
}

impl Document {
    /// Merges `other` into this document: its Id (when set) and a newer Version win; its
    /// statements replace those with the same Sid and are appended otherwise.
    pub fn merge(&mut self, other: Document) {
        if !other.id.is_empty() {
            self.id = other.id;
        }
        if other.version > self.version {
            self.version = other.version;
        }
        for s in other.statements {
            match self.statements.iter_mut().find(|e| !s.sid.is_empty() && e.sid == s.sid) {
                Some(existing) => *existing = s,
                None => self.statements.push(s),
            }
        }
    }

    /// Parses a policy document as Go's `json.Unmarshal` fills the provider's model.
    pub fn parse(text: &str) -> Result<Document, String> {
        let v: Json = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let m = match &v {
            Json::Null => return Ok(Document::default()),
            Json::Object(m) => m,
            other => return Err(format!("cannot unmarshal {} into a policy document", kind(other))),
        };
        let statements = match field(m, "Statement") {
            None | Some(Json::Null) => Vec::new(),
            Some(Json::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, s)| match s {
                    Json::Object(sm) => parse_statement(sm),
                    other => Err(format!("statement {i}: cannot unmarshal {} into a statement", kind(other))),
                })
                .collect::<Result<_, _>>()?,
            Some(other) => return Err(format!("cannot unmarshal {} into field Statement (a list)", kind(other))),
        };
        Ok(Document { version: string_field(m, "Version")?, id: string_field(m, "Id")?, statements })
    }

    fn out(&self) -> Out {
        let mut o = Vec::new();
        if !self.version.is_empty() {
            o.push(("Version".to_string(), Out::Str(self.version.clone())));
        }
        if !self.id.is_empty() {
            o.push(("Id".to_string(), Out::Str(self.id.clone())));
        }
        if !self.statements.is_empty() {
            o.push(("Statement".to_string(), Out::Arr(self.statements.iter().map(Statement::out).collect())));
        }
        Out::Obj(o)
    }

    /// The document as `json.MarshalIndent(doc, "", "  ")` writes it.
    pub fn pretty(&self) -> String {
        let mut s = String::new();
        write(&mut s, &self.out(), Some(0));
        s
    }

    /// The document as `json.Marshal(doc)` writes it.
    pub fn compact(&self) -> String {
        let mut s = String::new();
        write(&mut s, &self.out(), None);
        s
    }
}

impl Statement {
    fn out(&self) -> Out {
        let mut o = Vec::new();
        let mut put = |k: &str, v: Out| o.push((k.to_string(), v));
        if !self.sid.is_empty() {
            put("Sid", Out::Str(self.sid.clone()));
        }
        if !self.effect.is_empty() {
            put("Effect", Out::Str(self.effect.clone()));
        }
        for (k, v) in [
            ("Action", &self.actions),
            ("NotAction", &self.not_actions),
            ("Resource", &self.resources),
            ("NotResource", &self.not_resources),
        ] {
            if let Some(v) = v {
                put(k, v.clone());
            }
        }
        if !self.principals.is_empty() {
            put("Principal", principals_out(&self.principals));
        }
        if !self.not_principals.is_empty() {
            put("NotPrincipal", principals_out(&self.not_principals));
        }
        if !self.conditions.is_empty() {
            put("Condition", conditions_out(&self.conditions));
        }
        Out::Obj(o)
    }
}

/// Principals by type (types sorted); a lone `*` principal is written as `"*"` (and only
/// that one: `{"AWS": "*"}` stays, IAM treats the two differently in trust policies).
fn principals_out(ps: &[Principal]) -> Out {
    if let [p] = ps
        && p.kind == "*"
    {
        match &p.identifiers {
            Strings::One(s) if s == "*" => return Out::Str("*".into()),
            Strings::Many(v) if v.len() == 1 && v[0] == "*" => return Out::Str("*".into()),
            _ => {}
        }
    }
    let mut raw: BTreeMap<&str, Strings> = BTreeMap::new();
    for p in ps {
        let entry = raw.remove(p.kind.as_str());
        let merged = match (&p.identifiers, entry) {
            (Strings::Many(ids), entry) => {
                let mut ids = ids.clone();
                ids.sort();
                ids.reverse();
                let mut all = match entry {
                    None => Vec::new(),
                    Some(Strings::One(s)) => vec![s],
                    Some(Strings::Many(v)) => v,
                };
                all.extend(ids);
                Strings::Many(all)
            }
            (Strings::One(id), None) => Strings::One(id.clone()),
            (Strings::One(id), Some(Strings::One(s))) => Strings::Many(vec![s, id.clone()]),
            (Strings::One(id), Some(Strings::Many(mut v))) => {
                v.push(id.clone());
                Strings::Many(v)
            }
        };
        raw.insert(&p.kind, merged);
    }
    Out::Obj(raw.into_iter().map(|(k, v)| (k.to_string(), v.out())).collect())
}

/// Conditions by operator and key (both sorted); the values of repeated operator/key pairs
/// are joined in order, and a single value is written as a string.
fn conditions_out(cs: &[Condition]) -> Out {
    let mut raw: BTreeMap<&str, BTreeMap<&str, Vec<String>>> = BTreeMap::new();
    for c in cs {
        let values = raw.entry(&c.test).or_default().entry(&c.variable).or_default();
        match &c.values {
            Strings::One(s) => values.push(s.clone()),
            Strings::Many(v) => values.extend(v.iter().cloned()),
        }
    }
    Out::Obj(
        raw.into_iter()
            .map(|(test, vars)| {
                let vars = vars
                    .into_iter()
                    .map(|(k, mut v)| {
                        let v = if v.len() == 1 { Strings::One(v.remove(0)) } else { Strings::Many(v) };
                        (k.to_string(), v.out())
                    })
                    .collect();
                (test.to_string(), Out::Obj(vars))
            })
            .collect(),
    )
}

// ---------------------------------------------------------------------------------------------
// Parsing, with Go's rules: field names match case-insensitively, null leaves a field unset.
// ---------------------------------------------------------------------------------------------

fn kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "bool",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

fn field<'a>(m: &'a serde_json::Map<String, Json>, name: &str) -> Option<&'a Json> {
    m.get(name).or_else(|| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v))
}

fn string_field(m: &serde_json::Map<String, Json>, name: &str) -> Result<String, String> {
    match field(m, name) {
        None | Some(Json::Null) => Ok(String::new()),
        Some(Json::String(s)) => Ok(s.clone()),
        Some(other) => Err(format!("cannot unmarshal {} into field {name} of type string", kind(other))),
    }
}

fn parse_statement(m: &serde_json::Map<String, Json>) -> Result<Statement, String> {
    let any = |name: &str| match field(m, name) {
        None | Some(Json::Null) => None,
        Some(v) => Some(generic(v)),
    };
    let principals = |name: &str| match field(m, name) {
        None => Ok(Vec::new()),
        Some(v) => parse_principals(v).map_err(|e| format!("{name}: {e}")),
    };
    Ok(Statement {
        sid: string_field(m, "Sid")?,
        effect: string_field(m, "Effect")?,
        actions: any("Action"),
        not_actions: any("NotAction"),
        resources: any("Resource"),
        not_resources: any("NotResource"),
        principals: principals("Principal")?,
        not_principals: principals("NotPrincipal")?,
        conditions: match field(m, "Condition") {
            None => Vec::new(),
            Some(v) => parse_conditions(v).map_err(|e| format!("Condition: {e}"))?,
        },
    })
}

fn parse_principals(v: &Json) -> Result<Vec<Principal>, String> {
    match v {
        Json::String(_) => Ok(vec![Principal { kind: "*".into(), identifiers: Strings::Many(vec!["*".into()]) }]),
        Json::Object(m) => m
            .iter()
            .map(|(k, v)| {
                let identifiers = match v {
                    Json::String(s) => Strings::One(s.clone()),
                    Json::Array(items) => {
                        let mut ids = items
                            .iter()
                            .map(|i| match i {
                                Json::String(s) => Ok(s.clone()),
                                other => Err(format!("identifiers of {k:?} must be strings, found {}", kind(other))),
                            })
                            .collect::<Result<Vec<_>, _>>()?;
                        ids.sort();
                        Strings::Many(ids)
                    }
                    other => return Err(format!("unsupported identifiers of {k:?}: {}", kind(other))),
                };
                Ok(Principal { kind: k.clone(), identifiers })
            })
            .collect(),
        other => Err(format!("unsupported principal: {}", kind(other))),
    }
}

fn parse_conditions(v: &Json) -> Result<Vec<Condition>, String> {
    let tests = match v {
        Json::Null => return Ok(Vec::new()),
        Json::Object(m) => m,
        other => return Err(format!("cannot unmarshal {} into conditions", kind(other))),
    };
    let mut out = Vec::new();
    for (test, keys) in tests {
        let keys = match keys {
            Json::Null => continue,
            Json::Object(k) => k,
            other => return Err(format!("cannot unmarshal {} into the keys of {test:?}", kind(other))),
        };
        for (variable, values) in keys {
            let values = match values {
                Json::String(s) => Strings::Many(vec![s.clone()]),
                Json::Bool(b) => Strings::One(b.to_string()),
                Json::Array(items) => Strings::Many(
                    items
                        .iter()
                        .map(|i| match i {
                            Json::String(s) => Ok(s.clone()),
                            other => Err(format!("values of {test} {variable} must be strings, found {}", kind(other))),
                        })
                        .collect::<Result<_, _>>()?,
                ),
                // The provider's model drops other values (numbers, objects).
                _ => continue,
            };
            out.push(Condition { test: test.clone(), variable: variable.clone(), values });
        }
    }
    Ok(out)
}

/// Any JSON value as Go writes it back from an `any`: objects with sorted keys, numbers as
/// float64.
fn generic(v: &Json) -> Out {
    match v {
        Json::Null => Out::Null,
        Json::Bool(b) => Out::Bool(*b),
        Json::Number(n) => Out::Num(go_float(n.as_f64().unwrap_or(0.0))),
        Json::String(s) => Out::Str(s.clone()),
        Json::Array(items) => Out::Arr(items.iter().map(generic).collect()),
        // serde_json's map is ordered by key, as Go orders map keys.
        Json::Object(m) => Out::Obj(m.iter().map(|(k, v)| (k.clone(), generic(v))).collect()),
    }
}

/// A float64 as Go's JSON encoder formats it: shortest form, exponent only below 1e-6 and
/// from 1e21.
fn go_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let s = format!("{f:e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        return match exp.strip_prefix('-') {
            Some(e) => format!("{mantissa}e-{e}"),
            None => format!("{mantissa}e+{exp:0>2}"),
        };
    }
    format!("{f}")
}

// ---------------------------------------------------------------------------------------------
// Writing, as Go's encoder does.
// ---------------------------------------------------------------------------------------------

fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Writes `v` compact (`depth` None) or indented by two spaces per level.
fn write(out: &mut String, v: &Out, depth: Option<usize>) {
    let newline = |out: &mut String, d: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(d));
    };
    match v {
        Out::Null => out.push_str("null"),
        Out::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Out::Num(n) => out.push_str(n),
        Out::Str(s) => write_str(out, s),
        Out::Arr(items) if items.is_empty() => out.push_str("[]"),
        Out::Obj(members) if members.is_empty() => out.push_str("{}"),
        Out::Arr(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if let Some(d) = depth {
                    newline(out, d + 1);
                }
                write(out, item, depth.map(|d| d + 1));
            }
            if let Some(d) = depth {
                newline(out, d);
            }
            out.push(']');
        }
        Out::Obj(members) => {
            out.push('{');
            for (i, (k, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if let Some(d) = depth {
                    newline(out, d + 1);
                }
                write_str(out, k);
                out.push_str(if depth.is_some() { ": " } else { ":" });
                write(out, item, depth.map(|d| d + 1));
            }
            if let Some(d) = depth {
                newline(out, d);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_go_escapes_them() {
        let mut s = String::new();
        write_str(&mut s, "a<b>&\"c\"\\\n\u{1}\u{8}é\u{2028}");
        assert_eq!(s, r#""a\u003cb\u003e\u0026\"c\"\\\n\u0001\bé\u2028""#);
    }

    #[test]
    fn floats_are_formatted_as_go_formats_them() {
        assert_eq!(go_float(1.0), "1");
        assert_eq!(go_float(1.5), "1.5");
        assert_eq!(go_float(1e21), "1e+21");
        assert_eq!(go_float(1e-7), "1e-7");
        assert_eq!(go_float(123456789.0), "123456789");
        assert_eq!(go_float(0.0), "0");
    }

    #[test]
    fn parsed_documents_are_written_back_in_the_models_order() {
        let doc = Document::parse(
            r#"{"statement":[{"Resource":{"b":1,"a":[true,null]},"Principal":{"AWS":["a","c","b"],"Service":"x"},
               "Condition":{"Null":{"k":false},"NumericLessThan":{"n":10},"StringLike":{"s":["1"]}},
               "Effect":"Deny","Extra":"dropped"}],"version":"2012-10-17"}"#,
        )
        .unwrap();
        assert_eq!(
            doc.compact(),
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Resource":{"a":[true,null],"b":1},"Principal":{"AWS":["c","b","a"],"Service":"x"},"Condition":{"Null":{"k":"false"},"StringLike":{"s":"1"}}}]}"#
        );
        assert_eq!(Document::parse("null").unwrap(), Document::default());
        assert!(Document::parse(r#"{"Statement":{"Effect":"Allow"}}"#).is_err());
        assert!(Document::parse(r#"{"Statement":[{"Sid":1}]}"#).unwrap_err().contains("Sid"));
        assert!(Document::parse(r#"{"Statement":[{"Principal":null}]}"#).is_err());
        assert_eq!(
            Document::parse(r#"{"Statement":[{"Principal":"anyone"}]}"#).unwrap().compact(),
            r#"{"Statement":[{"Principal":"*"}]}"#
        );
    }

    #[test]
    fn principals_of_one_type_are_joined() {
        let p = |ids: Strings| Principal { kind: "AWS".into(), identifiers: ids };
        let joined = principals_out(&[
            p(Strings::One("a".into())),
            p(Strings::Many(vec!["b".into(), "c".into()])),
            p(Strings::One("d".into())),
        ]);
        let mut s = String::new();
        write(&mut s, &joined, None);
        assert_eq!(s, r#"{"AWS":["a","c","b","d"]}"#);
        let star = principals_out(&[Principal { kind: "*".into(), identifiers: Strings::One("*".into()) }]);
        assert_eq!(star, Out::Str("*".into()));
    }

    #[test]
    fn pretty_printing_matches_marshal_indent() {
        let doc = Document {
            version: "2012-10-17".into(),
            id: String::new(),
            statements: vec![Statement {
                effect: "Allow".into(),
                actions: Some(Out::Arr(vec![])),
                conditions: vec![Condition {
                    test: "Bool".into(),
                    variable: "aws:SecureTransport".into(),
                    values: Strings::One("true".into()),
                }],
                ..Statement::default()
            }],
        };
        assert_eq!(
            doc.pretty(),
            "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": [],\n      \"Condition\": {\n        \"Bool\": {\n          \"aws:SecureTransport\": \"true\"\n        }\n      }\n    }\n  ]\n}"
        );
    }
}
