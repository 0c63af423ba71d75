//! Templates: the parts of a quoted string, heredoc or template file (literals,
//! interpolations, `%{if}` and `%{for}` directives), with strip markers applied first, then
//! a flush heredoc's indentation removed, then adjacent literals joined — the order
//! hclsyntax applies them in, which decides what `<<-` does around directives.

use super::ast::*;
use super::parser::Parser;
use super::token::TokenType as T;
use crate::cty::Value;

enum Part {
    Literal { val: String, span: Span },
    Interp { expr: Expr },
    If { cond: Expr, span: Span },
    For { key: Option<String>, val: String, coll: Expr, span: Span },
    EndCtrl { kind: EndKind, span: Span },
    End { span: Span },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum EndKind {
    EndIf,
    Else,
    EndFor,
}

impl EndKind {
    fn name(self) -> &'static str {
        match self {
            EndKind::EndIf => "endif",
            EndKind::Else => "else",
            EndKind::EndFor => "endfor",
        }
    }
}

fn is_space(c: char) -> bool {
    c.is_whitespace()
}

fn placeholder(span: Span) -> Expr {
    Expr::new(ExprKind::Literal(Value::DYNAMIC), span)
}

fn empty_string(at: usize) -> Expr {
    Expr::new(ExprKind::Literal(Value::string("")), at..at)
}

impl Parser<'_> {
    /// Parses template parts up to `end`: the expressions, whether the template is a single
    /// interpolation (its value passes through), and the template's range.
    pub(crate) fn parse_template_inner(&mut self, end: T, flush_heredoc: bool) -> (Vec<Expr>, bool, Span) {
        let (mut parts, span) = self.parse_template_parts(end);
        if flush_heredoc {
            flush_heredoc_parts(&mut parts);
        }
        meld_literals(&mut parts);
        let passthru = parts.len() == 2 && matches!(parts[0], Part::Interp { .. });
        let mut tp = TemplateParser { parts, pos: 0 };
        let exprs = tp.parse_root(self);
        (exprs, passthru, span)
    }

    /// A whole template (a template file, `templatestring`).
    pub(crate) fn parse_template(&mut self) -> Expr {
        let (exprs, passthru, span) = self.parse_template_inner(T::Eof, false);
        if passthru {
            return Expr::new(ExprKind::TemplateWrap(Box::new(exprs.into_iter().next().expect("one part"))), span);
        }
        Expr::new(ExprKind::Template(exprs), span)
    }

    fn parse_template_parts(&mut self, end: T) -> (Vec<Part>, Span) {
        let mut parts: Vec<Part> = Vec::new();
        let start_range = self.next_range();
        let mut ltrim_next = false;
        let mut next_can_trim_prev = false;
        let end_range;
        loop {
            let next = self.read();
            if next.ty == end {
                end_range = next.span;
                break;
            }
            let ltrim = std::mem::take(&mut ltrim_next);
            let can_trim_prev = std::mem::take(&mut next_can_trim_prev);
            match next.ty {
                T::StringLit | T::QuotedLit => {
                    let mut d = Vec::new();
                    let mut s = super::strlit::unescape(
                        &self.src[next.span.clone()],
                        next.ty == T::QuotedLit,
                        &next.span,
                        &mut d,
                    );
                    self.diags.extend(d);
                    if ltrim {
                        s = s.trim_start_matches(is_space).to_string();
                    }
                    parts.push(Part::Literal { val: s, span: next.span.clone() });
                    next_can_trim_prev = true;
                }
                T::TemplateInterp => {
                    if can_trim_prev && next.span.len() == 3 {
                        trim_prev(&mut parts);
                    }
                    self.push_newlines(false);
                    let expr = self.parse_expression();
                    let close = self.peek();
                    if close.ty != T::TemplateSeqEnd {
                        if !self.recovery {
                            match close.ty {
                                T::Eof => self.error(
                                    "Unclosed template interpolation sequence",
                                    "There is no closing brace for this interpolation sequence before the end of the file. This might be caused by incorrect nesting inside the given expression.",
                                    start_range.clone(),
                                ),
                                T::Colon => self.error_ctx(
                                    "Extra characters after interpolation expression",
                                    "Template interpolation doesn't expect a colon at this location. Did you intend this to be a literal sequence to be processed as part of another language? If so, you can escape it by starting with \"$${\" instead of just \"${\".",
                                    close.span.clone(),
                                    between(&start_range, &close.span),
                                ),
                                T::CQuote | T::OQuote if end == T::CQuote => self.error(
                                    "Unclosed template interpolation sequence",
                                    "There is no closing brace for this interpolation sequence before the end of the quoted template. This might be caused by incorrect nesting inside the given expression.",
                                    start_range.clone(),
                                ),
                                _ => self.error_ctx(
                                    "Extra characters after interpolation expression",
                                    "Expected a closing brace to end the interpolation expression, but found extra characters.\n\nThis can happen when you include interpolation syntax for another language, such as shell scripting, but forget to escape the interpolation start token. If this is an embedded sequence for another language, escape it by starting with \"$${\" instead of just \"${\".",
                                    close.span.clone(),
                                    between(&start_range, &close.span),
                                ),
                            }
                        }
                        self.recover(T::TemplateSeqEnd);
                    } else {
                        self.read();
                        if close.span.len() == 2 && self.src[close.span.start] == b'~' {
                            ltrim_next = true;
                        }
                    }
                    self.pop_newlines();
                    parts.push(Part::Interp { expr });
                }
                T::TemplateControl => {
                    if can_trim_prev && next.span.len() == 3 {
                        trim_prev(&mut parts);
                    }
                    self.push_newlines(false);
                    let kw = self.peek();
                    if kw.ty != T::Ident {
                        if !self.recovery {
                            self.error_ctx(
                                "Invalid template directive",
                                "A template directive keyword (\"if\", \"for\", etc) is expected at the beginning of a %{ sequence.",
                                kw.span.clone(),
                                between(&next.span, &kw.span),
                            );
                        }
                        self.recover(T::TemplateSeqEnd);
                        self.pop_newlines();
                        continue;
                    }
                    self.read();
                    let word = self.text(&kw).to_string();
                    match word.as_str() {
                        "if" => {
                            let cond = self.parse_expression();
                            let span = between(&next.span, &self.next_range());
                            parts.push(Part::If { cond, span });
                        }
                        "else" | "endif" | "endfor" => {
                            let kind = match word.as_str() {
                                "else" => EndKind::Else,
                                "endif" => EndKind::EndIf,
                                _ => EndKind::EndFor,
                            };
                            let span = between(&next.span, &self.next_range());
                            parts.push(Part::EndCtrl { kind, span });
                        }
                        "for" => {
                            if self.peek().ty != T::Ident {
                                self.directive_error("For directive requires variable name after 'for'.");
                                continue;
                            }
                            let t = self.read();
                            let mut val = self.text(&t).to_string();
                            let mut key = None;
                            if self.peek().ty == T::Comma {
                                key = Some(val);
                                self.read();
                                if self.peek().ty != T::Ident {
                                    self.directive_error("For directive requires value variable name after comma.");
                                    continue;
                                }
                                let t = self.read();
                                val = self.text(&t).to_string();
                            }
                            if !self.keyword(&self.peek(), "in") {
                                self.directive_error("For directive requires 'in' keyword after names.");
                                continue;
                            }
                            self.read();
                            let coll = self.parse_expression();
                            let span = between(&next.span, &self.next_range());
                            parts.push(Part::For { key, val, coll, span });
                        }
                        _ => {
                            if !self.recovery {
                                let hint = super::name_suggestion(&word, ["if", "for", "else", "endif", "endfor"])
                                    .map(|best| format!(" Did you mean {}?", crate::cty::ty::go_quote(best)))
                                    .unwrap_or_default();
                                self.error_ctx(
                                    "Invalid template control keyword",
                                    format!(
                                        "{} is not a valid template control keyword.{hint}",
                                        crate::cty::ty::go_quote(&word)
                                    ),
                                    kw.span.clone(),
                                    between(&next.span, &kw.span),
                                );
                            }
                            self.recover(T::TemplateSeqEnd);
                            self.pop_newlines();
                            continue;
                        }
                    }
                    let close = self.peek();
                    if close.ty != T::TemplateSeqEnd {
                        if !self.recovery {
                            self.error_ctx(
                                &format!("Extra characters in {word} marker"),
                                "Expected a closing brace to end the sequence, but found extra characters.",
                                close.span.clone(),
                                between(&start_range, &close.span),
                            );
                        }
                        self.recover(T::TemplateSeqEnd);
                    } else {
                        self.read();
                        if close.span.len() == 2 && self.src[close.span.start] == b'~' {
                            ltrim_next = true;
                        }
                    }
                    self.pop_newlines();
                }
                _ => {
                    if !self.recovery {
                        self.error_ctx(
                            "Unterminated template string",
                            "No closing marker was found for the string.",
                            next.span.clone(),
                            between(&start_range, &next.span),
                        );
                    }
                    let fin = self.recover(end);
                    end_range = fin.span;
                    break;
                }
            }
        }
        if parts.is_empty() {
            parts.push(Part::Literal { val: String::new(), span: start_range.end..start_range.end });
        }
        let span = between(&start_range, &end_range);
        parts.push(Part::End { span: end_range });
        (parts, span)
    }

    fn directive_error(&mut self, detail: &str) {
        if !self.recovery {
            let s = self.peek().span;
            self.error("Invalid 'for' directive", detail, s);
        }
        self.recover(T::TemplateSeqEnd);
        self.pop_newlines();
    }
}

fn trim_prev(parts: &mut [Part]) {
    if let Some(Part::Literal { val, .. }) = parts.last_mut() {
        let t = val.trim_end_matches(is_space).len();
        val.truncate(t);
    }
}

/// Removes the common leading white space of the lines of a `<<-` heredoc, as hclsyntax's
/// `flushHeredocTemplateParts` does: only literals that start a line count and change.
fn flush_heredoc_parts(parts: &mut [Part]) {
    use unicode_segmentation::UnicodeSegmentation;
    let mut min_spaces = usize::MAX;
    let mut newline = true;
    let mut adjust = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        if newline {
            newline = false;
            let mut spaces = usize::MAX;
            match part {
                Part::Literal { val, .. } => {
                    let trimmed = val.trim_start_matches(is_space);
                    if !(trimmed.is_empty() && val.ends_with('\n')) {
                        let space_bytes = val.len() - trimmed.len();
                        spaces = val[..space_bytes].graphemes(true).count();
                        adjust.push(i);
                    }
                }
                Part::End { .. } => break,
                _ => spaces = usize::MAX,
            }
            if !matches!(part, Part::Literal { .. }) {
                // Go leaves `spaces` at zero for a line that starts with a sequence.
                spaces = 0;
            }
            min_spaces = min_spaces.min(spaces);
        }
        if let Part::Literal { val, .. } = part
            && val.ends_with('\n')
        {
            newline = true;
        }
    }
    if min_spaces == usize::MAX {
        return;
    }
    for i in adjust {
        if let Part::Literal { val, span } = &mut parts[i] {
            let cut: usize = val.graphemes(true).take(min_spaces).map(str::len).sum();
            val.drain(..cut);
            span.start += cut;
        }
    }
}

fn meld_literals(parts: &mut Vec<Part>) {
    let mut i = 1;
    while i < parts.len() {
        if let (Part::Literal { .. }, Part::Literal { .. }) = (&parts[i - 1], &parts[i]) {
            let Part::Literal { val: v2, span: s2 } = parts.remove(i) else { unreachable!() };
            if let Part::Literal { val, span } = &mut parts[i - 1] {
                val.push_str(&v2);
                span.end = s2.end;
            }
            continue;
        }
        i += 1;
    }
}

struct TemplateParser {
    parts: Vec<Part>,
    pos: usize,
}

impl TemplateParser {
    fn peek(&self) -> &Part {
        &self.parts[self.pos]
    }

    fn read(&mut self) -> Part {
        if matches!(self.parts[self.pos], Part::End { .. }) {
            let Part::End { span } = &self.parts[self.pos] else { unreachable!() };
            return Part::End { span: span.clone() };
        }
        let p = std::mem::replace(&mut self.parts[self.pos], Part::End { span: 0..0 });
        self.pos += 1;
        p
    }

    fn parse_root(&mut self, p: &mut Parser<'_>) -> Vec<Expr> {
        let mut exprs = Vec::new();
        while !matches!(self.peek(), Part::End { .. }) {
            exprs.push(self.parse_expr(p));
        }
        exprs
    }

    fn parse_expr(&mut self, p: &mut Parser<'_>) -> Expr {
        match self.peek() {
            Part::If { .. } => return self.parse_if(p),
            Part::For { .. } => return self.parse_for(p),
            _ => {}
        }
        match self.read() {
            Part::Literal { val, span } => Expr::new(ExprKind::Literal(Value::string(val)), span),
            Part::Interp { expr, .. } => expr,
            Part::End { span } => {
                p.error(
                    "Unexpected end of template",
                    "The control directives within this template are unbalanced.",
                    span.clone(),
                );
                placeholder(span)
            }
            Part::EndCtrl { kind, span } => {
                p.error(
                    &format!("Unexpected {} directive", kind.name()),
                    "The control directives within this template are unbalanced.",
                    span.clone(),
                );
                placeholder(span)
            }
            Part::If { .. } | Part::For { .. } => unreachable!("handled above"),
        }
    }

    fn parse_if(&mut self, p: &mut Parser<'_>) -> Expr {
        let Part::If { cond, span: if_span } = self.read() else { unreachable!() };
        let mut if_exprs = Vec::new();
        let mut else_exprs = Vec::new();
        let mut in_else = false;
        let endif_span;
        loop {
            match self.peek() {
                Part::End { span } => {
                    let span = span.clone();
                    let at = p.range_string(&if_span);
                    p.error(
                        "Unexpected end of template",
                        format!("The if directive at {at} is missing its corresponding endif directive."),
                        span.clone(),
                    );
                    return placeholder(span);
                }
                Part::EndCtrl { .. } => {
                    let Part::EndCtrl { kind, span } = self.read() else { unreachable!() };
                    match kind {
                        EndKind::Else if !in_else => {
                            in_else = true;
                            continue;
                        }
                        EndKind::Else => {
                            let at = p.range_string(&if_span);
                            p.error(
                                "Unexpected else directive",
                                format!("Already in the else clause for the if started at {at}."),
                                span.clone(),
                            );
                        }
                        EndKind::EndIf => {
                            endif_span = span;
                            break;
                        }
                        EndKind::EndFor => {
                            let at = p.range_string(&if_span);
                            p.error(
                                "Unexpected endfor directive",
                                format!("Expecting an endif directive for the if started at {at}."),
                                span.clone(),
                            );
                        }
                    }
                    return placeholder(span);
                }
                _ => {
                    let e = self.parse_expr(p);
                    if in_else { else_exprs.push(e) } else { if_exprs.push(e) }
                }
            }
        }
        if if_exprs.is_empty() {
            if_exprs.push(empty_string(if_span.end));
        }
        if else_exprs.is_empty() {
            else_exprs.push(empty_string(endif_span.start));
        }
        let t_span = between(&if_exprs[0].span, &if_exprs[if_exprs.len() - 1].span);
        let f_span = between(&else_exprs[0].span, &else_exprs[else_exprs.len() - 1].span);
        Expr::new(
            ExprKind::Conditional {
                cond: Box::new(cond),
                if_true: Box::new(Expr::new(ExprKind::Template(if_exprs), t_span)),
                if_false: Box::new(Expr::new(ExprKind::Template(else_exprs), f_span)),
            },
            between(&if_span, &endif_span),
        )
    }

    fn parse_for(&mut self, p: &mut Parser<'_>) -> Expr {
        let Part::For { key, val, coll, span: for_span } = self.read() else { unreachable!() };
        let mut content = Vec::new();
        let endfor_span;
        loop {
            match self.peek() {
                Part::End { span } => {
                    let span = span.clone();
                    let at = p.range_string(&for_span);
                    p.error(
                        "Unexpected end of template",
                        format!("The for directive at {at} is missing its corresponding endfor directive."),
                        span.clone(),
                    );
                    return placeholder(span);
                }
                Part::EndCtrl { .. } => {
                    let Part::EndCtrl { kind, span } = self.read() else { unreachable!() };
                    match kind {
                        EndKind::EndFor => {
                            endfor_span = span;
                            break;
                        }
                        EndKind::Else => p.error(
                            "Unexpected else directive",
                            "An else clause is not expected for a for directive.",
                            span.clone(),
                        ),
                        EndKind::EndIf => {
                            let at = p.range_string(&for_span);
                            p.error(
                                "Unexpected endif directive",
                                format!("Expecting an endfor directive corresponding to the for directive at {at}."),
                                span.clone(),
                            );
                        }
                    }
                    return placeholder(span);
                }
                _ => content.push(self.parse_expr(p)),
            }
        }
        if content.is_empty() {
            content.push(empty_string(for_span.end));
        }
        let c_span = between(&content[0].span, &content[content.len() - 1].span);
        let whole = between(&for_span, &endfor_span);
        let for_expr = ForExpr {
            key_var: key,
            val_var: val,
            coll,
            key: None,
            val: Expr::new(ExprKind::Template(content), c_span),
            cond: None,
            group: false,
            open_span: for_span,
            close_span: endfor_span,
        };
        Expr::new(ExprKind::TemplateJoin(Box::new(Expr::new(ExprKind::For(Box::new(for_expr)), whole.clone()))), whole)
    }
}
