use super::*;
use crate::addr::Mode;
use crate::config::load_sources;
use crate::plan::{Action, Plan};
use crate::state::State;
use std::sync::Mutex;

fn opts() -> BuildOptions<'static> {
    static TYPES: fn(&str, Mode) -> Option<Vec<String>> = |name, _| match name {
        "terraform" => Some(vec!["terraform_data".to_string()]),
        _ => None,
    };
    BuildOptions { resource_types: &TYPES, provider_names: vec!["terraform".into()] }
}

fn graph(src: &str) -> (Graph, Diagnostics) {
    let (config, d) = load_sources(vec![("main.tf".into(), src.into())]);
    assert!(!d.has_errors(), "{d}");
    build(&config, &State::new(), &opts())
}

fn deps(g: &Graph, n: Node) -> Vec<String> {
    let i = g.get(&n).unwrap();
    let mut v: Vec<String> = g.dependencies(i).map(|d| g.node(d).to_string()).collect();
    v.sort();
    v
}

#[test]
fn edges_follow_references_locals_and_depends_on() {
    let (g, d) = graph(
        r#"
variable "n" {}
locals { name = "x-${var.n}" }
resource "terraform_data" "a" { input = local.name }
resource "terraform_data" "b" {
  input      = terraform_data.a.output
  depends_on = [terraform_data.c]
}
resource "terraform_data" "c" {}
output "o" { value = terraform_data.b.id }
"#,
    );
    assert!(!d.has_errors(), "{d}");
    assert_eq!(deps(&g, Node::Local(vec![], "name".into())), ["var.n"]);
    assert_eq!(
        deps(&g, Node::Resource(ResourceAddr::managed("terraform_data", "a"))),
        ["local.name", "provider[\"terraform\"]"]
    );
    assert_eq!(
        deps(&g, Node::Resource(ResourceAddr::managed("terraform_data", "b"))),
        ["provider[\"terraform\"]", "terraform_data.a", "terraform_data.c"]
    );
    assert_eq!(deps(&g, Node::Output(vec![], "o".into())), ["terraform_data.b"]);
    let b = g.get(&Node::Resource(ResourceAddr::managed("terraform_data", "b"))).unwrap();
    assert_eq!(
        g.resource_dependencies(b),
        vec![ResourceAddr::managed("terraform_data", "a"), ResourceAddr::managed("terraform_data", "c")]
    );
    let a = g.get(&Node::Resource(ResourceAddr::managed("terraform_data", "a"))).unwrap();
    assert!(g.resource_dependencies(a).is_empty(), "through local and var, no resource");
}

#[test]
fn cycles_name_every_member() {
    let (_, d) = graph(
        r#"
resource "terraform_data" "a" { input = terraform_data.b.id }
resource "terraform_data" "b" { input = local.x }
locals { x = terraform_data.a.id }
"#,
    );
    let cycle = d.iter().find(|d| d.summary == "Cycle").expect("a cycle error");
    for name in ["terraform_data.a", "terraform_data.b", "local.x"] {
        assert!(cycle.detail.contains(name), "{}", cycle.detail);
    }
    assert_eq!(cycle.related.len(), 2, "the other members are labelled in the snippet");
}

/// References to undeclared objects are errors of the graph; `count`, `each` and `self` where
/// they are not available are errors of evaluation (as in Terraform), found by the walk with
/// everything else.
#[tokio::test]
async fn references_to_undeclared_objects_and_misused_meta_objects() {
    let src = r#"
variable "region" {}
resource "terraform_data" "a" {
  input = [var.regon, local.nope, terraform_data.zz.id, count.index, each.key, self.id]
}
"#;
    let (_, d) = graph(src);
    let summaries: Vec<&str> = d.iter().map(|d| d.summary.as_str()).collect();
    assert_eq!(
        summaries,
        [
            "Reference to undeclared input variable",
            "Reference to undeclared local value",
            "Reference to undeclared resource"
        ]
    );
    assert!(d.0[0].detail.contains("Did you mean \"region\"?"));
    let (config, _) = load_sources(vec![("main.tf".into(), src.into())]);
    let ctx = crate::context::Context::new(
        config,
        crate::provider::ProviderRegistry::with_builtin(),
        &State::new(),
        "default",
    );
    let mut walked: Vec<String> = ctx.validate().await.iter().map(|d| d.summary.clone()).collect();
    walked.sort();
    assert_eq!(
        walked,
        [
            "Invalid \"self\" reference",
            "Reference to \"count\" in non-counted context",
            "Reference to \"each\" in context without for_each",
            "Reference to undeclared input variable",
            "Reference to undeclared local value",
            "Reference to undeclared resource",
        ]
    );
}

#[test]
fn unknown_providers_and_resource_types() {
    let (_, d) = graph("resource \"terraform_dta\" \"a\" {}\nresource \"aws_instance\" \"b\" {}\n");
    let summaries: Vec<&str> = d.iter().map(|d| d.summary.as_str()).collect();
    assert_eq!(summaries, ["Invalid resource type", "Provider not available"]);
    assert!(d.0[0].detail.contains("Did you mean \"terraform_data\"?"), "{}", d.0[0].detail);
}

#[test]
fn targets_keep_their_dependencies_only() {
    let (mut g, _) = graph(
        r#"
resource "terraform_data" "a" {}
resource "terraform_data" "b" { input = terraform_data.a.id }
resource "terraform_data" "c" {}
"#,
    );
    let keep = target_nodes(&g, &[crate::addr::parse_target("terraform_data.b").unwrap()]);
    g.retain_ancestors(&keep);
    let mut left: Vec<String> = g.nodes().map(|(_, n)| n.to_string()).collect();
    left.sort();
    assert_eq!(left, ["provider[\"terraform\"]", "terraform_data.a", "terraform_data.b"]);
}

fn chain_graph(edges: &[(usize, usize)], n: usize) -> (Graph, Vec<NodeIndex>) {
    let mut g = Graph::default();
    let nodes: Vec<NodeIndex> = (0..n).map(|i| g.add(Node::Local(vec![], format!("n{i}")))).collect();
    for (a, b) in edges {
        g.edge(nodes[*a], nodes[*b]);
    }
    (g, nodes)
}

#[tokio::test]
async fn walker_respects_order_and_skips_dependents_of_failures() {
    // 0 -> 1 -> 2, 0 -> 3, 4 independent; node 1 fails.
    let (g, n) = chain_graph(&[(0, 1), (1, 2), (0, 3)], 5);
    let order = Mutex::new(Vec::new());
    let out = walk(&g, &WalkControl::default(), |i| {
        let order = &order;
        let fail = i == n[1];
        async move {
            order.lock().unwrap().push(i);
            !fail
        }
    })
    .await;
    assert_eq!(out[&n[0]], NodeOutcome::Done);
    assert_eq!(out[&n[1]], NodeOutcome::Failed);
    assert_eq!(out[&n[2]], NodeOutcome::Skipped);
    assert_eq!(out[&n[3]], NodeOutcome::Done);
    assert_eq!(out[&n[4]], NodeOutcome::Done);
    let order = order.into_inner().unwrap();
    let pos = |x: NodeIndex| order.iter().position(|o| *o == x).unwrap();
    assert!(pos(n[0]) < pos(n[1]) && pos(n[0]) < pos(n[3]));
    assert!(!order.contains(&n[2]));
}

#[tokio::test]
async fn walker_runs_independent_nodes_concurrently() {
    let (g, _) = chain_graph(&[], 8);
    let running = std::sync::atomic::AtomicUsize::new(0);
    let max = std::sync::atomic::AtomicUsize::new(0);
    walk(&g, &WalkControl::default(), |_| {
        let (running, max) = (&running, &max);
        async move {
            let now = running.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            max.fetch_max(now, std::sync::atomic::Ordering::SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            running.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            true
        }
    })
    .await;
    assert_eq!(max.into_inner(), 8);
}

#[tokio::test]
async fn cancel_starts_nothing_new() {
    let (g, n) = chain_graph(&[(0, 1), (1, 2)], 3);
    let control = WalkControl::default();
    let out = walk(&g, &control, |i| {
        let c = control.clone();
        let first = i == n[0];
        async move {
            if first {
                c.cancel.cancel();
            }
            true
        }
    })
    .await;
    assert_eq!(out[&n[0]], NodeOutcome::Done, "the in-flight node finishes");
    assert_eq!(out[&n[1]], NodeOutcome::Cancelled);
    assert_eq!(out[&n[2]], NodeOutcome::Cancelled);
}

/// One node running many operations (the instances of a counted resource): after the
/// interrupt, the operations waiting for a permit do not start, and the walk knows it.
#[tokio::test]
async fn cancel_starts_no_operation_inside_a_running_node() {
    let (g, _) = chain_graph(&[], 1);
    let control = WalkControl::default();
    let permits = Permits::new(1, &control);
    let started = std::sync::atomic::AtomicUsize::new(0);
    let out = walk(&g, &control, |_| {
        let (permits, started, control) = (&permits, &started, &control);
        async move {
            let ops = (0..60).map(|_| async move {
                let Some(_permit) = permits.acquire().await else { return false };
                if started.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 == 3 {
                    control.cancel.cancel();
                }
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                true
            });
            futures::future::join_all(ops).await.into_iter().all(|ok| ok)
        }
    })
    .await;
    assert_eq!(started.into_inner(), 3, "nothing started after the interrupt");
    assert!(permits.refused());
    assert!(out.values().all(|o| *o == NodeOutcome::Failed));
    assert!(Permits::new(1, &control).acquire().await.is_none());
}

#[test]
fn dot_output_lists_nodes_and_edges() {
    let (g, _) = graph(
        "resource \"terraform_data\" \"a\" {}\nresource \"terraform_data\" \"b\" { input = terraform_data.a.id }\n",
    );
    let dot = g.to_dot();
    assert!(dot.contains("\"terraform_data.b\" -> \"terraform_data.a\""), "{dot}");
}

#[test]
fn mermaid_output_lists_nodes_edges_and_marks() {
    let (g, _) = graph(
        "resource \"terraform_data\" \"a\" {}\nresource \"terraform_data\" \"b\" { input = terraform_data.a.id }\nresource \"terraform_data\" \"c\" { input = { k = \"x\" } }\n",
    );
    let plain = g.to_mermaid(&NodeMarks::new());
    assert!(plain.starts_with("flowchart LR\n"), "{plain}");
    assert!(!plain.contains("classDef"), "no styles without a plan: {plain}");
    let mut marks = NodeMarks::new();
    marks.insert(Node::Resource(ResourceAddr::managed("terraform_data", "b")), vec![Action::Create]);
    marks.insert(Node::Resource(ResourceAddr::managed("terraform_data", "a")), vec![Action::Update, Action::Delete]);
    let m = g.to_mermaid(&marks);
    insta::assert_snapshot!(m);
    assert!(m.contains("[\"terraform_data.b (create)\"]"), "{m}");
    assert!(m.contains("[\"terraform_data.a (delete, update)\"]"), "{m}");
    assert!(m.contains("classDef delete "), "{m}");
}

#[test]
fn mermaid_labels_escape_quotes() {
    assert_eq!(render::mermaid_escape("a[\"k\"] <b> #1"), "a[#quot;k#quot;] #lt;b#gt; #35;1");
}

#[test]
fn a_plan_restricts_the_graph_to_its_changes_keeping_indirect_edges() {
    let (mut g, _) = graph(
        r#"
resource "terraform_data" "a" {}
locals { a_id = terraform_data.a.id }
resource "terraform_data" "unchanged" { input = local.a_id }
resource "terraform_data" "b" { input = terraform_data.unchanged.id }
resource "terraform_data" "c" {}
"#,
    );
    let change = |name: &str, action: Action| crate::plan::ResourceChange {
        addr: ResourceAddr::managed("terraform_data", name).instance(crate::addr::InstanceKey::None),
        deposed: None,
        provider: "terraform".into(),
        provider_address: "provider[\"terraform.io/builtin/terraform\"]".into(),
        action,
        before: crate::value::Value::NULL,
        after: crate::value::Value::NULL,
        replace_paths: vec![],
        reason: None,
    };
    let plan = Plan {
        format_version: crate::plan::PLAN_FORMAT_VERSION,
        terrane_version: "test".into(),
        mode: crate::plan::PlanMode::Normal,
        workspace: "default".into(),
        base: None,
        variables: Default::default(),
        changes: vec![
            change("a", Action::Update),
            change("b", Action::DeleteThenCreate),
            change("c", Action::NoOp),
            change("gone", Action::Delete),
            change("unchanged", Action::NoOp),
        ],
        drift: vec![],
        outputs: vec![],
        targets: vec![],
        replace: vec![],
        config: vec![],
        config_dir: ".".into(),
        prior_state: State::new(),
        errored: false,
        created: "2026-11-27T00:00:00Z".into(),
        moves: Vec::new(),
        imports: Vec::new(),
        adopted: Vec::new(),
        causes: Default::default(),
        checks: Default::default(),
    };
    let marks = g.restrict_to_plan(&plan);
    let mut names: Vec<String> = g.nodes().map(|(_, n)| n.to_string()).collect();
    names.sort();
    assert_eq!(names, ["terraform_data.a", "terraform_data.b", "terraform_data.gone"]);
    assert_eq!(
        deps(&g, Node::Resource(ResourceAddr::managed("terraform_data", "b"))),
        ["terraform_data.a"],
        "b depends on a through a local and an unchanged resource"
    );
    assert_eq!(marks[&Node::Resource(ResourceAddr::managed("terraform_data", "gone"))], [Action::Delete]);
    let dot = g.to_dot_marked(&marks);
    assert!(dot.contains("label = \"terraform_data.b (replace)\", shape = \"box\", color = \"orange\""), "{dot}");
}
