//! Diagnostics: errors and warnings that point at a file, line and column with the source
//! snippet underlined.

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, Config};
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

pub type FileId = usize;

/// Every source file a run has read, so diagnostics can show snippets.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Path as shown to users (relative to the working directory where possible).
    pub name: String,
    pub text: Arc<str>,
}

impl SourceMap {
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<Arc<str>>) -> FileId {
        self.files.push(SourceFile { name: name.into(), text: text.into() });
        self.files.len() - 1
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id)
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate()
    }

    /// A range as HCL's `Range.String()` writes it: `main.tf:3,1-19`, or
    /// `main.tf:3,1-5,2` across lines.
    pub fn range_string(&self, r: &SourceRange) -> String {
        let Some(file) = self.files.get(r.file) else { return String::new() };
        let (l1, c1) = line_col(&file.text, r.span.start);
        let (l2, c2) = line_col(&file.text, r.span.end);
        if l1 == l2 { format!("{}:{l1},{c1}-{c2}", file.name) } else { format!("{}:{l1},{c1}-{l2},{c2}", file.name) }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, id: FileId, offset: usize) -> (usize, usize) {
        let Some(file) = self.files.get(id) else { return (0, 0) };
        line_col(&file.text, offset)
    }
}

/// 1-based line and column (in characters) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A source file's bytes as text: each invalid UTF-8 sequence replaced by U+FFFD, so that its
/// diagnostics still show lines and snippets, with the map from offsets in the bytes (which
/// the parser reports) to offsets in the text.
pub struct Decoded {
    pub text: String,
    /// Each replaced sequence: its offset and length in the bytes, its offset in the text.
    replaced: Vec<(usize, usize, usize)>,
}

impl Decoded {
    pub fn new(bytes: &[u8]) -> Decoded {
        let mut text = String::with_capacity(bytes.len());
        let mut replaced = Vec::new();
        let mut raw = 0;
        for chunk in bytes.utf8_chunks() {
            text.push_str(chunk.valid());
            raw += chunk.valid().len();
            if !chunk.invalid().is_empty() {
                replaced.push((raw, chunk.invalid().len(), text.len()));
                text.push(char::REPLACEMENT_CHARACTER);
                raw += chunk.invalid().len();
            }
        }
        Decoded { text, replaced }
    }

    /// The offset in the text of the first byte that is not UTF-8.
    pub fn first_invalid(&self) -> Option<usize> {
        self.replaced.first().map(|r| r.2)
    }

    /// The text offset of byte offset `raw`: inside a replaced sequence, the replacement's
    /// start (at the sequence's start) or end.
    pub fn offset(&self, raw: usize) -> usize {
        let mut shift: isize = 0;
        for &(start, len, at) in &self.replaced {
            if raw < start {
                break;
            }
            if raw == start {
                return at;
            }
            if raw <= start + len {
                return at + char::REPLACEMENT_CHARACTER.len_utf8();
            }
            shift = (at + char::REPLACEMENT_CHARACTER.len_utf8()) as isize - (start + len) as isize;
        }
        (raw as isize + shift) as usize
    }

    pub fn span(&self, r: &Range<usize>) -> Range<usize> {
        if self.replaced.is_empty() { r.clone() } else { self.offset(r.start)..self.offset(r.end) }
    }
}

/// Terraform's error for a file that is not UTF-8, at the first invalid byte (`offset` in the
/// text [`Decoded`] made).
pub fn invalid_encoding(file: FileId, offset: usize) -> Diagnostic {
    Diagnostic::error(
        "Invalid character encoding",
        "All input files must be UTF-8 encoded. Ensure that UTF-8 encoding is selected in your editor.",
    )
    .at(SourceRange::new(file, offset..offset + char::REPLACEMENT_CHARACTER.len_utf8()))
}

/// A byte range in one source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceRange {
    pub file: FileId,
    pub span: Range<usize>,
}

impl SourceRange {
    pub fn new(file: FileId, span: Range<usize>) -> SourceRange {
        SourceRange { file, span }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    pub range: Option<SourceRange>,
    /// Extra labelled places ("the cycle continues here").
    pub related: Vec<(SourceRange, String)>,
    /// The top-level argument of a block the diagnostic is about, from one that does not know
    /// the source (a provider's validation): whoever places it points at that argument's
    /// expression rather than the whole block, as Terraform places attribute diagnostics.
    /// (A thin box: the diagnostic stays small enough to be an error type.)
    pub attribute: Option<Box<String>>,
}

impl Diagnostic {
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            range: None,
            related: Vec::new(),
            attribute: None,
        }
    }

    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(summary, detail) }
    }

    pub fn at(mut self, range: impl Into<Option<SourceRange>>) -> Diagnostic {
        self.range = range.into();
        self
    }

    /// Says which top-level argument the diagnostic is about ([`Diagnostic::attribute`]).
    pub fn about_attribute(mut self, name: impl Into<String>) -> Diagnostic {
        self.attribute = Some(Box::new(name.into()));
        self
    }

    pub fn with_related(mut self, range: SourceRange, label: impl Into<String>) -> Diagnostic {
        self.related.push((range, label.into()));
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:col` of the diagnostic, when it has a place.
    pub fn location(&self, sources: &SourceMap) -> Option<String> {
        let r = self.range.as_ref()?;
        let file = sources.get(r.file)?;
        let (l, c) = line_col(&file.text, r.span.start);
        Some(format!("{}:{l}:{c}", file.name))
    }

    /// JSON in the shape of `terraform validate -json` diagnostics.
    pub fn to_json(&self, sources: &SourceMap) -> serde_json::Value {
        let range = self.range.as_ref().and_then(|r| {
            let file = sources.get(r.file)?;
            let (sl, sc) = line_col(&file.text, r.span.start);
            let (el, ec) = line_col(&file.text, r.span.end);
            Some(serde_json::json!({
                "filename": file.name,
                "start": {"line": sl, "column": sc, "byte": r.span.start},
                "end": {"line": el, "column": ec, "byte": r.span.end},
            }))
        });
        serde_json::json!({
            "severity": match self.severity { Severity::Error => "error", Severity::Warning => "warning" },
            "summary": self.summary,
            "detail": self.detail,
            "range": range,
        })
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "Error",
            Severity::Warning => "Warning",
        };
        write!(f, "{sev}: {}", self.summary)?;
        if !self.detail.is_empty() {
            write!(f, "\n\n{}", self.detail)?;
        }
        Ok(())
    }
}

/// A list of diagnostics, as every loading and evaluating step returns them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics(Vec::new())
    }
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }
    /// `Err(self)` when any diagnostic is an error.
    pub fn into_result(self) -> Result<Diagnostics, Diagnostics> {
        if self.has_errors() { Err(self) } else { Ok(self) }
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

/// Renders diagnostics with their source snippets, in colour when `color` is set.
pub fn render(diags: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    let mut files = SimpleFiles::new();
    for (_, file) in sources.files() {
        files.add(file.name.clone(), file.text.clone());
    }
    let config = Config::default();
    let mut out = String::new();
    for d in diags {
        let severity = match d.severity {
            Severity::Error => CsSeverity::Error,
            Severity::Warning => CsSeverity::Warning,
        };
        let mut cs = CsDiagnostic::new(severity).with_message(&d.summary);
        let mut labels = Vec::new();
        if let Some(r) = &d.range {
            labels.push(Label::primary(r.file, clamp(r, sources)));
        }
        for (r, label) in &d.related {
            labels.push(Label::secondary(r.file, clamp(r, sources)).with_message(label));
        }
        cs = cs.with_labels(labels);
        if !d.detail.is_empty() {
            cs = cs.with_notes(vec![d.detail.clone()]);
        }
        if color {
            let mut buf = term_buffer();
            if term::emit_to_write_style(&mut buf, &config, &files, &cs).is_ok() {
                out.push_str(&String::from_utf8_lossy(buf.as_slice()));
                continue;
            }
        }
        match term::emit_into_string(&config, &files, &cs) {
            Ok(s) => out.push_str(&s),
            Err(_) => {
                out.push_str(&d.to_string());
                out.push('\n');
            }
        }
    }
    out
}

fn term_buffer() -> codespan_reporting::term::termcolor::Buffer {
    codespan_reporting::term::termcolor::Buffer::ansi()
}

fn clamp(r: &SourceRange, sources: &SourceMap) -> Range<usize> {
    let len = sources.get(r.file).map_or(0, |f| f.text.len());
    let start = r.span.start.min(len);
    start..r.span.end.clamp(start, len)
}

/// "Did you mean ...?" for a misspelt name, when one candidate is close enough.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    // Terraform's `didyoumean.NameSuggestion` (edit distance under 3), over the candidates in
    // sorted order: where Terraform takes them from a map, and so may answer differently
    // from run to run, terrane always gives the nearest, then the first in order.
    let mut sorted: Vec<&str> = candidates.into_iter().collect();
    sorted.sort_unstable();
    crate::hcl::best_suggestion(name, sorted).map(|c| format!(" Did you mean {}?", crate::cty::ty::go_quote(c)))
}

/// An error with its causes, as Go prints a wrapped error ("error sending request: client
/// error (Connect): tcp connect error: Connection refused"): the underlying causes say what
/// actually failed. A cause already quoted by the message before it is not repeated.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut why = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !why.contains(&text) {
            why.push_str(": ");
            why.push_str(&text);
        }
        source = cause.source();
    }
    why
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let text = "a = 1\nbé = \"x\"\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        // "é" is two bytes: the '=' is the 4th character of line 2.
        assert_eq!(line_col(text, 10), (2, 4));
    }

    #[test]
    fn render_shows_file_line_col_and_snippet() {
        let mut sources = SourceMap::default();
        let f = sources.add("main.tf", "locals {\n  a = var.nam\n}\n");
        let d = Diagnostic::error("Reference to undeclared input variable", "Did you mean \"name\"?")
            .at(SourceRange::new(f, 15..22));
        let out = render(&[d], &sources, false);
        assert!(out.contains("main.tf:2:7"), "{out}");
        assert!(out.contains("a = var.nam"), "{out}");
        assert!(out.contains("^^^^^^^"), "{out}");
    }

    #[test]
    fn did_you_mean_finds_close_names() {
        assert_eq!(did_you_mean("nmae", ["name", "other"]).as_deref(), Some(" Did you mean \"name\"?"));
        assert_eq!(did_you_mean("zzz", ["name"]), None);
    }
}
