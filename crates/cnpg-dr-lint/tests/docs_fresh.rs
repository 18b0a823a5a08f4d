//! docs/rules/ must match the rule docs: regenerate with `cargo run --bin cnpg-dr -- docs`.

use std::path::Path;

use cnpg_dr_lint::{docs, runner};

#[test]
fn rule_pages_are_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let pages = docs::all_pages(&runner::catalogue());
    assert!(pages.len() > 40, "every rule has a page");
    let mut stale = Vec::new();
    for (path, content) in &pages {
        if std::fs::read_to_string(root.join(path)).ok().as_deref() != Some(content.as_str()) {
            stale.push(path.clone());
        }
    }
    assert!(
        stale.is_empty(),
        "stale rule pages (run `cargo run --bin cnpg-dr -- docs`): {stale:?}"
    );
    // No page for a rule that no longer exists.
    for entry in std::fs::read_dir(root.join("docs/rules")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            pages.iter().any(|(p, _)| p.ends_with(&format!("/{name}"))),
            "orphan page docs/rules/{name}"
        );
    }
}

/// Every rule id the hand-written docs cite exists, and where a doc says what
/// severity it has ("CDR601, an error") that is the rule's default.
#[test]
fn docs_cite_rules_as_the_rules_are() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let catalogue = runner::catalogue();
    let mut docs_files = vec![root.join("README.md")];
    for entry in std::fs::read_dir(root.join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            docs_files.push(path);
        }
    }
    let mut cited = 0;
    for path in docs_files {
        let text = std::fs::read_to_string(&path).unwrap();
        let bytes = text.as_bytes();
        let mut i = 0;
        while let Some(at) = text[i..].find("CDR") {
            let start = i + at;
            i = start + 3;
            let id = &text[start..(start + 6).min(text.len())];
            if id.len() < 6 || !bytes[start + 3..start + 6].iter().all(u8::is_ascii_digit) {
                continue;
            }
            if bytes.get(start + 6).is_some_and(u8::is_ascii_digit) {
                continue;
            }
            cited += 1;
            let rule = catalogue.iter().find(|r| r.meta().id == id);
            assert!(
                rule.is_some(),
                "{} cites {id}, which is no rule",
                path.display()
            );
            let after = &text[start + 6..(start + 20).min(text.len())];
            let severity = format!("{:?}", rule.unwrap().meta().severity).to_lowercase();
            for word in ["error", "warning", "info"] {
                if after.starts_with(&format!(", an {word}"))
                    || after.starts_with(&format!(", a {word}"))
                {
                    assert_eq!(word, severity, "{} says {id} is {word}", path.display());
                }
            }
        }
    }
    assert!(cited > 10, "only {cited} citations found");
    // The runbook once told readers to configure exactly what CDR601 forbids.
    let runbook = std::fs::read_to_string(root.join("docs/dr-runbook.md")).unwrap();
    assert!(!runbook.contains("should be set to ignore `spec.bootstrap`"));
    assert!(runbook.contains("must not ignore `spec.bootstrap`"));
}
