//! Tokens of HCL's native syntax, as hclsyntax's scanner produces them.

use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenType {
    OBrace,
    CBrace,
    OBrack,
    CBrack,
    OParen,
    CParen,
    /// Opening `"` of a quoted template.
    OQuote,
    CQuote,
    /// `<<EOT` or `<<-EOT` with its newline.
    OHeredoc,
    CHeredoc,
    Star,
    Slash,
    Plus,
    Minus,
    Percent,
    Equal,
    EqualOp,
    NotEqual,
    LessThan,
    LessThanEq,
    GreaterThan,
    GreaterThanEq,
    And,
    Or,
    Bang,
    Dot,
    Comma,
    DoubleColon,
    Ellipsis,
    FatArrow,
    Question,
    Colon,
    /// `${` or `${~`.
    TemplateInterp,
    /// `%{` or `%{~`.
    TemplateControl,
    /// `}` or `~}` closing a template sequence.
    TemplateSeqEnd,
    /// A literal in a quoted template (may contain backslash escapes).
    QuotedLit,
    /// A literal in a heredoc or bare template (no backslash escapes).
    StringLit,
    NumberLit,
    Ident,
    Comment,
    Newline,
    Eof,
    BitwiseAnd,
    BitwiseOr,
    BitwiseNot,
    BitwiseXor,
    Apostrophe,
    Backtick,
    Semicolon,
    Invalid,
    BadUtf8,
    QuotedNewline,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub ty: TokenType,
    /// Byte offsets in the source.
    pub span: Range<usize>,
}

impl Token {
    pub fn bytes<'s>(&self, src: &'s [u8]) -> &'s [u8] {
        &src[self.span.clone()]
    }
}

impl TokenType {
    /// The bracket that closes (or opens) this one, as hclsyntax's `oppositeBracket`.
    pub fn opposite(self) -> Option<TokenType> {
        use TokenType::*;
        Some(match self {
            OBrace => CBrace,
            OBrack => CBrack,
            OParen => CParen,
            OQuote => CQuote,
            OHeredoc => CHeredoc,
            CBrace => OBrace,
            CBrack => OBrack,
            CParen => OParen,
            CQuote => OQuote,
            CHeredoc => OHeredoc,
            TemplateControl | TemplateInterp => TemplateSeqEnd,
            TemplateSeqEnd => TemplateInterp,
            _ => return None,
        })
    }
}
