//! `plan --write` and `migrate --write` lint the edited tree in memory
//! before writing. Findings, suppressions and snippets must come from that
//! edited text, never from the file still on disk.

use cnpg_dr_core::edit::ChangeSet;
use cnpg_dr_core::fs::RealFs;
use cnpg_dr_lint::config::Config;
use cnpg_dr_lint::output::human;
use cnpg_dr_lint::runner;

mod common;

use common::*;

#[test]
fn findings_and_snippets_come_from_the_edited_text_not_the_disk() {
    let repo = TempRepo::with(&["paperless"]);
    let patch = repo
        .db("paperless")
        .join("overlays/recovery/bootstrap-patch.yaml");
    let on_disk = std::fs::read_to_string(&patch).unwrap();
    // In memory only: the recovery loses its database (CDR202), and a
    // comment marks the text as the edited one.
    let edited = on_disk.replace("      database: paperless\n", "").replace(
        "    recovery:\n",
        "    recovery: # edited in memory, not on disk\n",
    );
    assert_ne!(edited, on_disk);
    let mut cs = ChangeSet::new();
    cs.set(&patch, Some(on_disk.clone()), edited);
    let view = cs.view(&RealFs);

    let report = runner::lint_path(&view, &repo.db("paperless"), &Config::default()).unwrap();
    let cdr202: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == "CDR202")
        .collect();
    assert_eq!(cdr202.len(), 1, "{:#?}", report.findings);
    assert_eq!(cdr202[0].path(), Some(patch.as_path()));

    let text = human::render(
        &report.findings,
        &report.repository.sources,
        &repo.db("paperless"),
        false,
        report.databases,
    );
    assert!(text.contains("edited in memory, not on disk"), "{text}");
    assert!(!text.contains("│       database: paperless"), "{text}");
    // The disk was not touched.
    assert_eq!(std::fs::read_to_string(&patch).unwrap(), on_disk);
}

#[test]
fn a_suppression_written_only_in_the_edited_text_is_honoured() {
    let repo = TempRepo::with(&["paperless"]);
    let patch = repo
        .db("paperless")
        .join("overlays/recovery/bootstrap-patch.yaml");
    let on_disk = std::fs::read_to_string(&patch).unwrap();
    let edited = on_disk.replace("      database: paperless\n", "").replace(
        "    recovery:\n",
        "    # cnpg-dr: ignore[CDR202] restoring into app on purpose for this drill\n    recovery:\n",
    );
    let mut cs = ChangeSet::new();
    cs.set(&patch, Some(on_disk), edited);
    let view = cs.view(&RealFs);
    let report = runner::lint_path(&view, &repo.db("paperless"), &Config::default()).unwrap();
    assert!(
        report.findings.iter().all(|f| f.rule != "CDR202"),
        "the suppression in the edited text applies: {:#?}",
        report.findings
    );
    assert_eq!(report.suppressed, 1);
}
