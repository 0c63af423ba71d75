//! What `random_string` and `random_password` share: their arguments (one flattened model),
//! the generation of the string, the validation and the plan (`number` and `numeric` kept
//! in sync, `override_special` from `""` to null not replacing), and the upgrade of states
//! written by older versions of the plugin.

use super::below;
use crate::framework::{self, Attrs, Rules};
use crate::kit::Result;
use std::collections::BTreeMap;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::{PlanRequest, PlanResponse, ProviderError};
use terrane_engine::value::Value;

const NUMERIC: &str = "0123456789";
const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
pub const SPECIAL: &str = "!@#$%&*()-_=+[]{}<>:?";

/// The arguments of `random_string` and `random_password`.
#[derive(Model, Clone, Debug, Default)]
pub struct Chars {
    #[model(optional, force_new)]
    pub keepers: Option<BTreeMap<String, String>>,
    /// At least 1, and at least the sum of the `min_*`.
    #[model(required, force_new)]
    pub length: i64,
    #[model(optional, computed, force_new, default = true)]
    pub special: bool,
    #[model(optional, computed, force_new, default = true)]
    pub upper: bool,
    #[model(optional, computed, force_new, default = true)]
    pub lower: bool,
    /// Deprecated for `numeric`; the two are planned equal.
    #[model(optional, computed, force_new)]
    pub number: Option<bool>,
    #[model(optional, computed, force_new)]
    pub numeric: Option<bool>,
    #[model(optional, computed, force_new, default = 0i64)]
    pub min_numeric: i64,
    #[model(optional, computed, force_new, default = 0i64)]
    pub min_upper: i64,
    #[model(optional, computed, force_new, default = 0i64)]
    pub min_lower: i64,
    #[model(optional, computed, force_new, default = 0i64)]
    pub min_special: i64,
    #[model(optional, force_new)]
    pub override_special: Option<String>,
}

impl Chars {
    /// The string, as the plugin's `random.CreateString`: the minimum of each class first
    /// (special characters from `override_special` when set, whether or not `special` is
    /// on), the rest from every enabled class, then shuffled.
    pub fn generate(&self) -> Result<String> {
        let special = match self.override_special.as_deref() {
            Some(s) if !s.is_empty() => s,
            _ => SPECIAL,
        };
        let mut set = String::new();
        for (on, class) in [
            (self.upper, UPPER),
            (self.lower, LOWER),
            (self.numeric.or(self.number).unwrap_or(true), NUMERIC),
            (self.special, special),
        ] {
            if on {
                set.push_str(class);
            }
        }
        if set.is_empty() {
            return Err(random_read_error("the character set specified is empty"));
        }
        let mut out: Vec<char> = Vec::with_capacity(self.length.max(0) as usize);
        for (class, min) in
            [(NUMERIC, self.min_numeric), (LOWER, self.min_lower), (UPPER, self.min_upper), (special, self.min_special)]
        {
            pick(class, min, &mut out)?;
        }
        pick(&set, self.length - out.len() as i64, &mut out)?;
        let order = crate::kit::random_bytes(out.len())?;
        let mut keyed: Vec<(u8, char)> = order.into_iter().zip(out).collect();
        keyed.sort_by_key(|(k, _)| *k);
        Ok(keyed.into_iter().map(|(_, c)| c).collect())
    }
}

/// `n` characters of `class`, uniformly.
fn pick(class: &str, n: i64, out: &mut Vec<char>) -> Result<()> {
    let chars: Vec<char> = class.chars().collect();
    for _ in 0..n.max(0) {
        out.push(chars[below(chars.len() as u64)? as usize]);
    }
    Ok(())
}

/// The plugin's "Random Read Error".
pub fn random_read_error(e: &str) -> ProviderError {
    ProviderError::new(format!(
        "Random Read Error: While attempting to generate a random value for this resource, a read error was \
         generated.\n\n{}Original Error: {e}",
        crate::random::RETRY
    ))
}

fn known_i64(config: &Value, name: &str) -> Option<Option<i64>> {
    match config.get_attr(name).map(Value::unmarked) {
        Some(v) if !v.is_known() => None,
        Some(v) if v.is_null() => Some(None),
        Some(v) => Some(v.as_i64()),
        None => Some(None),
    }
}

/// The plugin's validators: `length` at least 1 and at least the sum of the `min_*`;
/// `number` and `numeric`, when false, need one of `special`, `upper`, `lower` not false.
pub fn validate(config: &Value) -> Vec<Diagnostic> {
    let mut d = Vec::new();
    if let Some(Some(length)) = known_i64(config, "length") {
        if length < 1 {
            d.push(
                Diagnostic::error(
                    "Invalid Attribute Value",
                    format!("Attribute length value must be at least 1, got: {length}"),
                )
                .about_attribute("length"),
            );
        }
        let mins = ["min_upper", "min_lower", "min_numeric", "min_special"].map(|m| known_i64(config, m));
        if mins.iter().all(Option::is_some) {
            let sum: i64 = mins.iter().map(|m| m.flatten().unwrap_or(0)).sum();
            if length < sum {
                d.push(
                    Diagnostic::error(
                        "Invalid Attribute Value",
                        format!(
                            "Attribute length value must be at least sum of min_upper + min_lower + min_numeric + \
                             min_special, got: {length}"
                        ),
                    )
                    .about_attribute("length"),
                );
            }
        }
    }
    if config.get_attr("number").is_some_and(|v| !v.unmarked().is_null()) {
        // The framework's warning for an attribute with a DeprecationMessage.
        d.push(
            Diagnostic::warning("Attribute Deprecated", "**NOTE**: This is deprecated, use `numeric` instead.")
                .about_attribute("number"),
        );
    }
    for attr in ["number", "numeric"] {
        let Some(v) = config.get_attr(attr).map(Value::unmarked) else { continue };
        if v.as_bool() != Some(false) {
            continue;
        }
        let others = ["special", "upper", "lower"].map(|o| config.get_attr(o).map(Value::unmarked).cloned());
        let undecided = others.iter().any(|o| o.as_ref().is_none_or(|o| !o.is_known() || o.is_null()));
        let one_true = others.iter().any(|o| o.as_ref().and_then(Value::as_bool) == Some(true));
        if !undecided && !one_true {
            d.push(
                Diagnostic::error(
                    "Invalid Attribute Combination",
                    format!("At least one attribute out of [special,upper,lower,{attr}] must be specified as true"),
                )
                .about_attribute(attr),
            );
        }
    }
    d
}

/// `NumberNumericAttributePlanModifier`: `number` and `numeric` are planned equal (true
/// when neither is set); set to different values, the plan fails.
fn sync_number(planned: &mut Attrs, _prior: Option<&Value>, config: &Value) -> Result<()> {
    let number = config.get_attr("number").map(Value::unmarked).cloned().unwrap_or(Value::NULL);
    let numeric = config.get_attr("numeric").map(Value::unmarked).cloned().unwrap_or(Value::NULL);
    let v = match (number.is_null(), numeric.is_null()) {
        (false, false) => {
            if let (Some(a), Some(b)) = (number.as_bool(), numeric.as_bool())
                && a != b
            {
                return Err(ProviderError::new(
                    "Number and numeric are both configured with different values: Number is deprecated, use \
                     numeric instead",
                ));
            }
            return Ok(());
        }
        (true, true) => Value::bool(true),
        (true, false) => numeric,
        (false, true) => number,
    };
    planned.insert("number".into(), v.clone());
    planned.insert("numeric".into(), v);
    Ok(())
}

/// `override_special`'s `RequiresReplaceUnlessEmptyStringToNull`, and `keepers`'.
fn replace_if(name: &str, prior: &Value, config: &Value, planned: &Value) -> Option<bool> {
    match name {
        "override_special" => {
            if !config.is_known() || !framework::differs(prior, planned) {
                return Some(false);
            }
            Some(!config.is_null() || prior.is_null() || prior.as_str() != Some(""))
        }
        _ => super::keepers_rule(name, prior, config, planned),
    }
}

/// The plan of `random_string` and `random_password`.
pub fn plan(req: &PlanRequest<'_>, keep: &[&str]) -> Result<PlanResponse> {
    framework::plan(req, &Rules { keep, replace_if: Some(&replace_if), modify: Some(&sync_number) })
}

/// An older state (schema versions 0 to 2) in the current shape, as the plugin's upgraders:
/// what an import by v3.3.1 and earlier left null gets its default (`length` the result's
/// length in bytes), `numeric` is `number`'s value.
pub fn upgrade(mut attrs: serde_json::Value) -> serde_json::Value {
    let Some(o) = attrs.as_object_mut() else { return attrs };
    if o.get("length").is_none_or(serde_json::Value::is_null) {
        let n = o.get("result").and_then(serde_json::Value::as_str).map_or(0, str::len);
        o.insert("length".into(), n.into());
    }
    for m in ["min_numeric", "min_upper", "min_lower", "min_special"] {
        if o.get(m).is_none_or(serde_json::Value::is_null) {
            o.insert(m.into(), 0.into());
        }
    }
    for b in ["special", "upper", "lower", "number"] {
        if o.get(b).is_none_or(serde_json::Value::is_null) {
            o.insert(b.into(), true.into());
        }
    }
    let number = o["number"].clone();
    o.insert("numeric".into(), number);
    o.entry("override_special").or_insert(serde_json::Value::Null);
    attrs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(length: i64) -> Chars {
        Chars { length, special: true, upper: true, lower: true, numeric: Some(true), ..Chars::default() }
    }

    #[test]
    fn a_string_has_the_length_asked_and_only_enabled_classes() {
        let s = chars(64).generate().unwrap();
        assert_eq!(s.chars().count(), 64);
        assert!(s.chars().all(|c| c.is_ascii_alphanumeric() || SPECIAL.contains(c)), "{s}");
        let only_lower = Chars { upper: false, special: false, numeric: Some(false), ..chars(40) };
        let s = only_lower.generate().unwrap();
        assert!(s.chars().all(|c| c.is_ascii_lowercase()), "{s}");
    }

    #[test]
    fn minimums_are_met() {
        for _ in 0..20 {
            let c = Chars { min_upper: 3, min_lower: 2, min_numeric: 4, min_special: 5, ..chars(14) };
            let s = c.generate().unwrap();
            assert_eq!(s.chars().filter(char::is_ascii_uppercase).count(), 3, "{s}");
            assert_eq!(s.chars().filter(char::is_ascii_lowercase).count(), 2, "{s}");
            assert_eq!(s.chars().filter(char::is_ascii_digit).count(), 4, "{s}");
            assert_eq!(s.chars().filter(|c| SPECIAL.contains(*c)).count(), 5, "{s}");
        }
    }

    #[test]
    fn override_special_replaces_the_special_characters_and_counts_characters_not_bytes() {
        // As the plugin's TestAccResourceString_OverrideSpecial_UTF8 (3.9.0): "€" is one
        // character of three bytes.
        let c =
            Chars {
                upper: false, lower: false, numeric: Some(false), override_special: Some("€".into()), ..chars(8)
            };
        assert_eq!(c.generate().unwrap(), "€€€€€€€€");
        let c = Chars { override_special: Some("_".into()), min_special: 3, ..chars(10) };
        let s = c.generate().unwrap();
        assert!(s.chars().filter(|c| *c == '_').count() >= 3 && !s.contains('!'), "{s}");
    }

    #[test]
    fn an_empty_character_set_fails() {
        let c = Chars { upper: false, lower: false, numeric: Some(false), special: false, ..chars(8) };
        assert!(c.generate().unwrap_err().to_string().contains("the character set specified is empty"));
    }

    #[test]
    fn strings_differ() {
        assert_ne!(chars(32).generate().unwrap(), chars(32).generate().unwrap());
    }

    #[test]
    fn an_upgrade_fills_what_an_old_import_left_null() {
        let old = serde_json::json!({"id": "none", "result": "abc€", "keepers": null, "length": null,
            "special": null, "upper": false, "lower": null, "number": false, "min_numeric": null,
            "min_upper": null, "min_lower": null, "min_special": null, "override_special": ""});
        let new = upgrade(old);
        assert_eq!(new["length"], 6, "bytes, as Go's len");
        assert_eq!(new["upper"], false);
        assert_eq!(new["special"], true);
        assert_eq!(new["numeric"], false);
        assert_eq!(new["min_special"], 0);
        assert_eq!(new["override_special"], "");
    }
}
