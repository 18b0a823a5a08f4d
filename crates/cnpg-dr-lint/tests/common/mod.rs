//! Helpers shared by the CLI tests: the binary run in a directory, and
//! temporary repositories (empty, or holding copies of demo databases).
#![allow(dead_code)]
#![allow(clippy::disallowed_methods)] // tests read and build real files

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

pub mod git;
pub mod history;
pub mod lint;
pub mod new;

/// The test binary's name, so temporary repositories of parallel test files differ.
fn prefix() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_default()
}

pub const DEMO: &str = "testdata/demo";
pub const DBS: &str = "infrastructure/database/cloudnative-pg";

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `cnpg-dr` binary run in `dir`, without colours.
pub fn cnpg_dr_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cnpg-dr"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

/// A repository in a temporary directory (with a `.git`, so that
/// configuration and root lookups stop there), removed when dropped.
pub struct TempRepo {
    pub root: PathBuf,
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

impl TempRepo {
    /// An empty repository.
    pub fn new() -> TempRepo {
        let root = std::env::temp_dir().join(format!(
            "cnpg-dr-cli-{}-{}-{}",
            prefix(),
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join(".git")).unwrap();
        TempRepo { root }
    }

    /// A repository with the demo's argocd/ and copies of `dbs`.
    pub fn with(dbs: &[&str]) -> TempRepo {
        let repo = TempRepo::new();
        let root = &repo.root;
        copy_dir(&workspace().join(DEMO).join("argocd"), &root.join("argocd"));
        for db in dbs {
            copy_dir(
                &workspace().join(DEMO).join(DBS).join(db),
                &root.join(DBS).join(db),
            );
        }
        repo
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Writes a file, creating its directories.
    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    pub fn db(&self, name: &str) -> PathBuf {
        self.root.join(DBS).join(name)
    }

    pub fn run(&self, args: &[&str]) -> Output {
        cnpg_dr_in(&self.root, args)
    }

    /// Every file under the root (but .git) with its bytes.
    pub fn files(&self) -> BTreeMap<String, Vec<u8>> {
        let mut out = BTreeMap::new();
        collect(&self.root, &self.root, &mut out);
        out
    }
}

impl Drop for TempRepo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

pub fn collect(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let rel = path.strip_prefix(root).unwrap().display().to_string();
        if rel == ".git" {
            continue;
        }
        if path.is_dir() {
            out.insert(format!("{rel}/"), Vec::new());
            collect(root, &path, out);
        } else {
            out.insert(rel, std::fs::read(&path).unwrap());
        }
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// The JSON document a command printed, or a panic that shows what it printed instead.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            stdout(o),
            stderr(o)
        )
    })
}
