//! Go's answers (recorded from Terraform 1.11.4) for patterns where Go and the `regex`
//! crate differ.

use super::*;

fn error(pattern: &str) -> String {
    match GoRegex::new(pattern) {
        Ok(_) => panic!("{pattern:?} compiled"),
        Err(e) => format!("{}: {}", e.code(), e.expr),
    }
}

/// The first match, or None.
fn first(pattern: &str, s: &str) -> Option<String> {
    let re = GoRegex::new(pattern).unwrap_or_else(|e| panic!("{pattern:?}: {e}"));
    re.find_at(s, 0).map(|m| {
        let (a, b) = m[0].unwrap();
        s[a..b].to_string()
    })
}

#[test]
fn errors_as_go() {
    let cases = [
        ("[", "missing closing ]: ["),
        ("[a", "missing closing ]: [a"),
        ("x[ab", "missing closing ]: [ab"),
        ("a)", "unexpected ): a)"),
        ("(a", "missing closing ): (a"),
        ("a**", "invalid nested repetition operator: **"),
        ("a*?*", "invalid nested repetition operator: *?*"),
        ("x{2}{3}", "invalid nested repetition operator: {2}{3}"),
        ("*a", "missing argument to repetition operator: *"),
        ("a|*", "missing argument to repetition operator: *"),
        ("(?i-)a", "invalid or unsupported Perl syntax: (?i-)"),
        ("(?i", "invalid or unsupported Perl syntax: (?i"),
        ("a(?=b)", "invalid or unsupported Perl syntax: (?="),
        ("(?x)a", "invalid or unsupported Perl syntax: (?x"),
        ("(?P=n)", "invalid or unsupported Perl syntax: (?P"),
        ("x{1001}", "invalid repeat count: {1001}"),
        ("x{3,2}", "invalid repeat count: {3,2}"),
        ("(x{100}){100}", "invalid repeat count: {100}"),
        ("\\8", "invalid escape sequence: \\8"),
        ("\\1", "invalid escape sequence: \\1"),
        ("\\C", "invalid escape sequence: \\C"),
        ("\\u0041", "invalid escape sequence: \\u"),
        ("\\x{110000}", "invalid escape sequence: \\x{110000"),
        ("\\xg", "invalid escape sequence: \\xg"),
        ("\\", "trailing backslash at end of expression: "),
        ("\\pé", "invalid character class range: \\pé"),
        ("\\p", "invalid character class range: \\p"),
        ("\\p{Greek", "invalid character class range: \\p{Greek"),
        ("\\p{Letter}", "invalid character class range: \\p{Letter}"),
        ("\\p{latin}", "invalid character class range: \\p{latin}"),
        ("\\p{LC}", "invalid character class range: \\p{LC}"),
        ("[[:foo:]]", "invalid character class range: [:foo:]"),
        ("[z-a]", "invalid character class range: z-a"),
        ("(?P<>a)", "invalid named capture: (?P<>"),
        ("(?P<a", "invalid named capture: (?P<a"),
        ("(?P<é>a)", "invalid named capture: (?P<é>"),
    ];
    for (pattern, want) in cases {
        assert_eq!(error(pattern), want, "{pattern:?}");
    }
}

#[test]
fn go_syntax_the_crate_reads_otherwise() {
    assert_eq!(first("a*(?i)*", "aa").as_deref(), Some("aa"));
    assert_eq!(first("(?)a", "a").as_deref(), Some("a"));
    assert_eq!(first("\\<\\>", "a<>").as_deref(), Some("<>"));
    assert_eq!(first("\\Qa.b", "axb a.b").as_deref(), Some("a.b"));
    assert_eq!(first("a{,5}", "a{,5}").as_deref(), Some("a{,5}"));
    assert_eq!(first("x{01}", "x{01}").as_deref(), Some("x{01}"));
    assert_eq!(first("\\z*", "a").as_deref(), Some(""));
    // The groups of x{0} are kept (the crate drops them).
    assert_eq!(GoRegex::new("(a(b){0})").unwrap().re.captures_len(), 3);
    assert_eq!(first("x(b){0}?", "xb").as_deref(), Some("x"));
    assert_eq!(first("[]a]+", "]a").as_deref(), Some("]a"));
    assert_eq!(first("[a-b-c]+", "a-c").as_deref(), Some("a-c"));
    assert_eq!(first("[[a]]", "a]").as_deref(), Some("a]"));
    assert_eq!(first("[a&&b]+", "a&b").as_deref(), Some("a&b"));
    assert_eq!(first("\\x41\\101\\0", "AA\0").as_deref(), Some("AA\0"));
    assert_eq!(first("(?U)a+", "aaa").as_deref(), Some("a"));
    assert_eq!(first("(?U)a+?", "aaa").as_deref(), Some("aaa"));
    assert_eq!(first("(?m)^b$", "a\nb\nc").as_deref(), Some("b"));
    assert_eq!(first("^b", "a\nb").as_deref(), None);
    assert_eq!(first("(?s).+", "a\nb").as_deref(), Some("a\nb"));
    assert_eq!(first(".+", "a\nb").as_deref(), Some("a"));
    assert_eq!(first("(?P<1a>x)", "x").as_deref(), Some("x"));
    assert_eq!(first("[^\\x00-\\x{10FFFF}]|a", "a").as_deref(), Some("a"));
    // Perl classes and \b are ASCII-only.
    assert_eq!(first("\\w+", "héllo").as_deref(), Some("h"));
    assert_eq!(first("\\s", "\u{b}").as_deref(), None);
    assert_eq!(first("\\bé", "é").as_deref(), None);
    assert_eq!(first("\\d+", "١٢3").as_deref(), Some("3"));
    // ... but fold case like Go's: ſ and K (Kelvin) are word characters under (?i).
    assert_eq!(first("(?i)\\W+", "ſ\u{212a}!").as_deref(), Some("!"));
    assert_eq!(first("(?i)[[:upper:]]+", "abcſ\u{212a}").as_deref(), Some("abcſ\u{212a}"));
    // Unicode classes as Go's tables have them.
    assert_eq!(first("\\pN+", "١٢").as_deref(), Some("١٢"));
    assert_eq!(first("\\p{Greek}+", "abγδ").as_deref(), Some("γδ"));
    assert_eq!(first("\\P{^Latin}", "a").as_deref(), Some("a"));
    assert_eq!(first("\\p{Cs}|x", "x").as_deref(), Some("x"));
    // U+1E030 was assigned in Unicode 15.0, U+10D40 (Garay) only in 16.0.
    assert_eq!(first("\\pL", "\u{10D50}").as_deref(), None);
    assert_eq!(first("\\PL", "\u{10D50}").as_deref(), Some("\u{10D50}"));
    assert_eq!(first("\\pL", "\u{1E030}").as_deref(), Some("\u{1E030}"));
    assert_eq!(first("\\p{Mn}", "\u{1171E}").as_deref(), Some("\u{1171E}"));
    assert_eq!(first("\\p{Mc}", "\u{1171E}").as_deref(), None);
    assert_eq!(first("\\pM", "\u{1171E}").as_deref(), Some("\u{1171E}"));
}

#[test]
fn successive_matches_as_go() {
    let all = |p: &str, s: &str| -> Vec<String> {
        let re = GoRegex::new(p).unwrap();
        re.find_all(s).iter().map(|m| m[0].map(|(a, b)| s[a..b].to_string()).unwrap()).collect()
    };
    assert_eq!(all("a*", "baaac"), ["", "aaa", ""]);
    assert_eq!(all("", "ab"), ["", "", ""]);
    assert_eq!(all("o", "foo boo"), ["o", "o", "o", "o"]);
    let replace = |p: &str, s: &str, t: &str| GoRegex::new(p).unwrap().replace_all(s, t);
    assert_eq!(replace("a*", "baaac", "-"), "-b-c-");
    assert_eq!(replace("b|", "abc", "-"), "-a-c-");
    assert_eq!(replace("^", "hello", ">"), ">hello");
    assert_eq!(replace("", "é", "-"), "-é-");
}

#[test]
fn expands_as_go() {
    let re = GoRegex::new("(?P<x>b)").unwrap();
    assert_eq!(
        re.replace_all("abc", "[$x][${x}][$1x][$01][$é][${1}x][$$][$][${x][$0]"),
        "a[b][b][][][][bx][$][$][${x][b]c"
    );
    let re = GoRegex::new("(?P<a>x)|(?P<a>y)").unwrap();
    assert_eq!(re.replace_all("y", "<$a>"), "<y>");
}
