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

use std::collections::BTreeMap;
use std::path::PathBuf;
use terrane_engine::provider::Provider;
use terrane_engine::schema::{Attribute, NestedBlock, Nesting};
use terrane_engine::value::Type;

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

/// A configuration as the engine passes it to validate: every attribute of the type's schema,
/// null where `set` leaves it out.
fn configured<const N: usize>(
    schema: &terrane_engine::schema::ResourceSchema,
    set: [(&str, terrane_engine::value::Value); N],
) -> terrane_engine::value::Value {
    terrane_engine::value::Value::object(set).conform(&schema.block.value_type())
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
    let mut switched = 0;
    for (name, schema) in &provider.schema().resources {
        for (arg, why) in terrane_provider_aws::AwsProvider::refused_arguments(name) {
            count += 1;
            assert!(!why.trim().is_empty(), "{name}.{arg}: refused without a reason");
            let value = match (schema.block.attributes.get(arg), schema.block.blocks.get(arg)) {
                (Some(a), _) => sample(&a.ty),
                (_, Some(b)) => sample_block(b),
                _ => panic!("{name}.{arg} is refused but not in the schema"),
            };
            let diags = provider.validate(name, &configured(schema, [(arg, value)]));
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
                let diags = provider.validate(name, &configured(schema, [(arg, v.clone())]));
                assert!(
                    !diags.iter().any(|d| d.detail.contains(&format!("\"{arg}\""))),
                    "{name}.{arg} = {v:?} is refused: {diags:?}"
                );
            }
            // A block that only says `enabled = false` is the feature off, as modules write it;
            // `enabled = true` is refused.
            if let Some(b) = schema.block.blocks.get(arg)
                && b.schema.attributes.get("enabled").is_some_and(|a| a.ty == Type::Bool)
            {
                let ty = b.schema.value_type();
                let block = |on: bool| {
                    Value::list(ty.clone(), vec![Value::object([("enabled", Value::Bool(on))]).conform(&ty)])
                };
                let refused = |v: Value| {
                    let diags = provider.validate(name, &configured(schema, [(arg, v)]));
                    diags.iter().any(|d| d.detail.contains(&format!("\"{arg}\"")))
                };
                assert!(!refused(block(false)), "{name}.{arg} {{ enabled = false }} is refused");
                assert!(refused(block(true)), "{name}.{arg} {{ enabled = true }} is accepted");
                switched += 1;
            }
        }
    }
    assert!(switched > 0, "aws_db_instance.blue_green_update has an enabled flag");
    println!("{count} arguments declared as hashicorp/aws has them and refused by name when set");
}

#[test]
fn schemas_equal_hashicorp_aws() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/schema");
    let provider = terrane_provider_aws::AwsProvider::default();
    // hashicorp/aws v6's per-resource `region` (optional, forces replacement), at the top
    // level of a type: 5.100.0 has no such argument.
    let v6_region = |path: &str, name: &str, a: &Attribute| {
        name == "region" && !path.trim_start_matches("data.").contains('.') && a.optional && !a.computed && a.force_new
    };
    let reference = terrane_schema_parity::Reference {
        json: &dir.join("hashicorp_aws.json"),
        known: &dir.join("known_differences.txt"),
        name: "hashicorp/aws",
    };
    let tally = terrane_schema_parity::check(&reference, provider.schema(), &v6_region);
    assert_eq!(
        tally.accepted_extras + 1,
        tally.types,
        "every type takes v6's region argument (aws_s3_bucket's own region becomes settable)"
    );
}
