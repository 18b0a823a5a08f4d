//! What an edit inserts ([`NewNode`], written in block style with the file's
//! indentation) and the tree the loader must give for it once written.

use std::path::Path;
use std::sync::Arc;

use super::text::{double_quoted, plain_safe};
use crate::yaml::{Mapping, Node, NodeKind, Scalar, ScalarStyle, Span};

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

pub(super) fn dummy_span() -> Span {
    Span::file_start(Arc::from(Path::new("")))
}

/// The tree the loader gives for a [`NewNode`] as the emitter writes it.
pub(super) fn expected_node(v: &NewNode) -> Node {
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

pub(super) fn scalar_text(s: &str) -> String {
    if plain_safe(s, false) {
        s.to_string()
    } else {
        double_quoted(s)
    }
}

/// Indentation of what the emitter writes.
#[derive(Clone, Copy, Debug)]
pub(super) struct Style<'a> {
    /// Spaces per nesting level.
    pub(super) step: usize,
    /// Spaces between a key's column and its sequence items' dash (0 or `step`).
    pub(super) seq_indent: usize,
    pub(super) nl: &'a str,
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

    pub(super) fn entry(&self, out: &mut String, key: &str, v: &NewNode, col: usize) {
        out.push_str(&" ".repeat(col));
        self.entry_inline(out, key, v, col);
    }

    fn entry_inline(&self, out: &mut String, key: &str, v: &NewNode, col: usize) {
        out.push_str(&scalar_text(key));
        out.push(':');
        self.after_key(out, v, col);
    }

    pub(super) fn item(&self, out: &mut String, v: &NewNode, dash_col: usize) {
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
