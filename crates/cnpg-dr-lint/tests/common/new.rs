//! Helpers of the `new` CLI tests: running `new` and reading what it wrote.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;
use std::sync::Arc;

use cnpg_dr_core::yaml::{load_str, LoadLimits, Node};
use serde_json::Value;

use super::{stderr, stdout, TempRepo};

/// The arguments that every scaffold needs and has no default for.
pub const REQUIRED: [&str; 4] = [
    "--destination-path",
    "s3://backups/{name}",
    "--secret-store",
    "ClusterSecretStore/vault",
];

impl TempRepo {
    pub fn new_db(&self, args: &[&str]) -> Output {
        let out = self.run(&[&["new"], args].concat());
        assert!(
            out.status.success(),
            "new {args:?} failed:\n{}{}",
            stdout(&out),
            stderr(&out)
        );
        out
    }

    /// Every file under `rel` (relative to it) with its content.
    pub fn texts_under(&self, rel: &str) -> BTreeMap<String, String> {
        let base = self.path(rel);
        let mut out = BTreeMap::new();
        let mut stack = vec![base.clone()];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let rel = p.strip_prefix(&base).unwrap().display().to_string();
                    out.insert(rel, std::fs::read_to_string(&p).unwrap());
                }
            }
        }
        out
    }

    /// The one YAML document of a file (the first, for multi-document files).
    pub fn doc(&self, rel: &str) -> Node {
        let text = self.read(rel);
        load_str(&text, Arc::from(Path::new(rel)), &LoadLimits::default())
            .unwrap_or_else(|e| panic!("{rel}: {e}"))
            .remove(0)
    }

    /// The scalar at a path of map keys and list indexes.
    pub fn value(&self, rel: &str, path: &[&str]) -> String {
        let pointer: String = path
            .iter()
            .map(|p| format!("/{}", p.replace('~', "~0").replace('/', "~1")))
            .collect();
        self.doc(rel)
            .pointer(&pointer)
            .and_then(Node::as_str)
            .unwrap_or_else(|| panic!("{rel}: no {path:?}"))
            .to_string()
    }

    /// Lints `rel` and returns the findings at warning level or above.
    pub fn serious_findings(&self, rel: &str) -> Vec<Value> {
        let out = self.run(&["lint", rel, "--format", "json"]);
        let doc: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("lint output is not JSON ({e}): {}", stderr(&out)));
        assert!(
            stderr(&out).is_empty(),
            "lint wrote to stderr: {}",
            stderr(&out)
        );
        assert_eq!(doc["summary"]["databases"], 1, "{doc}");
        doc["findings"]
            .as_array()
            .expect("a findings array")
            .iter()
            .filter(|f| f["severity"] == "warning" || f["severity"] == "error")
            .cloned()
            .collect()
    }
}
