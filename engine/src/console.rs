//! `terrane console`: expressions evaluated against the configuration and the state, as
//! Terraform's console does (`Context.Eval` and `repl.Session`). Variables take their
//! prepared values; locals, module outputs and module arguments are evaluated when a line
//! needs them; resources are their recorded objects, and unknown (`DynamicVal`) when the
//! state has none; `type()` is available.

use crate::addr::{InstanceKey, ModuleStep};
use crate::config::{Config, Expr};
use crate::context::Context;
use crate::diag::{Diagnostic, Diagnostics, SourceMap, SourceRange};
use crate::eval::references::{self, Subject};
use crate::eval::{Evaluator, Scope};
use crate::run::{Expansion, InstanceCtx, ModInst, expand};
use crate::state::State;
use crate::value::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

/// A console session over one configuration and state.
pub struct Console<'a> {
    ctx: &'a Context,
    state: &'a State,
    vars: BTreeMap<String, Value>,
    cache: Mutex<HashMap<(ModInst, String), Result<Value, Diagnostics>>>,
    busy: Mutex<HashSet<(ModInst, String)>>,
}

impl<'a> Console<'a> {
    /// A session; `vars` are the root module's prepared variable values
    /// ([`crate::variables::collect`]).
    pub fn new(ctx: &'a Context, state: &'a State, vars: BTreeMap<String, Value>) -> Console<'a> {
        Console { ctx, state, vars, cache: Mutex::new(HashMap::new()), busy: Mutex::new(HashSet::new()) }
    }

    /// Evaluates an expression in the root module: its value, or its diagnostics. References
    /// to undeclared objects are reported before anything is evaluated, as Terraform's
    /// static validation does.
    pub fn eval(&self, e: &Expr) -> (Value, Vec<Diagnostic>) {
        let mut diags: Vec<Diagnostic> = Vec::new();
        for r in references::of_expr(e) {
            if let Err(d) = crate::graph::validate_reference(&self.ctx.config, &r) {
                diags.push(d);
            }
        }
        if diags.iter().any(Diagnostic::is_error) {
            return (Value::DYNAMIC, diags);
        }
        let scope = self.scope(Vec::new(), &self.ctx.config, None);
        let mut ev = Evaluator::new(&scope, &self.ctx.config.dir);
        ev.console = true;
        let (v, d) = ev.eval_all(e);
        diags.extend(d);
        (v, diags)
    }

    /// Evaluates one console line, added to `sources` as `<console-input>` (for its
    /// diagnostics' snippets): the value as the console prints it, or the diagnostics.
    pub fn eval_line(&self, line: &str, sources: &mut SourceMap) -> Result<String, Diagnostics> {
        let file = sources.add("<console-input>", line);
        let source = std::sync::Arc::new(sources.get(file).expect("just added").clone());
        let (e, parse_diags) = crate::hcl::parse_expression(line.as_bytes(), "<console-input>");
        if !parse_diags.is_empty() {
            return Err(Diagnostics(parse_diags.into_iter().map(|d| crate::config::hcl_diagnostic(file, d)).collect()));
        }
        let (v, diags) = self.eval(&Expr::new(file, e, &source));
        if diags.iter().any(Diagnostic::is_error) {
            return Err(Diagnostics(diags));
        }
        Ok(format_result(&v))
    }

    fn scope(&'a self, module: ModInst, config: &'a Config, inst: Option<InstanceCtx>) -> LazyScope<'a> {
        LazyScope { console: self, module, config, inst }
    }

    /// A value computed once per module instance and name, with cycles cut (a value that
    /// depends on itself is unknown while it is being computed).
    fn cached(
        &self,
        module: &[ModuleStep],
        key: String,
        compute: impl FnOnce() -> Result<Value, Diagnostics>,
    ) -> Result<Value, Diagnostics> {
        let k = (module.to_vec(), key);
        if let Some(v) = self.cache.lock().expect("console cache").get(&k) {
            return v.clone();
        }
        if !self.busy.lock().expect("console busy").insert(k.clone()) {
            return Ok(Value::DYNAMIC);
        }
        let v = compute();
        self.busy.lock().expect("console busy").remove(&k);
        self.cache.lock().expect("console cache").insert(k, v.clone());
        v
    }

    fn local(&'a self, module: &ModInst, config: &'a Config, name: &str) -> Result<Value, Diagnostics> {
        self.cached(module, format!("local.{name}"), || {
            let Some(l) = config.locals.get(name) else { return Ok(Value::DYNAMIC) };
            let scope = self.scope(module.clone(), config, None);
            Evaluator::new(&scope, &self.ctx.config.dir).eval(&l.expr)
        })
    }

    /// An input variable of a module instance: its call's argument (evaluated in the caller)
    /// or its default, prepared as Terraform prepares module arguments.
    fn module_var(&'a self, module: &ModInst, config: &'a Config, name: &str) -> Result<Value, Diagnostics> {
        if module.is_empty() {
            return Ok(self.vars.get(name).cloned().unwrap_or(Value::DYNAMIC));
        }
        self.cached(module, format!("var.{name}"), || {
            let Some(decl) = config.variables.get(name) else { return Ok(Value::DYNAMIC) };
            let (last, parent) = module.split_last().expect("a module instance");
            let parent_names: Vec<String> = parent.iter().map(|s| s.name.clone()).collect();
            let parent_cfg = self.ctx.config.module(&parent_names).expect("caller module");
            let call = &parent_cfg.module_calls[&last.name];
            let (value, range) = match call.args.get(name) {
                Some(e) => {
                    let inst = self.instance_ctx(parent, parent_cfg, &last.name, &last.key)?;
                    let scope = self.scope(parent.to_vec(), parent_cfg, Some(inst));
                    (Some(Evaluator::new(&scope, &self.ctx.config.dir).eval(e)?), Some(e.range()))
                }
                None => (None, None),
            };
            let addr = format!(
                "{}.var.{name}",
                module.iter().map(|m| format!("module.{}{}", m.name, m.key)).collect::<Vec<_>>().join(".")
            );
            let (v, d) =
                crate::variables::convert_module_input(&addr, decl, value, range.as_ref(), &self.ctx.config.sources);
            if d.has_errors() { Err(d) } else { Ok(v) }
        })
    }

    /// How module call `name` in module instance `module` expands.
    fn expansion(&'a self, module: &[ModuleStep], config: &'a Config, name: &str) -> Result<Expansion, Diagnostics> {
        let Some(call) = config.module_calls.get(name) else { return Ok(Expansion::Count(0)) };
        let scope = self.scope(module.to_vec(), config, None);
        expand(call.count.as_ref(), call.for_each.as_ref(), &mut Evaluator::new(&scope, &self.ctx.config.dir))
    }

    fn instance_ctx(
        &'a self,
        module: &[ModuleStep],
        config: &'a Config,
        name: &str,
        key: &InstanceKey,
    ) -> Result<InstanceCtx, Diagnostics> {
        Ok(self
            .expansion(module, config, name)?
            .instances()
            .into_iter()
            .find(|i| &i.key == key)
            .unwrap_or_else(InstanceCtx::single))
    }

    /// `module.<name>` in module instance `module`: an object of its outputs (a tuple or an
    /// object of them for `count` and `for_each`).
    fn module_value(&'a self, module: &ModInst, config: &'a Config, name: &str) -> Result<Value, Diagnostics> {
        let Some(child) = config.children.get(name) else { return Ok(Value::DYNAMIC) };
        let e = self.expansion(module, config, name)?;
        let mut values = BTreeMap::new();
        for i in e.instances() {
            let mut ci = module.clone();
            ci.push(ModuleStep { name: name.to_string(), key: i.key.clone() });
            let mut obj = BTreeMap::new();
            for (o, out) in &child.outputs {
                let v = self.cached(&ci, format!("output.{o}"), || {
                    let scope = self.scope(ci.clone(), child, None);
                    Evaluator::new(&scope, &self.ctx.config.dir).eval(&out.value).map(|v| v.mark_if(out.sensitive))
                })?;
                obj.insert(o.clone(), v);
            }
            values.insert(i.key, Value::object_from_map(obj));
        }
        Ok(e.aggregate(values))
    }
}

/// The scope of one module instance in a console session.
struct LazyScope<'a> {
    console: &'a Console<'a>,
    module: ModInst,
    config: &'a Config,
    /// The `count.index` / `each` of a module call whose arguments are being evaluated.
    inst: Option<InstanceCtx>,
}

impl Scope for LazyScope<'_> {
    fn resolve(&self, subject: &Subject, range: &SourceRange) -> Result<Value, Diagnostic> {
        let c = self.console;
        let first = |r: Result<Value, Diagnostics>| {
            r.map_err(|d| d.0.into_iter().next().unwrap_or_else(|| Diagnostic::error("Evaluation failed", "")))
        };
        match subject {
            Subject::Var(n) => first(c.module_var(&self.module, self.config, n)),
            Subject::Local(n) => first(c.local(&self.module, self.config, n)),
            Subject::Module(n) => first(c.module_value(&self.module, self.config, n)),
            Subject::Resource(addr) => {
                let full = addr.in_module(&self.module);
                if !c.state.resources.contains_key(&full) {
                    return Ok(Value::DYNAMIC);
                }
                Ok(crate::run::resource_value_from_state(c.ctx, c.state, &full))
            }
            Subject::CountIndex => match self.inst.as_ref().map(|i| &i.key) {
                Some(InstanceKey::Int(i)) => Ok(Value::int(*i)),
                _ => Err(Diagnostic::error(
                    "Reference to \"count\" in non-counted context",
                    "The \"count\" object can only be used in \"module\", \"resource\", and \"data\" blocks, and only when the \"count\" argument is set.",
                )
                .at(range.clone())),
            },
            Subject::EachKey | Subject::EachValue => match (&self.inst, subject) {
                (Some(InstanceCtx { key: InstanceKey::Str(k), .. }), Subject::EachKey) => Ok(Value::from(k.as_str())),
                (Some(InstanceCtx { each_value: Some(v), .. }), Subject::EachValue) => Ok(v.clone()),
                _ => Err(Diagnostic::error(
                    "Reference to \"each\" in context without for_each",
                    "The \"each\" object can be used only in \"module\" or \"resource\" blocks, and only when the \"for_each\" argument is set.",
                )
                .at(range.clone())),
            },
            Subject::SelfRef => Err(Diagnostic::error(
                "Invalid \"self\" reference",
                "The \"self\" object is not available in this context. This object can be used only in resource provisioner, connection, and postcondition blocks.",
            )
            .at(range.clone())),
            Subject::Path(p) => Ok(Value::from(match p.as_str() {
                "cwd" => c.ctx.cwd.display().to_string(),
                "module" => dir_string(&self.config.dir),
                _ => dir_string(&c.ctx.config.dir),
            })),
            Subject::Workspace => Ok(Value::from(c.ctx.workspace.as_str())),
        }
    }
}

fn dir_string(d: &std::path::Path) -> String {
    let d = d.display().to_string();
    if d.is_empty() { ".".to_string() } else { d }
}

/// A console result as Terraform's console prints it: the value (`repl.FormatValue`), or
/// the type a `type()` call gives.
pub fn format_result(v: &Value) -> String {
    match crate::lang::console::type_marker(v) {
        Some(t) => t,
        None => crate::lang::console::format_value(v, 0),
    }
}
