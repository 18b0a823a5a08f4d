//! Printing documents exactly as `kubectl kustomize` (Kustomize v5.5.0) does.
//!
//! Kustomize turns each resource into JSON with Go's `encoding/json` and
//! hands it to `sigs.k8s.io/yaml.JSONToYAML`: go-yaml v2 unmarshals the JSON
//! into `interface{}` and marshals that again. Documents are joined with
//! `---\n`. This module reproduces the round trip for a [`serde_json::Value`]
//! in three steps, each a port of the Go code:
//!
//! 1. [`decode`]: what v2 reads back from the JSON text (numbers re-typed,
//!    the reader's refusals, the scanner's folding of NEL);
//! 2. the encoder (`encode.go`), below: mapping keys in v2's natural order
//!    ([`sort`]), strings quoted when v2's `resolve` would read the plain
//!    text as something else ([`resolve`]), floats in Go's `'g'` format
//!    ([`float`]);
//! 3. the emitter (`emitterc.go`) in [`emitter`].

mod decode;
mod emitter;
mod float;
mod resolve;
mod sort;
#[cfg(test)]
mod test_vectors;
#[cfg(test)]
mod tests;

mod unicode_tables;

use std::borrow::Cow;

use serde_json::Value;

use decode::GoValue;
use emitter::{Event, ScalarStyle};

pub use float::format_go_float;
pub use sort::{natural_cmp, natural_less};

/// Why a document cannot be printed. The messages are go-yaml's (or, for
/// [`EmitError::UnsupportedValue`], `encoding/json`'s); kustomize prefixes
/// them with a Go dump of the resource.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EmitError {
    /// A string (value or key) holds a character go-yaml's reader refuses
    /// and `encoding/json` writes raw: DEL (U+007F), a C1 control other
    /// than NEL, U+FFFE or U+FFFF. `text` is that string.
    #[error("yaml: control characters are not allowed")]
    ControlCharacter { text: String },
    /// A NEL in a string is followed by `---` or `...` and a blank, which
    /// go-yaml's scanner takes for a document marker. `line` is the
    /// scanner's line in the JSON text (1 + the NELs before it).
    #[error("yaml: line {line}: found unexpected document indicator")]
    DocumentIndicator { line: usize, text: String },
    /// A mapping key holds a NEL or is longer than 1022 characters as JSON
    /// text, so go-yaml cannot read it as a key. `line` is the scanner's
    /// 0-based line at the `:` after it (the NELs before it).
    #[error("yaml: {}did not find expected ',' or '}}'", line_prefix(*line))]
    KeyNotSimple { line: usize, key: String },
    /// A number JSON cannot hold (`+Inf`, `-Inf`, `NaN`).
    #[error("json: unsupported value: {value}")]
    UnsupportedValue { value: String },
    /// The emitter rejected its event stream (never expected).
    #[error("yaml: {problem}")]
    Emitter { problem: String },
}

/// go-yaml's parser errors name the problem's 0-based line unless it is 0.
fn line_prefix(line: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!("line {line}: ")
    }
}

/// Prints documents exactly as `kubectl kustomize` does: each document is
/// the go-yaml v2 marshalling of the JSON value, documents joined by
/// `"---\n"`, no leading `---`; no documents give `""`.
pub fn emit_documents(docs: &[Value]) -> Result<String, EmitError> {
    let mut out = String::new();
    for (i, doc) in docs.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&emit_document(doc)?);
    }
    Ok(out)
}

/// Prints one document as go-yaml v2's `Marshal` prints what it unmarshals
/// from the JSON of `doc` (`sigs.k8s.io/yaml.JSONToYAML`).
pub fn emit_document(doc: &Value) -> Result<String, EmitError> {
    let value = decode::decode(doc)?;
    let mut events = vec![Event::StreamStart, Event::DocumentStart];
    encode(&value, &mut events);
    events.push(Event::DocumentEnd);
    events.push(Event::StreamEnd);
    let bytes = emitter::emit(&events).map_err(|problem| EmitError::Emitter {
        problem: problem.to_string(),
    })?;
    // The emitter copies whole UTF-8 characters and writes ASCII otherwise.
    String::from_utf8(bytes).map_err(|_| EmitError::Emitter {
        problem: "invalid UTF-8 in output".to_string(),
    })
}

/// go-yaml v2's `encoder.marshal` for the values JSON can produce.
fn encode<'a>(value: &'a GoValue, events: &mut Vec<Event<'a>>) {
    let plain = |text: Cow<'a, str>| Event::Scalar {
        value: text,
        style: ScalarStyle::Plain,
    };
    match value {
        GoValue::Null => events.push(plain(Cow::Borrowed("null"))),
        GoValue::Bool(b) => events.push(plain(Cow::Borrowed(if *b { "true" } else { "false" }))),
        GoValue::Int(i) => events.push(plain(Cow::Owned(i.to_string()))),
        GoValue::Uint(u) => events.push(plain(Cow::Owned(u.to_string()))),
        GoValue::Float(f) => {
            let text = match format_go_float(*f).as_str() {
                "+Inf" => ".inf".to_string(),
                "-Inf" => "-.inf".to_string(),
                "NaN" => ".nan".to_string(),
                other => other.to_string(),
            };
            events.push(plain(Cow::Owned(text)));
        }
        GoValue::Str(s) => events.push(string_event(s)),
        GoValue::Seq(items) => {
            events.push(Event::SequenceStart);
            for item in items {
                encode(item, events);
            }
            events.push(Event::SequenceEnd);
        }
        GoValue::Map(entries) => {
            events.push(Event::MappingStart);
            for (key, value) in entries {
                events.push(string_event(key));
                encode(value, events);
            }
            events.push(Event::MappingEnd);
        }
    }
}

/// `encoder.stringv`: literal when the text has a line feed, plain when it
/// reads back as the same string, double-quoted otherwise. The emitter may
/// still pick another style (single quotes, or double quotes when the text
/// cannot be written in the requested one).
fn string_event(s: &str) -> Event<'_> {
    let style = if s.contains('\n') {
        ScalarStyle::Literal
    } else if resolve::can_use_plain(s) {
        ScalarStyle::Plain
    } else {
        ScalarStyle::DoubleQuoted
    };
    Event::Scalar {
        value: Cow::Borrowed(s),
        style,
    }
}
