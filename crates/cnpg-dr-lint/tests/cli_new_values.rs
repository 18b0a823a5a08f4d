//! `cnpg-dr new`, run as a real process in temporary repositories: where its
//! values come from (configuration, flags, a neighbouring database, prompts)
//! and how a bad one is refused.

use std::process::Command;

use serde_json::Value;

mod common;
use common::new::*;
use common::{cnpg_dr_in, copy_dir, stderr, stdout, workspace, TempRepo};

#[test]
fn configuration_defaults_are_honoured_and_flags_win() {
    let repo = TempRepo::new();
    repo.write(
        ".cnpg-dr.yaml",
        r#"new:
  dir: infrastructure/databases
  namespace: "db-{name}"
  lineage: "{name}-pg-v{n}"
  destinationPath: "s3://company-backups/postgres/{name}"
  endpointURL: https://minio.internal:9000
  secretStore: SecretStore/team-vault
  schedule: "0 15 1 * * *"
  instances: 3
  storageSize: 20Gi
  storageClass: fast
  image: ghcr.io/cloudnative-pg/postgresql:16.9-system-trixie
  retentionPolicy: 2w
  labels:
    team: platform
    app.kubernetes.io/name: "{name}"
  appCredentialsKey: "pg/{name}/app"
  s3CredentialsKey: pg/bucket
"#,
    );
    // Run from a subdirectory: new.dir is relative to the configuration file.
    std::fs::create_dir_all(repo.path("docs")).unwrap();
    let out = cnpg_dr_in(
        &repo.path("docs"),
        &["new", "billing", "--storage-size", "50Gi"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let db = "infrastructure/databases/billing";
    let cluster = format!("{db}/base/cluster.yaml");
    assert_eq!(
        repo.value(&format!("{db}/base/kustomization.yaml"), &["namespace"]),
        "db-billing"
    );
    assert_eq!(
        repo.value(
            &cluster,
            &["spec", "plugins", "0", "parameters", "serverName"]
        ),
        "billing-pg-v1"
    );
    assert_eq!(repo.value(&cluster, &["spec", "instances"]), "3");
    assert_eq!(repo.value(&cluster, &["spec", "storage", "size"]), "50Gi");
    assert_eq!(
        repo.value(&cluster, &["spec", "storage", "storageClass"]),
        "fast"
    );
    assert_eq!(
        repo.value(&cluster, &["spec", "imageName"]),
        "ghcr.io/cloudnative-pg/postgresql:16.9-system-trixie"
    );
    assert_eq!(
        repo.value(&cluster, &["metadata", "labels", "team"]),
        "platform"
    );
    let store = format!("{db}/base/objectstore.yaml");
    assert_eq!(
        repo.value(&store, &["spec", "configuration", "destinationPath"]),
        "s3://company-backups/postgres/billing"
    );
    assert_eq!(repo.value(&store, &["spec", "retentionPolicy"]), "2w");
    assert_eq!(
        repo.value(
            &format!("{db}/base/scheduled-backup.yaml"),
            &["spec", "schedule"]
        ),
        "0 15 1 * * *"
    );
    let secret = format!("{db}/base/external-secret.yaml");
    assert_eq!(
        repo.value(&secret, &["spec", "secretStoreRef", "name"]),
        "team-vault"
    );
    assert_eq!(
        repo.value(&secret, &["spec", "secretStoreRef", "kind"]),
        "SecretStore"
    );
    assert_eq!(
        repo.value(&secret, &["spec", "data", "0", "remoteRef", "key"]),
        "pg/billing/app"
    );
    let recovery = format!("{db}/overlays/recovery/bootstrap-patch.yaml");
    assert_eq!(
        repo.value(
            &recovery,
            &[
                "spec",
                "externalClusters",
                "0",
                "plugin",
                "parameters",
                "serverName"
            ]
        ),
        "billing-pg-v1"
    );
    assert_eq!(
        repo.value(
            &recovery,
            &["spec", "plugins", "0", "parameters", "serverName"]
        ),
        "billing-pg-v2"
    );
    assert!(repo.serious_findings(db).is_empty());
}

#[test]
fn bad_values_are_refused_with_where_they_came_from() {
    let repo = TempRepo::new();
    let out = repo.run(&["new", "paperless"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("no destination path given"), "{err}");
    assert!(
        err.contains("pass --destination-path, or set new.destinationPath"),
        "{err}"
    );
    assert!(err.contains("no secret store given"), "{err}");
    assert!(!repo.path("paperless").exists());

    repo.write(".cnpg-dr.yaml", "new:\n  schedule: \"0 3 * * *\"\n");
    let out = repo.run(&[&["new", "paperless"], &REQUIRED[..]].concat());
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("has 5 fields"), "{err}");
    assert!(err.contains(".cnpg-dr.yaml:2:3 new.schedule"), "{err}");

    let out = repo.run(&[&["new", "Paperless"], &REQUIRED[..]].concat());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("\"Paperless\" is not a valid database directory name"));

    repo.write(".cnpg-dr.yaml", "new:\n  schedul: \"0 0 3 * * *\"\n");
    let out = repo.run(&[&["new", "paperless"], &REQUIRED[..]].concat());
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(".cnpg-dr.yaml:2:3") && err.contains("did you mean schedule?"),
        "{err}"
    );
    assert!(!repo.path("paperless").exists());
}

#[test]
fn the_native_shape_follows_the_target_cnpg_version() {
    // Removed in 1.31: refused.
    let repo = TempRepo::new();
    repo.write(".cnpg-dr.yaml", "cnpgVersion: \"1.31\"\n");
    let out = repo.run(&[&["new", "paperless", "--backup", "native"], &REQUIRED[..]].concat());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("removed in CNPG 1.31"),
        "{}",
        stderr(&out)
    );
    assert!(!repo.path("paperless").exists());

    // Before the deprecation there is nothing to acknowledge, and no
    // suppression comment that would be reported as unused.
    let repo = TempRepo::new();
    repo.write(".cnpg-dr.yaml", "cnpgVersion: \"1.25\"\n");
    repo.new_db(&[&["paperless", "--backup", "native"], &REQUIRED[..]].concat());
    assert!(!repo
        .read("paperless/base/cluster.yaml")
        .contains("cnpg-dr: ignore"));
    assert!(repo.serious_findings("paperless").is_empty());

    // Deprecated: acknowledged where the finding points, with the reason.
    let repo = TempRepo::new();
    repo.new_db(&[&["paperless", "--backup", "native"], &REQUIRED[..]].concat());
    let cluster = repo.read("paperless/base/cluster.yaml");
    assert!(
        cluster.contains("# cnpg-dr: ignore[barman-object-store-deprecated] native shape chosen"),
        "{cluster}"
    );
    let out = repo.run(&["lint", "paperless", "--format", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["summary"]["suppressed"], 2, "{doc}");
    assert!(repo.serious_findings("paperless").is_empty());
}

/// `cnpg-dr new NAME` as typed, inside a repository with databases: every
/// convention comes from a neighbour, and the message names it.
#[test]
fn new_with_no_flags_copies_a_neighbours_conventions() {
    let repo = TempRepo::new();
    copy_dir(&workspace().join("testdata/demo"), &repo.root);
    let out = repo.run(&["new", "wiki"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    // gitea, paperless and vaultwarden share their conventions (immich is
    // native): gitea is the first of them by path.
    assert!(
        stderr(&out).contains(
            "no --like given: copying the conventions of gitea (infrastructure/database/cloudnative-pg/gitea): 3 of 4 database directories share"
        ),
        "{}",
        stderr(&out)
    );
    let db = "infrastructure/database/cloudnative-pg/wiki";
    assert!(repo.path(db).is_dir(), "beside its neighbours");
    let store = format!("{db}/base/objectstore.yaml");
    assert_eq!(
        repo.value(&store, &["spec", "configuration", "destinationPath"]),
        "s3://homelab-cnpg-backups/wiki"
    );
    assert_eq!(
        repo.value(&store, &["spec", "configuration", "endpointURL"]),
        "https://s3.homelab.example:9000"
    );
    let secret = format!("{db}/base/external-secret.yaml");
    assert_eq!(
        repo.value(&secret, &["spec", "secretStoreRef", "name"]),
        "vault"
    );
    let cluster = format!("{db}/base/cluster.yaml");
    assert_eq!(
        repo.value(&cluster, &["spec", "storage", "storageClass"]),
        "ceph-block"
    );
    assert_eq!(
        repo.value(&cluster, &["metadata", "labels", "app.kubernetes.io/name"]),
        "wiki"
    );
    assert_eq!(
        repo.value(&format!("{db}/base/kustomization.yaml"), &["namespace"]),
        "wiki"
    );
    let lint = repo.run(&["lint", db]);
    assert_eq!(lint.status.code(), Some(0), "{}", stdout(&lint));
    assert!(repo.serious_findings(db).is_empty());

    // The same repository gives the same neighbour every time; --like wins.
    let again = repo.run(&["new", "notes", "--dry-run"]);
    assert!(stderr(&again).contains("conventions of gitea"));
    let like = repo.run(&["new", "notes", "--like", "paperless", "--dry-run"]);
    assert!(like.status.success(), "{}", stderr(&like));
    assert!(
        !stderr(&like).contains("no --like given"),
        "{}",
        stderr(&like)
    );
}

/// With nothing to learn from, one message lists every missing value.
#[test]
fn new_in_an_empty_repository_lists_every_missing_value_at_once() {
    let repo = TempRepo::new();
    let out = repo.run(&["new", "wiki"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.matches("error:").count(), 1, "{err}");
    assert!(
        err.starts_with("error: cnpg-dr new wiki needs 2 value(s) that nothing provides"),
        "{err}"
    );
    for flag in ["--destination-path", "--secret-store"] {
        assert!(err.contains(&format!("pass {flag}")), "{err}");
    }
    assert!(!repo.path("wiki").exists());

    // A neighbour that lacks a value: the message says whose conventions were used.
    let demo = workspace().join("testdata/demo/infrastructure/database/cloudnative-pg");
    copy_dir(&demo.join("immich"), &repo.path("dbs/immich"));
    let out = repo.run(&["new", "photos"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(
            "copying the conventions of immich (dbs/immich): it is the only database directory"
        ),
        "{err}"
    );
    assert!(
        err.contains("needs 1 value(s) that nothing provides (immich, whose conventions were copied, has none; no default"),
        "{err}"
    );
    assert!(err.contains("pass --secret-store"), "{err}");
    assert!(!repo.path("dbs/photos").exists());
}

/// On a terminal, each missing value is asked for, with a suggested default.
#[test]
fn new_on_a_terminal_asks_for_each_missing_value() {
    let repo = TempRepo::new();
    let command = format!("'{}' new wiki", env!("CARGO_BIN_EXE_cnpg-dr"));
    let child = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(&repo.root)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        eprintln!("SKIPPED: util-linux script not found");
        return;
    };
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        // The bucket typed, the secret store's suggestion taken.
        stdin.write_all(b"s3://team-backups/{name}\n\n").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1500));
    }
    let out = child.wait_with_output().unwrap();
    let screen = stdout(&out);
    assert!(
        screen.contains("--destination-path [s3://backups/{name}]: "),
        "{screen}"
    );
    assert!(
        screen.contains("--secret-store [ClusterSecretStore/vault]: "),
        "{screen}"
    );
    assert!(screen.contains("created wiki/"), "{screen}");
    assert_eq!(
        repo.value(
            "wiki/base/objectstore.yaml",
            &["spec", "configuration", "destinationPath"]
        ),
        "s3://team-backups/wiki"
    );
    assert_eq!(
        repo.value(
            "wiki/base/external-secret.yaml",
            &["spec", "secretStoreRef", "kind"]
        ),
        "ClusterSecretStore"
    );
}
