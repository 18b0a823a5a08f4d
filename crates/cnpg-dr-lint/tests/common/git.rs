//! One Git fixture for the tests that need history: `lint --base` and `plan`.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};

use gix::objs::tree::{Entry, EntryKind};
use gix::ObjectId;

/// A Git repository in a temporary directory, built with gix (no `git`
/// binary needed), removed when dropped. Its working tree is written with
/// [`GitRepo::write`]; [`GitRepo::commit`] snapshots all of it.
pub struct GitRepo {
    pub root: PathBuf,
    repo: gix::Repository,
    time: i64,
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

impl GitRepo {
    pub fn new() -> GitRepo {
        let root = std::env::temp_dir().join(format!(
            "cnpg-dr-git-{}-{}-{}",
            super::prefix(),
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        let repo = gix::init(&root).unwrap();
        GitRepo {
            root,
            repo,
            time: 1_700_000_000,
        }
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    /// Replaces `from` by `to` in a file (exactly one occurrence).
    pub fn replace(&self, rel: &str, from: &str, to: &str) {
        let p = self.root.join(rel);
        let text = std::fs::read_to_string(&p).unwrap();
        assert_eq!(text.matches(from).count(), 1, "{rel}: {from:?}");
        std::fs::write(p, text.replace(from, to)).unwrap();
    }

    fn tree(&self, dir: &Path) -> ObjectId {
        let mut tree = gix::objs::Tree::empty();
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.file_name() != ".git")
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let (mode, oid) = if e.file_type().unwrap().is_dir() {
                (EntryKind::Tree.into(), self.tree(&e.path()))
            } else {
                let bytes = std::fs::read(e.path()).unwrap();
                (
                    EntryKind::Blob.into(),
                    self.repo.write_blob(bytes).unwrap().detach(),
                )
            };
            tree.entries.push(Entry {
                mode,
                filename: e.file_name().to_str().unwrap().into(),
                oid,
            });
        }
        tree.entries.sort();
        self.repo.write_object(&tree).unwrap().detach()
    }

    /// Commits the whole working tree on HEAD; returns the commit id.
    pub fn commit(&mut self, message: &str) -> String {
        let tree = self.tree(&self.root.clone());
        self.time += 3600;
        let time = format!("{} +0000", self.time);
        let sig = gix::actor::SignatureRef {
            name: "Operator".into(),
            email: "ops@example.invalid".into(),
            time: &time,
        };
        let parents: Vec<ObjectId> = self
            .repo
            .head_id()
            .map(|id| vec![id.detach()])
            .unwrap_or_default();
        self.repo
            .commit_as(sig, sig, "HEAD", message, tree, parents)
            .unwrap()
            .to_string()
    }

    /// The binary run at the repository's root.
    pub fn cnpg_dr(&self, args: &[&str]) -> Output {
        super::cnpg_dr_in(&self.root, args)
    }
}

impl Drop for GitRepo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}
