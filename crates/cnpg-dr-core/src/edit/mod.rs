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
mod new_node;
mod ops;
mod path;
mod text;
mod write;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::fs::FileSystem;
use crate::yaml::{load_str, LoadLimits, Mapping, Node, NodeKind, Scalar, Span};

pub use located::LocatedEdits;
use new_node::{expected_node, Style};
pub use new_node::{NewNode, Position};
pub use path::{NodePath, Seg};
pub use text::{double_quoted, newline_of, plain_safe};
pub use write::{Change, ChangeSet, EditedFs, WriteError};

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
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // the tests build real directories
mod tests;
