//! `upper`, `lower` and `title`: Go's `strings.ToUpper`, `ToLower` and `Title`, which map
//! each rune by its simple (one-to-one) case mapping from Go 1.23's Unicode 15.0.0 tables
//! (`ß` stays `ß`, `ǆ` titles to `ǅ`).

use super::unicode15::{ALT, CASE_RANGES, LETTER_OR_DIGIT};
use crate::cty::{Type, Value};
use crate::lang::function::{FuncError, Function, ImplFn, Param, Returns, refine_not_null};

#[derive(Clone, Copy)]
enum Case {
    Upper,
    Lower,
    Title,
}

/// Go's `unicode.To(case, c)`.
fn to_case(case: Case, c: char) -> char {
    let cp = c as u32;
    let i = CASE_RANGES.partition_point(|r| r.1 < cp);
    let Some(&(lo, _, du, dl, dt)) = CASE_RANGES.get(i).filter(|r| r.0 <= cp) else { return c };
    let delta = match case {
        Case::Upper => du,
        Case::Lower => dl,
        Case::Title => dt,
    };
    let mapped = if delta == ALT {
        // Upper case at even offsets from the start of the run, lower case at odd ones.
        let upper = lo + ((cp - lo) & !1);
        if matches!(case, Case::Lower) { upper + 1 } else { upper }
    } else {
        cp.wrapping_add_signed(delta)
    };
    char::from_u32(mapped).unwrap_or(c)
}

fn in_table(table: &[(u32, u32)], c: char) -> bool {
    let cp = c as u32;
    let i = table.partition_point(|r| r.1 < cp);
    table.get(i).is_some_and(|r| r.0 <= cp)
}

/// Go's `unicode.IsLetter(c) || unicode.IsDigit(c)` (general categories L and Nd).
pub(super) fn is_letter_or_digit(c: char) -> bool {
    in_table(&LETTER_OR_DIGIT, c)
}

/// The separators after which `strings.Title` capitalises: ASCII characters other than
/// letters, digits and `_`, and white space.
fn is_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    !is_letter_or_digit(c) && c.is_whitespace()
}

pub(super) fn upper(s: &str) -> String {
    s.chars().map(|c| to_case(Case::Upper, c)).collect()
}

pub(super) fn lower(s: &str) -> String {
    s.chars().map(|c| to_case(Case::Lower, c)).collect()
}

/// Go's `strings.Title`: the first letter of each word in title case.
pub(super) fn title(s: &str) -> String {
    let mut prev = ' ';
    s.chars()
        .map(|c| {
            let out = if is_separator(prev) { to_case(Case::Title, c) } else { c };
            prev = c;
            out
        })
        .collect()
}

/// A function of one string (cty's `str` parameter), never null.
pub(super) fn string_fn(name: &'static str, allow_dynamic: bool, imp: ImplFn) -> Function {
    let param = Param::new("str", Type::String);
    Function {
        name,
        params: vec![if allow_dynamic { param.allow_dynamic() } else { param }],
        var_param: None,
        returns: Returns::Static(|| Type::String),
        refine: Some(refine_not_null),
        imp,
    }
}

/// Applies a string transformation to the first argument (a known string).
pub(super) fn map_str(args: &[Value], f: impl FnOnce(&str) -> String) -> Result<Value, FuncError> {
    Ok(Value::string(f(args[0].as_str().expect("a known string"))))
}

pub(super) fn functions() -> Vec<Function> {
    vec![
        string_fn("upper", true, |_, args, _| map_str(args, upper)),
        string_fn("lower", true, |_, args, _| map_str(args, lower)),
        string_fn("title", false, |_, args, _| map_str(args, title)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_case_mappings() {
        assert_eq!(upper("straße ǆ ﬁ ÿ ı ǅ ŉ"), "STRAßE Ǆ ﬁ Ÿ I Ǆ ŉ");
        assert_eq!(lower("İ ΣΑΣ ǅ Ā Ă"), "i σασ ǆ ā ă");
        assert_eq!(upper("āăą"), "ĀĂĄ");
        assert_eq!(title("ǆemal ǅ ǆ-ǆ"), "ǅemal ǅ ǅ-ǅ");
        assert_eq!(title("hello_world o'neil 3d x.y ‿a ab·cd"), "Hello_world O'Neil 3d X.Y ‿a Ab·cd");
        assert_eq!(title("hello\tworld\nnext\u{a0}x"), "Hello\tWorld\nNext\u{a0}X");
    }
}
