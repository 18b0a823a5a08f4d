//! `lint --base REV`: history rules CDR901-CDR904 on real Git repositories,
//! built in temporary directories with gix (no `git` binary needed). The
//! working tree is the linted state; commits are the history.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::Value;

use cnpg_dr_core::discover::{discover, DiscoverOptions};
use cnpg_dr_core::fs::RealFs;
use cnpg_dr_core::history::GitRepository;
use cnpg_dr_lint::runner::{self, Base};
use cnpg_dr_lint::{registry, Finding};

mod common;
use common::copy_dir;
use common::git::GitRepo as Fixture;

impl Fixture {
    /// `lint --format json --base REV`, as a process.
    fn lint_json(&self, base: &str) -> Value {
        let out = self.cnpg_dr(&["lint", "--format", "json", "--base", base]);
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        })
    }

    /// The history rules' findings, in-process.
    fn history_findings(&self, base: &str) -> Vec<Finding> {
        let git = GitRepository::discover(&self.root).unwrap();
        let commit = git.resolve(base).unwrap();
        let repo = discover(&RealFs, &self.root, &DiscoverOptions::default());
        let history = runner::load_history(
            &repo,
            &Base {
                git: &git,
                spec: base,
                commit: &commit,
            },
        )
        .unwrap();
        runner::run_history(&repo, &registry(), &Default::default(), &history, &RealFs)
    }
}

const DB: &str = "apps/app";
const CLUSTER: &str = "apps/app/base/cluster.yaml";
const RECOVERY: &str = "apps/app/overlays/recovery/bootstrap-patch.yaml";
const ROOT: &str = "apps/app/kustomization.yaml";

/// A database directory writing `app-database-v{write}`, its recovery
/// overlay reading `app-database-v{read}`, the flag on `overlay`.
fn database(f: &Fixture, write: u32, read: u32, overlay: &str) {
    f.write(
        &format!("{DB}/base/kustomization.yaml"),
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: app\nresources:\n  - cluster.yaml\n  - objectstore.yaml\n  - scheduled-backup.yaml\n",
    );
    f.write(
        CLUSTER,
        &format!(
            "apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: app-database
spec:
  instances: 1
  storage:
    size: 1Gi
  plugins:
    - name: barman-cloud.cloudnative-pg.io
      isWALArchiver: true
      parameters:
        barmanObjectName: app-store
        serverName: app-database-v{write}
"
        ),
    );
    f.write(
        &format!("{DB}/base/objectstore.yaml"),
        "apiVersion: barmancloud.cnpg.io/v1\nkind: ObjectStore\nmetadata:\n  name: app-store\nspec:\n  configuration:\n    destinationPath: s3://backups/app\n",
    );
    f.write(
        &format!("{DB}/base/scheduled-backup.yaml"),
        "apiVersion: postgresql.cnpg.io/v1\nkind: ScheduledBackup\nmetadata:\n  name: app-database-daily\nspec:\n  schedule: \"0 0 3 * * *\"\n  cluster:\n    name: app-database\n  method: plugin\n  pluginConfiguration:\n    name: barman-cloud.cloudnative-pg.io\n",
    );
    for o in ["initdb", "recovery"] {
        f.write(
            &format!("{DB}/overlays/{o}/kustomization.yaml"),
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../base\npatches:\n  - path: bootstrap-patch.yaml\n",
        );
    }
    f.write(
        &format!("{DB}/overlays/initdb/bootstrap-patch.yaml"),
        "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: app-database\nspec:\n  bootstrap:\n    initdb:\n      database: app\n      owner: app\n",
    );
    f.write(
        RECOVERY,
        &format!(
            "apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: app-database
spec:
  bootstrap:
    recovery:
      source: origin
  externalClusters:
    - name: origin
      plugin:
        name: barman-cloud.cloudnative-pg.io
        parameters:
          barmanObjectName: app-store
          serverName: app-database-v{read}
"
        ),
    );
    flag(f, overlay);
}

/// Points the DR switch at `overlay`.
fn flag(f: &Fixture, overlay: &str) {
    let line = |o: &str| {
        if o == overlay {
            format!("  - overlays/{o}\n")
        } else {
            format!("  # - overlays/{o}\n")
        }
    };
    f.write(
        ROOT,
        &format!(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n# DR switch\nresources:\n{}{}",
            line("initdb"),
            line("recovery")
        ),
    );
}

fn set_write(f: &Fixture, from: u32, to: u32) {
    f.replace(
        CLUSTER,
        &format!("serverName: app-database-v{from}\n"),
        &format!("serverName: app-database-v{to}\n"),
    );
}

fn set_read(f: &Fixture, from: u32, to: u32) {
    f.replace(
        RECOVERY,
        &format!("serverName: app-database-v{from}\n"),
        &format!("serverName: app-database-v{to}\n"),
    );
}

/// A clean drill: v1 in initdb; bump to v2 and flip to recovery reading v1
/// in one commit; flip back keeping v2; and the same to v3.
fn three_lineages() -> (Fixture, Vec<String>) {
    let mut f = Fixture::new();
    let mut ids = Vec::new();
    database(&f, 1, 1, "initdb");
    ids.push(f.commit("app: first deploy, lineage v1"));
    set_write(&f, 1, 2);
    flag(&f, "recovery");
    ids.push(f.commit("app: drill, restore v1 into v2"));
    flag(&f, "initdb");
    ids.push(f.commit("app: drill done, back to initdb"));
    set_write(&f, 2, 3);
    set_read(&f, 1, 2);
    flag(&f, "recovery");
    ids.push(f.commit("app: drill, restore v2 into v3"));
    flag(&f, "initdb");
    ids.push(f.commit("app: drill done, back to initdb"));
    (f, ids)
}

/// The history rules' findings of a JSON document.
fn findings(doc: &Value) -> Vec<&Value> {
    doc["findings"]
        .as_array()
        .expect("a findings array")
        .iter()
        .filter(|f| f["rule"].as_str().is_some_and(|r| r.starts_with("CDR9")))
        .collect()
}

/// The history rules' ids among the findings (the static rules, CDR101's
/// dormant-overlay check in particular, have their own fixtures).
fn rules_of(doc: &Value) -> Vec<&str> {
    findings(doc)
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .filter(|r| r.starts_with("CDR9"))
        .collect()
}

fn ids(found: &[Finding]) -> Vec<&str> {
    found.iter().map(|f| f.rule).collect()
}

fn short(id: &str) -> &str {
    &id[..7]
}

#[test]
fn a_lineage_reused_after_two_bumps_is_reported_by_the_binary() {
    let (f, commits) = three_lineages();
    // Back to v2 as the write lineage (and in recovery, as if redoing the drill).
    set_write(&f, 3, 2);
    let out = f.cnpg_dr(&["lint", "--format", "json", "--base", "HEAD"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rules_of(&doc), ["CDR901", "CDR902"]);
    let reused = findings(&doc)[1];
    assert_eq!(reused["name"], "lineage-reused");
    assert_eq!(reused["severity"], "error");
    assert_eq!(reused["file"], CLUSTER);
    assert_eq!(
        (reused["line"].as_u64(), reused["column"].as_u64()),
        (Some(14), Some(21))
    );
    assert_eq!(reused["database"], DB);
    let message = reused["message"].as_str().unwrap();
    // v2 was written from the drill that created it to the one that left it.
    for needle in [
        "lineage app-database-v2",
        &format!(
            "from commit {} \"app: drill, restore v1 into v2\"",
            short(&commits[1])
        ),
        &format!(
            "to {} \"app: drill done, back to initdb\"",
            short(&commits[2])
        ),
        &format!("HEAD ({})", short(&commits[4])),
        "Expected empty archive",
    ] {
        assert!(message.contains(needle), "{needle:?} not in {message}");
    }
    assert!(reused["help"]
        .as_str()
        .unwrap()
        .contains("write to app-database-v4"));
    let backwards = findings(&doc)[0];
    let message = backwards["message"].as_str().unwrap();
    assert!(
        message.contains("app-database-v2, behind app-database-v3"),
        "{message}"
    );
}

#[test]
fn a_forward_bump_onto_a_written_lineage_is_reuse_alone() {
    let (mut f, _) = three_lineages();
    // A revert slipped into main: back on v2 (that is CDR901 at that time)...
    set_write(&f, 3, 2);
    f.commit("Revert \"app: drill, restore v2 into v3\"");
    // ... and the next "bump" lands on v3, already written.
    set_write(&f, 2, 3);
    let found = f.history_findings("HEAD");
    assert_eq!(ids(&found), ["CDR902"], "{found:#?}");
    assert!(found[0].message.contains("app-database-v3"));
    assert_eq!(
        found[0].help.as_deref(),
        Some("write to app-database-v4 (serverName at base/cluster.yaml:14:21), a lineage never written")
    );
}

#[test]
fn a_backwards_move_is_reported_with_the_base_value() {
    let mut f = Fixture::new();
    database(&f, 1, 1, "initdb");
    f.commit("app: v1");
    // Straight to v5 (skipping versions is fine)...
    set_write(&f, 1, 5);
    let base = f.commit("app: move to v5");
    // ... then down to v3, never written: backwards, not reused.
    set_write(&f, 5, 3);
    let doc = f.lint_json("HEAD");
    assert_eq!(rules_of(&doc), ["CDR901"]);
    let finding = findings(&doc)[0];
    assert_eq!(finding["file"], CLUSTER);
    assert_eq!(finding["line"], 14);
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains(&format!(
            "writes its backups to lineage app-database-v3, behind app-database-v5 that it writes at HEAD ({})",
            short(&base)
        )),
        "{message}"
    );
    assert!(finding["help"]
        .as_str()
        .unwrap()
        .contains("app-database-v6"));
    // Linting a subdirectory of the working tree matches the same directory.
    let out = f.cnpg_dr(&[
        "lint",
        "--format",
        "json",
        "--base",
        "HEAD",
        "apps/app/base/..",
    ]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rules_of(&doc), ["CDR901"]);
    // A full id as the base is named by its short id only.
    let doc = f.lint_json(&base);
    let message = findings(&doc)[0]["message"].as_str().unwrap();
    assert!(
        message.ends_with(&format!(
            "writes at {}: a lineage only moves forward",
            short(&base)
        )),
        "{message}"
    );
}

#[test]
fn a_flip_to_recovery_without_a_bump_points_at_the_flag_line() {
    let mut f = Fixture::new();
    database(&f, 1, 1, "initdb");
    let base = f.commit("app: v1");
    flag(&f, "recovery");
    let doc = f.lint_json("HEAD");
    assert_eq!(rules_of(&doc), ["CDR903"]);
    let finding = findings(&doc)[0];
    assert_eq!(finding["file"], ROOT);
    assert_eq!(
        (finding["line"].as_u64(), finding["column"].as_u64()),
        (Some(6), Some(5))
    );
    assert_eq!(finding["overlay"], "recovery");
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains(&format!(
            "still writes its backups to lineage app-database-v1, as it does at HEAD ({})",
            short(&base)
        )),
        "{message}"
    );
    assert!(finding["help"]
        .as_str()
        .unwrap()
        .contains("bump the write lineage (serverName at base/cluster.yaml:14:21) to app-database-v2 and restore from app-database-v1"));
}

#[test]
fn a_bump_merged_before_the_flip_still_leaves_the_flip_without_a_bump() {
    let mut f = Fixture::new();
    database(&f, 1, 1, "initdb");
    f.commit("app: v1");
    // The bump went in alone: the running cluster now writes v2.
    set_write(&f, 1, 2);
    f.commit("app: prepare v2");
    flag(&f, "recovery");
    assert_eq!(ids(&f.history_findings("HEAD")), ["CDR903"]);
    // Against the commit before the bump, the same tree is a clean drill.
    assert!(ids(&f.history_findings("HEAD~1")).is_empty());
}

#[test]
fn a_clean_drill_has_no_findings() {
    let mut f = Fixture::new();
    database(&f, 1, 1, "initdb");
    f.commit("app: v1");
    // Bump and flip in one change: the recovery reads v1, the lineage written until now.
    set_write(&f, 1, 2);
    flag(&f, "recovery");
    let doc = f.lint_json("HEAD");
    assert_eq!(rules_of(&doc), Vec::<&str>::new(), "{doc:#}");
    f.commit("app: drill, restore v1 into v2");
    // Back to initdb, keeping the lineage.
    flag(&f, "initdb");
    let doc = f.lint_json("HEAD");
    assert_eq!(rules_of(&doc), Vec::<&str>::new(), "{doc:#}");
    f.commit("app: drill done");
    // The next drill, and the whole history as the base of the last step.
    set_write(&f, 2, 3);
    set_read(&f, 1, 2);
    flag(&f, "recovery");
    assert!(f.history_findings("HEAD").is_empty());
    assert!(f.history_findings("HEAD~1").is_empty());
    // Unchanged working tree: nothing to compare.
    f.commit("app: drill 2");
    assert!(f.history_findings("HEAD").is_empty());
}

/// Records what a lint tells its progress observer.
#[derive(Default)]
struct Recorder(std::sync::Mutex<Vec<String>>);

impl runner::Progress for Recorder {
    fn start(&self, phase: runner::Phase, total: usize) {
        let event = format!("start {} {total}", phase.label());
        self.0.lock().unwrap().push(event);
    }
    fn item(&self, phase: runner::Phase, item: &Path) {
        let event = format!("{} {}", phase.label(), item.display());
        self.0.lock().unwrap().push(event);
    }
}

#[test]
fn progress_counts_every_root_rendered_and_every_commit_of_history() {
    let (f, _) = three_lineages();
    let git = GitRepository::discover(&f.root).unwrap();
    let commit = git.resolve("HEAD").unwrap();
    let base = Base {
        git: &git,
        spec: "HEAD",
        commit: &commit,
    };
    let recorder = Recorder::default();
    let config = Default::default();
    let report =
        runner::lint_path_with_progress(&RealFs, &f.root, &config, Some(&base), &recorder).unwrap();
    assert_eq!(report.databases, 1);
    let events = recorder.0.into_inner().unwrap();
    let db = f.root.join(DB);
    let mut expected = vec![
        "start rendering 1".to_string(),
        format!("rendering {}", db.display()),
        // All five commits changed the directory.
        "start history 5".to_string(),
    ];
    expected.extend((0..5).map(|_| format!("history {DB}")));
    assert_eq!(events, expected);

    // On stderr, which is not a terminal here: nothing, progress included.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cnpg-dr"));
    cmd.args(["lint", "--fail-on", "never", "--base", "HEAD~2"])
        .current_dir(&f.root)
        .env_remove("CI")
        .env_remove("NO_COLOR");
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn a_bumped_recovery_reading_an_older_lineage_is_a_warning() {
    let (f, commits) = three_lineages();
    // Drill 3: bumped to v4, but the source still reads v2 while v3 holds the newest data.
    set_write(&f, 3, 4);
    flag(&f, "recovery");
    let out = f.cnpg_dr(&["lint", "--format", "json", "--base", "HEAD"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rules_of(&doc), ["CDR904"]);
    // A warning alone does not fail the run (the fixture's snapshot rules may
    // add errors of their own, so the exit code is judged on history findings).
    let errors = findings(&doc)
        .iter()
        .filter(|f| f["severity"] == "error")
        .count();
    assert_eq!(errors, 0, "{doc:#}");
    let finding = findings(&doc)[0];
    assert_eq!(finding["severity"], "warning");
    assert_eq!(finding["file"], RECOVERY);
    assert_eq!(finding["line"], 15);
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains(&format!(
            "restores from lineage app-database-v2, older than app-database-v3, the lineage it writes at HEAD ({})",
            short(&commits[4])
        )),
        "{message}"
    );
    assert!(
        finding["help"]
            .as_str()
            .unwrap()
            .contains("list s3://backups/app/app-database-v2/base/"),
        "{finding:#}"
    );
    // Reading v3 is the clean drill.
    set_read(&f, 2, 3);
    assert!(f.history_findings("HEAD").is_empty());
}

#[test]
fn a_new_bucket_starts_lineages_afresh() {
    let (f, _) = three_lineages();
    f.replace(
        &format!("{DB}/base/objectstore.yaml"),
        "s3://backups/app\n",
        "s3://backups-2026/app\n",
    );
    set_write(&f, 3, 1);
    assert!(f.history_findings("HEAD").is_empty());
}

#[test]
fn history_renders_only_the_commits_that_changed_the_directory() {
    let mut f = Fixture::new();
    database(&f, 1, 1, "initdb");
    f.commit("app: v1");
    for i in 0..40 {
        f.write("README.md", &format!("unrelated change {i}\n"));
        f.commit(&format!("docs {i}"));
        if i % 10 == 9 {
            let v = i / 10 + 1;
            set_write(&f, v, v + 1);
            f.commit(&format!("app: v{}", v + 1));
        }
    }
    let git = GitRepository::discover(&f.root).unwrap();
    let head = git.resolve("HEAD").unwrap();
    let history = cnpg_dr_core::history::load(
        &git,
        "HEAD",
        &head,
        &[PathBuf::from(DB)],
        &Default::default(),
    )
    .unwrap();
    let app = history.database(Path::new(DB)).unwrap();
    assert_eq!(app.commits_rendered, 5, "the first commit and four bumps");
    let written: Vec<&str> = app
        .written
        .iter()
        .map(|w| w.lineage.name.as_str())
        .collect();
    assert_eq!(
        written,
        [
            "app-database-v1",
            "app-database-v2",
            "app-database-v3",
            "app-database-v4",
            "app-database-v5"
        ]
    );
    assert_eq!(
        app.written[0].lineage.location.as_deref(),
        Some("s3://backups/app")
    );
    let base = app.base.as_ref().unwrap();
    assert_eq!(base.overlay.as_deref(), Some("initdb"));
    assert_eq!(
        base.clusters[0].write.as_ref().unwrap().name,
        "app-database-v5"
    );
}

#[test]
fn base_errors_exit_2_and_no_git_without_base_changes_nothing() {
    // No repository: --base is an error, plain lint is not concerned.
    let dir = std::env::temp_dir().join(format!("cnpg-dr-history-nogit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("README.md"), "nothing\n").unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_cnpg-dr"))
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap()
    };
    let plain = run(&["lint"]);
    assert_eq!(plain.status.code(), Some(0));
    let inside_a_repository = GitRepository::discover(&dir).is_ok();
    if !inside_a_repository {
        let out = run(&["lint", "--base", "main"]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("not in a Git repository"), "{err}");
    }
    let _ = std::fs::remove_dir_all(&dir);

    // A revision that does not resolve.
    let mut f = Fixture::new();
    database(&f, 1, 1, "initdb");
    f.commit("app: v1");
    let out = f.cnpg_dr(&["lint", "--base", "origin/main"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("error: revision \"origin/main\" does not resolve to a commit"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    // Without --base, history rules stay silent even on a reused lineage.
    set_write(&f, 1, 2);
    f.commit("app: v2");
    set_write(&f, 2, 1);
    let out = f.cnpg_dr(&["lint", "--format", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!rules_of(&doc).iter().any(|r| r.starts_with("CDR9")));
    let out = f.cnpg_dr(&["lint", "--format", "json", "--base", "HEAD"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rules_of(&doc), ["CDR901", "CDR902"]);
}

/// `cargo test --release -p cnpg-dr-lint --test history -- --ignored --nocapture`
/// ~500 commits, 10 databases: how long the history scan of one database takes.
#[test]
#[ignore = "timing: run explicitly"]
fn timing_500_commits() {
    let mut f = Fixture::new();
    for d in 0..10 {
        database(&f, 1, 1, "initdb");
        let from = f.root.join(DB);
        let to = f.root.join(format!("apps/db{d}"));
        copy_dir(&from, &to);
    }
    let start = Instant::now();
    let mut version = 1;
    for i in 0..500 {
        // Most commits touch other databases or unrelated files.
        if i % 50 == 49 {
            set_write(&f, version, version + 1);
            version += 1;
        } else {
            let d = i % 10;
            f.write(&format!("apps/db{d}/notes.md"), &format!("change {i}\n"));
        }
        f.commit(&format!("commit {i}"));
    }
    eprintln!("built 500 commits in {:?}", start.elapsed());
    set_write(&f, version, 2);
    let git = GitRepository::discover(&f.root).unwrap();
    let head = git.resolve("HEAD").unwrap();
    let dirs: Vec<PathBuf> = std::iter::once(PathBuf::from(DB))
        .chain((0..10).map(|d| PathBuf::from(format!("apps/db{d}"))))
        .collect();
    let start = Instant::now();
    let history =
        cnpg_dr_core::history::load(&git, "HEAD", &head, &dirs, &Default::default()).unwrap();
    let rendered: usize = history.databases.iter().map(|d| d.commits_rendered).sum();
    eprintln!(
        "load: {:?} for {} databases, {rendered} commits rendered ({} for {DB})",
        start.elapsed(),
        dirs.len(),
        history.databases[0].commits_rendered
    );
    assert_eq!(history.databases[0].commits_rendered, 11);
    let start = Instant::now();
    let found = f.history_findings("HEAD");
    let elapsed = start.elapsed();
    assert_eq!(ids(&found), ["CDR901", "CDR902"]);
    let start = Instant::now();
    let out = f.cnpg_dr(&["lint", "--format", "json", "--base", "HEAD"]);
    let binary = start.elapsed();
    assert_eq!(out.status.code(), Some(1));
    eprintln!("history scan (11 databases, 500 commits) in-process: {elapsed:?}; `cnpg-dr lint --base HEAD`: {binary:?}");
}

#[test]
fn plan_says_where_the_highest_lineage_was_seen() {
    let (f, _) = three_lineages();
    let plan = f.cnpg_dr(&["plan", "apps/app"]);
    let text = String::from_utf8_lossy(&plan.stdout).into_owned();
    assert!(
        text.contains("app-database-v3 seen in the working tree and the Git history"),
        "{text}"
    );
    // The working tree goes back to v2: v3 is known only from the history,
    // and is still never written again.
    set_write(&f, 3, 2);
    let plan = f.cnpg_dr(&["plan", "apps/app"]);
    let text = String::from_utf8_lossy(&plan.stdout).into_owned();
    assert!(text.contains("write to:      app-database-v4"), "{text}");
    assert!(
        text.contains("app-database-v3 seen only in the Git history"),
        "{text}"
    );
}
