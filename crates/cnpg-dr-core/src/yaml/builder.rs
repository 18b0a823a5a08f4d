//! The event-driven tree builder behind [`load_str`](super::load_str):
//! pulls `yaml-rust2` events one at a time, gives every node its exact span,
//! counts alias expansion and nesting, and finishes mappings (merge keys,
//! duplicate keys).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, ScanError, TScalarStyle};

use super::load::{LoadError, LoadErrorKind, LoadLimits, TAB_AFTER_COLON};
use super::merge;
use super::node::{Mapping, Node, NodeKind, Scalar, ScalarStyle, Span};
use super::source::{self, LineIndex};

pub(super) enum Failure {
    Scan(ScanError),
    Load(LoadError),
}

/// A collection being built.
struct Frame {
    node: Node,
    anchor: usize,
    key: Option<Node>,
    /// Flow style (`[`/`{`): the end is the closing bracket.
    flow: bool,
    /// A block mapping starts where its first key does.
    start_from_first_key: bool,
    /// Body offset of the parser's marker for the collection.
    content: usize,
    /// Body offset just past the last child (or where children may start).
    cursor: usize,
    /// Nodes in this subtree, for alias accounting.
    count: usize,
    /// Levels of collections below this one.
    height: usize,
}

/// A finished anchored node, with what an alias to it would cost.
struct Anchored {
    node: Node,
    count: usize,
    height: usize,
}

pub(super) struct Builder<'a> {
    idx: &'a LineIndex<'a>,
    /// Length of the byte order mark the spans must skip.
    base: usize,
    file: Arc<Path>,
    limits: &'a LoadLimits,
    pub(super) docs: Vec<Node>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchored>,
    alias_nodes: usize,
    /// Where the current document's content may start.
    doc_cursor: usize,
}

fn tag_name(tag: Option<Tag>) -> Option<String> {
    let tag = tag?;
    Some(match tag.handle.as_str() {
        "!!" => format!("tag:yaml.org,2002:{}", tag.suffix),
        _ => format!("{}{}", tag.handle, tag.suffix),
    })
}

impl<'a> Builder<'a> {
    pub(super) fn new(
        idx: &'a LineIndex<'a>,
        base: usize,
        file: Arc<Path>,
        limits: &'a LoadLimits,
    ) -> Self {
        Builder {
            idx,
            base,
            file,
            limits,
            docs: Vec::new(),
            stack: Vec::new(),
            anchors: HashMap::new(),
            alias_nodes: 0,
            doc_cursor: 0,
        }
    }

    pub(super) fn run(&mut self, text: &str) -> Result<(), Failure> {
        let mut parser = Parser::new_from_str(text).keep_tags(true);
        loop {
            let (ev, mark) = parser.next_token().map_err(Failure::Scan)?;
            if ev == Event::StreamEnd {
                return Ok(());
            }
            self.on_event(ev, mark).map_err(Failure::Load)?;
        }
    }

    /// Body offset of a parser marker.
    fn off(&self, mark: Marker) -> usize {
        self.idx.offset(mark.line(), mark.col())
    }

    fn span(&self, start: usize, end: usize) -> Span {
        let (line, column) = self.idx.position(start);
        Span {
            file: self.file.clone(),
            line,
            column,
            start: start + self.base,
            end: end.max(start) + self.base,
        }
    }

    fn error_at(&self, at: usize, kind: LoadErrorKind, message: String) -> LoadError {
        let (line, column) = self.idx.position(at);
        LoadError {
            file: self.file.clone(),
            line,
            column,
            offset: at + self.base,
            message,
            kind,
        }
    }

    pub(super) fn scan_error(&self, e: &ScanError) -> LoadError {
        let at = self.off(*e.marker());
        if let Some(tab) = self.indentation_tab(e.marker().line()) {
            let (line, column) = self.idx.position(tab);
            return self.error_at(
                tab,
                LoadErrorKind::Tab,
                format!("a tab character at line {line}, column {column} is used as indentation; YAML indents with spaces only (parser: {})", e.info()),
            );
        }
        let message = match e.info() {
            "recursion limit exceeded" => {
                "flow collections ([ or {) nested more than 255 levels deep".to_string()
            }
            info if info == TAB_AFTER_COLON => {
                "a tab after `:` that could not be accepted (too many of them); use a space"
                    .to_string()
            }
            info => info.to_string(),
        };
        self.error_at(at, LoadErrorKind::Syntax, message)
    }

    /// A tab in the leading whitespace of a line near a syntax error.
    fn indentation_tab(&self, line: usize) -> Option<usize> {
        let b = self.idx.text().as_bytes();
        for l in [line, line + 1, line.saturating_sub(1)] {
            if l == 0 {
                continue;
            }
            let start = self.idx.offset(l, 0);
            let mut i = start;
            while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
                i += 1;
            }
            let content = i < b.len() && !matches!(b[i], b'\n' | b'\r' | b'#');
            if content {
                if let Some(t) = b[start..i].iter().position(|c| *c == b'\t') {
                    return Some(start + t);
                }
            }
        }
        None
    }

    /// Where the next child of the innermost collection may start.
    fn cursor(&self) -> usize {
        self.stack.last().map_or(self.doc_cursor, |f| f.cursor)
    }

    fn on_event(&mut self, ev: Event, mark: Marker) -> Result<(), LoadError> {
        match ev {
            // A document's start is not reliably reported (an implicit one
            // at its first token); its content is searched for from the end
            // of the previous document, skipping `---` and `...`.
            Event::DocumentStart => self.anchors.clear(),
            Event::DocumentEnd => {
                let at = self.off(mark);
                let after = self.docs.last().map_or(0, |d| d.span.end - self.base);
                let marker = if self.idx.text().as_bytes().get(at..at + 3) == Some(b"...") {
                    at + 3
                } else {
                    after
                };
                self.doc_cursor = after.max(marker);
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.scalar(text, style, anchor, tag_name(tag), mark)?
            }
            Event::SequenceStart(anchor, tag) => {
                self.start_collection(false, anchor, tag_name(tag), mark)?
            }
            Event::MappingStart(anchor, tag) => {
                self.start_collection(true, anchor, tag_name(tag), mark)?
            }
            Event::SequenceEnd | Event::MappingEnd => self.end_collection()?,
            Event::Alias(id) => self.alias(id, mark)?,
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(())
    }

    fn scalar(
        &mut self,
        text: String,
        style: TScalarStyle,
        anchor: usize,
        tag: Option<String>,
        mark: Marker,
    ) -> Result<(), LoadError> {
        let body = self.idx.text();
        let content = self.off(mark);
        let from = self.cursor();
        let style = match style {
            TScalarStyle::Plain => ScalarStyle::Plain,
            TScalarStyle::SingleQuoted => ScalarStyle::SingleQuoted,
            TScalarStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
            TScalarStyle::Literal => ScalarStyle::Literal,
            TScalarStyle::Folded => ScalarStyle::Folded,
        };
        let (start, end) = match style {
            ScalarStyle::Plain if text.is_empty() => {
                let flow = self.stack.last().is_some_and(|f| f.flow);
                source::empty_span(body, from, flow)
            }
            ScalarStyle::Plain => (
                source::with_properties(self.idx, content, false),
                source::plain_end(body, content, &text),
            ),
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => (
                source::with_properties(self.idx, content, false),
                source::quoted_end(body, content).unwrap_or(content),
            ),
            ScalarStyle::Literal | ScalarStyle::Folded => {
                match source::block_scalar_span(
                    self.idx,
                    from,
                    content,
                    text.bytes().all(|c| c == b'\n'),
                ) {
                    Some((header, end)) => (source::with_properties(self.idx, header, false), end),
                    None => (content, content),
                }
            }
        };
        let text = match style {
            ScalarStyle::Literal | ScalarStyle::Folded if !text.bytes().all(|c| c == b'\n') => {
                source::chomp_block(body, start, end, text)
            }
            _ => text,
        };
        let node = Node {
            kind: NodeKind::Scalar(Scalar { text, style }),
            tag,
            span: self.span(start, end),
        };
        self.attach(node, anchor, 1, 0)
    }

    fn start_collection(
        &mut self,
        is_map: bool,
        anchor: usize,
        tag: Option<String>,
        mark: Marker,
    ) -> Result<(), LoadError> {
        let content = self.off(mark);
        if self.stack.len() >= self.limits.max_depth {
            return Err(self.error_at(
                content,
                LoadErrorKind::TooDeep,
                format!(
                    "collections nested more than {} levels deep",
                    self.limits.max_depth
                ),
            ));
        }
        let b = self.idx.text().as_bytes();
        let first = b.get(content).copied();
        // yaml-rust2 reports an indentless sequence (`key:` then `- a` at the
        // key's column) at its first item, which may be `[` or `{`: such a
        // sequence is in a block mapping, with a dash before it.
        // (After `- # comment` the marker is at the end of the comment.)
        let mut dash = content.min(self.idx.content_end_of_line(content));
        while dash > 0 && matches!(b[dash - 1], b' ' | b'\t') {
            dash -= 1;
        }
        let in_block_map = matches!(
            self.stack.last(),
            Some(f) if !f.flow && matches!(f.node.kind, NodeKind::Map(_))
        );
        let indentless = !is_map && in_block_map && dash > 0 && b[dash - 1] == b'-';
        let flow = !indentless && matches!(first, Some(b'[' | b'{'));
        // A block mapping's marker is not its start; its first key is.
        let start_from_first_key = is_map && !flow && first != Some(b'?');
        let own = if indentless { dash - 1 } else { content };
        let start = source::with_properties(self.idx, own, true);
        let cursor = if flow {
            content + 1
        } else if start_from_first_key {
            self.cursor()
        } else {
            own
        };
        let kind = if is_map {
            NodeKind::Map(Mapping::default())
        } else {
            NodeKind::Seq(Vec::new())
        };
        let node = Node {
            kind,
            tag,
            span: self.span(start, start),
        };
        self.stack.push(Frame {
            node,
            anchor,
            key: None,
            flow,
            start_from_first_key,
            content,
            cursor,
            count: 1,
            height: 0,
        });
        Ok(())
    }

    fn end_collection(&mut self) -> Result<(), LoadError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        // The closing bracket follows the last child (the parser's marker
        // for it is sometimes elsewhere, e.g. after a trailing comma).
        let end = match frame.flow {
            true => source::flow_end(self.idx.text(), frame.cursor).unwrap_or(frame.cursor),
            false => frame.cursor,
        };
        let mut node = frame.node;
        let start = node.span.start - self.base;
        node.span = self.span(start, end);
        if let NodeKind::Map(m) = &mut node.kind {
            let entries = std::mem::take(&mut m.entries);
            m.entries = merge::finish_mapping(entries, self.limits, self.idx.text(), self.base)
                .map_err(|(at, kind, message)| self.error_at(at, kind, message))?;
        }
        self.attach(node, frame.anchor, frame.count, frame.height)
    }

    fn alias(&mut self, id: usize, mark: Marker) -> Result<(), LoadError> {
        let at = self.off(mark);
        let Some(target) = self.anchors.get(&id) else {
            return Err(self.error_at(
                at,
                LoadErrorKind::UnknownAnchor,
                "alias refers to an anchor that is not defined before it".to_string(),
            ));
        };
        let (count, height) = (target.count, target.height);
        if self.alias_nodes + count > self.limits.max_alias_nodes {
            return Err(self.error_at(
                at,
                LoadErrorKind::AliasExpansion,
                format!(
                    "aliases expand to more than {} nodes (a \"billion laughs\" document?)",
                    self.limits.max_alias_nodes
                ),
            ));
        }
        if self.stack.len() + height > self.limits.max_depth {
            return Err(self.error_at(
                at,
                LoadErrorKind::TooDeep,
                format!(
                    "this alias nests collections more than {} levels deep",
                    self.limits.max_depth
                ),
            ));
        }
        self.alias_nodes += count;
        let mut node = target.node.clone();
        // The copy's children keep the anchor's spans; the copy itself is
        // where the alias is written.
        node.span = self.span(at, source::alias_end(self.idx.text(), at));
        self.attach(node, 0, count, height)
    }

    /// Attaches a finished node to its parent (or makes it a document).
    fn attach(
        &mut self,
        node: Node,
        anchor: usize,
        count: usize,
        height: usize,
    ) -> Result<(), LoadError> {
        if anchor > 0 {
            let anchored = Anchored {
                node: node.clone(),
                count,
                height,
            };
            self.anchors.insert(anchor, anchored);
        }
        let end = node.span.end - self.base;
        let Some(frame) = self.stack.last_mut() else {
            self.docs.push(node);
            return Ok(());
        };
        let first_child = match &frame.node.kind {
            NodeKind::Seq(items) => items.is_empty(),
            NodeKind::Map(m) => m.entries.is_empty() && frame.key.is_none(),
            NodeKind::Scalar(_) => false,
        };
        if first_child && frame.flow && node.span.start - self.base <= frame.content {
            // The bracket was the first child's: this is a block collection
            // whose first key or item is a flow collection.
            frame.flow = false;
            frame.start_from_first_key = matches!(frame.node.kind, NodeKind::Map(_));
        }
        frame.cursor = frame.cursor.max(end);
        frame.count += count;
        frame.height = frame.height.max(height + 1);
        match &mut frame.node.kind {
            NodeKind::Seq(items) => items.push(node),
            NodeKind::Map(m) => match frame.key.take() {
                None => {
                    if frame.start_from_first_key && m.entries.is_empty() {
                        let start =
                            source::with_properties(self.idx, node.span.start - self.base, true);
                        let (line, column) = self.idx.position(start);
                        frame.node.span.start = start + self.base;
                        frame.node.span.line = line;
                        frame.node.span.column = column;
                    }
                    frame.key = Some(node);
                }
                Some(k) => m.entries.push((k, node)),
            },
            NodeKind::Scalar(_) => {}
        }
        Ok(())
    }
}
