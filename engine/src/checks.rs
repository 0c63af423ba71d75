//! Checkable objects and their results, as Terraform records them (its `internal/checks`):
//! every resource with preconditions or postconditions, output with preconditions, `check`
//! block and variable with validation rules is a checkable object of the configuration; its
//! instances (one per resource instance or module instance) each carry a status per rule.
//! A walk reports the instances and each rule's result into a [`CheckState`]; its summary,
//! [`CheckResults`], goes into the saved plan (`checks` of `show -json`) and the state
//! (`check_results`).

use crate::addr::{InstanceAddr, InstanceKey, ModuleStep};
use crate::config::Config;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as J, json};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;

/// A checkable object, or (instance keys all none) a checkable block of the configuration.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Checkable {
    Resource(InstanceAddr),
    OutputValue(Vec<ModuleStep>, String),
    Check(Vec<ModuleStep>, String),
    Var(Vec<ModuleStep>, String),
}

impl Checkable {
    /// The configuration block this object belongs to.
    pub fn config(&self) -> Checkable {
        fn unkeyed(m: &[ModuleStep]) -> Vec<ModuleStep> {
            m.iter().map(|s| ModuleStep { name: s.name.clone(), key: InstanceKey::None }).collect()
        }
        match self {
            Checkable::Resource(i) => Checkable::Resource(i.resource.static_addr().instance(InstanceKey::None)),
            Checkable::OutputValue(m, n) => Checkable::OutputValue(unkeyed(m), n.clone()),
            Checkable::Check(m, n) => Checkable::Check(unkeyed(m), n.clone()),
            Checkable::Var(m, n) => Checkable::Var(unkeyed(m), n.clone()),
        }
    }

    /// The kind as `show -json` names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Checkable::Resource(_) => "resource",
            Checkable::OutputValue(..) => "output_value",
            Checkable::Check(..) => "check",
            Checkable::Var(..) => "var",
        }
    }

    /// The kind as state files name it (`object_kind`).
    fn state_kind(&self) -> &'static str {
        match self {
            Checkable::OutputValue(..) => "output",
            other => other.kind(),
        }
    }

    fn module(&self) -> &[ModuleStep] {
        match self {
            Checkable::Resource(i) => &i.resource.module,
            Checkable::OutputValue(m, _) | Checkable::Check(m, _) | Checkable::Var(m, _) => m,
        }
    }

    fn module_string(&self) -> Option<String> {
        crate::addr::module_path_string(self.module())
    }

    /// Terraform's JSON form of a configuration address (`jsonchecks` static address).
    fn static_json(&self) -> J {
        let mut m = Map::new();
        m.insert("to_display".into(), self.to_string().into());
        m.insert("kind".into(), self.kind().into());
        match self {
            Checkable::Resource(i) => {
                m.insert("mode".into(), i.resource.mode.as_str().into());
                m.insert("type".into(), i.resource.type_name.clone().into());
                m.insert("name".into(), i.resource.name.clone().into());
            }
            Checkable::OutputValue(_, n) | Checkable::Check(_, n) | Checkable::Var(_, n) => {
                m.insert("name".into(), n.clone().into());
            }
        }
        if let Some(module) = self.module_string() {
            m.insert("module".into(), module.into());
        }
        J::Object(m)
    }

    /// Terraform's JSON form of an object address (`jsonchecks` dynamic address).
    fn dynamic_json(&self) -> J {
        let mut m = Map::new();
        m.insert("to_display".into(), self.to_string().into());
        if let Some(module) = self.module_string() {
            m.insert("module".into(), module.into());
        }
        if let Checkable::Resource(i) = self
            && let Some(k) = i.key.to_json()
        {
            m.insert("instance_key".into(), k);
        }
        J::Object(m)
    }

    /// Reads an address a state file wrote for an object of `kind`.
    fn parse(kind: &str, text: &str) -> Option<Checkable> {
        if kind == "resource" {
            return match crate::addr::parse_target(text).ok()? {
                crate::addr::Target::Instance(i) => Some(Checkable::Resource(i)),
                crate::addr::Target::Resource(r) => Some(Checkable::Resource(r.instance(InstanceKey::None))),
                crate::addr::Target::Module(_) => None,
            };
        }
        // `module.a["k"].output.name`: the name has no dot, the module path is an address.
        if !matches!(kind, "output" | "check" | "var") {
            return None;
        }
        let (head, name) = text.rsplit_once('.')?;
        let module = match head.strip_suffix(kind)? {
            "" => Vec::new(),
            path => match crate::addr::parse_target(path.strip_suffix('.')?).ok()? {
                crate::addr::Target::Module(m) => m,
                _ => return None,
            },
        };
        let name = name.to_string();
        match kind {
            "output" => Some(Checkable::OutputValue(module, name)),
            "check" => Some(Checkable::Check(module, name)),
            _ => Some(Checkable::Var(module, name)),
        }
    }
}

impl fmt::Display for Checkable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Checkable::Resource(i) = self {
            return write!(f, "{i}");
        }
        for s in self.module() {
            write!(f, "module.{}{}.", s.name, s.key)?;
        }
        match self {
            Checkable::OutputValue(_, n) => write!(f, "output.{n}"),
            Checkable::Check(_, n) => write!(f, "check.{n}"),
            Checkable::Var(_, n) => write!(f, "var.{n}"),
            Checkable::Resource(_) => Ok(()),
        }
    }
}

/// The kinds of rule a checkable object can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    ResourcePrecondition,
    ResourcePostcondition,
    OutputPrecondition,
    CheckAssertion,
    InputValidation,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Unknown,
    Pass,
    Fail,
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unknown => "unknown",
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Error => "error",
        }
    }

    fn parse(s: &str) -> Status {
        match s {
            "pass" => Status::Pass,
            "fail" => Status::Fail,
            "error" => Status::Error,
            _ => Status::Unknown,
        }
    }

    /// Terraform's summary of several statuses: any error, else any failure, else anything
    /// unknown, else pass.
    fn summarize<'a>(all: impl IntoIterator<Item = &'a Status>) -> Status {
        let (mut error, mut fail, mut unknown) = (false, false, false);
        for s in all {
            match s {
                Status::Pass => {}
                Status::Fail => fail = true,
                Status::Error => error = true,
                Status::Unknown => unknown = true,
            }
        }
        if error {
            Status::Error
        } else if fail {
            Status::Fail
        } else if unknown {
            Status::Unknown
        } else {
            Status::Pass
        }
    }
}

type Statuses = BTreeMap<Rule, Vec<Status>>;

struct ConfigEntry {
    rules: BTreeMap<Rule, usize>,
    /// `None` until the walk reports the instances.
    objects: Option<BTreeMap<Checkable, Statuses>>,
}

impl ConfigEntry {
    /// The statuses of `obj`'s rules, all unknown when it is new.
    fn statuses(&mut self, obj: &Checkable) -> &mut Statuses {
        let rules = &self.rules;
        self.objects
            .get_or_insert_with(BTreeMap::new)
            .entry(obj.clone())
            .or_insert_with(|| rules.iter().map(|(r, n)| (*r, vec![Status::Unknown; *n])).collect())
    }
}

/// The results a walk reports, by configuration block.
#[derive(Default)]
pub struct CheckState {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    configs: BTreeMap<Checkable, ConfigEntry>,
    failures: BTreeMap<(Checkable, Rule, usize), String>,
}

impl CheckState {
    /// Every checkable block of `config` and its modules, no instances known yet.
    pub fn new(config: &Config) -> CheckState {
        let mut configs = BTreeMap::new();
        collect(config, &[], &mut configs);
        CheckState { inner: Mutex::new(Inner { configs, failures: BTreeMap::new() }) }
    }

    /// For an apply: the objects the plan found, their results to be found again.
    pub fn seeded(config: &Config, plan: Option<&CheckResults>) -> CheckState {
        let state = CheckState::new(config);
        if let Some(plan) = plan {
            for c in &plan.0 {
                state.objects_known(&c.addr);
                for o in &c.objects {
                    state.add_object(&o.addr);
                }
            }
        }
        state
    }

    /// Whether `config` (a configuration address) is a checkable block.
    pub fn has(&self, config: &Checkable) -> bool {
        self.inner.lock().expect("checks lock").configs.contains_key(config)
    }

    /// The instances of `config` are being reported (so none at all is a known answer).
    pub fn objects_known(&self, config: &Checkable) {
        let mut inner = self.inner.lock().expect("checks lock");
        if let Some(e) = inner.configs.get_mut(config) {
            e.objects.get_or_insert_with(BTreeMap::new);
        }
    }

    /// An instance of a checkable block, each of its rules' results unknown so far.
    pub fn add_object(&self, obj: &Checkable) {
        let mut inner = self.inner.lock().expect("checks lock");
        if let Some(e) = inner.configs.get_mut(&obj.config()) {
            e.statuses(obj);
        }
    }

    /// The result of rule `index` of kind `rule` for `obj`; a failure's message is kept.
    pub fn report(&self, obj: &Checkable, rule: Rule, index: usize, status: Status, failure: Option<String>) {
        let mut inner = self.inner.lock().expect("checks lock");
        let Some(e) = inner.configs.get_mut(&obj.config()) else { return };
        if let Some(slot) = e.statuses(obj).get_mut(&rule).and_then(|v| v.get_mut(index)) {
            *slot = status;
        }
        let key = (obj.clone(), rule, index);
        match failure {
            Some(msg) if status == Status::Fail => {
                inner.failures.insert(key, msg);
            }
            _ => {
                inner.failures.remove(&key);
            }
        }
    }

    /// The summary that plans and states keep.
    pub fn results(&self) -> CheckResults {
        let inner = self.inner.lock().expect("checks lock");
        CheckResults(
            inner
                .configs
                .iter()
                .map(|(addr, e)| {
                    let objects = e.objects.as_ref();
                    let status = match objects {
                        None => Status::Unknown,
                        Some(o) => Status::summarize(o.values().flat_map(|s| s.values().flatten())),
                    };
                    let objects = objects
                        .into_iter()
                        .flatten()
                        .map(|(o, s)| {
                            let mut failure_messages: Vec<String> = s
                                .iter()
                                .flat_map(|(r, v)| v.iter().enumerate().map(move |(i, st)| (*r, i, *st)))
                                .filter(|(_, _, st)| *st == Status::Fail)
                                .filter_map(|(r, i, _)| inner.failures.get(&(o.clone(), r, i)).cloned())
                                .filter(|m| !m.is_empty())
                                .collect();
                            failure_messages.sort();
                            ObjectResult {
                                addr: o.clone(),
                                status: Status::summarize(s.values().flatten()),
                                failure_messages,
                            }
                        })
                        .collect();
                    ConfigResult { addr: addr.clone(), status, objects }
                })
                .collect(),
        )
    }
}

/// Evaluates `rules` (of kind `rule`) of `obj`, reporting each result into `state`; returns
/// each rule with its result (an evaluation error is status `error`).
pub fn evaluate<'r>(
    state: &CheckState,
    ev: &mut crate::eval::Evaluator<'_>,
    obj: &Checkable,
    rule: Rule,
    rules: &'r [crate::config::CheckRule],
) -> Vec<(&'r crate::config::CheckRule, Result<crate::eval::Condition, crate::diag::Diagnostics>)> {
    rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let result = crate::eval::eval_condition(ev, r);
            match &result {
                Ok(crate::eval::Condition::Fail(msg)) => state.report(obj, rule, i, Status::Fail, Some(msg.clone())),
                Ok(c) => state.report(obj, rule, i, c.status(), None),
                Err(_) => state.report(obj, rule, i, Status::Error, None),
            }
            (r, result)
        })
        .collect()
}

/// Rules that must hold (resource preconditions and postconditions, output preconditions), as
/// plan and apply check them: each evaluation error reported through `report`, each failure
/// (with the rule kind's summary) through `failed`; false when any failed.
pub fn enforce(
    state: &CheckState,
    ev: &mut crate::eval::Evaluator<'_>,
    obj: &Checkable,
    kind: Rule,
    rules: &[crate::config::CheckRule],
    mut report: impl FnMut(crate::diag::Diagnostics),
    mut failed: impl FnMut(crate::diag::Diagnostic),
) -> bool {
    let summary = match kind {
        Rule::ResourcePrecondition => "Resource precondition failed",
        Rule::ResourcePostcondition => "Resource postcondition failed",
        Rule::OutputPrecondition => "Module output value precondition failed",
        Rule::CheckAssertion | Rule::InputValidation => unreachable!("{kind:?} is reported by its own node"),
    };
    let mut ok = true;
    for (rule, result) in evaluate(state, ev, obj, kind, rules) {
        match result {
            Ok(crate::eval::Condition::Fail(msg)) => {
                ok = false;
                failed(crate::diag::Diagnostic::error(summary, msg).at(rule.condition.range()));
            }
            Err(d) => {
                ok = false;
                report(d);
            }
            Ok(_) => {}
        }
    }
    ok
}

/// A static module path as module steps without keys.
pub fn unkeyed(path: &[String]) -> Vec<ModuleStep> {
    path.iter().map(|n| ModuleStep { name: n.clone(), key: InstanceKey::None }).collect()
}

fn collect(config: &Config, path: &[String], into: &mut BTreeMap<Checkable, ConfigEntry>) {
    let module = unkeyed(path);
    let mut put = |addr: Checkable, rules: &[(Rule, usize)]| {
        let rules: BTreeMap<Rule, usize> = rules.iter().filter(|(_, n)| *n > 0).copied().collect();
        into.insert(addr, ConfigEntry { rules, objects: None });
    };
    for (addr, r) in &config.resources {
        let (pre, post) = (r.lifecycle.preconditions.len(), r.lifecycle.postconditions.len());
        if pre + post > 0 {
            let addr = addr.in_module(&module).instance(InstanceKey::None);
            put(Checkable::Resource(addr), &[(Rule::ResourcePrecondition, pre), (Rule::ResourcePostcondition, post)]);
        }
    }
    for (name, o) in &config.outputs {
        if !o.preconditions.is_empty() {
            put(
                Checkable::OutputValue(module.clone(), name.clone()),
                &[(Rule::OutputPrecondition, o.preconditions.len())],
            );
        }
    }
    for c in &config.checks {
        put(Checkable::Check(module.clone(), c.name.clone()), &[(Rule::CheckAssertion, c.asserts.len())]);
    }
    for (name, v) in &config.variables {
        if !v.validations.is_empty() {
            put(Checkable::Var(module.clone(), name.clone()), &[(Rule::InputValidation, v.validations.len())]);
        }
    }
    for (name, child) in &config.children {
        let mut p = path.to_vec();
        p.push(name.clone());
        collect(child, &p, into);
    }
}

/// Terraform's `states.CheckResults`: per checkable block, its status and its instances'.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckResults(pub Vec<ConfigResult>);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfigResult {
    pub addr: Checkable,
    pub status: Status,
    pub objects: Vec<ObjectResult>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObjectResult {
    pub addr: Checkable,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failure_messages: Vec<String>,
}

impl CheckResults {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The `checks` array of `show -json` (Terraform's `jsonchecks`), sorted by address.
    pub fn to_json(&self) -> J {
        let mut out: Vec<(String, J)> = self
            .0
            .iter()
            .map(|c| {
                let mut instances: Vec<(String, J)> = c
                    .objects
                    .iter()
                    .map(|o| {
                        let mut m = Map::new();
                        m.insert("address".into(), o.addr.dynamic_json());
                        m.insert("status".into(), o.status.as_str().into());
                        if !o.failure_messages.is_empty() {
                            let mut msgs = o.failure_messages.clone();
                            msgs.sort();
                            m.insert(
                                "problems".into(),
                                msgs.into_iter().map(|msg| json!({ "message": msg })).collect(),
                            );
                        }
                        (o.addr.to_string(), J::Object(m))
                    })
                    .collect();
                instances.sort_by(|a, b| a.0.cmp(&b.0));
                let mut m = Map::new();
                m.insert("address".into(), c.addr.static_json());
                m.insert("status".into(), c.status.as_str().into());
                if !instances.is_empty() {
                    m.insert("instances".into(), instances.into_iter().map(|(_, j)| j).collect());
                }
                (c.addr.to_string(), J::Object(m))
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        J::Array(out.into_iter().map(|(_, j)| j).collect())
    }

    /// The state file's `check_results` (`null` when there are none).
    pub fn to_state_json(&self) -> J {
        if self.0.is_empty() {
            return J::Null;
        }
        J::Array(
            self.0
                .iter()
                .map(|c| {
                    let objects: Vec<J> = c
                        .objects
                        .iter()
                        .map(|o| {
                            let mut m = Map::new();
                            m.insert("object_addr".into(), o.addr.to_string().into());
                            m.insert("status".into(), o.status.as_str().into());
                            if !o.failure_messages.is_empty() {
                                m.insert("failure_messages".into(), o.failure_messages.clone().into());
                            }
                            J::Object(m)
                        })
                        .collect();
                    json!({
                        "object_kind": c.addr.state_kind(),
                        "config_addr": c.addr.to_string(),
                        "status": c.status.as_str(),
                        "objects": if objects.is_empty() { J::Null } else { J::Array(objects) },
                    })
                })
                .collect(),
        )
    }

    /// Reads a state file's `check_results`, leaving out what it cannot read (as Terraform
    /// does with kinds it does not know).
    pub fn from_state_json(j: &J) -> CheckResults {
        let mut out = Vec::new();
        for c in j.as_array().into_iter().flatten() {
            let kind = c["object_kind"].as_str().unwrap_or_default();
            let Some(addr) = c["config_addr"].as_str().and_then(|a| Checkable::parse(kind, a)) else { continue };
            let objects = c["objects"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|o| {
                    Some(ObjectResult {
                        addr: Checkable::parse(kind, o["object_addr"].as_str()?)?,
                        status: Status::parse(o["status"].as_str().unwrap_or_default()),
                        failure_messages: o["failure_messages"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|m| m.as_str().map(str::to_string))
                            .collect(),
                    })
                })
                .collect();
            out.push(ConfigResult {
                addr: addr.config(),
                status: Status::parse(c["status"].as_str().unwrap_or_default()),
                objects,
            });
        }
        CheckResults(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::ResourceAddr;

    fn module(name: &str, key: InstanceKey) -> Vec<ModuleStep> {
        vec![ModuleStep { name: name.into(), key }]
    }

    #[test]
    fn json_as_terraform_writes_it() {
        let state = CheckState::default();
        {
            let mut inner = state.inner.lock().unwrap();
            let res = Checkable::Resource(ResourceAddr::managed("terraform_data", "r").instance(InstanceKey::None));
            let rules = BTreeMap::from([(Rule::ResourcePrecondition, 1), (Rule::ResourcePostcondition, 1)]);
            inner.configs.insert(res, ConfigEntry { rules, objects: None });
            let check = Checkable::Check(module("m", InstanceKey::None), "small".into());
            inner
                .configs
                .insert(check, ConfigEntry { rules: BTreeMap::from([(Rule::CheckAssertion, 2)]), objects: None });
            let var = Checkable::Var(Vec::new(), "port".into());
            inner
                .configs
                .insert(var, ConfigEntry { rules: BTreeMap::from([(Rule::InputValidation, 1)]), objects: None });
        }
        let inst =
            |k: i64| Checkable::Resource(ResourceAddr::managed("terraform_data", "r").instance(InstanceKey::Int(k)));
        state.add_object(&inst(1));
        state.report(&inst(0), Rule::ResourcePrecondition, 0, Status::Pass, None);
        state.report(&inst(0), Rule::ResourcePostcondition, 0, Status::Pass, None);
        state.report(&inst(1), Rule::ResourcePrecondition, 0, Status::Pass, None);
        let check = Checkable::Check(module("m", InstanceKey::Str("a".into())), "small".into());
        state.report(&check, Rule::CheckAssertion, 0, Status::Fail, Some("b".into()));
        state.report(&check, Rule::CheckAssertion, 1, Status::Fail, Some("a".into()));
        let j = state.results().to_json();
        assert_eq!(
            j,
            json!([
                {
                    "address": {"to_display": "module.m.check.small", "kind": "check", "name": "small", "module": "module.m"},
                    "status": "fail",
                    "instances": [{
                        "address": {"to_display": "module.m[\"a\"].check.small", "module": "module.m[\"a\"]"},
                        "status": "fail",
                        "problems": [{"message": "a"}, {"message": "b"}],
                    }],
                },
                {
                    "address": {"to_display": "terraform_data.r", "kind": "resource", "mode": "managed", "type": "terraform_data", "name": "r"},
                    "status": "unknown",
                    "instances": [
                        {"address": {"to_display": "terraform_data.r[0]", "instance_key": 0}, "status": "pass"},
                        {"address": {"to_display": "terraform_data.r[1]", "instance_key": 1}, "status": "unknown"},
                    ],
                },
                {
                    "address": {"to_display": "var.port", "kind": "var", "name": "port"},
                    "status": "unknown",
                },
            ])
        );
    }

    #[test]
    fn state_json_round_trips() {
        let results = CheckResults(vec![
            ConfigResult {
                addr: Checkable::OutputValue(module("m", InstanceKey::None), "o".into()),
                status: Status::Fail,
                objects: vec![ObjectResult {
                    addr: Checkable::OutputValue(module("m", InstanceKey::Int(2)), "o".into()),
                    status: Status::Fail,
                    failure_messages: vec!["no".into()],
                }],
            },
            ConfigResult {
                addr: Checkable::Resource(ResourceAddr::managed("t", "r").instance(InstanceKey::None)),
                status: Status::Pass,
                objects: vec![ObjectResult {
                    addr: Checkable::Resource(ResourceAddr::managed("t", "r").instance(InstanceKey::Str("k".into()))),
                    status: Status::Pass,
                    failure_messages: Vec::new(),
                }],
            },
            ConfigResult {
                addr: Checkable::Check(Vec::new(), "c".into()),
                status: Status::Unknown,
                objects: Vec::new(),
            },
            ConfigResult {
                addr: Checkable::Var(module("m", InstanceKey::None), "v".into()),
                status: Status::Pass,
                objects: vec![ObjectResult {
                    addr: Checkable::Var(module("m", InstanceKey::Str("a.b].c".into())), "v".into()),
                    status: Status::Pass,
                    failure_messages: Vec::new(),
                }],
            },
        ]);
        let j = results.to_state_json();
        assert_eq!(j[0]["object_kind"], "output");
        assert_eq!(j[0]["objects"][0]["object_addr"], "module.m[2].output.o");
        assert_eq!(j[2]["objects"], J::Null);
        assert_eq!(j[3]["objects"][0]["object_addr"], "module.m[\"a.b].c\"].var.v");
        assert_eq!(CheckResults::from_state_json(&j), results);
    }
}
