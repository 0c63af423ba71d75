//! The rendering checked against the JSON the Terraform AWS provider documents and tests:
//! the examples of its documentation page (with `"Sid": ""` removed: since v5 the provider
//! leaves empty Sids out, as its own acceptance tests expect) and its acceptance tests'
//! expected documents.

use super::*;
use terrane_engine::eval::{EmptyScope, Evaluator, decode_body};
use terrane_engine::value::PathStep;

/// The configuration value the engine decodes from a `data "aws_iam_policy_document"` body.
fn decode(body: &str) -> Value {
    let src = format!("data \"aws_iam_policy_document\" \"x\" {{\n{body}\n}}\n");
    let (config, diags) = terrane_engine::config::load_sources(vec![("main.tf".into(), src)]);
    assert!(!diags.has_errors(), "{diags}");
    let r = config.resources.values().next().unwrap();
    let (v, diags) = decode_body(
        &mut Evaluator::new(&EmptyScope, std::path::Path::new(".")),
        &r.body,
        &PolicyDocumentObject::schema(),
        &r.range,
    );
    assert!(!diags.has_errors(), "{diags}");
    v
}

/// The data source's result for configuration `v`, read as its model.
fn computed(v: &Value) -> PolicyDocumentObject {
    PolicyDocumentObject::from_value(&compute(v).unwrap_or_else(|e| panic!("{}", e.message))).unwrap()
}

fn json(body: &str) -> String {
    computed(&decode(body)).json.unwrap()
}

fn error(body: &str) -> String {
    compute(&decode(body)).err().map(|e| e.message).expect("an error")
}

/// A document with `source_policy_documents` / `override_policy_documents` set to the JSON of
/// other documents (set directly: the JSON holds `${...}` HCL would interpolate).
fn json_with(body: &str, sources: &[&str], overrides: &[&str]) -> String {
    let mut v = decode(body);
    let docs = |d: &[&str]| Value::tuple(d.iter().map(|s| Value::from(*s)).collect());
    if !sources.is_empty() {
        v.set_at_path(&[PathStep::Attr("source_policy_documents".into())], docs(sources));
    }
    if !overrides.is_empty() {
        v.set_at_path(&[PathStep::Attr("override_policy_documents".into())], docs(overrides));
    }
    computed(&v).json.unwrap()
}

/// The provider's acceptance test `basic` (partition `aws`), and its expected JSON.
const BASIC: &str = r#"
  policy_id = "policy_id"
  statement {
    sid = "1"
    actions = ["s3:ListAllMyBuckets", "s3:GetBucketLocation"]
    resources = ["arn:aws:s3:::*"]
  }
  statement {
    actions = ["s3:ListBucket"]
    resources = ["arn:aws:s3:::foo"]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["home/", "", "home/&{aws:username}/"]
    }
    not_principals {
      type        = "AWS"
      identifiers = ["arn:blahblah:example"]
    }
  }
  statement {
    actions = ["s3:*"]
    resources = [
      "arn:aws:s3:::foo/home/&{aws:username}",
      "arn:aws:s3:::foo/home/&{aws:username}/*",
    ]
    principals {
      type        = "AWS"
      identifiers = ["arn:blahblah:example"]
    }
  }
  statement {
    effect        = "Deny"
    not_actions   = ["s3:*"]
    not_resources = ["arn:aws:s3:::*"]
  }
  statement {
    effect  = "Allow"
    actions = ["kinesis:*"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
  statement {
    effect  = "Allow"
    actions = ["firehose:*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
"#;

const BASIC_JSON: &str = r#"{
  "Version": "2012-10-17",
  "Id": "policy_id",
  "Statement": [
    {
      "Sid": "1",
      "Effect": "Allow",
      "Action": [
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation"
      ],
      "Resource": "arn:aws:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::foo",
      "NotPrincipal": {
        "AWS": "arn:blahblah:example"
      },
      "Condition": {
        "StringLike": {
          "s3:prefix": [
            "home/",
            "",
            "home/${aws:username}/"
          ]
        }
      }
    },
    {
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": [
        "arn:aws:s3:::foo/home/${aws:username}/*",
        "arn:aws:s3:::foo/home/${aws:username}"
      ],
      "Principal": {
        "AWS": "arn:blahblah:example"
      }
    },
    {
      "Effect": "Deny",
      "NotAction": "s3:*",
      "NotResource": "arn:aws:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "kinesis:*",
      "Principal": {
        "AWS": "*"
      }
    },
    {
      "Effect": "Allow",
      "Action": "firehose:*",
      "Principal": "*"
    }
  ]
}"#;

#[test]
fn the_providers_basic_document() {
    assert_eq!(json(BASIC), BASIC_JSON);
    let v = computed(&decode(BASIC));
    let minified = v.minified_json.as_deref().unwrap();
    assert!(minified.starts_with(r#"{"Version":"2012-10-17","Id":"policy_id","Statement":[{"Sid":"1","Effect":"Allow","Action":["s3:ListAllMyBuckets","s3:GetBucketLocation"]"#), "{minified}");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(minified).unwrap(),
        serde_json::from_str::<serde_json::Value>(BASIC_JSON).unwrap()
    );
    // Defaults show in the result, as in Terraform's state.
    assert_eq!(v.version, "2012-10-17");
    assert_eq!(v.statement[1].effect, "Allow");
    assert_eq!(v.id.unwrap(), hash_code(BASIC_JSON));
}

#[test]
fn docs_example_multiple_condition_keys() {
    let body = r#"
  statement {
    actions = [
      "kms:Decrypt",
      "kms:GenerateDataKey"
    ]
    resources = ["*"]
    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "kms:EncryptionContext:service"
      values   = ["pi"]
    }
    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "kms:EncryptionContext:aws:pi:service"
      values   = ["rds"]
    }
  }
"#;
    assert_eq!(
        json(body),
        r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "kms:GenerateDataKey",
        "kms:Decrypt"
      ],
      "Resource": "*",
      "Condition": {
        "ForAnyValue:StringEquals": {
          "kms:EncryptionContext:aws:pi:service": "rds",
          "kms:EncryptionContext:service": "pi"
        }
      }
    }
  ]
}"#
    );
}

const SOURCE: &str = r#"
  statement {
    actions   = ["ec2:*"]
    resources = ["*"]
  }
  statement {
    sid = "SidToOverride"
    actions   = ["s3:*"]
    resources = ["*"]
  }
"#;

const SOMEBUCKET: &str = r#"
  statement {
    actions   = ["ec2:*"]
    resources = ["*"]
  }
  statement {
    sid = "SidToOverride"
    actions = ["s3:*"]
    resources = [
      "arn:aws:s3:::somebucket",
      "arn:aws:s3:::somebucket/*",
    ]
  }
"#;

#[test]
fn docs_example_using_a_source_document() {
    let source = json(SOURCE);
    let body = r#"
  statement {
    sid = "SidToOverride"
    actions = ["s3:*"]
    resources = [
      "arn:aws:s3:::somebucket",
      "arn:aws:s3:::somebucket/*",
    ]
  }
"#;
    assert_eq!(
        json_with(body, &[&source], &[]),
        r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "ec2:*",
      "Resource": "*"
    },
    {
      "Sid": "SidToOverride",
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": [
        "arn:aws:s3:::somebucket/*",
        "arn:aws:s3:::somebucket"
      ]
    }
  ]
}"#
    );
}

#[test]
fn docs_example_using_an_override_document() {
    let over = json("statement {\n sid = \"SidToOverride\"\n actions = [\"s3:*\"]\n resources = [\"*\"]\n}");
    assert_eq!(
        json_with(SOMEBUCKET, &[], &[&over]),
        r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "ec2:*",
      "Resource": "*"
    },
    {
      "Sid": "SidToOverride",
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": "*"
    }
  ]
}"#
    );
}

#[test]
fn docs_example_with_source_and_override_documents() {
    let stmt = |action: &str| {
        format!("statement {{\n sid = \"OverridePlaceholder\"\n actions = [\"{action}\"]\n resources = [\"*\"]\n}}")
    };
    let source = json(&stmt("ec2:DescribeAccountAttributes"));
    let over = json(&stmt("s3:GetObject"));
    assert_eq!(
        json_with("", &[&source], &[&over]),
        r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "OverridePlaceholder",
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "*"
    }
  ]
}"#
    );
}

#[test]
fn docs_example_merging_source_documents() {
    let one = json(
        "statement {\n actions = [\"ec2:*\"]\n resources = [\"*\"]\n}\nstatement {\n sid = \"UniqueSidOne\"\n actions = [\"s3:*\"]\n resources = [\"*\"]\n}",
    );
    let two = json(
        "statement {\n sid = \"UniqueSidTwo\"\n actions = [\"iam:*\"]\n resources = [\"*\"]\n}\nstatement {\n actions = [\"lambda:*\"]\n resources = [\"*\"]\n}",
    );
    let expected = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "ec2:*",
      "Resource": "*"
    },
    {
      "Sid": "UniqueSidOne",
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": "*"
    },
    {
      "Sid": "UniqueSidTwo",
      "Effect": "Allow",
      "Action": "iam:*",
      "Resource": "*"
    },
    {
      "Effect": "Allow",
      "Action": "lambda:*",
      "Resource": "*"
    }
  ]
}"#;
    assert_eq!(json_with("", &[&one, &two], &[]), expected);
    // Sids must be unique across the source documents.
    let mut v = decode("");
    v.set_at_path(
        &[PathStep::Attr("source_policy_documents".into())],
        Value::tuple(vec![one.clone().into(), one.into()]),
    );
    let e = compute(&v).unwrap_err().message;
    assert!(e.contains("duplicate Sid (UniqueSidOne) in source_policy_documents"), "{e}");
}

#[test]
fn docs_example_merging_override_documents() {
    let one = json(
        "statement {\n sid = \"OverridePlaceHolderOne\"\n effect = \"Allow\"\n actions = [\"s3:*\"]\n resources = [\"*\"]\n}",
    );
    let two = json(
        "statement {\n effect = \"Allow\"\n actions = [\"ec2:*\"]\n resources = [\"*\"]\n}\nstatement {\n sid = \"OverridePlaceHolderTwo\"\n effect = \"Allow\"\n actions = [\"iam:*\"]\n resources = [\"*\"]\n}",
    );
    let three = json(
        "statement {\n sid = \"OverridePlaceHolderOne\"\n effect = \"Deny\"\n actions = [\"logs:*\"]\n resources = [\"*\"]\n}",
    );
    let body = "statement {\n sid = \"OverridePlaceHolderTwo\"\n effect = \"Deny\"\n actions = [\"*\"]\n resources = [\"*\"]\n}";
    // (The documentation's rendering has two typos: a lower-case "h" in the Sids and a
    // trailing comma.)
    assert_eq!(
        json_with(body, &[], &[&one, &two, &three]),
        r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "OverridePlaceHolderTwo",
      "Effect": "Allow",
      "Action": "iam:*",
      "Resource": "*"
    },
    {
      "Sid": "OverridePlaceHolderOne",
      "Effect": "Deny",
      "Action": "logs:*",
      "Resource": "*"
    },
    {
      "Effect": "Allow",
      "Action": "ec2:*",
      "Resource": "*"
    }
  ]
}"#
    );
}

/// Several `principals` blocks of one type join in the plugin SDK's set order, which depends
/// on the identifiers (the provider's acceptance tests expect different orders in the `aws`
/// and `aws-us-gov` partitions).
#[test]
fn principals_of_one_type_join_in_the_sdks_set_order() {
    let body = |p: &str| {
        format!(
            r#"
  statement {{
    actions   = ["*"]
    resources = ["*"]
    sid       = "StatementPrincipalIdentifiersStringAndSlice"
    principals {{
      identifiers = ["arn:{p}:iam::111111111111:root", "arn:{p}:iam::222222222222:root"]
      type        = "AWS"
    }}
    principals {{
      identifiers = ["arn:{p}:iam::333333333333:root"]
      type        = "AWS"
    }}
    principals {{
      identifiers = ["arn:{p}:iam::444444444444:root"]
      type        = "AWS"
    }}
  }}
"#
        )
    };
    let principal = |p: &str| {
        let doc: serde_json::Value = serde_json::from_str(&json(&body(p))).unwrap();
        doc["Statement"][0]["Principal"]["AWS"].clone()
    };
    let arns = |p: &str, accounts: &[&str]| {
        serde_json::Value::from(
            accounts.iter().map(|a| format!("arn:{p}:iam::{}:root", a.repeat(12))).collect::<Vec<_>>(),
        )
    };
    assert_eq!(principal("aws"), arns("aws", &["3", "4", "2", "1"]));
    assert_eq!(principal("aws-us-gov"), arns("aws-us-gov", &["3", "2", "1", "4"]));

    let string_and_slice = r#"
  statement {
    actions   = ["*"]
    resources = ["*"]
    principals {
      identifiers = ["arn:aws:iam::111111111111:root"]
      type        = "AWS"
    }
    principals {
      identifiers = ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"]
      type        = "AWS"
    }
  }
"#;
    let doc: serde_json::Value = serde_json::from_str(&json(string_and_slice)).unwrap();
    assert_eq!(doc["Statement"][0]["Principal"]["AWS"], arns("aws", &["1", "3", "2"]));
}

#[test]
fn repeated_condition_keys_join_their_values() {
    let body = r#"
  statement {
    sid = "DuplicateConditionTest"
    effect = "Allow"
    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
    actions = ["s3:PutObject"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "s3:prefix"
      values   = ["one/", "two/"]
    }
    condition {
      test     = "StringEquals"
      variable = "s3:prefix"
      values   = ["three/"]
    }
  }
"#;
    assert_eq!(
        computed(&decode(body)).minified_json.unwrap(),
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"DuplicateConditionTest","Effect":"Allow","Action":"s3:PutObject","Resource":"*","Principal":{"Service":"cloudtrail.amazonaws.com"},"Condition":{"StringEquals":{"s3:prefix":["one/","two/","three/"]}}}]}"#
    );
}

#[test]
fn source_and_override_lists_merge_by_sid() {
    let doc = |stmts: &[(&str, &str, &str)]| {
        let body: String = stmts
            .iter()
            .map(|(sid, effect, action)| {
                format!("statement {{\n sid = \"{sid}\"\n effect = \"{effect}\"\n actions = [\"{action}\"]\n}}\n")
            })
            .collect();
        json(&body)
    };
    let a = doc(&[("", "Allow", "foo:ActionOne"), ("validSidOne", "Allow", "bar:ActionOne")]);
    let b = doc(&[("validSidTwo", "Deny", "foo:ActionTwo")]);
    let c = doc(&[("", "Allow", "bar:ActionTwo")]);
    let minified = |j: String| serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&j).unwrap()).unwrap();
    assert_eq!(
        minified(json_with("version = \"2012-10-17\"", &[&a, &b, &c], &[])),
        minified(
            r#"{"Statement":[{"Action":"foo:ActionOne","Effect":"Allow"},{"Action":"bar:ActionOne","Effect":"Allow","Sid":"validSidOne"},{"Action":"foo:ActionTwo","Effect":"Deny","Sid":"validSidTwo"},{"Action":"bar:ActionTwo","Effect":"Allow"}],"Version":"2012-10-17"}"#
                .into()
        )
    );
    let a = doc(&[("", "Allow", "foo:ActionOne"), ("overrideSid", "Allow", "bar:ActionOne")]);
    let b = doc(&[("validSid", "Deny", "foo:ActionTwo")]);
    let c = doc(&[("overrideSid", "Deny", "bar:ActionOne")]);
    assert_eq!(
        json_with("", &[], &[&a, &b, &c]),
        r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "foo:ActionOne"
    },
    {
      "Sid": "overrideSid",
      "Effect": "Deny",
      "Action": "bar:ActionOne"
    },
    {
      "Sid": "validSid",
      "Effect": "Deny",
      "Action": "foo:ActionTwo"
    }
  ]
}"#
    );
}

#[test]
fn a_source_documents_bool_condition_becomes_a_string() {
    let source = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "RestrictAccessToSpecialTag",
    "Effect": "Deny",
    "Action": ["ec2:CreateTags", "ec2:DeleteTags"],
    "Resource": "arn:aws:ec2:*:*:vpc/*",
    "Condition": {
      "Null": { "aws:ResourceTag/SpecialTag": false },
      "StringLike": {
        "aws:ResourceAccount": ["123456"],
        "aws:PrincipalArn": "arn:aws:iam::*:role/AWSAFTExecution"
      }
    }
  }]
}"#;
    let v: serde_json::Value = serde_json::from_str(&json_with("", &[source], &[])).unwrap();
    let c = &v["Statement"][0]["Condition"];
    assert_eq!(c["Null"]["aws:ResourceTag/SpecialTag"], "false");
    assert_eq!(c["StringLike"]["aws:ResourceAccount"], "123456");
    assert_eq!(v["Statement"][0]["Action"], serde_json::json!(["ec2:CreateTags", "ec2:DeleteTags"]));
}

#[test]
fn empty_documents_and_defaults() {
    assert_eq!(json(""), "{\n  \"Version\": \"2012-10-17\"\n}");
    assert_eq!(json_with("", &[""], &[""]), "{\n  \"Version\": \"2012-10-17\"\n}");
    assert_eq!(
        json("version = \"2008-10-17\"\nstatement {\n actions = [\"ec2:*\"]\n resources = [\"*\"]\n}"),
        "{\n  \"Version\": \"2008-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"ec2:*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}"
    );
    // Blank Sids may repeat.
    let blank = "statement {\n sid = \"\"\n actions = [\"a:b\"]\n}\nstatement {\n sid = \"\"\n actions = [\"c:d\"]\n}";
    assert_eq!(
        computed(&decode(blank)).minified_json.as_deref(),
        Some(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"a:b"},{"Effect":"Allow","Action":"c:d"}]}"#
        )
    );
}

#[test]
fn invalid_documents_are_errors() {
    assert!(
        error("statement {\n sid = \"1\"\n actions = [\"a:b\"]\n}\nstatement {\n sid = \"1\"\n actions = [\"c:d\"]\n}")
            .contains("duplicate Sid (1)")
    );
    assert!(error("statement {\n effect = \"Maybe\"\n}").contains("Allow"));
    assert!(error("statement {\n sid = \"not ok\"\n}").contains("alphanumeric"));
    assert!(error("version = \"2020-01-01\"").contains("2012-10-17"));
    for bad in [
        "condition {\n test = \"StringLike\"\n variable = \"s3:prefix\"\n values = [\"home/&{aws:username}/\"]\n}",
        "not_principals {\n type = \"AWS\"\n identifiers = [\"&{aws:username}\"]\n}",
        "principals {\n type = \"AWS\"\n identifiers = [\"&{aws:username}\"]\n}",
        "resources = [\"arn:aws:s3:::foo/home/&{aws:username}\"]",
        "not_resources = [\"arn:aws:s3:::foo/home/&{aws:username}\"]",
    ] {
        let e = error(&format!("version = \"2008-10-17\"\nstatement {{\n actions = [\"*\"]\n {bad}\n}}"));
        assert!(e.contains("found &{ sequence in ("), "{bad}: {e}");
        assert!(e.contains("which is not supported in document version 2008-10-17"), "{e}");
    }
    let mut v = decode("");
    v.set_at_path(&[PathStep::Attr("source_policy_documents".into())], Value::tuple(vec!["{".into()]));
    assert!(compute(&v).unwrap_err().message.contains("\"source_policy_documents.0\" contains an invalid JSON"));
}

#[test]
fn the_sdk_hash_is_crc32() {
    // Known CRC-32 (IEEE) values.
    assert_eq!(hash_code(""), "0");
    assert_eq!(hash_code("123456789"), "3421780262");
}

/// `source_json` and `override_json` (hashicorp/aws's deprecated single-document forms) merge
/// as a first source document and a last override document do; each must be JSON.
#[test]
fn source_json_and_override_json_merge_as_the_document_lists_do() {
    let source = json("statement {\n sid = \"A\"\n actions = [\"s3:*\"]\n resources = [\"*\"]\n}");
    let extra = json("statement {\n sid = \"B\"\n actions = [\"ec2:*\"]\n resources = [\"*\"]\n}");
    let first_override =
        json("statement {\n sid = \"B\"\n effect = \"Deny\"\n actions = [\"ec2:*\"]\n resources = [\"*\"]\n}");
    let last_override =
        json("statement {\n sid = \"A\"\n effect = \"Deny\"\n actions = [\"iam:*\"]\n resources = [\"*\"]\n}");
    let body = "statement {\n sid = \"C\"\n actions = [\"logs:*\"]\n resources = [\"*\"]\n}";
    let mut v = decode(body);
    let docs = |d: &[&String]| Value::tuple(d.iter().map(|s| Value::from(s.as_str())).collect());
    v.set_at_path(&[PathStep::Attr("source_json".into())], Value::from(source.as_str()));
    v.set_at_path(&[PathStep::Attr("source_policy_documents".into())], docs(&[&extra]));
    v.set_at_path(&[PathStep::Attr("override_policy_documents".into())], docs(&[&first_override]));
    v.set_at_path(&[PathStep::Attr("override_json".into())], Value::from(last_override.as_str()));
    let got = computed(&v).json.unwrap();
    assert_eq!(got, json_with(body, &[&source, &extra], &[&first_override, &last_override]));
    assert!(got.contains("iam:*") && !got.contains("s3:*"), "override_json replaces statement A: {got}");

    let mut bad = decode("");
    bad.set_at_path(&[PathStep::Attr("override_json".into())], Value::from("{not json"));
    let e = compute(&bad).unwrap_err().message;
    assert!(e.contains("\"override_json\" contains an invalid JSON"), "{e}");
}
