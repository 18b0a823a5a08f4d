//! `cnpg-dr rules` and `cnpg-dr explain`, run as a real process.
//!
//! The rule set grows while these tests stand still: they only rely on CDR101,
//! CDR401, the suppression meta-rules, and the demo's deliberate mistakes for
//! those two (vaultwarden reads and writes the same lineage, and its
//! ScheduledBackup has a 5-field cron).

mod common;
use common::lint::*;
use common::{json, stderr, stdout};

// ── rules and explain ────────────────────────────────────────────────────────

#[test]
fn rules_lists_the_catalogue() {
    let out = cnpg_dr(&["rules"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("ID "), "{text}");
    let row = |id: &str| {
        text.lines()
            .find(|l| l.starts_with(id))
            .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>())
    };
    assert_eq!(
        row("CDR401"),
        Some(vec!["CDR401", "schedule-five-fields", "error"])
    );
    assert_eq!(
        row("CDR101"),
        Some(vec!["CDR101", "lineage-write-equals-source", "error"])
    );
    assert_eq!(
        row("CDR001"),
        Some(vec!["CDR001", "suppression-without-reason", "warning"])
    );
    assert_eq!(
        row("CDR002"),
        Some(vec!["CDR002", "suppression-unused", "warning"])
    );

    let doc = json(&cnpg_dr(&["rules", "--format", "json"]));
    assert_eq!(doc["version"], 1);
    let rules = doc["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(ids, sorted, "sorted by id, no duplicates");
    let cron = rules.iter().find(|r| r["id"] == "CDR401").unwrap();
    assert_eq!(cron["name"], "schedule-five-fields");
    assert_eq!(cron["severity"], "error");
    assert!(cron["summary"].as_str().unwrap().contains("5 fields"));
}

#[test]
fn explain_prints_the_rule_doc_by_id_or_name() {
    let by_id = cnpg_dr(&["explain", "CDR401"]);
    assert_eq!(by_id.status.code(), Some(0));
    let text = stdout(&by_id);
    assert!(
        text.starts_with("# CDR401 schedule-five-fields\n"),
        "{text}"
    );
    for section in [
        "## What it checks",
        "## Why it matters during a recovery",
        "## Example",
        "## Fix",
        "## References",
    ] {
        assert!(text.contains(section), "{section}");
    }
    assert!(text.contains("Default severity: error."));
    assert_eq!(stdout(&cnpg_dr(&["explain", "schedule-five-fields"])), text);
    assert_eq!(stdout(&cnpg_dr(&["explain", "cdr401"])), text);

    let meta = stdout(&cnpg_dr(&["explain", "CDR002"]));
    assert!(meta.starts_with("# CDR002 suppression-unused\n"));
    assert!(meta.contains("## Why it matters during a recovery"));
}

#[test]
fn explain_an_unknown_rule_exits_2_with_a_suggestion() {
    let out = cnpg_dr(&["explain", "CDR40"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).contains("did you mean CDR401?"),
        "{}",
        stderr(&out)
    );
    let out = cnpg_dr(&["explain", "schedule-five-field"]);
    assert!(stderr(&out).contains("did you mean schedule-five-fields?"));
    let out = cnpg_dr(&["explain", "backups"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cnpg-dr rules"));
}
