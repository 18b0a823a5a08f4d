//! Lossless edits of YAML files: replace a scalar, insert a key, remove a
//! key, append a sequence item — changing only the bytes that carry the
//! change. Comments, key order, blank lines, quoting elsewhere and CRLF line
//! breaks stay exactly as they were.
//!
//! Every edit is checked: the new text is parsed again and must give the
//! intended tree (the old tree with exactly that change), or the edit is
//! refused and the file is left as it was. Multi-file changes are collected
//! in a [`ChangeSet`], which renders through [`EditedFs`] before anything is
//! written and writes atomically ([`ChangeSet::commit`]).

mod located;
mod text;
mod write;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::fs::FileSystem;
use crate::yaml::{load_str, LoadLimits, Mapping, Node, NodeKind, Scalar, ScalarStyle, Span};

pub use located::LocatedEdits;
pub use text::{double_quoted, newline_of, plain_safe};
pub use write::{Change, ChangeSet, EditedFs, WriteError};

/// One step of a path from a document's root: a mapping key or a sequence index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// Where a node is in a file: a document index and a path inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodePath {
    pub doc: usize,
    pub segs: Vec<Seg>,
}

impl NodePath {
    /// The root of document `doc`.
    pub fn root(doc: usize) -> NodePath {
        NodePath {
            doc,
            segs: Vec::new(),
        }
    }
    /// This path followed by a mapping key.
    pub fn key(&self, key: &str) -> NodePath {
        let mut p = self.clone();
        p.segs.push(Seg::Key(key.to_string()));
        p
    }
    /// This path followed by a sequence index.
    pub fn index(&self, i: usize) -> NodePath {
        let mut p = self.clone();
        p.segs.push(Seg::Index(i));
        p
    }
    /// This path followed by several keys.
    pub fn keys(&self, keys: &[&str]) -> NodePath {
        keys.iter().fold(self.clone(), |p, k| p.key(k))
    }
    /// The path without its last step.
    pub fn parent(&self) -> Option<NodePath> {
        let mut p = self.clone();
        p.segs.pop()?;
        Some(p)
    }
}

impl std::fmt::Display for NodePath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.segs.is_empty() {
            return write!(f, "(document {})", self.doc + 1);
        }
        for (i, s) in self.segs.iter().enumerate() {
            match s {
                Seg::Key(k) if i == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// A value to insert, written in block style with the file's indentation.
#[derive(Clone, Debug, PartialEq)]
pub enum NewNode {
    /// A string: plain when it reads back as the same string, else double-quoted.
    Str(String),
    /// A plain scalar written as is (`true`, `4`).
    Plain(String),
    Map(Vec<(String, NewNode)>),
    Seq(Vec<NewNode>),
}

impl NewNode {
    pub fn str(s: impl Into<String>) -> NewNode {
        NewNode::Str(s.into())
    }

    /// A copy of a loaded node: plain scalars stay plain, other scalars
    /// become strings (quoted when needed). Tags are not kept.
    pub fn from_node(node: &Node) -> NewNode {
        match &node.kind {
            NodeKind::Scalar(s) if s.style.is_plain() => NewNode::Plain(s.text.clone()),
            NodeKind::Scalar(s) => NewNode::Str(s.text.clone()),
            NodeKind::Seq(items) => NewNode::Seq(items.iter().map(NewNode::from_node).collect()),
            NodeKind::Map(m) => NewNode::Map(
                m.entries
                    .iter()
                    .map(|(k, v)| {
                        let key = k.as_scalar().map(|s| s.text.clone()).unwrap_or_default();
                        (key, NewNode::from_node(v))
                    })
                    .collect(),
            ),
        }
    }

    /// A whole YAML document for a new file (this node must be a mapping):
    /// two-space indentation, sequences indented under their key, `nl` line breaks.
    pub fn to_document(&self, nl: &str) -> String {
        let style = Style {
            step: 2,
            seq_indent: 2,
            nl,
        };
        let mut out = String::new();
        match self {
            NewNode::Map(entries) => {
                for (k, v) in entries {
                    style.entry(&mut out, k, v, 0);
                }
            }
            other => {
                out.push_str("---");
                style.after_key(&mut out, other, 0);
            }
        }
        out
    }
    /// A mapping from `(key, value)` pairs.
    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, NewNode)>) -> NewNode {
        NewNode::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
}

/// Where [`YamlFile::insert_key`] puts the new entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Position {
    /// After the mapping's last entry.
    End,
    /// Right after the entry with this key (and its value).
    After(String),
}

/// Why an edit was refused. The file is unchanged when this is returned.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", file.display())]
pub struct EditError {
    pub file: PathBuf,
    pub message: String,
}

/// The shape of the node to [`YamlFile::locate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Scalar,
    Map,
    Seq,
}

impl Shape {
    fn of(node: &Node) -> Shape {
        match node.kind {
            NodeKind::Scalar(_) => Shape::Scalar,
            NodeKind::Map(_) => Shape::Map,
            NodeKind::Seq(_) => Shape::Seq,
        }
    }
}

/// One YAML file being edited: its original text, its current text and the
/// current text's parse.
#[derive(Clone, Debug)]
pub struct YamlFile {
    path: PathBuf,
    original: Option<String>,
    text: String,
    docs: Vec<Node>,
}

fn parse(path: &Path, text: &str) -> Result<Vec<Node>, EditError> {
    load_str(text, Arc::from(path), &LoadLimits::default()).map_err(|e| EditError {
        file: path.to_path_buf(),
        message: format!("not valid YAML at {}:{}: {}", e.line, e.column, e.message),
    })
}

/// Structural equality that ignores spans: same shape, scalar text, style
/// and tag, same entries in the same order.
pub fn same_tree(a: &Node, b: &Node) -> bool {
    if a.tag != b.tag {
        return false;
    }
    match (&a.kind, &b.kind) {
        (NodeKind::Scalar(x), NodeKind::Scalar(y)) => x.text == y.text && x.style == y.style,
        (NodeKind::Seq(x), NodeKind::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_tree(a, b))
        }
        (NodeKind::Map(x), NodeKind::Map(y)) => {
            x.entries.len() == y.entries.len()
                && x.entries
                    .iter()
                    .zip(&y.entries)
                    .all(|((ka, va), (kb, vb))| same_tree(ka, kb) && same_tree(va, vb))
        }
        _ => false,
    }
}

fn get<'a>(node: &'a Node, seg: &Seg) -> Option<&'a Node> {
    match (seg, &node.kind) {
        (Seg::Key(k), NodeKind::Map(m)) => m.get(k),
        (Seg::Index(i), NodeKind::Seq(items)) => items.get(*i),
        _ => None,
    }
}

fn get_mut<'a>(node: &'a mut Node, seg: &Seg) -> Option<&'a mut Node> {
    match (seg, &mut node.kind) {
        (Seg::Key(k), NodeKind::Map(m)) => m.get_mut(k),
        (Seg::Index(i), NodeKind::Seq(items)) => items.get_mut(*i),
        _ => None,
    }
}

fn dummy_span() -> Span {
    Span::file_start(Arc::from(Path::new("")))
}

/// The tree the loader gives for a [`NewNode`] as the emitter writes it.
fn expected_node(v: &NewNode) -> Node {
    let scalar = |text: &str, style| Node {
        kind: NodeKind::Scalar(Scalar {
            text: text.to_string(),
            style,
        }),
        tag: None,
        span: dummy_span(),
    };
    match v {
        NewNode::Str(s) if plain_safe(s, false) => scalar(s, ScalarStyle::Plain),
        NewNode::Str(s) => scalar(s, ScalarStyle::DoubleQuoted),
        NewNode::Plain(s) => scalar(s, ScalarStyle::Plain),
        NewNode::Seq(items) => Node::seq(items.iter().map(expected_node).collect(), dummy_span()),
        NewNode::Map(entries) => Node {
            kind: NodeKind::Map(Mapping {
                entries: entries
                    .iter()
                    .map(|(k, v)| (expected_node(&NewNode::Str(k.clone())), expected_node(v)))
                    .collect(),
            }),
            tag: None,
            span: dummy_span(),
        },
    }
}

fn scalar_text(s: &str) -> String {
    if plain_safe(s, false) {
        s.to_string()
    } else {
        double_quoted(s)
    }
}

/// Indentation of what the emitter writes.
#[derive(Clone, Copy, Debug)]
struct Style<'a> {
    /// Spaces per nesting level.
    step: usize,
    /// Spaces between a key's column and its sequence items' dash (0 or `step`).
    seq_indent: usize,
    nl: &'a str,
}

impl Style<'_> {
    /// Writes what follows `key:` (a space and a scalar, or a block below).
    fn after_key(&self, out: &mut String, v: &NewNode, col: usize) {
        match v {
            NewNode::Str(s) => {
                out.push(' ');
                out.push_str(&scalar_text(s));
                out.push_str(self.nl);
            }
            NewNode::Plain(s) => {
                out.push(' ');
                out.push_str(s);
                out.push_str(self.nl);
            }
            NewNode::Map(e) if e.is_empty() => {
                out.push_str(" {}");
                out.push_str(self.nl);
            }
            NewNode::Seq(i) if i.is_empty() => {
                out.push_str(" []");
                out.push_str(self.nl);
            }
            NewNode::Map(entries) => {
                out.push_str(self.nl);
                for (k, v) in entries {
                    self.entry(out, k, v, col + self.step);
                }
            }
            NewNode::Seq(items) => {
                out.push_str(self.nl);
                for item in items {
                    self.item(out, item, col + self.seq_indent);
                }
            }
        }
    }

    fn entry(&self, out: &mut String, key: &str, v: &NewNode, col: usize) {
        out.push_str(&" ".repeat(col));
        self.entry_inline(out, key, v, col);
    }

    fn entry_inline(&self, out: &mut String, key: &str, v: &NewNode, col: usize) {
        out.push_str(&scalar_text(key));
        out.push(':');
        self.after_key(out, v, col);
    }

    fn item(&self, out: &mut String, v: &NewNode, dash_col: usize) {
        out.push_str(&" ".repeat(dash_col));
        out.push('-');
        match v {
            NewNode::Map(entries) if !entries.is_empty() => {
                out.push(' ');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i == 0 {
                        self.entry_inline(out, k, v, dash_col + 2);
                    } else {
                        self.entry(out, k, v, dash_col + 2);
                    }
                }
            }
            NewNode::Seq(items) if !items.is_empty() => {
                out.push_str(self.nl);
                for item in items {
                    self.item(out, item, dash_col + 2);
                }
            }
            other => self.after_key(out, other, dash_col + 2),
        }
    }
}

impl YamlFile {
    /// A file as read from disk (or from any [`FileSystem`]).
    pub fn read(fs: &dyn FileSystem, path: &Path) -> Result<YamlFile, EditError> {
        let bytes = fs.read(path).map_err(|e| EditError {
            file: path.to_path_buf(),
            message: format!("cannot read: {e}"),
        })?;
        let text = String::from_utf8(bytes).map_err(|_| EditError {
            file: path.to_path_buf(),
            message: "not UTF-8 text".to_string(),
        })?;
        YamlFile::parse(path, text)
    }

    /// A file from its text (existing content).
    pub fn parse(path: &Path, text: String) -> Result<YamlFile, EditError> {
        let docs = parse(path, &text)?;
        Ok(YamlFile {
            path: path.to_path_buf(),
            original: Some(text.clone()),
            text,
            docs,
        })
    }

    /// A file that does not exist yet, with its first content.
    pub fn new_file(path: &Path, text: String) -> Result<YamlFile, EditError> {
        let mut f = YamlFile::parse(path, text)?;
        f.original = None;
        Ok(f)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
    /// The current text.
    pub fn text(&self) -> &str {
        &self.text
    }
    /// The text as it was read (None for a new file).
    pub fn original(&self) -> Option<&str> {
        self.original.as_deref()
    }
    /// True when the text differs from what was read.
    pub fn changed(&self) -> bool {
        self.original.as_deref() != Some(self.text.as_str())
    }
    /// The current parse.
    pub fn docs(&self) -> &[Node] {
        &self.docs
    }
    /// The node at a path in the current text.
    pub fn node(&self, path: &NodePath) -> Option<&Node> {
        let mut node = self.docs.get(path.doc)?;
        for seg in &path.segs {
            node = get(node, seg)?;
        }
        Some(node)
    }

    fn err(&self, message: impl Into<String>) -> EditError {
        EditError {
            file: self.path.clone(),
            message: message.into(),
        }
    }

    fn need(&self, path: &NodePath) -> Result<&Node, EditError> {
        self.node(path)
            .ok_or_else(|| self.err(format!("{path}: no such node")))
    }

    /// True for a flow collection (`{...}`, `[...]`). The loader marks a
    /// flow collection at its bracket, a block sequence at its first item
    /// (which may itself be a flow collection, at the same position) and a
    /// block mapping after its first key.
    fn is_flow(&self, node: &Node) -> bool {
        let at_bracket = text::offset_of(&self.text, &node.span)
            .and_then(|o| self.text[o..].chars().next())
            .is_some_and(|c| c == '{' || c == '[');
        match &node.kind {
            NodeKind::Scalar(_) => false,
            NodeKind::Map(_) => at_bracket,
            NodeKind::Seq(items) => {
                at_bracket
                    && !items.first().is_some_and(|i| {
                        i.span.line == node.span.line && i.span.column == node.span.column
                    })
            }
        }
    }

    /// The byte offset where a node's text starts: a scalar's first
    /// character (its quote), a flow collection's bracket, a block mapping's
    /// first key, a block sequence's first item (after its dash).
    fn start_offset(&self, node: &Node) -> Option<usize> {
        match &node.kind {
            NodeKind::Map(m) if !self.is_flow(node) => self.start_offset(&m.entries.first()?.0),
            NodeKind::Seq(items) if !self.is_flow(node) => self.start_offset(items.first()?),
            _ => text::offset_of(&self.text, &node.span),
        }
    }

    fn offset(&self, node: &Node) -> Result<usize, EditError> {
        self.start_offset(node).ok_or_else(|| {
            self.err(format!(
                "position {}:{} is outside the file",
                node.span.line, node.span.column
            ))
        })
    }

    /// The offset of the dash of a block sequence item (on the item's first line).
    fn dash_offset(&self, item: &Node) -> Option<usize> {
        let off = self.start_offset(item)?;
        let ls = text::line_start(&self.text, off);
        let before = self.text[ls..off].trim_end_matches(' ');
        before.ends_with('-').then(|| ls + before.len() - 1)
    }

    /// The path of the value node written at `span` (a rendered node's
    /// provenance), when `span` points into this file's current text.
    pub fn locate(&self, span: &Span, shape: Shape) -> Option<NodePath> {
        fn walk(node: &Node, span: &Span, shape: Shape, path: &mut Vec<Seg>) -> bool {
            if node.span.line == span.line
                && node.span.column == span.column
                && Shape::of(node) == shape
            {
                return true;
            }
            match &node.kind {
                NodeKind::Map(m) => {
                    for (k, v) in &m.entries {
                        let Some(k) = k.as_scalar() else { continue };
                        path.push(Seg::Key(k.text.clone()));
                        if walk(v, span, shape, path) {
                            return true;
                        }
                        path.pop();
                    }
                }
                NodeKind::Seq(items) => {
                    for (i, v) in items.iter().enumerate() {
                        path.push(Seg::Index(i));
                        if walk(v, span, shape, path) {
                            return true;
                        }
                        path.pop();
                    }
                }
                NodeKind::Scalar(_) => {}
            }
            false
        }
        for (doc, root) in self.docs.iter().enumerate() {
            let mut segs = Vec::new();
            if walk(root, span, shape, &mut segs) {
                return Some(NodePath { doc, segs });
            }
        }
        None
    }

    /// True when some collection around `path` (or the node itself) is a flow collection.
    fn in_flow(&self, path: &NodePath) -> bool {
        let Some(mut node) = self.docs.get(path.doc) else {
            return false;
        };
        for seg in &path.segs {
            if self.is_flow(node) {
                return true;
            }
            match get(node, seg) {
                Some(n) => node = n,
                None => return false,
            }
        }
        self.is_flow(node)
    }

    /// Replaces the text and parse after checking the new text parses to `expected`.
    fn commit(
        &mut self,
        new_text: String,
        expected: Vec<Node>,
        what: &str,
    ) -> Result<(), EditError> {
        let reparsed = parse(&self.path, &new_text)
            .map_err(|e| self.err(format!("{what} would break the file: {}", e.message)))?;
        let same = reparsed.len() == expected.len()
            && reparsed.iter().zip(&expected).all(|(a, b)| same_tree(a, b));
        if !same {
            return Err(self.err(format!(
                "{what} would change more than intended (anchors, aliases or an unusual layout here); edit this file by hand"
            )));
        }
        self.text = new_text;
        self.docs = reparsed;
        Ok(())
    }

    fn expected_with(
        &self,
        path: &NodePath,
        change: impl FnOnce(&mut Node) -> Option<()>,
    ) -> Result<Vec<Node>, EditError> {
        let mut docs = self.docs.clone();
        let mut node = docs
            .get_mut(path.doc)
            .ok_or_else(|| self.err(format!("{path}: no such node")))?;
        for seg in &path.segs {
            node = get_mut(node, seg).ok_or_else(|| self.err(format!("{path}: no such node")))?;
        }
        change(node).ok_or_else(|| self.err(format!("{path}: unexpected shape")))?;
        Ok(docs)
    }

    /// Replaces the string scalar at `path` with `value`, keeping its quoting
    /// style (plain stays plain unless the value needs quotes; single-quoted
    /// turns double-quoted only for characters it cannot hold). Returns false
    /// when the scalar already holds that value (nothing changes).
    pub fn set_scalar(&mut self, path: &NodePath, value: &str) -> Result<bool, EditError> {
        let node = self.need(path)?;
        let Some(scalar) = node.as_scalar() else {
            return Err(self.err(format!("{path} is not a scalar")));
        };
        if node.is_null() {
            return Err(self.err(format!("{path} is empty (null): set it by hand")));
        }
        if scalar.text == value {
            return Ok(false);
        }
        let flow = self.in_flow(path);
        let start = self.offset(node)?;
        let end = text::scalar_extent(&self.text, start, scalar.style, flow, &scalar.text)
            .map_err(|m| self.err(format!("{path}: {m}")))?;
        let (written, style) = text::format_string(value, scalar.style, flow);
        let mut new_text = String::with_capacity(self.text.len() + written.len());
        new_text.push_str(&self.text[..start]);
        new_text.push_str(&written);
        new_text.push_str(&self.text[end..]);
        let expected = self.expected_with(path, |n| {
            n.kind = NodeKind::Scalar(Scalar {
                text: value.to_string(),
                style,
            });
            Some(())
        })?;
        self.commit(new_text, expected, &format!("setting {path}"))?;
        Ok(true)
    }

    /// The mapping at `path` with the column of its keys; refused for flow
    /// and empty mappings.
    fn block_map(&self, path: &NodePath) -> Result<(&Mapping, usize), EditError> {
        let node = self.need(path)?;
        let Some(map) = node.as_map() else {
            return Err(self.err(format!("{path} is not a mapping")));
        };
        let Some((first, _)) = map.entries.first() else {
            return Err(self.err(format!("{path} is an empty mapping: edit it by hand")));
        };
        if self.in_flow(path) {
            return Err(self.err(format!(
                "{path} is a flow mapping ({{...}}): edit it by hand"
            )));
        }
        let off = self.offset(first)?;
        Ok((map, text::column_of(&self.text, off)))
    }

    /// The end (after the line break) of the last line that belongs to the
    /// block node that starts at `offset` and is introduced at `col`: its
    /// own line and every following line indented deeper (or a `- ` line at
    /// the same column when `seq_same_col`), skipping blank and comment
    /// lines, which are not counted as the node's own when they trail it.
    fn block_end(&self, offset: usize, col: usize, seq_same_col: bool) -> usize {
        let text = &self.text;
        let mut pos = text::line_end_incl(text, offset);
        let mut last = pos;
        while pos < text.len() {
            let end = text::line_end_incl(text, pos);
            let line = &text[pos..end];
            if text::is_document_marker(line) {
                break;
            }
            if !text::is_trivia(line) {
                let ind = text::indent_of(line);
                let dash = line.trim_start_matches(' ').starts_with('-');
                if ind > col || (seq_same_col && ind == col && dash) {
                    last = end;
                } else {
                    break;
                }
            }
            pos = end;
        }
        last
    }

    fn entry_end(&self, map: &Mapping, i: usize) -> Result<usize, EditError> {
        let (k, v) = &map.entries[i];
        let off = self.offset(k)?;
        let col = text::column_of(&self.text, off);
        Ok(self.block_end(off, col, matches!(v.kind, NodeKind::Seq(_))))
    }

    fn indent_style(&self) -> (usize, usize) {
        // The first block mapping nested under a key gives the step; the first
        // block sequence under a key tells whether its dashes are indented.
        fn walk(f: &YamlFile, node: &Node, step: &mut Option<usize>, seq: &mut Option<usize>) {
            if step.is_some() && seq.is_some() {
                return;
            }
            let NodeKind::Map(m) = &node.kind else {
                if let NodeKind::Seq(items) = &node.kind {
                    for i in items {
                        walk(f, i, step, seq);
                    }
                }
                return;
            };
            for (k, v) in &m.entries {
                let (Some(ko), Some(vo)) = (f.start_offset(k), f.start_offset(v)) else {
                    continue;
                };
                let kc = text::column_of(&f.text, ko);
                let next_line = text::line_start(&f.text, vo) > ko;
                match &v.kind {
                    NodeKind::Map(_) if step.is_none() && next_line && !f.is_flow(v) => {
                        let vc = text::column_of(&f.text, vo);
                        if vc > kc {
                            *step = Some(vc - kc);
                        }
                    }
                    NodeKind::Seq(items) if seq.is_none() && next_line && !f.is_flow(v) => {
                        if let Some(d) = items.first().and_then(|i| f.dash_offset(i)) {
                            *seq = Some(text::column_of(&f.text, d).saturating_sub(kc));
                        }
                    }
                    _ => {}
                }
                walk(f, v, step, seq);
            }
        }
        let (mut step, mut seq) = (None, None);
        for d in &self.docs {
            walk(self, d, &mut step, &mut seq);
        }
        let step = step.unwrap_or(2).clamp(1, 8);
        (step, seq.map_or(step, |s| s.min(8)))
    }

    fn style(&self) -> Style<'static> {
        let (step, seq_indent) = self.indent_style();
        Style {
            step,
            seq_indent,
            nl: newline_of(&self.text),
        }
    }

    fn splice(&self, at: usize, insert: &str) -> String {
        let mut out = String::with_capacity(self.text.len() + insert.len() + 2);
        out.push_str(&self.text[..at]);
        if at > 0 && !self.text[..at].ends_with('\n') {
            out.push_str(newline_of(&self.text));
        }
        out.push_str(insert);
        out.push_str(&self.text[at..]);
        out
    }

    /// Inserts `key: value` into the block mapping at `path`, at the
    /// mapping's indentation, with nested values indented like the rest of
    /// the file.
    pub fn insert_key(
        &mut self,
        path: &NodePath,
        key: &str,
        value: &NewNode,
        pos: Position,
    ) -> Result<(), EditError> {
        let (map, col) = self.block_map(path)?;
        if map.get(key).is_some() {
            return Err(self.err(format!("{path} already has {key}")));
        }
        let index = match &pos {
            Position::End => map.entries.len() - 1,
            Position::After(k) => map
                .position(k)
                .ok_or_else(|| self.err(format!("{path} has no {k}")))?,
        };
        let at = self.entry_end(map, index)?;
        let mut inserted = String::new();
        self.style().entry(&mut inserted, key, value, col);
        let new_text = self.splice(at, &inserted);
        let expected = self.expected_with(path, |n| {
            let m = n.as_map_mut()?;
            m.entries.insert(
                index + 1,
                (expected_node(&NewNode::str(key)), expected_node(value)),
            );
            Some(())
        })?;
        self.commit(new_text, expected, &format!("inserting {}", path.key(key)))
    }

    /// Removes `key` and its value from the block mapping at `path` (the key's
    /// lines and the value's; comments above the key stay). Refused when it
    /// is the mapping's only key (remove the parent instead) or the first key
    /// of a `- key:` sequence item.
    pub fn remove_key(&mut self, path: &NodePath, key: &str) -> Result<(), EditError> {
        let (map, _) = self.block_map(path)?;
        let index = map
            .position(key)
            .ok_or_else(|| self.err(format!("{path} has no {key}")))?;
        if map.entries.len() == 1 {
            return Err(self.err(format!(
                "{key} is the only key of {path}: remove {path} instead"
            )));
        }
        let off = self.offset(&map.entries[index].0)?;
        let start = text::line_start(&self.text, off);
        if !self.text[start..off].chars().all(|c| c == ' ') {
            return Err(self.err(format!(
                "{} shares its line with other content (`- {key}:`): edit it by hand",
                path.key(key)
            )));
        }
        let end = self.entry_end(map, index)?;
        let mut new_text = String::with_capacity(self.text.len());
        new_text.push_str(&self.text[..start]);
        new_text.push_str(&self.text[end..]);
        let expected = self.expected_with(path, |n| {
            n.as_map_mut()?.entries.remove(index);
            Some(())
        })?;
        self.commit(new_text, expected, &format!("removing {}", path.key(key)))
    }

    /// Appends an item to the block sequence at `path`, with the dash at the
    /// column of the existing items' dashes.
    pub fn append_item(&mut self, path: &NodePath, value: &NewNode) -> Result<(), EditError> {
        let node = self.need(path)?;
        let Some(items) = node.as_seq() else {
            return Err(self.err(format!("{path} is not a sequence")));
        };
        let (Some(first), Some(last)) = (items.first(), items.last()) else {
            return Err(self.err(format!("{path} is an empty sequence: edit it by hand")));
        };
        if self.in_flow(path) {
            return Err(self.err(format!(
                "{path} is a flow sequence ([...]): edit it by hand"
            )));
        }
        let dash = |item: &Node| -> Result<usize, EditError> {
            self.dash_offset(item).ok_or_else(|| {
                self.err(format!(
                    "{path}: an item does not start on its dash's line: edit it by hand"
                ))
            })
        };
        let col = text::column_of(&self.text, dash(first)?);
        let last_dash = dash(last)?;
        let at = self.block_end(last_dash, col, false);
        let mut inserted = String::new();
        self.style().item(&mut inserted, value, col);
        let new_text = self.splice(at, &inserted);
        let expected = self.expected_with(path, |n| {
            n.as_seq_mut()?.push(expected_node(value));
            Some(())
        })?;
        self.commit(new_text, expected, &format!("appending to {path}"))
    }

    /// The source lines of the block collection under `key` of the mapping
    /// at `path`, moved left so that its keys start at column 0 (comments
    /// and line breaks kept). None when the value is not a block collection
    /// that starts on the line after its key.
    pub fn block_text(&self, path: &NodePath, key: &str) -> Option<String> {
        let map = self.node(path)?.as_map()?;
        let i = map.position(key)?;
        let (k, v) = &map.entries[i];
        if matches!(v.kind, NodeKind::Scalar(_)) || self.in_flow(&path.key(key)) {
            return None;
        }
        let ko = self.offset(k).ok()?;
        let vo = self.offset(v).ok()?;
        let body_start = text::line_end_incl(&self.text, ko);
        if vo < body_start {
            return None;
        }
        // A sequence's dash is its left edge.
        let left = match &v.kind {
            NodeKind::Seq(items) => text::column_of(&self.text, self.dash_offset(items.first()?)?),
            _ => text::column_of(&self.text, vo),
        };
        let end = self.entry_end(map, i).ok()?;
        let mut out = String::new();
        for line in self.text[body_start..end].split_inclusive('\n') {
            let cut = text::indent_of(line).min(left);
            if !text::is_trivia(line) && cut < left {
                return None;
            }
            out.push_str(&line[cut..]);
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests;
