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
