//! Embeds the generated JSON Schemas of `schemas/` (listed by
//! `schemas/index.json`) in a compact form: minified, without descriptions,
//! with repeated subschemas shared through `definitions` (see
//! `src/schema/dedup.rs`), so the binary parses and compiles each of them in
//! a few milliseconds.
#![allow(clippy::disallowed_methods)]

// A build script reads the schemas from disk: that is its point.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[allow(dead_code)]
#[path = "src/schema/dedup.rs"]
mod dedup;

fn main() {
    let manifest = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let schemas = manifest.join("../../schemas");
    println!(
        "cargo:rerun-if-changed={}",
        schemas.join("index.json").display()
    );
    let index: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&read(&schemas.join("index.json")))
            .expect("schemas/index.json is a JSON object");
    let mut files: Vec<&str> = index
        .values()
        .filter_map(|e| e.get("file")?.as_str())
        .collect();
    files.sort();
    files.dedup();
    let mut table = String::from("/// The embedded schemas (compact form): (file name, JSON text).\nstatic BUILTIN: &[(&str, &str)] = &[\n");
    for file in files {
        let path = schemas.join(file);
        println!("cargo:rerun-if-changed={}", path.display());
        let mut schema: serde_json::Value =
            serde_json::from_str(&read(&path)).unwrap_or_else(|e| panic!("schemas/{file}: {e}"));
        dedup::strip_descriptions(&mut schema);
        let compact = serde_json::to_string(&dedup::share_repeated(&schema))
            .unwrap_or_else(|e| panic!("schemas/{file}: {e}"));
        std::fs::write(out.join(file), compact).unwrap_or_else(|e| panic!("{file}: {e}"));
        let _ = writeln!(
            table,
            "    ({file:?}, include_str!(concat!(env!(\"OUT_DIR\"), \"/{file}\"))),"
        );
    }
    table.push_str("];\n");
    std::fs::write(out.join("builtin.rs"), table).expect("OUT_DIR is writable");
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
