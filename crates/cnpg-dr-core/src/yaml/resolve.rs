//! TEMPORARY stand-in, replaced by the real typing module.
use super::node::*;
use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schema {
    Kyaml,
    Yaml11,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ExportError {
    pub span: Span,
    pub message: String,
}

pub fn scalar_value(node: &Node, schema: Schema) -> Result<Value, ExportError> {
    let s = match node.as_scalar() {
        Some(s) => s,
        None => return to_json(node, schema),
    };
    if node.is_null() {
        return Ok(Value::Null);
    }
    if !s.style.is_plain() {
        return Ok(Value::String(s.text.clone()));
    }
    match s.text.as_str() {
        "true" => return Ok(Value::Bool(true)),
        "false" => return Ok(Value::Bool(false)),
        _ => {}
    }
    if let Ok(i) = s.text.parse::<i64>() {
        return Ok(Value::from(i));
    }
    if let Ok(f) = s.text.parse::<f64>() {
        if let Some(n) = serde_json::Number::from_f64(f) {
            return Ok(Value::Number(n));
        }
    }
    Ok(Value::String(s.text.clone()))
}

pub fn to_json(node: &Node, schema: Schema) -> Result<Value, ExportError> {
    Ok(match &node.kind {
        NodeKind::Scalar(_) => scalar_value(node, schema)?,
        NodeKind::Seq(items) => Value::Array(
            items
                .iter()
                .map(|n| to_json(n, schema))
                .collect::<Result<_, _>>()?,
        ),
        NodeKind::Map(m) => {
            let mut out = serde_json::Map::new();
            for (k, v) in &m.entries {
                out.insert(
                    k.as_scalar().map(|s| s.text.clone()).unwrap_or_default(),
                    to_json(v, schema)?,
                );
            }
            Value::Object(out)
        }
    })
}
