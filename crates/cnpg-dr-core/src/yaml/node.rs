//! The document tree shared by the loader, the kustomize renderer and the rules.
//!
//! Scalars keep their source text, style and tag: typing is decided only when a
//! tree is exported (the way kyaml keeps `yaml.Node`s until it marshals JSON), so
//! a patch can carry a quoted `"5432"` into a resource and it stays a string.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

/// Where a node was written: file, 1-based line and column, and byte range.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Span {
    /// The file, as the caller named it when loading (usually a path).
    pub file: Arc<Path>,
    /// 1-based line of the first character.
    pub line: u32,
    /// 1-based column (in characters) of the first character.
    pub column: u32,
    /// Byte offset of the first character in the file.
    pub start: usize,
    /// Byte offset one past the last character (equal to `start` when unknown).
    pub end: usize,
}

impl Span {
    /// A span that points at a whole file, for values that have no better origin.
    pub fn file_start(file: Arc<Path>) -> Self {
        Span {
            file,
            line: 1,
            column: 1,
            start: 0,
            end: 0,
        }
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// How a scalar was written in its source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

impl ScalarStyle {
    /// Quoted and block scalars are always strings; only plain ones are typed.
    pub fn is_plain(self) -> bool {
        self == ScalarStyle::Plain
    }
}

/// A scalar's text after YAML unescaping/folding, with its source style.
#[derive(Clone, Debug, PartialEq)]
pub struct Scalar {
    pub text: String,
    pub style: ScalarStyle,
}

/// A mapping that keeps its entries in source order. Keys are nodes because YAML
/// allows non-string keys (which kustomize rejects later, on output).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mapping {
    pub entries: Vec<(Node, Node)>,
}

impl Mapping {
    /// The value under a string key.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    /// The value under a string key, mutably.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.entries
            .iter_mut()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    /// Index of the entry with this string key.
    pub fn position(&self, key: &str) -> Option<usize> {
        self.entries
            .iter()
            .position(|(k, _)| k.as_str() == Some(key))
    }

    /// Removes and returns the value under a string key.
    pub fn remove(&mut self, key: &str) -> Option<Node> {
        self.position(key).map(|i| self.entries.remove(i).1)
    }

    /// Sets `key` to `value`, replacing an existing entry in place or appending.
    pub fn insert(&mut self, key: Node, value: Node) {
        match key.as_str().and_then(|k| self.position(k)) {
            Some(i) => self.entries[i].1 = value,
            None => self.entries.push((key, value)),
        }
    }

    /// Iterates over the entries whose key is a string.
    pub fn iter_str(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.entries
            .iter()
            .filter_map(|(k, v)| k.as_str().map(|k| (k, v)))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The shape of a node.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Mapping),
}

/// One YAML node with its tag and its provenance.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    /// An explicit tag in long form (`tag:yaml.org,2002:str`) or as written
    /// for local tags (`!foo`); `None` when the source had none.
    pub tag: Option<String>,
    /// Where the value was set: the source file and position.
    pub span: Span,
}

/// The long form of the core tags.
pub const TAG_STR: &str = "tag:yaml.org,2002:str";
pub const TAG_INT: &str = "tag:yaml.org,2002:int";
pub const TAG_FLOAT: &str = "tag:yaml.org,2002:float";
pub const TAG_BOOL: &str = "tag:yaml.org,2002:bool";
pub const TAG_NULL: &str = "tag:yaml.org,2002:null";
pub const TAG_MAP: &str = "tag:yaml.org,2002:map";
pub const TAG_SEQ: &str = "tag:yaml.org,2002:seq";

impl Node {
    /// A plain scalar.
    pub fn plain(text: impl Into<String>, span: Span) -> Node {
        Node {
            kind: NodeKind::Scalar(Scalar {
                text: text.into(),
                style: ScalarStyle::Plain,
            }),
            tag: None,
            span,
        }
    }

    /// A scalar that is a string whatever its text looks like.
    pub fn string(text: impl Into<String>, span: Span) -> Node {
        Node {
            kind: NodeKind::Scalar(Scalar {
                text: text.into(),
                style: ScalarStyle::DoubleQuoted,
            }),
            tag: None,
            span,
        }
    }

    /// An empty mapping.
    pub fn map(span: Span) -> Node {
        Node {
            kind: NodeKind::Map(Mapping::default()),
            tag: None,
            span,
        }
    }

    /// An empty sequence.
    pub fn seq(items: Vec<Node>, span: Span) -> Node {
        Node {
            kind: NodeKind::Seq(items),
            tag: None,
            span,
        }
    }

    /// A null (`null`).
    pub fn null(span: Span) -> Node {
        Node::plain("null", span)
    }

    /// The scalar, if this is one.
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The scalar text, if this is a scalar that is not null.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar(s) if !self.is_null() => Some(&s.text),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&Mapping> {
        match &self.kind {
            NodeKind::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_map_mut(&mut self) -> Option<&mut Mapping> {
        match &mut self.kind {
            NodeKind::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&Vec<Node>> {
        match &self.kind {
            NodeKind::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_seq_mut(&mut self) -> Option<&mut Vec<Node>> {
        match &mut self.kind {
            NodeKind::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// True for a null scalar: plain `null`, `Null`, `NULL`, `~` or empty, or tagged `!!null`.
    pub fn is_null(&self) -> bool {
        match &self.kind {
            NodeKind::Scalar(s) => {
                if let Some(tag) = &self.tag {
                    return tag == TAG_NULL;
                }
                s.style.is_plain() && matches!(s.text.as_str(), "" | "~" | "null" | "Null" | "NULL")
            }
            _ => false,
        }
    }

    /// Follows a path of map keys.
    pub fn get_path(&self, path: &[&str]) -> Option<&Node> {
        let mut node = self;
        for key in path {
            node = node.as_map()?.get(key)?;
        }
        Some(node)
    }

    /// Follows a path of map keys, mutably.
    pub fn get_path_mut(&mut self, path: &[&str]) -> Option<&mut Node> {
        let mut node = self;
        for key in path {
            node = node.as_map_mut()?.get_mut(key)?;
        }
        Some(node)
    }

    /// The node at a JSON pointer (`/spec/externalClusters/0/name`; `~1` is `/`, `~0` is `~`).
    pub fn pointer(&self, pointer: &str) -> Option<&Node> {
        if pointer.is_empty() {
            return Some(self);
        }
        let mut node = self;
        for raw in pointer.strip_prefix('/')?.split('/') {
            let token = raw.replace("~1", "/").replace("~0", "~");
            node = match &node.kind {
                NodeKind::Map(m) => m.get(&token)?,
                NodeKind::Seq(items) => items.get(token.parse::<usize>().ok()?)?,
                NodeKind::Scalar(_) => return None,
            };
        }
        Some(node)
    }

    /// A short name of the node's shape, as Go's kyaml names it in errors.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            NodeKind::Scalar(_) => "ScalarNode",
            NodeKind::Seq(_) => "SequenceNode",
            NodeKind::Map(_) => "MappingNode",
        }
    }
}
