//! SARIF 2.1.0, the format GitHub code scanning (and most CI dashboards)
//! ingest: the rule catalogue as `tool.driver.rules`, one result per finding
//! with a location relative to `%SRCROOT%` and a stable fingerprint.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::relative;
use crate::finding::{Finding, Severity};
use crate::rules::rule::Rule;

/// Where the SARIF schema of this version lives (the `$schema` of the log).
const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The tool's home page, from the package's `repository` field when it has one.
fn information_uri() -> &'static str {
    match env!("CARGO_PKG_REPOSITORY") {
        "" => "https://github.com/cnpg-dr/cnpg-dr",
        uri => uri,
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The body of a `## Title` section of a rule doc, as one paragraph of text.
fn section(doc: &str, title: &str) -> Option<String> {
    let start = doc.find(&format!("## {title}\n"))? + title.len() + 4;
    let body = &doc[start..];
    let body = body.find("\n## ").map_or(body, |end| &body[..end]);
    let text = body.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

/// Percent-encodes what may not appear in a URI path (RFC 3986 `pchar` and `/`).
fn encode_uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn rule_descriptor(rule: &dyn Rule) -> Value {
    let m = rule.meta();
    json!({
        "id": m.id,
        "name": m.name,
        "shortDescription": {"text": m.summary},
        "fullDescription": {"text": section(m.doc, "What it checks").unwrap_or_else(|| m.summary.to_string())},
        "help": {"text": m.doc, "markdown": m.doc},
        "defaultConfiguration": {"level": level(m.severity)},
        "properties": {"tags": ["cnpg", "disaster-recovery"]},
    })
}

/// Renders a SARIF log. `catalogue` is every rule (the driver lists them all,
/// enabled or not); `src_root` is the repository root that `%SRCROOT%` stands for.
pub fn render(findings: &[Finding], catalogue: &[&'static dyn Rule], src_root: &Path) -> String {
    let index: HashMap<&str, usize> = catalogue
        .iter()
        .enumerate()
        .map(|(i, r)| (r.meta().id, i))
        .collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let mut result = Map::new();
            result.insert("ruleId".into(), json!(f.rule));
            if let Some(i) = index.get(f.rule) {
                result.insert("ruleIndex".into(), json!(i));
            }
            result.insert("level".into(), json!(level(f.severity)));
            let mut text = f.message.clone();
            if let Some(h) = &f.help {
                text.push_str("\nhelp: ");
                text.push_str(h);
            }
            result.insert("message".into(), json!({ "text": text }));
            let uri = f.path().map(|p| match p.strip_prefix(src_root) {
                Ok(_) => (encode_uri_path(&relative(p, src_root)), true),
                Err(_) => (
                    format!(
                        "file://{}",
                        encode_uri_path(&p.to_string_lossy().replace('\\', "/"))
                    ),
                    false,
                ),
            });
            if let Some((uri, under_root)) = &uri {
                let mut artifact = json!({ "uri": uri });
                if *under_root {
                    artifact["uriBaseId"] = json!("%SRCROOT%");
                }
                result.insert(
                    "locations".into(),
                    json!([{
                        "physicalLocation": {
                            "artifactLocation": artifact,
                            "region": {"startLine": f.line(), "startColumn": f.column()},
                        }
                    }]),
                );
            }
            // Stable across runs and machines: rule, file (relative to the root)
            // and message, plus an occurrence count for identical findings.
            let mut hash = Sha256::new();
            hash.update(f.rule.as_bytes());
            hash.update([0]);
            hash.update(uri.as_ref().map_or("", |(u, _)| u.as_str()).as_bytes());
            hash.update([0]);
            hash.update(f.message.as_bytes());
            let digest: String = hash.finalize()[..16]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let n = seen.entry(digest.clone()).or_insert(0);
            *n += 1;
            result.insert(
                "partialFingerprints".into(),
                json!({ "cnpgDrFinding/v1": format!("{digest}:{n}") }),
            );
            let mut props = Map::new();
            if let Some(d) = &f.database {
                props.insert("database".into(), json!(relative(d, src_root)));
            }
            if let Some(o) = &f.overlay {
                props.insert("overlay".into(), json!(o));
            }
            props.insert("dormant".into(), json!(f.dormant));
            result.insert("properties".into(), Value::Object(props));
            Value::Object(result)
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "cnpg-dr",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": information_uri(),
                    "rules": catalogue.iter().map(|r| rule_descriptor(*r)).collect::<Vec<_>>(),
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_uris() {
        let doc = "## What it checks\nA and\nB.\n\n## Why\nC\n";
        assert_eq!(section(doc, "What it checks").as_deref(), Some("A and B."));
        assert_eq!(section(doc, "Fix"), None);
        assert_eq!(encode_uri_path("a b/c%d#e.yaml"), "a%20b/c%25d%23e.yaml");
    }
}
