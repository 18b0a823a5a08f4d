//! Shares repeated subschemas: every subschema that appears more than once
//! (and is not tiny) moves to `definitions` and is replaced by a `$ref`. The
//! result validates exactly the same documents, but a validator compiles each
//! shared part once: Argo CD's ApplicationSet schema repeats the same
//! 400-node subtrees 24 times, and compiles ten times faster once shared.
//!
//! This file is also compiled by the core's build script (which embeds the
//! shared form of `schemas/*.json`), so it uses nothing but `std` and `serde_json`.

use std::collections::HashMap;

use serde_json::{Map, Value};

/// Subschemas smaller than this many schema nodes stay inline.
const MIN_NODES: usize = 8;

/// Where shared subschemas go (draft 4's name for it).
pub const DEFINITIONS: &str = "definitions";

/// The keywords whose values are schemas, and how.
fn child_schemas(map: &Map<String, Value>) -> Vec<(&str, Option<&str>, Option<usize>)> {
    let mut out = Vec::new();
    for (key, value) in map {
        match (key.as_str(), value) {
            ("properties" | "patternProperties", Value::Object(props)) => {
                out.extend(props.keys().map(|p| (key.as_str(), Some(p.as_str()), None)));
            }
            ("items" | "additionalProperties" | "additionalItems" | "not", Value::Object(_)) => {
                out.push((key.as_str(), None, None));
            }
            ("items" | "allOf" | "anyOf" | "oneOf", Value::Array(items)) => {
                out.extend((0..items.len()).map(|i| (key.as_str(), None, Some(i))));
            }
            _ => {}
        }
    }
    out
}

fn has_refs(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.contains_key("$ref") || map.values().any(has_refs),
        Value::Array(items) => items.iter().any(has_refs),
        _ => false,
    }
}

struct Interner {
    ids: HashMap<String, usize>,
    counts: Vec<usize>,
    /// Definition name of each shared id, in first-use order.
    names: HashMap<usize, String>,
    definitions: Map<String, Value>,
}

impl Interner {
    /// The id of a subschema (equal subschemas, equal ids), its size, and, in
    /// the rewriting pass, its rewritten form.
    fn visit(&mut self, schema: &Value, rewrite: bool, top: bool) -> (usize, usize, Value) {
        let Value::Object(map) = schema else {
            let key = format!("v{schema}");
            let id = self.intern(key, !rewrite);
            return (id, 1, schema.clone());
        };
        // A canonical form: the node with each child schema replaced by its id.
        let mut canonical = map.clone();
        let mut rewritten = if rewrite { map.clone() } else { Map::new() };
        let mut size = 1;
        for (key, name, index) in child_schemas(map) {
            let child = match (name, index) {
                (Some(n), _) => &map[key][n],
                (None, Some(i)) => &map[key][i],
                (None, None) => &map[key],
            };
            let (id, child_size, new) = self.visit(child, rewrite, false);
            size += child_size;
            set_child(
                &mut canonical,
                key,
                name,
                index,
                Value::String(format!("#{id}")),
            );
            if rewrite {
                set_child(&mut rewritten, key, name, index, new);
            }
        }
        let key = serde_json::to_string(&canonical).unwrap_or_default();
        let id = self.intern(key, !rewrite);
        if rewrite && !top && size >= MIN_NODES && self.counts[id] > 1 {
            let name = match self.names.get(&id) {
                Some(n) => n.clone(),
                None => {
                    let n = format!("s{}", self.names.len());
                    self.names.insert(id, n.clone());
                    self.definitions.insert(n.clone(), Value::Object(rewritten));
                    n
                }
            };
            let mut reference = Map::new();
            reference.insert(
                "$ref".into(),
                Value::String(format!("#/{DEFINITIONS}/{name}")),
            );
            return (id, size, Value::Object(reference));
        }
        (id, size, Value::Object(rewritten))
    }

    fn intern(&mut self, key: String, count: bool) -> usize {
        let next = self.counts.len();
        let id = *self.ids.entry(key).or_insert(next);
        if id == next {
            self.counts.push(0);
        }
        if count {
            self.counts[id] += 1;
        }
        id
    }
}

fn set_child(
    map: &mut Map<String, Value>,
    key: &str,
    name: Option<&str>,
    index: Option<usize>,
    value: Value,
) {
    let Some(v) = map.get_mut(key) else { return };
    match (name, index) {
        (Some(n), _) => {
            if let Some(slot) = v.get_mut(n) {
                *slot = value;
            }
        }
        (None, Some(i)) => {
            if let Some(slot) = v.get_mut(i) {
                *slot = value;
            }
        }
        (None, None) => *v = value,
    }
}

/// Removes the `description` of every subschema (never a property named
/// `description`): validation does not read them, and the embedded copies
/// parse and compile faster without them.
pub fn strip_descriptions(schema: &mut Value) {
    let Value::Object(map) = schema else { return };
    map.remove("description");
    for (key, value) in map.iter_mut() {
        match (key.as_str(), value) {
            ("properties" | "patternProperties", Value::Object(props)) => {
                props.values_mut().for_each(strip_descriptions);
            }
            (
                "items" | "additionalProperties" | "additionalItems" | "not",
                v @ Value::Object(_),
            ) => {
                strip_descriptions(v);
            }
            ("items" | "allOf" | "anyOf" | "oneOf", Value::Array(items)) => {
                items.iter_mut().for_each(strip_descriptions);
            }
            _ => {}
        }
    }
}

/// `schema` with its repeated subschemas shared through `definitions`. A
/// schema that already uses `$ref` or has `definitions` is returned as it is.
pub fn share_repeated(schema: &Value) -> Value {
    let Value::Object(root) = schema else {
        return schema.clone();
    };
    if root.contains_key(DEFINITIONS) || has_refs(schema) {
        return schema.clone();
    }
    let mut interner = Interner {
        ids: HashMap::new(),
        counts: Vec::new(),
        names: HashMap::new(),
        definitions: Map::new(),
    };
    interner.visit(schema, false, true);
    let (_, _, rewritten) = interner.visit(schema, true, true);
    let Value::Object(mut out) = rewritten else {
        return schema.clone();
    };
    if !interner.definitions.is_empty() {
        out.insert(DEFINITIONS.into(), Value::Object(interner.definitions));
    }
    Value::Object(out)
}
