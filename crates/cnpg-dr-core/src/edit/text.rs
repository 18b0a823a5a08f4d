//! Text-level helpers of the editor: positions, lines, scalar extents and
//! scalar formatting. Everything here works on the file's bytes; nothing
//! re-indents or re-flows what it does not own.

use crate::yaml::{ScalarStyle, Span};

/// The line break a file uses: the first one found, LF when there is none.
pub fn newline_of(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// The byte offset of a node's first character, from its 1-based line and
/// column (in characters). Line and column do not depend on whether the
/// loader counts `span.start` in bytes or characters, so they are the
/// anchor; `span.start` is only used to confirm the result when it agrees.
pub fn offset_of(text: &str, span: &Span) -> Option<usize> {
    if span.line == 0 || span.column == 0 {
        return None;
    }
    let bytes = text.as_bytes();
    let mut line = 1u32;
    let mut i = 0usize;
    while line < span.line {
        match bytes.get(i)? {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                i += 2;
                line += 1;
            }
            b'\n' | b'\r' => {
                i += 1;
                line += 1;
            }
            _ => i += 1,
        }
    }
    let mut chars = text.get(i..)?.char_indices();
    for _ in 1..span.column {
        let (_, c) = chars.next()?;
        if c == '\n' || c == '\r' {
            return None;
        }
    }
    let offset = match chars.next() {
        Some((o, _)) => i + o,
        None => text.len(),
    };
    Some(offset)
}

/// Start of the line holding `offset`.
pub fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// End of the line holding `offset`, after its line break (or the end of the text).
pub fn line_end_incl(text: &str, offset: usize) -> usize {
    text[offset..]
        .find('\n')
        .map_or(text.len(), |i| offset + i + 1)
}

/// The line content without its line break.
pub fn line_content(line: &str) -> &str {
    line.trim_end_matches(['\n', '\r'])
}

/// Leading spaces of a line.
pub fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// A blank line or a line holding only a comment.
pub fn is_trivia(line: &str) -> bool {
    let t = line_content(line).trim();
    t.is_empty() || t.starts_with('#')
}

/// `---` or `...` at the start of a line: a document boundary.
pub fn is_document_marker(line: &str) -> bool {
    let c = line_content(line);
    (c.starts_with("---") || c.starts_with("..."))
        && c[3..]
            .chars()
            .next()
            .is_none_or(|ch| ch == ' ' || ch == '\t')
}

/// The column (in characters) of `offset` on its line.
pub fn column_of(text: &str, offset: usize) -> usize {
    text[line_start(text, offset)..offset].chars().count()
}

/// Why a scalar cannot be replaced in place.
pub type ExtentError = String;

/// The byte range `[start, end)` of the scalar that starts at `start`:
/// quotes included for quoted scalars, trailing blanks and comments excluded
/// for plain ones. `flow` tells whether the scalar sits in a flow collection.
/// `expect` is the scalar's text as the loader read it: a plain scalar whose
/// first line is not the whole of it (a multi-line plain scalar) is refused.
pub fn scalar_extent(
    text: &str,
    start: usize,
    style: ScalarStyle,
    flow: bool,
    expect: &str,
) -> Result<usize, ExtentError> {
    let rest = text.get(start..).ok_or("position outside the file")?;
    match style {
        ScalarStyle::DoubleQuoted => {
            if !rest.starts_with('"') {
                return Err("a double-quoted scalar does not start with a quote here".into());
            }
            let mut chars = rest.char_indices().skip(1);
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        chars.next();
                    }
                    '"' => return Ok(start + i + 1),
                    _ => {}
                }
            }
            Err("unterminated double-quoted scalar".into())
        }
        ScalarStyle::SingleQuoted => {
            if !rest.starts_with('\'') {
                return Err("a single-quoted scalar does not start with a quote here".into());
            }
            let b = rest.as_bytes();
            let mut i = 1;
            while i < b.len() {
                if b[i] == b'\'' {
                    if b.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    return Ok(start + i + 1);
                }
                i += 1;
            }
            Err("unterminated single-quoted scalar".into())
        }
        ScalarStyle::Plain => {
            let line = &rest[..rest.find(['\n', '\r']).unwrap_or(rest.len())];
            let mut end = line.len();
            let b = line.as_bytes();
            for i in 0..b.len() {
                let prev_blank = i > 0 && (b[i - 1] == b' ' || b[i - 1] == b'\t');
                if b[i] == b'#' && prev_blank {
                    end = i;
                    break;
                }
                if flow && matches!(b[i], b',' | b']' | b'}') {
                    end = i;
                    break;
                }
                if b[i] == b':' && (i + 1 == b.len() || matches!(b[i + 1], b' ' | b'\t')) {
                    end = i;
                    break;
                }
            }
            let value = line[..end].trim_end_matches([' ', '\t']);
            if value != expect {
                return Err(format!(
                    "the plain scalar continues past its first line ({value:?} of {expect:?})"
                ));
            }
            Ok(start + value.len())
        }
        ScalarStyle::Literal | ScalarStyle::Folded => {
            Err("block scalars (| and >) are not edited in place".into())
        }
    }
}

/// True when `value` reads back as the same string written plain, in block
/// or flow context: no indicator, no comment, nothing YAML 1.1 or 1.2 would
/// type as a bool, null, number or timestamp.
pub fn plain_safe(value: &str, flow: bool) -> bool {
    let Some(first) = value.chars().next() else {
        return false;
    };
    if value.trim() != value
        || "-?:,[]{}#&*!|>'\"%@`".contains(first)
        || value.ends_with(':')
        || value.contains(": ")
        || value.contains(" #")
        || value
            .chars()
            .any(|c| c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}'))
        || (flow && value.contains([',', '[', ']', '{', '}']))
    {
        return false;
    }
    !looks_typed(value)
}

/// Plain texts that some YAML schema types as something other than a string.
fn looks_typed(v: &str) -> bool {
    const WORDS: &[&str] = &[
        "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "y", "Y",
        "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
        "=", "<<",
    ];
    if WORDS.contains(&v) {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if matches!(unsigned, ".inf" | ".nan") {
        return true;
    }
    // Anything starting like a number (ints, floats, 0x/0o/0b, sexagesimal,
    // 1_000, timestamps) is quoted: cheaper than knowing every schema.
    let mut chars = unsigned.chars();
    match chars.next() {
        Some(c) if c.is_ascii_digit() => true,
        Some('.') => chars.next().is_some_and(|c| c.is_ascii_digit()),
        _ => false,
    }
}

/// A double-quoted YAML scalar with every character that needs it escaped.
pub fn double_quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            '\u{85}' => out.push_str("\\N"),
            '\u{a0}' => out.push_str("\\_"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c == '\u{feff}' || (c.is_control() && (c as u32) <= 0xffff) => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A single-quoted scalar, or None when the value has characters that a
/// single-quoted scalar cannot hold verbatim (line breaks fold, controls).
pub fn single_quoted(value: &str) -> Option<String> {
    if value
        .chars()
        .any(|c| c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}'))
    {
        return None;
    }
    Some(format!("'{}'", value.replace('\'', "''")))
}

/// How a string is written in place of a scalar of `style`: plain stays plain
/// when the value allows it, quoted stays quoted (single-quoted turns double
/// when the value needs escapes). Returns the text and the style it has.
pub fn format_string(value: &str, style: ScalarStyle, flow: bool) -> (String, ScalarStyle) {
    match style {
        ScalarStyle::Plain if plain_safe(value, flow) => (value.to_string(), ScalarStyle::Plain),
        ScalarStyle::SingleQuoted => match single_quoted(value) {
            Some(s) => (s, ScalarStyle::SingleQuoted),
            None => (double_quoted(value), ScalarStyle::DoubleQuoted),
        },
        _ => (double_quoted(value), ScalarStyle::DoubleQuoted),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::sync::Arc;

    fn span(line: u32, column: u32) -> Span {
        Span {
            file: Arc::from(Path::new("t")),
            line,
            column,
            start: 0,
            end: 0,
        }
    }

    #[test]
    fn offsets_from_line_and_column_handle_crlf_and_unicode() {
        let text = "a: é\r\nb: \"x\"\n";
        assert_eq!(offset_of(text, &span(2, 4)), Some(10));
        assert_eq!(&text[10..11], "\"");
        assert_eq!(offset_of(text, &span(1, 4)), Some(3));
        assert_eq!(offset_of(text, &span(9, 1)), None);
    }

    #[test]
    fn extents() {
        let t = "k: \"a\\\"b\" # c\n";
        assert_eq!(
            scalar_extent(t, 3, ScalarStyle::DoubleQuoted, false, "a\"b"),
            Ok(9)
        );
        let t = "k: 'it''s' # c\n";
        assert_eq!(
            scalar_extent(t, 3, ScalarStyle::SingleQuoted, false, "it's"),
            Ok(10)
        );
        let t = "k: v-1 # c\r\n";
        assert_eq!(scalar_extent(t, 3, ScalarStyle::Plain, false, "v-1"), Ok(6));
        let t = "k: {a: v-1, b: 2}\n";
        assert_eq!(scalar_extent(t, 7, ScalarStyle::Plain, true, "v-1"), Ok(10));
        let t = "k: a#b\n";
        assert_eq!(scalar_extent(t, 3, ScalarStyle::Plain, false, "a#b"), Ok(6));
        let t = "k: one\n  two\n";
        assert!(scalar_extent(t, 3, ScalarStyle::Plain, false, "one two").is_err());
    }

    #[test]
    fn quoting() {
        assert!(plain_safe("paperless-database-v3", false));
        assert!(plain_safe("s3://bucket/x", false));
        for bad in [
            "",
            "yes",
            "null",
            "1",
            "1.5",
            "0x1f",
            "2025-01-01",
            "-x",
            "a: b",
            "a #b",
            " a",
            "on",
            ".5",
            "*x",
            "a\nb",
        ] {
            assert!(!plain_safe(bad, false), "{bad:?}");
        }
        assert!(!plain_safe("a,b", true));
        assert_eq!(double_quoted("a\"b\\c\n\u{1}"), "\"a\\\"b\\\\c\\n\\x01\"");
        assert_eq!(single_quoted("it's").as_deref(), Some("'it''s'"));
        assert_eq!(
            format_string("a\tb", ScalarStyle::SingleQuoted, false),
            ("\"a\\tb\"".to_string(), ScalarStyle::DoubleQuoted)
        );
        assert_eq!(
            format_string("true", ScalarStyle::Plain, false),
            ("\"true\"".to_string(), ScalarStyle::DoubleQuoted)
        );
    }
}
