//! A repository deployed by Flux (testdata/flux): the Flux Kustomization's
//! spec.path is a database root rendered with LoadRestrictionsNone, its
//! targetNamespace and postBuild variables applied, and it is the deployer
//! `status` names.
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

fn findings(dir: &str) -> Vec<serde_json::Value> {
    let (_, text, stderr) = run(&["lint", dir, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&text).expect(&stderr);
    doc["findings"].as_array().cloned().unwrap_or_default()
}

#[test]
fn the_planted_lineage_reuse_is_found_after_substitution() {
    let (code, text, stderr) = run(&["lint", "testdata/flux/defect"]);
    assert_eq!(code, 1, "{text}{stderr}");
    assert!(!stderr.contains("does not render"), "{stderr}");
    insta::assert_snapshot!("flux-defect-lint", text);
    let all = findings("testdata/flux/defect");
    let errors: Vec<&serde_json::Value> = all.iter().filter(|f| f["severity"] == "error").collect();
    assert_eq!(errors.len(), 1, "{all:#?}");
    assert_eq!(errors[0]["rule"], "CDR101");
    // The finding points where the value was set: the substitute entry.
    assert!(errors[0]["file"]
        .as_str()
        .is_some_and(|f| f.ends_with("clusters/homelab/databases.yaml")));
    assert!(errors[0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("gitea-database-v2") && !m.contains("${")));
}

#[test]
fn the_clean_copy_has_no_false_finding() {
    let (code, text, stderr) = run(&["lint", "testdata/flux/clean"]);
    assert_eq!(code, 0, "{text}{stderr}");
    assert!(!stderr.contains("does not render"), "{stderr}");
    let all = findings("testdata/flux/clean");
    let rules: Vec<&str> = all.iter().filter_map(|f| f["rule"].as_str()).collect();
    // Only the reminder that the recovery overlay is still active.
    assert_eq!(rules, ["CDR210"], "{all:#?}");
    // The lineages in the message are the substituted ones.
    assert!(all[0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("gitea-database-v3") && m.contains("gitea-database-v2")));
}

#[test]
fn status_names_the_flux_kustomization_and_the_target_namespace() {
    let (code, text, stderr) = run(&["status", "testdata/flux/clean", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let rows = doc["clusters"].as_array().expect(&text);
    assert_eq!(rows.len(), 1, "{text}");
    let row = &rows[0];
    let field = |k: &str| row[k].as_str().unwrap_or_default().to_string();
    assert_eq!(
        field("application"),
        "Kustomization/gitea-database",
        "{text}"
    );
    assert_eq!(field("namespace"), "gitea", "{text}");
    assert_eq!(field("write_lineage"), "gitea-database-v3", "{text}");
    assert_eq!(field("read_lineage"), "gitea-database-v2", "{text}");
}

#[test]
fn the_flux_path_renders_only_without_the_load_restrictor() {
    // `render` knows nothing of Flux: kustomize's default refuses the file
    // outside the base, and the flag lifts it as Flux does.
    let dir = "testdata/flux/clean/databases/gitea";
    let (code, _, stderr) = run(&["render", dir]);
    assert_eq!(code, 1);
    assert!(stderr.contains("security; file"), "{stderr}");
    let (code, yaml, stderr) = run(&["render", "--load-restrictor", "LoadRestrictionsNone", dir]);
    assert_eq!(code, 0, "{stderr}");
    // Substitution is Flux's, after the build: the render keeps the variables.
    assert!(yaml.contains("serverName: ${DB_LINEAGE}"), "{yaml}");
}
