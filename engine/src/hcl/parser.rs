//! The parser: tokens to a body or an expression, a port of hclsyntax's recursive-descent
//! parser with its precedence levels, its newline rules (newlines end attributes but are
//! ignored inside brackets) and its diagnostics and recovery.

use super::Diag;
use super::ast::*;
use super::token::{Token, TokenType as T};
use crate::cty::Value;
use crate::number::Number;

pub(crate) struct Parser<'a> {
    pub(crate) src: &'a [u8],
    pub(crate) filename: &'a str,
    tokens: Vec<Token>,
    next: usize,
    newlines: Vec<bool>,
    pub(crate) recovery: bool,
    pub(crate) diags: Vec<Diag>,
    /// How deeply the expression being parsed is nested (see [`MAX_NESTING`]).
    depth: usize,
}

/// The deepest nesting of expressions the parser takes. HCL itself has no limit (Go's stacks
/// grow); terrane's recursive descent needs one so that no input can overflow the stack.
/// Real configurations nest a few dozen levels at most.
pub(crate) const MAX_NESTING: usize = 1024;

/// Binary operators by precedence level, loosest first.
const LEVELS: [&[(T, BinaryOp)]; 6] = [
    &[(T::Or, BinaryOp::Or)],
    &[(T::And, BinaryOp::And)],
    &[(T::EqualOp, BinaryOp::Equal), (T::NotEqual, BinaryOp::NotEqual)],
    &[
        (T::GreaterThan, BinaryOp::GreaterThan),
        (T::GreaterThanEq, BinaryOp::GreaterThanOrEqual),
        (T::LessThan, BinaryOp::LessThan),
        (T::LessThanEq, BinaryOp::LessThanOrEqual),
    ],
    &[(T::Plus, BinaryOp::Add), (T::Minus, BinaryOp::Subtract)],
    &[(T::Star, BinaryOp::Multiply), (T::Slash, BinaryOp::Divide), (T::Percent, BinaryOp::Modulo)],
];

impl<'a> Parser<'a> {
    pub(crate) fn new(src: &'a [u8], filename: &'a str, tokens: Vec<Token>) -> Parser<'a> {
        Parser { src, filename, tokens, next: 0, newlines: vec![true], recovery: false, diags: Vec::new(), depth: 0 }
    }

    // ---- the peeker ----

    fn next_token(&self) -> (Token, usize) {
        let include_newlines = *self.newlines.last().expect("newline stack");
        let mut i = self.next;
        while i < self.tokens.len() {
            let tok = &self.tokens[i];
            match tok.ty {
                T::Comment => {
                    // A line comment ends its line: it counts as the newline.
                    if include_newlines && self.src.get(tok.span.end.wrapping_sub(1)) == Some(&b'\n') {
                        let nl = tok.span.end - 1..tok.span.end;
                        return (Token { ty: T::Newline, span: nl }, i + 1);
                    }
                    i += 1;
                    continue;
                }
                T::Newline if !include_newlines => {
                    i += 1;
                    continue;
                }
                _ => return (tok.clone(), i + 1),
            }
        }
        let last = self.tokens.len() - 1;
        (self.tokens[last].clone(), self.tokens.len())
    }

    pub(crate) fn peek(&self) -> Token {
        self.next_token().0
    }

    pub(crate) fn read(&mut self) -> Token {
        let (t, n) = self.next_token();
        self.next = n;
        t
    }

    pub(crate) fn next_range(&self) -> Span {
        self.peek().span
    }

    pub(crate) fn prev_range(&self) -> Span {
        if self.next == 0 {
            return self.next_range();
        }
        self.tokens[self.next - 1].span.clone()
    }

    pub(crate) fn push_newlines(&mut self, include: bool) {
        self.newlines.push(include);
    }

    pub(crate) fn pop_newlines(&mut self) {
        self.newlines.pop();
    }

    pub(crate) fn text(&self, t: &Token) -> &'a str {
        std::str::from_utf8(&self.src[t.span.clone()]).unwrap_or("")
    }

    pub(crate) fn keyword(&self, t: &Token, kw: &str) -> bool {
        t.ty == T::Ident && &self.src[t.span.clone()] == kw.as_bytes()
    }

    pub(crate) fn error(&mut self, summary: &str, detail: impl Into<String>, subject: Span) {
        self.diags.push(Diag::new(summary, detail, subject));
    }

    pub(crate) fn error_ctx(&mut self, summary: &str, detail: impl Into<String>, subject: Span, context: Span) {
        let mut d = Diag::new(summary, detail, subject);
        d.context = Some(context);
        self.diags.push(d);
    }

    /// hcl's `Range.String()`: `file:line,col-col`.
    pub(crate) fn range_string(&self, span: &Span) -> String {
        let (l1, c1) = line_col(self.src, span.start);
        let (l2, c2) = line_col(self.src, span.end);
        if l1 == l2 {
            format!("{}:{l1},{c1}-{c2}", self.filename)
        } else {
            format!("{}:{l1},{c1}-{l2},{c2}", self.filename)
        }
    }

    // ---- recovery ----

    pub(crate) fn set_recovery(&mut self) {
        self.recovery = true;
    }

    pub(crate) fn recover(&mut self, end: T) -> Token {
        let start = end.opposite();
        self.recovery = true;
        let mut nest = 0;
        loop {
            let tok = self.read();
            let mut ty = tok.ty;
            if end == T::TemplateSeqEnd && ty == T::TemplateControl {
                ty = T::TemplateInterp;
            }
            if Some(ty) == start {
                nest += 1;
            } else if ty == end {
                if nest < 1 {
                    return tok;
                }
                nest -= 1;
            } else if ty == T::Eof {
                return tok;
            }
        }
    }

    fn recover_over(&mut self, start: T) {
        let end = start.opposite().expect("a bracket");
        loop {
            let tok = self.read();
            if tok.ty == start || tok.ty == T::Eof {
                break;
            }
        }
        self.recover(end);
    }

    fn recover_after_body_item(&mut self) {
        self.recovery = true;
        let mut open: Vec<T> = Vec::new();
        loop {
            let tok = self.read();
            match tok.ty {
                T::Newline if open.is_empty() => break,
                T::Eof => break,
                T::OBrace
                | T::OBrack
                | T::OParen
                | T::OQuote
                | T::OHeredoc
                | T::TemplateInterp
                | T::TemplateControl => open.push(tok.ty),
                T::CBrace | T::CBrack | T::CParen | T::CQuote | T::CHeredoc => {
                    let opener = tok.ty.opposite();
                    while open.last().is_some_and(|o| Some(*o) != opener) {
                        open.pop();
                    }
                    open.pop();
                }
                T::TemplateSeqEnd => {
                    while open.last().is_some_and(|o| *o != T::TemplateInterp && *o != T::TemplateControl) {
                        open.pop();
                    }
                    open.pop();
                }
                _ => {}
            }
        }
    }

    // ---- bodies ----

    pub(crate) fn parse_body(&mut self, end: T) -> Body {
        let start_range = self.prev_range();
        let mut body = Body::default();
        let end_range;
        loop {
            let next = self.peek();
            if next.ty == end {
                end_range = self.next_range();
                self.read();
                break;
            }
            match next.ty {
                T::Newline => {
                    self.read();
                }
                T::Ident => match self.parse_body_item() {
                    Some(BodyItem::Block(b)) => body.blocks.push(b),
                    Some(BodyItem::Attribute(a)) => {
                        if let Some(existing) = body.attributes.iter().find(|x| x.name == a.name) {
                            let at = self.range_string(&existing.name_span);
                            self.error(
                                "Attribute redefined",
                                format!(
                                    "The argument {} was already set at {at}. Each argument may be set only once.",
                                    crate::cty::ty::go_quote(&a.name)
                                ),
                                a.name_span.clone(),
                            );
                        } else {
                            body.attributes.push(a);
                        }
                    }
                    None => {}
                },
                _ => {
                    let bad = self.read();
                    if !self.recovery {
                        match bad.ty {
                            T::OQuote => self.error("Invalid argument name", "Argument names must not be quoted.", bad.span.clone()),
                            T::Eof if end == T::CBrace => self.error(
                                "Unclosed configuration block",
                                "There is no closing brace for this block before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.",
                                start_range.clone(),
                            ),
                            T::Eof => self.error(
                                "Unclosed configuration body",
                                "Found end of file before the end of this configuration body.",
                                start_range.clone(),
                            ),
                            _ => self.error(
                                "Argument or block definition required",
                                "An argument or block definition is required here.",
                                bad.span.clone(),
                            ),
                        }
                    }
                    end_range = self.prev_range();
                    self.recover(end);
                    break;
                }
            }
        }
        body.span = between(&start_range, &end_range);
        body.end_span = end_range.end..end_range.end;
        body
    }

    fn parse_body_item(&mut self) -> Option<BodyItem> {
        let ident = self.read();
        let next = self.peek();
        match next.ty {
            T::Equal => Some(BodyItem::Attribute(self.finish_attribute(ident, false))),
            T::OQuote | T::OBrace | T::Ident => Some(BodyItem::Block(self.finish_block(ident))),
            _ => {
                self.recover_after_body_item();
                self.error(
                    "Argument or block definition required",
                    "An argument or block definition is required here. To set an argument, use the equals sign \"=\" to introduce the argument value.",
                    ident.span,
                );
                None
            }
        }
    }

    fn finish_attribute(&mut self, ident: Token, single_line: bool) -> Attribute {
        let eq = self.read();
        let before = self.diags.len();
        let expr = self.parse_expression();
        let end_range;
        if self.recovery && self.diags.len() > before {
            end_range = self.prev_range();
            self.recover_after_body_item();
        } else if !single_line {
            let end = self.peek();
            if end.ty != T::Newline && end.ty != T::Eof {
                if !self.recovery {
                    let (summary, detail) = if end.ty == T::Comma {
                        (
                            "Unexpected comma after argument",
                            "Argument definitions must be separated by newlines, not commas. An argument definition must end with a newline.",
                        )
                    } else {
                        ("Missing newline after argument", "An argument definition must end with a newline.")
                    };
                    self.error_ctx(summary, detail, end.span.clone(), between(&ident.span, &end.span));
                }
                end_range = self.prev_range();
                self.recover_after_body_item();
            } else {
                end_range = self.prev_range();
                self.read();
            }
        } else {
            end_range = self.prev_range();
        }
        Attribute {
            name: self.text(&ident).to_string(),
            expr,
            span: between(&ident.span, &end_range),
            name_span: ident.span,
            equals_span: eq.span,
        }
    }

    fn finish_block(&mut self, ident: Token) -> Block {
        let block_type = self.text(&ident).to_string();
        let mut labels = Vec::new();
        let mut label_spans = Vec::new();
        let o_brace;
        loop {
            let tok = self.peek();
            match tok.ty {
                T::OBrace => {
                    o_brace = self.read();
                    break;
                }
                T::OQuote => {
                    let (label, span) = self.parse_quoted_string_literal();
                    labels.push(label);
                    label_spans.push(span);
                }
                T::Ident => {
                    let t = self.read();
                    labels.push(self.text(&t).to_string());
                    label_spans.push(t.span);
                }
                _ => {
                    let ctx = between(&ident.span, &tok.span);
                    match tok.ty {
                        T::Equal => self.error_ctx(
                            "Invalid block definition",
                            "The equals sign \"=\" indicates an argument definition, and must not be used when defining a block.",
                            tok.span.clone(),
                            ctx,
                        ),
                        T::Newline => self.error_ctx(
                            "Invalid block definition",
                            "A block definition must have block content delimited by \"{\" and \"}\", starting on the same line as the block header.",
                            tok.span.clone(),
                            ctx,
                        ),
                        _ if !self.recovery => self.error_ctx(
                            "Invalid block definition",
                            "Either a quoted string block label or an opening brace (\"{\") is expected here.",
                            tok.span.clone(),
                            ctx,
                        ),
                        _ => {}
                    }
                    self.recover_after_body_item();
                    return Block {
                        ty: block_type,
                        labels,
                        body: Body { span: ident.span.clone(), end_span: ident.span.clone(), ..Body::default() },
                        type_span: ident.span.clone(),
                        label_spans,
                        open_brace_span: ident.span.clone(),
                        close_brace_span: ident.span,
                    };
                }
            }
        }
        let body = match self.peek().ty {
            T::Newline | T::Eof | T::CBrace => self.parse_body(T::CBrace),
            _ => {
                let body = self.parse_single_attr_body();
                match self.peek().ty {
                    T::CBrace => {
                        self.read();
                    }
                    T::Comma => {
                        let s = self.peek().span;
                        self.error(
                            "Invalid single-argument block definition",
                            "Single-line block syntax can include only one argument definition. To define multiple arguments, use the multi-line block syntax with one argument definition per line.",
                            s,
                        );
                        self.recover(T::CBrace);
                    }
                    T::Newline => {
                        let s = self.peek().span;
                        self.error(
                            "Invalid single-argument block definition",
                            "An argument definition on the same line as its containing block creates a single-line block definition, which must also be closed on the same line. Place the block's closing brace immediately after the argument definition.",
                            s,
                        );
                        self.recover(T::CBrace);
                    }
                    ty => {
                        if !self.recovery {
                            let s = self.peek().span;
                            if ty == T::Eof {
                                self.error_ctx(
                                    "Unclosed configuration block",
                                    "There is no closing brace for this block before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.",
                                    o_brace.span.clone(),
                                    between(&ident.span, &o_brace.span),
                                );
                            } else {
                                self.error(
                                    "Invalid single-argument block definition",
                                    "A single-line block definition must end with a closing brace immediately after its single argument definition.",
                                    s,
                                );
                            }
                        }
                        self.recover(T::CBrace);
                    }
                }
                body.unwrap_or_default()
            }
        };
        let c_brace = self.prev_range();
        let eol = self.peek();
        if eol.ty == T::Newline || eol.ty == T::Eof {
            self.read();
        } else {
            if !self.recovery {
                self.error_ctx(
                    "Missing newline after block definition",
                    "A block definition must end with a newline.",
                    eol.span.clone(),
                    between(&ident.span, &eol.span),
                );
            }
            self.recover_after_body_item();
        }
        Block {
            ty: block_type,
            labels,
            body,
            type_span: ident.span,
            label_spans,
            open_brace_span: o_brace.span,
            close_brace_span: c_brace,
        }
    }

    fn parse_single_attr_body(&mut self) -> Option<Body> {
        let ident = self.read();
        if ident.ty != T::Ident {
            self.recover_after_body_item();
            self.error(
                "Argument or block definition required",
                "An argument or block definition is required here.",
                ident.span,
            );
            return None;
        }
        let next = self.peek();
        match next.ty {
            T::Equal => {
                let attr = self.finish_attribute(ident, true);
                let span = attr.span.clone();
                Some(Body { attributes: vec![attr], blocks: Vec::new(), end_span: span.end..span.end, span })
            }
            T::OQuote | T::OBrace | T::Ident => {
                self.recover_after_body_item();
                let name = self.text(&ident).to_string();
                self.error(
                    "Argument definition required",
                    format!(
                        "A single-line block definition can contain only a single argument. If you meant to define argument {}, use an equals sign to assign it a value. To define a nested block, place it on a line of its own within its parent block.",
                        crate::cty::ty::go_quote(&name)
                    ),
                    between(&ident.span, &next.span),
                );
                None
            }
            _ => {
                self.recover_after_body_item();
                self.error(
                    "Argument or block definition required",
                    "An argument or block definition is required here. To set an argument, use the equals sign \"=\" to introduce the argument value.",
                    ident.span,
                );
                None
            }
        }
    }

    // ---- expressions ----

    pub(crate) fn parse_expression(&mut self) -> Expr {
        if self.depth >= MAX_NESTING {
            // Reported once; the rest of the input is skipped so that nothing else nests.
            let tok = self.peek();
            if !self.recovery {
                self.error(
                    "Expression nested too deeply",
                    format!(
                        "This expression is nested more than {MAX_NESTING} levels deep, more than terrane can parse."
                    ),
                    tok.span.clone(),
                );
            }
            self.recovery = true;
            self.next = self.tokens.len().saturating_sub(1);
            return Expr::new(ExprKind::Literal(Value::DYNAMIC), tok.span);
        }
        self.depth += 1;
        let e = stacker::maybe_grow(crate::lang::eval::STACK_RED_ZONE, crate::lang::eval::STACK_GROWTH, || {
            self.parse_ternary()
        });
        self.depth -= 1;
        e
    }

    fn parse_ternary(&mut self) -> Expr {
        let start = self.next_range();
        let before = self.diags.len();
        let cond = self.parse_binary(0);
        if self.recovery && self.diags.len() > before {
            return cond;
        }
        if self.peek().ty != T::Question {
            return cond;
        }
        self.read();
        let before = self.diags.len();
        let if_true = self.parse_expression();
        if self.recovery && self.diags.len() > before {
            return cond;
        }
        let colon = self.peek();
        if colon.ty != T::Colon {
            self.error_ctx(
                "Missing false expression in conditional",
                "The conditional operator (...?...:...) requires a false expression, delimited by a colon.",
                colon.span.clone(),
                between(&start, &colon.span),
            );
            return cond;
        }
        self.read();
        let before = self.diags.len();
        let if_false = self.parse_expression();
        if self.recovery && self.diags.len() > before {
            return cond;
        }
        let span = between(&start, &if_false.span);
        Expr::new(
            ExprKind::Conditional { cond: Box::new(cond), if_true: Box::new(if_true), if_false: Box::new(if_false) },
            span,
        )
    }

    fn parse_binary(&mut self, level: usize) -> Expr {
        if level == LEVELS.len() {
            return self.parse_expression_with_traversals();
        }
        let ops = LEVELS[level];
        let before = self.diags.len();
        let mut lhs = self.parse_binary(level + 1);
        if self.recovery && self.diags.len() > before {
            return lhs;
        }
        let mut pending: Option<(BinaryOp, Expr)> = None;
        loop {
            let next = self.peek();
            let Some(&(_, op)) = ops.iter().find(|(t, _)| *t == next.ty) else { break };
            if let Some((pop, rhs)) = pending.take() {
                let span = between(&lhs.span, &rhs.span);
                lhs = Expr::new(ExprKind::BinaryOp { op: pop, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span);
            }
            self.read();
            let before = self.diags.len();
            let rhs = self.parse_binary(level + 1);
            if self.recovery && self.diags.len() > before {
                return lhs;
            }
            pending = Some((op, rhs));
        }
        match pending {
            None => lhs,
            Some((op, rhs)) => {
                let span = between(&lhs.span, &rhs.span);
                Expr::new(ExprKind::BinaryOp { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span)
            }
        }
    }

    pub(crate) fn parse_expression_with_traversals(&mut self) -> Expr {
        let term = self.parse_expression_term();
        self.parse_expression_traversals(term)
    }

    fn number_value(&mut self, tok: &Token) -> Value {
        match Number::parse(self.text(tok)) {
            Ok(n) => Value::Number(n),
            Err(_) => {
                self.error(
                    "Invalid number literal",
                    "Failed to recognize the value of this number literal.",
                    tok.span.clone(),
                );
                Value::unknown(crate::cty::Type::Number)
            }
        }
    }

    fn parse_expression_traversals(&mut self, from: Expr) -> Expr {
        let from_span = from.span.clone();
        let mut ret = from;
        loop {
            let next = self.peek();
            match next.ty {
                T::Dot => {
                    let dot = self.read();
                    let attr_tok = self.peek();
                    match attr_tok.ty {
                        T::Ident => {
                            let t = self.read();
                            let span = between(&dot.span, &t.span);
                            let name = self.text(&t).to_string();
                            ret = make_relative(ret, Traverser::Attr { name, span: span.clone() }, span);
                        }
                        T::NumberLit => {
                            let num = self.read();
                            let span = between(&dot.span, &num.span);
                            let text = self.text(&num);
                            if let Some(i) = text.find('.') {
                                self.error(
                                    "Invalid legacy index syntax",
                                    format!(
                                        "When using the legacy index syntax, chaining two indexes together is not permitted. Use the proper index syntax instead, like [{}][{}].",
                                        &text[..i],
                                        &text[i + 1..]
                                    ),
                                    num.span.clone(),
                                );
                                ret = make_relative(
                                    ret,
                                    Traverser::Index { key: Value::DYNAMIC, span: span.clone() },
                                    span,
                                );
                                continue;
                            }
                            let key = self.number_value(&num);
                            ret = make_relative(ret, Traverser::Index { key, span: span.clone() }, span);
                        }
                        T::Star => {
                            let marker = self.read();
                            let mut steps = Vec::new();
                            let first_range = self.next_range();
                            let mut last_range = marker.span.clone();
                            while self.peek().ty == T::Dot {
                                let dot2 = self.read();
                                if self.peek().ty == T::NumberLit {
                                    let num = self.read();
                                    let span = between(&dot2.span, &num.span);
                                    let text = self.text(&num);
                                    if let Some(i) = text.find('.') {
                                        self.error(
                                            "Invalid legacy index syntax",
                                            format!(
                                                "When using the legacy index syntax, chaining two indexes together is not permitted. Use the proper index syntax with a full splat expression [*] instead, like [{}][{}].",
                                                &text[..i],
                                                &text[i + 1..]
                                            ),
                                            attr_tok.span.clone(),
                                        );
                                        steps.push(Traverser::Index { key: Value::DYNAMIC, span });
                                    } else {
                                        let key = self.number_value(&num);
                                        steps.push(Traverser::Index { key, span });
                                    }
                                    last_range = num.span;
                                    continue;
                                }
                                if self.peek().ty != T::Ident {
                                    if !self.recovery {
                                        if self.peek().ty == T::Star {
                                            let s = self.peek().span;
                                            self.error(
                                                "Nested splat expression not allowed",
                                                "A splat expression (*) cannot be used inside another attribute-only splat expression.",
                                                s,
                                            );
                                        } else {
                                            self.error(
                                                "Invalid attribute name",
                                                "An attribute name is required after a dot.",
                                                attr_tok.span.clone(),
                                            );
                                        }
                                    }
                                    self.set_recovery();
                                    break;
                                }
                                let t = self.read();
                                let name = self.text(&t).to_string();
                                steps.push(Traverser::Attr { name, span: between(&dot2.span, &t.span) });
                                last_range = t.span;
                            }
                            let item = Expr::new(ExprKind::AnonSymbol, between(&dot.span, &marker.span));
                            let each = if steps.is_empty() {
                                item
                            } else {
                                Expr::new(
                                    ExprKind::RelativeTraversal { source: Box::new(item), steps },
                                    between(&first_range, &last_range),
                                )
                            };
                            ret = Expr::new(
                                ExprKind::Splat {
                                    source: Box::new(ret),
                                    each: Box::new(each),
                                    marker_span: between(&dot.span, &marker.span),
                                },
                                between(&from_span, &last_range),
                            );
                        }
                        _ => {
                            self.error(
                                "Invalid attribute name",
                                "An attribute name is required after a dot.",
                                attr_tok.span.clone(),
                            );
                            ret = Expr::new(ExprKind::SyntaxError, between(&from_span, &dot.span));
                            self.set_recovery();
                        }
                    }
                }
                T::OBrack => {
                    let open = self.read();
                    if self.peek().ty == T::Star {
                        self.read();
                        let mut close = self.read();
                        if close.ty != T::CBrack && !self.recovery {
                            self.error(
                                "Missing close bracket on splat index",
                                "The star for a full splat operator must be immediately followed by a closing bracket (\"]\").",
                                close.span.clone(),
                            );
                            close = self.recover(T::CBrack);
                        }
                        let item = Expr::new(ExprKind::AnonSymbol, between(&open.span, &close.span));
                        let each = self.parse_expression_traversals(item);
                        let span = between(&from_span, &each.span);
                        ret = Expr::new(
                            ExprKind::Splat {
                                source: Box::new(ret),
                                each: Box::new(each),
                                marker_span: between(&open.span, &close.span),
                            },
                            span,
                        );
                        continue;
                    }
                    self.push_newlines(false);
                    let before = self.diags.len();
                    let key = self.parse_expression();
                    let close = if self.recovery && self.diags.len() > before {
                        self.recover(T::CBrack)
                    } else {
                        let mut close = self.read();
                        if close.ty != T::CBrack && !self.recovery {
                            self.error(
                                "Missing close bracket on index",
                                "The index operator must end with a closing bracket (\"]\").",
                                close.span.clone(),
                            );
                            close = self.recover(T::CBrack);
                        }
                        close
                    };
                    self.pop_newlines();
                    let rng = between(&open.span, &close.span);
                    let literal = match &key.kind {
                        ExprKind::Literal(v) => Some(v.clone()),
                        ExprKind::Template(parts) if parts.len() == 1 => match &parts[0].kind {
                            ExprKind::Literal(v @ Value::String(_)) => Some(v.clone()),
                            _ => None,
                        },
                        _ => None,
                    };
                    ret = match literal {
                        Some(k) => make_relative(ret, Traverser::Index { key: k, span: rng.clone() }, rng),
                        None => {
                            let span = between(&from_span, &rng);
                            Expr::new(
                                ExprKind::Index { collection: Box::new(ret), key: Box::new(key), bracket_span: rng },
                                span,
                            )
                        }
                    };
                }
                _ => break,
            }
        }
        ret
    }

    fn parse_expression_term(&mut self) -> Expr {
        let start = self.peek();
        match start.ty {
            T::OParen => {
                let o = self.read();
                self.push_newlines(false);
                let before = self.diags.len();
                let expr = self.parse_expression();
                if self.diags.len() > before {
                    self.recover(T::CParen);
                    self.pop_newlines();
                    return expr;
                }
                let close = self.peek();
                if close.ty != T::CParen {
                    self.error_ctx(
                        "Unbalanced parentheses",
                        "Expected a closing parenthesis to terminate the expression.",
                        close.span.clone(),
                        between(&start.span, &close.span),
                    );
                    self.set_recovery();
                }
                let c = self.read();
                self.pop_newlines();
                Expr::new(ExprKind::Parens(Box::new(expr)), between(&o.span, &c.span))
            }
            T::NumberLit => {
                let tok = self.read();
                let v = self.number_value(&tok);
                Expr::new(ExprKind::Literal(v), tok.span)
            }
            T::Ident => {
                let tok = self.read();
                if matches!(self.peek().ty, T::OParen | T::DoubleColon) {
                    return self.finish_function_call(tok);
                }
                let name = self.text(&tok).to_string();
                let kind = match name.as_str() {
                    "true" => ExprKind::Literal(Value::TRUE),
                    "false" => ExprKind::Literal(Value::FALSE),
                    "null" => ExprKind::Literal(Value::NULL),
                    _ => ExprKind::ScopeTraversal { root: name, root_span: tok.span.clone(), steps: Vec::new() },
                };
                Expr::new(kind, tok.span)
            }
            T::OQuote | T::OHeredoc => {
                let open = self.read();
                let closer = open.ty.opposite().expect("a bracket");
                let flush = open.ty == T::OHeredoc && self.src[open.span.clone()].starts_with(b"<<-");
                let (exprs, passthru, _) = self.parse_template_inner(closer, flush);
                let span = between(&open.span, &self.prev_range());
                if passthru {
                    let only = exprs.into_iter().next().expect("one part");
                    return Expr::new(ExprKind::TemplateWrap(Box::new(only)), span);
                }
                Expr::new(ExprKind::Template(exprs), span)
            }
            T::Minus | T::Bang => {
                let tok = self.read();
                let operand = self.parse_expression_with_traversals();
                let op = if tok.ty == T::Minus { UnaryOp::Negate } else { UnaryOp::Not };
                let span = between(&tok.span, &operand.span);
                Expr::new(ExprKind::UnaryOp { op, val: Box::new(operand), symbol_span: tok.span }, span)
            }
            T::OBrack => self.parse_tuple_cons(),
            T::OBrace => self.parse_object_cons(),
            _ => {
                if !self.recovery {
                    if start.ty == T::Eof {
                        self.error(
                            "Missing expression",
                            "Expected the start of an expression, but found the end of the file.",
                            start.span.clone(),
                        );
                    } else {
                        self.error(
                            "Invalid expression",
                            "Expected the start of an expression, but found an invalid expression token.",
                            start.span.clone(),
                        );
                    }
                }
                self.set_recovery();
                Expr::new(ExprKind::Literal(Value::DYNAMIC), start.span)
            }
        }
    }

    fn finish_function_call(&mut self, name: Token) -> Expr {
        let mut open = self.read();
        let mut name_str = self.text(&name).to_string();
        let mut name_end = name.span.end;
        while open.ty == T::DoubleColon {
            let next_name = self.read();
            if next_name.ty != T::Ident {
                self.error_ctx(
                    "Missing function name",
                    "Function scope resolution symbol :: must be followed by a function name in this scope.",
                    next_name.span.clone(),
                    between(&name.span, &next_name.span),
                );
                self.recover_over(T::OParen);
                return Expr::new(ExprKind::SyntaxError, between(&name.span, &next_name.span));
            }
            name_str.push_str("::");
            name_str.push_str(self.text(&next_name));
            name_end = next_name.span.end;
            open = self.read();
        }
        let name_span = name.span.start..name_end;
        if open.ty != T::OParen {
            self.error_ctx(
                "Missing open parenthesis",
                "Function selector must be followed by an open parenthesis to begin the function call.",
                open.span.clone(),
                between(&name.span, &open.span),
            );
            self.recover_over(T::OParen);
            return Expr::new(ExprKind::SyntaxError, between(&name.span, &open.span));
        }
        let mut args = Vec::new();
        let mut expand_final = false;
        let mut close = open.clone();
        self.push_newlines(false);
        loop {
            if self.peek().ty == T::CParen {
                close = self.read();
                break;
            }
            let before = self.diags.len();
            let arg = self.parse_expression();
            args.push(arg);
            if self.recovery && self.diags.len() > before {
                let t = self.recover(T::CParen);
                if t.ty == T::CParen {
                    close = t;
                }
                break;
            }
            let sep = self.read();
            if sep.ty == T::CParen {
                close = sep;
                break;
            }
            if sep.ty == T::Ellipsis {
                expand_final = true;
                if self.peek().ty != T::CParen {
                    if !self.recovery {
                        self.error_ctx(
                            "Missing closing parenthesis",
                            "An expanded function argument (with ...) must be immediately followed by closing parentheses.",
                            sep.span.clone(),
                            between(&name.span, &sep.span),
                        );
                    }
                    close = self.recover(T::CParen);
                } else {
                    close = self.read();
                }
                break;
            }
            if sep.ty != T::Comma {
                if sep.ty == T::Eof {
                    self.error(
                        "Unterminated function call",
                        "There is no closing parenthesis for this function call before the end of the file. This may be caused by incorrect parenthesis nesting elsewhere in this file.",
                        between(&name.span, &open.span),
                    );
                } else {
                    self.error_ctx(
                        "Missing argument separator",
                        "A comma is required to separate each function argument from the next.",
                        sep.span.clone(),
                        between(&name.span, &sep.span),
                    );
                }
                close = self.recover(T::CParen);
                break;
            }
            if self.peek().ty == T::CParen {
                close = self.read();
                break;
            }
        }
        self.pop_newlines();
        let span = between(&name_span, &close.span);
        Expr::new(
            ExprKind::FunctionCall {
                name: name_str,
                name_span,
                args,
                expand_final,
                open_paren_span: open.span,
                close_paren_span: close.span,
            },
            span,
        )
    }

    fn parse_tuple_cons(&mut self) -> Expr {
        let open = self.read();
        self.push_newlines(false);
        if self.keyword(&self.peek(), "for") {
            let e = self.finish_for_expr(open);
            self.pop_newlines();
            return e;
        }
        let mut exprs = Vec::new();
        let close;
        loop {
            if self.peek().ty == T::CBrack {
                close = self.read();
                break;
            }
            let before = self.diags.len();
            let e = self.parse_expression();
            exprs.push(e);
            if self.recovery && self.diags.len() > before {
                close = self.recover(T::CBrack);
                break;
            }
            let next = self.peek();
            if next.ty == T::CBrack {
                close = self.read();
                break;
            }
            if next.ty != T::Comma {
                if !self.recovery {
                    if next.ty == T::Eof {
                        self.error(
                            "Unterminated tuple constructor expression",
                            "There is no corresponding closing bracket before the end of the file. This may be caused by incorrect bracket nesting elsewhere in this file.",
                            open.span.clone(),
                        );
                    } else {
                        self.error_ctx(
                            "Missing item separator",
                            "Expected a comma to mark the beginning of the next item.",
                            next.span.clone(),
                            between(&open.span, &next.span),
                        );
                    }
                }
                close = self.recover(T::CBrack);
                break;
            }
            self.read();
        }
        self.pop_newlines();
        Expr::new(ExprKind::Tuple(exprs), between(&open.span, &close.span))
    }

    fn parse_object_cons(&mut self) -> Expr {
        let open = self.read();
        self.push_newlines(false);
        let is_for = self.keyword(&self.peek(), "for");
        self.pop_newlines();
        if is_for {
            return self.finish_for_expr(open);
        }
        self.push_newlines(true);
        let mut items = Vec::new();
        let close;
        loop {
            let next = self.peek();
            if next.ty == T::Newline {
                self.read();
                continue;
            }
            if next.ty == T::CBrace {
                close = self.read();
                break;
            }
            let force_non_literal = next.ty == T::OParen;
            let before = self.diags.len();
            let key = self.parse_expression();
            if self.recovery && self.diags.len() > before {
                close = self.recover(T::CBrace);
                break;
            }
            let next = self.peek();
            if next.ty != T::Equal && next.ty != T::Colon {
                if !self.recovery {
                    let ctx = between(&open.span, &next.span);
                    match next.ty {
                        T::Newline | T::Comma => self.error_ctx(
                            "Missing attribute value",
                            "Expected an attribute value, introduced by an equals sign (\"=\").",
                            next.span.clone(),
                            ctx,
                        ),
                        T::Ident => self.error_ctx(
                            "Missing key/value separator",
                            "Expected an equals sign (\"=\") to mark the beginning of the attribute value. If you intended to given an attribute name containing periods or spaces, write the name in quotes to create a string literal.",
                            next.span.clone(),
                            ctx,
                        ),
                        T::Eof => self.error(
                            "Unterminated object constructor expression",
                            "There is no corresponding closing brace before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.",
                            open.span.clone(),
                        ),
                        _ => self.error_ctx(
                            "Missing key/value separator",
                            "Expected an equals sign (\"=\") to mark the beginning of the attribute value.",
                            next.span.clone(),
                            ctx,
                        ),
                    }
                }
                close = self.recover(T::CBrace);
                break;
            }
            self.read();
            let before = self.diags.len();
            let value = self.parse_expression();
            if self.recovery && self.diags.len() > before {
                if matches!(value.kind, ExprKind::SyntaxError) {
                    items.push(ObjectItem { key, force_non_literal, value });
                }
                close = self.recover(T::CBrace);
                break;
            }
            items.push(ObjectItem { key, force_non_literal, value });
            let next = self.peek();
            if next.ty == T::CBrace {
                close = self.read();
                break;
            }
            if next.ty != T::Comma && next.ty != T::Newline {
                if !self.recovery {
                    if next.ty == T::Eof {
                        self.error(
                            "Unterminated object constructor expression",
                            "There is no corresponding closing brace before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.",
                            open.span.clone(),
                        );
                    } else {
                        self.error_ctx(
                            "Missing attribute separator",
                            "Expected a newline or comma to mark the beginning of the next attribute.",
                            next.span.clone(),
                            between(&open.span, &next.span),
                        );
                    }
                }
                close = self.recover(T::CBrace);
                break;
            }
            self.read();
        }
        self.pop_newlines();
        Expr::new(ExprKind::Object(items), between(&open.span, &close.span))
    }

    fn finish_for_expr(&mut self, open: Token) -> Expr {
        self.push_newlines(false);
        let e = self.finish_for_expr_inner(open);
        self.pop_newlines();
        e
    }

    fn for_error(&mut self, open: &Token, close_ty: T, detail: &str) -> Expr {
        if !self.recovery {
            let s = self.peek().span;
            self.error_ctx("Invalid 'for' expression", detail, s.clone(), between(&open.span, &s));
        }
        let close = self.recover(close_ty);
        Expr::new(ExprKind::Literal(Value::DYNAMIC), between(&open.span, &close.span))
    }

    fn finish_for_expr_inner(&mut self, open: Token) -> Expr {
        self.read(); // `for`
        let make_obj = open.ty == T::OBrace;
        let close_ty = if make_obj { T::CBrace } else { T::CBrack };
        if self.peek().ty != T::Ident {
            return self.for_error(&open, close_ty, "For expression requires variable name after 'for'.");
        }
        let t = self.read();
        let mut val_name = self.text(&t).to_string();
        let mut key_name = None;
        if self.peek().ty == T::Comma {
            key_name = Some(val_name);
            self.read();
            if self.peek().ty != T::Ident {
                return self.for_error(&open, close_ty, "For expression requires value variable name after comma.");
            }
            let t = self.read();
            val_name = self.text(&t).to_string();
        }
        if !self.keyword(&self.peek(), "in") {
            return self.for_error(
                &open,
                close_ty,
                "For expression requires the 'in' keyword after its name declarations.",
            );
        }
        self.read();
        let before = self.diags.len();
        let coll = self.parse_expression();
        if self.recovery && self.diags.len() > before {
            let close = self.recover(close_ty);
            return Expr::new(ExprKind::Literal(Value::DYNAMIC), between(&open.span, &close.span));
        }
        if self.peek().ty != T::Colon {
            return self.for_error(&open, close_ty, "For expression requires a colon after the collection expression.");
        }
        self.read();
        let before = self.diags.len();
        let mut val = self.parse_expression();
        let mut key = None;
        if self.peek().ty == T::FatArrow {
            self.read();
            key = Some(val);
            val = self.parse_expression();
        }
        if self.recovery && self.diags.len() > before {
            let close = self.recover(close_ty);
            return Expr::new(ExprKind::Literal(Value::DYNAMIC), between(&open.span, &close.span));
        }
        let mut group = false;
        let mut ellipsis = None;
        if self.peek().ty == T::Ellipsis {
            ellipsis = Some(self.read());
            group = true;
        }
        let mut cond = None;
        if self.keyword(&self.peek(), "if") {
            self.read();
            let before = self.diags.len();
            let c = self.parse_expression();
            if self.recovery && self.diags.len() > before {
                let close = self.recover(close_ty);
                return Expr::new(ExprKind::Literal(Value::DYNAMIC), between(&open.span, &close.span));
            }
            cond = Some(c);
        }
        let close = if self.peek().ty == close_ty {
            self.read()
        } else {
            if !self.recovery {
                let s = self.peek().span;
                self.error_ctx(
                    "Invalid 'for' expression",
                    "Extra characters after the end of the 'for' expression.",
                    s.clone(),
                    between(&open.span, &s),
                );
            }
            self.recover(close_ty)
        };
        let whole = between(&open.span, &close.span);
        if !make_obj {
            if let Some(k) = &key {
                let s = k.span.clone();
                self.error_ctx(
                    "Invalid 'for' expression",
                    "Key expression is not valid when building a tuple.",
                    s,
                    whole.clone(),
                );
            }
            if let Some(e) = &ellipsis {
                let s = e.span.clone();
                self.error_ctx(
                    "Invalid 'for' expression",
                    "Grouping ellipsis (...) cannot be used when building a tuple.",
                    s,
                    whole.clone(),
                );
            }
        } else if key.is_none() {
            let s = val.span.clone();
            self.error_ctx(
                "Invalid 'for' expression",
                "Key expression is required when building an object.",
                s,
                whole.clone(),
            );
        }
        Expr::new(
            ExprKind::For(Box::new(ForExpr {
                key_var: key_name,
                val_var: val_name,
                coll,
                key,
                val,
                cond,
                group,
                open_span: open.span,
                close_span: close.span,
            })),
            whole,
        )
    }

    /// A quoted string with no template sequences (block labels).
    fn parse_quoted_string_literal(&mut self) -> (String, Span) {
        let o = self.read();
        let mut out = String::new();
        let end;
        loop {
            let tok = self.read();
            match tok.ty {
                T::CQuote => {
                    end = tok.span;
                    break;
                }
                T::QuotedLit => {
                    let mut d = Vec::new();
                    out.push_str(&super::strlit::unescape(&self.src[tok.span.clone()], true, &tok.span, &mut d));
                    self.diags.extend(d);
                }
                T::TemplateControl | T::TemplateInterp => {
                    let which = if tok.ty == T::TemplateControl { "%" } else { "$" };
                    self.error_ctx(
                        "Invalid string literal",
                        format!(
                            "Template sequences are not allowed in this string. To include a literal {}, double it (as \"{which}{which}\") to escape it.",
                            crate::cty::ty::go_quote(which)
                        ),
                        tok.span.clone(),
                        between(&o.span, &tok.span),
                    );
                    out.push_str(which);
                    out.push_str("{ ... }");
                    self.recover(T::TemplateSeqEnd);
                }
                T::Eof => {
                    self.error_ctx(
                        "Unterminated string literal",
                        "Unable to find the closing quote mark before the end of the file.",
                        tok.span.clone(),
                        between(&o.span, &tok.span),
                    );
                    end = tok.span;
                    break;
                }
                _ => {
                    self.error_ctx(
                        "Invalid string literal",
                        "This item is not valid in a string literal.",
                        tok.span.clone(),
                        between(&o.span, &tok.span),
                    );
                    self.recover(T::CQuote);
                    end = tok.span;
                    break;
                }
            }
        }
        (out, between(&o.span, &end))
    }
}

enum BodyItem {
    Attribute(Attribute),
    Block(Block),
}

fn make_relative(expr: Expr, next: Traverser, rng: Span) -> Expr {
    match expr.kind {
        ExprKind::ScopeTraversal { root, root_span, mut steps } => {
            steps.push(next);
            Expr::new(ExprKind::ScopeTraversal { root, root_span, steps }, between(&expr.span, &rng))
        }
        ExprKind::RelativeTraversal { source, mut steps } => {
            steps.push(next);
            Expr::new(ExprKind::RelativeTraversal { source, steps }, between(&expr.span, &rng))
        }
        kind => {
            let span = between(&expr.span, &rng);
            Expr::new(
                ExprKind::RelativeTraversal { source: Box::new(Expr { kind, span: expr.span }), steps: vec![next] },
                span,
            )
        }
    }
}

/// The 1-based line and column (counting grapheme clusters) of a byte offset.
pub fn line_col(src: &[u8], offset: usize) -> (usize, usize) {
    use unicode_segmentation::UnicodeSegmentation;
    let offset = offset.min(src.len());
    let before = &src[..offset];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let text = String::from_utf8_lossy(&src[line_start..offset]);
    (line, text.graphemes(true).count() + 1)
}
