//! `cnpg-dr new`, run as a real process in temporary repositories: what it
//! writes and when it writes (where its values come from: cli_new_values.rs).
//!
//! The scaffold cases are data: `testdata/scaffold/<case>/args` holds the
//! arguments (one a line, the name first) and `rendered/` what `kubectl
//! kustomize` prints for the directory and both overlays
//! (`scripts/regen-scaffold-rendered.sh` writes them).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cnpg_dr_core::yaml::{load_str, LoadLimits};

mod common;
use common::new::*;
use common::{copy_dir, stderr, stdout, workspace, TempRepo};

fn cases() -> Vec<(String, Vec<String>, PathBuf)> {
    let dir = workspace().join("testdata/scaffold");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let case = entry.unwrap().path();
        if !case.is_dir() {
            continue;
        }
        let args: Vec<String> = std::fs::read_to_string(case.join("args"))
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        out.push((name, args, case));
    }
    out.sort();
    out
}

#[test]
fn every_case_lints_clean_renders_like_kubectl_and_is_yaml() {
    let cases = cases();
    let shapes: Vec<bool> = cases
        .iter()
        .map(|(_, args, _)| args.iter().any(|a| a == "native"))
        .collect();
    assert!(
        shapes.contains(&true) && shapes.contains(&false),
        "both shapes have a case"
    );
    for (case, args, dir) in &cases {
        let repo = TempRepo::new();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        repo.new_db(&args);
        let name = args[0];

        let serious = repo.serious_findings(name);
        assert!(serious.is_empty(), "{case}: {serious:#?}");

        for (root, expected) in [
            ("", "root.yaml"),
            ("/overlays/initdb", "initdb.yaml"),
            ("/overlays/recovery", "recovery.yaml"),
        ] {
            let out = repo.run(&["render", &format!("{name}{root}")]);
            assert!(out.status.success(), "{case}{root}: {}", stderr(&out));
            let expected = std::fs::read_to_string(dir.join("rendered").join(expected))
                .unwrap_or_else(|e| {
                    panic!("{case}: {expected}: {e} (run scripts/regen-scaffold-rendered.sh)")
                });
            assert_eq!(stdout(&out), expected, "{case}{root}");
        }

        let files = repo.texts_under(name);
        assert!(files.len() >= 9, "{case}: {:?}", files.keys());
        for (path, text) in &files {
            let docs = load_str(text, Arc::from(Path::new(path)), &LoadLimits::default())
                .unwrap_or_else(|e| panic!("{case}: {path}: {e}"));
            assert!(!docs.is_empty(), "{case}: {path} is empty");
        }
    }
}

#[test]
fn the_scaffold_has_the_dr_layout() {
    let repo = TempRepo::new();
    repo.new_db(&[&["paperless"], &REQUIRED[..]].concat());
    let root = repo.read("paperless/kustomization.yaml");
    assert!(
        root.contains("resources:\n  - overlays/initdb\n  # - overlays/recovery\n"),
        "{root}"
    );
    assert!(root.contains("# DR switch"), "{root}");
    let cluster = "paperless/base/cluster.yaml";
    assert_eq!(
        repo.value(
            cluster,
            &["spec", "plugins", "0", "parameters", "serverName"]
        ),
        "paperless-database-v1"
    );
    let schedule = repo.value(
        "paperless/base/scheduled-backup.yaml",
        &["spec", "schedule"],
    );
    assert_eq!(schedule.split_whitespace().count(), 6, "{schedule}");
    assert_eq!(
        repo.value("paperless/base/scheduled-backup.yaml", &["spec", "method"]),
        "plugin"
    );
    let recovery = "paperless/overlays/recovery/bootstrap-patch.yaml";
    for (path, expected) in [
        (&["spec", "bootstrap", "recovery", "source"][..], "origin"),
        (&["spec", "bootstrap", "recovery", "database"], "paperless"),
        (&["spec", "bootstrap", "recovery", "owner"], "paperless"),
        (
            &["spec", "bootstrap", "recovery", "secret", "name"],
            "paperless-database-app",
        ),
        (
            &[
                "spec",
                "externalClusters",
                "0",
                "plugin",
                "parameters",
                "serverName",
            ],
            "paperless-database-v1",
        ),
        (
            &["spec", "plugins", "0", "parameters", "serverName"],
            "paperless-database-v2",
        ),
    ] {
        assert_eq!(repo.value(recovery, path), expected, "{path:?}");
    }
    let initdb = "paperless/overlays/initdb/bootstrap-patch.yaml";
    assert_eq!(
        repo.value(initdb, &["spec", "bootstrap", "initdb", "secret", "name"]),
        "paperless-database-app"
    );
    let secrets = repo.read("paperless/base/external-secret.yaml");
    assert_eq!(secrets.matches("kind: ExternalSecret").count(), 2);
    assert!(secrets.contains("name: paperless-s3-credentials"));
}

#[test]
fn dry_run_prints_the_tree_and_files_and_writes_nothing() {
    let repo = TempRepo::new();
    let out = repo.new_db(&[&["paperless", "--dir", "dbs", "--dry-run"], &REQUIRED[..]].concat());
    assert!(!repo.path("dbs").exists(), "a dry run wrote files");
    insta::assert_snapshot!("dry_run_plugin", stdout(&out));
    let out = repo.new_db(
        &[
            &[
                "paperless",
                "--dir",
                "dbs",
                "--dry-run",
                "--backup",
                "native",
            ],
            &REQUIRED[..],
        ]
        .concat(),
    );
    assert!(!repo.path("dbs").exists(), "a dry run wrote files");
    insta::assert_snapshot!("dry_run_native", stdout(&out));
}

#[test]
fn like_copies_the_conventions_of_another_database() {
    let repo = TempRepo::new();
    let demo = workspace().join("testdata/demo/infrastructure/database/cloudnative-pg");
    copy_dir(&demo.join("gitea"), &repo.path("dbs/gitea"));
    copy_dir(&demo.join("immich"), &repo.path("dbs/immich"));
    // The flags still win over the copied conventions.
    repo.new_db(&[
        "wiki",
        "--like",
        "gitea",
        "--dir",
        "dbs",
        "--instances",
        "3",
    ]);
    let cluster = "dbs/wiki/base/cluster.yaml";
    assert_eq!(repo.value(cluster, &["metadata", "name"]), "wiki-database");
    assert_eq!(
        repo.value(cluster, &["metadata", "labels", "app.kubernetes.io/name"]),
        "wiki"
    );
    assert_eq!(repo.value(cluster, &["spec", "instances"]), "3");
    assert_eq!(
        repo.value(cluster, &["spec", "imageName"]),
        "ghcr.io/cloudnative-pg/postgresql:17.5-system-trixie"
    );
    assert_eq!(
        repo.value(cluster, &["spec", "storage", "storageClass"]),
        "ceph-block"
    );
    assert_eq!(
        repo.value(
            cluster,
            &["spec", "plugins", "0", "parameters", "serverName"]
        ),
        "wiki-database-v1"
    );
    assert_eq!(
        repo.value("dbs/wiki/base/kustomization.yaml", &["namespace"]),
        "wiki"
    );
    let store = "dbs/wiki/base/objectstore.yaml";
    assert_eq!(
        repo.value(store, &["spec", "configuration", "destinationPath"]),
        "s3://homelab-cnpg-backups/wiki"
    );
    assert_eq!(
        repo.value(store, &["spec", "configuration", "endpointURL"]),
        "https://s3.homelab.example:9000"
    );
    assert_eq!(
        repo.value(
            store,
            &[
                "spec",
                "configuration",
                "s3Credentials",
                "accessKeyId",
                "name"
            ]
        ),
        "wiki-s3-credentials"
    );
    assert_eq!(
        repo.value("dbs/wiki/base/scheduled-backup.yaml", &["spec", "schedule"]),
        "0 30 2 * * *"
    );
    let secret = "dbs/wiki/base/external-secret.yaml";
    assert_eq!(
        repo.value(secret, &["spec", "secretStoreRef", "kind"]),
        "ClusterSecretStore"
    );
    assert_eq!(
        repo.value(secret, &["spec", "secretStoreRef", "name"]),
        "vault"
    );
    assert_eq!(
        repo.value(secret, &["spec", "data", "0", "remoteRef", "key"]),
        "databases/wiki"
    );
    assert!(repo.serious_findings("dbs/wiki").is_empty());

    // A native database passes on its shape (with the deprecation warning);
    // it has no ExternalSecret, so the store comes from a flag.
    let out = repo.new_db(&[
        "photos",
        "--like",
        "dbs/immich",
        "--dir",
        "dbs",
        "--secret-store",
        "vault",
    ]);
    assert!(stderr(&out).contains("deprecated"), "{}", stderr(&out));
    let cluster = "dbs/photos/base/cluster.yaml";
    assert_eq!(
        repo.value(
            cluster,
            &["spec", "backup", "barmanObjectStore", "destinationPath"]
        ),
        "s3://homelab-cnpg-backups/photos"
    );
    assert_eq!(
        repo.value(cluster, &["spec", "backup", "retentionPolicy"]),
        "14d"
    );
    assert_eq!(
        repo.value("dbs/photos/base/scheduled-backup.yaml", &["spec", "method"]),
        "barmanObjectStore"
    );
    assert!(!repo.path("dbs/photos/base/objectstore.yaml").exists());

    let out = repo.run(&[&["new", "x", "--like", "nope"], &REQUIRED[..]].concat());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no database directory named nope"),
        "{}",
        stderr(&out)
    );
    assert!(!repo.path("x").exists());
}

#[test]
fn an_existing_directory_is_left_alone_without_force() {
    let repo = TempRepo::new();
    repo.write("paperless/base/cluster.yaml", "# mine\n");
    repo.write("paperless/notes.md", "keep\n");
    let before = repo.texts_under("paperless");
    let out = repo.run(&[&["new", "paperless"], &REQUIRED[..]].concat());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("already exists") && stderr(&out).contains("--force"),
        "{}",
        stderr(&out)
    );
    assert_eq!(repo.texts_under("paperless"), before);
    // Nor does a dry run pretend it would work.
    let out = repo.run(&[&["new", "paperless", "--dry-run"], &REQUIRED[..]].concat());
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).is_empty());
    // No temporary directory is left beside it.
    let names: Vec<String> = std::fs::read_dir(&repo.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn force_replaces_the_whole_directory() {
    let repo = TempRepo::new();
    repo.write("paperless/base/cluster.yaml", "# mine\n");
    repo.write("paperless/notes.md", "old\n");
    let out = repo.new_db(&[&["paperless", "--force"], &REQUIRED[..]].concat());
    assert!(
        stdout(&out).starts_with("replaced paperless/"),
        "{}",
        stdout(&out)
    );
    assert!(!repo.path("paperless/notes.md").exists());
    assert!(repo
        .read("paperless/base/cluster.yaml")
        .contains("kind: Cluster"));
    let fresh = TempRepo::new().files_after_new();
    assert_eq!(repo.texts_under("paperless"), fresh);
    let leftovers: Vec<String> = std::fs::read_dir(&repo.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("cnpg-dr"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

impl TempRepo {
    /// The files of a fresh `new paperless` (the REQUIRED values) in this repository.
    fn files_after_new(&self) -> BTreeMap<String, String> {
        self.new_db(&[&["paperless"], &REQUIRED[..]].concat());
        self.texts_under("paperless")
    }
}
