//! `strrev` and `substr`, which count in grapheme clusters (cty's `ReverseFunc` and
//! `SubstrFunc`, quirks included).

use super::case::{map_str, string_fn};
use super::go_int;
use super::graphemes::{clusters, first_len};
use crate::cty::{Type, Value};
use crate::lang::function::{FuncError, Function, Param, Returns, refine_not_null};

/// The clusters of `s` in reverse order.
fn reverse(s: &str) -> String {
    let mut parts: Vec<&str> = clusters(s).collect();
    parts.reverse();
    parts.concat()
}

/// cty's substring: `length` clusters from cluster `offset` (counted from the end when
/// negative); a negative `length` takes the rest.
fn substring(s: &str, offset: i64, length: i64) -> &str {
    let mut offset = offset;
    if offset < 0 {
        offset += clusters(s).count() as i64;
    } else if length == 0 {
        return "";
    }
    let mut sub = s;
    if offset > 0 {
        let (mut i, mut pos) = (0, 0);
        while i < s.len() {
            i += first_len(&s[i..]);
            pos += 1;
            if pos == offset {
                break;
            }
            if i >= s.len() {
                return "";
            }
        }
        sub = &s[i..];
    }
    if length < 0 {
        return sub;
    }
    // A length of 0 after a negative offset takes everything: cty counts to it only after
    // the first cluster.
    let (mut i, mut pos) = (0, 0);
    while i < sub.len() {
        i += first_len(&sub[i..]);
        pos += 1;
        if pos == length {
            break;
        }
    }
    &sub[..i]
}

fn substr_fn() -> Function {
    Function {
        name: "substr",
        params: vec![
            Param::new("str", Type::String).allow_dynamic(),
            Param::new("offset", Type::Number).allow_dynamic(),
            Param::new("length", Type::Number).allow_dynamic(),
        ],
        var_param: None,
        returns: Returns::Static(|| Type::String),
        refine: Some(refine_not_null),
        imp: |_, args, _| {
            let offset = go_int(&args[1])?;
            let length = go_int(&args[2])?;
            let s = args[0].as_str().expect("a known string");
            Ok::<_, FuncError>(Value::string(substring(s, offset, length)))
        },
    }
}

pub(super) fn functions() -> Vec<Function> {
    vec![string_fn("strrev", true, |_, args, _| map_str(args, reverse)), substr_fn()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverses_clusters() {
        assert_eq!(reverse("cafe\u{301}"), "e\u{301}fac");
        assert_eq!(reverse("🇫🇷🇩🇪"), "🇩🇪🇫🇷");
        assert_eq!(reverse("ab\r\ncd"), "dc\r\nba");
    }

    #[test]
    fn substrings_as_cty() {
        let cases = [
            (1, 4, "ello"),
            (0, -1, "hello"),
            (-3, -1, "llo"),
            (-3, 2, "ll"),
            (10, 2, ""),
            (3, 100, "lo"),
            (5, 1, ""),
            (-10, 2, "he"),
            (0, 0, ""),
            (2, 0, ""),
            (-3, 0, "llo"),
        ];
        for (offset, length, want) in cases {
            assert_eq!(substring("hello", offset, length), want, "{offset} {length}");
        }
        assert_eq!(substring("👍🏽👍🏽", 1, 1), "👍🏽");
        assert_eq!(substring("", 0, 1), "");
    }
}
