//! `lint --base REV`: history rules CDR901-CDR904 on real Git repositories,
//! built in temporary directories with gix (no `git` binary needed). The
//! working tree is the linted state; commits are the history. (How the
//! history is read, and what `--base` costs: history_base.rs.)
#![allow(clippy::disallowed_methods)] // tests read and build real files

use serde_json::Value;

mod common;
use common::history::*;

#[test]
fn a_lineage_reused_after_two_bumps_is_reported_by_the_binary() {
    let (f, commits) = three_lineages();
    // Back to v2 as the write lineage (and in recovery, as if redoing the drill).
    set_write(&f, 3, 2);
    let out = f.cnpg_dr(&["lint", "--format", "json", "--base", "HEAD"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rules_of(&doc), ["CDR901", "CDR902"]);
    let reused = findings(&doc)[1];
    assert_eq!(reused["name"], "lineage-reused");
    assert_eq!(reused["severity"], "error");
    assert_eq!(reused["file"], CLUSTER);
    assert_eq!(
        (reused["line"].as_u64(), reused["column"].as_u64()),
        (Some(14), Some(21))
    );
    assert_eq!(reused["database"], DB);
    let message = reused["message"].as_str().unwrap();
    // v2 was written from the drill that created it to the one that left it.
    for needle in [
        "lineage app-database-v2",
        &format!(
            "from commit {} \"app: drill, restore v1 into v2\"",
            short(&commits[1])
        ),
        &format!(
            "to {} \"app: drill done, back to initdb\"",
            short(&commits[2])
        ),
        &format!("HEAD ({})", short(&commits[4])),
        "Expected empty archive",
    ] {
        assert!(message.contains(needle), "{needle:?} not in {message}");
    }
    assert!(reused["help"]
        .as_str()
        .unwrap()
        .contains("write to app-database-v4"));
    let backwards = findings(&doc)[0];
    let message = backwards["message"].as_str().unwrap();
    assert!(
        message.contains("app-database-v2, behind app-database-v3"),
        "{message}"
    );
}

#[test]
fn a_forward_bump_onto_a_written_lineage_is_reuse_alone() {
    let (mut f, _) = three_lineages();
    // A revert slipped into main: back on v2 (that is CDR901 at that time)...
    set_write(&f, 3, 2);
    f.commit("Revert \"app: drill, restore v2 into v3\"");
    // ... and the next "bump" lands on v3, already written.
    set_write(&f, 2, 3);
    let found = f.history_findings("HEAD");
    assert_eq!(ids(&found), ["CDR902"], "{found:#?}");
    assert!(found[0].message.contains("app-database-v3"));
    assert_eq!(
        found[0].help.as_deref(),
        Some("write to app-database-v4 (serverName at base/cluster.yaml:14:21), a lineage never written")
    );
}

#[test]
fn a_backwards_move_is_reported_with_the_base_value() {
    let mut f = Fixture::new();
    database(&f, 1, 1, "initdb");
    f.commit("app: v1");
    // Straight to v5 (skipping versions is fine)...
    set_write(&f, 1, 5);
    let base = f.commit("app: move to v5");
    // ... then down to v3, never written: backwards, not reused.
    set_write(&f, 5, 3);
    let doc = f.lint_json("HEAD");
    assert_eq!(rules_of(&doc), ["CDR901"]);
    let finding = findings(&doc)[0];
    assert_eq!(finding["file"], CLUSTER);
    assert_eq!(finding["line"], 14);
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains(&format!(
            "writes its backups to lineage app-database-v3, behind app-database-v5 that it writes at HEAD ({})",
            short(&base)
        )),
        "{message}"
    );
    assert!(finding["help"]
        .as_str()
        .unwrap()
        .contains("app-database-v6"));
    // Linting a subdirectory of the working tree matches the same directory.
    let out = f.cnpg_dr(&[
        "lint",
        "--format",
        "json",
        "--base",
        "HEAD",
        "apps/app/base/..",
    ]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rules_of(&doc), ["CDR901"]);
    // A full id as the base is named by its short id only.
    let doc = f.lint_json(&base);
    let message = findings(&doc)[0]["message"].as_str().unwrap();
    assert!(
        message.ends_with(&format!(
            "writes at {}: a lineage only moves forward",
            short(&base)
        )),
        "{message}"
    );
}

#[test]
fn a_flip_to_recovery_without_a_bump_points_at_the_flag_line() {
    let mut f = Fixture::new();
    database(&f, 1, 1, "initdb");
    let base = f.commit("app: v1");
    flag(&f, "recovery");
    let doc = f.lint_json("HEAD");
    assert_eq!(rules_of(&doc), ["CDR903"]);
    let finding = findings(&doc)[0];
    assert_eq!(finding["file"], ROOT);
    assert_eq!(
        (finding["line"].as_u64(), finding["column"].as_u64()),
        (Some(6), Some(5))
    );
    assert_eq!(finding["overlay"], "recovery");
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains(&format!(
            "still writes its backups to lineage app-database-v1, as it does at HEAD ({})",
            short(&base)
        )),
        "{message}"
    );
    assert!(finding["help"]
        .as_str()
        .unwrap()
        .contains("bump the write lineage (serverName at base/cluster.yaml:14:21) to app-database-v2 and restore from app-database-v1"));
}

#[test]
fn a_bump_merged_before_the_flip_still_leaves_the_flip_without_a_bump() {
    let mut f = Fixture::new();
    database(&f, 1, 1, "initdb");
    f.commit("app: v1");
    // The bump went in alone: the running cluster now writes v2.
    set_write(&f, 1, 2);
    f.commit("app: prepare v2");
    flag(&f, "recovery");
    assert_eq!(ids(&f.history_findings("HEAD")), ["CDR903"]);
    // Against the commit before the bump, the same tree is a clean drill.
    assert!(ids(&f.history_findings("HEAD~1")).is_empty());
}

#[test]
fn a_clean_drill_has_no_findings() {
    let mut f = Fixture::new();
    database(&f, 1, 1, "initdb");
    f.commit("app: v1");
    // Bump and flip in one change: the recovery reads v1, the lineage written until now.
    set_write(&f, 1, 2);
    flag(&f, "recovery");
    let doc = f.lint_json("HEAD");
    assert_eq!(rules_of(&doc), Vec::<&str>::new(), "{doc:#}");
    f.commit("app: drill, restore v1 into v2");
    // Back to initdb, keeping the lineage.
    flag(&f, "initdb");
    let doc = f.lint_json("HEAD");
    assert_eq!(rules_of(&doc), Vec::<&str>::new(), "{doc:#}");
    f.commit("app: drill done");
    // The next drill, and the whole history as the base of the last step.
    set_write(&f, 2, 3);
    set_read(&f, 1, 2);
    flag(&f, "recovery");
    assert!(f.history_findings("HEAD").is_empty());
    assert!(f.history_findings("HEAD~1").is_empty());
    // Unchanged working tree: nothing to compare.
    f.commit("app: drill 2");
    assert!(f.history_findings("HEAD").is_empty());
}

#[test]
fn a_forgotten_read_lineage_is_an_error_with_and_without_base() {
    let (mut f, commits) = three_lineages();
    // Drill 3: bumped to v4, but the source still reads v2 while v3 holds the newest data.
    set_write(&f, 3, 4);
    flag(&f, "recovery");
    let out = f.cnpg_dr(&["lint", "--format", "json", "--base", "HEAD"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The working tree shows it (CDR107), the history confirms it (CDR904).
    assert_eq!(rules_of(&doc), ["CDR904"], "{doc:#}");
    let errors_of = |doc: &Value| -> Vec<String> {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == "error")
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect()
    };
    let errors = errors_of(&doc);
    assert!(
        errors.contains(&"CDR107".to_string()) && errors.contains(&"CDR904".to_string()),
        "{doc:#}"
    );
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
    // What the pre-commit hook runs: no --base, still an error.
    let out = f.cnpg_dr(&["lint", "--format", "json"]);
    let plain: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        errors_of(&plain).contains(&"CDR107".to_string()),
        "{plain:#}"
    );
    assert_eq!(out.status.code(), Some(1));
    let finding = findings(&doc)
        .into_iter()
        .find(|f| f["rule"] == "CDR904")
        .unwrap();
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["file"], RECOVERY);
    assert_eq!(finding["line"], 15);
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains(&format!(
            "restores from lineage app-database-v2, older than app-database-v3, the lineage it writes at HEAD ({})",
            short(&commits[4])
        )),
        "{message}"
    );
    assert!(
        finding["help"]
            .as_str()
            .unwrap()
            .contains("list s3://backups/app/app-database-v2/base/"),
        "{finding:#}"
    );
    // Reading v3 is the clean drill.
    set_read(&f, 2, 3);
    assert!(f.history_findings("HEAD").is_empty());
    // The restore into v4 fails; planned again, the source stays v3 and the
    // write moves to v5: the base's v4 is the failed attempt, not newer data.
    f.commit("app: drill 3");
    set_write(&f, 4, 5);
    assert!(f.history_findings("HEAD").is_empty());
}

#[test]
fn a_new_bucket_starts_lineages_afresh() {
    let (f, _) = three_lineages();
    f.replace(
        &format!("{DB}/base/objectstore.yaml"),
        "s3://backups/app\n",
        "s3://backups-2026/app\n",
    );
    set_write(&f, 3, 1);
    assert!(f.history_findings("HEAD").is_empty());
}
