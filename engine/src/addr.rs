//! Addresses of resources and their instances, as users write them on the command line
//! (`aws_instance.web[0]`, `data.aws_ami.base`, `module.app["web"].docker_service.this`)
//! and as state files record them.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Managed,
    Data,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Managed => "managed",
            Mode::Data => "data",
        }
    }
}

/// The key of one instance of a resource: none (no `count`/`for_each`), an index or a string.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(untagged)]
pub enum InstanceKey {
    #[default]
    None,
    Int(i64),
    Str(String),
}

impl InstanceKey {
    pub fn is_none(&self) -> bool {
        matches!(self, InstanceKey::None)
    }

    /// The key as it appears in a state file's `index_key`.
    pub fn to_json(&self) -> Option<serde_json::Value> {
        match self {
            InstanceKey::None => None,
            InstanceKey::Int(i) => Some((*i).into()),
            InstanceKey::Str(s) => Some(s.clone().into()),
        }
    }

    pub fn from_json(v: Option<&serde_json::Value>) -> InstanceKey {
        match v {
            Some(serde_json::Value::Number(n)) => InstanceKey::Int(n.as_i64().unwrap_or_default()),
            Some(serde_json::Value::String(s)) => InstanceKey::Str(s.clone()),
            _ => InstanceKey::None,
        }
    }
}

impl Ord for InstanceKey {
    fn cmp(&self, other: &Self) -> Ordering {
        fn rank(k: &InstanceKey) -> u8 {
            match k {
                InstanceKey::None => 0,
                InstanceKey::Int(_) => 1,
                InstanceKey::Str(_) => 2,
            }
        }
        match (self, other) {
            (InstanceKey::Int(a), InstanceKey::Int(b)) => a.cmp(b),
            (InstanceKey::Str(a), InstanceKey::Str(b)) => a.cmp(b),
            _ => rank(self).cmp(&rank(other)),
        }
    }
}

impl PartialOrd for InstanceKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for InstanceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceKey::None => Ok(()),
            InstanceKey::Int(i) => write!(f, "[{i}]"),
            InstanceKey::Str(s) => write!(f, "[{}]", quote(s)),
        }
    }
}

/// A string as an HCL string literal.
pub fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// One step of a module path: `module.app["web"]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ModuleStep {
    pub name: String,
    pub key: InstanceKey,
}

/// A resource block's address (all its instances).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ResourceAddr {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub module: Vec<ModuleStep>,
    pub mode: Mode,
    #[serde(rename = "type")]
    pub type_name: String,
    pub name: String,
}

impl ResourceAddr {
    pub fn new(mode: Mode, type_name: impl Into<String>, name: impl Into<String>) -> ResourceAddr {
        ResourceAddr { module: Vec::new(), mode, type_name: type_name.into(), name: name.into() }
    }

    pub fn managed(type_name: impl Into<String>, name: impl Into<String>) -> ResourceAddr {
        ResourceAddr::new(Mode::Managed, type_name, name)
    }

    pub fn instance(&self, key: InstanceKey) -> InstanceAddr {
        InstanceAddr { resource: self.clone(), key }
    }

    /// The address inside its module (the module path removed).
    pub fn relative(&self) -> ResourceAddr {
        ResourceAddr { module: Vec::new(), ..self.clone() }
    }

    /// The address with instance keys removed from its module path: the configuration
    /// block it belongs to, whichever module instance.
    pub fn static_addr(&self) -> ResourceAddr {
        ResourceAddr {
            module: self.module.iter().map(|m| ModuleStep { name: m.name.clone(), key: InstanceKey::None }).collect(),
            ..self.clone()
        }
    }

    /// The names of the module calls on the path.
    pub fn module_names(&self) -> Vec<String> {
        self.module.iter().map(|m| m.name.clone()).collect()
    }

    /// This address placed in a module instance.
    pub fn in_module(&self, module: &[ModuleStep]) -> ResourceAddr {
        ResourceAddr { module: module.to_vec(), ..self.clone() }
    }

    /// The module path as state files write it (`module.a.module.b`), or `None` at the root.
    pub fn module_string(&self) -> Option<String> {
        module_path_string(&self.module)
    }
}

/// A module instance path as Terraform writes it (`module.a["k"].module.b`), or `None` at the
/// root.
pub fn module_path_string(module: &[ModuleStep]) -> Option<String> {
    (!module.is_empty())
        .then(|| module.iter().map(|m| format!("module.{}{}", m.name, m.key)).collect::<Vec<_>>().join("."))
}

impl fmt::Display for ResourceAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for m in &self.module {
            write!(f, "module.{}{}.", m.name, m.key)?;
        }
        if self.mode == Mode::Data {
            write!(f, "data.")?;
        }
        write!(f, "{}.{}", self.type_name, self.name)
    }
}

/// One instance of a resource.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct InstanceAddr {
    pub resource: ResourceAddr,
    #[serde(default)]
    pub key: InstanceKey,
}

impl fmt::Display for InstanceAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.resource, self.key)
    }
}

/// What a command-line address names: a whole resource, or one instance of it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    Resource(ResourceAddr),
    Instance(InstanceAddr),
    Module(Vec<ModuleStep>),
}

impl Target {
    /// Whether `inst` is (inside) this target.
    pub fn contains(&self, inst: &InstanceAddr) -> bool {
        match self {
            Target::Resource(r) => &inst.resource == r,
            Target::Instance(i) => i == inst,
            Target::Module(m) => inst.resource.module.starts_with(m),
        }
    }

    pub fn contains_resource(&self, r: &ResourceAddr) -> bool {
        match self {
            Target::Resource(t) => t == r,
            Target::Instance(i) => &i.resource == r,
            Target::Module(m) => r.module.starts_with(m),
        }
    }
}

impl Target {
    /// Whether this target names (part of) the configuration block `r` (a static address:
    /// instance keys on the module path are ignored).
    pub fn names_resource_block(&self, r: &ResourceAddr) -> bool {
        let names = |m: &[ModuleStep]| m.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
        match self {
            Target::Resource(t) | Target::Instance(InstanceAddr { resource: t, .. }) => {
                names(&t.module) == names(&r.module)
                    && t.mode == r.mode
                    && t.type_name == r.type_name
                    && t.name == r.name
            }
            Target::Module(m) => names(&r.module).starts_with(&names(m)),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Resource(r) => write!(f, "{r}"),
            Target::Instance(i) => write!(f, "{i}"),
            Target::Module(m) => {
                let s: Vec<String> = m.iter().map(|s| format!("module.{}{}", s.name, s.key)).collect();
                write!(f, "{}", s.join("."))
            }
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("invalid address {input:?}: {reason}")]
pub struct AddrError {
    pub input: String,
    pub reason: String,
}

/// Parses a command-line address: `aws_instance.web`, `aws_instance.web[0]`,
/// `data.aws_ami.x`, `module.app["web"].docker_service.this`, `module.app`.
pub fn parse_target(input: &str) -> Result<Target, AddrError> {
    let fail = |reason: &str| AddrError { input: input.to_string(), reason: reason.to_string() };
    let tokens = tokenize(input).map_err(|r| fail(&r))?;
    let mut it = tokens.into_iter().peekable();
    let mut module = Vec::new();
    loop {
        let Some(Tok::Name(first)) = it.next() else {
            return Err(fail("expected a resource type or \"module\""));
        };
        if first == "module" {
            let Some(Tok::Name(name)) = it.next() else { return Err(fail("expected a module name after \"module.\"")) };
            let key = match it.peek() {
                Some(Tok::Key(_)) => match it.next() {
                    Some(Tok::Key(k)) => k,
                    _ => unreachable!(),
                },
                _ => InstanceKey::None,
            };
            module.push(ModuleStep { name, key });
            if it.peek().is_none() {
                return Ok(Target::Module(module));
            }
            continue;
        }
        let (mode, type_name) = if first == "data" {
            let Some(Tok::Name(t)) = it.next() else { return Err(fail("expected a data source type after \"data.\"")) };
            (Mode::Data, t)
        } else {
            (Mode::Managed, first)
        };
        let Some(Tok::Name(name)) = it.next() else {
            return Err(fail("a resource address needs a type and a name, like aws_instance.web"));
        };
        let resource = ResourceAddr { module, mode, type_name, name };
        return match (it.next(), it.next()) {
            (None, _) => Ok(Target::Resource(resource)),
            (Some(Tok::Key(key)), None) => Ok(Target::Instance(InstanceAddr { resource, key })),
            _ => Err(fail("unexpected text after the instance key")),
        };
    }
}

/// Parses an instance address; a resource address means its un-keyed instance.
pub fn parse_instance(input: &str) -> Result<InstanceAddr, AddrError> {
    match parse_target(input)? {
        Target::Instance(i) => Ok(i),
        Target::Resource(r) => Ok(r.instance(InstanceKey::None)),
        Target::Module(_) => {
            Err(AddrError { input: input.to_string(), reason: "a resource instance is required, not a module".into() })
        }
    }
}

#[derive(Debug)]
enum Tok {
    Name(String),
    Key(InstanceKey),
}

fn tokenize(input: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let b = input.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'.' if !out.is_empty() => i += 1,
            b'[' => {
                i += 1;
                if b.get(i) == Some(&b'"') {
                    let rest = &input[i..];
                    let mut de = serde_json::Deserializer::from_str(rest).into_iter::<String>();
                    let s = de.next().ok_or("unterminated string key")?.map_err(|e| format!("bad string key: {e}"))?;
                    i += de.byte_offset();
                    out.push(Tok::Key(InstanceKey::Str(s)));
                } else {
                    let start = i;
                    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'-') {
                        i += 1;
                    }
                    let n =
                        input[start..i].parse::<i64>().map_err(|_| "an index must be a number or a quoted string")?;
                    out.push(Tok::Key(InstanceKey::Int(n)));
                }
                if b.get(i) != Some(&b']') {
                    return Err("expected ']'".into());
                }
                i += 1;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'-') {
                    i += 1;
                }
                out.push(Tok::Name(input[start..i].to_string()));
            }
            c => return Err(format!("unexpected character {:?}", c as char)),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_addresses() {
        for s in [
            "aws_instance.web",
            "aws_instance.web[0]",
            "data.aws_ami.base",
            "terraform_data.x[\"a b\"]",
            "module.app[\"web\"].docker_service.this",
            "module.net.aws_subnet.public[2]",
        ] {
            let t = parse_target(s).unwrap();
            assert_eq!(t.to_string(), s);
        }
        assert!(matches!(parse_target("module.app").unwrap(), Target::Module(_)));
    }

    #[test]
    fn rejects_bad_addresses() {
        assert!(parse_target("aws_instance").is_err());
        assert!(parse_target("aws_instance.web[").is_err());
        assert!(parse_target("aws_instance.web[0].id").is_err());
    }

    #[test]
    fn targets_contain_instances() {
        let r = ResourceAddr::managed("a", "b");
        let t = parse_target("a.b").unwrap();
        assert!(t.contains(&r.instance(InstanceKey::Int(3))));
        let t = parse_target("a.b[1]").unwrap();
        assert!(!t.contains(&r.instance(InstanceKey::Int(3))));
    }
}
