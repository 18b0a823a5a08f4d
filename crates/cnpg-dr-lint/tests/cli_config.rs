//! `.cnpg-dr.yaml` and inline suppressions, through `cnpg-dr lint` run as a
//! real process on copies of the demo's vaultwarden database.
//!
//! The rule set grows while these tests stand still: they only rely on CDR101,
//! CDR401, the suppression meta-rules, and the demo's deliberate mistakes for
//! those two (vaultwarden reads and writes the same lineage, and its
//! ScheduledBackup has a 5-field cron).

use serde_json::Value;

mod common;
use common::lint::*;
use common::{cnpg_dr_in, copy_dir, json, stderr, stdout, workspace, TempRepo};

// ── configuration ────────────────────────────────────────────────────────────

#[test]
fn config_turns_a_rule_off_and_changes_a_severity() {
    let repo = TempRepo::vaultwarden();
    repo.write(".cnpg-dr.yaml", "rules:\n  CDR401: off\n");
    let doc = repo.lint_json(&[]);
    assert!(located(&doc, "CDR401").is_empty());
    assert!(!located(&doc, "CDR101").is_empty());

    repo.write(
        ".cnpg-dr.yaml",
        "rules:\n  schedule-five-fields: warning\n  lineage-write-equals-source: info\n",
    );
    let doc = repo.lint_json(&[]);
    let severities = |rule: &str| -> Vec<Value> {
        findings(&doc)
            .iter()
            .filter(|f| f["rule"] == rule)
            .map(|f| f["severity"].clone())
            .collect()
    };
    assert_eq!(severities("CDR401"), [Value::from("warning")]);
    assert_eq!(severities("CDR101"), [Value::from("info")]);
}

#[test]
fn config_excludes_paths_by_glob() {
    let repo = TempRepo::vaultwarden();
    repo.write(
        ".cnpg-dr.yaml",
        "exclude:\n  - vaultwarden/base/scheduled-backup.yaml\n",
    );
    let doc = repo.lint_json(&[]);
    assert!(located(&doc, "CDR401").is_empty());
    assert!(!located(&doc, "CDR101").is_empty());
    assert!(findings(&doc)
        .iter()
        .all(|f| f["file"] != vw(SCHEDULE).as_str()));

    repo.write(".cnpg-dr.yaml", "exclude: [\"*/overlays/**\"]\n");
    let doc = repo.lint_json(&[]);
    assert!(located(&doc, "CDR101").is_empty());
    assert_eq!(located(&doc, "CDR401"), [(vw(SCHEDULE), 7, 13)]);
    assert!(findings(&doc)
        .iter()
        .all(|f| !f["file"].as_str().unwrap().contains("/overlays/")));
}

#[test]
fn config_is_found_above_the_linted_path_but_not_above_the_repository() {
    let outer = TempRepo::new();
    std::fs::remove_dir_all(outer.path(".git")).unwrap();
    outer.write(".cnpg-dr.yaml", "rules:\n  CDR401: off\n");
    copy_dir(
        &workspace().join(VAULTWARDEN),
        &outer.path("repo/vaultwarden"),
    );
    std::fs::create_dir_all(outer.path("repo/.git")).unwrap();
    // The outer file belongs to another project: the repository root stops the walk.
    let doc = json(&cnpg_dr_in(
        &outer.path("repo/vaultwarden"),
        &["lint", "--format", "json"],
    ));
    assert_eq!(located(&doc, "CDR401").len(), 1);
    // Inside the repository, a file above the linted directory applies.
    outer.write("repo/.cnpg-dr.yaml", "rules:\n  CDR401: off\n");
    let doc = json(&cnpg_dr_in(
        &outer.path("repo/vaultwarden/base"),
        &["lint", "--format", "json", ".."],
    ));
    assert!(located(&doc, "CDR401").is_empty());
    assert!(!located(&doc, "CDR101").is_empty());
}

#[test]
fn config_fail_on_applies_unless_the_flag_is_given() {
    let repo = TempRepo::vaultwarden();
    repo.write(".cnpg-dr.yaml", "failOn: never\ncnpgVersion: \"1.25\"\n");
    assert_eq!(repo.lint(&[]).status.code(), Some(0));
    assert_eq!(repo.lint(&["--fail-on", "error"]).status.code(), Some(1));
}

#[test]
fn an_explicit_config_file_replaces_the_lookup() {
    let repo = TempRepo::vaultwarden();
    repo.write(".cnpg-dr.yaml", "rules:\n  CDR401: off\n");
    repo.write("ci/strict.yaml", "rules:\n  CDR101: off\n");
    let doc = repo.lint_json(&["--config", "ci/strict.yaml"]);
    assert!(located(&doc, "CDR101").is_empty());
    assert_eq!(located(&doc, "CDR401").len(), 1);
}

#[test]
fn config_mistakes_exit_2_with_their_line_and_column() {
    let repo = TempRepo::vaultwarden();
    let cases = [
        (
            "rules:\n  CDR999: off\n",
            ".cnpg-dr.yaml:2:3",
            "unknown rule \"CDR999\"",
        ),
        (
            "rules:\n  CDR40: off\n",
            ".cnpg-dr.yaml:2:3",
            "did you mean CDR401?",
        ),
        (
            "rules:\n  CDR401: loud\n",
            ".cnpg-dr.yaml:2:11",
            "off, info, warning or error",
        ),
        (
            "severity: high\n",
            ".cnpg-dr.yaml:1:1",
            "unknown key \"severity\"",
        ),
        ("failOn: sometimes\n", ".cnpg-dr.yaml:1:9", "failOn must be"),
        ("cnpgVersion: latest\n", ".cnpg-dr.yaml:1:14", "MAJOR.MINOR"),
        (
            "exclude:\n  - \"[oops\"\n",
            ".cnpg-dr.yaml:2:5",
            "bad glob pattern",
        ),
        ("rules: [\n", ".cnpg-dr.yaml:2:1", "not valid YAML"),
    ];
    for (text, at, message) in cases {
        repo.write(".cnpg-dr.yaml", text);
        let out = repo.lint(&[]);
        assert_eq!(out.status.code(), Some(2), "{text:?}");
        assert!(out.stdout.is_empty(), "{text:?}");
        let err = stderr(&out);
        assert!(err.contains(at), "{text:?}: {err}");
        assert!(err.contains(message), "{text:?}: {err}");
    }
}

// ── inline suppressions ──────────────────────────────────────────────────────

#[test]
fn a_suppression_on_the_line_or_above_it_silences_the_finding() {
    let repo = TempRepo::vaultwarden();
    repo.edit_line(&vw(SCHEDULE), "schedule:", &|l| {
        format!("{l} # cnpg-dr: ignore[CDR401] hourly backups are intended")
    });
    let doc = repo.lint_json(&[]);
    assert!(located(&doc, "CDR401").is_empty());
    assert!(located(&doc, "CDR001").is_empty() && located(&doc, "CDR002").is_empty());
    assert_eq!(doc["summary"]["suppressed"], 1);
    assert!(stdout(&repo.lint(&[])).contains(", 1 suppressed"));

    // Above it, by name, with comment lines in between.
    let repo = TempRepo::vaultwarden();
    repo.edit_line(&vw(SCHEDULE), "# CNPG cron", &|l| {
        format!("  # cnpg-dr: ignore[schedule-five-fields] - hourly is fine here\n{l}")
    });
    let doc = repo.lint_json(&[]);
    assert!(located(&doc, "CDR401").is_empty(), "{doc}");
    assert!(located(&doc, "CDR002").is_empty());

    // For the whole file, several rules at once.
    let repo = TempRepo::vaultwarden();
    let patch = repo.read(&vw(RECOVERY_PATCH));
    repo.write(
        &vw(RECOVERY_PATCH),
        &format!("# cnpg-dr: ignore-file[CDR101] migration to v5 in progress\n{patch}"),
    );
    let doc = repo.lint_json(&[]);
    assert!(located(&doc, "CDR101").is_empty());
    assert_eq!(located(&doc, "CDR401").len(), 1);
    assert!(located(&doc, "CDR002").is_empty());
}

#[test]
fn a_suppression_without_reason_is_cdr001() {
    let repo = TempRepo::vaultwarden();
    repo.edit_line(&vw(SCHEDULE), "schedule:", &|l| {
        format!("{l} # cnpg-dr: ignore[CDR401]")
    });
    let doc = repo.lint_json(&[]);
    assert!(located(&doc, "CDR401").is_empty(), "it still silences");
    assert_eq!(located(&doc, "CDR001"), [(vw(SCHEDULE), 7, 25)]);
    let f = findings(&doc)
        .iter()
        .find(|f| f["rule"] == "CDR001")
        .unwrap();
    assert_eq!(f["name"], "suppression-without-reason");
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["database"], "vaultwarden");
}

#[test]
fn a_suppression_that_silences_nothing_is_cdr002() {
    let repo = TempRepo::vaultwarden();
    repo.edit_line(&vw(SCHEDULE), "schedule:", &|l| {
        format!("{l} # cnpg-dr: ignore[CDR101] wrong line")
    });
    repo.edit_line(&vw(SCHEDULE), "backupOwnerReference", &|l| {
        format!("{l} # cnpg-dr: ignore[CDR4O1] typo")
    });
    let doc = repo.lint_json(&[]);
    assert_eq!(located(&doc, "CDR401"), [(vw(SCHEDULE), 7, 13)]);
    let unused: Vec<&Value> = findings(&doc)
        .iter()
        .filter(|f| f["rule"] == "CDR002")
        .collect();
    assert_eq!(unused.len(), 2, "{unused:#?}");
    assert_eq!(unused[0]["line"], 7);
    assert_eq!(unused[0]["name"], "suppression-unused");
    assert_eq!(unused[0]["severity"], "warning");
    assert!(unused[0]["message"]
        .as_str()
        .unwrap()
        .contains("silences no CDR101 finding on line 7"));
    assert_eq!(unused[1]["line"], 8);
    assert!(unused[1]["message"].as_str().unwrap().contains("CDR4O1"));
    assert!(unused[1]["help"]
        .as_str()
        .unwrap()
        .contains("did you mean CDR401?"));

    // Meta-rules answer to the configuration like any rule.
    repo.write(".cnpg-dr.yaml", "rules:\n  CDR002: off\n  CDR001: error\n");
    let doc = repo.lint_json(&[]);
    assert!(located(&doc, "CDR002").is_empty());
}
