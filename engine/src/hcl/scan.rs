//! The scanner: HCL source to tokens, with hclsyntax's longest-match rules in each of its
//! modes (expressions, quoted templates, heredocs, bare templates) and its handling of
//! braces that return from `${ … }` to the template they interrupt.

use super::token::{Token, TokenType as T};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScanMode {
    Normal,
    Template,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Main,
    Quoted,
    Heredoc,
    Bare,
}

struct Heredoc {
    marker: Vec<u8>,
    start_of_line: bool,
}

struct Scanner<'a> {
    s: &'a [u8],
    p: usize,
    tokens: Vec<Token>,
    stack: Vec<Mode>,
    braces: i64,
    ret_braces: Vec<i64>,
    heredocs: Vec<Heredoc>,
}

/// Scans `src` (a UTF-8 BOM is skipped). The last token is always `Eof`.
pub fn scan(src: &[u8], mode: ScanMode) -> Vec<Token> {
    let start = if src.starts_with(&[0xef, 0xbb, 0xbf]) { 3 } else { 0 };
    let mut sc = Scanner {
        s: src,
        p: start,
        // About one token per five bytes of configuration: one allocation, not twenty.
        tokens: Vec::with_capacity(src.len() / 5 + 16),
        stack: vec![if mode == ScanMode::Template { Mode::Bare } else { Mode::Main }],
        braces: 0,
        ret_braces: Vec::new(),
        heredocs: Vec::new(),
    };
    sc.run();
    sc.tokens.push(Token { ty: T::Eof, span: src.len()..src.len() });
    sc.tokens
}

/// The length of the UTF-8 sequence at `s[i..]`, or `None` for a broken one.
fn utf8_len(s: &[u8], i: usize) -> Option<usize> {
    let b = s[i];
    let n = match b {
        0x00..=0x7f => return Some(1),
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        _ => return None,
    };
    if i + n > s.len() || !s[i + 1..i + n].iter().all(|c| (0x80..=0xbf).contains(c)) {
        return None;
    }
    Some(n)
}

fn char_at(s: &[u8], i: usize) -> Option<(char, usize)> {
    let n = utf8_len(s, i)?;
    let c = std::str::from_utf8(&s[i..i + n]).ok()?.chars().next()?;
    Some((c, n))
}

/// The length of an identifier at `i` (ID_Start or `_`, then ID_Continue or `-`).
/// ASCII bytes are decided without decoding (nearly every identifier is ASCII).
pub(crate) fn ident_len(s: &[u8], i: usize) -> usize {
    match s.get(i) {
        Some(b) if b.is_ascii_alphabetic() || *b == b'_' => {}
        Some(b) if b.is_ascii() => return 0,
        _ => match char_at(s, i) {
            Some((c, _)) if unicode_ident::is_xid_start(c) => {}
            _ => return 0,
        },
    }
    let mut j = i;
    while let Some(&b) = s.get(j) {
        if b.is_ascii() {
            if !(b.is_ascii_alphanumeric() || b == b'_' || b == b'-') || (j == i && b == b'-') {
                break;
            }
            j += 1;
            continue;
        }
        match char_at(s, j) {
            Some((c, n)) if (j > i && unicode_ident::is_xid_continue(c)) || unicode_ident::is_xid_start(c) => j += n,
            _ => break,
        }
    }
    j - i
}

/// The length of a number literal at `i` (a digit, then digits, dots and exponents, not
/// ending in a dot).
fn number_len(s: &[u8], i: usize) -> usize {
    let digit = |j: usize| s.get(j).is_some_and(u8::is_ascii_digit);
    let mut j = i + 1;
    let mut good = j;
    loop {
        if digit(j) {
            j += 1;
            good = j;
        } else if s.get(j) == Some(&b'.') {
            j += 1;
        } else if matches!(s.get(j), Some(b'e' | b'E')) {
            if digit(j + 1) {
                j += 2;
                good = j;
            } else if matches!(s.get(j + 1), Some(b'+' | b'-')) && digit(j + 2) {
                j += 3;
                good = j;
            } else {
                break;
            }
        } else {
            break;
        }
    }
    good - i
}

impl Scanner<'_> {
    fn emit(&mut self, ty: T, start: usize, end: usize) {
        self.tokens.push(Token { ty, span: start..end });
    }

    fn mode(&self) -> Mode {
        *self.stack.last().expect("mode stack")
    }

    fn run(&mut self) {
        while self.p < self.s.len() {
            match self.mode() {
                Mode::Main => self.main(),
                Mode::Quoted => self.quoted(),
                Mode::Heredoc => self.heredoc(),
                Mode::Bare => self.bare(),
            }
        }
    }

    fn begin_seq(&mut self, ty: T, len: usize) {
        let p = self.p;
        self.emit(ty, p, p + len);
        self.p += len;
        self.braces += 1;
        self.ret_braces.push(self.braces);
        if let Some(h) = self.heredocs.last_mut() {
            h.start_of_line = false;
        }
        self.stack.push(Mode::Main);
    }

    /// `${`/`${~`/`%{`/`%{~` at the current position, if any: (type, length).
    fn template_seq(&self) -> Option<(T, usize)> {
        let s = self.s;
        let p = self.p;
        let ty = match (s.get(p), s.get(p + 1)) {
            (Some(b'$'), Some(b'{')) => T::TemplateInterp,
            (Some(b'%'), Some(b'{')) => T::TemplateControl,
            _ => return None,
        };
        Some((ty, if s.get(p + 2) == Some(&b'~') { 3 } else { 2 }))
    }

    /// `TemplateNotInterp | TemplateNotControl`: `$` or `%` not starting a sequence (one
    /// byte), or the escapes `$${` and `%%{` (three); `None` at the end of input.
    fn template_not_seq(&self) -> Option<usize> {
        let s = self.s;
        let p = self.p;
        let c = s[p];
        match s.get(p + 1) {
            None => None,
            Some(b'{') => None,
            Some(&d) if d == c && s.get(p + 2) == Some(&b'{') => Some(3),
            Some(_) => Some(1),
        }
    }

    fn main(&mut self) {
        let s = self.s;
        let p = self.p;
        let c = s[p];
        let two = |a: u8, b: u8| c == a && s.get(p + 1) == Some(&b);
        // Spaces.
        if c == b' ' || c == b'\t' {
            let mut j = p;
            while j < s.len() && (s[j] == b' ' || s[j] == b'\t') {
                j += 1;
            }
            self.p = j;
            return;
        }
        if c.is_ascii_digit() {
            let n = number_len(s, p);
            self.emit(T::NumberLit, p, p + n);
            self.p += n;
            return;
        }
        let il = ident_len(s, p);
        if il > 0 {
            self.emit(T::Ident, p, p + il);
            self.p += il;
            return;
        }
        // Comments: `#` and `//` to the end of the line (newline included), `/* … */`.
        if c == b'#' || two(b'/', b'/') {
            let mut j = p;
            while j < s.len() && s[j] != b'\n' {
                j += 1;
            }
            if j < s.len() {
                j += 1;
            }
            self.emit(T::Comment, p, j);
            self.p = j;
            return;
        }
        if two(b'/', b'*')
            && let Some(end) = s[p + 2..].windows(2).position(|w| w == b"*/")
        {
            let j = p + 2 + end + 2;
            self.emit(T::Comment, p, j);
            self.p = j;
            return;
        }
        if c == b'\n' || two(b'\r', b'\n') {
            let n = if c == b'\n' { 1 } else { 2 };
            self.emit(T::Newline, p, p + n);
            self.p += n;
            return;
        }
        // Heredoc introducer: `<<` `-`? Ident Newline.
        if two(b'<', b'<') {
            let dash = usize::from(s.get(p + 2) == Some(&b'-'));
            let id = ident_len(s, p + 2 + dash);
            if id > 0 {
                let after = p + 2 + dash + id;
                let nl = match (s.get(after), s.get(after + 1)) {
                    (Some(b'\n'), _) => Some(1),
                    (Some(b'\r'), Some(b'\n')) => Some(2),
                    _ => None,
                };
                if let Some(nl) = nl {
                    let end = after + nl;
                    self.emit(T::OHeredoc, p, end);
                    self.heredocs.push(Heredoc { marker: s[p + 2 + dash..after].to_vec(), start_of_line: true });
                    self.p = end;
                    self.stack.push(Mode::Heredoc);
                    return;
                }
            }
        }
        let ops: [(&[u8], T); 9] = [
            (b"...", T::Ellipsis),
            (b"==", T::EqualOp),
            (b"!=", T::NotEqual),
            (b">=", T::GreaterThanEq),
            (b"<=", T::LessThanEq),
            (b"&&", T::And),
            (b"||", T::Or),
            (b"::", T::DoubleColon),
            (b"=>", T::FatArrow),
        ];
        for (text, ty) in ops {
            if s[p..].starts_with(text) {
                self.emit(ty, p, p + text.len());
                self.p += text.len();
                return;
            }
        }
        if two(b'~', b'}') {
            self.close_brace(p, 2);
            return;
        }
        let single = match c {
            b'[' => Some(T::OBrack),
            b']' => Some(T::CBrack),
            b'(' => Some(T::OParen),
            b')' => Some(T::CParen),
            b'.' => Some(T::Dot),
            b',' => Some(T::Comma),
            b'*' => Some(T::Star),
            b'/' => Some(T::Slash),
            b'%' => Some(T::Percent),
            b'+' => Some(T::Plus),
            b'-' => Some(T::Minus),
            b'=' => Some(T::Equal),
            b'<' => Some(T::LessThan),
            b'>' => Some(T::GreaterThan),
            b'!' => Some(T::Bang),
            b'?' => Some(T::Question),
            b':' => Some(T::Colon),
            b'&' => Some(T::BitwiseAnd),
            b'|' => Some(T::BitwiseOr),
            b'~' => Some(T::BitwiseNot),
            b'^' => Some(T::BitwiseXor),
            b';' => Some(T::Semicolon),
            b'`' => Some(T::Backtick),
            b'\'' => Some(T::Apostrophe),
            _ => None,
        };
        if let Some(ty) = single {
            self.emit(ty, p, p + 1);
            self.p += 1;
            return;
        }
        match c {
            b'{' => {
                self.emit(T::OBrace, p, p + 1);
                self.braces += 1;
                self.p += 1;
            }
            b'}' => self.close_brace(p, 1),
            b'"' => {
                self.emit(T::OQuote, p, p + 1);
                self.p += 1;
                self.stack.push(Mode::Quoted);
            }
            _ => self.invalid_char(),
        }
    }

    fn invalid_char(&mut self) {
        let p = self.p;
        match utf8_len(self.s, p) {
            Some(n) => {
                self.emit(T::Invalid, p, p + n);
                self.p += n;
            }
            None => {
                self.emit(T::BadUtf8, p, p + 1);
                self.p += 1;
            }
        }
    }

    /// `}` or `~}`: the end of a template sequence when the brace level says so, else a
    /// plain closing brace (`~}` is always a sequence end, for the parser to report).
    fn close_brace(&mut self, p: usize, len: usize) {
        self.p += len;
        if self.ret_braces.last() == Some(&self.braces) {
            self.emit(T::TemplateSeqEnd, p, p + len);
            self.braces -= 1;
            self.ret_braces.pop();
            if self.stack.len() > 1 {
                self.stack.pop();
            }
        } else if len == 2 {
            self.emit(T::TemplateSeqEnd, p, p + len);
            self.braces -= 1;
        } else {
            self.emit(T::CBrace, p, p + len);
            self.braces -= 1;
        }
    }

    fn quoted(&mut self) {
        let s = self.s;
        let p = self.p;
        if let Some((ty, n)) = self.template_seq() {
            self.begin_seq(ty, n);
            return;
        }
        let c = s[p];
        if c == b'"' {
            self.emit(T::CQuote, p, p + 1);
            self.p += 1;
            self.stack.pop();
            return;
        }
        if c == b'$' || c == b'%' {
            match self.template_not_seq() {
                Some(n) => {
                    self.emit(T::QuotedLit, p, p + n);
                    self.p += n;
                }
                None => self.invalid_char(),
            }
            return;
        }
        if c == b'\r' || c == b'\n' {
            let mut j = p;
            while j < s.len() && (s[j] == b'\r' || s[j] == b'\n') {
                j += 1;
            }
            self.emit(T::QuotedNewline, p, j);
            self.p = j;
            return;
        }
        // A run of plain characters and backslash escapes.
        let mut j = p;
        while j < s.len() {
            let b = s[j];
            if b == b'\\' {
                match s.get(j + 1) {
                    Some(b'\r' | b'\n') | None => break,
                    Some(_) => match utf8_len(s, j + 1) {
                        Some(n) => j += 1 + n,
                        None => break,
                    },
                }
            } else if matches!(b, b'$' | b'%' | b'"' | b'\r' | b'\n') {
                break;
            } else {
                match utf8_len(s, j) {
                    Some(n) => j += n,
                    None => break,
                }
            }
        }
        if j > p {
            self.emit(T::QuotedLit, p, j);
            self.p = j;
        } else {
            self.invalid_char();
        }
    }

    /// The end of a run of literal characters (no `$`, `%` or line ending) from `i`.
    fn literal_run(&self, i: usize) -> usize {
        let s = self.s;
        let mut j = i;
        while j < s.len() && !matches!(s[j], b'$' | b'%' | b'\r' | b'\n') {
            match utf8_len(s, j) {
                Some(n) => j += n,
                None => break,
            }
        }
        j
    }

    fn eol_len(&self, i: usize) -> Option<usize> {
        match (self.s.get(i), self.s.get(i + 1)) {
            (Some(b'\n'), _) => Some(1),
            (Some(b'\r'), Some(b'\n')) => Some(2),
            _ => None,
        }
    }

    fn heredoc(&mut self) {
        let s = self.s;
        let p = self.p;
        if let Some((ty, n)) = self.template_seq() {
            self.begin_seq(ty, n);
            return;
        }
        if utf8_len(s, p).is_none() {
            self.emit(T::BadUtf8, p, p + 1);
            self.p += 1;
            return;
        }
        let lit_end = if s[p] == b'$' || s[p] == b'%' {
            match self.template_not_seq() {
                Some(n) => p + n,
                None => {
                    self.invalid_char();
                    return;
                }
            }
        } else {
            self.literal_run(p)
        };
        if let Some(nl) = self.eol_len(lit_end) {
            let te = lit_end + nl;
            let top = self.heredocs.last_mut().expect("in a heredoc");
            if top.start_of_line && trim_ascii_space(&s[p..te]) == top.marker.as_slice() {
                // The closing marker, then the newline after it as a token of its own.
                self.emit(T::CHeredoc, p, lit_end);
                self.emit(T::Newline, lit_end, te);
                self.heredocs.pop();
                self.stack.pop();
                self.p = te;
                return;
            }
            top.start_of_line = true;
            self.emit(T::StringLit, p, te);
            self.p = te;
            return;
        }
        if lit_end == p {
            // A lone carriage return: nothing in a heredoc matches it.
            self.invalid_char();
            return;
        }
        if let Some(h) = self.heredocs.last_mut() {
            h.start_of_line = false;
        }
        self.emit(T::StringLit, p, lit_end);
        self.p = lit_end;
    }

    fn bare(&mut self) {
        let s = self.s;
        let p = self.p;
        if let Some((ty, n)) = self.template_seq() {
            self.begin_seq(ty, n);
            return;
        }
        if utf8_len(s, p).is_none() {
            self.emit(T::BadUtf8, p, p + 1);
            self.p += 1;
            return;
        }
        let lit_end = if s[p] == b'$' || s[p] == b'%' {
            // A straggling `$` or `%` at the very end is literal text.
            self.template_not_seq().map_or(s.len(), |n| p + n)
        } else {
            self.literal_run(p)
        };
        let mut end = lit_end;
        if let Some(nl) = self.eol_len(lit_end) {
            end += nl;
        } else if lit_end == p && s.get(p) == Some(&b'\r') {
            end += 1;
        }
        self.emit(T::StringLit, p, end);
        self.p = end;
    }
}

fn trim_ascii_space(b: &[u8]) -> &[u8] {
    let is_space = |c: &u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
    let start = b.iter().position(|c| !is_space(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !is_space(c)).map_or(start, |e| e + 1);
    &b[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types(src: &str) -> Vec<T> {
        scan(src.as_bytes(), ScanMode::Normal).into_iter().map(|t| t.ty).collect()
    }

    #[test]
    fn identifiers_are_id_start_then_id_continue_or_dashes_ascii_or_not() {
        for (src, len) in [
            ("abc", 3),
            ("a-b_c1 = 2", 6),
            ("_x", 2),
            ("1abc", 0),
            ("-a", 0),
            ("=", 0),
            ("\u{e9}t\u{e9}-2", 7),
            ("a\u{e9}", 3),
            ("\u{b7}a", 0),
            ("a\u{b7}b", 4),
            ("x\u{2028}", 1),
        ] {
            assert_eq!(ident_len(src.as_bytes(), 0), len, "{src:?}");
        }
        assert_eq!(ident_len(b"a = bc", 4), 2);
    }

    #[test]
    fn expressions_and_strings() {
        assert_eq!(
            types("a = \"x${b}y\"\n"),
            [
                T::Ident,
                T::Equal,
                T::OQuote,
                T::QuotedLit,
                T::TemplateInterp,
                T::Ident,
                T::TemplateSeqEnd,
                T::QuotedLit,
                T::CQuote,
                T::Newline,
                T::Eof
            ]
        );
        assert_eq!(types("1.5e3 1. x"), [T::NumberLit, T::NumberLit, T::Dot, T::Ident, T::Eof]);
        assert_eq!(types("\"$${a}\""), [T::OQuote, T::QuotedLit, T::QuotedLit, T::CQuote, T::Eof]);
    }

    #[test]
    fn heredocs_close_on_an_indented_marker() {
        let toks = types("x = <<EOT\nhello\n  EOT\n");
        assert_eq!(toks, [T::Ident, T::Equal, T::OHeredoc, T::StringLit, T::CHeredoc, T::Newline, T::Eof]);
    }

    #[test]
    fn comments_keep_their_newline() {
        let toks = scan(b"# hi\nx", ScanMode::Normal);
        assert_eq!(toks[0].ty, T::Comment);
        assert_eq!(toks[0].span, 0..5);
    }
}
