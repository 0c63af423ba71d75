//! Bad input never panics: arbitrary bytes, mutated configurations, generated expressions,
//! mutated state files and mutated plan files go through the parser, the evaluator (a whole
//! plan with the built-in provider), the state reader and the plan reader. Each gives a
//! result or a diagnostic; a damaged plan file is always refused.
//!
//! The ordinary test run uses a fixed seed and a few hundred cases per property (bounded in
//! time); `just fuzz` runs many more with a random seed:
//! `TERRANE_FUZZ_CASES=20000 TERRANE_FUZZ_SEED=random cargo test -p terrane-engine --test robustness --release`.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use terrane_engine::config::load_sources;
use terrane_engine::context::Context;
use terrane_engine::graph::WalkControl;
use terrane_engine::hooks::NoHooks;
use terrane_engine::plan::Plan;
use terrane_engine::plan::planner::{PlanOptions, plan};
use terrane_engine::provider::ProviderRegistry;
use terrane_engine::state::State;

/// Configurations to mutate: an expression-heavy one of our own, and the repository's
/// examples and fixtures (their providers are unknown here, which only adds diagnostics).
const CORPUS: &[&str] = &[
    r#"
variable "names" {
  type    = list(string)
  default = ["web", "api"]
}
variable "size" {
  type = number
  default = 3
  validation {
    condition     = var.size > 0
    error_message = "Must be positive."
  }
}
locals {
  tags   = { for n in var.names : n => upper(n) if n != "" }
  joined = join(",", [for k, v in local.tags : "${k}=${v}"])
  nested = { a = [1, 2, { b = "c" }], d = null, e = tomap({ x = 1 }) }
  cidrs  = [for i in range(var.size) : cidrsubnet("172.16.12.0/22", 2, i)]
  text   = <<-EOT
    %{ for n in var.names ~}
    ${n}: ${lookup(local.tags, n, "none")}
    %{ endfor ~}
  EOT
  maybe  = try(local.nested.a[5], "default")
  math   = (var.size * 2 + 1) % 4 == 3 ? "odd" : "even"
  splat  = terraform_data.each[*].id
}
resource "terraform_data" "each" {
  count = var.size
  input = { index = count.index, name = element(var.names, count.index) }
}
resource "terraform_data" "map" {
  for_each = local.tags
  input    = "${each.key}-${each.value}"
  triggers_replace = [local.joined]
  lifecycle {
    precondition {
      condition     = length(each.key) > 0
      error_message = "empty"
    }
  }
}
output "all" {
  value = {
    joined = local.joined
    cidrs  = local.cidrs
    text   = local.text
    maybe  = local.maybe
    math   = local.math
    enc    = jsonencode(local.nested)
    dec    = jsondecode("{\"a\": [1, 2]}")
    b64    = base64encode(sha256("x"))
    fmt    = format("%05.1f|%-4s|%q", 3.14159, "ab", "c")
  }
}
"#,
    include_str!("../../examples/quickstart/main.tf"),
    include_str!("../../tests/fixtures/plan/create_all_kinds/main.tf"),
    include_str!("../../tests/fixtures/plan/update_in_place/main.tf"),
    include_str!("../../modules/app/main.tf"),
];

/// Fragments a mutation inserts: the tokens most likely to confuse a parser or evaluator.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "\"",
    "${",
    "%{",
    "~}",
    "<<EOT\n",
    "\nEOT\n",
    "=",
    "==",
    "=>",
    "...",
    "?",
    ":",
    ",",
    "\n",
    "#",
    "//",
    "/*",
    "*/",
    "for ",
    " in ",
    "if ",
    "var.",
    "local.",
    "each.",
    "count.index",
    "self",
    "null",
    "true",
    "-",
    "!",
    "&&",
    "1e308",
    "-0",
    "0x",
    "\\u0000",
    "\u{10FFFF}",
    "é",
    "terraform_data.each[*]",
    "[0]",
    "[\"k\"]",
    "jsondecode(",
    "format(\"%",
    "range(",
    "try(",
    "dynamic \"x\" {",
    "module \"m\" {",
    "resource \"",
];

/// A string mutated by up to `n` random edits (delete a range, insert a token or a byte,
/// duplicate a range).
fn mutated(base: &'static str) -> impl Strategy<Value = String> {
    let edits = proptest::collection::vec((any::<prop::sample::Index>(), 0u8..4, 0usize..40, any::<u8>()), 1..8);
    (Just(base), edits).prop_map(|(base, edits)| {
        let mut s: Vec<u8> = base.as_bytes().to_vec();
        for (at, op, len, byte) in edits {
            let i = if s.is_empty() { 0 } else { at.index(s.len()) };
            match op {
                0 => {
                    let end = (i + len).min(s.len());
                    s.drain(i..end);
                }
                1 => {
                    let t = TOKENS[len % TOKENS.len()].as_bytes();
                    s.splice(i..i, t.iter().copied());
                }
                2 => s.insert(i, byte),
                _ => {
                    let end = (i + len).min(s.len());
                    let dup = s[i..end].to_vec();
                    s.splice(i..i, dup);
                }
            }
        }
        String::from_utf8_lossy(&s).into_owned()
    })
}

/// Expressions from a small grammar: literals, references, operators, calls to real
/// functions with arbitrary arguments, conditionals, `for`, templates, indexes and splats.
fn expression() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_string()),
        any::<bool>().prop_map(|b| b.to_string()),
        any::<i32>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|n| if n.is_finite() { format!("{n}") } else { "1.5".into() }),
        "[a-z0-9 é,./-]{0,12}".prop_map(|s| format!("{s:?}")),
        // Now and then a string with template and escape characters.
        "[a-z%$\\\\{}\"é\\n]{0,12}".prop_map(|s| format!("{s:?}")),
        Just("var.names".to_string()),
        Just("var.size".to_string()),
        Just("local.base".to_string()),
        Just("local.base.list".to_string()),
        Just("[]".to_string()),
        Just("{}".to_string()),
    ];
    const FUNCS: &[&str] = &[
        "length",
        "upper",
        "join",
        "split",
        "format",
        "formatlist",
        "jsonencode",
        "jsondecode",
        "yamlencode",
        "tostring",
        "tonumber",
        "tolist",
        "toset",
        "tomap",
        "concat",
        "flatten",
        "merge",
        "keys",
        "values",
        "lookup",
        "element",
        "slice",
        "range",
        "setproduct",
        "zipmap",
        "coalesce",
        "compact",
        "distinct",
        "reverse",
        "sort",
        "max",
        "min",
        "abs",
        "ceil",
        "pow",
        "log",
        "cidrsubnet",
        "cidrhost",
        "regex",
        "regexall",
        "replace",
        "substr",
        "trimspace",
        "indent",
        "base64decode",
        "base64encode",
        "sha256",
        "md5",
        "uuidv5",
        "try",
        "can",
        "contains",
        "index",
        "chunklist",
        "transpose",
        "templatestring",
        "startswith",
        "strrev",
        "title",
        "one",
        "sum",
        "parseint",
        "signum",
        "floor",
        "matchkeys",
        "alltrue",
        "anytrue",
        "sensitive",
        "nonsensitive",
        "timeadd",
        "formatdate",
        "cidrnetmask",
        "cidrsubnets",
    ];
    leaf.prop_recursive(4, 48, 4, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(&["+", "-", "*", "/", "%", "==", "!=", "<", ">=", "&&", "||"][..]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            (prop::sample::select(FUNCS), proptest::collection::vec(inner.clone(), 0..4))
                .prop_map(|(f, args)| format!("{f}({})", args.join(", "))),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, a, b)| format!("({c} ? {a} : {b})")),
            (inner.clone(), inner.clone()).prop_map(|(c, b)| format!("[for v in {c} : {b}]")),
            (inner.clone(), inner.clone()).prop_map(|(c, b)| format!("{{for k, v in {c} : k => {b}...}}")),
            proptest::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{{ a = {a}, \"b\" = {b} }}")),
            (inner.clone(), inner.clone()).prop_map(|(a, i)| format!("{a}[{i}]")),
            inner.clone().prop_map(|a| format!("{a}[*].id")),
            inner.clone().prop_map(|a| format!("\"x${{{a}}}%{{ if {a} }}y%{{ endif }}\"")),
            inner.clone().prop_map(|a| format!("!{a}")),
        ]
    })
}

fn config(cases: u32) -> Config {
    let cases = std::env::var("TERRANE_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(cases);
    const SEED: u64 = 0x07e4_4a1e;
    let rng_seed = match std::env::var("TERRANE_FUZZ_SEED").as_deref() {
        Ok("random") => RngSeed::Random,
        Ok(n) => n.parse().map_or(RngSeed::Fixed(SEED), RngSeed::Fixed),
        Err(_) => RngSeed::Fixed(SEED),
    };
    Config { cases, rng_seed, failure_persistence: None, max_shrink_iters: 2000, ..Config::default() }
}

/// A configuration that evaluates `e` in a local, a resource argument and an output.
fn expression_config(e: &str) -> String {
    format!(
        "variable \"names\" {{\n  default = [\"a\", \"b\"]\n}}\nvariable \"size\" {{\n  default = 2\n}}\nlocals {{\n  base = {{ id = \"x\", list = [1, 2] }}\n  value = {e}\n}}\nresource \"terraform_data\" \"x\" {{\n  input = local.value\n}}\noutput \"o\" {{\n  value = {e}\n}}\n"
    )
}

/// How far [`run`] got with a configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Reached {
    /// Refused by the parser or the loader.
    Loader,
    /// Validated: every expression it can evaluate was evaluated.
    Evaluator,
    /// Valid, and planned.
    Planner,
}

/// Parses, validates and (when the configuration is valid) plans `src` with the built-in
/// provider. Any outcome but a panic is fine; it says how far it got (each caller counts its
/// own runs: tests run side by side in one process).
fn run(src: &str) -> Reached {
    let (config, diags) = load_sources(vec![("main.tf".into(), src.to_string())]);
    if diags.has_errors() {
        return Reached::Loader;
    }
    // Validation evaluates every expression it can (type errors, bad function arguments).
    let ctx = Context::new(config, ProviderRegistry::with_builtin(), &State::new(), "default");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    if rt.block_on(ctx.validate()).has_errors() {
        return Reached::Evaluator;
    }
    let _ = rt.block_on(plan(&ctx, None, &PlanOptions::default(), &WalkControl::default(), &NoHooks));
    Reached::Planner
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        run(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn mutated_configurations_never_panic(src in (0..CORPUS.len()).prop_flat_map(|i| mutated(CORPUS[i]))) {
        run(&src);
    }

    #[test]
    fn generated_expressions_never_panic(e in expression()) {
        run(&expression_config(&e));
    }
}

const STATE: &str = include_str!("fixtures/state/terraform-1.11.tfstate");

proptest! {
    #![proptest_config(config(500))]

    #[test]
    fn mutated_states_never_panic(src in mutated(STATE)) {
        if let Ok(state) = State::from_json(src.as_bytes()) {
            // What was accepted writes and reads back.
            let again = State::from_json(&state.to_json());
            prop_assert!(again.is_ok(), "a state that was read cannot be read back: {again:?}");
        }
    }

    #[test]
    fn damaged_plan_files_are_always_refused(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..4),
    ) {
        let good = saved_plan();
        let mut bytes = good.clone();
        for (at, byte, op) in edits {
            let i = at.index(bytes.len().max(1)).min(bytes.len().saturating_sub(1));
            match op {
                0 => bytes[i] = byte,
                1 => bytes.truncate(i),
                _ => bytes.insert(i, byte),
            }
        }
        let read = Plan::from_bytes(&bytes);
        if bytes != good {
            prop_assert!(read.is_err(), "a damaged plan file was accepted");
        }
    }
}

/// A real saved plan (with values of every kind) to damage.
fn saved_plan() -> Vec<u8> {
    static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BYTES
        .get_or_init(|| {
            let (config, diags) = load_sources(vec![("main.tf".into(), CORPUS[0].to_string())]);
            assert!(!diags.has_errors(), "{diags:?}");
            let ctx = Context::new(config, ProviderRegistry::with_builtin(), &State::new(), "default");
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let (p, _) = rt
                .block_on(plan(&ctx, None, &PlanOptions::default(), &WalkControl::default(), &NoHooks))
                .unwrap_or_else(|d| panic!("{d:?}"));
            let bytes = p.to_bytes();
            assert!(Plan::from_bytes(&bytes).is_ok(), "the undamaged plan reads back");
            bytes
        })
        .clone()
}

#[test]
fn a_truncated_plan_file_says_it_is_damaged() {
    let bytes = saved_plan();
    let err = Plan::from_bytes(&bytes[..bytes.len() / 2]).unwrap_err();
    assert!(err.contains("damaged or truncated"), "{err}");
    let mut edited = String::from_utf8(bytes).unwrap();
    edited = edited.replacen("\"default\"", "\"other!!\"", 1);
    let err = Plan::from_bytes(edited.as_bytes()).unwrap_err();
    assert!(err.contains("checksum does not match"), "{err}");
}

#[test]
fn huge_and_deep_inputs_are_bounded() {
    for src in [
        // A format width that would allocate gigabytes.
        "output \"o\" {\n  value = format(\"%999999999d\", 1)\n}\n".to_string(),
        // A product of lists with a trillion elements.
        "output \"o\" {\n  value = length(setproduct(range(1000), range(1000), range(1000), range(1000)))\n}\n".to_string(),
        // Strings that grow by replacement.
        "locals {\n  a = join(\"\", [for i in range(1024) : \"aaaaaaaaaaaaaaaa\"])\n  b = replace(local.a, \"a\", local.a)\n  c = replace(local.b, \"a\", local.b)\n}\noutput \"o\" {\n  value = length(local.c)\n}\n".to_string(),
        // Nesting deeper than the parser allows.
        format!("locals {{\n  x = {}1{}\n}}\n", "(".repeat(5000), ")".repeat(5000)),
        format!("locals {{\n  x = jsondecode(\"{}{}\")\n}}\n", "[".repeat(100_000), "]".repeat(100_000)),
    ] {
        let started = std::time::Instant::now();
        run(&src);
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "took {:?}: {}", started.elapsed(), &src[..60.min(src.len())]);
    }
}

/// The generated expressions are worth fuzzing with only if nearly all of them get past the
/// parser into the evaluator, and a good share evaluate cleanly into a whole plan.
#[test]
fn generated_expressions_reach_the_evaluator_and_the_planner() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::new(config(200));
    let n = 200;
    let reached: Vec<Reached> =
        (0..n).map(|_| run(&expression_config(&expression().new_tree(&mut runner).unwrap().current()))).collect();
    let evaluated = reached.iter().filter(|r| **r >= Reached::Evaluator).count();
    let planned = reached.iter().filter(|r| **r == Reached::Planner).count();
    assert!(evaluated * 10 >= n * 9, "only {evaluated} of {n} generated expressions parsed");
    assert!(planned * 5 >= n, "only {planned} of {n} generated expressions were planned");
}
