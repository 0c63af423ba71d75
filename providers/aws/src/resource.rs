//! What each resource type and data source implements, one file each.

use crate::config::{Clients, Settings};
use async_trait::async_trait;
use std::collections::BTreeMap;
use terrane_engine::diag::Diagnostic;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

/// What an operation can use: the clients and the provider's settings.
pub struct Ctx<'a> {
    pub clients: &'a Clients,
    pub settings: &'a Settings,
    /// The idempotency token of the create being made, or being looked for after a crash
    /// (`find_created`); `None` in every other operation.
    pub token: Option<&'a str>,
}

impl Ctx<'_> {
    pub fn default_tags(&self) -> &BTreeMap<String, String> {
        &self.settings.default_tags
    }

    /// The same context, for the create with this idempotency token.
    pub fn with_token<'b>(&'b self, token: &'b str) -> Ctx<'b> {
        Ctx { clients: self.clients, settings: self.settings, token: Some(token) }
    }

    /// A suffix for generated names (26 characters: 18 digits and 8 hex digits, the shape
    /// Terraform's `name_prefix` recognizes). In a create with a token it is derived from the
    /// token, so `find_created` computes the same name again; otherwise it is random.
    pub fn unique_suffix(&self) -> String {
        match self.token {
            Some(t) => token_suffix(t),
            None => token_suffix(&format!("{:032x}", rand::random::<u128>())),
        }
    }

    /// The name to create: `name`, else `prefix` (or `default_prefix`) and
    /// [`Ctx::unique_suffix`], as Terraform's `create.Name` makes it (read from a typed
    /// model's name and prefix fields).
    pub fn name_or_prefix(&self, name: Option<&str>, prefix: Option<&str>, default_prefix: &str) -> String {
        named_or_generated(name, prefix, default_prefix, || self.unique_suffix())
    }
}

/// `name`, else `prefix` (or `default_prefix`) and a suffix, as Terraform's `create.Name`.
pub fn named_or_generated(
    name: Option<&str>,
    prefix: Option<&str>,
    default_prefix: &str,
    suffix: impl FnOnce() -> String,
) -> String {
    match name {
        Some(n) => n.to_string(),
        None => format!("{}{}", prefix.unwrap_or(default_prefix), suffix()),
    }
}

/// The prefix of a generated name (`None` for a name given in full).
fn generated_prefix(name: &str) -> Option<&str> {
    const SUFFIX: usize = 26;
    let b = name.as_bytes();
    (b.len() > SUFFIX && b[b.len() - SUFFIX..].iter().all(u8::is_ascii_hexdigit)).then(|| &name[..name.len() - SUFFIX])
}

/// A `name_prefix` read back, as Terraform reads it: the configured prefix, else the prefix of
/// the name when it looks generated (`None` for a name given in full).
pub fn prefix_of(configured: Option<&str>, name: &str) -> Option<String> {
    configured.or_else(|| generated_prefix(name)).map(str::to_string)
}

/// A suffix for generated names, like Terraform's `terraform-20261127...` names.
pub fn time_suffix() -> String {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    format!("{}{:08x}", t.as_secs(), rand::random::<u32>())
}

/// CRC-32 (IEEE), as Terraform's `create.StringHashcode` uses it for IDs.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 { (c >> 1) ^ 0xEDB8_8320 } else { c >> 1 };
        }
    }
    !c
}

/// 26 characters derived from a token (two FNV-1a hashes): 18 digits, then 8 hex digits.
pub fn token_suffix(token: &str) -> String {
    let fnv = |seed: u64| token.bytes().fold(seed, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("{:018}{:08x}", fnv(0xcbf2_9ce4_8422_2325) % 1_000_000_000_000_000_000, fnv(0x8422_2325_cbf2_9ce4) as u32)
}

pub type Result<T> = std::result::Result<T, ProviderError>;

#[async_trait]
pub trait ResourceType: Send + Sync {
    /// Terraform's type name (`aws_vpc`).
    fn name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn schema_version(&self) -> u64 {
        0
    }
    /// How an object recorded at an older schema version is brought to this one: the
    /// `MigrateState` and `StateUpgraders` hashicorp/aws declares beside the same schema
    /// version ([`crate::upgrade`]). None for version 0.
    fn state_upgrades(&self) -> crate::upgrade::Upgrades {
        crate::upgrade::Upgrades::NONE
    }
    /// Checks beyond the schema (allowed values, exclusive arguments).
    fn validate(&self, _config: &Value) -> Vec<Diagnostic> {
        Vec::new()
    }
    /// [`ResourceType::validate`] of a configuration as the engine passes it (every attribute
    /// of the schema, null where `config` leaves it out): for unit tests, which write only the
    /// arguments that matter.
    #[cfg(test)]
    fn check(&self, config: &Value) -> Vec<Diagnostic> {
        self.validate(&config.clone().conform(&self.schema().value_type()))
    }
    /// Arguments of hashicorp/aws's schema that terrane declares (so the schemas are equal and
    /// a configuration written for Terraform parses) but does not carry out yet, each with why.
    /// A configuration that sets one is refused, naming it, at validate and again at plan (when
    /// a value unknown at validate is known): never accepted and silently ignored.
    fn refused(&self) -> &'static [Refused] {
        &[]
    }
    /// Adjusts the generic plan for rules the schema cannot say.
    fn customize_plan(&self, _prior: Option<&Value>, _config: &Value, _plan: &mut PlanResponse) {}
    /// Creates the object. In a create with an idempotency token (`c.token`), the object is
    /// made so that [`ResourceType::find_created`] can find it again: marked with the token
    /// tag (`crate::tags::at_create`), or named from the token (`Ctx::name_or_prefix`).
    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value>;
    /// After an apply was killed during a create: the object the create with the token
    /// `c.token` made from `planned` (unknown values null), read as a refresh reads it; `None`
    /// when it made nothing. The default cannot tell (`None`: the create is made again).
    async fn find_created(&self, _c: &Ctx<'_>, _planned: &Value) -> Result<Option<Value>> {
        Ok(None)
    }
    /// Where this type's objects keep the token tag a create gives them
    /// (`crate::tags::at_create`), to take it off once the state records them; `None` for
    /// types that do not tag.
    fn token_tag(&self) -> Option<crate::token_tag::TokenTag> {
        None
    }
    /// Reads many objects of this type (from their prior values) with as few calls as the API
    /// allows; `None` for objects that no longer exist.
    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>>;
    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value>;
    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()>;
    /// The object with this import ID, as a read would return it.
    async fn import(&self, c: &Ctx<'_>, id: &str) -> Result<Option<Value>> {
        let stub = Value::object([("id", Value::from(id))]);
        self.read_many(c, &[stub]).await.pop().unwrap_or(Ok(None))
    }
}

#[async_trait]
pub trait DataSourceType: Send + Sync {
    fn name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    /// The result of a data source that is a function of its configuration alone (no API
    /// call, no credentials, no clients built); `None` for those that read from AWS.
    fn compute(&self, _config: &Value) -> Option<Result<Value>> {
        None
    }
    async fn read(&self, c: &Ctx<'_>, config: &Value) -> Result<Value>;
}

/// Reads objects one by one, at most eight at a time, for APIs that cannot batch (IAM). Each
/// read gets its own copy of the value: a closure taking `&Value` would tie the future's type
/// to the closure's lifetime, which async-trait's `Send` check rejects.
pub async fn read_each<F, Fut>(current: &[Value], read: F) -> Vec<Result<Option<Value>>>
where
    F: Fn(Value) -> Fut,
    Fut: std::future::Future<Output = Result<Option<Value>>>,
{
    use futures::stream::{self, StreamExt};
    stream::iter(current.to_vec()).map(read).buffered(8).collect().await
}

/// After a crash, the object a create named `stub`'s ID made: read as a refresh reads it
/// (`stub` is the planned value with the ID set, the prior value of the read). A name is
/// unique, so an object that has it is what the create made (it would have failed
/// otherwise); where the create also tagged the object with its token (`tagged`), the tag must
/// be there too, so an object of that name made by anyone else is never adopted.
pub async fn find_named<R: ResourceType + ?Sized>(
    r: &R,
    c: &Ctx<'_>,
    stub: Value,
    tagged: bool,
) -> Result<Option<Value>> {
    let (found, tokens) = crate::tags::seen_tokens(read_stub(r, c, stub)).await;
    let Some(v) = found? else { return Ok(None) };
    if tagged && !tokens.iter().any(|t| Some(t.as_str()) == c.token) {
        return Ok(None);
    }
    Ok(Some(v))
}

/// Reads one object from a stub (the planned value with the ID set, see [`with_id`]).
pub async fn read_stub<R: ResourceType + ?Sized>(r: &R, c: &Ctx<'_>, stub: Value) -> Result<Option<Value>> {
    r.read_many(c, &[stub]).await.pop().unwrap_or(Ok(None))
}

/// Reads the object a typed stub names (its ID set, and what the API does not hold), failing
/// when it is gone (`what`: the object, for the error).
pub async fn read_model<R: ResourceType + ?Sized>(
    r: &R,
    c: &Ctx<'_>,
    stub: &impl terrane_engine::model::Model,
    what: &str,
) -> Result<Value> {
    read_stub(r, c, stub.to_value()).await?.ok_or_else(|| ProviderError::new(format!("{what} is gone")))
}

/// `planned` with its ID set (the stub a read starts from).
pub fn with_id(planned: &Value, id: &str) -> Value {
    let mut v = planned.clone();
    v.set_at_path(&[terrane_engine::value::PathStep::Attr("id".into())], Value::from(id));
    v
}

/// Splits `items` into chunks of at most `n` (API page limits).
pub fn chunks<T: Clone>(items: &[T], n: usize) -> Vec<Vec<T>> {
    items.chunks(n.max(1)).map(<[T]>::to_vec).collect()
}

/// An argument terrane declares but does not carry out ([`ResourceType::refused`]).
pub struct Refused {
    /// The top-level argument or block.
    pub name: &'static str,
    /// Why it is not carried out (what it needs that terrane or the test environment lacks).
    pub why: &'static str,
}

/// The refused arguments `config` sets: known, and neither null nor its type's zero value
/// (`false`, `0`, `""`, no blocks) nor blocks saying only `enabled = false`, which
/// hashicorp/aws reads as not set either (modules pass `monitoring = false` for "off"). A value not yet known is not refused here: the plan,
/// which sees it known, is.
pub fn refused_in<'r>(refused: &'r [Refused], config: &Value) -> Vec<&'r Refused> {
    refused
        .iter()
        .filter(|r| {
            let v = config.get_attr(r.name).cloned().unwrap_or_default();
            !v.is_null() && v.is_wholly_known() && !crate::legacy::is_zero(&v) && !switched_off(&v)
        })
        .collect()
}

/// Blocks that only say `enabled = false` (`blue_green_update { enabled = false }`), which
/// hashicorp/aws reads as the feature off, as modules write it.
fn switched_off(v: &Value) -> bool {
    let Some(blocks) = v.as_seq() else { return false };
    !blocks.is_empty()
        && blocks.iter().all(|b| {
            b.as_map().is_some_and(|m| {
                m.get("enabled").and_then(Value::as_bool) == Some(false)
                    && m.iter().all(|(k, a)| k == "enabled" || a.is_null() || crate::legacy::is_zero(a))
            })
        })
}

/// The error for a refused argument set in a configuration.
pub fn refusal(type_name: &str, r: &Refused) -> (String, String) {
    (
        "Argument not supported by terrane".to_string(),
        format!(
            "{type_name}: \"{}\" is part of the hashicorp/aws schema, but terrane does not carry it out yet: {} Remove it, or keep this resource under Terraform.",
            r.name, r.why
        ),
    )
}

/// An error for an invalid argument value, found at validate time.
pub fn invalid(summary: &str, detail: impl Into<String>) -> Diagnostic {
    Diagnostic::error(summary, detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_suffixes_are_stable_and_shaped_like_terraforms() {
        let a = token_suffix("terrane-0123456789abcdef0123456789abcdef");
        assert_eq!(a, token_suffix("terrane-0123456789abcdef0123456789abcdef"), "the same token, the same name");
        assert_ne!(a, token_suffix("terrane-0123456789abcdef0123456789abcdee"));
        assert_eq!(a.len(), 26);
        assert!(a[..18].bytes().all(|b| b.is_ascii_digit()), "{a}");
        assert!(a[18..].bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()), "{a}");
    }

    #[test]
    fn names_come_from_the_name_or_the_prefix() {
        let s = || "SUFFIX".to_string();
        assert_eq!(named_or_generated(Some("web"), None, "terraform-", s), "web");
        assert_eq!(named_or_generated(Some("web"), Some("api-"), "terraform-", s), "web", "a name wins");
        assert_eq!(named_or_generated(None, Some("web-"), "terraform-", s), "web-SUFFIX");
        assert_eq!(named_or_generated(None, None, "terraform-", s), "terraform-SUFFIX");
    }

    #[test]
    fn generated_names_give_their_prefix() {
        // Generated names end in `Ctx::unique_suffix` (made from the create's token).
        let s = token_suffix("terrane-0123");
        assert_eq!(s.len(), 26, "{s}");
        assert_eq!(prefix_of(None, &format!("web-{s}")).as_deref(), Some("web-"));
        assert_eq!(prefix_of(None, "web"), None);
        assert_eq!(prefix_of(Some("api-"), "web"), Some("api-".to_string()), "a configured prefix is kept");
    }
}
