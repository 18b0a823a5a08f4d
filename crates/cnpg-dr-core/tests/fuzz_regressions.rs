//! Re-runs every input kept under `tests/fuzz_regressions/<target>/` (crash
//! reproducers and a minimized handful of the fuzz corpus) through the same
//! harness the `cargo fuzz` target calls, so `cargo test` re-checks them
//! without cargo-fuzz or a nightly compiler. See docs/fuzzing.md.
#![allow(clippy::disallowed_methods)] // tests read and build real files

use std::path::{Path, PathBuf};

use cnpg_dr_core::fuzzing;

fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no inputs in {}", dir.display());
    files
}

/// Runs each input, naming the file that broke an invariant.
fn replay(target: &str, harness: fn(&[u8])) {
    for path in inputs(target) {
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| harness(&data));
        assert!(outcome.is_ok(), "{} fails {target}", path.display());
    }
}

#[test]
fn yaml_load_regressions() {
    replay("yaml_load", fuzzing::yaml_load);
}

#[test]
fn render_memfs_regressions() {
    replay("render_memfs", fuzzing::render_memfs);
}

#[test]
fn lossless_edit_regressions() {
    replay("lossless_edit", fuzzing::lossless_edit);
}
