//! The DR switch flip on every formatting of the switch we know of
//! (`testdata/switch-flip/cases/<name>.yaml`). For each case the flip to the
//! first dormant overlay must equal `<name>.flipped` (what `plan --write`
//! writes), and both that text and the variant discovery renders must render
//! to `<name>.rendered`, the output of `kubectl kustomize` on the flipped
//! text (regenerate with scripts/regen-switch-flip.sh).
//!
//! `UPDATE_SWITCH_FLIP=1` rewrites the `.flipped` files; review them.
#![allow(clippy::disallowed_methods)] // tests read and build real files

use std::path::{Path, PathBuf};

use cnpg_dr_core::fs::MemFs;
use cnpg_dr_core::kustomize::{render, RenderOptions};
use cnpg_dr_core::layout::DrFlag;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/switch-flip")
}

/// Renders `root` as the kustomization of a directory holding the fixture's overlays.
fn render_root(root: &str) -> Result<String, String> {
    let mut fs = MemFs::new();
    let base = fixture();
    for rel in [
        "overlays/initdb/kustomization.yaml",
        "overlays/initdb/configmap.yaml",
        "overlays/recovery/kustomization.yaml",
        "overlays/recovery/configmap.yaml",
        "shared.yaml",
    ] {
        let bytes = std::fs::read(base.join(rel)).map_err(|e| format!("{rel}: {e}"))?;
        fs.insert(Path::new("/db").join(rel), bytes);
    }
    fs.insert("/db/kustomization.yaml", root.as_bytes().to_vec());
    render(&fs, Path::new("/db"), &RenderOptions::default())
        .and_then(|r| r.to_yaml())
        .map_err(|e| e.to_string())
}

fn cases() -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(fixture().join("cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    out.sort();
    out
}

#[test]
fn every_switch_style_flips_to_a_switch_that_renders() {
    let cases = cases();
    assert!(cases.len() >= 12, "{} cases", cases.len());
    let mut failures = Vec::new();
    for (name, path) in &cases {
        let text = std::fs::read_to_string(path).unwrap();
        let flag = DrFlag::parse(path, &text);
        let Some(target) = flag.lines.iter().find(|l| !l.active) else {
            failures.push(format!(
                "{name}: no dormant switch line in {:?}",
                flag.lines
            ));
            continue;
        };
        let flipped = flag.flip_to(&text, &target.entry).unwrap();
        let expected_path = path.with_extension("flipped");
        if std::env::var_os("UPDATE_SWITCH_FLIP").is_some() {
            std::fs::write(&expected_path, &flipped).unwrap();
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if flipped != expected {
            failures.push(format!("{name}: flipped\n{flipped}\nexpected\n{expected}"));
        }
        // Flipping back restores the original switch (up to the alignment a
        // human would have written).
        let back = DrFlag::parse(path, &flipped);
        let active: Vec<&str> = back.active().map(|l| l.entry.as_str()).collect();
        if active != [target.entry.as_str()] {
            failures.push(format!("{name}: active after the flip: {active:?}"));
        }
        let rendered = std::fs::read_to_string(path.with_extension("rendered")).unwrap_or_default();
        if !rendered.contains(&format!(
            "overlay: {}",
            target.entry.trim_start_matches("overlays/")
        )) {
            failures.push(format!(
                "{name}: kubectl output does not show the flipped overlay"
            ));
        }
        match render_root(&flipped) {
            Ok(out) if out == rendered => {}
            other => failures.push(format!("{name}: flipped text renders {other:?}")),
        }
        let variant = flag.variant_text(&text, &target.entry).unwrap();
        match render_root(&variant) {
            Ok(out) if out == rendered => {}
            other => failures.push(format!("{name}: dormant variant renders {other:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_flow_style_list_is_no_switch() {
    let text = "resources: [overlays/initdb]\n";
    let flag = DrFlag::parse(Path::new("k.yaml"), text);
    assert!(flag.lines.is_empty());
    assert_eq!(flag.flip_to(text, "overlays/recovery"), None);
    assert_eq!(cnpg_dr_core::layout::flow_style_resources(text), Some(1));
    assert_eq!(
        cnpg_dr_core::layout::flow_style_resources("resources:\n  - a\n"),
        None
    );
}
