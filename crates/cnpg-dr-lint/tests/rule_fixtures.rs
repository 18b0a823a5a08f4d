//! One fixture repository per rule: `testdata/rules/<ID>/bad` must produce the
//! rule's findings (snapshotted exactly as a user sees them) and
//! `testdata/rules/<ID>/good` must produce none of them.

use std::path::{Path, PathBuf};

use cnpg_dr_core::discover::{discover, DiscoverOptions};
use cnpg_dr_core::fs::{normalize, RealFs, Sources};
use cnpg_dr_lint::output::human;
use cnpg_dr_lint::{registry, runner, Finding};

fn fixtures() -> PathBuf {
    normalize(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/rules"))
}

fn lint(dir: &Path, id: &str) -> (Vec<Finding>, usize, Sources) {
    let repo = discover(&RealFs, dir, &DiscoverOptions::default());
    let findings = runner::run(&repo, &registry(), &Default::default())
        .into_iter()
        .filter(|f| f.rule == id)
        .collect();
    (findings, repo.databases.len(), repo.sources)
}

/// History rules (CDR9xx) compare the working tree with a Git revision:
/// their fixtures are Git repositories, built by tests/history.rs.
fn static_rules() -> Vec<&'static dyn cnpg_dr_lint::Rule> {
    let history: Vec<&str> = cnpg_dr_lint::rules::group("history")
        .iter()
        .map(|r| r.meta().id)
        .collect();
    registry()
        .into_iter()
        .filter(|r| !history.contains(&r.meta().id))
        .collect()
}

#[test]
fn every_rule_has_a_fixture() {
    for rule in static_rules() {
        let dir = fixtures().join(rule.meta().id);
        assert!(
            dir.join("bad").is_dir(),
            "{}: no testdata/rules/{}/bad",
            rule.meta().name,
            rule.meta().id
        );
        assert!(
            dir.join("good").is_dir(),
            "{}: no testdata/rules/{}/good",
            rule.meta().name,
            rule.meta().id
        );
    }
}

#[test]
fn fixtures_fire_on_bad_and_stay_quiet_on_good() {
    let mut checked = 0;
    for rule in static_rules() {
        let id = rule.meta().id;
        let dir = fixtures().join(id);
        let (bad, databases, sources) = lint(&dir.join("bad"), id);
        assert!(!bad.is_empty(), "{id}: no finding on the bad fixture");
        let text = human::render(&bad, &sources, &dir.join("bad"), false, databases);
        insta::assert_snapshot!(format!("{id}-{}", rule.meta().name), text);
        let (good, _, _) = lint(&dir.join("good"), id);
        assert!(
            good.is_empty(),
            "{id}: findings on the good fixture: {good:#?}"
        );
        checked += 1;
    }
    assert!(checked >= 2);
}
