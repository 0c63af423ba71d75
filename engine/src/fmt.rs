//! `terrane fmt`: rewrites HCL source into the canonical layout `terraform fmt` produces.
//!
//! Terraform formats with `hclwrite`, which is token based rather than AST based: the source is
//! split into the tokens HCL's scanner produces (the token stream is reproduced here by a small
//! scanner that follows `hclsyntax/scan_tokens.rl`), every line is re-indented by its bracket
//! nesting, the spaces between the tokens of a line are decided by a fixed table of rules
//! (`space_after`), and the `=` of consecutive single-line attributes and the trailing
//! comments of consecutive lines are aligned into columns. Only the whitespace between tokens
//! changes in that pass: comments, string contents and heredoc bodies keep their bytes.
//!
//! Before that pass `terraform fmt` makes a few token rewrites of its own, reproduced by
//! `Rewriter`:
//! - an attribute value that is a lone interpolation, `"${expr}"`, becomes `expr` (wrapped in
//!   parentheses when it spans lines);
//! - in a top-level `variable` block, `type = "string"` / `"list"` / `"map"` become `string` /
//!   `list(string)` / `map(string)`, and a bare `list` / `map` / `set` becomes `list(any)` etc.;
//! - block labels are rewritten in their quoted form (`resource aws_vpc main` becomes
//!   `resource "aws_vpc" "main"`), re-escaped, and comments before or between them are dropped.
//!
//! Input that does not parse is rejected with the parser's position instead of being formatted.

use std::fmt;

use unicode_segmentation::UnicodeSegmentation;

/// Why a source could not be formatted: it is not valid HCL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FmtError {
    pub message: String,
    /// One-based line of the problem.
    pub line: usize,
    /// One-based column of the problem.
    pub column: usize,
}

impl fmt::Display for FmtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for FmtError {}

/// Formats HCL source the way `terraform fmt` does. Errors if the source does not parse.
///
/// The result is byte for byte what `terraform fmt` writes into a file. `terraform fmt -`
/// (standard input to standard output) prints that same text except that it always ends the
/// output with a newline; [`format_for_stdout`] reproduces that variant.
pub fn format_source(src: &str) -> Result<String, FmtError> {
    let (bom, src) = match src.strip_prefix('\u{feff}') {
        Some(rest) => ('\u{feff}'.len_utf8(), rest),
        None => (0, src),
    };
    let (mut tokens, unterminated_heredoc) = lex(src, bom);
    if unterminated_heredoc {
        // Terraform reports this at the end of the input ("Unterminated template string").
        let line = src.matches('\n').count() + 1;
        let column = src.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        let message = "unterminated template string: no closing marker was found for the heredoc".to_string();
        return Err(FmtError { message, line, column });
    }
    validate(src, &tokens, bom)?;
    check_nested_splat(src, &tokens, bom)?;
    if let Some(edits) = Rewriter::new(&tokens).run() {
        apply_edits(&mut tokens, edits);
    }
    format_tokens(&mut tokens);
    let mut out = String::with_capacity(src.len() + src.len() / 8);
    for t in &tokens {
        out.extend(std::iter::repeat_n(' ', t.spaces));
        out.push_str(&t.text);
    }
    Ok(out)
}

/// [`format_source`] as `terraform fmt -` prints it: the output always ends with a newline
/// (Terraform's UI writer drops one trailing newline and then prints the text as a line).
pub fn format_for_stdout(src: &str) -> Result<String, FmtError> {
    let mut out = format_source(src)?;
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Validation

/// Rejects input that does not parse, using `hcl-edit`'s parser.
///
/// `hcl-edit` and Terraform's `hclsyntax` disagree on a few inputs that Terraform formats, so
/// the parser is handed a patched copy of the source (errors are mapped back to the original):
/// - a line comment runs to the next `\n` in `hclsyntax`, past a lone `\r`; `hcl-edit` stops
///   there, so lone carriage returns in comments become spaces;
/// - `hcl-edit` reads past the closing marker of an empty heredoc (`<<EOT\nEOT`) when the same
///   marker appears later on, so empty heredocs get an empty line;
/// - in an object constructor, `hcl-edit` can read an item's value on into the next line when
///   that line's key starts with `(` or `[` (`a = f(x) + y` then `(k) = 1` becomes a call `y(k)`),
///   so such items get an explicit `,` separator;
/// - `hcl-edit` rejects an object constructor repeating a key, which `hclsyntax` parses (the
///   duplicate is only an error when evaluated), so a repeated key is renamed and parsing retried.
fn validate(src: &str, tokens: &[Token], bom: usize) -> Result<(), FmtError> {
    let mut patches = initial_patches(tokens, bom);
    let mut renamed = 0;
    loop {
        let text = apply_patches(src, &patches);
        let err = match hcl_edit::parser::parse_body(&text) {
            Ok(_) => return Ok(()),
            Err(e) => e,
        };
        let mut offset = err.location().offset().min(text.len());
        let line_start = text.as_bytes()[..offset].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        if offset + 1 >= text.len() && err.location().column() > offset - line_start + 1 {
            // hcl-edit clamps an error at the very end of the input to the last byte.
            offset = text.len();
        }
        if err.message().contains("redefined object key")
            && renamed < 10_000
            && let Some((start, end)) = object_key_range(&text, offset)
        {
            let (start, end) = (original_offset(&patches, start), original_offset(&patches, end));
            if start < end && !patches.iter().any(|p| p.start < end && start < p.end) {
                renamed += 1;
                patches.push(Patch { start, end, text: format!("terrane_fmt_renamed_key_{renamed}") });
                patches.sort_by_key(|p| p.start);
                continue;
            }
        }
        let offset = original_offset(&patches, offset).min(src.len());
        let message = err.message().trim();
        let message = if message.is_empty() { "invalid HCL syntax".to_string() } else { message.to_string() };
        let (line, column) = line_column(src, offset);
        return Err(FmtError { message, line, column });
    }
}

/// `hclsyntax` rejects an attribute-only splat inside another one (`a.*.b.*`); `hcl-edit`
/// does not.
fn check_nested_splat(src: &str, tokens: &[Token], bom: usize) -> Result<(), FmtError> {
    let is_splat = |i: usize| tokens[i].ty == Ty::Dot && tokens.get(i + 1).is_some_and(|t| t.ty == Ty::Star);
    let mut i = 0;
    while i + 1 < tokens.len() {
        if !is_splat(i) {
            i += 1;
            continue;
        }
        let mut j = i + 2;
        while j + 1 < tokens.len() && tokens[j].ty == Ty::Dot && tokens[j + 1].ty == Ty::Ident {
            j += 2;
        }
        if j + 1 < tokens.len() && is_splat(j) {
            let offset = token_offsets(tokens, bom)[j];
            let (line, column) = line_column(src, offset);
            let message = "nested splat expression not allowed: a splat expression (*) cannot be used inside \
                           another attribute-only splat expression"
                .to_string();
            return Err(FmtError { message, line, column });
        }
        i = j;
    }
    Ok(())
}

/// The byte offset of each token in the source without its byte order mark.
fn token_offsets(tokens: &[Token], bom: usize) -> Vec<usize> {
    let mut offsets = Vec::with_capacity(tokens.len());
    let mut pos = 0;
    for (i, t) in tokens.iter().enumerate() {
        pos += if i == 0 { t.spaces.saturating_sub(bom) } else { t.spaces };
        offsets.push(pos);
        pos += t.text.len();
    }
    offsets
}

/// One-based line and column (in characters) of a byte offset.
fn line_column(src: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &src[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (before.matches('\n').count() + 1, before[line_start..].chars().count() + 1)
}

/// Replaces `start..end` of the original text by `text`.
struct Patch {
    start: usize,
    end: usize,
    text: String,
}

fn initial_patches(tokens: &[Token], bom: usize) -> Vec<Patch> {
    #[derive(PartialEq)]
    enum Nest {
        Body { in_expr: bool },
        Object,
        Other,
    }
    let mut patches = Vec::new();
    let mut nest = vec![Nest::Body { in_expr: false }];
    // End offset and type of the last token that is neither a comment nor a newline.
    let mut last_sig: Option<(usize, Ty)> = None;
    for ((i, t), pos) in tokens.iter().enumerate().zip(token_offsets(tokens, bom)) {
        match (nest.last_mut(), t.ty) {
            (Some(Nest::Body { in_expr }), Ty::Equal) => *in_expr = true,
            (Some(Nest::Body { in_expr }), _) if t.is_newline() => *in_expr = false,
            (Some(Nest::Object), _) if t.is_newline() => {
                let next = tokens[i + 1..].iter().find(|n| !matches!(n.ty, Ty::Newline | Ty::Comment));
                if let (Some(next), Some((end, prev))) = (next, last_sig)
                    && matches!(next.ty, Ty::OParen | Ty::OBrack)
                    && !matches!(prev, Ty::OBrace | Ty::Comma)
                {
                    patches.push(Patch { start: end, end, text: ",".into() });
                }
            }
            _ => {}
        }
        if t.ty == Ty::OBrace {
            let block = matches!(nest.last(), Some(Nest::Body { in_expr: false }));
            nest.push(if block { Nest::Body { in_expr: false } } else { Nest::Object });
        } else if t.bracket_change() > 0 {
            nest.push(Nest::Other);
        } else if t.bracket_change() < 0 && nest.len() > 1 {
            nest.pop();
        }
        if !matches!(t.ty, Ty::Newline | Ty::Comment) {
            last_sig = Some((pos + t.text.len(), t.ty));
        }
        match t.ty {
            Ty::Comment => {
                let bytes = t.text.as_bytes();
                for (j, b) in bytes.iter().enumerate() {
                    if *b == b'\r' && bytes.get(j + 1) != Some(&b'\n') {
                        patches.push(Patch { start: pos + j, end: pos + j + 1, text: " ".into() });
                    }
                }
            }
            Ty::CHeredoc if i > 0 && tokens[i - 1].ty == Ty::OHeredoc => {
                patches.push(Patch { start: pos, end: pos, text: "\n".into() });
            }
            _ => {}
        }
    }
    patches.sort_by_key(|p| p.start);
    patches
}

fn apply_patches(src: &str, patches: &[Patch]) -> String {
    let mut out = String::with_capacity(src.len() + patches.len() * 16);
    let mut at = 0;
    for p in patches {
        out.push_str(&src[at..p.start]);
        out.push_str(&p.text);
        at = p.end;
    }
    out.push_str(&src[at..]);
    out
}

/// Maps an offset in the patched text back to the original text.
fn original_offset(patches: &[Patch], offset: usize) -> usize {
    let mut shift: isize = 0; // original minus patched, before the current patch
    for p in patches {
        let patched_start = (p.start as isize - shift) as usize;
        if offset < patched_start {
            break;
        }
        if offset < patched_start + p.text.len() {
            return p.start;
        }
        shift += (p.end - p.start) as isize - p.text.len() as isize;
    }
    (offset as isize + shift).max(0) as usize
}

/// The byte range of the object key starting at `offset` of `text`.
fn object_key_range(text: &str, offset: usize) -> Option<(usize, usize)> {
    let (tokens, _) = lex(text, 0);
    let starts = token_offsets(&tokens, 0);
    let first = starts.iter().position(|&s| s == offset)?;
    let mut depth = 0;
    for (i, t) in tokens.iter().enumerate().skip(first) {
        match t.ty {
            Ty::Eof => return None,
            Ty::OQuote => depth += 1,
            Ty::CQuote => depth -= 1,
            _ => depth += t.bracket_change(),
        }
        if depth <= 0 {
            return Some((offset, starts[i] + t.text.len()));
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Tokens

/// Token types of `hclsyntax`, as far as the formatter distinguishes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Nil,
    Eof,
    Newline,
    Comment,
    Ident,
    Number,
    OQuote,
    CQuote,
    QuotedLit,
    QuotedNewline,
    OHeredoc,
    CHeredoc,
    StringLit,
    TemplateInterp,
    TemplateControl,
    TemplateSeqEnd,
    OBrace,
    CBrace,
    OBrack,
    CBrack,
    OParen,
    CParen,
    Dot,
    Comma,
    Star,
    Slash,
    Percent,
    Plus,
    Minus,
    Equal,
    Lt,
    Gt,
    Bang,
    Question,
    Colon,
    EqualOp,
    NotEqual,
    GreaterThanEq,
    LessThanEq,
    And,
    Or,
    DoubleColon,
    Ellipsis,
    FatArrow,
    /// `&`, `|`, `~`, `^`, `;`, `` ` ``, `'` and characters HCL has no use for.
    Other,
}

#[derive(Debug, Clone)]
struct Token {
    ty: Ty,
    text: String,
    /// Spaces written before the token.
    spaces: usize,
}

impl Token {
    fn new(ty: Ty, text: &str) -> Token {
        Token { ty, text: text.to_string(), spaces: 0 }
    }

    fn is_newline(&self) -> bool {
        // Single-line comments consume their terminating newline.
        self.ty == Ty::Newline || (self.ty == Ty::Comment && self.text.ends_with('\n'))
    }

    fn bracket_change(&self) -> i32 {
        match self.ty {
            Ty::OBrace | Ty::OBrack | Ty::OParen | Ty::TemplateControl | Ty::TemplateInterp => 1,
            Ty::CBrace | Ty::CBrack | Ty::CParen | Ty::TemplateSeqEnd => -1,
            _ => 0,
        }
    }

    fn columns(&self) -> usize {
        self.spaces + self.text.graphemes(true).count()
    }
}

const NIL: Token = Token { ty: Ty::Nil, text: String::new(), spaces: 0 };

// ---------------------------------------------------------------------------------------------
// Scanner (hclsyntax/scan_tokens.rl)

enum Mode {
    Main,
    Quoted,
    Heredoc { marker: String, start_of_line: bool },
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    last_end: usize,
    tokens: Vec<Token>,
    modes: Vec<Mode>,
    braces: i64,
    ret_braces: Vec<i64>,
}

/// Splits `src` (without its byte order mark, whose length is `bom`) into tokens, ending with
/// an EOF token. Also tells whether the input ends inside a heredoc.
fn lex(src: &str, bom: usize) -> (Vec<Token>, bool) {
    let mut lx = Lexer {
        src,
        pos: 0,
        last_end: 0,
        tokens: Vec::new(),
        modes: vec![Mode::Main],
        braces: 0,
        ret_braces: Vec::new(),
    };
    while lx.pos < src.len() {
        match lx.modes.last() {
            Some(Mode::Quoted) => lx.quoted(),
            Some(Mode::Heredoc { .. }) => lx.heredoc(),
            _ => lx.main(),
        }
    }
    let unterminated = lx.modes.iter().any(|m| matches!(m, Mode::Heredoc { .. }));
    let spaces = src.len() - lx.last_end;
    lx.tokens.push(Token { ty: Ty::Eof, text: String::new(), spaces });
    if let Some(first) = lx.tokens.first_mut() {
        // hclwrite measures the first token's leading space from the start of the file,
        // byte order mark included.
        first.spaces += bom;
    }
    (lx.tokens, unterminated)
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_ident_continue(c: char) -> bool {
    c == '_' || c == '-' || c.is_alphanumeric() || is_mark(c)
}

fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036f}' | '\u{1ab0}'..='\u{1aff}' | '\u{1dc0}'..='\u{1dff}' | '\u{20d0}'..='\u{20ff}' | '\u{fe20}'..='\u{fe2f}')
}

impl Lexer<'_> {
    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    fn emit(&mut self, ty: Ty, start: usize, end: usize) {
        let spaces = start - self.last_end;
        self.tokens.push(Token { ty, text: self.src[start..end].to_string(), spaces });
        self.last_end = end;
        self.pos = end;
    }

    fn emit_len(&mut self, ty: Ty, len: usize) {
        let start = self.pos;
        self.emit(ty, start, start + len);
    }

    fn begin_template_seq(&mut self, ty: Ty) {
        let len = if self.rest()[2..].starts_with('~') { 3 } else { 2 };
        self.emit_len(ty, len);
        self.braces += 1;
        self.ret_braces.push(self.braces);
        if let Some(Mode::Heredoc { start_of_line, .. }) = self.modes.last_mut() {
            *start_of_line = false;
        }
        self.modes.push(Mode::Main);
    }

    fn main(&mut self) {
        let rest = self.rest();
        let bytes = rest.as_bytes();
        let c = rest.chars().next().unwrap_or('\0');
        let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
        if rest.starts_with("<<")
            && let Some((len, marker)) = heredoc_intro(rest)
        {
            self.emit_len(Ty::OHeredoc, len);
            self.modes.push(Mode::Heredoc { marker, start_of_line: true });
            return;
        }
        match bytes[0] {
            // Whitespace is not a token: the next token's `spaces` counts it.
            b' ' | b'\t' => self.pos += 1,
            b'\n' => self.emit_len(Ty::Newline, 1),
            b'\r' if at(1) == b'\n' => self.emit_len(Ty::Newline, 2),
            b'0'..=b'9' => {
                let len = number_len(bytes);
                self.emit_len(Ty::Number, len);
            }
            b'#' => self.line_comment(),
            b'/' if at(1) == b'/' => self.line_comment(),
            b'/' if at(1) == b'*' => match rest[2..].find("*/") {
                Some(i) => self.emit_len(Ty::Comment, i + 4),
                None => self.emit_len(Ty::Slash, 1),
            },
            b'=' if at(1) == b'=' => self.emit_len(Ty::EqualOp, 2),
            b'=' if at(1) == b'>' => self.emit_len(Ty::FatArrow, 2),
            b'!' if at(1) == b'=' => self.emit_len(Ty::NotEqual, 2),
            b'>' if at(1) == b'=' => self.emit_len(Ty::GreaterThanEq, 2),
            b'<' if at(1) == b'=' => self.emit_len(Ty::LessThanEq, 2),
            b'&' if at(1) == b'&' => self.emit_len(Ty::And, 2),
            b'|' if at(1) == b'|' => self.emit_len(Ty::Or, 2),
            b':' if at(1) == b':' => self.emit_len(Ty::DoubleColon, 2),
            b'.' if at(1) == b'.' && at(2) == b'.' => self.emit_len(Ty::Ellipsis, 3),
            b'{' => {
                self.emit_len(Ty::OBrace, 1);
                self.braces += 1;
            }
            b'}' => self.close_brace(1, false),
            b'~' if at(1) == b'}' => self.close_brace(2, true),
            b'"' => {
                self.emit_len(Ty::OQuote, 1);
                self.modes.push(Mode::Quoted);
            }
            b'[' => self.emit_len(Ty::OBrack, 1),
            b']' => self.emit_len(Ty::CBrack, 1),
            b'(' => self.emit_len(Ty::OParen, 1),
            b')' => self.emit_len(Ty::CParen, 1),
            b'.' => self.emit_len(Ty::Dot, 1),
            b',' => self.emit_len(Ty::Comma, 1),
            b'*' => self.emit_len(Ty::Star, 1),
            b'/' => self.emit_len(Ty::Slash, 1),
            b'%' => self.emit_len(Ty::Percent, 1),
            b'+' => self.emit_len(Ty::Plus, 1),
            b'-' => self.emit_len(Ty::Minus, 1),
            b'=' => self.emit_len(Ty::Equal, 1),
            b'<' => self.emit_len(Ty::Lt, 1),
            b'>' => self.emit_len(Ty::Gt, 1),
            b'!' => self.emit_len(Ty::Bang, 1),
            b'?' => self.emit_len(Ty::Question, 1),
            b':' => self.emit_len(Ty::Colon, 1),
            _ if is_ident_start(c) => {
                let len = c.len_utf8()
                    + rest[c.len_utf8()..]
                        .chars()
                        .take_while(|&c| is_ident_continue(c))
                        .map(char::len_utf8)
                        .sum::<usize>();
                self.emit_len(Ty::Ident, len);
            }
            _ => self.emit_len(Ty::Other, c.len_utf8()),
        }
    }

    fn line_comment(&mut self) {
        let len = self.rest().find('\n').map_or(self.rest().len(), |i| i + 1);
        self.emit_len(Ty::Comment, len);
    }

    fn close_brace(&mut self, len: usize, tilde: bool) {
        if self.ret_braces.last() == Some(&self.braces) {
            self.emit_len(Ty::TemplateSeqEnd, len);
            self.braces -= 1;
            self.ret_braces.pop();
            self.modes.pop();
        } else {
            self.emit_len(if tilde { Ty::TemplateSeqEnd } else { Ty::CBrace }, len);
            self.braces -= 1;
        }
    }

    fn quoted(&mut self) {
        let rest = self.rest();
        let bytes = rest.as_bytes();
        if rest.starts_with("${") {
            return self.begin_template_seq(Ty::TemplateInterp);
        }
        if rest.starts_with("%{") {
            return self.begin_template_seq(Ty::TemplateControl);
        }
        match bytes[0] {
            b'"' => {
                self.emit_len(Ty::CQuote, 1);
                self.modes.pop();
            }
            b'\r' | b'\n' => {
                let len = bytes.iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
                self.emit_len(Ty::QuotedNewline, len);
            }
            b'$' | b'%' => {
                let len = escaped_introducer_len(rest);
                self.emit_len(Ty::QuotedLit, len);
            }
            _ => {
                let mut len = 0;
                let mut chars = rest.char_indices().peekable();
                while let Some((i, c)) = chars.next() {
                    match c {
                        '$' | '%' | '"' | '\r' | '\n' => break,
                        '\\' => match chars.peek() {
                            Some(&(_, n)) if n != '\r' && n != '\n' => {
                                chars.next();
                                len = i + 1 + n.len_utf8();
                            }
                            _ => break,
                        },
                        _ => len = i + c.len_utf8(),
                    }
                }
                if len == 0 {
                    let c = rest.chars().next().map_or(1, char::len_utf8);
                    self.emit_len(Ty::Other, c);
                } else {
                    self.emit_len(Ty::QuotedLit, len);
                }
            }
        }
    }

    fn heredoc(&mut self) {
        let rest = self.rest();
        if rest.starts_with("${") {
            return self.begin_template_seq(Ty::TemplateInterp);
        }
        if rest.starts_with("%{") {
            return self.begin_template_seq(Ty::TemplateControl);
        }
        if rest.starts_with('$') || rest.starts_with('%') {
            let len = escaped_introducer_len(rest);
            self.set_start_of_line(false);
            return self.emit_len(Ty::StringLit, len);
        }
        let stop = rest.find(['$', '%', '\n']).unwrap_or(rest.len());
        if rest[stop..].starts_with('\n') {
            let len = stop + 1;
            let line = &rest[..len];
            let (start_of_line, is_marker) = match self.modes.last() {
                Some(Mode::Heredoc { marker, start_of_line, .. }) => (*start_of_line, line.trim() == marker),
                _ => (false, false),
            };
            if start_of_line && is_marker {
                let nl = if line.ends_with("\r\n") { 2 } else { 1 };
                self.emit_len(Ty::CHeredoc, len - nl);
                self.emit_len(Ty::Newline, nl);
                self.modes.pop();
            } else {
                self.set_start_of_line(true);
                self.emit_len(Ty::StringLit, len);
            }
        } else {
            self.set_start_of_line(false);
            self.emit_len(Ty::StringLit, stop);
        }
    }

    fn set_start_of_line(&mut self, value: bool) {
        if let Some(Mode::Heredoc { start_of_line, .. }) = self.modes.last_mut() {
            *start_of_line = value;
        }
    }
}

/// Length of a literal starting with `$` or `%` in a template: the escapes `$${` / `%%{`
/// (with an optional `~`) are one literal token, a lone `$` or `%` is another.
fn escaped_introducer_len(rest: &str) -> usize {
    let b = rest.as_bytes();
    if b.len() >= 3 && b[1] == b[0] && b[2] == b'{' { if b.get(3) == Some(&b'~') { 4 } else { 3 } } else { 1 }
}

/// `NumberLit = digit ("" | (NumberLitContinue - '.') | (NumberLitContinue* (NumberLitContinue - '.')))`
/// with `NumberLitContinue = digit | '.' | ('e'|'E') ('+'|'-')? digit`.
fn number_len(b: &[u8]) -> usize {
    let mut i = 1;
    let mut end = 1;
    loop {
        match b.get(i) {
            Some(c) if c.is_ascii_digit() => {
                i += 1;
                end = i;
            }
            Some(b'.') => i += 1,
            Some(b'e' | b'E') => {
                let mut j = i + 1;
                if matches!(b.get(j), Some(b'+' | b'-')) {
                    j += 1;
                }
                if b.get(j).is_some_and(u8::is_ascii_digit) {
                    i = j + 1;
                    end = i;
                } else {
                    break;
                }
            }
            _ => break,
        }
    }
    end
}

/// `BeginHeredocTmpl = '<<' ('-')? Ident Newline`: the introducer's length and marker.
fn heredoc_intro(rest: &str) -> Option<(usize, String)> {
    let mut i = 2;
    if rest[i..].starts_with('-') {
        i += 1;
    }
    let first = rest[i..].chars().next()?;
    if !is_ident_start(first) {
        return None;
    }
    let ident_len = first.len_utf8()
        + rest[i + first.len_utf8()..].chars().take_while(|&c| is_ident_continue(c)).map(char::len_utf8).sum::<usize>();
    let marker = rest[i..i + ident_len].to_string();
    i += ident_len;
    if rest[i..].starts_with("\r\n") {
        Some((i + 2, marker))
    } else if rest[i..].starts_with('\n') {
        Some((i + 1, marker))
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------------
// Terraform's own rewrites (internal/command/fmt.go: formatBody)

struct Edit {
    start: usize,
    end: usize,
    tokens: Vec<Token>,
}

struct Rewriter<'t> {
    toks: &'t [Token],
    edits: Vec<Edit>,
}

impl<'t> Rewriter<'t> {
    fn new(toks: &'t [Token]) -> Self {
        Rewriter { toks, edits: Vec::new() }
    }

    /// The edits to make, or `None` when the structure is not understood (then nothing is
    /// rewritten and the source is only re-spaced).
    fn run(mut self) -> Option<Vec<Edit>> {
        let end = self.body(0, &[], false)?;
        (self.toks[end].ty == Ty::Eof).then_some(self.edits)
    }

    fn ty(&self, i: usize) -> Ty {
        self.toks.get(i).map_or(Ty::Eof, |t| t.ty)
    }

    fn skip_comments(&self, mut i: usize) -> usize {
        while self.ty(i) == Ty::Comment {
            i += 1;
        }
        i
    }

    fn skip_trivia(&self, mut i: usize) -> usize {
        while matches!(self.ty(i), Ty::Comment | Ty::Newline) {
            i += 1;
        }
        i
    }

    /// Walks the items of a body starting at `i`; returns the index of the token ending it
    /// (the block's `}`, or EOF).
    fn body(&mut self, mut i: usize, blocks: &[&str], nested: bool) -> Option<usize> {
        loop {
            i = self.skip_trivia(i);
            match self.ty(i) {
                Ty::Eof => return Some(i),
                Ty::CBrace if nested => return Some(i),
                Ty::Ident => {}
                _ => return None,
            }
            let name = i;
            let next = self.skip_comments(i + 1);
            if self.ty(next) == Ty::Equal {
                let start = self.skip_comments(next + 1);
                let (end, stop) = self.expr_end(start);
                let expr = &self.toks[start..end];
                let replacement = if blocks == ["variable"] && self.toks[name].text == "type" {
                    format_type_expr(expr)
                } else {
                    format_value_expr(expr)
                };
                if let Some(tokens) = replacement {
                    self.edits.push(Edit { start, end, tokens });
                }
                i = stop;
            } else {
                let mut labels = Vec::new();
                let mut k = next;
                let mut labels_end = name + 1;
                loop {
                    k = self.skip_comments(k);
                    match self.ty(k) {
                        Ty::Ident => {
                            labels.push(Some(self.toks[k].text.clone()));
                            k += 1;
                        }
                        Ty::OQuote => {
                            let close = (k + 1..self.toks.len()).find(|&j| self.ty(j) == Ty::CQuote)?;
                            labels.push(quoted_label_value(&self.toks[k + 1..close]));
                            k = close + 1;
                        }
                        Ty::OBrace => break,
                        _ => return None,
                    }
                    labels_end = k;
                }
                if !labels.is_empty() {
                    let mut tokens = Vec::new();
                    for label in labels.into_iter().flatten() {
                        tokens.push(Token::new(Ty::OQuote, "\""));
                        let escaped = escape_quoted_string_lit(&label);
                        if !escaped.is_empty() {
                            tokens.push(Token::new(Ty::QuotedLit, &escaped));
                        }
                        tokens.push(Token::new(Ty::CQuote, "\""));
                    }
                    self.edits.push(Edit { start: name + 1, end: labels_end, tokens });
                }
                let mut inner: Vec<&str> = blocks.to_vec();
                inner.push(&self.toks[name].text);
                let close = self.body(k + 1, &inner, true)?;
                if self.ty(close) != Ty::CBrace {
                    return None;
                }
                i = close + 1;
            }
        }
    }

    /// The end of the expression starting at `start` (trailing comments excluded) and the
    /// index of the token that ends the attribute (newline, line comment, `}` or EOF).
    fn expr_end(&self, start: usize) -> (usize, usize) {
        let mut depth = 0i32;
        let mut k = start;
        loop {
            let t = &self.toks[k];
            match t.ty {
                Ty::Eof => break,
                _ if depth == 0 && t.is_newline() => break,
                Ty::CBrace | Ty::CBrack | Ty::CParen | Ty::TemplateSeqEnd if depth == 0 => break,
                _ => depth += t.bracket_change(),
            }
            k += 1;
        }
        let mut end = k;
        while end > start && self.toks[end - 1].ty == Ty::Comment {
            end -= 1;
        }
        (end, k)
    }
}

/// `formatValueExpr`: unwraps `"${expr}"` into `expr`.
fn format_value_expr(tokens: &[Token]) -> Option<Vec<Token>> {
    let n = tokens.len();
    if n < 5
        || tokens[0].ty != Ty::OQuote
        || tokens[1].ty != Ty::TemplateInterp
        || tokens[n - 2].ty != Ty::TemplateSeqEnd
        || tokens[n - 1].ty != Ty::CQuote
    {
        return None;
    }
    let inside = &tokens[2..n - 2];
    let mut quotes = 0;
    for t in inside {
        match t.ty {
            Ty::OQuote => quotes += 1,
            Ty::CQuote => quotes -= 1,
            _ if quotes > 0 => {}
            Ty::TemplateInterp | Ty::TemplateSeqEnd | Ty::QuotedLit => return None,
            _ => {}
        }
    }
    let first = inside.iter().position(|t| t.ty != Ty::Newline).unwrap_or(inside.len());
    let last = inside.iter().rposition(|t| t.ty != Ty::Newline).map_or(first, |i| i + 1);
    let trimmed = &inside[first..last.max(first)];
    let multi_line = trimmed.iter().any(|t| t.ty == Ty::Newline);
    let parens =
        trimmed.first().is_some_and(|t| t.ty == Ty::OParen) && trimmed.last().is_some_and(|t| t.ty == Ty::CParen);
    let mut out = Vec::with_capacity(trimmed.len() + 2);
    if multi_line && !parens {
        out.push(Token::new(Ty::OParen, "("));
        out.extend(trimmed.iter().cloned());
        out.push(Token::new(Ty::CParen, ")"));
    } else {
        out.extend(trimmed.iter().cloned());
    }
    Some(out)
}

/// `formatTypeExpr`: normalises the type constraint of a `variable` block.
fn format_type_expr(tokens: &[Token]) -> Option<Vec<Token>> {
    let collection = |name: &str, elem: &str| {
        Some(vec![
            Token::new(Ty::Ident, name),
            Token::new(Ty::OParen, "("),
            Token::new(Ty::Ident, elem),
            Token::new(Ty::CParen, ")"),
        ])
    };
    match tokens {
        [kw] if kw.ty == Ty::Ident && matches!(kw.text.as_str(), "list" | "map" | "set") => collection(&kw.text, "any"),
        [o, s, c] if o.ty == Ty::OQuote && s.ty == Ty::QuotedLit && c.ty == Ty::CQuote => match s.text.as_str() {
            "string" => Some(vec![Token::new(Ty::Ident, "string")]),
            "list" => collection("list", "string"),
            "map" => collection("map", "string"),
            _ => None,
        },
        _ => None,
    }
}

/// The value of a quoted block label as hclwrite reads it back: only a label that is a single
/// literal token (or empty) is understood; any other label is lost when the labels are rewritten.
fn quoted_label_value(inner: &[Token]) -> Option<String> {
    match inner {
        [] => Some(String::new()),
        [lit] if lit.ty == Ty::QuotedLit => unescape_string_lit(&lit.text),
        _ => None,
    }
}

/// `hclsyntax.ParseStringLiteralToken` for a quoted literal; `None` where it reports an error.
fn unescape_string_lit(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            u @ ('u' | 'U') => {
                let digits = if u == 'u' { 4 } else { 8 };
                let hex: String = chars.by_ref().take(digits).collect();
                if hex.len() != digits || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                    return None;
                }
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
            }
            _ => return None,
        }
    }
    Some(out)
}

/// hclwrite's `escapeQuotedStringLit`.
fn escape_quoted_string_lit(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' | '%' => {
                out.push(c);
                if chars.peek() == Some(&'{') {
                    out.push(c);
                }
            }
            _ if !is_print(c) => {
                let n = c as u32;
                if n < 0x10000 {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// An approximation of Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols
/// and the ASCII space.
fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c,
        '\u{00ad}' | '\u{0600}'..='\u{0605}' | '\u{061c}' | '\u{06dd}' | '\u{070f}' | '\u{180e}'
        | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206f}'
        | '\u{feff}' | '\u{fff9}'..='\u{fffb}' | '\u{e000}'..='\u{f8ff}' | '\u{f0000}'..='\u{10ffff}'
        | '\u{e0001}' | '\u{e0020}'..='\u{e007f}')
}

fn apply_edits(tokens: &mut Vec<Token>, mut edits: Vec<Edit>) {
    edits.sort_by_key(|e| std::cmp::Reverse(e.start));
    for e in edits {
        tokens.splice(e.start..e.end, e.tokens);
    }
}

// ---------------------------------------------------------------------------------------------
// hclwrite/format.go

/// A line split into cells: `lead` (everything else), `assign` (from the `=` of a single-line
/// attribute on) and `comment` (a trailing line comment). Ranges index the token vector.
#[derive(Debug, Clone, Default)]
struct Line {
    lead: (usize, usize),
    assign: Option<(usize, usize)>,
    comment: Option<(usize, usize)>,
}

fn format_tokens(tokens: &mut [Token]) {
    let lines = lines_for_format(tokens);
    format_indent(tokens, &lines);
    format_spaces(tokens, &lines);
    format_cells(tokens, &lines);
}

fn lines_for_format(tokens: &[Token]) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        if t.ty == Ty::Eof {
            // The EOF token belongs to no line and ends the sequence.
            lines.push(Line { lead: (start, i), ..Line::default() });
            return split_cells(tokens, lines);
        }
        if t.is_newline() {
            lines.push(Line { lead: (start, i + 1), ..Line::default() });
            start = i + 1;
        }
    }
    lines.push(Line { lead: (start, tokens.len()), ..Line::default() });
    split_cells(tokens, lines)
}

/// Moves a trailing line comment into the "comment" cell and a single-line attribute's
/// `= value` into the "assign" cell.
fn split_cells(tokens: &[Token], mut lines: Vec<Line>) -> Vec<Line> {
    for line in &mut lines {
        let (s, mut e) = line.lead;
        if e - s > 1 && tokens[e - 1].ty == Ty::Comment {
            line.comment = Some((e - 1, e));
            e -= 1;
            line.lead = (s, e);
        }
        for i in s + 1..e {
            if tokens[i].ty == Ty::Equal {
                let net: i32 = tokens[i..e].iter().map(Token::bracket_change).sum();
                if net == 0 {
                    line.assign = Some((i, e));
                    line.lead = (s, i);
                }
                break;
            }
        }
    }
    lines
}

fn format_indent(tokens: &mut [Token], lines: &[Line]) {
    let mut indents: Vec<i32> = Vec::new();
    for line in lines {
        let (s, e) = line.lead;
        if s == e {
            continue;
        }
        if tokens[s].ty == Ty::Newline {
            tokens[s].spaces = 0;
            continue;
        }
        let mut net = 0;
        for t in &tokens[s..e] {
            net += t.bracket_change();
            if t.ty == Ty::OHeredoc {
                break;
            }
        }
        if let Some((a, b)) = line.assign {
            net += tokens[a..b].iter().map(Token::bracket_change).sum::<i32>();
        }
        if net > 0 {
            tokens[s].spaces = 2 * indents.len();
            indents.push(net);
        } else {
            if net < 0 {
                let mut closed = -net;
                while closed > 0 {
                    let Some(top) = indents.last_mut() else { break };
                    if closed > *top {
                        closed -= *top;
                        indents.pop();
                    } else if closed < *top {
                        *top -= closed;
                        closed = 0;
                    } else {
                        indents.pop();
                        closed = 0;
                    }
                }
            }
            tokens[s].spaces = 2 * indents.len();
        }
    }
}

fn format_spaces(tokens: &mut [Token], lines: &[Line]) {
    for line in lines {
        space_cell(tokens, line.lead, false);
        if let Some(assign) = line.assign {
            space_cell(tokens, assign, true);
        }
    }
}

fn space_cell(tokens: &mut [Token], (s, e): (usize, usize), assign: bool) {
    if assign && s < e {
        // The first token of an "assign" cell always has one space before it.
        tokens[s].spaces = 1;
    }
    for i in s..e {
        if i + 1 >= e {
            continue;
        }
        let space = {
            let before = if i > s { &tokens[i - 1] } else { &NIL };
            space_after(&tokens[i], before, &tokens[i + 1])
        };
        tokens[i + 1].spaces = usize::from(space);
    }
}

fn columns(tokens: &[Token], (s, e): (usize, usize)) -> usize {
    tokens[s..e].iter().map(Token::columns).sum()
}

fn format_cells(tokens: &mut [Token], lines: &[Line]) {
    // The "assign" cells first, since moving them also moves the "comment" cells.
    let mut chain_start: Option<usize> = None;
    let mut max = 0;
    let close_assign = |tokens: &mut [Token], from: usize, to: usize, max: usize| {
        for line in &lines[from..to] {
            let cols = columns(tokens, line.lead);
            if let Some((a, _)) = line.assign {
                tokens[a].spaces = max - cols + 1;
            }
        }
    };
    for (i, line) in lines.iter().enumerate() {
        if line.assign.is_none() {
            if let Some(start) = chain_start.take() {
                close_assign(tokens, start, i, max);
                max = 0;
            }
        } else {
            chain_start.get_or_insert(i);
            max = max.max(columns(tokens, line.lead));
        }
    }
    if let Some(start) = chain_start.take() {
        close_assign(tokens, start, lines.len(), max);
    }

    let width =
        |tokens: &[Token], line: &Line| columns(tokens, line.lead) + line.assign.map_or(0, |a| columns(tokens, a));
    let close_comment = |tokens: &mut [Token], from: usize, to: usize, max: usize| {
        for line in &lines[from..to] {
            let cols = width(tokens, line);
            if let Some((c, _)) = line.comment {
                tokens[c].spaces = max - cols + 1;
            }
        }
    };
    max = 0;
    for (i, line) in lines.iter().enumerate() {
        if line.comment.is_none() {
            if let Some(start) = chain_start.take() {
                close_comment(tokens, start, i, max);
                max = 0;
            }
        } else {
            chain_start.get_or_insert(i);
            max = max.max(width(tokens, line));
        }
    }
    if let Some(start) = chain_start.take() {
        close_comment(tokens, start, lines.len(), max);
    }
}

/// `spaceAfterToken`: whether `subject` is followed by a space, given its neighbours.
fn space_after(subject: &Token, before: &Token, after: &Token) -> bool {
    use Ty::*;
    let (s, a) = (subject.ty, after.ty);
    match () {
        _ if a == Newline || a == Nil => false,
        _ if s == Ident && a == OParen => false,
        _ if (s == Ident && a == DoubleColon) || (s == DoubleColon && a == Ident) => false,
        _ if s == Dot || a == Dot => false,
        _ if a == Comma || a == Ellipsis => false,
        _ if s == Comma => true,
        _ if matches!(s, QuotedLit | StringLit | OQuote | OHeredoc)
            || matches!(a, QuotedLit | StringLit | CQuote | CHeredoc) =>
        {
            false
        }
        _ if s == Ident && subject.text == "in" && before.ty == Ident => true,
        _ if a == OBrack && (s == Ident || s == Number || subject.bracket_change() < 0) => false,
        _ if s == Bang => false,
        _ if s == Minus => !matches!(
            before.ty,
            Nil | OParen
                | OBrace
                | OBrack
                | Equal
                | Colon
                | Comma
                | Question
                | Plus
                | Star
                | Slash
                | Percent
                | Minus
                | EqualOp
                | NotEqual
                | Gt
                | GreaterThanEq
                | Lt
                | LessThanEq
                | And
                | Or
                | Bang
        ),
        _ if s == OBrace || a == CBrace => !(s == OBrace && a == CBrace),
        _ if matches!(s, TemplateInterp | TemplateControl) && a == OBrace => true,
        _ if s == CBrace && a == TemplateSeqEnd => true,
        _ if s == TemplateSeqEnd && matches!(a, TemplateInterp | TemplateControl) => false,
        _ if subject.bracket_change() > 0 => false,
        _ if after.bracket_change() < 0 => false,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    /// Fixtures whose golden output we knowingly do not reproduce, with the reason.
    const KNOWN_DIFFERENCES: &[(&str, &str)] = &[];

    /// Fixtures whose golden output (Terraform's own) does not parse again, so it cannot be
    /// formatted a second time.
    const NOT_REFORMATTABLE: &[(&str, &str)] =
        &[("unwrap_multiline_parens_quirk", "terraform unwraps `\"${(a) +\\n(b)}\"` into invalid HCL")];

    fn fixture_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fmt")
    }

    fn fixtures() -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        let mut entries: Vec<_> = std::fs::read_dir(fixture_dir())
            .expect("fixture dir")
            .map(|e| e.expect("dir entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "tf"))
            .collect();
        entries.sort();
        for path in entries {
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            let input = std::fs::read_to_string(&path).expect("read fixture");
            let golden = std::fs::read_to_string(path.with_extension("tf.golden")).expect("read golden");
            out.push((name, input, golden));
        }
        out
    }

    #[test]
    fn fmt_fixtures_match_terraform() {
        let fixtures = fixtures();
        assert!(fixtures.len() >= 60, "expected at least 60 fixtures, found {}", fixtures.len());
        let mut failures = Vec::new();
        for (name, input, golden) in &fixtures {
            let known = KNOWN_DIFFERENCES.iter().any(|(n, _)| n == name);
            let got = format_source(input).unwrap_or_else(|e| panic!("{name}: {e}"));
            if got != *golden && !known {
                let diff = similar::TextDiff::from_lines(golden.as_str(), got.as_str())
                    .unified_diff()
                    .header("terraform", "terrane")
                    .to_string();
                failures.push(format!("{name}:\n{diff}"));
            }
            if got == *golden && known {
                failures.push(format!("{name} is listed in KNOWN_DIFFERENCES but now matches"));
            }
        }
        assert!(failures.is_empty(), "{} fixture(s) differ:\n{}", failures.len(), failures.join("\n"));
    }

    #[test]
    fn fmt_is_idempotent_on_golden_files() {
        for (name, _, golden) in fixtures() {
            if KNOWN_DIFFERENCES.iter().chain(NOT_REFORMATTABLE).any(|(n, _)| *n == name) {
                continue;
            }
            let again = format_source(&golden).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(again, golden, "{name}: formatting the golden file changed it");
        }
    }

    #[test]
    fn fmt_rejects_invalid_input_with_position() {
        let err = format_source("a = 1\nb = {\n  c = \n}\n").unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        let err = format_source("resource \"a\" \"b\" {\n  x = [1, 2\n}\n").unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        // Terraform reports an unterminated heredoc at the end of the input.
        let err = format_source("a = 1\nb = <<EOT\nnever closed\n").unwrap_err();
        assert_eq!((err.line, err.column), (4, 1), "{err}");
        assert!(err.to_string().contains("line 4"));
        let err = format_source("a = <<EOT\nx\nEOT").unwrap_err();
        assert_eq!((err.line, err.column), (3, 4), "{err}");
        let err = format_source("a = 1\na = 2\n").unwrap_err();
        assert_eq!(err.line, 2, "{err}");
        let err = format_source("a { b = 1, c = 2 }\n").unwrap_err();
        assert_eq!(err.line, 1, "{err}");
        let err = format_source("a = 1\nb = x.*.y.*\n").unwrap_err();
        assert_eq!((err.line, err.column), (2, 10), "{err}");
        assert!(format_source("a = x.*.y[*]\nb = x[*].y[*]\n").is_ok());
        // Positions are reported in characters.
        let err = format_source("a = \"é\" ]\n").unwrap_err();
        assert_eq!((err.line, err.column), (1, 9), "{err}");
        // An error at the end of the input is reported there.
        let err = format_source("x = 1\ny = [\n").unwrap_err();
        assert_eq!((err.line, err.column), (3, 1), "{err}");
    }

    #[test]
    fn fmt_accepts_what_terraform_parses() {
        // hclsyntax parses these; hcl-edit needs the patched copy to agree.
        assert_eq!(format_source("x = { a = 1, a = 2 }\n").unwrap(), "x = { a = 1, a = 2 }\n");
        assert_eq!(
            format_source("x = {\n  (a) = 1\n  (a)=2\n  \"s\"=3\n  \"s\" = 4\n}\n").unwrap(),
            "x = {\n  (a) = 1\n  (a) = 2\n  \"s\" = 3\n  \"s\" = 4\n}\n"
        );
        let src = "x = {\n  a   = f(1) + b\n  (k) = 1\n  [2] = 3 # c\n}\n";
        assert_eq!(format_source(src).unwrap(), src);
        let src = "c {\n  a = <<-X\nX\n}\nb = <<X\nt\nX\n";
        assert_eq!(format_source(src).unwrap(), src);
        assert_eq!(format_source("a = 1 # c\r#x\n").unwrap(), "a = 1 # c\r#x\n");
        // Errors after a renamed key keep their original position.
        let err = format_source("x = { abc = 1, abc = 2 }\ny = ]\n").unwrap_err();
        assert_eq!((err.line, err.column), (2, 5), "{err}");
    }

    #[test]
    fn fmt_stdout_variant_ends_with_newline() {
        assert_eq!(format_source("a   = 1").unwrap(), "a = 1");
        assert_eq!(format_for_stdout("a   = 1").unwrap(), "a = 1\n");
        assert_eq!(format_for_stdout("a = 1\n\n").unwrap(), "a = 1\n\n");
        assert_eq!(format_for_stdout("").unwrap(), "\n");
    }

    #[test]
    fn fmt_scanner_splits_heredocs_and_templates() {
        let (toks, _) = lex("a = <<-EOT\n  x ${y}\n  EOT\nb = \"p${q}%{if r}s%{endif}\"\n", 0);
        let tys: Vec<Ty> = toks.iter().map(|t| t.ty).collect();
        use Ty::*;
        assert_eq!(
            tys,
            vec![
                Ident,
                Equal,
                OHeredoc,
                StringLit,
                TemplateInterp,
                Ident,
                TemplateSeqEnd,
                StringLit,
                CHeredoc,
                Newline,
                Ident,
                Equal,
                OQuote,
                QuotedLit,
                TemplateInterp,
                Ident,
                TemplateSeqEnd,
                TemplateControl,
                Ident,
                Ident,
                TemplateSeqEnd,
                QuotedLit,
                TemplateControl,
                Ident,
                TemplateSeqEnd,
                CQuote,
                Newline,
                Eof
            ]
        );
        assert_eq!(toks[8].text, "  EOT");
    }
}
