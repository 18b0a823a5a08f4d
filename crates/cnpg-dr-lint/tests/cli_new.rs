//! `cnpg-dr new`, run as a real process in temporary repositories.
//!
//! The scaffold cases are data: `testdata/scaffold/<case>/args` holds the
//! arguments (one a line, the name first) and `rendered/` what `kubectl
//! kustomize` prints for the directory and both overlays
//! (`scripts/regen-scaffold-rendered.sh` writes them).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use cnpg_dr_core::yaml::{load_str, LoadLimits, Node};
use serde_json::Value;

mod common;
use common::{cnpg_dr_in, copy_dir, stderr, stdout, workspace, TempRepo};

/// The arguments that every scaffold needs and has no default for.
const REQUIRED: [&str; 4] = [
    "--destination-path",
    "s3://backups/{name}",
    "--secret-store",
    "ClusterSecretStore/vault",
];

impl TempRepo {
    fn new_db(&self, args: &[&str]) -> Output {
        let out = self.run(&[&["new"], args].concat());
        assert!(
            out.status.success(),
            "new {args:?} failed:\n{}{}",
            stdout(&out),
            stderr(&out)
        );
        out
    }

    /// Every file under `rel` (relative to it) with its content.
    fn texts_under(&self, rel: &str) -> BTreeMap<String, String> {
        let base = self.path(rel);
        let mut out = BTreeMap::new();
        let mut stack = vec![base.clone()];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let rel = p.strip_prefix(&base).unwrap().display().to_string();
                    out.insert(rel, std::fs::read_to_string(&p).unwrap());
                }
            }
        }
        out
    }

    /// The one YAML document of a file (the first, for multi-document files).
    fn doc(&self, rel: &str) -> Node {
        let text = self.read(rel);
        load_str(&text, Arc::from(Path::new(rel)), &LoadLimits::default())
            .unwrap_or_else(|e| panic!("{rel}: {e}"))
            .remove(0)
    }

    /// The scalar at a path of map keys and list indexes.
    fn value(&self, rel: &str, path: &[&str]) -> String {
        let pointer: String = path
            .iter()
            .map(|p| format!("/{}", p.replace('~', "~0").replace('/', "~1")))
            .collect();
        self.doc(rel)
            .pointer(&pointer)
            .and_then(Node::as_str)
            .unwrap_or_else(|| panic!("{rel}: no {path:?}"))
            .to_string()
    }

    /// Lints `rel` and returns the findings at warning level or above.
    fn serious_findings(&self, rel: &str) -> Vec<Value> {
        let out = self.run(&["lint", rel, "--format", "json"]);
        let doc: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("lint output is not JSON ({e}): {}", stderr(&out)));
        assert!(
            stderr(&out).is_empty(),
            "lint wrote to stderr: {}",
            stderr(&out)
        );
        assert_eq!(doc["summary"]["databases"], 1, "{doc}");
        doc["findings"]
            .as_array()
            .expect("a findings array")
            .iter()
            .filter(|f| f["severity"] == "warning" || f["severity"] == "error")
            .cloned()
            .collect()
    }
}

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
