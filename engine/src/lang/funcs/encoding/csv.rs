//! `csvdecode`'s reader: Go's `encoding/csv` with its defaults (comma, `LazyQuotes` off,
//! no comment character, leading space kept), the field count fixed by the header, and
//! its error texts and line numbers.

/// A CSV error as Go's `*csv.ParseError` (the line and the cause).
#[derive(Debug, PartialEq)]
pub(super) struct ParseError {
    pub line: usize,
    pub err: &'static str,
}

const ERR_BARE_QUOTE: &str = "bare \" in non-quoted-field";
const ERR_QUOTE: &str = "extraneous or missing \" in quoted-field";
const ERR_FIELD_COUNT: &str = "wrong number of fields";

pub(super) struct Reader<'a> {
    s: &'a str,
    at: usize,
    num_line: usize,
    /// The number of fields every record must have (0: set by the first record).
    pub fields_per_record: usize,
}

fn length_nl(line: &str) -> usize {
    usize::from(line.ends_with('\n'))
}

impl<'a> Reader<'a> {
    pub(super) fn new(s: &'a str) -> Reader<'a> {
        Reader { s, at: 0, num_line: 0, fields_per_record: 0 }
    }

    /// Go's `readLine`: the next line with its newline (`\r\n` made `\n`, a final `\r`
    /// dropped); `None` at the end of the input.
    fn read_line(&mut self) -> Option<String> {
        let rest = &self.s[self.at..];
        self.num_line += 1;
        if rest.is_empty() {
            return None;
        }
        let end = rest.find('\n').map_or(rest.len(), |i| i + 1);
        let mut line = rest[..end].to_string();
        self.at += end;
        if !line.ends_with('\n') && line.ends_with('\r') {
            line.pop();
        }
        if line.ends_with("\r\n") {
            line.truncate(line.len() - 2);
            line.push('\n');
        }
        Some(line)
    }

    /// Go's `Reader.Read`: the next record, `Ok(None)` at the end.
    pub(super) fn read(&mut self) -> Result<Option<Vec<String>>, ParseError> {
        let mut line = loop {
            match self.read_line() {
                None => return Ok(None),
                Some(l) if l.len() == length_nl(&l) => continue,
                Some(l) => break l,
            }
        };
        let rec_line = self.num_line;
        let mut pos_line = self.num_line;
        let mut fields: Vec<String> = Vec::new();
        let mut err = None;
        'field: loop {
            if !line.starts_with('"') {
                let i = line.find(',');
                let field = match i {
                    Some(i) => &line[..i],
                    None => &line[..line.len() - length_nl(&line)],
                };
                if field.contains('"') {
                    err = Some(ParseError { line: self.num_line, err: ERR_BARE_QUOTE });
                    break 'field;
                }
                fields.push(field.to_string());
                match i {
                    Some(i) => {
                        line = line[i + 1..].to_string();
                        continue 'field;
                    }
                    None => break 'field,
                }
            }
            // A quoted field, possibly over several lines.
            line = line[1..].to_string();
            let mut buf = String::new();
            loop {
                if let Some(i) = line.find('"') {
                    buf.push_str(&line[..i]);
                    line = line[i + 1..].to_string();
                    if line.starts_with('"') {
                        buf.push('"');
                        line = line[1..].to_string();
                    } else if line.starts_with(',') {
                        line = line[1..].to_string();
                        fields.push(std::mem::take(&mut buf));
                        continue 'field;
                    } else if length_nl(&line) == line.len() {
                        fields.push(std::mem::take(&mut buf));
                        break 'field;
                    } else {
                        err = Some(ParseError { line: self.num_line, err: ERR_QUOTE });
                        break 'field;
                    }
                } else if !line.is_empty() {
                    buf.push_str(&line);
                    match self.read_line() {
                        Some(l) => {
                            if !l.is_empty() {
                                pos_line += 1;
                            }
                            line = l;
                        }
                        None => line = String::new(),
                    }
                } else {
                    err = Some(ParseError { line: pos_line, err: ERR_QUOTE });
                    break 'field;
                }
            }
        }
        if let Some(e) = err {
            return Err(e);
        }
        if self.fields_per_record > 0 {
            if fields.len() != self.fields_per_record {
                return Err(ParseError { line: rec_line, err: ERR_FIELD_COUNT });
            }
        } else {
            self.fields_per_record = fields.len();
        }
        Ok(Some(fields))
    }
}

impl std::fmt::Display for ParseError {
    /// cty's `csvError` wording.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CSV parse error on line {}: {}", self.line, self.err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(s: &str) -> Result<Vec<Vec<String>>, String> {
        let mut r = Reader::new(s);
        let mut out = Vec::new();
        while let Some(rec) = r.read().map_err(|e| e.to_string())? {
            out.push(rec);
        }
        Ok(out)
    }

    #[test]
    fn as_go() {
        assert_eq!(all("a,b\r\n1,2\r\n").unwrap(), vec![vec!["a", "b"], vec!["1", "2"]]);
        assert_eq!(all("a\n\"x\ny\"").unwrap(), vec![vec!["a"], vec!["x\ny"]]);
        assert_eq!(all("a,b\n\"q\"\"uote\",2").unwrap()[1], vec!["q\"uote", "2"]);
        assert_eq!(all("a\n1\n\n2").unwrap().len(), 3);
        assert_eq!(all("a,b\n1").unwrap_err(), "CSV parse error on line 2: wrong number of fields");
        assert_eq!(
            all("a,b\n\"unterminated,2").unwrap_err(),
            "CSV parse error on line 2: extraneous or missing \" in quoted-field"
        );
        assert_eq!(all("a,b\"c").unwrap_err(), "CSV parse error on line 1: bare \" in non-quoted-field");
        assert_eq!(all("a,\"b\"c").unwrap_err(), "CSV parse error on line 1: extraneous or missing \" in quoted-field");
        assert_eq!(all("a,\"\"").unwrap(), vec![vec!["a", ""]]);
    }
}
