//! What plan and apply walks share: the values of evaluated objects, the scope expressions
//! are evaluated in, and the expansion of `count`/`for_each` into instances.

use crate::addr::{InstanceKey, ModuleStep, ResourceAddr};
use crate::config::{Config, Expr};
use crate::context::Context;
use crate::diag::{Diagnostic, Diagnostics, SourceRange};
use crate::eval::{Evaluator, Scope, Subject};
use crate::state::{EachMode, State, value_from_object};
use crate::value::{Value, ValueMap};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

/// A module instance: the steps from the root (empty for the root module).
pub type ModInst = Vec<ModuleStep>;

/// A module instance and its configuration: where an expression is evaluated.
pub struct Here<'a> {
    pub module: ModInst,
    pub config: &'a Config,
}

impl<'a> Here<'a> {
    pub fn root(config: &'a Config) -> Here<'a> {
        Here { module: Vec::new(), config }
    }

    /// Every instance of the module at static path `path` expanded so far.
    pub fn instances(root: &'a Config, values: &Values, path: &[String]) -> Vec<Here<'a>> {
        let Some(config) = root.module(path) else { return Vec::new() };
        values.module_instances(path).into_iter().map(|module| Here { module, config }).collect()
    }
}

/// Values of evaluated variables, locals, resources and module outputs, per module instance,
/// and the instances each module call expanded to.
#[derive(Default)]
pub struct Values {
    map: Mutex<HashMap<ModInst, HashMap<Subject, Value>>>,
    outputs: Mutex<HashMap<(ModInst, String), Value>>,
    expansions: Mutex<HashMap<(ModInst, String), Expansion>>,
}

impl Values {
    pub fn set(&self, m: &[ModuleStep], s: Subject, v: Value) {
        let mut map = self.map.lock().expect("values lock");
        match map.get_mut(m) {
            Some(inner) => {
                inner.insert(s, v);
            }
            None => {
                map.insert(m.to_vec(), HashMap::from([(s, v)]));
            }
        }
    }

    pub fn get(&self, m: &[ModuleStep], s: &Subject) -> Option<Value> {
        self.map.lock().expect("values lock").get(m)?.get(s).cloned()
    }

    pub fn set_output(&self, m: &[ModuleStep], name: &str, v: Value) {
        self.outputs.lock().expect("values lock").insert((m.to_vec(), name.to_string()), v);
    }

    pub fn get_output(&self, m: &[ModuleStep], name: &str) -> Option<Value> {
        self.outputs.lock().expect("values lock").get(&(m.to_vec(), name.to_string())).cloned()
    }

    /// Records the instances of call `name` in the caller instance `parent`.
    pub fn set_expansion(&self, parent: &[ModuleStep], name: &str, e: Expansion) {
        self.expansions.lock().expect("values lock").insert((parent.to_vec(), name.to_string()), e);
    }

    pub fn expansion(&self, parent: &[ModuleStep], name: &str) -> Option<Expansion> {
        self.expansions.lock().expect("values lock").get(&(parent.to_vec(), name.to_string())).cloned()
    }

    /// Every instance of the module at static path `path` expanded so far.
    pub fn module_instances(&self, path: &[String]) -> Vec<ModInst> {
        let mut out: Vec<ModInst> = vec![Vec::new()];
        for name in path {
            let mut next = Vec::new();
            for parent in &out {
                if let Some(e) = self.expansion(parent, name) {
                    for i in e.instances() {
                        let mut m = parent.clone();
                        m.push(ModuleStep { name: name.clone(), key: i.key });
                        next.push(m);
                    }
                }
            }
            out = next;
        }
        out
    }

    /// The `count.index` / `each` of a module instance (for its call's arguments).
    pub fn module_instance_ctx(&self, m: &[ModuleStep]) -> InstanceCtx {
        let Some((last, parent)) = m.split_last() else { return InstanceCtx::single() };
        self.expansion(parent, &last.name)
            .and_then(|e| e.instances().into_iter().find(|i| i.key == last.key))
            .unwrap_or_else(InstanceCtx::single)
    }

    /// The value of `module.<name>` in instance `m` of module `config`: an object of its
    /// outputs (a list or map of them for `count`/`for_each`).
    pub fn module_value(&self, config: &Config, m: &[ModuleStep], name: &str) -> Value {
        let Some(child) = config.children.get(name) else { return Value::DYNAMIC };
        let Some(e) = self.expansion(m, name) else { return Value::DYNAMIC };
        let values: BTreeMap<InstanceKey, Value> = e
            .instances()
            .into_iter()
            .map(|i| {
                let mut ci = m.to_vec();
                ci.push(ModuleStep { name: name.to_string(), key: i.key.clone() });
                let obj: ValueMap = child
                    .outputs
                    .keys()
                    .map(|o| (o.clone(), self.get_output(&ci, o).unwrap_or(Value::DYNAMIC)))
                    .collect();
                (i.key, Value::object_from_map(obj))
            })
            .collect();
        e.aggregate(values)
    }
}

/// The `count.index`, `each.key` and `each.value` of one instance.
#[derive(Clone, Debug)]
pub struct InstanceCtx {
    pub key: InstanceKey,
    pub each_value: Option<Value>,
}

impl InstanceCtx {
    pub fn single() -> InstanceCtx {
        InstanceCtx { key: InstanceKey::None, each_value: None }
    }
}

/// The scope of a walk: values evaluated so far, falling back to the state for resources the
/// walk does not visit (excluded by `-target`).
pub struct RunScope<'a> {
    pub ctx: &'a Context,
    /// The module instance expressions are evaluated in, and its configuration.
    pub module: &'a [ModuleStep],
    pub config: &'a Config,
    pub values: &'a Values,
    pub state: &'a Mutex<State>,
    pub inst: Option<&'a InstanceCtx>,
    pub self_value: Option<&'a Value>,
    /// The validate walk's stand-ins for what is not known before planning (see
    /// [`Repetition`]); `None` in a plan or apply.
    pub stand_ins: Option<Repetition>,
}

/// Terraform's validate walk evaluates each block once per static module, with stand-ins for
/// what only a plan knows (`evaluationStateData` in `walkValidate`): resources are unknown
/// (`cty.DynamicVal`), and so are `count.index` in a block with `count` and `each` in one
/// with `for_each`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Repetition {
    None,
    Count,
    ForEach,
}

impl Repetition {
    /// The repetition of a block with these `count` and `for_each` arguments.
    pub fn of(count: Option<&crate::config::Expr>, for_each: Option<&crate::config::Expr>) -> Repetition {
        match (count, for_each) {
            (Some(_), _) => Repetition::Count,
            (None, Some(_)) => Repetition::ForEach,
            (None, None) => Repetition::None,
        }
    }

    /// The stand-in for `subject`, if it has one.
    fn stand_in(self, subject: &Subject) -> Option<Value> {
        match (subject, self) {
            (Subject::CountIndex, Repetition::Count) => Some(Value::unknown(crate::value::Type::Number)),
            (Subject::EachKey, Repetition::ForEach) => Some(Value::unknown(crate::value::Type::String)),
            (Subject::EachValue, Repetition::ForEach) => Some(Value::DYNAMIC),
            (Subject::Resource(_), _) => Some(Value::DYNAMIC),
            _ => None,
        }
    }
}

/// A provider's function, called on the provider's default configuration's instance.
struct ProviderFunction {
    provider: std::sync::Arc<dyn crate::provider::Provider>,
    name: String,
    sig: crate::schema::FunctionSignature,
}

impl crate::lang::eval::ExternalFunction for ProviderFunction {
    fn signature(&self) -> &crate::schema::FunctionSignature {
        &self.sig
    }

    fn call(&self, args: Vec<Value>) -> Result<Value, String> {
        self.provider.call_function(&self.name, args)
    }
}

impl Scope for RunScope<'_> {
    fn provider_function(&self, name: &str) -> Option<std::sync::Arc<dyn crate::lang::eval::ExternalFunction>> {
        let rest = name.strip_prefix("provider::")?;
        let (local, function) = rest.split_once("::")?;
        let provider = self.ctx.providers.get(local)?;
        let sig = provider.schema().functions.get(function)?.clone();
        Some(std::sync::Arc::new(ProviderFunction { provider: provider.clone(), name: function.to_string(), sig }))
    }

    fn resolve(&self, subject: &Subject, range: &SourceRange) -> Result<Value, Diagnostic> {
        if let Some(v) = self.stand_ins.and_then(|r| r.stand_in(subject)) {
            return Ok(v);
        }
        if let Some(v) = self.values.get(self.module, subject) {
            return Ok(v);
        }
        let no_count = || {
            Err(Diagnostic::error(
                "Reference to \"count\" in non-counted context",
                "The \"count\" object can only be used in \"module\", \"resource\", and \"data\" blocks, and only when the \"count\" argument is set.",
            )
            .at(range.clone()))
        };
        let no_each = || {
            Err(Diagnostic::error(
                "Reference to \"each\" in context without for_each",
                "The \"each\" object can be used only in \"module\" or \"resource\" blocks, and only when the \"for_each\" argument is set.",
            )
            .at(range.clone()))
        };
        match subject {
            Subject::Resource(addr) => {
                let state = self.state.lock().expect("state lock");
                Ok(resource_value_from_state(self.ctx, &state, &addr.in_module(self.module)))
            }
            Subject::Var(_) | Subject::Local(_) => Ok(Value::DYNAMIC),
            Subject::CountIndex => match self.inst.map(|i| &i.key) {
                Some(InstanceKey::Int(i)) => Ok(Value::int(*i)),
                _ => no_count(),
            },
            Subject::EachKey => match self.inst.map(|i| &i.key) {
                Some(InstanceKey::Str(k)) => Ok(Value::from(k.as_str())),
                _ => no_each(),
            },
            Subject::EachValue => match self.inst.and_then(|i| i.each_value.clone()) {
                Some(v) => Ok(v),
                None => no_each(),
            },
            Subject::SelfRef => match self.self_value {
                Some(v) => Ok(v.clone()),
                None => Err(Diagnostic::error(
                    "Invalid \"self\" reference",
                    "The \"self\" object is not available in this context. This object can be used only in resource provisioner, connection, and postcondition blocks.",
                )
                .at(range.clone())),
            },
            Subject::Path(p) => Ok(Value::from(match p.as_str() {
                "cwd" => self.ctx.cwd.display().to_string(),
                "module" => dir_string(&self.config.dir),
                _ => dir_string(&self.ctx.config.dir),
            })),
            Subject::Workspace => Ok(Value::from(self.ctx.workspace.as_str())),
            Subject::Module(name) => Ok(self.values.module_value(self.config, self.module, name)),
        }
    }
}

/// Expands module call `name` in the caller instance `h` (`count`/`for_each` evaluated in
/// the caller). In a destroy walk an expansion that cannot be evaluated counts as none.
pub fn expand_module_call(scope: &RunScope<'_>, name: &str, destroying: bool) -> Result<Expansion, Diagnostics> {
    let Some(call) = scope.config.module_calls.get(name) else { return Ok(Expansion::Count(0)) };
    match expand(call.count.as_ref(), call.for_each.as_ref(), &mut scope.evaluator()) {
        Ok(e) => Ok(e),
        Err(_) if destroying => Ok(Expansion::Count(0)),
        Err(d) => Err(d),
    }
}

/// The value of input variable `decl` of module instance `module`: its call's argument,
/// evaluated in the caller's instance, or the default.
pub fn module_input(
    ctx: &Context,
    values: &Values,
    state: &Mutex<State>,
    module: &[ModuleStep],
    decl: &crate::config::Variable,
) -> Result<Value, Diagnostics> {
    let (last, parent) = module.split_last().expect("a module instance");
    let parent_names: Vec<String> = parent.iter().map(|s| s.name.clone()).collect();
    let parent_cfg = ctx.config.module(&parent_names).expect("caller module");
    let call = &parent_cfg.module_calls[&last.name];
    let addr = format!(
        "{}.var.{}",
        module.iter().map(|m| format!("module.{}{}", m.name, m.key)).collect::<Vec<_>>().join("."),
        decl.name
    );
    let (value, range) = match call.args.get(&decl.name) {
        Some(e) => {
            let inst = values.module_instance_ctx(module);
            let scope = RunScope {
                ctx,
                module: parent,
                config: parent_cfg,
                values,
                state,
                inst: Some(&inst),
                self_value: None,
                stand_ins: None,
            };
            (Some(scope.evaluator().eval(e)?), Some(e.range()))
        }
        None => (None, None),
    };
    let (v, diags) = crate::variables::convert_module_input(&addr, decl, value, range.as_ref(), &ctx.config.sources);
    if diags.has_errors() { Err(diags) } else { Ok(v) }
}

impl<'a> RunScope<'a> {
    /// A scope in module instance `here`.
    pub fn new(
        ctx: &'a Context,
        here: &'a Here<'a>,
        values: &'a Values,
        state: &'a Mutex<State>,
        inst: Option<&'a InstanceCtx>,
        self_value: Option<&'a Value>,
    ) -> RunScope<'a> {
        RunScope { ctx, module: &here.module, config: here.config, values, state, inst, self_value, stand_ins: None }
    }

    /// The same scope with the validate walk's stand-ins for a block of `repetition`.
    pub fn with_stand_ins(self, repetition: Repetition) -> RunScope<'a> {
        RunScope { stand_ins: Some(repetition), ..self }
    }

    pub fn evaluator(&'a self) -> Evaluator<'a> {
        Evaluator::new(self, &self.ctx.config.dir)
    }
}

fn dir_string(d: &std::path::Path) -> String {
    let d = d.display().to_string();
    if d.is_empty() { ".".to_string() } else { d }
}

/// The value of a whole resource as recorded in state (an object, a tuple for `count`, an
/// object of instances for `for_each`); `addr` is a full address (module instance
/// included).
pub fn resource_value_from_state(ctx: &Context, state: &State, addr: &ResourceAddr) -> Value {
    let key = ctx.provider_key_of(addr, state);
    let schema = ctx.resource_schema(&key, addr).map(|s| s.block.clone()).unwrap_or_default();
    let Some(rs) = state.resources.get(addr) else {
        return match ctx.config.resource_at(addr) {
            Some(r) if r.count.is_some() => Value::empty_tuple(),
            Some(r) if r.for_each.is_some() => Value::empty_object(),
            _ => Value::DYNAMIC,
        };
    };
    let objects =
        rs.instances.iter().filter_map(|(k, i)| i.current.as_ref().map(|o| (k, value_from_object(o, &schema))));
    match rs.each {
        EachMode::Single => objects.map(|(_, v)| v).next().unwrap_or_else(|| Value::null(schema.value_type())),
        EachMode::List => Value::tuple(objects.map(|(_, v)| v).collect()),
        EachMode::Map => Value::object(objects.filter_map(|(k, v)| match k {
            InstanceKey::Str(s) => Some((s.clone(), v)),
            _ => None,
        })),
    }
}

/// How many instances a resource block has.
#[derive(Clone, Debug, PartialEq)]
pub enum Expansion {
    Single,
    Count(i64),
    ForEach(BTreeMap<String, Value>),
}

impl Expansion {
    pub fn instances(&self) -> Vec<InstanceCtx> {
        match self {
            Expansion::Single => vec![InstanceCtx::single()],
            Expansion::Count(n) => {
                (0..*n).map(|i| InstanceCtx { key: InstanceKey::Int(i), each_value: None }).collect()
            }
            Expansion::ForEach(m) => m
                .iter()
                .map(|(k, v)| InstanceCtx { key: InstanceKey::Str(k.clone()), each_value: Some(v.clone()) })
                .collect(),
        }
    }

    pub fn contains(&self, key: &InstanceKey) -> bool {
        match (self, key) {
            (Expansion::Single, InstanceKey::None) => true,
            (Expansion::Count(n), InstanceKey::Int(i)) => *i >= 0 && i < n,
            (Expansion::ForEach(m), InstanceKey::Str(k)) => m.contains_key(k),
            _ => false,
        }
    }

    /// The resource's value from its instances' values, as Terraform shapes it: the object
    /// itself, a tuple of them for `count`, an object of them by key for `for_each`.
    pub fn aggregate(&self, mut values: BTreeMap<InstanceKey, Value>) -> Value {
        match self {
            Expansion::Single => values.remove(&InstanceKey::None).unwrap_or(Value::DYNAMIC),
            Expansion::Count(n) => {
                Value::tuple((0..*n).map(|i| values.remove(&InstanceKey::Int(i)).unwrap_or(Value::DYNAMIC)).collect())
            }
            Expansion::ForEach(m) => Value::object(
                m.keys().map(|k| (k.clone(), values.remove(&InstanceKey::Str(k.clone())).unwrap_or(Value::DYNAMIC))),
            ),
        }
    }
}

const UNKNOWN_COUNT: &str = "The \"count\" value depends on resource attributes that cannot be determined until apply, so terrane cannot predict how many instances will be created. To work around this, use the -target argument to first apply only the resources that the count depends on.";
const UNKNOWN_FOR_EACH_MAP: &str = "The \"for_each\" map includes keys derived from resource attributes that cannot be determined until apply, and so terrane cannot determine the full set of keys that will identify the instances of this resource.\n\nWhen working with unknown values in for_each, it's better to define the map keys statically in your configuration and place apply-time results only in the map values.\n\nAlternatively, you could use the -target planning option to first apply only the resources that the for_each value depends on, and then apply a second time to fully converge.";
const UNKNOWN_FOR_EACH_SET: &str = "The \"for_each\" set includes values derived from resource attributes that cannot be determined until apply, and so terrane cannot determine the full set of keys that will identify the instances of this resource.\n\nWhen working with unknown values in for_each, it's better to use a map value where the keys are defined statically in your configuration and where only the values contain apply-time results.\n\nAlternatively, you could use the -target planning option to first apply only the resources that the for_each value depends on, and then apply a second time to fully converge.";

/// Evaluates `count` or `for_each` of a resource or module call, with Terraform's rules
/// and messages (`evaluateCountExpression`, `forEachEvaluator.ResourceValue`).
pub fn expand(count: Option<&Expr>, for_each: Option<&Expr>, ev: &mut Evaluator<'_>) -> Result<Expansion, Diagnostics> {
    if let Some(e) = count {
        return expand_count(e, ev).map(Expansion::Count);
    }
    if let Some(e) = for_each {
        return expand_for_each(e, ev).map(Expansion::ForEach);
    }
    Ok(Expansion::Single)
}

/// `count` or `for_each` checked as Terraform's validate walk does: with every reference
/// unknown, a value that is known (a constant, or made of constants) must be valid.
pub fn validate_expansion(count: Option<&Expr>, for_each: Option<&Expr>, ev: &mut Evaluator<'_>) -> Diagnostics {
    let checked = match (count, for_each) {
        (Some(e), _) => ev
            .eval_as(e, &crate::cty::Type::Number)
            .and_then(|v| if v.is_known() { count_value(e, v).map(|_| ()) } else { Ok(()) }),
        (None, Some(e)) => {
            ev.eval(e).and_then(|v| if v.is_wholly_known() { for_each_value(e, v).map(|_| ()) } else { Ok(()) })
        }
        (None, None) => Ok(()),
    };
    checked.err().unwrap_or_default()
}

fn expand_count(e: &Expr, ev: &mut Evaluator<'_>) -> Result<i64, Diagnostics> {
    let v = ev.eval_as(e, &crate::cty::Type::Number)?;
    count_value(e, v)
}

fn count_value(e: &Expr, v: Value) -> Result<i64, Diagnostics> {
    let invalid = |summary: &str, detail: String| Err(Diagnostic::error(summary, detail).at(e.range()).into());
    if v.marks().contains(crate::value::Marks::EPHEMERAL) {
        return invalid("Invalid count argument", "The given \"count\" is derived from an ephemeral value, which means that Terraform cannot persist it between plan/apply rounds. Use only non-ephemeral values to specify the number of resource instances.".replace("Terraform", "terrane"));
    }
    // Sensitive counts are allowed (the number of instances discloses them anyway).
    let v = v.unmarked();
    if v.is_null() {
        return invalid(
            "Invalid count argument",
            "The given \"count\" argument value is null. An integer is required.".into(),
        );
    }
    let Some(n) = v.as_number() else {
        return invalid("Invalid count argument", UNKNOWN_COUNT.into());
    };
    let Some(n) = n.to_i64().filter(|_| n.is_integer()) else {
        return invalid(
            "Invalid count argument",
            format!(
                "The given \"count\" argument value is unsuitable: value must be a whole number, between {} and {}.",
                i64::MIN,
                i64::MAX
            ),
        );
    };
    if n < 0 {
        return invalid(
            "Invalid count argument",
            "The given \"count\" argument value is unsuitable: must be greater than or equal to zero.".into(),
        );
    }
    Ok(n)
}

fn expand_for_each(e: &Expr, ev: &mut Evaluator<'_>) -> Result<BTreeMap<String, Value>, Diagnostics> {
    let v = ev.eval(e)?;
    for_each_value(e, v)
}

fn for_each_value(e: &Expr, v: Value) -> Result<BTreeMap<String, Value>, Diagnostics> {
    let invalid = |summary: &str, detail: String| Err(Diagnostic::error(summary, detail).at(e.range()).into());
    let ty = v.ty();
    if !v.is_known() {
        return invalid(
            "Invalid for_each argument",
            if ty.is_set() { UNKNOWN_FOR_EACH_SET } else { UNKNOWN_FOR_EACH_MAP }.into(),
        );
    }
    if ty.is_set() && !v.is_wholly_known() {
        return invalid("Invalid for_each argument", UNKNOWN_FOR_EACH_SET.into());
    }
    let marks = v.marks();
    if marks.is_sensitive() {
        return invalid("Invalid for_each argument", "Sensitive values, or values derived from sensitive values, cannot be used as for_each arguments. If used, the sensitive value could be exposed as a resource instance key.".into());
    }
    if marks.contains(crate::value::Marks::EPHEMERAL) {
        return invalid("Invalid for_each argument", "The given \"for_each\" value is derived from an ephemeral value, which means that terrane cannot persist it between plan/apply rounds. Use only non-ephemeral values to specify a resource's instance keys.".into());
    }
    if v.is_null() {
        return invalid("Invalid for_each argument", "The given \"for_each\" argument value is unsuitable: the given \"for_each\" argument value is null. A map, or set of strings is allowed.".into());
    }
    if !(ty.is_map() || ty.is_set() || ty.is_object()) {
        return invalid(
            "Invalid for_each argument",
            format!(
                "The given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings, and you have provided a value of type {}.",
                ty.friendly_name()
            ),
        );
    }
    if ty.is_set() {
        let ety = ty.element_type().cloned().unwrap_or(crate::cty::Type::Dynamic);
        if ety != crate::cty::Type::String && v.length_int() != Some(0) {
            return invalid(
                "Invalid for_each set argument",
                format!(
                    "The given \"for_each\" argument value is unsuitable: \"for_each\" supports maps and sets of strings, but you have provided a set containing type {}.",
                    ety.friendly_name()
                ),
            );
        }
        if v.as_seq().unwrap_or(&[]).iter().any(Value::is_null) {
            return invalid(
                "Invalid for_each set argument",
                "The given \"for_each\" argument value is unsuitable: \"for_each\" sets must not contain null values."
                    .into(),
            );
        }
    }
    Ok(v.elements().into_iter().filter_map(|(k, v)| k.as_str().map(|k| (k.to_string(), v))).collect())
}
