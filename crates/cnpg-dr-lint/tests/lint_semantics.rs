//! Whole-repository properties of `cnpg-dr lint`: correct repositories lint
//! clean in both backup shapes and both modes, findings point at the source
//! line that set the value, and unresolved substitution variables are unknowns.
#![allow(clippy::disallowed_methods)] // tests read and build real files

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

mod common;
use common::copy_dir;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn lint_json(dir: &Path) -> Vec<Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_cnpg-dr"))
        .args(["lint", "--fail-on", "never", "--format", "json"])
        .arg(dir)
        .current_dir(repo())
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    doc["findings"].as_array().cloned().unwrap_or_default()
}

#[test]
fn correct_repositories_lint_clean_in_both_shapes_and_modes() {
    for case in [
        "plugin-initdb",
        "plugin-recovery",
        "native-initdb",
        "native-recovery",
    ] {
        let findings = lint_json(Path::new("testdata/clean").join(case).as_path());
        let recovery = case.ends_with("recovery");
        for f in &findings {
            // In recovery mode the only note is the reminder to flip back.
            let allowed = recovery && f["rule"] == "CDR210" && f["severity"] == "info";
            assert!(allowed, "{case}: unexpected finding {f:#}");
        }
        assert_eq!(
            findings.len(),
            usize::from(recovery),
            "{case}: {findings:#?}"
        );
    }
}

fn find<'a>(findings: &'a [Value], rule: &str, file_end: &str) -> &'a Value {
    findings
        .iter()
        .find(|f| f["rule"] == rule && f["file"].as_str().is_some_and(|p| p.ends_with(file_end)))
        .unwrap_or_else(|| panic!("no {rule} in {file_end}: {findings:#?}"))
}

#[test]
fn findings_point_at_the_patch_or_the_base_line_that_set_the_value() {
    let findings = lint_json(Path::new("testdata/demo"));
    let db = "testdata/demo/infrastructure/database/cloudnative-pg/vaultwarden";
    // Set by the recovery overlay's patch: the read lineage.
    let f = find(
        &findings,
        "CDR101",
        "vaultwarden/overlays/recovery/bootstrap-patch.yaml",
    );
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(18), Some(23))
    );
    assert_eq!(f["database"], db);
    assert_eq!(f["overlay"], "recovery");
    assert_eq!(f["dormant"], false);
    // Set by the base: the schedule.
    let f = find(
        &findings,
        "CDR401",
        "vaultwarden/base/scheduled-backup.yaml",
    );
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(7), Some(13))
    );
    // A dormant overlay is linted too and says so.
    let f = find(
        &findings,
        "CDR101",
        "immich/overlays/recovery/bootstrap-patch.yaml",
    );
    assert_eq!(f["dormant"], true);
    assert_eq!(f["overlay"], "recovery");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(18), Some(21))
    );
}

#[test]
fn substitution_variables_are_unknowns_not_defects() {
    let dir = std::env::temp_dir().join(format!("cnpg-dr-subst-{}", std::process::id()));
    let db = dir.join("gitea");
    copy_dir(
        &repo().join("testdata/demo/infrastructure/database/cloudnative-pg/gitea"),
        &db,
    );
    let edit = |file: &str, from: &str, to: &str| {
        let p = db.join(file);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains(from), "{file} has {from}");
        std::fs::write(&p, text.replace(from, to)).unwrap();
    };
    edit(
        "base/cluster.yaml",
        "serverName: gitea-database-v3",
        "serverName: ${GITEA_SERVER_NAME}",
    );
    edit(
        "base/scheduled-backup.yaml",
        "schedule: \"0 30 2 * * *\"",
        "schedule: ${BACKUP_SCHEDULE}",
    );
    let findings = lint_json(&dir);
    std::fs::remove_dir_all(&dir).ok();
    let rules: Vec<&str> = findings.iter().filter_map(|f| f["rule"].as_str()).collect();
    assert!(
        !rules.contains(&"CDR104"),
        "an unresolved serverName is not 'unversioned': {findings:#?}"
    );
    assert!(
        !rules.contains(&"CDR401"),
        "an unresolved schedule is not a 5-field cron: {findings:#?}"
    );
}

/// Clusters backing up through pgBackRest plugins have backups, are no
/// ObjectStore problem and have no Barman lineage: the only finding is the
/// planted one, a pgBackRest Cluster that no ScheduledBackup targets.
#[test]
fn clusters_on_other_backup_plugins_are_not_read_as_barman() {
    let findings = lint_json(Path::new("testdata/other-plugins"));
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = find(&findings, "CDR405", "notes/cluster.yaml");
    assert!(
        f["help"]
            .as_str()
            .is_some_and(|h| h.contains("pluginConfiguration.name: pgbackrest.dalibo.com")),
        "{f:#}"
    );
}
