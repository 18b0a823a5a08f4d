//! Byte-exact positions in YAML source text.
//!
//! `yaml-rust2` reports where a node's content starts as a line and a
//! character column (its byte index is not reliable after non-ASCII block
//! scalars), and nothing about where a node ends. This module converts
//! between positions and finds the ends by scanning the original text, so
//! that a node's span covers exactly the text that wrote it: properties
//! (`&anchor`, `!tag`), then the value, without trailing comments.
//!
//! Every function here is total: out-of-range input yields a clamped
//! position, never a panic.

use super::node::{Node, Span};

/// Line starts of a text, for converting between byte offsets and
/// 1-based line / character column. Line breaks are `\n`, `\r\n` and a lone
/// `\r`, as for `yaml-rust2`.
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset of the first character of every line.
    starts: Vec<usize>,
    /// Whether each line is pure ASCII (columns are then byte distances).
    ascii: Vec<bool>,
    /// The last (line, column, byte) conversion, to walk long lines once.
    cache: std::cell::Cell<(usize, usize, usize)>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut ascii = Vec::new();
        let mut line_ascii = true;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'\n' || b == b'\r' {
                i += if b == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                starts.push(i);
                ascii.push(line_ascii);
                line_ascii = true;
                continue;
            }
            line_ascii &= b.is_ascii();
            i += 1;
        }
        ascii.push(line_ascii);
        LineIndex {
            text,
            starts,
            ascii,
            cache: std::cell::Cell::new((0, 0, 0)),
        }
    }

    pub(crate) fn text(&self) -> &'a str {
        self.text
    }

    /// Byte range of a 0-based line's content, without its line break.
    fn line_bounds(&self, line0: usize) -> (usize, usize) {
        let start = self.starts.get(line0).copied().unwrap_or(self.text.len());
        let mut end = self
            .starts
            .get(line0 + 1)
            .copied()
            .unwrap_or(self.text.len());
        let b = self.text.as_bytes();
        while end > start && matches!(b[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        (start, end)
    }

    /// Byte offset of a 1-based line and 0-based character column, clamped
    /// to the end of that line.
    pub(crate) fn offset(&self, line: usize, col: usize) -> usize {
        let line0 = line.saturating_sub(1).min(self.starts.len() - 1);
        let (start, end) = self.line_bounds(line0);
        if self.ascii[line0] {
            return (start + col).min(end);
        }
        let (cl, cc, cb) = self.cache.get();
        let (mut c, mut b) = if cl == line0 && cc <= col && cb >= start {
            (cc, cb)
        } else {
            (0, start)
        };
        let s = &self.text[..end];
        while c < col && b < end {
            b += s[b..].chars().next().map_or(1, char::len_utf8);
            c += 1;
        }
        self.cache.set((line0, c, b));
        b
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub(crate) fn position(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line0 = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.starts[line0];
        let col = if self.ascii[line0] {
            offset - start
        } else {
            let (cl, cc, cb) = self.cache.get();
            let (mut c, mut b) = if cl == line0 && cb <= offset && cb >= start {
                (cc, cb)
            } else {
                (0, start)
            };
            while b < offset {
                b += self.text[b..].chars().next().map_or(1, char::len_utf8);
                c += 1;
            }
            self.cache.set((line0, c, b));
            c
        };
        (line0 as u32 + 1, col as u32 + 1)
    }

    /// Where the comment on the line containing `offset` starts (or the
    /// line's end): a `#` at the start or after a blank, outside quotes.
    pub(crate) fn content_end_of_line(&self, offset: usize) -> usize {
        let (line, _) = self.position(offset);
        let (start, end) = self.line_bounds(line as usize - 1);
        let b = self.text.as_bytes();
        let mut quote = None;
        let mut i = start;
        while i < end {
            let c = b[i];
            match quote {
                Some(q) if c == q => quote = None,
                Some(b'"') if c == b'\\' => i += 1,
                Some(_) => {}
                None if c == b'"' || c == b'\'' => quote = Some(c),
                None if c == b'#' && (i == start || matches!(b[i - 1], b' ' | b'\t')) => return i,
                None => {}
            }
            i += 1;
        }
        end
    }
}

fn is_blank(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

fn is_break(c: u8) -> bool {
    c == b'\n' || c == b'\r'
}

/// Moves `start` back over the node properties (`&anchor`, `!tag`) written
/// before the content at `start`. Scalars only look on their own line;
/// collections also on earlier lines (`key: &a` then the mapping below).
pub(crate) fn with_properties(idx: &LineIndex, start: usize, cross_lines: bool) -> usize {
    let b = idx.text().as_bytes();
    let mut node_start = start.min(b.len());
    let mut i = node_start;
    loop {
        // Skip blanks, and line breaks (with the comments before them).
        while i > 0 && is_blank(b[i - 1]) {
            i -= 1;
        }
        if i > 0 && is_break(b[i - 1]) {
            if !cross_lines {
                return node_start;
            }
            while i > 0 && is_break(b[i - 1]) {
                i -= 1;
            }
            i = idx.content_end_of_line(i.saturating_sub(1)).min(i);
            continue;
        }
        // The token that ends at `i`.
        let end = i;
        while i > 0
            && !is_blank(b[i - 1])
            && !is_break(b[i - 1])
            && !matches!(b[i - 1], b'[' | b'{' | b',')
        {
            i -= 1;
        }
        if i < end && matches!(b[i], b'&' | b'!') {
            node_start = i;
        } else {
            return node_start;
        }
    }
}

/// End of a double- or single-quoted scalar that starts at `start`.
pub(crate) fn quoted_end(text: &str, start: usize) -> Option<usize> {
    let b = text.as_bytes();
    let q = *b.get(start)?;
    if q != b'"' && q != b'\'' {
        return None;
    }
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' if q == b'"' => i += 2,
            c if c == q => {
                if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                    i += 2;
                } else {
                    return Some(i + 1);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// End of a plain scalar starting at `start` whose folded value is `value`:
/// the source is matched against the value, line folds included (one line
/// break folds to a space, `n` breaks to `n - 1` newlines).
pub(crate) fn plain_end(text: &str, start: usize, value: &str) -> usize {
    let src = text.as_bytes();
    let val = value.as_bytes();
    let (mut i, mut j, mut end) = (start, 0, start);
    while j < val.len() && i < src.len() {
        if is_blank(src[i]) || is_break(src[i]) {
            let mut k = i;
            while k < src.len() && is_blank(src[k]) {
                k += 1;
            }
            if k < src.len() && is_break(src[k]) {
                let mut breaks = 0;
                while k < src.len() && is_break(src[k]) {
                    k += if src[k] == b'\r' && src.get(k + 1) == Some(&b'\n') {
                        2
                    } else {
                        1
                    };
                    breaks += 1;
                    while k < src.len() && is_blank(src[k]) {
                        k += 1;
                    }
                }
                let (ch, n) = if breaks == 1 {
                    (b' ', 1)
                } else {
                    (b'\n', breaks - 1)
                };
                match val.get(j..j + n) {
                    Some(folded) if folded.iter().all(|c| *c == ch) => {
                        j += n;
                        i = k;
                        continue;
                    }
                    _ => break,
                }
            }
        }
        if src[i] != val[j] {
            break;
        }
        i += 1;
        j += 1;
        end = i;
    }
    end
}

/// Span of a block scalar (`|` or `>`): from its indicator to the end of
/// its last content line. `from` is where the search for the indicator may
/// start (the end of what came before), `content` where `yaml-rust2` says
/// the content starts, `empty` whether the value has no content lines.
pub(crate) fn block_scalar_span(
    idx: &LineIndex,
    from: usize,
    content: usize,
    empty: bool,
) -> Option<(usize, usize)> {
    let b = idx.text().as_bytes();
    // The indicator is the first `|` or `>` after `from` that is not in a
    // comment and not part of a property.
    let mut i = from.min(b.len());
    let header = loop {
        match b.get(i)? {
            b'|' | b'>' => break i,
            b'#' if i == 0 || is_blank(b[i - 1]) || is_break(b[i - 1]) => {
                while i < b.len() && !is_break(b[i]) {
                    i += 1;
                }
            }
            b'&' | b'!' => {
                while i < b.len() && !is_blank(b[i]) && !is_break(b[i]) {
                    i += 1;
                }
            }
            c if is_blank(*c) || is_break(*c) || matches!(c, b':' | b'-' | b'?') => i += 1,
            // A document end marker before an implicit document.
            b'.' if b[i..].starts_with(b"...") => i += 3,
            _ => return None,
        }
    };
    let mut header_end = header + 1;
    while b
        .get(header_end)
        .is_some_and(|c| matches!(c, b'+' | b'-' | b'1'..=b'9'))
    {
        header_end += 1;
    }
    if empty {
        return Some((header, header_end));
    }
    // Content lines are indented at least as far as the first one.
    let (first_line, col) = idx.position(content);
    let indent = col as usize - 1;
    let mut end = header_end;
    let mut line = first_line as usize - 1;
    while line < idx.starts.len() {
        let (ls, le) = idx.line_bounds(line);
        let lead = b[ls..le].iter().take_while(|c| **c == b' ').count();
        let blank = b[ls..le].iter().all(|c| is_blank(*c));
        if !blank && lead < indent {
            break;
        }
        if indent == 0
            && (b[ls..le].starts_with(b"---") || b[ls..le].starts_with(b"..."))
            && b.get(ls + 3).is_none_or(|c| is_blank(*c) || is_break(*c))
        {
            break;
        }
        if !blank || le - ls > indent {
            end = le;
        }
        line += 1;
    }
    Some((header, end))
}

/// The value of a block scalar whose header starts at `header` and whose last
/// content line ends at `end`, with its trailing line breaks counted from the
/// source as YAML 1.2 (and go-yaml, hence kustomize) count them: `strip` keeps
/// none, `clip` the final one if there is one, `keep` every break after the
/// last content line. yaml-rust2 adds a final break at the end of a file that
/// has none (conformance case 239).
pub(crate) fn chomp_block(body: &str, header: usize, end: usize, text: String) -> String {
    let b = body.as_bytes();
    let mut h = header;
    while b.get(h).is_some_and(|c| !matches!(c, b'|' | b'>')) {
        h += 1;
    }
    let mut chomp = b'c';
    let mut i = h + 1;
    while let Some(c) = b.get(i) {
        match c {
            b'+' | b'-' => chomp = *c,
            b'1'..=b'9' => {}
            _ => break,
        }
        i += 1;
    }
    // Line breaks after the last content line, up to the next line that is
    // not blank (or the end of the file).
    let mut breaks = 0;
    for c in &b[end.min(b.len())..] {
        match c {
            b'\n' => breaks += 1,
            b' ' | b'\t' | b'\r' => {}
            _ => break,
        }
    }
    let wanted = match chomp {
        b'-' => 0,
        // go-yaml (kustomize's parser) keeps one break more than YAML 1.2
        // for a folded `keep` scalar followed by blank lines: measured with
        // `kubectl kustomize` on one to three blank lines, at the end of the
        // file and before another key (conformance case 241).
        b'+' if b[h] == b'>' && breaks >= 2 => breaks + 1,
        b'+' => breaks,
        _ => breaks.min(1),
    };
    let have = text.len() - text.trim_end_matches('\n').len();
    if have == wanted {
        return text;
    }
    let mut out = text.trim_end_matches('\n').to_string();
    out.extend(std::iter::repeat_n('\n', wanted));
    out
}

/// Span of an empty scalar whose context ends at `from` (the end of the key
/// or item before it): its properties if it has any (on the line of its
/// indicator, unless in a `flow` collection), else the empty range just after that indicator (`:`, `-`
/// or `?`), or `from` (or a `---` after it) when there is none (`{a}`).
pub(crate) fn empty_span(text: &str, from: usize, flow: bool) -> (usize, usize) {
    let b = text.as_bytes();
    let skip_blanks = |mut i: usize| {
        while i < b.len() && is_blank(b[i]) {
            i += 1;
        }
        i
    };
    let mut i = from.min(b.len());
    let mut start = i;
    // Blank lines, comments and document markers may come before the indicator.
    loop {
        i = skip_blanks(i);
        match b.get(i) {
            Some(c) if is_break(*c) || *c == b',' => i += 1,
            Some(b'-' | b'.') if b[i..].starts_with(b"---") || b[i..].starts_with(b"...") => {
                i += 3;
                start = i;
            }
            Some(b'#') if i == 0 || is_blank(b[i - 1]) || is_break(b[i - 1]) => {
                while i < b.len() && !is_break(b[i]) {
                    i += 1;
                }
            }
            _ => break,
        }
    }
    let after = match b.get(i) {
        Some(b':' | b'-' | b'?') => i + 1,
        Some(b'&' | b'!') => start,
        _ => return (start, start),
    };
    let mut i = skip_blanks(after);
    // In a flow collection the properties may follow on later lines.
    while flow && b.get(i).is_some_and(|c| is_break(*c)) {
        i = skip_blanks(i + 1);
    }
    let mut props: Option<(usize, usize)> = None;
    while matches!(b.get(i), Some(b'&' | b'!')) {
        let s = i;
        while i < b.len()
            && !is_blank(b[i])
            && !is_break(b[i])
            && !matches!(b[i], b',' | b']' | b'}')
        {
            i += 1;
        }
        props = Some((props.map_or(s, |p| p.0), i));
        i = skip_blanks(i);
    }
    props.unwrap_or((after, after))
}

/// End of a flow collection (just past its `]` or `}`), searched from the
/// end of its last child (or just after its opening bracket).
pub(crate) fn flow_end(text: &str, from: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b']' | b'}' => return Some(i + 1),
            b'#' if i == 0 || is_blank(b[i - 1]) || is_break(b[i - 1]) => {
                while i < b.len() && !is_break(b[i]) {
                    i += 1;
                }
            }
            // Separators, and the indicators of an empty key or value.
            c if is_blank(c) || is_break(c) || matches!(c, b',' | b'?' | b':') => i += 1,
            b'&' | b'!' => {
                while i < b.len()
                    && !is_blank(b[i])
                    && !is_break(b[i])
                    && !matches!(b[i], b',' | b']' | b'}')
                {
                    i += 1;
                }
            }
            _ => return None,
        }
    }
    None
}

/// End of an alias (`*name`) starting at `start`.
pub(crate) fn alias_end(text: &str, start: usize) -> usize {
    let b = text.as_bytes();
    let mut i = start + 1;
    while i < b.len()
        && !is_blank(b[i])
        && !is_break(b[i])
        && !matches!(b[i], b',' | b'[' | b']' | b'{' | b'}')
    {
        i += 1;
    }
    i.min(b.len())
}

impl Span {
    /// The exact source text this span covers, or `""` when the span does not
    /// fit `source` (which must be the whole file the span was loaded from).
    pub fn source_text<'a>(&self, source: &'a str) -> &'a str {
        source.get(self.start..self.end).unwrap_or("")
    }
}

impl Node {
    /// The exact text that wrote this node in `source` (the whole file it was
    /// loaded from): properties (`&anchor`, `!tag`) included, trailing
    /// comments excluded. A block scalar runs from its `|`/`>` indicator to
    /// the end of its last content line (without the line break). A node
    /// that came from an alias gives the alias (`*name`). Replacing exactly
    /// this range replaces the value and nothing else.
    pub fn source_text<'a>(&self, source: &'a str) -> &'a str {
        self.span.source_text(source)
    }
}
