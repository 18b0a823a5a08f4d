//! CustomResourceDefinition → JSON Schema, the way kubeconform's
//! `openapi2jsonschema` does it, with two documented differences (see
//! [`close_objects`] and [`constrain_identity`]).

use serde_json::{Map, Value};

use super::SchemaError;
use crate::kustomize::Gvk;
use crate::yaml::{to_json, Node, Schema};

/// One version of one kind, as a CRD declares it.
#[derive(Clone, Debug, PartialEq)]
pub struct CrdSchema {
    pub gvk: Gvk,
    /// `served`, `storage` and `deprecated` as the CRD version says (false when absent).
    pub served: bool,
    pub storage: bool,
    pub deprecated: bool,
    /// The JSON Schema (the version's `openAPIV3Schema`, transformed).
    pub schema: Value,
}

impl CrdSchema {
    /// The file name kubeconform's catalogues use: `cluster-postgresql-v1.json`.
    pub fn file_name(&self) -> String {
        file_name(&self.gvk)
    }
}

/// `{kind}-{first label of the group}-{version}.json`, lower case; `{kind}-{version}.json`
/// for the core group (`secret-v1.json`).
pub fn file_name(gvk: &Gvk) -> String {
    let kind = gvk.kind.to_lowercase();
    let version = gvk.version.to_lowercase();
    match group_prefix(&gvk.group) {
        "" => format!("{kind}-{version}.json"),
        prefix => format!("{kind}-{}-{version}.json", prefix.to_lowercase()),
    }
}

/// The first label of an API group (`postgresql` for `postgresql.cnpg.io`).
pub fn group_prefix(group: &str) -> &str {
    group.split('.').next().unwrap_or("")
}

/// What a schema file name says: (kind, group prefix, version), all lower
/// case. Kinds and versions hold no `-`; group prefixes may
/// (`externalsecret-external-secrets-v1.json`).
pub fn parse_file_name(name: &str) -> Option<(String, String, String)> {
    let stem = name.strip_suffix(".json")?;
    let (kind, rest) = stem.split_once('-')?;
    let (prefix, version) = match rest.rsplit_once('-') {
        Some((p, v)) => (p, v),
        None => ("", rest),
    };
    if kind.is_empty() || version.is_empty() {
        return None;
    }
    Some((
        kind.to_lowercase(),
        prefix.to_lowercase(),
        version.to_lowercase(),
    ))
}

fn text<'a>(node: &'a Node, path: &[&str]) -> Result<&'a str, SchemaError> {
    node.get_path(path)
        .and_then(Node::as_str)
        .ok_or_else(|| SchemaError::at(&node.span, format!("the CRD has no {}", path.join("."))))
}

fn flag(node: &Node, key: &str) -> bool {
    node.get_path(&[key]).and_then(Node::as_str) == Some("true")
}

/// Every version of a CRD document that carries a schema, in the CRD's order.
pub fn from_crd(doc: &Node) -> Result<Vec<CrdSchema>, SchemaError> {
    let group = text(doc, &["spec", "group"])?;
    let kind = text(doc, &["spec", "names", "kind"])?;
    // apiextensions.k8s.io/v1beta1 CRDs could declare one schema for all versions.
    let shared = doc.get_path(&["spec", "validation", "openAPIV3Schema"]);
    let mut versions: Vec<&Node> = doc
        .get_path(&["spec", "versions"])
        .and_then(Node::as_seq)
        .map(|v| v.iter().collect())
        .unwrap_or_default();
    if versions.is_empty() {
        if let Some(v) = doc.get_path(&["spec", "version"]) {
            versions.push(v);
        }
    }
    let mut out = Vec::new();
    for v in versions {
        // `spec.version: v1` (old form) is a scalar; `spec.versions[]` entries are maps.
        let (name, schema, served, storage, deprecated) = match v.as_str() {
            Some(name) => (name, shared, true, true, false),
            None => (
                text(v, &["name"])?,
                v.get_path(&["schema", "openAPIV3Schema"]).or(shared),
                flag(v, "served"),
                flag(v, "storage"),
                flag(v, "deprecated"),
            ),
        };
        let Some(schema) = schema else { continue };
        let mut schema =
            to_json(schema, Schema::Kyaml).map_err(|e| SchemaError::at(&e.span, e.to_string()))?;
        let gvk = Gvk {
            group: group.to_string(),
            version: name.to_string(),
            kind: kind.to_string(),
        };
        close_objects(&mut schema);
        constrain_identity(&mut schema, &gvk);
        out.push(CrdSchema {
            gvk,
            served,
            storage,
            deprecated,
            schema,
        });
    }
    Ok(out)
}

fn is_true(map: &Map<String, Value>, key: &str) -> bool {
    map.get(key) == Some(&Value::Bool(true))
}

/// Adds `additionalProperties: false` to every structural object schema that
/// has `properties` and neither `additionalProperties` nor
/// `x-kubernetes-preserve-unknown-fields: true` (nor
/// `x-kubernetes-embedded-resource: true`, whose `apiVersion`, `kind` and
/// `metadata` are implicit): the API server prunes undeclared fields there, so
/// a validator must not accept them. Unlike `openapi2jsonschema`, the root
/// object is closed too (the API server prunes `sepc:` as well), and value
/// validations (`allOf`/`anyOf`/`oneOf`/`not`) are left alone: their
/// `properties` only restate structural ones, and closing them would reject
/// every sibling field.
pub fn close_objects(schema: &mut Value) {
    let Value::Object(map) = schema else { return };
    if map.contains_key("properties")
        && !map.contains_key("additionalProperties")
        && !is_true(map, "x-kubernetes-preserve-unknown-fields")
        && !is_true(map, "x-kubernetes-embedded-resource")
    {
        map.insert("additionalProperties".into(), Value::Bool(false));
    }
    if let Some(Value::Object(props)) = map.get_mut("properties") {
        props.values_mut().for_each(close_objects);
    }
    if let Some(additional @ Value::Object(_)) = map.get_mut("additionalProperties") {
        close_objects(additional);
    }
    match map.get_mut("items") {
        Some(items @ Value::Object(_)) => close_objects(items),
        Some(Value::Array(items)) => items.iter_mut().for_each(close_objects),
        _ => {}
    }
}

/// Constrains the root's `apiVersion` and `kind` to this version and kind
/// (an `enum` of one value next to what the CRD says), so that a schema file
/// used on its own rejects another kind's objects.
pub fn constrain_identity(schema: &mut Value, gvk: &Gvk) {
    let Value::Object(root) = schema else { return };
    let props = root
        .entry("properties")
        .or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(props) = props else { return };
    for (key, value) in [
        ("apiVersion", gvk.api_version()),
        ("kind", gvk.kind.clone()),
    ] {
        let entry = props
            .entry(key)
            .or_insert_with(|| serde_json::json!({"type": "string"}));
        if let Value::Object(p) = entry {
            p.insert("enum".into(), Value::Array(vec![Value::String(value)]));
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

    fn crd(text: &str) -> Vec<CrdSchema> {
        let docs = load_str(
            text,
            Arc::from(Path::new("crd.yaml")),
            &LoadLimits::default(),
        )
        .unwrap();
        from_crd(&docs[0]).unwrap()
    }

    #[test]
    fn file_names_round_trip() {
        let gvk = Gvk::from_api_version("external-secrets.io/v1beta1", "ExternalSecret");
        assert_eq!(
            file_name(&gvk),
            "externalsecret-external-secrets-v1beta1.json"
        );
        assert_eq!(
            parse_file_name("externalsecret-external-secrets-v1beta1.json"),
            Some((
                "externalsecret".into(),
                "external-secrets".into(),
                "v1beta1".into()
            ))
        );
        assert_eq!(
            file_name(&Gvk::from_api_version("v1", "Secret")),
            "secret-v1.json"
        );
        assert_eq!(
            parse_file_name("secret-v1.json"),
            Some(("secret".into(), "".into(), "v1".into()))
        );
        assert_eq!(parse_file_name("index.json"), None);
        assert_eq!(parse_file_name("cluster.yaml"), None);
    }

    #[test]
    fn closes_structural_objects_only() {
        let out = crd(r#"
kind: CustomResourceDefinition
spec:
  group: example.com
  names: {kind: Thing}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          apiVersion: {type: string}
          kind: {type: string}
          metadata: {type: object}
          spec:
            type: object
            properties:
              port:
                anyOf: [{type: integer}, {type: string}]
                x-kubernetes-int-or-string: true
              values:
                type: object
                x-kubernetes-preserve-unknown-fields: true
                properties: {a: {type: string}}
              labels:
                type: object
                additionalProperties: {type: string}
              list:
                type: array
                items:
                  type: object
                  properties: {name: {type: string}}
"#);
        assert_eq!(out.len(), 1);
        let s = &out[0].schema;
        assert_eq!(s["additionalProperties"], json!(false));
        assert_eq!(
            s["properties"]["spec"]["additionalProperties"],
            json!(false)
        );
        assert_eq!(s["properties"]["metadata"], json!({"type": "object"}));
        assert!(s["properties"]["spec"]["properties"]["values"]
            .get("additionalProperties")
            .is_none());
        assert_eq!(
            s["properties"]["spec"]["properties"]["labels"]["additionalProperties"],
            json!({"type": "string"})
        );
        assert_eq!(
            s["properties"]["spec"]["properties"]["list"]["items"]["additionalProperties"],
            json!(false)
        );
        assert_eq!(
            s["properties"]["spec"]["properties"]["port"]["x-kubernetes-int-or-string"],
            json!(true)
        );
        assert_eq!(s["properties"]["kind"]["enum"], json!(["Thing"]));
        assert_eq!(
            s["properties"]["apiVersion"]["enum"],
            json!(["example.com/v1"])
        );
        assert!(out[0].served && out[0].storage && !out[0].deprecated);
    }
}
