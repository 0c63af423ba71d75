//! The scope the conformance cases are evaluated in: `context/main.tf` as `terraform
//! console` sees it with no state — variables at their defaults (converted to their type
//! constraints, sensitive ones marked), locals evaluated on demand, resources that are not
//! applied (unknown), `path` and `terraform`.
//!
//! TEMPORARY: this stands in for terrane's own `console` command until the engine runs on
//! the new values; then the suite runs through that command instead.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use terrane_engine::cty::ty::go_quote;
use terrane_engine::cty::{Marks, Type, Value, convert};
use terrane_engine::diag::{Diagnostic, SourceRange};
use terrane_engine::hcl::ast::{Expr, Traverser};
use terrane_engine::hcl::{self, Body};
use terrane_engine::lang::eval::{Diags, Evaluator, Scope, has_errors};
use terrane_engine::lang::typeexpr::type_constraint;

pub struct ConsoleScope {
    dir: PathBuf,
    src: String,
    body: Body,
    vars: BTreeMap<String, Value>,
    locals: BTreeMap<String, Expr>,
    resources: BTreeMap<String, bool>,
    cache: Mutex<BTreeMap<String, (Value, Diags)>>,
    in_progress: Mutex<Vec<String>>,
}

/// The type string of a console `type()` result.
pub fn type_marker(v: &Value) -> Option<String> {
    let m = v.as_map()?;
    if m.len() != 1 {
        return None;
    }
    let (k, t) = m.iter().next()?;
    (k == "\u{0}terrane:type").then(|| t.as_str().unwrap_or("").to_string())
}

impl ConsoleScope {
    pub fn load(dir: &Path) -> ConsoleScope {
        let src = std::fs::read_to_string(dir.join("main.tf")).unwrap();
        let (body, diags) = hcl::parse_config(src.as_bytes(), "main.tf");
        assert!(diags.is_empty(), "context/main.tf: {diags:?}");
        let mut scope = ConsoleScope {
            dir: dir.to_path_buf(),
            src: src.clone(),
            body: Body::default(),
            vars: BTreeMap::new(),
            locals: BTreeMap::new(),
            resources: BTreeMap::new(),
            cache: Mutex::new(BTreeMap::new()),
            in_progress: Mutex::new(Vec::new()),
        };
        for b in &body.blocks {
            match b.ty.as_str() {
                "variable" => {
                    let name = b.labels[0].clone();
                    let v = scope.variable_value(&b.body);
                    scope.vars.insert(name, v);
                }
                "locals" => {
                    for a in &b.body.attributes {
                        scope.locals.insert(a.name.clone(), a.expr.clone());
                    }
                }
                "resource" => {
                    let counted = b.body.attribute("count").is_some() || b.body.attribute("for_each").is_some();
                    scope.resources.insert(format!("{}.{}", b.labels[0], b.labels[1]), counted);
                }
                _ => {}
            }
        }
        scope.body = body;
        scope
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn evaluator(&self) -> Evaluator<'_> {
        let mut ev = Evaluator::new(self, &self.dir, 1, self.src.as_bytes(), "main.tf");
        ev.console = true;
        ev
    }

    fn variable_value(&self, body: &Body) -> Value {
        let (ty, defaults) = match body.attribute("type") {
            Some(t) => {
                let (ty, d, diags) = type_constraint(&t.expr, 1);
                assert!(diags.is_empty(), "{diags:?}");
                (ty, d)
            }
            None => (Type::Dynamic, None),
        };
        let raw = match body.attribute("default") {
            Some(a) => {
                let (v, d) = self.evaluator().eval(&a.expr);
                assert!(!has_errors(&d), "{d:?}");
                v
            }
            None => Value::NULL,
        };
        let raw = match &defaults {
            Some(d) if !raw.is_null() => d.apply(raw),
            _ => raw,
        };
        let v = convert::convert(raw, &ty).expect("default fits its type");
        let sensitive = body
            .attribute("sensitive")
            .is_some_and(|a| matches!(&a.expr.kind, hcl::ExprKind::Literal(Value::Bool(true))));
        if sensitive { v.with_marks(Marks::SENSITIVE) } else { v }
    }

    fn local(&self, name: &str, range: &SourceRange) -> Result<Value, Diags> {
        if let Some((v, d)) = self.cache.lock().unwrap().get(name).cloned() {
            return if has_errors(&d) { Err(d) } else { Ok(v) };
        }
        let Some(expr) = self.locals.get(name) else {
            return Err(vec![
                Diagnostic::error(
                    "Reference to undeclared local value",
                    format!("A local value with the name {} has not been declared.", go_quote(name)),
                )
                .at(range.clone()),
            ]);
        };
        if self.in_progress.lock().unwrap().iter().any(|n| n == name) {
            return Ok(Value::DYNAMIC);
        }
        self.in_progress.lock().unwrap().push(name.to_string());
        let (v, d) = self.evaluator().eval(expr);
        self.in_progress.lock().unwrap().retain(|n| n != name);
        self.cache.lock().unwrap().insert(name.to_string(), (v.clone(), d.clone()));
        if has_errors(&d) { Err(d) } else { Ok(v) }
    }
}

fn attr(steps: &[Traverser], i: usize) -> Option<&str> {
    match steps.get(i) {
        Some(Traverser::Attr { name, .. }) => Some(name),
        _ => None,
    }
}

fn invalid_ref(range: &SourceRange, detail: &str) -> Diags {
    vec![Diagnostic::error("Invalid reference", detail).at(range.clone())]
}

impl Scope for ConsoleScope {
    fn resolve(&self, root: &str, steps: &[Traverser], range: &SourceRange) -> Result<(Value, usize), Diags> {
        match root {
            "var" => {
                let Some(name) = attr(steps, 0) else {
                    return Err(invalid_ref(
                        range,
                        "The \"var\" object cannot be accessed directly. Instead, access one of its attributes.",
                    ));
                };
                match self.vars.get(name) {
                    Some(v) => Ok((v.clone(), 1)),
                    None => Err(vec![
                        Diagnostic::error(
                            "Reference to undeclared input variable",
                            format!(
                                "An input variable with the name {} has not been declared. This variable can be declared with a variable {} {{}} block.",
                                go_quote(name),
                                go_quote(name)
                            ),
                        )
                        .at(range.clone()),
                    ]),
                }
            }
            "local" => {
                let Some(name) = attr(steps, 0) else {
                    return Err(invalid_ref(
                        range,
                        "The \"local\" object cannot be accessed directly. Instead, access one of its attributes.",
                    ));
                };
                self.local(name, range).map(|v| (v, 1))
            }
            "path" => {
                let Some(name) = attr(steps, 0) else {
                    return Err(invalid_ref(
                        range,
                        "The \"path\" object cannot be accessed directly. Instead, access one of its attributes.",
                    ));
                };
                let v = match name {
                    "module" | "root" => Value::from("."),
                    "cwd" => Value::from(self.dir.to_string_lossy().as_ref()),
                    other => {
                        let hint = hcl::best_suggestion(other, ["cwd", "module", "root"])
                            .map(|s| format!(" Did you mean {}?", go_quote(s)))
                            .unwrap_or_default();
                        return Err(vec![
                            Diagnostic::error(
                                "Invalid \"path\" attribute",
                                format!(
                                    "The \"path\" object does not have an attribute named {}.{hint}",
                                    go_quote(other)
                                ),
                            )
                            .at(range.clone()),
                        ]);
                    }
                };
                Ok((v, 1))
            }
            "terraform" => match attr(steps, 0) {
                Some("workspace") => Ok((Value::from("default"), 1)),
                _ => Err(invalid_ref(range, "The \"terraform\" object does not have an attribute named that.")),
            },
            "count" | "each" | "self" | "data" | "module" => {
                Err(invalid_ref(range, &format!("The {} object is not available here.", go_quote(root))))
            }
            ty => {
                let Some(name) = attr(steps, 0) else {
                    return Err(invalid_ref(
                        range,
                        "A reference to a resource type must be followed by at least one attribute access, specifying the resource name.",
                    ));
                };
                let key = format!("{ty}.{name}");
                let Some(counted) = self.resources.get(&key) else {
                    return Err(vec![
                        Diagnostic::error(
                            "Reference to undeclared resource",
                            format!(
                                "A managed resource {} {} has not been declared in the root module.",
                                go_quote(ty),
                                go_quote(name)
                            ),
                        )
                        .at(range.clone()),
                    ]);
                };
                if !counted
                    && let Some(a) = attr(steps, 1)
                    && !["id", "input", "output", "triggers_replace"].contains(&a)
                {
                    return Err(vec![
                        Diagnostic::error(
                            "Unsupported attribute",
                            format!(
                                "This object has no argument, nested block, or exported attribute named {}.",
                                go_quote(a)
                            ),
                        )
                        .at(range.clone()),
                    ]);
                }
                Ok((Value::DYNAMIC, 1))
            }
        }
    }
}
