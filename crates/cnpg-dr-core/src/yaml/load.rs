//! Loading YAML text into [`Node`] trees with exact spans, on top of
//! `yaml-rust2`.
//!
//! The loader is the only place that sees untrusted bytes, so every failure
//! is a [`LoadError`] with a file, line and column, and hostile input fails
//! fast: size is checked before anything else, alias expansion is counted
//! as nodes are created, nesting is capped, and `yaml-rust2` is driven one
//! event at a time (its own `load` recurses once per nesting level).
//!
//! Anchors, aliases and `<<` merge keys are expanded on load, the way
//! kustomize does before anything else sees a document.

use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;

use super::builder::{Builder, Failure};
use super::node::Node;
use super::resolve::Schema;
use super::source::LineIndex;

/// Hard limits that keep hostile input from exhausting time or memory, and
/// the rules (which differ between kustomize's file kinds) for merge keys
/// and duplicate keys.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadLimits {
    /// Largest accepted file, in bytes.
    pub max_bytes: usize,
    /// Deepest accepted nesting of collections (aliases included).
    pub max_depth: usize,
    /// Most nodes that alias expansion may create in one file.
    pub max_alias_nodes: usize,
    /// Whose rules expand `<<` merge keys: [`Schema::Kyaml`] (resources and
    /// strategic-merge patches: explicit keys always win, a quoted `"<<"`
    /// key is dropped) or [`Schema::Yaml11`] (kustomization files and JSON
    /// 6902 ops: entries apply in order, so a merge overrides the keys
    /// written before it).
    pub schema: Schema,
    /// What to do with a key written twice in one mapping.
    pub duplicate_keys: DuplicateKeys,
}

/// What the loader does with a key written twice in one mapping (keys are
/// compared as written, like go-yaml v3 does).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DuplicateKeys {
    /// Keep both entries. kustomize reads resources and patches this way;
    /// [`Mapping::get`](super::Mapping::get) then finds the first (as kyaml's merge does) and
    /// exporting with `Schema::Kyaml` fails like kustomize's output step.
    #[default]
    Keep,
    /// Fail the load, naming both lines.
    Error,
    /// Keep the last value, in the place of the first key: go-yaml v2
    /// (kustomization files and JSON 6902 ops) decodes this way.
    LastWins,
}

impl Default for LoadLimits {
    fn default() -> Self {
        LoadLimits::kyaml()
    }
}

impl LoadLimits {
    /// Limits for resources and strategic-merge patches (go-yaml v3 via
    /// kyaml): duplicate keys are kept, merge keys follow kyaml.
    pub fn kyaml() -> Self {
        LoadLimits {
            max_bytes: 16 * 1024 * 1024,
            max_depth: 256,
            max_alias_nodes: 100_000,
            schema: Schema::Kyaml,
            duplicate_keys: DuplicateKeys::Keep,
        }
    }

    /// Limits for kustomization files and JSON 6902 op documents (go-yaml v2
    /// via `sigs.k8s.io/yaml`): the last duplicate wins, merges apply in order.
    pub fn yaml11() -> Self {
        LoadLimits {
            schema: Schema::Yaml11,
            duplicate_keys: DuplicateKeys::LastWins,
            ..LoadLimits::kyaml()
        }
    }
}

/// Why a YAML text could not be loaded; always with a position.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}", file = file.display())]
pub struct LoadError {
    pub file: Arc<Path>,
    pub line: u32,
    pub column: u32,
    /// Byte offset of the problem in the file.
    pub offset: usize,
    pub message: String,
    pub kind: LoadErrorKind,
}

/// The causes of [`LoadError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadErrorKind {
    /// The file is larger than [`LoadLimits::max_bytes`].
    TooLarge,
    /// The bytes are not UTF-8.
    InvalidUtf8,
    /// The text is not YAML.
    Syntax,
    /// A tab is used where YAML needs spaces (indentation).
    Tab,
    /// Collections nest deeper than [`LoadLimits::max_depth`].
    TooDeep,
    /// Aliases expand to more than [`LoadLimits::max_alias_nodes`] nodes.
    AliasExpansion,
    /// An alias names no anchor defined before it.
    UnknownAnchor,
    /// A key written twice, with [`DuplicateKeys::Error`].
    DuplicateKey {
        key: String,
        first_line: u32,
        first_column: u32,
    },
    /// A `<<` merge key whose value is not a mapping or a list of mappings.
    Merge,
}

/// Parses every document of `bytes`, which must be UTF-8: the first byte
/// that is not is reported with its line and column.
pub fn load_bytes(
    bytes: &[u8],
    file: Arc<Path>,
    limits: &LoadLimits,
) -> Result<Vec<Node>, LoadError> {
    check_size(bytes.len(), &file, limits)?;
    match std::str::from_utf8(bytes) {
        Ok(text) => load_str(text, file, limits),
        Err(e) => {
            let at = e.valid_up_to();
            // The prefix before the bad byte is valid, so it can be indexed.
            let prefix = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
            let (line, column) = LineIndex::new(prefix).position(at);
            Err(LoadError {
                message: format!(
                    "byte 0x{:02X} at line {line}, column {column} is not valid UTF-8; YAML files must be UTF-8 (kustomize: yaml: invalid leading UTF-8 octet)",
                    bytes[at]
                ),
                file,
                line,
                column,
                offset: at,
                kind: LoadErrorKind::InvalidUtf8,
            })
        }
    }
}

fn check_size(len: usize, file: &Arc<Path>, limits: &LoadLimits) -> Result<(), LoadError> {
    if len <= limits.max_bytes {
        return Ok(());
    }
    Err(LoadError {
        file: file.clone(),
        line: 1,
        column: 1,
        offset: 0,
        message: format!(
            "file is {len} bytes, larger than the limit of {} bytes",
            limits.max_bytes
        ),
        kind: LoadErrorKind::TooLarge,
    })
}

/// The error `yaml-rust2` gives for `key:<TAB>value`, which go-yaml accepts.
pub(super) const TAB_AFTER_COLON: &str = "':' must be followed by a valid YAML whitespace";

/// Parses every document of `text`. `file` is recorded in every span; spans
/// are byte offsets into `text` (a leading BOM included). An empty or
/// comment-only text has no documents.
pub fn load_str(text: &str, file: Arc<Path>, limits: &LoadLimits) -> Result<Vec<Node>, LoadError> {
    check_size(text.len(), &file, limits)?;
    // yaml-rust2 would read a byte order mark as part of the first key.
    let base = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let body = &text[base..];
    let idx = LineIndex::new(body);
    // go-yaml accepts a tab after a mapping's `:`, yaml-rust2 does not. Each
    // such tab is replaced by a space (same length, so every offset holds)
    // and parsing starts over, within a budget of re-parsed bytes.
    let mut parse_text = match spaces_for_tabs_after_colons(body) {
        Some(repaired) => Cow::Owned(repaired),
        None => Cow::Borrowed(body),
    };
    let mut budget = 64 * 1024 * 1024usize;
    loop {
        let mut b = Builder::new(&idx, base, file.clone(), limits);
        match b.run(&parse_text) {
            Ok(()) => return Ok(b.docs),
            Err(Failure::Load(e)) => return Err(e),
            Err(Failure::Scan(e)) => {
                let at = idx.offset(e.marker().line(), e.marker().col());
                if e.info() == TAB_AFTER_COLON && budget >= body.len() {
                    if let Some(tab) = tab_after_colon(body.as_bytes(), at) {
                        budget -= body.len().max(1);
                        let mut owned = parse_text.into_owned();
                        owned.replace_range(tab..tab + 1, " ");
                        parse_text = Cow::Owned(owned);
                        continue;
                    }
                }
                return Err(b.scan_error(&e));
            }
        }
    }
}

/// go-yaml accepts a tab right after a mapping's `:`; yaml-rust2 does not.
/// Returns a copy where such tabs are spaces (same length, so every offset
/// holds), or `None` if there are none. Comments, quoted scalars and block
/// scalar content are skipped, each over-approximated so that no value is
/// ever changed; a tab this misses is repaired when the parser stops at it.
fn spaces_for_tabs_after_colons(text: &str) -> Option<String> {
    if !text.contains(":\t") {
        return None;
    }
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let mut changed = false;
    let eol = |mut i: usize| {
        while i < b.len() && !matches!(b[i], b'\n' | b'\r') {
            i += 1;
        }
        i
    };
    // Inside a block scalar: the indentation of its header's line (-1 for
    // a document's root scalar, whose content may start in column 0).
    let mut block: Option<isize> = None;
    let mut line_begin = 0;
    let mut line_start = true;
    let mut indent = 0;
    let mut i = 0;
    while i < b.len() {
        if line_start {
            let mut k = i;
            while k < b.len() && b[k] == b' ' {
                k += 1;
            }
            let blank = k >= b.len() || matches!(b[k], b'\n' | b'\r' | b'\t');
            let marker = b[i..].starts_with(b"---") || b[i..].starts_with(b"...");
            if let Some(h) = block {
                if !marker && (blank || (k - i) as isize > h) {
                    i = eol(i) + 1;
                    continue;
                }
                block = None;
            }
            line_begin = i;
            indent = k - i;
            line_start = false;
            i = k;
            continue;
        }
        let token_start = i == 0
            || matches!(
                b[i - 1],
                b' ' | b'\t' | b'[' | b'{' | b',' | b':' | b'-' | b'?'
            );
        match b[i] {
            b'\n' | b'\r' => {
                i += 1;
                line_start = true;
            }
            b'#' if i == 0 || matches!(b[i - 1], b' ' | b'\t') => i = eol(i),
            b'|' | b'>' if token_start => {
                let before = &b[line_begin..i];
                let root = before.iter().all(|c| *c == b' ') || before.starts_with(b"--- ");
                block = Some(if root { -1 } else { indent as isize });
                i = eol(i);
            }
            q @ (b'"' | b'\'') if token_start => {
                i += 1;
                while i < b.len() && b[i] != q {
                    i += if q == b'"' && b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b':' if b.get(i + 1) == Some(&b'\t') => {
                out[i + 1] = b' ';
                changed = true;
                i += 2;
            }
            _ => i += 1,
        }
    }
    // Only a tab byte became a space: still UTF-8.
    changed.then(|| String::from_utf8(out).ok()).flatten()
}

/// The first tab after the `:` that precedes `at`, if only tabs lie between.
fn tab_after_colon(b: &[u8], at: usize) -> Option<usize> {
    let mut i = at.min(b.len());
    while i > 0 && b[i - 1] == b'\t' {
        i -= 1;
    }
    (i > 0 && b[i - 1] == b':' && i < at).then_some(i)
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // the tests build real directories
#[path = "load_tests.rs"]
mod tests;
