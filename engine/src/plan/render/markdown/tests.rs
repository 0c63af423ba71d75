use super::*;
use crate::addr::{InstanceKey, ResourceAddr};
use crate::plan::{OutputChange, Reason, ResourceChange};
use crate::value::{PathStep, Type, Value};

fn change(t: &str, name: &str, action: Action, before: Value, after: Value) -> ResourceChange {
    ResourceChange {
        addr: ResourceAddr::managed(t, name).instance(InstanceKey::None),
        deposed: None,
        provider: "aws".into(),
        provider_address: "provider[\"registry.terraform.io/hashicorp/aws\"]".into(),
        action,
        before,
        after,
        replace_paths: Vec::new(),
        reason: None,
    }
}

fn plan(changes: Vec<ResourceChange>, drift: Vec<ResourceChange>) -> Plan {
    Plan {
        format_version: crate::plan::PLAN_FORMAT_VERSION,
        terrane_version: "test".into(),
        mode: PlanMode::Normal,
        workspace: "default".into(),
        base: None,
        variables: Default::default(),
        changes,
        drift,
        outputs: vec![OutputChange {
            name: "url".into(),
            action: Action::Update,
            before: "a".into(),
            after: Value::DYNAMIC,
            sensitive: false,
        }],
        targets: vec![],
        replace: vec![],
        config: vec![],
        config_dir: ".".into(),
        prior_state: crate::state::State::new(),
        errored: false,
        created: "2026-11-27T00:00:00Z".into(),
        moves: Vec::new(),
        imports: Vec::new(),
        adopted: Vec::new(),
        causes: Default::default(),
        checks: Default::default(),
    }
}

fn sample() -> Plan {
    let mut db = change(
        "aws_db_instance",
        "main",
        Action::DeleteThenCreate,
        Value::object([
            ("identifier", "db-1".into()),
            ("password", Value::from("hunter2").mark_sensitive()),
            ("engine_version", "15".into()),
        ]),
        Value::object([
            ("identifier", "db-2".into()),
            ("password", Value::from("hunter3").mark_sensitive()),
            ("engine_version", "15".into()),
        ]),
    );
    db.replace_paths = vec![vec![PathStep::Attr("identifier".into())]];
    db.reason = Some(Reason::ReplaceBecauseCannotUpdate);
    let mut cache = change(
        "aws_elasticache_cluster",
        "redis",
        Action::Delete,
        Value::object([("cluster_id", "c".into())]),
        Value::NULL,
    );
    cache.reason = Some(Reason::DeleteBecauseNoResourceConfig);
    // Moved (no other change), imported (and updated), forgotten, and one in a module.
    let log = Value::object([("name", "/app/web".into()), ("retention_in_days", 30i64.into())]);
    let moved = change("aws_cloudwatch_log_group", "web", Action::NoOp, log.clone(), log);
    let imported = change(
        "aws_key_pair",
        "ops",
        Action::Update,
        Value::object([("key_name", "ops".into()), ("tags", Value::empty_map(Type::String))]),
        Value::object([("key_name", "ops".into()), ("tags", Value::object([("team", "ops".into())]))]),
    );
    let forgotten =
        change("aws_iam_role", "legacy", Action::Forget, Value::object([("name", "legacy".into())]), Value::NULL);
    let mut in_module = change(
        "docker_service",
        "this",
        Action::Update,
        Value::object([("image", "app:1".into())]),
        Value::object([("image", "app:2".into())]),
    );
    in_module.addr.resource.module =
        vec![crate::addr::ModuleStep { name: "app".into(), key: InstanceKey::Str("api".into()) }];
    let moves = vec![crate::plan::Move {
        from: ResourceAddr::managed("aws_cloudwatch_log_group", "app").instance(InstanceKey::None),
        to: moved.addr.clone(),
    }];
    let imports = vec![crate::plan::ImportTarget { addr: imported.addr.clone(), id: "ops".into() }];
    let mut p = plan(
        vec![
            change(
                "aws_vpc",
                "main",
                Action::Create,
                Value::NULL,
                Value::object([("cidr_block", "10.0.0.0/16".into()), ("id", Value::DYNAMIC)]),
            ),
            change(
                "aws_security_group",
                "web",
                Action::Update,
                Value::object([("description", "x".into()), ("name", "web".into())]),
                Value::object([("description", "line1\nline2\n".into()), ("name", "web".into())]),
            ),
            db,
            cache,
            moved,
            imported,
            forgotten,
            in_module,
        ],
        vec![change(
            "aws_instance",
            "node",
            Action::Update,
            Value::object([("instance_type", "m4.large".into())]),
            Value::object([("instance_type", "m5.large".into())]),
        )],
    );
    p.moves = moves;
    p.imports = imports;
    p
}

#[test]
fn markdown_snapshot() {
    let md = render_markdown(&sample(), &|_| None, COMMENT_LIMIT);
    insta::assert_snapshot!(md);
}

#[test]
fn destructive_changes_come_first_with_what_they_lose() {
    let md = render_markdown(&sample(), &|_| None, COMMENT_LIMIT);
    let warning = md.find("[!WARNING]").expect("a warning section");
    let first_details = md.find("<details>").unwrap();
    assert!(warning < first_details, "destroys are listed before the folded details");
    assert!(md.contains("<code>aws_db_instance.main</code> **replaced** (destroyed first) because <code>identifier</code> changed (forces replacement) — loses a database"));
    assert!(md.contains("<code>aws_elasticache_cluster.redis</code> **destroyed** (because aws\\_elasticache\\_cluster.redis is not in configuration) — loses a cache"));
    assert!(!md.contains("hunter2") && !md.contains("hunter3"), "sensitive values are masked");
    assert!(md.contains("Drift: changed outside terrane"));
}

#[test]
fn values_cannot_inject_markdown_or_html() {
    let evil = "```\n</details><script>alert(1)</script> @everyone [x](javascript:alert(1))\n";
    let p = plan(
        vec![change("aws_s3_bucket", "b", Action::Create, Value::NULL, Value::object([("policy", evil.into())]))],
        vec![],
    );
    let md = render_markdown(&p, &|_| None, COMMENT_LIMIT);
    assert_eq!(
        md.matches("<details>").count(),
        md.matches("</details>").count() - 1,
        "the value's </details> stays inside a code block"
    );
    // The value sits inside a fence longer than any backtick run in it.
    let fence_start = md.find("````diff").expect("a four-backtick fence around a value holding three");
    let fence_end = md[fence_start + 4..].find("\n````").unwrap() + fence_start + 4;
    let inside = &md[fence_start..fence_end];
    assert!(
        inside.contains("<script>") && inside.contains("@everyone"),
        "the value is shown literally, inside the code block"
    );
    let outside = format!("{}{}", &md[..fence_start], &md[fence_end..]);
    assert!(
        !outside.contains("<script>") && !outside.contains("@everyone"),
        "nothing from the value escapes the code block"
    );
    assert_eq!(escape("a|b`c@d<e>"), "a&#124;b&#96;c&#64;d&lt;e&gt;");
}

#[test]
fn big_plans_fit_the_comment_limit_and_keep_every_destroy() {
    let mut changes = Vec::new();
    for i in 0..3000 {
        let action = if i % 10 == 0 { Action::Delete } else { Action::Create };
        let (before, after) = if action == Action::Delete {
            (Value::object([("name", format!("old-{i}").into()), ("size", Value::from(i as i64))]), Value::NULL)
        } else {
            (
                Value::NULL,
                Value::object([
                    ("name", format!("new-{i}").into()),
                    ("tags", Value::object([("team", "platform".into()), ("app", format!("app-{i}").into())])),
                ]),
            )
        };
        changes.push(change("aws_instance", &format!("n{i}"), action, before, after));
    }
    let p = plan(changes, vec![]);
    let md = render_markdown(&p, &|_| None, COMMENT_LIMIT);
    assert!(md.chars().count() <= COMMENT_LIMIT, "{} characters", md.chars().count());
    for i in (0..3000).step_by(10) {
        assert!(md.contains(&format!("<code>aws_instance.n{i}</code> **destroyed**")), "destroy of n{i} listed");
    }
    assert!(md.contains("were left out to keep this comment under 65536 characters"));
    assert!(md.contains("| 2700 | 0 | 0 | 300 |"), "summary table: {}", &md[..400]);
}

#[test]
fn moves_imports_and_forgets_are_counted_and_shown() {
    let md = render_markdown(&sample(), &|_| None, COMMENT_LIMIT);
    // add, change, replace, destroy, import, move, read, drift
    assert!(md.contains("| 1 | 3 | 1 | 1 | 1 | 1 | 0 | 1 |"), "{md}");
    assert!(
        md.contains("<code>aws_cloudwatch_log_group.app</code> has moved to <code>aws_cloudwatch_log_group.web</code>"),
        "{md}"
    );
    assert!(md.contains("# (imported from \"ops\")"), "{md}");
    assert!(md.contains("[!IMPORTANT]") && md.contains("<code>aws_iam_role.legacy</code>"), "{md}");
    assert!(md.contains("module.app[\"api\"]"), "changes are grouped by module: {md}");
}
