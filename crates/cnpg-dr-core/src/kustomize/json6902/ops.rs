//! The six operations on a node tree with the semantics and error texts of
//! `evanphx/json-patch` v4 as kustomize v5.5.0 uses it: `add` on an existing key
//! replaces it, `replace` on a missing key of an existing map adds it, negative
//! indices count from the end, `-` appends, the first segment of a path that
//! does not start with `/` is ignored, and a null on the way is a missing path.

use serde_json::Value;

use super::super::generate::{go_json_number_exact, go_json_string, go_quote};
use super::{Field, Op};
use crate::yaml::{to_json, Node, NodeKind, Schema};

/// A value as the patch library compares it in `test`: compact JSON text for
/// scalars, structure for containers.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Canon {
    Null,
    Scalar(String),
    Arr(Vec<Canon>),
    Obj(Vec<(String, Canon)>),
}

impl Canon {
    /// A resource value as kyaml's `MarshalJSON` writes it.
    fn of_value(v: &Value) -> Canon {
        match v {
            Value::Null => Canon::Null,
            Value::Bool(b) => Canon::Scalar(b.to_string()),
            Value::Number(n) => Canon::Scalar(go_json_number_exact(n)),
            Value::String(s) => Canon::Scalar(go_json_string(s)),
            Value::Array(items) => Canon::Arr(items.iter().map(Canon::of_value).collect()),
            Value::Object(m) => Canon::Obj(
                m.iter()
                    .map(|(k, v)| (k.clone(), Canon::of_value(v)))
                    .collect(),
            ),
        }
    }

    fn equal(&self, other: &Canon) -> bool {
        match (self, other) {
            (Canon::Null, Canon::Null) => true,
            (Canon::Scalar(a), Canon::Scalar(b)) => a == b,
            (Canon::Arr(a), Canon::Arr(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.equal(y))
            }
            (Canon::Obj(a), Canon::Obj(b)) => {
                a.len() == b.len()
                    && a.iter().all(|(k, v)| {
                        b.iter()
                            .find(|(bk, _)| bk == k)
                            .is_some_and(|(_, bv)| v.equal(bv))
                    })
            }
            _ => false,
        }
    }
}

const MISSING: &str = "missing value";

fn invalid_index(idx: i64) -> String {
    format!("Unable to access invalid index: {idx}: invalid index referenced")
}

/// `strconv.Atoi`, with its error texts.
fn atoi(s: &str) -> Result<i64, String> {
    let syntax = || format!("strconv.Atoi: parsing {}: invalid syntax", go_quote(s));
    let range = || format!("strconv.Atoi: parsing {}: value out of range", go_quote(s));
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return Err(syntax());
    }
    let mut n: u64 = 0;
    for c in digits.bytes() {
        if !c.is_ascii_digit() {
            return Err(syntax());
        }
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(c - b'0')))
            .ok_or_else(range)?;
    }
    let limit = i64::MAX as u64;
    match (negative, n) {
        (false, n) if n <= limit => Ok(n as i64),
        (true, n) if n <= limit => Ok(-(n as i64)),
        (true, n) if n == limit + 1 => Ok(i64::MIN),
        _ => Err(range()),
    }
}

/// RFC 6901 unescaping: `~1` is `/`, `~0` is `~` (left to right, no rescans).
fn decode_key(k: &str) -> String {
    let mut out = String::with_capacity(k.len());
    let mut rest = k;
    while let Some(c) = rest.chars().next() {
        if let Some(r) = rest.strip_prefix("~1") {
            out.push('/');
            rest = r;
        } else if let Some(r) = rest.strip_prefix("~0") {
            out.push('~');
            rest = r;
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The index of an existing element (`get`, `replace`, `remove`): negative
/// indices count from the end.
fn existing_index(len: usize, key: &str) -> Result<usize, String> {
    let idx = atoi(key)?;
    let len = len as i64;
    let mut i = idx;
    if i >= len {
        return Err(invalid_index(idx));
    }
    if i < 0 {
        if i < -len {
            return Err(invalid_index(idx));
        }
        i += len;
    }
    Ok(i as usize)
}

/// The container holding the last segment of `path`, and that segment
/// (`findObject`): `None` when a parent is missing, null or a scalar.
fn find<'a>(doc: &'a mut Node, path: &str) -> Option<(&'a mut Node, String)> {
    let split: Vec<&str> = path.split('/').collect();
    if split.len() < 2 {
        return None;
    }
    let key = decode_key(split[split.len() - 1]);
    let mut cur = doc;
    for part in &split[1..split.len() - 1] {
        let part = decode_key(part);
        let here = cur;
        let next = match &mut here.kind {
            NodeKind::Map(m) => m.get_mut(&part)?,
            NodeKind::Seq(items) => {
                let i = existing_index(items.len(), &part).ok()?;
                items.get_mut(i)?
            }
            NodeKind::Scalar(_) => return None,
        };
        if next.is_null() || next.as_scalar().is_some() {
            return None;
        }
        cur = next;
    }
    Some((cur, key))
}

/// `get`: the value at `key` (`None` when absent or null).
fn get(con: &Node, key: &str) -> Result<Option<Node>, String> {
    let found = match &con.kind {
        NodeKind::Map(m) => m.get(key),
        NodeKind::Seq(items) => items.get(existing_index(items.len(), key)?),
        NodeKind::Scalar(_) => return Err("invalid state detected".to_string()),
    };
    Ok(found.filter(|n| !n.is_null()).cloned())
}

/// `add`: sets a key, or inserts at an index (`-` appends).
fn add(con: &mut Node, key: &str, value: Node) -> Result<(), String> {
    match &mut con.kind {
        NodeKind::Map(m) => {
            match m.get_mut(key) {
                Some(slot) => *slot = value,
                None => m
                    .entries
                    .push((Node::string(key, value.span.clone()), value)),
            }
            Ok(())
        }
        NodeKind::Seq(items) => {
            if key == "-" {
                items.push(value);
                return Ok(());
            }
            let idx = atoi(key)
                .map_err(|e| format!("value was not a proper array index: '{key}': {e}"))?;
            let size = items.len() as i64 + 1;
            if idx >= size || idx < -size {
                return Err(invalid_index(idx));
            }
            let i = if idx < 0 { idx + size } else { idx };
            items.insert(i as usize, value);
            Ok(())
        }
        NodeKind::Scalar(_) => Err("invalid state detected".to_string()),
    }
}

/// `set` (for `replace`, after `get` succeeded).
fn set(con: &mut Node, key: &str, value: Node) -> Result<(), String> {
    match &mut con.kind {
        NodeKind::Seq(items) => {
            let i = existing_index(items.len(), key)?;
            if let Some(slot) = items.get_mut(i) {
                *slot = value;
            }
            Ok(())
        }
        _ => add(con, key, value),
    }
}

/// `remove`, returning the removed node.
fn remove(con: &mut Node, key: &str) -> Result<Node, String> {
    match &mut con.kind {
        NodeKind::Map(m) => m
            .remove(key)
            .ok_or_else(|| format!("Unable to remove nonexistent key: {key}: {MISSING}")),
        NodeKind::Seq(items) => {
            let i = existing_index(items.len(), key)?;
            Ok(items.remove(i))
        }
        NodeKind::Scalar(_) => Err("invalid state detected".to_string()),
    }
}

/// `Operation.Path()` / `From()`: the field's text, or the library's error.
fn field(f: &Field, missing: &str) -> Result<String, String> {
    match f {
        Field::Str(s) => Ok(s.clone()),
        Field::Missing => Err(format!("{missing}: {MISSING}")),
        Field::Wrong(t) => Err(format!(
            "json: cannot unmarshal {t} into Go value of type string"
        )),
    }
}

fn path_of(op: &Op) -> Result<String, String> {
    field(&op.path, "operation missing path field")
}

fn from_of(op: &Op) -> Result<String, String> {
    field(&op.from, "operation, missing from field")
}

/// The node an op's `value` inserts (`null` when the field is absent).
fn value_node(op: &Op) -> Node {
    match &op.value {
        Some(v) => v.to_node(),
        None => Node::null(op.span.clone()),
    }
}

/// Applies one operation; the error is the library's message.
pub(super) fn apply_one(doc: &mut Node, op: &Op) -> Result<(), String> {
    let kind = match &op.kind {
        Field::Str(s) => s.as_str(),
        _ => "unknown",
    };
    match kind {
        "add" => {
            let path = path_of(op)
                .map_err(|_| format!("add operation failed to decode path: {MISSING}"))?;
            let (con, key) = find(doc, &path).ok_or_else(|| {
                format!("add operation does not apply: doc is missing path: \"{path}\": {MISSING}")
            })?;
            add(con, &key, value_node(op))
                .map_err(|e| format!("error in add for path: '{path}': {e}"))
        }
        "remove" => {
            let path = path_of(op)
                .map_err(|_| format!("remove operation failed to decode path: {MISSING}"))?;
            let (con, key) = find(doc, &path).ok_or_else(|| {
                format!(
                    "remove operation does not apply: doc is missing path: \"{path}\": {MISSING}"
                )
            })?;
            remove(con, &key)
                .map(|_| ())
                .map_err(|e| format!("error in remove for path: '{path}': {e}"))
        }
        "replace" => {
            let path =
                path_of(op).map_err(|e| format!("replace operation failed to decode path: {e}"))?;
            if path.is_empty() {
                // The whole document; a scalar value is silently ignored.
                let value = value_node(op);
                if value.as_map().is_some() || value.as_seq().is_some() {
                    *doc = value;
                }
                return Ok(());
            }
            let (con, key) = find(doc, &path).ok_or_else(|| {
                format!("replace operation does not apply: doc is missing path: {path}: {MISSING}")
            })?;
            get(con, &key).map_err(|_| {
                format!("replace operation does not apply: doc is missing key: {path}: {MISSING}")
            })?;
            set(con, &key, value_node(op))
                .map_err(|e| format!("error in remove for path: '{path}': {e}"))
        }
        "move" => {
            let from =
                from_of(op).map_err(|e| format!("move operation failed to decode from: {e}"))?;
            let (con, key) = find(doc, &from).ok_or_else(|| {
                format!(
                    "move operation does not apply: doc is missing from path: {from}: {MISSING}"
                )
            })?;
            let value =
                remove(con, &key).map_err(|e| format!("error in move for path: '{key}': {e}"))?;
            let path =
                path_of(op).map_err(|e| format!("move operation failed to decode path: {e}"))?;
            let (con, key) = find(doc, &path).ok_or_else(|| {
                format!(
                    "move operation does not apply: doc is missing destination path: {path}: {MISSING}"
                )
            })?;
            add(con, &key, value).map_err(|e| format!("error in move for path: '{path}': {e}"))
        }
        "test" => {
            let path =
                path_of(op).map_err(|e| format!("test operation failed to decode path: {e}"))?;
            let (con, key) = find(doc, &path).ok_or_else(|| {
                format!("test operation does not apply: is missing path: {path}: {MISSING}")
            })?;
            let found =
                get(con, &key).map_err(|e| format!("error in test for path: '{path}': {e}"))?;
            let failed = || format!("testing value {path} failed: test failed");
            let expected = op.value.as_ref().map(|v| v.canon());
            match (found, expected) {
                (None, None) | (None, Some(Canon::Null)) => Ok(()),
                (None, Some(_)) | (Some(_), None) => Err(failed()),
                (Some(node), Some(expected)) => {
                    let actual = to_json(&node, Schema::Kyaml).map_err(|e| e.to_string())?;
                    if Canon::of_value(&actual).equal(&expected) {
                        Ok(())
                    } else {
                        Err(failed())
                    }
                }
            }
        }
        "copy" => {
            let from =
                from_of(op).map_err(|e| format!("copy operation failed to decode from: {e}"))?;
            let (con, key) = find(doc, &from).ok_or_else(|| {
                format!(
                    "copy operation does not apply: doc is missing from path: {from}: {MISSING}"
                )
            })?;
            let value = get(con, &key)
                .map_err(|e| format!("error in copy for from: '{from}': {e}"))?
                .unwrap_or_else(|| Node::null(op.span.clone()));
            let path = path_of(op)
                .map_err(|_| format!("copy operation failed to decode path: {MISSING}"))?;
            let (con, key) = find(doc, &path).ok_or_else(|| {
                format!(
                    "copy operation does not apply: doc is missing destination path: {path}: {MISSING}"
                )
            })?;
            add(con, &key, value).map_err(|e| format!("error while adding value during copy: {e}"))
        }
        other => Err(format!("Unexpected kind: {other}")),
    }
}
