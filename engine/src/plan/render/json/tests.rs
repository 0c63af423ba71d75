use super::*;
use crate::addr::InstanceKey;
use crate::config::load_sources;
use crate::plan::{PlanMode, Reason};
use crate::provider::{Provider, ProviderError, ProviderFactory, ProviderRegistry};
use crate::schema::{Attribute, NestedBlock, ProviderSchema, ResourceSchema};
use crate::state::{EachMode, InstanceObjects, ResourceState, object_from_value};
use crate::value::Type;
use std::path::Path;
use std::sync::{Arc, LazyLock};

// ---------------------------------------------------------------------------------------
// A provider with only a schema: nested blocks, a schema-sensitive attribute, a data source.

static SCHEMA: LazyLock<ProviderSchema> = LazyLock::new(|| {
    let rule = Schema::new()
        .attr("port", Attribute::required(Type::Number))
        .attr("protocol", Attribute::optional(Type::String).default("tcp"));
    let thing = Schema::new()
        .attr("id", Attribute::computed(Type::String))
        .attr("name", Attribute::required(Type::String).force_new())
        .attr("size", Attribute::optional(Type::Number))
        .attr("password", Attribute::optional(Type::String).sensitive())
        .attr("tags", Attribute::optional(Type::map(Type::String)))
        .attr("zones", Attribute::optional(Type::set(Type::String)))
        .block("rule", NestedBlock::list(rule))
        .block("settings", NestedBlock::single(Schema::new().attr("mode", Attribute::optional(Type::String))));
    let lookup =
        Schema::new().attr("name", Attribute::required(Type::String)).attr("value", Attribute::computed(Type::String));
    let mut s = ProviderSchema::default();
    s.resources.insert("test_thing".into(), ResourceSchema::new(thing).with_version(2));
    s.data_sources.insert("test_lookup".into(), ResourceSchema::new(lookup));
    s
});

struct SchemaOnly;

#[async_trait::async_trait]
impl Provider for SchemaOnly {
    fn schema(&self) -> &ProviderSchema {
        &SCHEMA
    }
    async fn configure(&self, _config: Value) -> Result<(), ProviderError> {
        Ok(())
    }
    async fn create(&self, _t: &str, _planned: Value) -> Result<Value, ProviderError> {
        Err(ProviderError::new("schema only"))
    }
    async fn read(&self, _t: &str, _current: Value) -> Result<Option<Value>, ProviderError> {
        Err(ProviderError::new("schema only"))
    }
    async fn update(&self, _t: &str, _prior: Value, _planned: Value) -> Result<Value, ProviderError> {
        Err(ProviderError::new("schema only"))
    }
    async fn delete(&self, _t: &str, _prior: Value) -> Result<(), ProviderError> {
        Err(ProviderError::new("schema only"))
    }
}

struct SchemaOnlyFactory;

impl ProviderFactory for SchemaOnlyFactory {
    fn source(&self) -> &str {
        "example.com/acme/test"
    }
    fn new_instance(&self) -> Arc<dyn Provider> {
        Arc::new(SchemaOnly)
    }
}

fn registry() -> ProviderRegistry {
    let mut r = ProviderRegistry::with_builtin();
    r.register("test", Arc::new(SchemaOnlyFactory));
    r
}

// ---------------------------------------------------------------------------------------
// A plan with every kind of change, made by hand against this configuration.

const CONFIG: &str = r#"
terraform {
  required_providers {
    test = {
      source  = "example.com/acme/test"
      version = "~> 1.0"
    }
  }
}

provider "test" {
  region = "eu-west-1"
}

variable "password" {
  type      = string
  default   = "hunter2"
  sensitive = true
}

variable "size" {
  type        = number
  default     = 2
  description = "Size of things."
}

locals {
  prefix = "web"
}

resource "test_thing" "create" {
  name  = "${local.prefix}-new"
  tags  = { team = "platform" }
  zones = ["b", "a"]
  rule {
    port = 80
  }
  rule {
    port     = 443
    protocol = "udp"
  }
  settings {
    mode = upper("fast")
  }
}

resource "test_thing" "update" {
  name       = "upd"
  size       = var.size
  depends_on = [test_thing.keep]
}

resource "test_thing" "replace" {
  name = "replaced-${var.size}"
}

resource "test_thing" "cbd" {
  name = "cbd-2"
  lifecycle {
    create_before_destroy = true
  }
}

resource "test_thing" "keep" {
  name     = "keep"
  password = var.password
}

resource "test_thing" "counted" {
  count = 1
  name  = "c-${count.index}"
}

data "test_lookup" "read" {
  name = test_thing.create.id
}

output "created_id" {
  value = test_thing.create.id
}

output "secret" {
  value     = var.password
  sensitive = true
}
"#;

const PROVIDER: &str = "provider[\"example.com/acme/test\"]";

fn thing(name: &str, id: &str, size: i64) -> Value {
    Value::object([
        ("id", Value::from(id)),
        ("name", Value::from(name)),
        ("size", Value::from(size)),
        ("password", Value::NULL),
        ("tags", Value::NULL),
        ("zones", Value::NULL),
        ("rule", Value::tuple(vec![])),
        ("settings", Value::NULL),
    ])
}

fn change(t: &str, name: &str, key: InstanceKey, action: Action, before: Value, after: Value) -> ResourceChange {
    let mode = if t == "test_lookup" { Mode::Data } else { Mode::Managed };
    ResourceChange {
        addr: ResourceAddr::new(mode, t, name).instance(key),
        deposed: None,
        provider: "test".into(),
        provider_address: PROVIDER.into(),
        action,
        before,
        after,
        replace_paths: Vec::new(),
        reason: None,
    }
}

fn put(state: &mut State, name: &str, v: &Value) {
    let schema = &SCHEMA.resources["test_thing"].block;
    let (attributes, sensitive_paths) = object_from_value(v, schema);
    let obj = ObjectState {
        schema_version: 2,
        attributes,
        sensitive_paths,
        dependencies: if name == "update" {
            vec![ResourceAddr::managed("test_thing", "keep")].into()
        } else {
            vec![].into()
        },
        status: if name == "replace" { ObjectStatus::Tainted } else { ObjectStatus::Ready },
        create_before_destroy: name == "cbd",
        private: None,
    };
    state.resources.insert(
        ResourceAddr::managed("test_thing", name),
        ResourceState {
            provider: PROVIDER.into(),
            each: EachMode::Single,
            instances: [(InstanceKey::None, InstanceObjects { current: Some(obj), deposed: BTreeMap::new() })].into(),
        },
    );
}

fn prior_state() -> State {
    let mut s = State::new();
    s.lineage = "0c6b0c1e-0000-4000-8000-000000000000".into();
    s.serial = 7;
    put(&mut s, "update", &thing("upd", "t-upd", 5));
    put(&mut s, "replace", &thing("replaced-1", "t-rep", 1));
    put(&mut s, "cbd", &thing("cbd-1", "t-cbd", 1));
    let mut keep = thing("keep", "t-keep", 1);
    keep.set_at_path(&[PathStep::Attr("password".into())], Value::from("hunter2").mark_sensitive());
    put(&mut s, "keep", &keep);
    put(&mut s, "gone", &thing("gone", "t-gone", 1));
    s.outputs.insert(
        "secret".into(),
        crate::state::OutputState { value: json!("hunter2"), ty: json!("string"), sensitive: true },
    );
    s.outputs.insert(
        "removed".into(),
        crate::state::OutputState {
            value: json!(["a", 1]),
            ty: json!(["tuple", ["string", "number"]]),
            sensitive: false,
        },
    );
    s
}

fn sample() -> (Plan, Context) {
    let (mut config, diags) = load_sources(vec![("main.tf".into(), CONFIG.into())]);
    assert!(!diags.has_errors(), "{diags:?}");
    config.dir = Path::new(".").into();
    let prior = prior_state();
    let ctx = Context::new(config, registry(), &prior, "default");

    let created = Value::object([
        ("id", Value::DYNAMIC),
        ("name", "web-new".into()),
        ("size", Value::NULL),
        ("password", Value::NULL),
        ("tags", Value::object([("team", "platform".into())])),
        ("zones", Value::set_any(vec!["b".into(), "a".into()])),
        (
            "rule",
            Value::tuple(vec![
                Value::object([("port", 80i64.into()), ("protocol", "tcp".into())]),
                Value::object([("port", 443i64.into()), ("protocol", "udp".into())]),
            ]),
        ),
        ("settings", Value::object([("mode", "FAST".into())])),
    ]);
    let mut replace = change(
        "test_thing",
        "replace",
        InstanceKey::None,
        Action::DeleteThenCreate,
        thing("replaced-1", "t-rep", 1),
        thing("replaced-2", "", 1),
    );
    replace.after.set_at_path(&[PathStep::Attr("id".into())], Value::DYNAMIC);
    replace.replace_paths = vec![vec![PathStep::Attr("name".into())]];
    replace.reason = Some(Reason::ReplaceBecauseTainted);
    let mut cbd = change(
        "test_thing",
        "cbd",
        InstanceKey::None,
        Action::CreateThenDelete,
        thing("cbd-1", "t-cbd", 1),
        Value::NULL,
    );
    cbd.after = thing("cbd-2", "", 1);
    cbd.after.set_at_path(&[PathStep::Attr("id".into())], Value::DYNAMIC);
    cbd.replace_paths = vec![vec![PathStep::Attr("name".into())]];
    cbd.reason = Some(Reason::ReplaceBecauseCannotUpdate);
    let mut gone =
        change("test_thing", "gone", InstanceKey::None, Action::Delete, thing("gone", "t-gone", 1), Value::NULL);
    gone.reason = Some(Reason::DeleteBecauseNoResourceConfig);
    let mut read = change(
        "test_lookup",
        "read",
        InstanceKey::None,
        Action::Read,
        Value::NULL,
        Value::object([("name", Value::DYNAMIC), ("value", Value::DYNAMIC)]),
    );
    read.reason = Some(Reason::ReadBecauseConfigUnknown);
    let changes = vec![
        change("test_thing", "create", InstanceKey::None, Action::Create, Value::NULL, created),
        change(
            "test_thing",
            "update",
            InstanceKey::None,
            Action::Update,
            thing("upd", "t-upd", 3),
            thing("upd", "t-upd", 2),
        ),
        replace,
        cbd,
        gone,
        read,
        change("test_thing", "keep", InstanceKey::None, Action::NoOp, Value::NULL, Value::NULL),
        change(
            "test_thing",
            "counted",
            InstanceKey::Int(0),
            Action::Create,
            Value::NULL,
            Value::object([("id", Value::DYNAMIC), ("name", "c-0".into()), ("rule", Value::tuple(vec![]))]),
        ),
    ];
    let drift = vec![change(
        "test_thing",
        "update",
        InstanceKey::None,
        Action::Update,
        thing("upd", "t-upd", 3),
        thing("upd", "t-upd", 5),
    )];
    let outputs = vec![
        OutputChange {
            name: "created_id".into(),
            action: Action::Create,
            before: Value::NULL,
            after: Value::DYNAMIC,
            sensitive: false,
        },
        OutputChange {
            name: "removed".into(),
            action: Action::Delete,
            before: Value::tuple(vec!["a".into(), 1i64.into()]),
            after: Value::NULL,
            sensitive: false,
        },
        OutputChange {
            name: "secret".into(),
            action: Action::NoOp,
            before: Value::from("hunter2").mark_sensitive(),
            after: Value::from("hunter2").mark_sensitive(),
            sensitive: true,
        },
    ];
    let plan = Plan {
        format_version: crate::plan::PLAN_FORMAT_VERSION,
        terrane_version: "0.0.0-test".into(),
        mode: PlanMode::Normal,
        workspace: "default".into(),
        base: None,
        variables: [
            ("password".to_string(), Value::from("hunter2").mark_sensitive()),
            ("size".to_string(), 2i64.into()),
        ]
        .into(),
        changes,
        drift,
        outputs,
        targets: vec![],
        replace: vec![],
        config: vec![("main.tf".into(), CONFIG.into())],
        config_dir: ".".into(),
        prior_state: prior,
        errored: false,
        created: "2026-11-27T00:00:00Z".into(),
        // `keep` was moved from another address; `update` is imported (and updated).
        moves: vec![crate::plan::Move {
            from: ResourceAddr::managed("test_thing", "old_keep").instance(InstanceKey::None),
            to: ResourceAddr::managed("test_thing", "keep").instance(InstanceKey::None),
        }],
        imports: vec![crate::plan::ImportTarget {
            addr: ResourceAddr::managed("test_thing", "update").instance(InstanceKey::None),
            id: "t-upd".into(),
        }],
        adopted: Vec::new(),
        causes: Default::default(),
        checks: Default::default(),
    };
    (plan, ctx)
}

/// The JSON with the terrane version (which changes with every release) fixed.
/// The document as its JSON text (insta's own JSON writer does not know serde_json's
/// arbitrary-precision numbers).
fn pretty(j: J) -> String {
    serde_json::to_string_pretty(&j).expect("JSON")
}

fn stable(mut j: J) -> J {
    j["terrane_version"] = "[version]".into();
    if let Some(prior) = j.get_mut("prior_state") {
        prior["terrane_version"] = "[version]".into();
    }
    j
}

fn resource_change<'a>(j: &'a J, address: &str) -> &'a J {
    j["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == address)
        .unwrap_or_else(|| panic!("no change for {address}"))
}

#[test]
fn plan_json_snapshot() {
    let (plan, ctx) = sample();
    insta::assert_snapshot!(pretty(stable(plan_json(&plan, &ctx))));
}

#[test]
fn state_json_snapshot() {
    let (plan, ctx) = sample();
    insta::assert_snapshot!(pretty(stable(state_json(&plan.prior_state, &ctx))));
}

#[test]
fn sensitive_values_never_appear_and_their_places_are_marked() {
    let (plan, ctx) = sample();
    let j = plan_json(&plan, &ctx);
    let text = j.to_string();
    assert!(!text.contains("hunter2"), "a sensitive value leaked:\n{text}");
    let keep = resource_change(&j, "test_thing.keep");
    assert_eq!(keep["change"]["before"]["password"], J::Null);
    assert_eq!(keep["change"]["before_sensitive"], json!({"password": true, "rule": []}));
    assert_eq!(keep["change"]["after_sensitive"]["password"], true);
    assert_eq!(j["variables"]["password"], json!({"value": null, "sensitive": true}));
    assert_eq!(j["variables"]["size"], json!({"value": 2}));
    assert_eq!(j["output_changes"]["secret"]["after"], J::Null);
    assert_eq!(j["output_changes"]["secret"]["after_sensitive"], true);
    assert_eq!(j["configuration"]["root_module"]["variables"]["password"], json!({"default": null, "sensitive": true}));
    assert!(!state_json(&plan.prior_state, &ctx).to_string().contains("hunter2"));
}

#[test]
fn no_op_changes_carry_the_prior_values() {
    let (plan, ctx) = sample();
    let j = plan_json(&plan, &ctx);
    let keep = resource_change(&j, "test_thing.keep");
    assert_eq!(keep["change"]["actions"], json!(["no-op"]));
    assert_eq!(keep["change"]["before"], keep["change"]["after"]);
    assert_eq!(keep["change"]["before"]["id"], "t-keep");
    assert_eq!(keep["change"]["after_unknown"], json!({}));
    let planned = j["planned_values"]["root_module"]["resources"].as_array().unwrap();
    let planned_keep = planned.iter().find(|r| r["address"] == "test_thing.keep").unwrap();
    assert_eq!(planned_keep["values"], keep["change"]["after"]);
}

#[test]
fn moved_and_imported_objects_say_so_as_terraform_does() {
    let (plan, ctx) = sample();
    let j = plan_json(&plan, &ctx);
    assert_eq!(resource_change(&j, "test_thing.keep")["previous_address"], "test_thing.old_keep");
    assert_eq!(resource_change(&j, "test_thing.update")["change"]["importing"], json!({"id": "t-upd"}));
    assert!(resource_change(&j, "test_thing.create").get("previous_address").is_none());
    assert!(resource_change(&j, "test_thing.create")["change"].get("importing").is_none());
}

#[test]
fn unknowns_are_left_out_and_marked() {
    let (plan, ctx) = sample();
    let j = plan_json(&plan, &ctx);
    let create = &resource_change(&j, "test_thing.create")["change"];
    assert!(create["after"].get("id").is_none(), "unknown attributes are omitted from after");
    assert_eq!(create["after_unknown"]["id"], true);
    assert_eq!(create["after"]["rule"][1], json!({"port": 443, "protocol": "udp"}));
    assert_eq!(create["after"]["settings"], json!({"mode": "FAST"}));
    assert_eq!(create["before"], J::Null);
    assert_eq!(create["before_sensitive"], false);
    assert_eq!(j["output_changes"]["created_id"]["after_unknown"], true);
    let deleted = &resource_change(&j, "test_thing.gone");
    assert_eq!(deleted["change"]["after"], J::Null);
    assert_eq!(deleted["change"]["after_sensitive"], false);
    assert_eq!(deleted["action_reason"], "delete_because_no_resource_config");
    assert!(
        !j["planned_values"]["root_module"]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["address"] == "test_thing.gone"),
        "deleted resources have no planned values"
    );
    assert_eq!(resource_change(&j, "test_thing.cbd")["change"]["actions"], json!(["create", "delete"]));
    assert_eq!(resource_change(&j, "test_thing.replace")["change"]["replace_paths"], json!([["name"]]));
    assert_eq!(resource_change(&j, "test_thing.counted[0]")["index"], 0);
}

#[test]
fn configuration_lists_constants_and_references() {
    let (plan, ctx) = sample();
    let j = plan_json(&plan, &ctx);
    let c = &j["configuration"];
    assert_eq!(c["provider_config"]["test"]["full_name"], "example.com/acme/test");
    assert_eq!(c["provider_config"]["test"]["version_constraint"], "~> 1.0");
    let resources = c["root_module"]["resources"].as_array().unwrap();
    let find = |a: &str| resources.iter().find(|r| r["address"] == a).unwrap();
    let create = find("test_thing.create");
    assert_eq!(create["expressions"]["name"], json!({"references": ["local.prefix"]}));
    assert_eq!(create["expressions"]["tags"], json!({"constant_value": {"team": "platform"}}));
    assert_eq!(create["expressions"]["rule"][1]["protocol"], json!({"constant_value": "udp"}));
    assert_eq!(create["expressions"]["settings"]["mode"], json!({}), "function calls are not constants");
    assert_eq!(create["schema_version"], 2);
    assert_eq!(find("test_thing.update")["depends_on"], json!(["test_thing.keep"]));
    assert_eq!(find("test_thing.counted")["count_expression"], json!({"constant_value": 1}));
    assert_eq!(
        find("data.test_lookup.read")["expressions"]["name"],
        json!({"references": ["test_thing.create.id", "test_thing.create"]})
    );
    assert_eq!(find("test_thing.keep")["expressions"]["password"], json!({"references": ["var.password"]}));
    assert_eq!(c["root_module"]["outputs"]["secret"]["sensitive"], true);
    let relevant = j["relevant_attributes"].as_array().unwrap();
    assert!(relevant.contains(&json!({"resource": "test_thing.create", "attribute": ["id"]})), "{relevant:?}");
}

#[test]
fn output_is_deterministic() {
    let (plan, ctx) = sample();
    let mut shuffled = plan.clone();
    shuffled.changes.reverse();
    assert_eq!(plan_json(&plan, &ctx).to_string(), plan_json(&shuffled, &ctx).to_string());
}

// ---------------------------------------------------------------------------------------
// Terraform's documented format (a JSON Schema) and Terraform's own output.

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/json")
}

fn read_json(name: &str) -> J {
    serde_json::from_slice(&std::fs::read(fixtures().join(name)).unwrap()).unwrap()
}

fn schema_errors(instance: &J) -> Vec<String> {
    let schema = read_json("plan-schema.json");
    let validator = jsonschema::draft202012::new(&schema).expect("the schema is valid draft 2020-12");
    validator.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

#[test]
fn the_schema_accepts_terraforms_own_plan() {
    let errors = schema_errors(&read_json("terraform-plan.json"));
    assert!(errors.is_empty(), "{errors:#?}");
    let mut broken = read_json("terraform-plan.json");
    broken["resource_changes"][0]["change"]["actions"] = json!(["destroy"]);
    assert!(!schema_errors(&broken).is_empty(), "the schema rejects an unknown action");
}

#[test]
fn plan_json_with_every_kind_of_change_matches_the_schema() {
    let (plan, ctx) = sample();
    let j = plan_json(&plan, &ctx);
    let actions: BTreeSet<String> =
        j["resource_changes"].as_array().unwrap().iter().map(|c| c["change"]["actions"].to_string()).collect();
    assert_eq!(actions.len(), 7, "every kind of action is covered: {actions:?}");
    assert!(j["resource_drift"].as_array().is_some_and(|d| !d.is_empty()));
    let errors = schema_errors(&j);
    assert!(errors.is_empty(), "{errors:#?}");
}

/// Plans the configuration Terraform planned for terraform-plan.json, against the state
/// Terraform recorded before it (see tests/fixtures/json/terraform/generate.sh).
async fn terrane_plan_of_the_terraform_fixture() -> (Plan, Context) {
    let dir = fixtures().join("terraform");
    let (mut config, diags) = crate::config::load_dir(&dir);
    assert!(!diags.has_errors(), "{diags:?}");
    let state = State::from_json(&std::fs::read(dir.join("terraform.tfstate")).unwrap()).unwrap();
    let mut sources = config.sources.clone();
    let (variables, diags) = crate::variables::collect_inputs(
        &config,
        &dir,
        &[crate::variables::CliVar::Var("size=2".into())],
        &[],
        &mut sources,
    );
    assert!(!diags.has_errors(), "{diags:?}");
    config.sources = sources;
    let ctx = Context::new(config, ProviderRegistry::with_builtin(), &state, "default");
    let opts = crate::plan::planner::PlanOptions { variables, ..Default::default() };
    let (plan, _) = crate::plan::planner::plan(
        &ctx,
        Some(&state),
        &opts,
        &crate::graph::WalkControl::default(),
        &crate::hooks::NoHooks,
    )
    .await
    .unwrap_or_else(|d| panic!("{d:?}"));
    (plan, ctx)
}

/// Every key path of `j`, with array positions and map-like keys (named by data, not by the
/// format) folded so that shapes compare: `resource_changes[].change.after_unknown`.
fn key_paths(j: &J, prefix: &str, out: &mut BTreeSet<String>) {
    // Objects whose keys are names from the configuration, not from the format.
    const DATA_KEYED: &[&str] = &[
        "variables",
        "output_changes",
        "outputs",
        "provider_config",
        "values",
        "sensitive_values",
        "before",
        "after",
        "after_unknown",
        "before_sensitive",
        "after_sensitive",
        "expressions",
        "constant_value",
    ];
    match j {
        J::Object(m) => {
            let last = prefix.rsplit('.').next().unwrap_or_default().trim_end_matches("[]");
            // A state's `values` is the format's; a resource's `values` are its attributes.
            let data_keyed = DATA_KEYED.contains(&last) && (last != "values" || prefix.ends_with("[].values"));
            if data_keyed {
                // Keep the level's existence, and look one level in for format keys (a
                // variable's `value`, an output's `sensitive`).
                for v in m.values() {
                    if let J::Object(inner) = v
                        && !matches!(last, "values" | "before" | "after" | "constant_value")
                    {
                        for (k, vv) in inner {
                            let p = format!("{prefix}.*.{k}");
                            out.insert(p.clone());
                            if last != "expressions" {
                                key_paths(vv, &p, out);
                            }
                        }
                    }
                }
                return;
            }
            for (k, v) in m {
                let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                out.insert(p.clone());
                key_paths(v, &p, out);
            }
        }
        J::Array(items) => {
            for i in items {
                key_paths(i, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

/// The key paths of each resource change, keyed by address, and of the rest of the plan.
fn shape(j: &J) -> (BTreeMap<String, BTreeSet<String>>, BTreeSet<String>) {
    let mut per_change = BTreeMap::new();
    for c in j["resource_changes"].as_array().unwrap() {
        let mut keys = BTreeSet::new();
        key_paths(c, "", &mut keys);
        per_change.insert(c["address"].as_str().unwrap().to_string(), keys);
    }
    let mut rest = j.clone();
    rest.as_object_mut().unwrap().remove("resource_changes");
    let mut keys = BTreeSet::new();
    key_paths(&rest, "", &mut keys);
    (per_change, keys)
}

#[tokio::test]
async fn terrane_emits_every_key_terraform_emits_for_the_same_plan() {
    let terraform = read_json("terraform-plan.json");
    let (plan, ctx) = terrane_plan_of_the_terraform_fixture().await;
    let terrane = plan_json(&plan, &ctx);
    let (tf_changes, tf_rest) = shape(&terraform);
    let (our_changes, our_rest) = shape(&terrane);
    assert_eq!(
        tf_changes.keys().collect::<Vec<_>>(),
        our_changes.keys().collect::<Vec<_>>(),
        "the same resource changes"
    );
    for (address, keys) in &tf_changes {
        let tf_c = resource_change(&terraform, address);
        let our_c = resource_change(&terrane, address);
        assert_eq!(tf_c["change"]["actions"], our_c["change"]["actions"], "{address}");
        let missing: Vec<&String> = keys.difference(&our_changes[address]).collect();
        assert!(missing.is_empty(), "{address}: terrane lacks {missing:?}");
    }
    let missing: Vec<&String> = tf_rest.difference(&our_rest).collect();
    assert!(missing.is_empty(), "terrane lacks {missing:?}");
    for expected in [
        "planned_values.root_module.resources[].sensitive_values",
        "prior_state.values.root_module.resources[].depends_on",
        "configuration.root_module.resources[].expressions.*.references",
        "configuration.root_module.variables.*.sensitive",
        "output_changes.*.after_unknown",
        "relevant_attributes[].attribute",
        "variables.*.value",
    ] {
        assert!(tf_rest.contains(expected), "the comparison sees {expected}: {tf_rest:#?}");
    }
    assert!(tf_changes["terraform_data.replace"].contains("change.replace_paths"));
    // Where values can match (no ids or timestamps), they do.
    for address in ["terraform_data.keep", "terraform_data.update", "terraform_data.replace"] {
        let tf_c = &resource_change(&terraform, address)["change"];
        let our_c = &resource_change(&terrane, address)["change"];
        for k in ["before", "after_unknown", "before_sensitive", "replace_paths"] {
            assert_eq!(tf_c[k], our_c[k], "{address}: {k}");
        }
    }
    assert_eq!(terraform["output_changes"]["created"], terrane["output_changes"]["created"]);
    assert_eq!(terraform["relevant_attributes"], terrane["relevant_attributes"]);
    assert_eq!(
        terraform["configuration"]["root_module"]["outputs"],
        terrane["configuration"]["root_module"]["outputs"]
    );
    let errors = schema_errors(&terrane);
    assert!(errors.is_empty(), "{errors:#?}");
}
