//! A repository shaped like real homelab trees (testdata/real-layouts): a
//! Helm-installed operator, a top-level kustomization that includes it, a
//! plain directory of Clusters, a Cluster file with no kustomization, and an
//! overlay-layout database with an oddly indented DR switch. Nothing in it is
//! wrong, so lint must pass, say once that the Helm root was not checked, and
//! status must list every Cluster.
#![allow(clippy::disallowed_methods)] // tests read and build real files

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cnpg-dr"))
        .args(args)
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn findings() -> Vec<serde_json::Value> {
    let (_, text, _) = run(&["lint", "testdata/real-layouts", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    doc["findings"].as_array().cloned().unwrap_or_default()
}

#[test]
fn lint_passes_and_reports_the_helm_root_once_as_a_note() {
    let (code, text, stderr) = run(&["lint", "testdata/real-layouts"]);
    assert_eq!(code, 0, "{text}{stderr}");
    assert!(
        !stderr.contains("does not render"),
        "a Helm root is not a failure: {stderr}"
    );
    insta::assert_snapshot!("real-layouts-lint", text);
    let all = findings();
    let notes: Vec<&serde_json::Value> = all.iter().filter(|f| f["rule"] == "CDR306").collect();
    assert_eq!(notes.len(), 1, "{all:#?}");
    assert_eq!(notes[0]["severity"], "info");
    assert!(notes[0]["file"]
        .as_str()
        .is_some_and(|f| f.ends_with("cloudnative-pg-operator/kustomization.yaml")));
    assert!(
        all.iter().all(|f| f["severity"] != "error"),
        "no error on a healthy repository: {all:#?}"
    );
}

#[test]
fn status_lists_every_cluster_and_the_databases_without_a_switch() {
    let (code, text, _) = run(&["status", "testdata/real-layouts"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("real-layouts-status", text);
    let (_, json, _) = run(&["status", "testdata/real-layouts", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    let clusters = doc["clusters"].as_array().cloned().unwrap_or_default();
    let mut names: Vec<(String, bool)> = clusters
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or("").to_string(),
                c["dr_switch"].as_bool().unwrap_or(true),
            )
        })
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ("gitea-database".to_string(), true),
            ("immich-postgres".to_string(), false),
            ("nextcloud-postgres".to_string(), false),
            ("paperless-postgres".to_string(), false),
        ]
    );
}

/// The dormant recovery overlay behind the oddly indented switch renders,
/// and is linted: no CDR305 on it, and its Cluster is seen as a recovery.
#[test]
fn the_dormant_overlay_behind_the_odd_switch_is_linted() {
    let all = findings();
    assert!(
        !all.iter().any(|f| f["rule"] == "CDR305"),
        "the dormant variant must render: {all:#?}"
    );
}

/// The same switch with a defect in the dormant recovery overlay: it is
/// reported, at the line of the patch that set it.
#[test]
fn a_dormant_defect_behind_the_odd_switch_is_reported_at_its_source_line() {
    let (code, text, _) = run(&[
        "lint",
        "testdata/real-layouts-dormant-defect",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let doc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let all = doc["findings"].as_array().cloned().unwrap_or_default();
    let f = all
        .iter()
        .find(|f| f["rule"] == "CDR202")
        .unwrap_or_else(|| panic!("recovery without database is reported: {all:#?}"));
    assert_eq!(f["dormant"], true);
    assert_eq!(f["overlay"], "recovery");
    assert_eq!(
        f["file"],
        "testdata/real-layouts-dormant-defect/gitea/overlays/recovery/bootstrap-patch.yaml"
    );
    assert_eq!(f["line"], 7);
    assert!(!all.iter().any(|f| f["rule"] == "CDR305"), "{all:#?}");
}
