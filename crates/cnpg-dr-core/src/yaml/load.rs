//! Loading YAML text into [`Node`] trees with spans, on top of `yaml-rust2`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::node::{Mapping, Node, NodeKind, Scalar, ScalarStyle, Span};

/// Hard limits that keep hostile input from exhausting time or memory.
#[derive(Clone, Debug)]
pub struct LoadLimits {
    /// Largest accepted file, in bytes.
    pub max_bytes: usize,
    /// Deepest accepted nesting of collections.
    pub max_depth: usize,
    /// Most nodes that alias expansion may create in one file.
    pub max_alias_nodes: usize,
}

impl Default for LoadLimits {
    fn default() -> Self {
        LoadLimits {
            max_bytes: 16 * 1024 * 1024,
            max_depth: 256,
            max_alias_nodes: 1_000_000,
        }
    }
}

/// Why a YAML text could not be loaded; always with a position.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct LoadError {
    pub file: Arc<Path>,
    pub line: u32,
    pub column: u32,
    /// Byte offset of the problem in the file.
    pub offset: usize,
    pub message: String,
}

/// Parses every document of `text`. `file` is recorded in every span.
pub fn load_str(text: &str, file: Arc<Path>, limits: &LoadLimits) -> Result<Vec<Node>, LoadError> {
    if text.len() > limits.max_bytes {
        return Err(LoadError {
            file,
            line: 1,
            column: 1,
            offset: 0,
            message: format!(
                "file is {} bytes, larger than the limit of {} bytes",
                text.len(),
                limits.max_bytes
            ),
        });
    }
    let mut builder = Builder {
        file: file.clone(),
        limits,
        docs: Vec::new(),
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_nodes: 0,
        error: None,
    };
    let mut parser = Parser::new_from_str(text).keep_tags(true);
    if let Err(e) = parser.load(&mut builder, true) {
        let m = e.marker();
        return Err(LoadError {
            file,
            line: m.line() as u32,
            column: m.col() as u32 + 1,
            offset: m.index(),
            message: e.info().to_string(),
        });
    }
    if let Some(err) = builder.error {
        return Err(err);
    }
    Ok(builder.docs)
}

enum Frame {
    Seq {
        node: Node,
        anchor: usize,
    },
    Map {
        node: Node,
        anchor: usize,
        key: Option<Node>,
    },
}

struct Builder<'a> {
    file: Arc<Path>,
    limits: &'a LoadLimits,
    docs: Vec<Node>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    alias_nodes: usize,
    error: Option<LoadError>,
}

fn tag_name(tag: Option<Tag>) -> Option<String> {
    let tag = tag?;
    Some(match tag.handle.as_str() {
        "!!" => format!("tag:yaml.org,2002:{}", tag.suffix),
        _ => format!("{}{}", tag.handle, tag.suffix),
    })
}

fn count_nodes(node: &Node) -> usize {
    match &node.kind {
        NodeKind::Scalar(_) => 1,
        NodeKind::Seq(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        NodeKind::Map(m) => {
            1 + m
                .entries
                .iter()
                .map(|(k, v)| count_nodes(k) + count_nodes(v))
                .sum::<usize>()
        }
    }
}

impl Builder<'_> {
    fn span(&self, mark: Marker) -> Span {
        Span {
            file: self.file.clone(),
            line: mark.line() as u32,
            column: mark.col() as u32 + 1,
            start: mark.index(),
            end: mark.index(),
        }
    }

    fn fail(&mut self, mark: Marker, message: String) {
        if self.error.is_none() {
            self.error = Some(LoadError {
                file: self.file.clone(),
                line: mark.line() as u32,
                column: mark.col() as u32 + 1,
                offset: mark.index(),
                message,
            });
        }
    }

    /// Attaches a finished node to its parent (or makes it a document).
    fn attach(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.docs.push(node),
            Some(Frame::Seq { node: seq, .. }) => {
                if let NodeKind::Seq(items) = &mut seq.kind {
                    items.push(node);
                }
            }
            Some(Frame::Map { node: map, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    if let NodeKind::Map(m) = &mut map.kind {
                        m.entries.push((k, node));
                    }
                }
            },
        }
    }
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                let style = match style {
                    TScalarStyle::Plain => ScalarStyle::Plain,
                    TScalarStyle::SingleQuoted => ScalarStyle::SingleQuoted,
                    TScalarStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
                    TScalarStyle::Literal => ScalarStyle::Literal,
                    TScalarStyle::Folded => ScalarStyle::Folded,
                };
                let node = Node {
                    kind: NodeKind::Scalar(Scalar { text, style }),
                    tag: tag_name(tag),
                    span: self.span(mark),
                };
                self.attach(node, anchor);
            }
            Event::SequenceStart(anchor, tag) => {
                if self.stack.len() >= self.limits.max_depth {
                    return self.fail(
                        mark,
                        format!("nesting deeper than {} levels", self.limits.max_depth),
                    );
                }
                let node = Node {
                    kind: NodeKind::Seq(Vec::new()),
                    tag: tag_name(tag),
                    span: self.span(mark),
                };
                self.stack.push(Frame::Seq { node, anchor });
            }
            Event::MappingStart(anchor, tag) => {
                if self.stack.len() >= self.limits.max_depth {
                    return self.fail(
                        mark,
                        format!("nesting deeper than {} levels", self.limits.max_depth),
                    );
                }
                let node = Node {
                    kind: NodeKind::Map(Mapping::default()),
                    tag: tag_name(tag),
                    span: self.span(mark),
                };
                self.stack.push(Frame::Map {
                    node,
                    anchor,
                    key: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(frame) = self.stack.pop() {
                    let (mut node, anchor) = match frame {
                        Frame::Seq { node, anchor } => (node, anchor),
                        Frame::Map { node, anchor, .. } => (node, anchor),
                    };
                    node.span.end = mark.index();
                    self.attach(node, anchor);
                }
            }
            Event::Alias(id) => match self.anchors.get(&id).cloned() {
                Some(node) => {
                    self.alias_nodes += count_nodes(&node);
                    if self.alias_nodes > self.limits.max_alias_nodes {
                        return self.fail(
                            mark,
                            format!(
                                "alias expansion creates more than {} nodes (a \"billion laughs\" document?)",
                                self.limits.max_alias_nodes
                            ),
                        );
                    }
                    self.attach(node, 0);
                }
                None => self.fail(mark, "alias refers to an unknown anchor".to_string()),
            },
            Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd
            | Event::Nothing => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Vec<Node> {
        load_str(text, Arc::from(Path::new("t.yaml")), &LoadLimits::default()).unwrap()
    }

    #[test]
    fn spans_point_at_values() {
        let docs = load("a: 1\nb:\n  c: hello\n---\nx: [1, 2]\n");
        assert_eq!(docs.len(), 2);
        let c = docs[0].get_path(&["b", "c"]).unwrap();
        assert_eq!(c.as_str(), Some("hello"));
        assert_eq!((c.span.line, c.span.column, c.span.start), (3, 6, 13));
    }

    #[test]
    fn aliases_expand() {
        let docs = load("a: &x {k: v}\nb: *x\n");
        assert_eq!(docs[0].get_path(&["b", "k"]).unwrap().as_str(), Some("v"));
    }

    #[test]
    fn syntax_error_has_position() {
        let err = load_str(
            "a: [1, 2\nb: c\n",
            Arc::from(Path::new("t.yaml")),
            &LoadLimits::default(),
        )
        .unwrap_err();
        assert_eq!(err.line, 2);
    }
}
