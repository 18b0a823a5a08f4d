//! Reading a Git repository in-process (gix): resolving a revision, walking
//! the commits that changed a directory, and a [`FileSystem`] over a commit's
//! tree so that the renderer can build a database directory as it was.
//!
//! Nothing is written: no index, no checkout, no cache on disk. Decoded trees
//! are kept in memory for the lifetime of a [`GitRepository`] (a tree id never
//! changes its content), which makes walking many commits cheap: unchanged
//! subtrees are shared between commits.

use std::collections::HashMap;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use gix::bstr::{BStr, ByteSlice};
use gix::ObjectId;

use crate::fs::{normalize, FileSystem};

/// Why the history could not be read.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("{}: not in a Git repository ({reason})", path.display())]
    NotARepository { path: PathBuf, reason: String },
    #[error("{}: the Git repository has no working tree to compare with", path.display())]
    NoWorkTree { path: PathBuf },
    #[error("revision {rev:?} does not resolve to a commit: {reason}")]
    Revision { rev: String, reason: String },
    #[error("cannot read the Git history: {0}")]
    Read(String),
}

fn read_error(e: impl std::fmt::Display) -> HistoryError {
    HistoryError::Read(e.to_string())
}

/// A commit, as findings name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitInfo {
    /// The full hexadecimal object id.
    pub id: String,
    /// The first line of the message.
    pub summary: String,
    /// Committer time, seconds since the Unix epoch.
    pub time: i64,
    oid: ObjectId,
    tree: ObjectId,
}

impl CommitInfo {
    /// The abbreviated id (7 hex digits), as `git log --oneline` prints it.
    pub fn short(&self) -> &str {
        self.id.get(..7).unwrap_or(&self.id)
    }
}

/// What a tree entry points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Tree,
    Blob,
    Link,
    /// A submodule: another repository's commit, not readable here.
    Submodule,
}

#[derive(Clone, Debug)]
struct Entry {
    name: Vec<u8>,
    kind: Kind,
    oid: ObjectId,
}

struct State {
    repo: gix::Repository,
    /// Decoded trees by id, entries sorted by name.
    trees: HashMap<ObjectId, Arc<[Entry]>>,
}

impl State {
    fn tree(&mut self, oid: ObjectId) -> io::Result<Arc<[Entry]>> {
        if let Some(t) = self.trees.get(&oid) {
            return Ok(t.clone());
        }
        let tree = self.repo.find_tree(oid).map_err(io::Error::other)?;
        let decoded = tree.decode().map_err(io::Error::other)?;
        let mut entries: Vec<Entry> = decoded
            .entries
            .iter()
            .map(|e| Entry {
                name: e.filename.to_vec(),
                kind: if e.mode.is_tree() {
                    Kind::Tree
                } else if e.mode.is_link() {
                    Kind::Link
                } else if e.mode.is_commit() {
                    Kind::Submodule
                } else {
                    Kind::Blob
                },
                oid: e.oid.to_owned(),
            })
            .collect();
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        let entries: Arc<[Entry]> = entries.into();
        self.trees.insert(oid, entries.clone());
        Ok(entries)
    }

    fn blob(&self, oid: ObjectId) -> io::Result<Vec<u8>> {
        let mut blob = self.repo.find_blob(oid).map_err(io::Error::other)?;
        Ok(blob.take_data())
    }

    /// The id of the tree at `components` under `root`, if it is a directory.
    fn subtree(&mut self, root: ObjectId, components: &[Vec<u8>]) -> io::Result<Option<ObjectId>> {
        let mut current = root;
        for name in components {
            let entries = self.tree(current)?;
            match find(&entries, name) {
                Some(e) if e.kind == Kind::Tree => current = e.oid,
                _ => return Ok(None),
            }
        }
        Ok(Some(current))
    }

    fn commit_info(&self, oid: ObjectId) -> Result<CommitInfo, HistoryError> {
        let commit = self.repo.find_commit(oid).map_err(read_error)?;
        let tree = commit.tree_id().map_err(read_error)?.detach();
        let time = commit.time().map(|t| t.seconds).unwrap_or(0);
        let summary = commit
            .message_raw_sloppy()
            .lines()
            .next()
            .map(|l| l.to_str_lossy().trim().to_string())
            .unwrap_or_default();
        Ok(CommitInfo {
            id: oid.to_string(),
            summary,
            time,
            oid,
            tree,
        })
    }
}

fn find<'e>(entries: &'e [Entry], name: &[u8]) -> Option<&'e Entry> {
    entries
        .binary_search_by(|e| e.name.as_slice().cmp(name))
        .ok()
        .map(|i| &entries[i])
}

struct Shared {
    state: Mutex<State>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A Git repository with a working tree, opened in-process.
#[derive(Clone)]
pub struct GitRepository {
    shared: Arc<Shared>,
    workdir: PathBuf,
}

impl std::fmt::Debug for GitRepository {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitRepository")
            .field("workdir", &self.workdir)
            .finish_non_exhaustive()
    }
}

/// Splits a relative path into the byte components Git trees use.
fn git_components(rel: &Path) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(name) => {
                out.push(gix::path::os_str_into_bstr(name).ok()?.to_vec());
            }
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(out)
}

impl GitRepository {
    /// Opens the repository that contains `path` (a directory or a file),
    /// searching upwards like `git` does.
    #[allow(clippy::disallowed_methods)] // Git repositories are on the real disk (gix opens them)
    pub fn discover(path: &Path) -> Result<GitRepository, HistoryError> {
        let start = if path.is_file() {
            path.parent().unwrap_or(path)
        } else {
            path
        };
        let mut repo = gix::discover(start).map_err(|e| HistoryError::NotARepository {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        let Some(found) = repo.workdir().map(Path::to_path_buf) else {
            return Err(HistoryError::NoWorkTree {
                path: path.to_path_buf(),
            });
        };
        // Trees are cached by this module; the object cache serves commits and blobs.
        repo.object_cache_size_if_unset(8 * 1024 * 1024);
        // Report paths the way the caller spelled them: the ancestor of `path`
        // that is the working tree (symlinked temporary directories differ
        // from what Git found).
        let canonical = std::fs::canonicalize(&found).unwrap_or_else(|_| found.clone());
        let workdir = start
            .ancestors()
            .find(|a| *a == found || std::fs::canonicalize(a).is_ok_and(|c| c == canonical))
            .map(Path::to_path_buf)
            .unwrap_or(found);
        Ok(GitRepository {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    repo,
                    trees: HashMap::new(),
                }),
            }),
            workdir,
        })
    }

    /// The working tree's root, an ancestor of the path given to [`GitRepository::discover`].
    pub fn workdir(&self) -> &Path {
        &self.workdir
    }

    /// Resolves a revision (`origin/main`, `HEAD~2`, a tag, a full or short id) to a commit.
    pub fn resolve(&self, rev: &str) -> Result<CommitInfo, HistoryError> {
        let state = self.shared.lock();
        let revision_error = |reason: String| HistoryError::Revision {
            rev: rev.to_string(),
            reason,
        };
        let id = state
            .repo
            .rev_parse_single(BStr::new(rev.as_bytes()))
            .map_err(|e| revision_error(e.to_string()))?;
        let commit = id
            .object()
            .map_err(|e| revision_error(e.to_string()))?
            .peel_to_commit()
            .map_err(|e| revision_error(e.to_string()))?;
        let oid = commit.id;
        drop(commit);
        state.commit_info(oid)
    }

    /// The tree of `commit`, seen as a filesystem whose root is the working tree's root.
    pub fn tree_fs(&self, commit: &CommitInfo) -> GitTreeFs {
        self.tree_fs_at(commit, &self.workdir)
    }

    /// The tree of `commit`, seen as a filesystem rooted at `mount`.
    pub fn tree_fs_at(&self, commit: &CommitInfo, mount: &Path) -> GitTreeFs {
        GitTreeFs {
            shared: self.shared.clone(),
            root: commit.tree,
            mount: normalize(mount),
        }
    }

    /// For each directory (relative to the working tree's root), the commits
    /// reachable from `tip` that changed it, oldest first: those where the
    /// directory's tree id differs from its tree id in every parent (a merge
    /// that took one side unchanged is skipped: that side's commits are
    /// listed). Only tree ids are compared; nothing is rendered here.
    pub fn commits_touching(
        &self,
        tip: &CommitInfo,
        dirs: &[PathBuf],
    ) -> Result<Vec<Vec<CommitInfo>>, HistoryError> {
        let mut state = self.shared.lock();
        let components: Vec<Option<Vec<Vec<u8>>>> =
            dirs.iter().map(|d| git_components(d)).collect();
        // Every reachable commit with its parents and its directories' tree ids.
        let mut order: Vec<(ObjectId, Vec<ObjectId>)> = Vec::new();
        {
            let walk = state.repo.rev_walk([tip.oid]).all().map_err(read_error)?;
            for info in walk {
                let info = info.map_err(read_error)?;
                order.push((info.id, info.parent_ids.iter().copied().collect()));
            }
        }
        let mut ids: HashMap<ObjectId, Vec<Option<ObjectId>>> = HashMap::new();
        for (commit, _) in &order {
            let tree = {
                let c = state.repo.find_commit(*commit).map_err(read_error)?;
                let t = c.tree_id().map_err(read_error)?.detach();
                t
            };
            let mut per_dir = Vec::with_capacity(components.len());
            for c in &components {
                per_dir.push(match c {
                    Some(c) => state.subtree(tree, c).map_err(read_error)?,
                    None => None,
                });
            }
            ids.insert(*commit, per_dir);
        }
        let mut out: Vec<Vec<CommitInfo>> = vec![Vec::new(); dirs.len()];
        for (commit, parents) in &order {
            let Some(mine) = ids.get(commit) else {
                continue;
            };
            for (d, id) in mine.iter().enumerate() {
                let Some(id) = id else { continue };
                // A parent missing from the walk (a shallow clone's boundary)
                // counts as different: its content is unknown.
                let touched = parents.iter().all(|p| {
                    ids.get(p)
                        .and_then(|v| v.get(d))
                        .is_none_or(|pid| pid.as_ref() != Some(id))
                });
                if touched {
                    out[d].push(state.commit_info(*commit)?);
                }
            }
        }
        for commits in &mut out {
            // Oldest first; the walk visits children before parents, so a
            // stable sort on time keeps ties child-first: reverse first.
            commits.reverse();
            commits.sort_by_key(|c| c.time);
        }
        Ok(out)
    }
}

/// Where a path leads in a tree.
enum Resolved {
    Tree(ObjectId),
    Blob(ObjectId),
}

/// The tree of one commit as a read-only [`FileSystem`], mounted at a path
/// (normally the working tree's root, so that paths match the checkout's).
/// Symlinks inside the tree are followed; anything outside the mount, and
/// submodules, do not exist.
#[derive(Clone)]
pub struct GitTreeFs {
    shared: Arc<Shared>,
    root: ObjectId,
    mount: PathBuf,
}

impl std::fmt::Debug for GitTreeFs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitTreeFs")
            .field("tree", &self.root.to_string())
            .field("mount", &self.mount)
            .finish_non_exhaustive()
    }
}

/// Symlink hops before giving up (Linux's limit).
const MAX_LINKS: usize = 40;

fn not_found(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::NotFound,
        format!("{}: no such file or directory", path.display()),
    )
}

impl GitTreeFs {
    /// Walks `path` through the tree, following symlinks. Returns where it
    /// leads and the resolved components.
    fn resolve(&self, path: &Path) -> io::Result<(Resolved, Vec<Vec<u8>>)> {
        let p = normalize(path);
        let rel = p.strip_prefix(&self.mount).map_err(|_| not_found(path))?;
        let mut pending: std::collections::VecDeque<Vec<u8>> =
            git_components(rel).ok_or_else(|| not_found(path))?.into();
        let mut state = self.shared.lock();
        let mut done: Vec<Vec<u8>> = Vec::new();
        let mut trees: Vec<ObjectId> = vec![self.root];
        let mut hops = 0;
        while let Some(name) = pending.pop_front() {
            match name.as_slice() {
                b"" | b"." => continue,
                b".." => {
                    if done.pop().is_none() {
                        return Err(not_found(path));
                    }
                    trees.pop();
                    continue;
                }
                _ => {}
            }
            let current = *trees.last().ok_or_else(|| not_found(path))?;
            let entries = state.tree(current)?;
            let entry = find(&entries, &name).ok_or_else(|| not_found(path))?;
            match entry.kind {
                Kind::Tree => {
                    done.push(name);
                    trees.push(entry.oid);
                }
                Kind::Blob if pending.is_empty() => {
                    done.push(name);
                    return Ok((Resolved::Blob(entry.oid), done));
                }
                Kind::Link => {
                    hops += 1;
                    if hops > MAX_LINKS {
                        return Err(io::Error::other(format!(
                            "{}: too many levels of symbolic links",
                            path.display()
                        )));
                    }
                    let target = state.blob(entry.oid)?;
                    if target.starts_with(b"/") {
                        // Outside the repository: not part of this tree.
                        return Err(not_found(path));
                    }
                    for part in target.split(|b| *b == b'/').rev() {
                        pending.push_front(part.to_vec());
                    }
                }
                Kind::Blob | Kind::Submodule => return Err(not_found(path)),
            }
        }
        let tree = *trees.last().ok_or_else(|| not_found(path))?;
        Ok((Resolved::Tree(tree), done))
    }

    fn to_path(&self, components: &[Vec<u8>]) -> PathBuf {
        let mut out = self.mount.clone();
        for c in components {
            out.push(gix::path::from_bstr(BStr::new(c)));
        }
        out
    }
}

impl FileSystem for GitTreeFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        match self.resolve(path)? {
            (Resolved::Blob(oid), _) => self.shared.lock().blob(oid),
            _ => Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                format!("{}: is a directory", path.display()),
            )),
        }
    }
    fn is_dir(&self, path: &Path) -> bool {
        matches!(self.resolve(path), Ok((Resolved::Tree(_), _)))
    }
    fn is_file(&self, path: &Path) -> bool {
        matches!(self.resolve(path), Ok((Resolved::Blob(_), _)))
    }
    fn file_len(&self, path: &Path) -> io::Result<u64> {
        match self.resolve(path)? {
            (Resolved::Blob(oid), _) => self
                .shared
                .lock()
                .repo
                .find_header(oid)
                .map(|h| h.size())
                .map_err(io::Error::other),
            _ => Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                format!("{}: is a directory", path.display()),
            )),
        }
    }
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        let (_, components) = self.resolve(path)?;
        Ok(self.to_path(&components))
    }
    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        let tree = match self.resolve(path)? {
            (Resolved::Tree(t), _) => t,
            _ => {
                return Err(io::Error::new(
                    io::ErrorKind::NotADirectory,
                    format!("{}: not a directory", path.display()),
                ))
            }
        };
        let entries = self.shared.lock().tree(tree)?;
        let base = normalize(path);
        Ok(entries
            .iter()
            .filter(|e| e.kind != Kind::Submodule)
            .map(|e| base.join(gix::path::from_bstr(BStr::new(&e.name))))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use gix::objs::tree::{Entry as TreeEntry, EntryKind};

    use super::*;

    /// A repository in a temporary directory, removed when dropped.
    struct TempRepo {
        dir: PathBuf,
        repo: gix::Repository,
        time: i64,
    }

    static NEXT: AtomicUsize = AtomicUsize::new(0);

    enum Node {
        File(EntryKind, Vec<u8>),
        Dir(BTreeMap<String, Node>),
    }

    impl TempRepo {
        fn new() -> TempRepo {
            let dir = std::env::temp_dir().join(format!(
                "cnpg-dr-gitfs-{}-{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::SeqCst)
            ));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            let repo = gix::init(&dir).unwrap();
            TempRepo {
                dir,
                repo,
                time: 1_700_000_000,
            }
        }

        fn write(&self, node: &BTreeMap<String, Node>) -> ObjectId {
            let mut tree = gix::objs::Tree::empty();
            for (name, child) in node {
                let (mode, oid) = match child {
                    Node::File(kind, bytes) => (
                        (*kind).into(),
                        self.repo.write_blob(bytes).unwrap().detach(),
                    ),
                    Node::Dir(children) => (EntryKind::Tree.into(), self.write(children)),
                };
                tree.entries.push(TreeEntry {
                    mode,
                    filename: name.as_str().into(),
                    oid,
                });
            }
            tree.entries.sort();
            self.repo.write_object(&tree).unwrap().detach()
        }

        /// Commits exactly these files (`path`, kind, content) on HEAD.
        fn commit(&mut self, message: &str, files: &[(&str, EntryKind, &str)]) -> ObjectId {
            let mut root = BTreeMap::new();
            for (path, kind, content) in files {
                let parts: Vec<&str> = path.split('/').collect();
                let mut node = &mut root;
                for dir in &parts[..parts.len() - 1] {
                    let entry = node
                        .entry(dir.to_string())
                        .or_insert_with(|| Node::Dir(BTreeMap::new()));
                    let Node::Dir(children) = entry else {
                        panic!("{path}: a file is in the way")
                    };
                    node = children;
                }
                node.insert(
                    parts[parts.len() - 1].to_string(),
                    Node::File(*kind, content.as_bytes().to_vec()),
                );
            }
            let tree = self.write(&root);
            self.time += 60;
            let time = format!("{} +0000", self.time);
            let sig = gix::actor::SignatureRef {
                name: "Test".into(),
                email: "test@example.invalid".into(),
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
                .detach()
        }

        fn git(&self) -> GitRepository {
            GitRepository::discover(&self.dir).unwrap()
        }
    }

    impl Drop for TempRepo {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    const B: EntryKind = EntryKind::Blob;
    const L: EntryKind = EntryKind::Link;

    fn sample() -> (TempRepo, GitTreeFs) {
        let mut t = TempRepo::new();
        t.commit(
            "files, a symlinked directory and a symlinked file",
            &[
                ("db/kustomization.yaml", B, "resources:\n  - base\n"),
                ("db/base/cluster.yaml", B, "kind: Cluster\n"),
                ("db/base/z.yaml", B, "z\n"),
                ("db/shared", L, "../shared"),
                ("db/base/link.yaml", L, "cluster.yaml"),
                ("db/escape", L, "/etc"),
                ("db/loop", L, "loop"),
                ("shared/component.yaml", B, "kind: Component\n"),
            ],
        );
        let git = t.git();
        let head = git.resolve("HEAD").unwrap();
        let fs = git.tree_fs_at(&head, Path::new("/repo"));
        (t, fs)
    }

    #[test]
    fn reads_files_and_their_sizes() {
        let (_t, fs) = sample();
        assert_eq!(
            fs.read(Path::new("/repo/db/base/cluster.yaml")).unwrap(),
            b"kind: Cluster\n"
        );
        assert_eq!(
            fs.file_len(Path::new("/repo/db/base/cluster.yaml"))
                .unwrap(),
            14
        );
        // `..` and `.` are resolved lexically, symlinks through the tree.
        assert_eq!(
            fs.read(Path::new("/repo/db/base/../base/./link.yaml"))
                .unwrap(),
            b"kind: Cluster\n"
        );
        assert_eq!(
            fs.read(Path::new("/repo/db/shared/component.yaml"))
                .unwrap(),
            b"kind: Component\n"
        );
        let missing = fs.read(Path::new("/repo/db/nope.yaml")).unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
        assert!(fs.read(Path::new("/repo/db/base")).is_err());
        // Outside the mount, outside the repository, or a loop: nothing there.
        assert!(fs
            .read(Path::new("/elsewhere/db/kustomization.yaml"))
            .is_err());
        assert!(fs.read(Path::new("/repo/db/escape/passwd")).is_err());
        assert!(fs.read(Path::new("/repo/db/loop")).is_err());
    }

    #[test]
    fn tells_files_from_directories() {
        let (_t, fs) = sample();
        assert!(fs.is_dir(Path::new("/repo")));
        assert!(fs.is_dir(Path::new("/repo/db/base")));
        assert!(
            fs.is_dir(Path::new("/repo/db/shared")),
            "a symlink to a directory"
        );
        assert!(!fs.is_file(Path::new("/repo/db/base")));
        assert!(fs.is_file(Path::new("/repo/db/base/cluster.yaml")));
        assert!(fs.is_file(Path::new("/repo/db/base/link.yaml")));
        assert!(!fs.is_dir(Path::new("/repo/db/base/cluster.yaml")));
        assert!(!fs.is_file(Path::new("/repo/db/base/cluster.yaml/x")));
        assert!(!fs.is_dir(Path::new("/repo/missing")));
    }

    #[test]
    fn lists_directories_sorted_under_the_given_path() {
        let (_t, fs) = sample();
        assert_eq!(
            fs.read_dir(Path::new("/repo/db/base")).unwrap(),
            [
                PathBuf::from("/repo/db/base/cluster.yaml"),
                PathBuf::from("/repo/db/base/link.yaml"),
                PathBuf::from("/repo/db/base/z.yaml"),
            ]
        );
        assert_eq!(
            fs.read_dir(Path::new("/repo/db/shared")).unwrap(),
            [PathBuf::from("/repo/db/shared/component.yaml")]
        );
        assert_eq!(
            fs.read_dir(Path::new("/repo")).unwrap(),
            [PathBuf::from("/repo/db"), PathBuf::from("/repo/shared")]
        );
        assert!(fs
            .read_dir(Path::new("/repo/db/kustomization.yaml"))
            .is_err());
        assert!(fs.read_dir(Path::new("/repo/none")).is_err());
    }

    #[test]
    fn canonicalizes_through_symlinks() {
        let (_t, fs) = sample();
        assert_eq!(
            fs.canonicalize(Path::new("/repo/db/shared")).unwrap(),
            PathBuf::from("/repo/shared")
        );
        assert_eq!(
            fs.canonicalize(Path::new("/repo/db/base/link.yaml"))
                .unwrap(),
            PathBuf::from("/repo/db/base/cluster.yaml")
        );
        assert_eq!(
            fs.canonicalize(Path::new("/repo/db/./base/..")).unwrap(),
            PathBuf::from("/repo/db")
        );
        assert_eq!(
            fs.canonicalize(Path::new("/repo")).unwrap(),
            PathBuf::from("/repo")
        );
        assert!(fs.canonicalize(Path::new("/repo/db/missing")).is_err());
    }

    #[test]
    fn each_commit_is_its_own_tree() {
        let mut t = TempRepo::new();
        t.commit("one", &[("db/a.yaml", B, "1\n")]);
        t.commit("two", &[("db/a.yaml", B, "2\n"), ("db/b.yaml", B, "b\n")]);
        let git = t.git();
        let one = git.resolve("HEAD~1").unwrap();
        let two = git.resolve("HEAD").unwrap();
        assert_eq!(one.summary, "one");
        assert_eq!(two.short(), &two.id[..7]);
        assert_eq!(git.resolve(&two.id[..10]).unwrap(), two);
        let old = git.tree_fs(&one);
        let new = git.tree_fs(&two);
        let a = git.workdir().join("db/a.yaml");
        assert_eq!(old.read(&a).unwrap(), b"1\n");
        assert_eq!(new.read(&a).unwrap(), b"2\n");
        assert!(!old.is_file(&git.workdir().join("db/b.yaml")));
    }

    #[test]
    fn walks_only_the_commits_that_changed_a_directory() {
        let mut t = TempRepo::new();
        t.commit("db", &[("db/a.yaml", B, "1\n"), ("other/x", B, "1\n")]);
        t.commit("other", &[("db/a.yaml", B, "1\n"), ("other/x", B, "2\n")]);
        t.commit(
            "db again",
            &[("db/a.yaml", B, "2\n"), ("other/x", B, "2\n")],
        );
        t.commit("db gone", &[("other/x", B, "2\n")]);
        t.commit("db back", &[("db/a.yaml", B, "1\n"), ("other/x", B, "2\n")]);
        let git = t.git();
        let head = git.resolve("HEAD").unwrap();
        let touching = git
            .commits_touching(&head, &[PathBuf::from("db"), PathBuf::from("none")])
            .unwrap();
        let summaries: Vec<&str> = touching[0].iter().map(|c| c.summary.as_str()).collect();
        assert_eq!(summaries, ["db", "db again", "db back"]);
        assert!(touching[1].is_empty());
    }

    #[test]
    fn errors_name_the_path_and_the_revision() {
        let t = TempRepo::new();
        let git = t.git();
        // An unborn HEAD and a name that is nothing.
        assert!(matches!(
            git.resolve("HEAD"),
            Err(HistoryError::Revision { .. })
        ));
        let e = git.resolve("no-such-branch").unwrap_err().to_string();
        assert!(e.contains("\"no-such-branch\""), "{e}");
        let outside = std::env::temp_dir().join(format!("cnpg-dr-nogit-{}", std::process::id()));
        std::fs::create_dir_all(&outside).unwrap();
        // The temporary directory may itself sit inside a repository on a
        // developer's machine; only check the error's shape when it does not.
        if let Err(e) = GitRepository::discover(&outside) {
            assert!(matches!(e, HistoryError::NotARepository { .. }));
        }
        let _ = std::fs::remove_dir_all(&outside);
    }
}
