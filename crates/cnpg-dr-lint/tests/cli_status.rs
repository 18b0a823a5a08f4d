//! `cnpg-dr status`, run as a real process on the demo repository.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn status(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cnpg-dr"))
        .arg("status")
        .args(args)
        .current_dir(repo())
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn json_has_one_row_per_cluster_with_effective_lineages() {
    let (code, text) = status(&["testdata/demo", "--format", "json"]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(doc["version"], 1);
    let clusters = doc["clusters"].as_array().unwrap();
    assert_eq!(clusters.len(), 4);
    let gitea = clusters
        .iter()
        .find(|c| c["name"] == "gitea-database")
        .unwrap();
    assert_eq!(
        gitea["dir"],
        "testdata/demo/infrastructure/database/cloudnative-pg/gitea"
    );
    assert_eq!(gitea["namespace"], "gitea");
    assert_eq!(gitea["mode"], "recovery");
    assert_eq!(gitea["write_lineage"], "gitea-database-v3");
    assert_eq!(gitea["read_lineage"], "gitea-database-v2");
    assert_eq!(gitea["backup_shape"], "plugin");
    assert_eq!(gitea["recovery_target"], "latest");
    assert_eq!(gitea["application"], "ApplicationSet/databases");
    let immich = clusters
        .iter()
        .find(|c| c["name"] == "immich-database")
        .unwrap();
    assert_eq!(immich["mode"], "initdb");
    assert_eq!(immich["backup_shape"], "native");
    assert!(
        immich["read_lineage"].is_null(),
        "no read lineage outside recovery"
    );
    assert!(
        immich["findings"]["error"].as_u64().unwrap() >= 1,
        "immich has a plaintext Secret"
    );
    let vw = clusters
        .iter()
        .find(|c| c["name"] == "vaultwarden-database")
        .unwrap();
    assert_eq!(
        vw["write_lineage"], vw["read_lineage"],
        "the demo's deliberate mistake"
    );
}

#[test]
fn table_is_readable() {
    let (code, text) = status(&["testdata/demo"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert!(
        lines[0].starts_with("DATABASE")
            && lines[0].contains("WRITES")
            && lines[0].contains("READS")
    );
    let gitea = lines.iter().find(|l| l.contains("/gitea ")).unwrap();
    assert!(
        gitea.contains("recovery")
            && gitea.contains("gitea-database-v3")
            && gitea.contains("gitea-database-v2"),
        "{gitea}"
    );
    // Columns line up: every row has WRITES at the header's column.
    let col = lines[0].find("WRITES").unwrap();
    for l in &lines[1..] {
        assert!(l[col..].starts_with(|c: char| c.is_alphanumeric()), "{l}");
    }
}

mod common;

#[test]
fn broken_databases_are_shown_with_the_reason_and_exit_1() {
    use common::*;
    let repo = common::TempRepo::with(&["paperless", "gitea", "immich"]);
    // A base that lists a missing file, and a switch with both overlays active.
    let base = repo.db("paperless").join("base/kustomization.yaml");
    let text = std::fs::read_to_string(&base).unwrap();
    std::fs::write(
        &base,
        text.replace("  - cluster.yaml\n", "  - cluster.yaml\n  - missing.yaml\n"),
    )
    .unwrap();
    let root = repo.db("gitea").join("kustomization.yaml");
    let text = std::fs::read_to_string(&root).unwrap();
    std::fs::write(
        &root,
        text.replace("  # - overlays/initdb", "  - overlays/initdb"),
    )
    .unwrap();

    let out = repo.run(&["status"]);
    assert_eq!(code(&out), 1, "{}{}", stdout(&out), stderr(&out));
    let table = stdout(&out);
    for db in ["paperless", "gitea"] {
        let row = table
            .lines()
            .find(|l| l.starts_with(&format!("infrastructure/database/cloudnative-pg/{db} ")))
            .unwrap_or_else(|| panic!("no row for {db}: {table}"));
        assert!(row.contains(" broken "), "{row}");
    }
    assert!(
        table.contains("paperless/base/missing.yaml': no such file or directory"),
        "{table}"
    );
    assert!(
        table.contains("may not add resource with an already registered id"),
        "{table}"
    );
    assert!(
        table.contains("immich/immich-database"),
        "the healthy one is still listed: {table}"
    );
    assert!(
        !table.contains(repo.root.to_str().unwrap()),
        "paths from the repository root: {table}"
    );

    // Asked about the broken database alone, status shows it too.
    let out = repo.run(&[
        "status",
        "infrastructure/database/cloudnative-pg/gitea",
        "--format",
        "json",
    ]);
    assert_eq!(code(&out), 1, "{}{}", stdout(&out), stderr(&out));
    let doc = json(&out);
    let rows = doc["clusters"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{doc}");
    assert_eq!(rows[0]["mode"], "broken");
    assert!(rows[0]["broken"]
        .as_str()
        .unwrap()
        .contains("already registered id"));
}
