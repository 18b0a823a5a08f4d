//! The pre-commit hook of `.pre-commit-hooks.yaml`, run by the real
//! `pre-commit` on real commits: a snapshot of this project (its files as
//! they are in the working tree) becomes the hook repository, a temporary
//! repository with a clean database directory uses it, and `git commit`
//! must be refused for a disaster-recovery mistake, pass for a good change,
//! and skip the hook for a change that touches no YAML.
//!
//! Without `pre-commit` on PATH the test says SKIPPED and passes, unless
//! CNPG_DR_REQUIRE_PRECOMMIT=1 (as `.ci/run` sets it): then it fails.
//!
//! pre-commit installs the hook by building cnpg-dr with cargo (release
//! profile). To keep that cheap the build goes to a target directory kept
//! under cargo's own (CARGO_TARGET_TMPDIR), so later runs reuse the compiled
//! dependencies, at opt-level 0 (this tests the hook's wiring, not the
//! binary's speed), offline (the crates are already in cargo's cache: the
//! tests themselves were built from them). pre-commit's own cache is a
//! temporary directory: the user's is never touched.
#![allow(clippy::disallowed_methods)] // tests read and build real files

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

mod common;
use common::copy_dir;

const HOOK_NAME: &str = "cnpg-dr lint (CloudNativePG disaster recovery)";
const RECOVERY_PATCH: &str = "databases/paperless/overlays/recovery/bootstrap-patch.yaml";
const CLUSTER: &str = "databases/paperless/base/cluster.yaml";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Says why the test cannot run: loudly (past the test harness's capture)
/// and passing, or failing when CNPG_DR_REQUIRE_PRECOMMIT=1.
fn skip(why: &str) {
    if std::env::var_os("CNPG_DR_REQUIRE_PRECOMMIT").is_some_and(|v| v == "1") {
        panic!("{why}, and CNPG_DR_REQUIRE_PRECOMMIT=1 requires the pre-commit test to run");
    }
    let _ = writeln!(std::io::stderr(), "SKIPPED: {why}");
}

fn available(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Everything a command here sees: no user or system Git configuration (a
/// global commit.gpgsign would break the commits), a fixed identity and
/// date, pre-commit's cache in `home`, and the cheap build described above.
fn isolate<'a>(cmd: &'a mut Command, home: &Path) -> &'a mut Command {
    cmd.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "cnpg-dr test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "cnpg-dr test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
        .env("GIT_AUTHOR_DATE", "2025-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2025-01-01T00:00:00Z")
        .env("PRE_COMMIT_HOME", home)
        .env(
            "CARGO_TARGET_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("pre-commit-target"),
        )
        .env("CARGO_NET_OFFLINE", "true")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_BUILD_JOBS", "2")
        .env_remove("NO_COLOR")
}

/// A scratch directory, removed when dropped.
struct Scratch {
    root: PathBuf,
}

impl Scratch {
    fn new() -> Scratch {
        let root = std::env::temp_dir().join(format!("cnpg-dr-precommit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        Scratch { root }
    }

    fn home(&self) -> PathBuf {
        self.root.join("pre-commit-home")
    }

    /// Runs `program args` in `dir`, isolated.
    fn run(&self, dir: &Path, program: &str, args: &[&str]) -> Output {
        let mut cmd = Command::new(program);
        cmd.args(args).current_dir(dir);
        isolate(&mut cmd, &self.home())
            .output()
            .unwrap_or_else(|e| panic!("{program} {args:?}: {e}"))
    }

    /// Like [`Scratch::run`], and the command must succeed.
    fn ok(&self, dir: &Path, program: &str, args: &[&str]) -> String {
        let out = self.run(dir, program, args);
        let text = both(&out);
        assert!(out.status.success(), "{program} {args:?} failed:\n{text}");
        text
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// stdout then stderr: pre-commit and git split their messages between them.
fn both(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The project's files as a commit would take them from the working tree
/// (tracked and new, not ignored), committed in a new repository at `dir`:
/// the hook repository pre-commit clones. Returns the commit id, or None
/// when the project is not a Git checkout.
fn snapshot(s: &Scratch, dir: &Path) -> Option<String> {
    let list = s.run(
        &workspace(),
        "git",
        &[
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ],
    );
    if !list.status.success() {
        return None;
    }
    for rel in list.stdout.split(|b| *b == 0).filter(|r| !r.is_empty()) {
        let rel = String::from_utf8_lossy(rel).into_owned();
        let from = workspace().join(&rel);
        // Deleted in the working tree but not yet in the index.
        if !from.is_file() {
            continue;
        }
        let to = dir.join(&rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        // Keeps the permissions: the hook's entry script is executable.
        std::fs::copy(&from, &to).unwrap();
    }
    s.ok(dir, "git", &["init", "--quiet"]);
    s.ok(dir, "git", &["add", "--all"]);
    s.ok(dir, "git", &["commit", "--quiet", "--message", "snapshot"]);
    Some(s.ok(dir, "git", &["rev-parse", "HEAD"]).trim().to_string())
}

fn edit(repo: &Path, rel: &str, from: &str, to: &str) {
    let path = repo.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.matches(from).count(), 1, "{rel}: {from:?}");
    std::fs::write(path, text.replace(from, to)).unwrap();
}

#[test]
fn the_hook_refuses_a_recovery_mistake_and_passes_good_commits() {
    if !available("pre-commit") {
        return skip("pre-commit not installed");
    }
    if !available("git") {
        return skip("git not installed");
    }
    let started = Instant::now();
    let s = Scratch::new();
    let hook_repo = s.root.join("hook");
    let Some(rev) = snapshot(&s, &hook_repo) else {
        return skip("the project is not a Git checkout");
    };

    // A repository with one clean database directory and the hook.
    let repo = s.root.join("repo");
    copy_dir(
        &workspace().join("testdata/clean/plugin-initdb/paperless"),
        &repo.join("databases/paperless"),
    );
    std::fs::write(
        repo.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: cnpg-dr-lint\n",
            hook_repo.display()
        ),
    )
    .unwrap();
    s.ok(&repo, "git", &["init", "--quiet"]);
    s.ok(&repo, "pre-commit", &["install"]);
    let head = |s: &Scratch| s.ok(&repo, "git", &["rev-parse", "HEAD"]);

    // A good commit: the hook is installed (cargo builds cnpg-dr) and passes.
    s.ok(&repo, "git", &["add", "--all"]);
    let first = s.ok(&repo, "git", &["commit", "--message", "paperless"]);
    assert!(
        first.contains(HOOK_NAME) && first.contains("Passed"),
        "{first}"
    );
    let installed = started.elapsed();
    let good = head(&s);

    // A recovery overlay that restores from the lineage the Cluster writes:
    // the commit is refused, with the rule and the line.
    edit(
        &repo,
        RECOVERY_PATCH,
        "serverName: paperless-database-v1",
        "serverName: paperless-database-v2",
    );
    let bad = s.run(
        &repo,
        "git",
        &["commit", "--all", "--message", "restore v2"],
    );
    let text = both(&bad);
    assert!(!bad.status.success(), "the commit must be refused:\n{text}");
    assert!(text.contains("Failed"), "{text}");
    assert!(
        text.contains("CDR101(lineage-write-equals-source)"),
        "{text}"
    );
    assert!(text.contains(&format!("{RECOVERY_PATCH}:20:23")), "{text}");
    assert_eq!(head(&s), good, "nothing was committed");
    s.ok(&repo, "git", &["checkout", "--", "."]);

    // No YAML in the change: the hook does not run.
    std::fs::write(repo.join("README.md"), "Databases of this cluster.\n").unwrap();
    s.ok(&repo, "git", &["add", "README.md"]);
    let readme = s.ok(&repo, "git", &["commit", "--message", "readme"]);
    assert!(readme.contains("(no files to check)Skipped"), "{readme}");

    // A good YAML change: the hook runs and passes.
    edit(&repo, CLUSTER, "instances: 2", "instances: 3");
    let scaled = s.ok(
        &repo,
        "git",
        &["commit", "--all", "--message", "three instances"],
    );
    assert!(
        scaled.contains(HOOK_NAME) && scaled.contains("Passed"),
        "{scaled}"
    );
    assert_eq!(
        s.ok(&repo, "git", &["rev-list", "--count", "HEAD"]).trim(),
        "3"
    );

    let _ = writeln!(
        std::io::stderr(),
        "pre-commit test: hook installed and first commit in {:.1} s, total {:.1} s",
        installed.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}
