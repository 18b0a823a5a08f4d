//! JSON output, schema version 1 (documented in docs/json-output.md):
//! `{"version": 1, "findings": [...], "summary": {...}}`.

use std::path::Path;

use serde_json::{json, Value};

use super::relative;
use crate::finding::{Finding, Severity};

/// Renders the document; paths relative to `base` (the current directory).
pub fn render(findings: &[Finding], base: &Path, databases: usize, suppressed: usize) -> String {
    let items: Vec<Value> = findings
        .iter()
        .map(|f| {
            json!({
                "rule": f.rule,
                "name": f.name,
                "severity": f.severity.as_str(),
                "file": f.path().map(|p| relative(p, base)),
                "line": f.line(),
                "column": f.column(),
                "message": f.message,
                "help": f.help,
                "database": f.database.as_deref().map(|d| relative(d, base)),
                "overlay": f.overlay,
                "dormant": f.dormant,
            })
        })
        .collect();
    let count = |s| findings.iter().filter(|f| f.severity == s).count();
    let doc = json!({
        "version": 1,
        "findings": items,
        "summary": {
            "databases": databases,
            "errors": count(Severity::Error),
            "warnings": count(Severity::Warning),
            "infos": count(Severity::Info),
            "suppressed": suppressed,
        },
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}
