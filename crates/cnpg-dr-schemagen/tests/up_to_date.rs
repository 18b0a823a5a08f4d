//! The committed `schemas/` are exactly what the generator makes of
//! `schemas/crds/`: regenerate with `cargo run -p cnpg-dr-schemagen`.
#![allow(clippy::disallowed_methods)] // tests read and build real files

use std::path::{Path, PathBuf};

use cnpg_dr_schemagen::{generate, read_crds, INDEX};

fn schemas() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas")
}

#[test]
fn committed_schemas_are_byte_identical_to_a_fresh_generation() {
    let crds = read_crds(&schemas().join("crds"), "crds/").unwrap();
    assert_eq!(crds.len(), 7, "the bundled CRDs");
    let output = generate(&crds).unwrap();
    for (name, text) in &output {
        let committed = std::fs::read_to_string(schemas().join(name))
            .unwrap_or_else(|e| panic!("schemas/{name}: {e} (run cargo run -p cnpg-dr-schemagen)"));
        assert!(
            committed == *text,
            "schemas/{name} is out of date: run cargo run -p cnpg-dr-schemagen"
        );
    }
    let mut on_disk: Vec<String> = std::fs::read_dir(schemas())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    on_disk.sort();
    let generated: Vec<&String> = output.keys().collect();
    assert_eq!(on_disk.iter().collect::<Vec<_>>(), generated);
    assert!(output.contains_key(INDEX));
}

#[test]
fn generation_is_deterministic() {
    let crds = read_crds(&schemas().join("crds"), "crds/").unwrap();
    assert_eq!(generate(&crds).unwrap(), generate(&crds).unwrap());
}

#[test]
fn crds_are_the_shared_copies_listed_in_sources() {
    let sources = std::fs::read_to_string(schemas().join("crds/SOURCES.md")).unwrap();
    for crd in read_crds(&schemas().join("crds"), "").unwrap() {
        assert!(
            sources.contains(&format!("`{}`", crd.name)),
            "{} is not listed in crds/SOURCES.md",
            crd.name
        );
    }
}
