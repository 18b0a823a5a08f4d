//! `lint --base REV` and `plan` reading Git history: progress, which commits
//! are rendered, base errors, timing. The repositories are built with gix
//! (no `git` binary needed); the rules' findings are tested in history.rs.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::Value;

use cnpg_dr_core::fs::RealFs;
use cnpg_dr_core::history::GitRepository;
use cnpg_dr_lint::runner::{self, Base};

mod common;
use common::copy_dir;
use common::history::*;

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
    let report = runner::LintRequest {
        base: Some(&base),
        progress: &recorder,
        ..runner::LintRequest::new(&RealFs, &f.root, &config)
    }
    .run()
    .unwrap();
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

/// `cargo test --release -p cnpg-dr-lint --test history_base -- --ignored --nocapture`
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
