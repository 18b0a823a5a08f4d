//! Turns CustomResourceDefinitions into one JSON Schema per kind and version
//! (`cluster-postgresql-v1.json`) plus `index.json`, the way kubeconform's
//! `openapi2jsonschema` does (the conversion itself is
//! [`cnpg_dr_core::schema::crd`], shared with `cnpg-dr lint --schema-dir`).
//! Output is deterministic: the CRDs' key order is kept, files are
//! pretty-printed with two spaces and end with a newline.
#![allow(clippy::disallowed_methods)] // the schema generator reads the CRD files it is given

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use cnpg_dr_core::schema::{from_crd, SchemaError};
use cnpg_dr_core::yaml::{load_str, LoadLimits, Node};
use serde_json::{json, Map, Value};

/// The name of the index file.
pub const INDEX: &str = "index.json";

/// One CRD file: its name (relative to the schema directory, e.g.
/// `crds/postgresql.cnpg.io_clusters.yaml`) and its text.
pub struct CrdFile {
    pub name: String,
    pub text: String,
}

/// Every generated file, by name, in name order.
pub type Output = BTreeMap<String, String>;

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// Generates the schemas and the index of a set of CRD files.
pub fn generate(crds: &[CrdFile]) -> Result<Output, SchemaError> {
    let mut out = Output::new();
    let mut index: BTreeMap<String, Value> = BTreeMap::new();
    for crd in crds {
        let docs = load_str(
            &crd.text,
            Arc::from(Path::new(&crd.name)),
            &LoadLimits::default(),
        )
        .map_err(|e| SchemaError {
            span: None,
            message: e.to_string(),
        })?;
        for doc in docs {
            if doc.get_path(&["kind"]).and_then(Node::as_str) != Some("CustomResourceDefinition") {
                continue;
            }
            for version in from_crd(&doc)? {
                let file = version.file_name();
                let key = format!("{}/{}", version.gvk.api_version(), version.gvk.kind);
                if out.contains_key(&file) {
                    return Err(SchemaError {
                        span: None,
                        message: format!("{}: {file} is generated twice", crd.name),
                    });
                }
                index.insert(
                    key,
                    json!({
                        "file": file,
                        "crd": crd.name,
                        "served": version.served,
                        "storage": version.storage,
                        "deprecated": version.deprecated,
                    }),
                );
                out.insert(file, pretty(&version.schema));
            }
        }
    }
    let index: Map<String, Value> = index.into_iter().collect();
    out.insert(INDEX.to_string(), pretty(&Value::Object(index)));
    Ok(out)
}

/// Reads every `*.yaml` file of `dir` (sorted), named `{prefix}{file name}`.
pub fn read_crds(dir: &Path, prefix: &str) -> std::io::Result<Vec<CrdFile>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            Ok(CrdFile {
                text: std::fs::read_to_string(dir.join(&n))?,
                name: format!("{prefix}{n}"),
            })
        })
        .collect()
}
