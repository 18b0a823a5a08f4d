//! Typing scalars the way Go's YAML libraries do, and exporting a [`Node`]
//! tree to JSON the way kustomize does before it prints a resource.
//!
//! Two sets of rules matter:
//! * [`Schema::Kyaml`]: go-yaml v3, used by kyaml for resources and
//!   strategic-merge patches. `yes`/`on`/`y` are strings, timestamps become
//!   RFC 3339 strings, and a mapping with a non-string key cannot be encoded.
//! * [`Schema::Yaml11`]: go-yaml v2 behind `sigs.k8s.io/yaml.YAMLToJSON`,
//!   used for kustomization files and JSON 6902 op documents. `yes`/`on`/`y`
//!   are booleans, timestamps stay as written, and non-string keys are turned
//!   into strings.
//!
//! The number rules are shared: Go's `strconv.ParseInt(s, 0, 64)` after
//! removing `_` (so `0x1F`, `0o17`, `0b101`, `0777`, `+1`, `1_000`), then
//! `ParseUint`, then a float if the text looks like a YAML float.

use serde_json::{Map, Number, Value};

use super::node::{Node, NodeKind, Span, TAG_STR};
use super::scalar::{short_tag, type_scalar, Fail, Typed};

/// Which Go YAML library's rules type the plain scalars.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Schema {
    /// go-yaml v3 as kyaml decodes resources and strategic-merge patches
    /// (close to YAML 1.2): `yes/no/on/off/y/n` are strings, `true/True/TRUE`
    /// are booleans, plain timestamps become RFC 3339 strings.
    #[default]
    Kyaml,
    /// go-yaml v2 (YAML 1.1) as `sigs.k8s.io/yaml` reads kustomization files
    /// and JSON 6902 op documents: `on/yes/y/off/no/n` are booleans, dates
    /// and `1:30` stay strings, non-string keys become strings.
    Yaml11,
}

/// Why a tree cannot be exported; the [`Display`](std::fmt::Display) names the
/// place, says what is wrong, and ends with the message kustomize prints.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{span}: {}", kind.describe())]
pub struct ExportError {
    /// The offending node (for duplicate keys: the second key).
    pub span: Span,
    pub kind: ExportErrorKind,
}

impl ExportError {
    /// The part of kustomize's message that names the cause, e.g.
    /// `json: unsupported value: +Inf`, or for a duplicate key
    /// `yaml: unmarshal errors:\n  line 7: mapping key "a" already defined at line 6`.
    pub fn go_message(&self) -> String {
        match &self.kind {
            ExportErrorKind::DuplicateKey { .. } => format!(
                "yaml: unmarshal errors:\n  line {}: {}",
                self.span.line,
                self.kind.go_cause()
            ),
            kind => kind.go_cause(),
        }
    }
}

/// The causes of [`ExportError`].
#[derive(Debug, Clone, PartialEq)]
pub enum ExportErrorKind {
    /// `.inf`, `-.inf` or `.nan`: JSON has no such numbers.
    NonFiniteFloat { text: String, value: f64 },
    /// A mapping below the top level has a key that is not a string
    /// (go-yaml v3 then builds a `map[interface{}]interface{}`).
    NonStringKey { key: String },
    /// A key that `sigs.k8s.io/yaml` cannot turn into a string (null, or an
    /// integer above the int64 range).
    UnsupportedKey { key: String, go_type: &'static str },
    /// A sequence or mapping used as a mapping key.
    CollectionKey { shape: &'static str },
    /// The same key twice in one mapping (go-yaml v3 refuses to decode it).
    DuplicateKey { key: String, first_line: u32 },
    /// An explicit tag that does not fit the text (`!!int abc`).
    TagMismatch {
        tag: String,
        found: &'static str,
        text: String,
    },
    /// `!!binary` with text that is not base64.
    InvalidBase64,
    /// A timestamp whose UTC offset is 24 hours or more.
    TimestampOffset { text: String },
}

impl ExportErrorKind {
    /// Go's wording of the cause.
    fn go_cause(&self) -> String {
        match self {
            ExportErrorKind::NonFiniteFloat { value, .. } => {
                let v = if value.is_nan() {
                    "NaN"
                } else if *value > 0.0 {
                    "+Inf"
                } else {
                    "-Inf"
                };
                format!("json: unsupported value: {v}")
            }
            ExportErrorKind::NonStringKey { .. } => {
                "json: unsupported type: map[interface {}]interface {}".to_string()
            }
            ExportErrorKind::UnsupportedKey { key, go_type } => {
                format!("error converting YAML to JSON: unsupported map key of type: {go_type}, key: {key}")
            }
            ExportErrorKind::CollectionKey { shape } => format!("yaml: invalid map key: {shape}"),
            ExportErrorKind::DuplicateKey { key, first_line } => {
                format!("mapping key {} already defined at line {first_line}", go_quote(key))
            }
            ExportErrorKind::TagMismatch { tag, found, text } => {
                format!("yaml: cannot decode {found} `{text}` as a {tag}")
            }
            ExportErrorKind::InvalidBase64 => {
                "yaml: !!binary value contains invalid base64 data".to_string()
            }
            ExportErrorKind::TimestampOffset { .. } => "json: error calling MarshalJSON for type time.Time: Time.MarshalJSON: timezone hour outside of range [0,23]".to_string(),
        }
    }

    fn describe(&self) -> String {
        let plain = match self {
            ExportErrorKind::NonFiniteFloat { text, .. } => {
                format!("`{text}` is not a finite number, and JSON cannot represent it; quote it to keep it as a string")
            }
            ExportErrorKind::NonStringKey { key } => {
                format!("the mapping key `{key}` is not a string, and a resource can only have string keys; quote it")
            }
            ExportErrorKind::UnsupportedKey { key, .. } => {
                format!("the mapping key `{key}` cannot be turned into a JSON string; quote it")
            }
            ExportErrorKind::CollectionKey { shape } => {
                format!("a {shape} is used as a mapping key; keys must be strings")
            }
            ExportErrorKind::DuplicateKey { key, first_line } => {
                format!("the key `{key}` is written twice in the same mapping (first at line {first_line})")
            }
            ExportErrorKind::TagMismatch { tag, text, .. } => {
                format!("`{text}` cannot be read as the explicit tag {tag}")
            }
            ExportErrorKind::InvalidBase64 => "the !!binary value is not valid base64".to_string(),
            ExportErrorKind::TimestampOffset { text } => format!(
                "the timestamp `{text}` has a UTC offset of 24 hours or more, which cannot be printed"
            ),
        };
        let go = self.go_cause();
        format!("{plain} (kustomize: {go})")
    }
}

/// Go's `%#v` of a string, as go-yaml prints keys in its errors.
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `strconv.FormatFloat(f, 'g', -1, 32)`, as `sigs.k8s.io/yaml` turns a
/// float key into a string, with go-yaml's names for the special values.
fn format_float_key(f: f64) -> String {
    let f = f as f32;
    if f.is_nan() {
        return ".nan".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.to_string();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    // Rust's `{:e}` gives the shortest digits that round-trip, like Go's -1.
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if f < 0.0 { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let rest = &digits[1..];
        let dot = if rest.is_empty() { "" } else { "." };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{}{dot}{rest}e{esign}{:02}", &digits[..1], exp.abs());
    }
    let dp = exp + 1;
    let body = if dp <= 0 {
        format!("0.{}{digits}", "0".repeat(dp.unsigned_abs() as usize))
    } else if dp as usize >= digits.len() {
        format!("{digits}{}", "0".repeat(dp as usize - digits.len()))
    } else {
        format!("{}.{}", &digits[..dp as usize], &digits[dp as usize..])
    };
    format!("{sign}{body}")
}

/// The typed value of one scalar node (respecting explicit tags: `!!str 123`
/// is `"123"`, `!!int "42"` is 42). A collection is converted with
/// [`to_json`].
pub fn scalar_value(node: &Node, schema: Schema) -> Result<Value, ExportError> {
    match &node.kind {
        NodeKind::Scalar(_) => {
            let mut ex = Exporter::new(schema);
            let v = ex.scalar(node);
            ex.finish(v)
        }
        _ => to_json(node, schema),
    }
}

/// Converts a whole tree, the way kustomize converts a resource to JSON
/// before printing it.
///
/// With [`Schema::Kyaml`] the top-level mapping is decoded into Go's
/// `map[string]interface{}`, so its scalar keys become strings as written
/// (`80: http` gives `"80"`), while a non-string key deeper down is an error.
/// With [`Schema::Yaml11`] every int, float and bool key becomes a string.
/// Duplicate keys are an error with [`Schema::Kyaml`]; with
/// [`Schema::Yaml11`] the last one wins.
///
/// Typing is all this does: kustomize's own adjustments before printing
/// (annotation values kept as written, a null `metadata.annotations`
/// dropped) belong to the renderer.
pub fn to_json(node: &Node, schema: Schema) -> Result<Value, ExportError> {
    let mut ex = Exporter::new(schema);
    let v = ex.node(node, true);
    ex.finish(v)
}

/// Walks a tree once and keeps the first error of each class, so that the
/// error reported is the one Go would report first: decoding errors (bad
/// tags) stop go-yaml at once, duplicate keys are collected and reported
/// after decoding, and JSON encoding errors come last.
struct Exporter {
    schema: Schema,
    decode: Option<ExportError>,
    keys: Option<ExportError>,
    encode: Option<ExportError>,
}

impl Exporter {
    fn new(schema: Schema) -> Self {
        Exporter {
            schema,
            decode: None,
            keys: None,
            encode: None,
        }
    }

    fn finish(self, v: Value) -> Result<Value, ExportError> {
        match self.decode.or(self.keys).or(self.encode) {
            Some(e) => Err(e),
            None => Ok(v),
        }
    }

    fn record(slot: &mut Option<ExportError>, span: &Span, kind: ExportErrorKind) {
        if slot.is_none() {
            *slot = Some(ExportError {
                span: span.clone(),
                kind,
            });
        }
    }

    /// Types a scalar node, recording errors; a failed scalar becomes null.
    fn typed<'n>(&mut self, node: &'n Node) -> Option<Typed<'n>> {
        let NodeKind::Scalar(s) = &node.kind else {
            return None;
        };
        match type_scalar(
            &s.text,
            node.tag.as_deref(),
            s.style.is_plain(),
            self.schema,
        ) {
            Ok(t) => Some(t),
            Err(fail) => {
                let kind = match fail {
                    Fail::Tag { found } => ExportErrorKind::TagMismatch {
                        tag: short_tag(node.tag.as_deref().unwrap_or_default()).into_owned(),
                        found,
                        text: s.text.clone(),
                    },
                    Fail::Base64 => ExportErrorKind::InvalidBase64,
                };
                Self::record(&mut self.decode, &node.span, kind);
                None
            }
        }
    }

    fn scalar(&mut self, node: &Node) -> Value {
        let Some(t) = self.typed(node) else {
            return Value::Null;
        };
        match t {
            Typed::Null => Value::Null,
            Typed::Bool(b) => Value::Bool(b),
            Typed::Int(i) => Value::Number(Number::from(i)),
            Typed::Uint(u) => Value::Number(Number::from(u)),
            Typed::Float(f) => match Number::from_f64(f) {
                Some(n) => Value::Number(n),
                None => {
                    let text = node.as_scalar().map(|s| s.text.clone()).unwrap_or_default();
                    let kind = ExportErrorKind::NonFiniteFloat { text, value: f };
                    Self::record(&mut self.encode, &node.span, kind);
                    Value::Null
                }
            },
            // go-yaml v2 hands a timestamp to `interface{}` as its text.
            Typed::Time(_) if self.schema == Schema::Yaml11 => {
                Value::String(node.as_scalar().map(|s| s.text.clone()).unwrap_or_default())
            }
            Typed::Time(t) => match t.to_rfc3339() {
                Some(s) => Value::String(s),
                None => {
                    let text = node.as_scalar().map(|s| s.text.clone()).unwrap_or_default();
                    Self::record(
                        &mut self.encode,
                        &node.span,
                        ExportErrorKind::TimestampOffset { text },
                    );
                    Value::Null
                }
            },
            Typed::Str(s) => Value::String(s.into_owned()),
        }
    }

    fn node(&mut self, node: &Node, top: bool) -> Value {
        match &node.kind {
            NodeKind::Scalar(_) => self.scalar(node),
            NodeKind::Seq(items) => {
                Value::Array(items.iter().map(|n| self.node(n, false)).collect())
            }
            NodeKind::Map(m) => {
                let mut out = Map::new();
                // Scalar key text -> line of its first use, for duplicates.
                let mut seen: std::collections::HashMap<&str, u32> =
                    std::collections::HashMap::new();
                for (k, v) in &m.entries {
                    let key = self.key(k, top);
                    if let (Some(text), Schema::Kyaml) =
                        (k.as_scalar().map(|s| s.text.as_str()), self.schema)
                    {
                        if let Some(first_line) = seen.get(text) {
                            let kind = ExportErrorKind::DuplicateKey {
                                key: text.to_string(),
                                first_line: *first_line,
                            };
                            Self::record(&mut self.keys, &k.span, kind);
                        } else {
                            seen.insert(text, k.span.line);
                        }
                    }
                    let value = self.node(v, false);
                    if let Some(key) = key {
                        out.insert(key, value);
                    }
                }
                Value::Object(out)
            }
        }
    }

    /// The JSON key for a mapping key, or `None` after recording why not.
    fn key(&mut self, k: &Node, top: bool) -> Option<String> {
        if !matches!(k.kind, NodeKind::Scalar(_)) {
            let shape = if k.as_seq().is_some() {
                "sequence"
            } else {
                "mapping"
            };
            Self::record(
                &mut self.decode,
                &k.span,
                ExportErrorKind::CollectionKey { shape },
            );
            return None;
        }
        let text = k.as_scalar().map(|s| s.text.as_str()).unwrap_or_default();
        let typed = self.typed(k)?;
        // go-yaml v3 builds a string-keyed map only if every key's tag is `!!str`.
        let str_tag = matches!(k.tag.as_deref(), None | Some("!") | Some(TAG_STR));
        match (self.schema, typed) {
            (Schema::Kyaml, Typed::Str(s)) if str_tag || top => Some(s.into_owned()),
            (Schema::Yaml11, Typed::Str(s)) => Some(s.into_owned()),
            // go-yaml v3 decodes top-level keys into Go strings: the text as written.
            (Schema::Kyaml, Typed::Null) => {
                let kind = ExportErrorKind::NonStringKey {
                    key: text.to_string(),
                };
                Self::record(&mut self.encode, &k.span, kind);
                None
            }
            (Schema::Kyaml, _) if top => Some(text.to_string()),
            (Schema::Kyaml, _) => {
                let kind = ExportErrorKind::NonStringKey {
                    key: text.to_string(),
                };
                Self::record(&mut self.encode, &k.span, kind);
                None
            }
            (Schema::Yaml11, Typed::Bool(b)) => Some(b.to_string()),
            (Schema::Yaml11, Typed::Int(i)) => Some(i.to_string()),
            (Schema::Yaml11, Typed::Float(f)) => Some(format_float_key(f)),
            (Schema::Yaml11, Typed::Time(_)) => Some(text.to_string()),
            (Schema::Yaml11, other) => {
                let go_type = match other {
                    Typed::Null => "<nil>",
                    _ => "uint64",
                };
                let kind = ExportErrorKind::UnsupportedKey {
                    key: text.to_string(),
                    go_type,
                };
                Self::record(&mut self.keys, &k.span, kind);
                None
            }
        }
    }
}

#[cfg(test)]
#[path = "resolve_tests.rs"]
mod tests;
