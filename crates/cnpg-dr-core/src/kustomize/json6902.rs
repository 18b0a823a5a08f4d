//! JSON 6902 patches applied to node trees, the way kustomize v5.5.0 applies
//! them: ops decoded by `sigs.k8s.io/yaml` (YAML 1.1 typing) unless the text
//! starts with `[`, then applied by `evanphx/json-patch` v4 to the resource's
//! JSON, which is read back into YAML.
//!
//! That round trip through JSON is visible in the output and is reproduced
//! here: after a JSON patch every scalar of the resource is its typed JSON
//! value, and every number went through a float64 (`1.0` → `1`, a 20-digit
//! integer loses precision, a timestamp becomes its RFC 3339 string even in
//! annotations). Nodes keep their spans; inserted values carry the span of
//! the op value that set them.

mod ops;
#[cfg(test)]
#[allow(clippy::disallowed_methods)] // the tests build real directories
mod tests;

use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use super::error::{RenderError, RenderErrorKind, Result};
use super::generate::{format_g, go_json, go_json_number_exact, go_json_string, go_quote, Numbers};
use crate::yaml::{load_str, scalar_value, to_json, LoadLimits, Node, NodeKind, Schema, Span};

/// One parsed operation.
#[derive(Clone, Debug)]
pub struct Op {
    /// The operation as written (the list item).
    pub span: Span,
    kind: Field,
    path: Field,
    from: Field,
    /// `None` when the op has no `value` field.
    value: Option<Conv>,
}

/// A string field of an op (`op`, `path`, `from`).
#[derive(Clone, Debug, PartialEq)]
enum Field {
    /// Absent or null.
    Missing,
    Str(String),
    /// Present with another JSON type (its `encoding/json` name).
    Wrong(&'static str),
}

impl Field {
    fn from_conv(c: Option<&Conv>) -> Field {
        match c {
            None | Some(Conv::Null(_)) => Field::Missing,
            Some(Conv::Str { s, .. }) => Field::Str(s.clone()),
            Some(other) => Field::Wrong(other.type_name()),
        }
    }
}

/// A value of the ops document after the YAML→JSON conversion, with spans.
/// `raw` is the JSON text the patch library compares in a `test` op.
#[derive(Clone, Debug)]
enum Conv {
    Null(Span),
    Bool(bool, Span),
    Num {
        n: serde_json::Number,
        raw: String,
        span: Span,
    },
    Str {
        s: String,
        raw: String,
        span: Span,
    },
    Seq(Vec<Conv>, Span),
    Map(Vec<(String, Span, Conv)>, Span),
}

impl Conv {
    fn span(&self) -> &Span {
        match self {
            Conv::Null(s) | Conv::Bool(_, s) | Conv::Seq(_, s) | Conv::Map(_, s) => s,
            Conv::Num { span, .. } | Conv::Str { span, .. } => span,
        }
    }

    fn type_name(&self) -> &'static str {
        match self {
            Conv::Null(_) => "null",
            Conv::Bool(..) => "bool",
            Conv::Num { .. } => "number",
            Conv::Str { .. } => "string",
            Conv::Seq(..) => "array",
            Conv::Map(..) => "object",
        }
    }

    fn to_value(&self) -> Value {
        match self {
            Conv::Null(_) => Value::Null,
            Conv::Bool(b, _) => Value::Bool(*b),
            Conv::Num { n, .. } => Value::Number(n.clone()),
            Conv::Str { s, .. } => Value::String(s.clone()),
            Conv::Seq(items, _) => Value::Array(items.iter().map(Conv::to_value).collect()),
            Conv::Map(entries, _) => Value::Object(
                entries
                    .iter()
                    .map(|(k, _, v)| (k.clone(), v.to_value()))
                    .collect(),
            ),
        }
    }

    /// The node this value becomes in a resource: typed the same by the final
    /// export (strings quoted, numbers and booleans plain).
    fn to_node(&self) -> Node {
        match self {
            Conv::Null(span) => Node::null(span.clone()),
            Conv::Bool(b, span) => Node::plain(b.to_string(), span.clone()),
            Conv::Num { n, span, .. } => Node::plain(go_json_number_exact(n), span.clone()),
            Conv::Str { s, span, .. } => Node::string(s.clone(), span.clone()),
            Conv::Seq(items, span) => {
                Node::seq(items.iter().map(Conv::to_node).collect(), span.clone())
            }
            Conv::Map(entries, span) => {
                let mut node = Node::map(span.clone());
                if let Some(m) = node.as_map_mut() {
                    for (k, kspan, v) in entries {
                        m.entries
                            .push((Node::string(k.clone(), kspan.clone()), v.to_node()));
                    }
                }
                node
            }
        }
    }

    fn canon(&self) -> ops::Canon {
        match self {
            Conv::Null(_) => ops::Canon::Null,
            Conv::Bool(b, _) => ops::Canon::Scalar(b.to_string()),
            Conv::Num { raw, .. } | Conv::Str { raw, .. } => ops::Canon::Scalar(raw.clone()),
            Conv::Seq(items, _) => ops::Canon::Arr(items.iter().map(Conv::canon).collect()),
            Conv::Map(entries, _) => ops::Canon::Obj(
                entries
                    .iter()
                    .map(|(k, _, v)| (k.clone(), v.canon()))
                    .collect(),
            ),
        }
    }
}

fn patch_error(message: impl Into<String>, span: &Span) -> RenderError {
    RenderError::new(RenderErrorKind::Patch, message).at(span)
}

/// Parses an operations document (a YAML or JSON list), typed with YAML 1.1
/// rules. Only the document's shape is checked here; like kustomize, an op
/// with an unknown `op` or without `path` fails when it is applied.
pub fn parse_ops(text: &str, file: Arc<Path>) -> Result<Vec<Op>> {
    let raw = text.starts_with('[');
    let file_span = Span::file_start(file.clone());
    if raw {
        if let Err(e) = serde_json::from_str::<Value>(text) {
            return Err(patch_error(format!("decoding {text}: {e}"), &file_span));
        }
    }
    let docs = load_str(text, file.clone(), &LoadLimits::yaml11());
    let root = match (docs, raw) {
        (Ok(docs), _) => match docs.into_iter().next() {
            Some(doc) => convert(&doc, raw)?,
            None => return Ok(Vec::new()),
        },
        // JSON that the YAML reader does not take (rare): values without positions.
        (Err(_), true) => match serde_json::from_str::<Value>(text) {
            Ok(v) => from_json(&v, &file_span),
            Err(e) => return Err(patch_error(format!("decoding {text}: {e}"), &file_span)),
        },
        (Err(e), false) => {
            let span = Span {
                file,
                line: e.line,
                column: e.column,
                start: e.offset,
                end: e.offset,
            };
            return Err(patch_error(
                format!("yaml: line {}: {}", e.line, e.message),
                &span,
            ));
        }
    };
    let shown = || {
        if raw {
            text.to_string()
        } else {
            go_json(&root.to_value(), Numbers::Exact)
        }
    };
    let items = match &root {
        Conv::Null(_) => return Ok(Vec::new()),
        Conv::Seq(items, _) => items,
        other => {
            return Err(patch_error(
                format!(
                    "decoding {}: json: cannot unmarshal {} into Go value of type jsonpatch.Patch",
                    shown(),
                    other.type_name()
                ),
                other.span(),
            ))
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Conv::Null(span) => out.push(Op {
                span: span.clone(),
                kind: Field::Missing,
                path: Field::Missing,
                from: Field::Missing,
                value: None,
            }),
            Conv::Map(entries, span) => {
                let get = |name: &str| {
                    entries
                        .iter()
                        .rev()
                        .find(|(k, _, _)| k == name)
                        .map(|(_, _, v)| v)
                };
                out.push(Op {
                    span: span.clone(),
                    kind: Field::from_conv(get("op")),
                    path: Field::from_conv(get("path")),
                    from: Field::from_conv(get("from")),
                    value: get("value").cloned(),
                })
            }
            other => {
                return Err(patch_error(
                    format!(
                        "decoding {}: json: cannot unmarshal {} into Go value of type jsonpatch.Operation",
                        shown(),
                        other.type_name()
                    ),
                    other.span(),
                ))
            }
        }
    }
    Ok(out)
}

/// YAML 1.1 infinities and NaNs, which `encoding/json` refuses.
fn non_finite(node: &Node) -> Option<&'static str> {
    let s = node.as_scalar()?;
    if !s.style.is_plain() || node.tag.is_some() {
        return None;
    }
    match s.text.as_str() {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Some("+Inf"),
        "-.inf" | "-.Inf" | "-.INF" => Some("-Inf"),
        ".nan" | ".NaN" | ".NAN" => Some("NaN"),
        _ => None,
    }
}

/// `sigs.k8s.io/yaml.YAMLToJSON` of one node, keeping spans. In `raw` mode (a
/// JSON text) the compared text of numbers is the number as written.
fn convert(node: &Node, raw: bool) -> Result<Conv> {
    let span = node.span.clone();
    match &node.kind {
        NodeKind::Scalar(s) => {
            if let Some(which) = non_finite(node) {
                return Err(patch_error(
                    format!("json: unsupported value: {which}"),
                    &span,
                ));
            }
            let v = scalar_value(node, Schema::Yaml11)
                .map_err(|e| patch_error(e.to_string(), &e.span))?;
            Ok(match v {
                Value::Null => Conv::Null(span),
                Value::Bool(b) => Conv::Bool(b, span),
                Value::Number(n) => Conv::Num {
                    raw: if raw {
                        s.text.clone()
                    } else {
                        go_json_number_exact(&n)
                    },
                    n,
                    span,
                },
                Value::String(text) => Conv::Str {
                    raw: if raw {
                        Value::String(text.clone()).to_string()
                    } else {
                        go_json_string(&text)
                    },
                    s: text,
                    span,
                },
                other => from_json(&other, &span),
            })
        }
        NodeKind::Seq(items) => Ok(Conv::Seq(
            items
                .iter()
                .map(|i| convert(i, raw))
                .collect::<Result<_>>()?,
            span,
        )),
        NodeKind::Map(m) => {
            let mut entries: Vec<(String, Span, Conv)> = Vec::with_capacity(m.len());
            for (k, v) in &m.entries {
                let value = convert(v, raw)?;
                let key = map_key(k, &value)?;
                match entries.iter_mut().find(|(ek, _, _)| *ek == key) {
                    Some(slot) => *slot = (key, k.span.clone(), value),
                    None => entries.push((key, k.span.clone(), value)),
                }
            }
            Ok(Conv::Map(entries, span))
        }
    }
}

/// A map key as `YAMLToJSON` turns it into a JSON object key.
fn map_key(k: &Node, value: &Conv) -> Result<String> {
    if k.as_scalar().is_none() {
        return Err(patch_error(
            "yaml: invalid map key: a mapping or sequence cannot be a key in a JSON patch",
            &k.span,
        ));
    }
    match scalar_value(k, Schema::Yaml11).map_err(|e| patch_error(e.to_string(), &e.span))? {
        Value::String(s) => Ok(s),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.to_string(),
            (_, Some(u)) => u.to_string(),
            _ => format_g(n.as_f64().unwrap_or(0.0), true),
        }),
        _ => Err(patch_error(
            format!(
                "unsupported map key of type: %!s(<nil>), key: <nil>, value: {}",
                go_sharp_v(value)
            ),
            &k.span,
        )),
    }
}

/// Go's `%#v` of a decoded YAML value, for the one message that prints it.
fn go_sharp_v(c: &Conv) -> String {
    match c {
        Conv::Null(_) => "<nil>".to_string(),
        Conv::Bool(b, _) => b.to_string(),
        Conv::Num { n, .. } => n.to_string(),
        Conv::Str { s, .. } => go_quote(s),
        Conv::Seq(..) => "[]interface {}{...}".to_string(),
        Conv::Map(..) => "map[interface {}]interface {}{...}".to_string(),
    }
}

/// A JSON value as a `Conv` whose parts all point at `span`.
fn from_json(v: &Value, span: &Span) -> Conv {
    let span = span.clone();
    match v {
        Value::Null => Conv::Null(span),
        Value::Bool(b) => Conv::Bool(*b, span),
        Value::Number(n) => Conv::Num {
            raw: n.to_string(),
            n: n.clone(),
            span,
        },
        Value::String(s) => Conv::Str {
            raw: v.to_string(),
            s: s.clone(),
            span,
        },
        Value::Array(items) => Conv::Seq(items.iter().map(|i| from_json(i, &span)).collect(), span),
        Value::Object(m) => Conv::Map(
            m.iter()
                .map(|(k, v)| (k.clone(), span.clone(), from_json(v, &span)))
                .collect(),
            span,
        ),
    }
}

/// Applies operations in order to a resource. On error the resource is left
/// unchanged.
pub fn apply(target: &mut Node, ops: &[Op]) -> Result<()> {
    // kyaml's MarshalJSON: a resource that has no JSON form cannot be patched.
    to_json(target, Schema::Kyaml)
        .map_err(|e| RenderError::new(RenderErrorKind::Patch, e.to_string()).at(&e.span))?;
    let mut doc = target.clone();
    for op in ops {
        ops::apply_one(&mut doc, op).map_err(|m| patch_error(m, &op.span))?;
    }
    if doc.as_map().is_none() {
        let what = match doc.kind {
            NodeKind::Seq(_) => "array",
            _ => "string",
        };
        let span = ops.last().map_or(&doc.span, |o| &o.span).clone();
        return Err(patch_error(
            format!(
                "json: cannot unmarshal {what} into Go value of type map[string]interface {{}}"
            ),
            &span,
        ));
    }
    through_json(&mut doc)
        .map_err(|e| RenderError::new(RenderErrorKind::Patch, e.to_string()).at(&e.span))?;
    *target = doc;
    Ok(())
}

/// The JSON round trip of a patched resource: every scalar becomes the node of
/// its typed JSON value (numbers as the float64 go-yaml writes back), keys
/// become strings, tags go away. Spans stay.
fn through_json(node: &mut Node) -> std::result::Result<(), crate::yaml::ExportError> {
    node.tag = None;
    match &mut node.kind {
        NodeKind::Scalar(_) => {
            let v = scalar_value(node, Schema::Kyaml)?;
            *node = value_node(&v, &node.span);
        }
        NodeKind::Seq(items) => {
            for item in items {
                through_json(item)?;
            }
        }
        NodeKind::Map(m) => {
            for (k, v) in m.entries.iter_mut() {
                let text = match scalar_value(k, Schema::Kyaml)? {
                    Value::String(s) => s,
                    _ => k.as_scalar().map(|s| s.text.clone()).unwrap_or_default(),
                };
                *k = Node::string(text, k.span.clone());
                through_json(v)?;
            }
        }
    }
    Ok(())
}

fn value_node(v: &Value, span: &Span) -> Node {
    match v {
        Value::Null => Node::null(span.clone()),
        Value::Bool(b) => Node::plain(b.to_string(), span.clone()),
        Value::Number(n) => Node::plain(format_g(n.as_f64().unwrap_or(0.0), false), span.clone()),
        Value::String(s) => Node::string(s.clone(), span.clone()),
        Value::Array(items) => Node::seq(
            items.iter().map(|i| value_node(i, span)).collect(),
            span.clone(),
        ),
        Value::Object(m) => {
            let mut node = Node::map(span.clone());
            if let Some(map) = node.as_map_mut() {
                for (k, v) in m {
                    map.entries
                        .push((Node::string(k.clone(), span.clone()), value_node(v, span)));
                }
            }
            node
        }
    }
}
