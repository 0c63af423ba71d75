//! HCL's native syntax, as Terraform parses it: our own port of hclsyntax (scanner, parser,
//! templates, string escapes) so that every configuration parses exactly as in Terraform,
//! quirks and diagnostics included. `fmt` keeps using hcl-edit, which preserves comments
//! and layout.

pub mod ast;
pub(crate) mod parser;
pub mod scan;
mod strlit;
mod template;
pub mod token;

pub use ast::{Attribute, Block, Body, Expr, ExprKind, Span, Traverser};
pub use parser::line_col;

/// A syntax error: what and where (byte ranges in the source).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diag {
    pub summary: String,
    pub detail: String,
    pub subject: Span,
    pub context: Option<Span>,
}

impl Diag {
    pub fn new(summary: &str, detail: impl Into<String>, subject: Span) -> Diag {
        Diag { summary: summary.to_string(), detail: detail.into(), subject, context: None }
    }
}

/// The diagnostics of the scanner's invalid tokens (hclsyntax's `checkInvalidTokens`).
fn check_invalid_tokens(src: &[u8], tokens: &[token::Token]) -> Vec<Diag> {
    use token::TokenType as T;
    let mut out = Vec::new();
    let (mut bitwise, mut backtick, mut apostrophe, mut semicolon, mut bad_utf8) = (0, 0, 0, 0, 0);
    for tok in tokens {
        let span = tok.span.clone();
        match tok.ty {
            T::BitwiseAnd | T::BitwiseOr | T::BitwiseXor | T::BitwiseNot if bitwise < 4 => {
                let hint = match tok.ty {
                    T::BitwiseAnd => " Did you mean boolean AND (\"&&\")?",
                    T::BitwiseOr => " Did you mean boolean OR (\"||\")?",
                    T::BitwiseNot => " Did you mean boolean NOT (\"!\")?",
                    _ => "",
                };
                out.push(Diag::new("Unsupported operator", format!("Bitwise operators are not supported.{hint}"), span));
                bitwise += 1;
            }
            T::Backtick => {
                if backtick % 2 == 0 {
                    out.push(Diag::new(
                        "Invalid character",
                        "The \"`\" character is not valid. To create a multi-line string, use the \"heredoc\" syntax, like \"<<EOT\".",
                        span,
                    ));
                }
                if backtick <= 2 {
                    backtick += 1;
                }
            }
            T::Apostrophe => {
                if apostrophe % 2 == 0 {
                    out.push(Diag::new(
                        "Invalid character",
                        "Single quotes are not valid. Use double quotes (\") to enclose strings.",
                        span,
                    ));
                }
                if apostrophe <= 2 {
                    apostrophe += 1;
                }
            }
            T::Semicolon if semicolon < 1 => {
                out.push(Diag::new(
                    "Invalid character",
                    "The \";\" character is not valid. Use newlines to separate arguments and blocks, and commas to separate items in collection values.",
                    span,
                ));
                semicolon += 1;
            }
            T::BadUtf8 if bad_utf8 < 1 => {
                out.push(Diag::new(
                    "Invalid character encoding",
                    "All input files must be UTF-8 encoded. Ensure that UTF-8 encoding is selected in your editor.",
                    span,
                ));
                bad_utf8 += 1;
            }
            T::QuotedNewline => out.push(Diag::new(
                "Invalid multi-line string",
                "Quoted strings may not be split over multiple lines. To produce a multi-line string, either use the \\n escape to represent a newline character or use the \"heredoc\" multi-line template syntax.",
                span,
            )),
            T::Invalid => {
                let chars = &src[tok.span.clone()];
                if chars == "\u{201c}".as_bytes() || chars == "\u{201d}".as_bytes() {
                    out.push(Diag::new(
                        "Invalid character",
                        "\"Curly quotes\" are not valid here. These can sometimes be inadvertently introduced when sharing code via documents or discussion forums. It might help to replace the character with a \"straight quote\".",
                        span,
                    ));
                } else {
                    out.push(Diag::new("Invalid character", "This character is not used within the language.", span));
                }
            }
            _ => {}
        }
    }
    out
}

/// Parses a configuration file.
pub fn parse_config(src: &[u8], filename: &str) -> (Body, Vec<Diag>) {
    let tokens = scan::scan(src, scan::ScanMode::Normal);
    let mut diags = check_invalid_tokens(src, &tokens);
    let mut p = parser::Parser::new(src, filename, tokens);
    let body = p.parse_body(token::TokenType::Eof);
    diags.extend(p.diags);
    (body, diags)
}

/// Parses a standalone expression (the console, `-var` values, `-target` addresses).
pub fn parse_expression(src: &[u8], filename: &str) -> (Expr, Vec<Diag>) {
    let tokens = scan::scan(src, scan::ScanMode::Normal);
    let mut diags = check_invalid_tokens(src, &tokens);
    let mut p = parser::Parser::new(src, filename, tokens);
    p.push_newlines(false);
    let expr = p.parse_expression();
    let next = p.peek();
    if next.ty != token::TokenType::Eof && !p.recovery {
        p.error(
            "Extra characters after expression",
            "An expression was successfully parsed, but extra characters were found after it.",
            next.span,
        );
    }
    p.pop_newlines();
    diags.extend(p.diags);
    (expr, diags)
}

/// Parses a template (a template file, `templatestring`).
pub fn parse_template(src: &[u8], filename: &str) -> (Expr, Vec<Diag>) {
    let tokens = scan::scan(src, scan::ScanMode::Template);
    let mut diags = check_invalid_tokens(src, &tokens);
    let mut p = parser::Parser::new(src, filename, tokens);
    let expr = p.parse_template();
    diags.extend(p.diags);
    (expr, diags)
}

/// Whether `s` is a valid identifier (HCL's `ValidIdentifier`).
pub fn valid_identifier(s: &str) -> bool {
    !s.is_empty() && scan::ident_len(s.as_bytes(), 0) == s.len()
}

/// HCL's `nameSuggestion`: the first candidate, in the order given, within an edit distance
/// of two. For candidates without a meaningful order use [`best_suggestion`].
pub fn name_suggestion<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates.into_iter().find(|c| strsim::levenshtein(given, c) < 3)
}

/// The closest candidate within an edit distance of two, the earliest of equals: where
/// Terraform picks from a map (and so varies from run to run), terrane is deterministic.
pub fn best_suggestion<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = strsim::levenshtein(given, c);
        if d < 3 && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests;
