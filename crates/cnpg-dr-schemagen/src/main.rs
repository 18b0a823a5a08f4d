//! `cnpg-dr-schemagen [--check] [SCHEMA_DIR]`: regenerates the JSON Schemas
//! of SCHEMA_DIR (default: the workspace's `schemas/`) from the CRDs in its
//! `crds/` folder. With `--check`, writes nothing and fails when a file would
//! change.
#![allow(clippy::disallowed_methods)] // the schema generator reads the CRD files it is given

use std::path::PathBuf;
use std::process::ExitCode;

use cnpg_dr_schemagen::{generate, read_crds};

fn main() -> ExitCode {
    let mut check = false;
    let mut dir = None;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--check" => check = true,
            "-h" | "--help" => {
                println!("usage: cnpg-dr-schemagen [--check] [SCHEMA_DIR]");
                return ExitCode::SUCCESS;
            }
            _ if dir.is_none() && !arg.starts_with('-') => dir = Some(PathBuf::from(arg)),
            _ => {
                eprintln!("error: unexpected argument {arg:?} (usage: cnpg-dr-schemagen [--check] [SCHEMA_DIR])");
                return ExitCode::from(2);
            }
        }
    }
    let dir =
        dir.unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../schemas")));
    let crds = match read_crds(&dir.join("crds"), "crds/") {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {}: {e}", dir.join("crds").display());
            return ExitCode::from(2);
        }
    };
    let output = match generate(&crds) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    // Generated files that no CRD produces any more.
    let stale: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|n| n.ends_with(".json") && !output.contains_key(n))
                .map(|n| dir.join(n))
                .collect()
        })
        .unwrap_or_default();
    let mut changed = 0;
    for (name, text) in &output {
        let path = dir.join(name);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(text.as_str()) {
            continue;
        }
        changed += 1;
        if check {
            eprintln!("{} is out of date", path.display());
        } else if let Err(e) = std::fs::write(&path, text) {
            eprintln!("error: {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    for path in &stale {
        changed += 1;
        if check {
            eprintln!("{} is no longer generated", path.display());
        } else if let Err(e) = std::fs::remove_file(path) {
            eprintln!("error: {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    if check && changed > 0 {
        return ExitCode::from(1);
    }
    let verb = if check { "up to date" } else { "written" };
    println!(
        "{} files {verb} ({} changed) from {} CRDs",
        output.len(),
        changed,
        crds.len()
    );
    ExitCode::SUCCESS
}
