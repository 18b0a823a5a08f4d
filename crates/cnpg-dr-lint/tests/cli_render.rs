//! `cnpg-dr render`, run as a real process.
#![allow(clippy::disallowed_methods)] // tests read and build real files

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn cnpg_dr(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cnpg-dr"))
        .args(args)
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

#[test]
fn render_matches_kubectl_on_every_demo_root_and_overlay() {
    let rendered = repo().join("testdata/demo-rendered");
    let mut checked = 0;
    for entry in std::fs::read_dir(&rendered).unwrap() {
        let expected_file = entry.unwrap().path();
        let stem = expected_file
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let (db, overlay) = match stem.split_once('.') {
            Some((db, overlay)) => (db.to_string(), format!("/overlays/{overlay}")),
            None => (stem.clone(), String::new()),
        };
        let dir = format!("testdata/demo/infrastructure/database/cloudnative-pg/{db}{overlay}");
        let out = cnpg_dr(&["render", &dir]);
        assert!(
            out.status.success(),
            "{dir}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let expected = std::fs::read_to_string(&expected_file).unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), expected, "{dir}");
        checked += 1;
    }
    assert!(checked >= 12, "only {checked} demo roots checked");
}

#[test]
fn render_all_prints_each_root_with_a_source_line() {
    let a = "testdata/demo/infrastructure/database/cloudnative-pg/gitea";
    let b = "testdata/demo/infrastructure/database/cloudnative-pg/paperless";
    let out = cnpg_dr(&["render", "--all", a, b]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let first = stdout
        .find(&format!("# Source: {a}\n"))
        .expect("gitea header");
    let second = stdout
        .find(&format!("# Source: {b}\n"))
        .expect("paperless header");
    assert!(first < second, "roots are printed in the order given");
    assert!(
        stdout.contains("name: gitea-database\n") && stdout.contains("name: paperless-database\n")
    );
}

#[test]
fn render_error_points_into_the_source_file_and_exits_1() {
    let dir = std::env::temp_dir().join(format!("cnpg-dr-cli-render-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("kustomization.yaml"),
        "resources:\n- cluster.yaml\npatches:\n- path: missing.yaml\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("cluster.yaml"),
        "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: pg\nspec:\n  instances: [1\n",
    )
    .unwrap();
    let out = cnpg_dr(&["render", dir.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout when the render fails"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cluster.yaml:7:1"), "{stderr}");
    assert!(stderr.contains("MalformedYAMLError"), "{stderr}");
}

#[test]
fn several_dirs_without_all_is_a_usage_error() {
    let out = cnpg_dr(&["render", "a", "b"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn overlay_renders_the_root_with_the_switch_set_and_names_the_choices() {
    let ws = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_cnpg-dr"))
            .args(args)
            .current_dir(ws.join("testdata/real-layouts"))
            .output()
            .unwrap()
    };
    let active = run(&["render", "gitea"]);
    let flipped = run(&["render", "gitea", "--overlay", "recovery"]);
    assert_eq!(active.status.code(), Some(0));
    assert_eq!(flipped.status.code(), Some(0));
    let (active, flipped) = (
        String::from_utf8_lossy(&active.stdout),
        String::from_utf8_lossy(&flipped.stdout),
    );
    assert!(active.contains("initdb:"), "{active}");
    assert!(!flipped.contains("initdb:"), "{flipped}");
    assert!(flipped.contains("recovery:") && flipped.contains("externalClusters:"));
    // The same output as the entry spelled as written.
    let spelled = run(&["render", "gitea", "--overlay", "overlays/recovery"]);
    assert_eq!(String::from_utf8_lossy(&spelled.stdout), flipped);
    let wrong = run(&["render", "gitea", "--overlay", "recovry"]);
    assert_eq!(wrong.status.code(), Some(2));
    let err = String::from_utf8_lossy(&wrong.stderr);
    assert!(
        err.contains("has no overlay recovry; its entries are: overlays/recovery, overlays/initdb"),
        "{err}"
    );
    // Nothing was written.
    let text =
        std::fs::read_to_string(ws.join("testdata/real-layouts/gitea/kustomization.yaml")).unwrap();
    assert!(text.contains(" # - overlays/recovery"), "{text}");
}

#[test]
fn load_restrictor_none_reads_files_outside_the_root_as_kubectl_does() {
    let case = "testdata/kustomize-conformance/cases/243-load-restrictor-none-resource-outside";
    let input = format!("{case}/input");
    // The default refuses the file, naming it and the root as kustomize does.
    let out = cnpg_dr(&["render", &input]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr).replace(['\n', '│', ' '], "");
    assert!(
        stderr.contains("security;file'") && stderr.contains("x.yaml'isnotinorbelow'"),
        "{stderr}"
    );
    let out = cnpg_dr(&[
        "render",
        "--load-restrictor",
        "LoadRestrictionsNone",
        &input,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = std::fs::read_to_string(repo().join(case).join("expected.yaml")).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
    let out = cnpg_dr(&["render", "--load-restrictor", "None", &input]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("LoadRestrictionsNone"));
}
