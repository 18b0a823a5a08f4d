//! The schema rules (CDR801-CDR803) across the repository's test data and
//! through the command line (`--schema-dir`, `--strict-schemas`).

use std::path::{Path, PathBuf};

use cnpg_dr_core::discover::{discover, DiscoverOptions};
use cnpg_dr_core::fs::{normalize, RealFs};
use cnpg_dr_lint::rules::{group, Settings};
use cnpg_dr_lint::{runner, Finding};
use serde_json::Value;

mod common;
use common::{cnpg_dr_in, json};

fn workspace() -> PathBuf {
    normalize(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
}

fn lint(dir: &Path, settings: &Settings) -> Vec<Finding> {
    let repo = discover(&RealFs, dir, &DiscoverOptions::default());
    runner::run(&repo, &group("schema"), settings)
}

fn show(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| {
            format!(
                "{} {}:{} {}",
                f.rule,
                f.path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                f.line(),
                f.message
            )
        })
        .collect()
}

#[test]
fn the_demo_and_every_good_fixture_pass_the_schema_rules() {
    let mut dirs = vec![workspace().join("testdata/demo")];
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(workspace().join("testdata/rules"))
        .unwrap()
        .map(|e| e.unwrap().path().join("good"))
        .collect();
    fixtures.sort();
    assert!(fixtures.len() > 3);
    dirs.extend(fixtures);
    for dir in dirs {
        let found = lint(&dir, &Settings::default());
        assert!(found.is_empty(), "{}: {:#?}", dir.display(), show(&found));
    }
}

#[test]
fn a_typo_is_one_unknown_field_and_no_violation() {
    let found = lint(
        &workspace().join("testdata/rules/CDR802/bad"),
        &Settings::default(),
    );
    let rules: Vec<&str> = found.iter().map(|f| f.rule).collect();
    assert_eq!(rules, ["CDR802", "CDR802"], "{:#?}", show(&found));
    assert!(found[0].dormant && !found[1].dormant);
}

#[test]
fn strict_schemas_reports_every_kind_without_a_schema() {
    let dir = workspace().join("testdata/rules/CDR803/good");
    let strict = Settings {
        strict_schemas: true,
        ..Settings::default()
    };
    let found = lint(&dir, &strict);
    assert_eq!(found.len(), 1, "{:#?}", show(&found));
    assert_eq!(found[0].rule, "CDR803");
    assert!(found[0]
        .message
        .starts_with("ConfigMap gitea-database-notes: no schema for v1 ConfigMap"));
    assert!(lint(&dir, &Settings::default()).is_empty());
}

// ── Command line ─────────────────────────────────────────────────────────────

fn schema_findings(doc: &Value) -> Vec<(String, String, u64)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().starts_with("CDR8"))
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// A fresh directory under the system's temporary directory.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cnpg-dr-schema-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const WIDGET_CRD: &str = "\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
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
              replicas: {type: integer, minimum: 1}
";

#[test]
fn schema_dir_adds_kinds_and_strict_schemas_reports_the_rest() {
    let root = temp_dir("dir");
    std::fs::create_dir_all(root.join("schemas")).unwrap();
    std::fs::create_dir_all(root.join("repo")).unwrap();
    std::fs::write(root.join("schemas/widgets.yaml"), WIDGET_CRD).unwrap();
    std::fs::write(
        root.join("repo/widget.yaml"),
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  replicas: 0\n  replcas: 2\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
    )
    .unwrap();

    let plain = cnpg_dr_in(&root, &["lint", "--format", "json", "repo"]);
    assert_eq!(plain.status.code(), Some(0));
    assert!(schema_findings(&json(&plain)).is_empty());

    let with = cnpg_dr_in(
        &root,
        &[
            "lint",
            "--format",
            "json",
            "--schema-dir",
            "schemas",
            "repo",
        ],
    );
    assert_eq!(with.status.code(), Some(1));
    assert_eq!(
        schema_findings(&json(&with)),
        [
            ("CDR801".into(), "repo/widget.yaml".into(), 6),
            ("CDR802".into(), "repo/widget.yaml".into(), 7),
        ]
    );
    let doc = json(&with);
    let typo = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "CDR802")
        .unwrap();
    assert!(
        typo["message"]
            .as_str()
            .unwrap()
            .contains("(did you mean `replicas`?)"),
        "{typo}"
    );

    let strict = cnpg_dr_in(
        &root,
        &[
            "lint",
            "--format",
            "json",
            "--schema-dir",
            "schemas",
            "--strict-schemas",
            "repo/widget.yaml",
        ],
    );
    let found = schema_findings(&json(&strict));
    assert!(
        found.contains(&("CDR803".into(), "repo/widget.yaml".into(), 9)),
        "{found:?}"
    );

    let missing = cnpg_dr_in(&root, &["lint", "--schema-dir", "nope", "repo"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("--schema-dir"));
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_loose_file_linted_alone_is_validated() {
    let out = cnpg_dr_in(
        &workspace(),
        &[
            "lint",
            "--format",
            "json",
            "testdata/rules/CDR801/bad/argocd/gitea.yaml",
        ],
    );
    assert_eq!(
        schema_findings(&json(&out)),
        [(
            "CDR801".into(),
            "testdata/rules/CDR801/bad/argocd/gitea.yaml".into(),
            16
        )]
    );
}
