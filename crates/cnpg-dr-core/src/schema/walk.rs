//! Walking a document against a structural schema the way the API server
//! prunes it: every field the schema does not declare is reported (and left
//! out of the JSON value that is then validated), `null` object fields are
//! dropped, and `x-kubernetes-preserve-unknown-fields`, `additionalProperties`
//! and the standard `metadata` of objects are respected.

use std::sync::LazyLock;

use serde_json::{Map, Value};

use crate::suggest::did_you_mean;
use crate::yaml::{scalar_value, to_json, ExportError, Node, NodeKind, Schema, Span};

/// A field that the schema does not declare: the API server drops it without a word.
#[derive(Clone, Debug, PartialEq)]
pub struct UnknownField {
    /// JSON pointer of the field (`/spec/bootstrap/recovery/recoveryTraget`).
    pub pointer: String,
    /// The field path as kubectl prints it (`spec.bootstrap.recovery.recoveryTraget`).
    pub path: String,
    /// The key as written.
    pub key: String,
    /// Where the key was written.
    pub span: Span,
    /// The closest declared sibling, when one is close enough to be a typo.
    pub suggestion: Option<String>,
    /// The fields declared at this place, in schema order.
    pub declared: Vec<String>,
}

/// The fields of `metadata` that the API server keeps (ObjectMeta), with the
/// structure of those that have one. Everything else under `metadata` is dropped.
pub static OBJECT_META: LazyLock<Value> = LazyLock::new(|| {
    let string_map =
        serde_json::json!({"type": "object", "additionalProperties": {"type": "string"}});
    let strings = serde_json::json!({"type": "array", "items": {"type": "string"}});
    serde_json::json!({
        "type": "object",
        "properties": {
            "annotations": string_map,
            "creationTimestamp": {"type": "string"},
            "deletionGracePeriodSeconds": {"type": "integer"},
            "deletionTimestamp": {"type": "string"},
            "finalizers": strings,
            "generateName": {"type": "string"},
            "generation": {"type": "integer"},
            "labels": string_map,
            "managedFields": {"type": "array", "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
            "name": {"type": "string"},
            "namespace": {"type": "string"},
            "ownerReferences": {"type": "array", "items": {
                "type": "object",
                "properties": {
                    "apiVersion": {"type": "string"},
                    "blockOwnerDeletion": {"type": "boolean"},
                    "controller": {"type": "boolean"},
                    "kind": {"type": "string"},
                    "name": {"type": "string"},
                    "uid": {"type": "string"}
                }
            }},
            "resourceVersion": {"type": "string"},
            "selfLink": {"type": "string"},
            "uid": {"type": "string"}
        }
    })
});

/// What a schema says about the fields of an object.
enum Shape<'s> {
    /// Nothing usable (not an object schema, a `$ref`, or an object that
    /// declares no fields at all): the walk does not judge below this point.
    Any,
    Object {
        props: Option<&'s Map<String, Value>>,
        extra: Extra<'s>,
        /// `x-kubernetes-embedded-resource`: `apiVersion`, `kind`, `metadata` are implicit.
        embedded: bool,
    },
}

/// What happens to a field that `properties` does not name.
enum Extra<'s> {
    Deny,
    Allow,
    Schema(&'s Value),
}

fn is_true(map: &Map<String, Value>, key: &str) -> bool {
    map.get(key) == Some(&Value::Bool(true))
}

fn shape(schema: &Value) -> Shape<'_> {
    let Some(map) = schema.as_object() else {
        return Shape::Any;
    };
    if map.contains_key("$ref") {
        return Shape::Any;
    }
    let props = map.get("properties").and_then(Value::as_object);
    let extra = match map.get("additionalProperties") {
        _ if is_true(map, "x-kubernetes-preserve-unknown-fields") => Extra::Allow,
        Some(Value::Bool(false)) => Extra::Deny,
        Some(Value::Bool(true)) => Extra::Allow,
        Some(s @ Value::Object(_)) => Extra::Schema(s),
        _ if props.is_some() => Extra::Deny,
        // `type: object` alone. The API server would prune every field, but a
        // hand-written JSON Schema means "anything": do not guess.
        _ => return Shape::Any,
    };
    Shape::Object {
        props,
        extra,
        embedded: is_true(map, "x-kubernetes-embedded-resource"),
    }
}

/// One step of a path.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

/// A JSON pointer from steps.
fn pointer_of(steps: &[Step]) -> String {
    let mut out = String::new();
    for s in steps {
        out.push('/');
        match s {
            Step::Key(k) => out.push_str(&k.replace('~', "~0").replace('/', "~1")),
            Step::Index(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

fn is_identifier(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$')
}

/// A field path as kubectl and the API server print it: `spec.externalClusters[0].name`,
/// `metadata.annotations[cnpg.io/skipEmptyWalArchiveCheck]`.
pub fn display_path(pointer: &str) -> String {
    let mut out = String::new();
    let Some(rest) = pointer.strip_prefix('/') else {
        return out;
    };
    for raw in rest.split('/') {
        let token = raw.replace("~1", "/").replace("~0", "~");
        if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{token}]"));
        } else if is_identifier(&token) {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token);
        } else {
            out.push_str(&format!("[{token}]"));
        }
    }
    out
}

/// The node at a JSON pointer or, when the pointer leads past what the
/// document holds, its nearest existing ancestor (and false).
pub fn locate<'n>(root: &'n Node, pointer: &str) -> (&'n Node, bool) {
    let mut node = root;
    let Some(rest) = pointer.strip_prefix('/') else {
        return (root, pointer.is_empty());
    };
    for raw in rest.split('/') {
        let token = raw.replace("~1", "/").replace("~0", "~");
        let next = match &node.kind {
            NodeKind::Map(m) => m.get(&token),
            NodeKind::Seq(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
            NodeKind::Scalar(_) => None,
        };
        match next {
            Some(n) => node = n,
            None => return (node, false),
        }
    }
    (node, true)
}

/// The span of the key that holds the value at `pointer`, if it is a map entry.
pub fn key_span<'n>(root: &'n Node, pointer: &str) -> Option<&'n Span> {
    let (parent, last) = pointer.rsplit_once('/')?;
    let (parent, exact) = locate(root, parent);
    if !exact {
        return None;
    }
    let key = last.replace("~1", "/").replace("~0", "~");
    parent
        .as_map()?
        .entries
        .iter()
        .find(|(k, _)| k.as_str() == Some(&key))
        .map(|(k, _)| &k.span)
}

/// Where in a document the walk is, for the fields that are implicit there.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// The object itself: its `metadata` is ObjectMeta whatever the schema says.
    Root,
    Inner,
}

/// Follows local `$ref`s (`#/definitions/s3`) to the schema they name. An
/// unresolvable reference is returned as it is (and judged as "anything").
pub fn resolve<'s>(root: &'s Value, mut schema: &'s Value) -> &'s Value {
    for _ in 0..32 {
        let Some(target) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| root.pointer(p))
        else {
            return schema;
        };
        schema = target;
    }
    schema
}

/// The schema of the value at `pointer`, following `properties`,
/// `additionalProperties` and `items` (and local `$ref`s).
pub fn schema_at<'s>(root: &'s Value, pointer: &str) -> Option<&'s Value> {
    let mut schema = resolve(root, root);
    let Some(rest) = pointer.strip_prefix('/') else {
        return Some(schema);
    };
    for raw in rest.split('/') {
        let token = raw.replace("~1", "/").replace("~0", "~");
        let next = schema
            .get("properties")
            .and_then(|p| p.get(&token))
            .or_else(|| schema.get("additionalProperties").filter(|a| a.is_object()))
            .or_else(|| {
                token
                    .parse::<usize>()
                    .ok()
                    .and_then(|_| schema.get("items").filter(|i| i.is_object()))
            })?;
        schema = resolve(root, next);
    }
    Some(schema)
}

/// One walk of one document. With `build`, it also returns the JSON value
/// the API server would validate (unknown fields and null fields dropped).
pub(crate) struct Walk<'s> {
    root: &'s Value,
    build: bool,
    steps: Vec<Step>,
    pub unknown: Vec<UnknownField>,
}

impl<'s> Walk<'s> {
    pub fn new(root: &'s Value, build: bool) -> Walk<'s> {
        Walk {
            root,
            build,
            steps: Vec::new(),
            unknown: Vec::new(),
        }
    }

    /// Walks a whole object (`metadata` as ObjectMeta).
    pub fn object(&mut self, node: &Node) -> Result<Value, ExportError> {
        self.walk(node, Some(self.root), Place::Root)
    }

    fn any(&self, node: &Node) -> Result<Value, ExportError> {
        if self.build {
            to_json(node, Schema::Kyaml)
        } else {
            Ok(Value::Null)
        }
    }

    fn walk(
        &mut self,
        node: &Node,
        schema: Option<&'s Value>,
        place: Place,
    ) -> Result<Value, ExportError> {
        let Some(schema) = schema else {
            return self.any(node);
        };
        let schema = resolve(self.root, schema);
        match &node.kind {
            NodeKind::Scalar(_) => {
                if self.build {
                    scalar_value(node, Schema::Kyaml)
                } else {
                    Ok(Value::Null)
                }
            }
            NodeKind::Seq(items) => {
                let item_schema = match schema.get("items") {
                    Some(s @ Value::Object(_)) => Some(s),
                    _ => None,
                };
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    self.steps.push(Step::Index(i));
                    let v = self.walk(item, item_schema, Place::Inner);
                    self.steps.pop();
                    let v = v?;
                    if self.build {
                        out.push(v);
                    }
                }
                Ok(if self.build {
                    Value::Array(out)
                } else {
                    Value::Null
                })
            }
            NodeKind::Map(map) => {
                let Shape::Object {
                    props,
                    extra,
                    embedded,
                } = shape(schema)
                else {
                    return self.any(node);
                };
                let mut out = Map::new();
                for (k, v) in &map.entries {
                    let Some(key) = k.as_scalar().map(|s| s.text.as_str()) else {
                        continue;
                    };
                    let implicit_meta = key == "metadata" && (place == Place::Root || embedded);
                    let field: Option<Option<&'s Value>> = if implicit_meta {
                        Some(Some(&*OBJECT_META))
                    } else if let Some(s) = props.and_then(|p| p.get(key)) {
                        Some(Some(s))
                    } else if (embedded || place == Place::Root)
                        && (key == "apiVersion" || key == "kind")
                    {
                        Some(None)
                    } else {
                        match extra {
                            Extra::Schema(s) => Some(Some(s)),
                            Extra::Allow => Some(None),
                            Extra::Deny => None,
                        }
                    };
                    self.steps.push(Step::Key(key.to_string()));
                    match field {
                        None => {
                            let mut declared: Vec<String> = props
                                .map(|p| p.keys().cloned().collect())
                                .unwrap_or_default();
                            if embedded {
                                for implicit in ["apiVersion", "kind", "metadata"] {
                                    if !declared.iter().any(|d| d == implicit) {
                                        declared.push(implicit.to_string());
                                    }
                                }
                            }
                            let suggestion = did_you_mean(key, declared.iter().map(String::as_str))
                                .map(str::to_string);
                            let pointer = pointer_of(&self.steps);
                            self.unknown.push(UnknownField {
                                path: display_path(&pointer),
                                pointer,
                                key: key.to_string(),
                                span: k.span.clone(),
                                suggestion,
                                declared,
                            });
                        }
                        // The API server prunes null fields (unless nullable, and a
                        // nullable null is always valid): leave them out.
                        Some(Some(_)) if v.is_null() => {}
                        Some(sub) => {
                            let value = self.walk(v, sub, Place::Inner);
                            let value = match value {
                                Ok(value) => value,
                                Err(e) => {
                                    self.steps.pop();
                                    return Err(e);
                                }
                            };
                            if self.build {
                                out.insert(key.to_string(), value);
                            }
                        }
                    }
                    self.steps.pop();
                }
                Ok(if self.build {
                    Value::Object(out)
                } else {
                    Value::Null
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{load_str, LoadLimits};
    use serde_json::json;
    use std::path::Path;
    use std::sync::Arc;

    fn doc(text: &str) -> Node {
        load_str(text, Arc::from(Path::new("t.yaml")), &LoadLimits::default())
            .unwrap()
            .remove(0)
    }

    #[test]
    fn pointers_map_to_nodes_or_their_nearest_ancestor() {
        let d = doc(
            "spec:\n  externalClusters:\n  - name: origin\n    plugin:\n      name: x\n  a/b: 1\n",
        );
        let (n, exact) = locate(&d, "/spec/externalClusters/0/plugin/name");
        assert!(exact);
        assert_eq!((n.span.line, n.span.column), (5, 13));
        let (n, exact) = locate(&d, "/spec/externalClusters/0/barmanObjectStore/wals");
        assert!(!exact);
        assert_eq!(n.span.line, 3);
        let (n, exact) = locate(&d, "/spec/externalClusters/7");
        assert!(!exact);
        assert_eq!(n.as_seq().map(Vec::len), Some(1));
        let (n, exact) = locate(&d, "/spec/a~1b");
        assert!(exact);
        assert_eq!(n.as_str(), Some("1"));
        assert!(locate(&d, "").1);
        let k = key_span(&d, "/spec/externalClusters/0/plugin").unwrap();
        assert_eq!((k.line, k.column), (4, 5));
        assert_eq!(
            display_path("/spec/externalClusters/0/plugin/name"),
            "spec.externalClusters[0].plugin.name"
        );
        assert_eq!(
            display_path("/metadata/annotations/cnpg.io~1skip"),
            "metadata.annotations[cnpg.io/skip]"
        );
        assert_eq!(display_path(""), "");
    }

    #[test]
    fn walk_reports_and_prunes_undeclared_fields() {
        let schema = json!({
            "type": "object",
            "properties": {
                "metadata": {"type": "object"},
                "spec": {"type": "object", "properties": {
                    "keep": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                    "map": {"type": "object", "additionalProperties": {"type": "object", "properties": {"a": {"type": "string"}}}},
                    "list": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}},
                    "gone": {"type": "string"},
                    "free": {"type": "object"}
                }}
            }
        });
        let d = doc(
            "metadata:\n  name: x\n  lables: {a: b}\nspec:\n  keep: {anything: 1}\n  map:\n    k: {a: x, b: y}\n  list:\n  - name: n\n    nmae: m\n  gone:\n  free: {z: 1}\n  extra: 1\nsepc: {}\n",
        );
        let mut w = Walk::new(&schema, true);
        let value = w.object(&d).unwrap();
        let found: Vec<(String, u32, Option<String>)> = w
            .unknown
            .iter()
            .map(|u| (u.path.clone(), u.span.line, u.suggestion.clone()))
            .collect();
        assert_eq!(
            found,
            [
                ("metadata.lables".into(), 3, Some("labels".into())),
                ("spec.map.k.b".into(), 7, None),
                ("spec.list[0].nmae".into(), 10, Some("name".into())),
                ("spec.extra".into(), 13, None),
                ("sepc".into(), 14, Some("spec".into())),
            ]
        );
        assert_eq!(
            value,
            json!({"metadata": {"name": "x"}, "spec": {"keep": {"anything": 1}, "map": {"k": {"a": "x"}}, "list": [{"name": "n"}], "free": {"z": 1}}})
        );
        let mut w = Walk::new(&schema, false);
        assert_eq!(w.object(&d).unwrap(), Value::Null);
        assert_eq!(w.unknown.len(), 5);
    }
}
