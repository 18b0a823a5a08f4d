//! A port of go-yaml v2's emitter (`emitterc.go`, with the character tests
//! of `yamlprivateh.go`), for the events its encoder produces when it
//! marshals an `interface{}` read from JSON: block mappings and sequences
//! (`{}` / `[]` when empty) and implicitly tagged scalars in plain,
//! single-quoted, double-quoted or literal style. Anchors, aliases, tags,
//! directives, the folded style and the canonical mode never occur there
//! and are left out. Settings are v2's: indent 2, width 80, unicode output,
//! `\n` line breaks.

use std::borrow::Cow;

mod chars;
mod scalar;

use chars::{at, width};

/// A scalar's requested style (what `encode.go` asks for).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
}

#[derive(Clone, Debug)]
pub(super) enum Event<'a> {
    StreamStart,
    StreamEnd,
    DocumentStart,
    DocumentEnd,
    Scalar {
        value: Cow<'a, str>,
        style: ScalarStyle,
    },
    SequenceStart,
    SequenceEnd,
    MappingStart,
    MappingEnd,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    StreamStart,
    FirstDocumentStart,
    DocumentStart,
    DocumentContent,
    DocumentEnd,
    FlowSequenceFirstItem,
    FlowSequenceItem,
    FlowMappingFirstKey,
    FlowMappingKey,
    FlowMappingSimpleValue,
    FlowMappingValue,
    BlockSequenceFirstItem,
    BlockSequenceItem,
    BlockMappingFirstKey,
    BlockMappingKey,
    BlockMappingSimpleValue,
    BlockMappingValue,
    End,
}

/// `yaml_emitter_t.scalar_data`.
struct ScalarData<'a> {
    value: &'a [u8],
    multiline: bool,
    flow_plain_allowed: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
    style: ScalarStyle,
}

/// An emitter error: v2's `emitter.problem`.
pub(super) type Problem = &'static str;

/// Runs the emitter over a complete event stream and returns the text.
pub(super) fn emit<'a>(events: &'a [Event<'a>]) -> Result<Vec<u8>, Problem> {
    let mut e = Emitter::new(events);
    while let Some(event) = events.get(e.head) {
        if matches!(event, Event::StreamEnd) {
            // The encoder's `finish` clears this before STREAM-END, so a
            // document never gets a closing "...".
            e.open_ended = false;
        }
        e.analyze_event(event);
        e.state_machine(event)?;
        e.head += 1;
    }
    Ok(e.out)
}

struct Emitter<'a> {
    events: &'a [Event<'a>],
    head: usize,
    out: Vec<u8>,

    best_indent: i32,
    best_width: i32,
    unicode: bool,

    state: State,
    states: Vec<State>,
    indent: i32,
    indents: Vec<i32>,
    flow_level: i32,

    // v2 also records a sequence context, which nothing reads.
    root_context: bool,
    mapping_context: bool,
    simple_key_context: bool,

    column: i32,
    whitespace: bool,
    indention: bool,
    open_ended: bool,

    scalar: ScalarData<'a>,
}

impl<'a> Emitter<'a> {
    fn new(events: &'a [Event<'a>]) -> Self {
        Emitter {
            events,
            head: 0,
            out: Vec::new(),
            best_indent: 2,
            best_width: 80,
            unicode: true,
            state: State::StreamStart,
            states: Vec::new(),
            indent: -1,
            indents: Vec::new(),
            flow_level: 0,
            root_context: false,
            mapping_context: false,
            simple_key_context: false,
            column: 0,
            whitespace: true,
            indention: true,
            open_ended: false,
            scalar: ScalarData {
                value: &[],
                multiline: false,
                flow_plain_allowed: false,
                block_plain_allowed: false,
                single_quoted_allowed: false,
                block_allowed: false,
                style: ScalarStyle::Plain,
            },
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn pop_state(&mut self) {
        self.state = self.states.pop().unwrap_or(State::End);
    }

    // ---- output primitives ----

    fn put(&mut self, c: u8) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push(b'\n');
        self.column = 0;
    }

    /// Copies one character of `s` at `*i`.
    fn write(&mut self, s: &[u8], i: &mut usize) {
        let w = width(at(s, *i));
        let end = (*i + w).min(s.len());
        self.out.extend_from_slice(&s[*i..end]);
        self.column += 1;
        *i += w;
    }

    fn write_all(&mut self, s: &[u8]) {
        let mut i = 0;
        while i < s.len() {
            self.write(s, &mut i);
        }
    }

    fn write_break(&mut self, s: &[u8], i: &mut usize) {
        if at(s, *i) == b'\n' {
            self.put_break();
            *i += 1;
        } else {
            self.write(s, i);
            self.column = 0;
        }
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0);
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(b' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(
        &mut self,
        indicator: &[u8],
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(b' ');
        }
        self.write_all(indicator);
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
        self.open_ended = false;
    }

    // ---- event analysis ----

    fn analyze_event(&mut self, event: &'a Event<'a>) {
        self.scalar.value = &[];
        if let Event::Scalar { value, .. } = event {
            self.analyze_scalar(value.as_bytes());
        }
    }

    // ---- state machine ----

    fn state_machine(&mut self, event: &Event<'a>) -> Result<(), Problem> {
        match self.state {
            State::StreamStart => self.emit_stream_start(event),
            State::FirstDocumentStart => self.emit_document_start(event, true),
            State::DocumentStart => self.emit_document_start(event, false),
            State::DocumentContent => self.emit_document_content(event),
            State::DocumentEnd => self.emit_document_end(event),
            State::FlowSequenceFirstItem => self.emit_flow_sequence_item(event, true),
            State::FlowSequenceItem => self.emit_flow_sequence_item(event, false),
            State::FlowMappingFirstKey => self.emit_flow_mapping_key(event, true),
            State::FlowMappingKey => self.emit_flow_mapping_key(event, false),
            State::FlowMappingSimpleValue => self.emit_flow_mapping_value(event, true),
            State::FlowMappingValue => self.emit_flow_mapping_value(event, false),
            State::BlockSequenceFirstItem => self.emit_block_sequence_item(event, true),
            State::BlockSequenceItem => self.emit_block_sequence_item(event, false),
            State::BlockMappingFirstKey => self.emit_block_mapping_key(event, true),
            State::BlockMappingKey => self.emit_block_mapping_key(event, false),
            State::BlockMappingSimpleValue => self.emit_block_mapping_value(event, true),
            State::BlockMappingValue => self.emit_block_mapping_value(event, false),
            State::End => Err("expected nothing after STREAM-END"),
        }
    }

    fn emit_stream_start(&mut self, event: &Event<'a>) -> Result<(), Problem> {
        if !matches!(event, Event::StreamStart) {
            return Err("expected STREAM-START");
        }
        self.indent = -1;
        self.column = 0;
        self.whitespace = true;
        self.indention = true;
        self.state = State::FirstDocumentStart;
        Ok(())
    }

    fn emit_document_start(&mut self, event: &Event<'a>, first: bool) -> Result<(), Problem> {
        match event {
            Event::DocumentStart => {
                // The encoder asks for an implicit start; only the first
                // document of a stream may have one.
                if !first {
                    self.write_indent();
                    self.write_indicator(b"---", true, false, false);
                }
                self.state = State::DocumentContent;
                Ok(())
            }
            Event::StreamEnd => {
                if self.open_ended {
                    self.write_indicator(b"...", true, false, false);
                    self.write_indent();
                }
                self.state = State::End;
                Ok(())
            }
            _ => Err("expected DOCUMENT-START or STREAM-END"),
        }
    }

    fn emit_document_content(&mut self, event: &Event<'a>) -> Result<(), Problem> {
        self.states.push(State::DocumentEnd);
        self.emit_node(event, true, false, false)
    }

    fn emit_document_end(&mut self, event: &Event<'a>) -> Result<(), Problem> {
        if !matches!(event, Event::DocumentEnd) {
            return Err("expected DOCUMENT-END");
        }
        // Implicit end: no "...".
        self.write_indent();
        self.state = State::DocumentStart;
        Ok(())
    }

    fn emit_flow_sequence_item(&mut self, event: &Event<'a>, first: bool) -> Result<(), Problem> {
        if first {
            self.write_indicator(b"[", true, true, false);
            self.increase_indent(true, false);
            self.flow_level += 1;
        }
        if matches!(event, Event::SequenceEnd) {
            self.flow_level -= 1;
            self.pop_indent();
            self.write_indicator(b"]", false, false, false);
            self.pop_state();
            return Ok(());
        }
        if !first {
            self.write_indicator(b",", false, false, false);
        }
        if self.column > self.best_width {
            self.write_indent();
        }
        self.states.push(State::FlowSequenceItem);
        self.emit_node(event, false, false, false)
    }

    fn emit_flow_mapping_key(&mut self, event: &Event<'a>, first: bool) -> Result<(), Problem> {
        if first {
            self.write_indicator(b"{", true, true, false);
            self.increase_indent(true, false);
            self.flow_level += 1;
        }
        if matches!(event, Event::MappingEnd) {
            self.flow_level -= 1;
            self.pop_indent();
            self.write_indicator(b"}", false, false, false);
            self.pop_state();
            return Ok(());
        }
        if !first {
            self.write_indicator(b",", false, false, false);
        }
        if self.column > self.best_width {
            self.write_indent();
        }
        if self.check_simple_key() {
            self.states.push(State::FlowMappingSimpleValue);
            return self.emit_node(event, false, true, true);
        }
        self.write_indicator(b"?", true, false, false);
        self.states.push(State::FlowMappingValue);
        self.emit_node(event, false, true, false)
    }

    fn emit_flow_mapping_value(&mut self, event: &Event<'a>, simple: bool) -> Result<(), Problem> {
        if simple {
            self.write_indicator(b":", false, false, false);
        } else {
            if self.column > self.best_width {
                self.write_indent();
            }
            self.write_indicator(b":", true, false, false);
        }
        self.states.push(State::FlowMappingKey);
        self.emit_node(event, false, true, false)
    }

    fn emit_block_sequence_item(&mut self, event: &Event<'a>, first: bool) -> Result<(), Problem> {
        if first {
            let indentless = self.mapping_context && !self.indention;
            self.increase_indent(false, indentless);
        }
        if matches!(event, Event::SequenceEnd) {
            self.pop_indent();
            self.pop_state();
            return Ok(());
        }
        self.write_indent();
        self.write_indicator(b"-", true, false, true);
        self.states.push(State::BlockSequenceItem);
        self.emit_node(event, false, false, false)
    }

    fn emit_block_mapping_key(&mut self, event: &Event<'a>, first: bool) -> Result<(), Problem> {
        if first {
            self.increase_indent(false, false);
        }
        if matches!(event, Event::MappingEnd) {
            self.pop_indent();
            self.pop_state();
            return Ok(());
        }
        self.write_indent();
        if self.check_simple_key() {
            self.states.push(State::BlockMappingSimpleValue);
            return self.emit_node(event, false, true, true);
        }
        self.write_indicator(b"?", true, false, true);
        self.states.push(State::BlockMappingValue);
        self.emit_node(event, false, true, false)
    }

    fn emit_block_mapping_value(&mut self, event: &Event<'a>, simple: bool) -> Result<(), Problem> {
        if simple {
            self.write_indicator(b":", false, false, false);
        } else {
            self.write_indent();
            self.write_indicator(b":", true, false, true);
        }
        self.states.push(State::BlockMappingKey);
        self.emit_node(event, false, true, false)
    }

    fn emit_node(
        &mut self,
        event: &Event<'a>,
        root: bool,
        mapping: bool,
        simple_key: bool,
    ) -> Result<(), Problem> {
        self.root_context = root;
        self.mapping_context = mapping;
        self.simple_key_context = simple_key;
        match event {
            Event::Scalar { style, .. } => {
                self.emit_scalar(*style);
                Ok(())
            }
            Event::SequenceStart => {
                self.state = if self.flow_level > 0 || self.check_empty_sequence() {
                    State::FlowSequenceFirstItem
                } else {
                    State::BlockSequenceFirstItem
                };
                Ok(())
            }
            Event::MappingStart => {
                self.state = if self.flow_level > 0 || self.check_empty_mapping() {
                    State::FlowMappingFirstKey
                } else {
                    State::BlockMappingFirstKey
                };
                Ok(())
            }
            _ => Err("expected SCALAR, SEQUENCE-START, MAPPING-START, or ALIAS"),
        }
    }

    fn emit_scalar(&mut self, style: ScalarStyle) {
        self.select_scalar_style(style);
        self.increase_indent(true, false);
        self.process_scalar();
        self.pop_indent();
        self.pop_state();
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { self.best_indent } else { 0 };
        } else if !indentless {
            self.indent += self.best_indent;
        }
    }

    fn check_empty_sequence(&self) -> bool {
        matches!(
            (self.events.get(self.head), self.events.get(self.head + 1)),
            (Some(Event::SequenceStart), Some(Event::SequenceEnd))
        )
    }

    fn check_empty_mapping(&self) -> bool {
        matches!(
            (self.events.get(self.head), self.events.get(self.head + 1)),
            (Some(Event::MappingStart), Some(Event::MappingEnd))
        )
    }

    fn check_simple_key(&self) -> bool {
        let length = match self.events.get(self.head) {
            Some(Event::Scalar { .. }) => {
                if self.scalar.multiline {
                    return false;
                }
                self.scalar.value.len()
            }
            Some(Event::SequenceStart) => {
                if !self.check_empty_sequence() {
                    return false;
                }
                0
            }
            Some(Event::MappingStart) => {
                if !self.check_empty_mapping() {
                    return false;
                }
                0
            }
            _ => return false,
        };
        length <= 128
    }
}
