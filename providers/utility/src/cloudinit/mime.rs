//! The document: the plugin's `renderPartsToWriter` over Go's `mime/multipart.Writer`.

/// One `part` block, with `content_type` defaulted.
pub(crate) struct Part<'a> {
    pub content_type: &'a str,
    pub content: &'a str,
    pub filename: &'a str,
    pub merge_type: &'a str,
}

/// Go's `multipart.Writer.SetBoundary` check (RFC 2046 §5.1.1).
pub(crate) fn check_boundary(boundary: &str) -> Result<(), &'static str> {
    if boundary.is_empty() || boundary.len() > 70 {
        return Err("mime: invalid boundary length");
    }
    let end = boundary.len() - 1;
    for (i, b) in boundary.char_indices() {
        let ok = b.is_ascii_alphanumeric()
            || matches!(b, '\'' | '(' | ')' | '+' | '_' | ',' | '-' | '.' | '/' | ':' | '=' | '?')
            || (b == ' ' && i != end);
        if !ok {
            return Err("mime: invalid boundary character");
        }
    }
    Ok(())
}

/// The MIME document: the plugin's two header lines (the first ends in a bare `\n`, as it
/// writes it), then each part as `multipart.Writer.CreatePart` writes it (headers sorted by
/// their canonical names, so `Mime-Version`), then the closing delimiter.
pub(crate) fn render(boundary: &str, parts: &[Part<'_>]) -> Result<String, &'static str> {
    check_boundary(boundary)?;
    let mut out = format!("Content-Type: multipart/mixed; boundary=\"{boundary}\"\nMIME-Version: 1.0\r\n\r\n");
    for (i, p) in parts.iter().enumerate() {
        let mut headers = vec![
            ("Content-Type", p.content_type.to_string()),
            ("Mime-Version", "1.0".to_string()),
            ("Content-Transfer-Encoding", "7bit".to_string()),
        ];
        if !p.filename.is_empty() {
            headers.push(("Content-Disposition", format!("attachment; filename=\"{}\"", p.filename)));
        }
        if !p.merge_type.is_empty() {
            headers.push(("X-Merge-Type", p.merge_type.to_string()));
        }
        headers.sort();
        out.push_str(if i == 0 { "--" } else { "\r\n--" });
        out.push_str(boundary);
        out.push_str("\r\n");
        for (k, v) in headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str("\r\n");
        out.push_str(p.content);
    }
    out.push_str(&format!("\r\n--{boundary}--\r\n"));
    Ok(out)
}
