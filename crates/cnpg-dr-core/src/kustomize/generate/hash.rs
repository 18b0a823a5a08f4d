//! kustomize's name-suffix hash (api/hasher/hasher.go).
//!
//! The hashed text is Go `json.Marshal` output of a small map. For a ConfigMap:
//! `{"data":DATA,"kind":"ConfigMap","name":""}` plus `binaryData` when it is a
//! map; for a Secret: `{"data":DATA,"kind":"Secret","name":"","type":TYPE}` plus
//! `stringData` when it is a map. The name is always empty: the hasher looks
//! it up with the single path segment `metadata/name`, which never matches.
//! Map fields go through kyaml's `MarshalJSON` and back through
//! `encoding/json`, so their values are typed (a patched `5` hashes as a
//! number) and every number becomes a float64. A scalar field hashes as its
//! text; a missing one as "".

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::super::error::{RenderError, RenderErrorKind, Result};
use super::gojson::{self, Numbers};
use crate::yaml::{to_json, Node, NodeKind, Schema};

fn export_error(e: crate::yaml::ExportError) -> RenderError {
    RenderError::new(RenderErrorKind::Output, e.to_string()).at(&e.span)
}

/// A field as the hasher's `getNodeValues` reads it.
fn field_value(node: &Node, field: &str) -> Result<Value> {
    let Some(v) = node.as_map().and_then(|m| m.get(field)) else {
        return Ok(Value::String(String::new()));
    };
    match &v.kind {
        NodeKind::Scalar(s) => Ok(Value::String(s.text.clone())),
        NodeKind::Map(_) => to_json(v, Schema::Kyaml).map_err(export_error),
        // A list does not decode into the map the hasher expects: it hashes as null.
        NodeKind::Seq(_) => {
            to_json(v, Schema::Kyaml).map_err(export_error)?;
            Ok(Value::Null)
        }
    }
}

/// True when the hasher includes an optional field (it decoded into a map).
fn is_map_field(node: &Node, field: &str) -> bool {
    node.as_map()
        .and_then(|m| m.get(field))
        .is_some_and(|v| !matches!(v.kind, NodeKind::Scalar(_)))
}

/// The exact text kustomize hashes for an object.
pub(crate) fn hash_input(node: &Node) -> Result<String> {
    let kind = node
        .get_path(&["kind"])
        .and_then(Node::as_str)
        .unwrap_or("");
    let mut m = Map::new();
    let optional = match kind {
        "ConfigMap" => Some("binaryData"),
        "Secret" => {
            m.insert("type".into(), field_value(node, "type")?);
            Some("stringData")
        }
        _ => None,
    };
    let Some(optional) = optional else {
        let all = to_json(node, Schema::Kyaml).map_err(export_error)?;
        return Ok(gojson::marshal(&all, Numbers::Exact));
    };
    m.insert("kind".into(), Value::String(kind.to_string()));
    m.insert("name".into(), Value::String(String::new()));
    m.insert("data".into(), field_value(node, "data")?);
    if is_map_field(node, optional) {
        m.insert(optional.into(), field_value(node, optional)?);
    }
    Ok(gojson::marshal(&Value::Object(m), Numbers::Float64))
}

/// hex(sha256(text))[:10] with kustomize's substitutions (0→g 1→h 3→k a→m e→t),
/// which keep the suffix free of vowels and of characters that read alike.
pub(crate) fn encode(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    gojson::hex(&digest)
        .chars()
        .take(10)
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            c => c,
        })
        .collect()
}
