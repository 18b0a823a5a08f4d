//! The only way the core reads files: a small trait with a real and an in-memory implementation.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

/// What the renderer needs from a filesystem.
pub trait FileSystem: Sync {
    /// Reads a whole file.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    /// True when `path` is a directory.
    fn is_dir(&self, path: &Path) -> bool;
    /// True when `path` is a regular file (following symlinks).
    fn is_file(&self, path: &Path) -> bool;
    /// The size of a file in bytes, without reading it.
    fn file_len(&self, path: &Path) -> io::Result<u64>;
    /// Resolves symlinks and `..`; errors when the path does not exist.
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf>;
    /// The entries of a directory, sorted by name.
    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>>;
    /// Whether `path` itself is a symlink (not following it): `None` when the
    /// filesystem cannot tell cheaply. [`CachedFs`] resolves a path that is not
    /// a symlink from its parent's resolution, one `lstat` instead of a
    /// `readlink` per component.
    fn is_symlink(&self, _path: &Path) -> Option<bool> {
        None
    }
    /// True when reads are cached (a [`CachedFs`]): wrapping it again would
    /// only keep a second copy.
    fn caches_reads(&self) -> bool {
        false
    }
    /// The text of every file read so far, when this filesystem keeps it.
    fn sources(&self) -> Option<Sources> {
        None
    }
    /// [`FileSystem::read_dir`], with what each entry is when the listing
    /// tells it without another system call (`d_type` on Linux).
    fn read_dir_kinds(&self, path: &Path) -> io::Result<Vec<(PathBuf, Option<EntryKind>)>> {
        Ok(self
            .read_dir(path)?
            .into_iter()
            .map(|p| (p, None))
            .collect())
    }
}

/// What a directory entry is, as its listing says (symlinks not followed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
    /// A socket, a FIFO, a device: neither a file nor a directory.
    Other,
}

/// The real filesystem.
#[derive(Clone, Copy, Debug, Default)]
pub struct RealFs;

impl FileSystem for RealFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        std::fs::read(path)
    }
    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }
    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }
    fn file_len(&self, path: &Path) -> io::Result<u64> {
        std::fs::metadata(path).map(|m| m.len())
    }
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        std::fs::canonicalize(path)
    }
    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        let mut entries = std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.path()))
            .collect::<io::Result<Vec<_>>>()?;
        entries.sort();
        Ok(entries)
    }
    fn is_symlink(&self, path: &Path) -> Option<bool> {
        Some(path.symlink_metadata().is_ok_and(|m| m.is_symlink()))
    }
    fn read_dir_kinds(&self, path: &Path) -> io::Result<Vec<(PathBuf, Option<EntryKind>)>> {
        let mut entries = std::fs::read_dir(path)?
            .map(|e| {
                e.map(|e| {
                    let kind = e.file_type().ok().map(|t| {
                        if t.is_symlink() {
                            EntryKind::Symlink
                        } else if t.is_dir() {
                            EntryKind::Dir
                        } else if t.is_file() {
                            EntryKind::File
                        } else {
                            EntryKind::Other
                        }
                    });
                    (e.path(), kind)
                })
            })
            .collect::<io::Result<Vec<_>>>()?;
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(entries)
    }
}

/// An `io::Error` kept in a cache (`io::Error` is not `Clone`): its kind and
/// message, which is all that callers show.
#[derive(Clone, Debug)]
struct CachedError(io::ErrorKind, String);

impl CachedError {
    fn of(e: &io::Error) -> Self {
        CachedError(e.kind(), e.to_string())
    }
    fn error(&self) -> io::Error {
        io::Error::new(self.0, self.1.clone())
    }
}

type Memo<K, V> = Mutex<HashMap<K, V>>;

/// Looks `key` up in `memo`, or computes it (without holding the lock, so
/// threads do not wait on each other's I/O) and remembers it.
fn memoized<K: Hash + Eq + Clone, V: Clone>(
    memo: &Memo<K, V>,
    key: &K,
    f: impl FnOnce() -> V,
) -> V {
    if let Some(v) = memo.lock().unwrap_or_else(|e| e.into_inner()).get(key) {
        return v.clone();
    }
    let v = f();
    memo.lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key.clone(), v.clone());
    v
}

/// A filesystem that remembers every answer of the one it wraps, for the
/// length of one command. Linting reads the same tree several times: the walk,
/// two renders per database (active and dormant overlays, sharing the base),
/// the suppression scan; without it a repository of 1,000 databases costs
/// ~100,000 system calls more than it needs. A directory listing also
/// records what each entry is (`d_type`), which spares a `stat` per entry.
/// Files are assumed not to change during the command (a change mid-run
/// would give an inconsistent result either way).
pub struct CachedFs<'a> {
    inner: &'a dyn FileSystem,
    reads: Memo<PathBuf, Result<Arc<[u8]>, CachedError>>,
    files: Memo<PathBuf, bool>,
    dirs: Memo<PathBuf, bool>,
    symlinks: Memo<PathBuf, Option<bool>>,
    lens: Memo<PathBuf, Result<u64, CachedError>>,
    canonical: Memo<PathBuf, Result<PathBuf, CachedError>>,
    listings: Memo<PathBuf, Result<Arc<[PathBuf]>, CachedError>>,
}

impl<'a> CachedFs<'a> {
    pub fn new(inner: &'a dyn FileSystem) -> Self {
        CachedFs {
            inner,
            reads: Memo::default(),
            files: Memo::default(),
            dirs: Memo::default(),
            symlinks: Memo::default(),
            lens: Memo::default(),
            canonical: Memo::default(),
            listings: Memo::default(),
        }
    }

    fn resolve(&self, path: &Path) -> io::Result<PathBuf> {
        // A plain absolute path (no `.` or `..`) that is not a symlink
        // resolves to its parent's resolution joined with its name.
        let plain = path.is_absolute()
            && path.components().all(|c| {
                matches!(
                    c,
                    Component::RootDir | Component::Normal(_) | Component::Prefix(_)
                )
            });
        if let (true, Some(parent), Some(name)) = (plain, path.parent(), path.file_name()) {
            // (A parent that is not a directory: the real error, ENOTDIR.)
            if self.is_symlink(path) == Some(false) && self.is_dir(parent) {
                let parent = self.canonicalize(parent)?;
                return if self.is_file(path) || self.is_dir(path) {
                    Ok(parent.join(name))
                } else {
                    Err(not_found(path))
                };
            }
        }
        self.inner.canonicalize(path)
    }

    /// Remembers what a listing said of its entries.
    fn seed(&self, entries: &[(PathBuf, Option<EntryKind>)]) {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        let mut dirs = self.dirs.lock().unwrap_or_else(|e| e.into_inner());
        let mut links = self.symlinks.lock().unwrap_or_else(|e| e.into_inner());
        for (path, kind) in entries {
            let Some(kind) = kind else { continue };
            links.insert(path.clone(), Some(*kind == EntryKind::Symlink));
            if *kind != EntryKind::Symlink {
                files.insert(path.clone(), *kind == EntryKind::File);
                dirs.insert(path.clone(), *kind == EntryKind::Dir);
            }
        }
    }
}

/// The text of the files a command read, by path: what the spans of the
/// nodes parsed from them point into. Snippets, suppression decisions and
/// span refinements read it, never the disk again, so that a tree checked
/// in memory (an edited view of the files) is shown as it was checked.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    texts: HashMap<PathBuf, Arc<[u8]>>,
}

impl Sources {
    /// The text of `path` as it was read, if it was read and is UTF-8.
    pub fn text(&self, path: &Path) -> Option<&str> {
        std::str::from_utf8(self.texts.get(path)?).ok()
    }

    /// Records a file's text (for callers that read without a [`CachedFs`]).
    pub fn insert(&mut self, path: PathBuf, text: impl Into<Arc<[u8]>>) {
        self.texts.insert(path, text.into());
    }

    /// Adds the texts of `other` (a later read of the same path wins).
    pub fn extend(&mut self, other: &Sources) {
        for (p, t) in &other.texts {
            self.texts.insert(p.clone(), t.clone());
        }
    }

    /// The paths whose text is kept, in no order.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.texts.keys().map(PathBuf::as_path)
    }

    pub fn len(&self) -> usize {
        self.texts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }
}

impl FileSystem for CachedFs<'_> {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        memoized(&self.reads, &path.to_path_buf(), || {
            self.inner
                .read(path)
                .map(Arc::from)
                .map_err(|e| CachedError::of(&e))
        })
        .map(|b| b.to_vec())
        .map_err(|e| e.error())
    }
    fn is_dir(&self, path: &Path) -> bool {
        memoized(&self.dirs, &path.to_path_buf(), || self.inner.is_dir(path))
    }
    fn is_file(&self, path: &Path) -> bool {
        memoized(&self.files, &path.to_path_buf(), || {
            self.inner.is_file(path)
        })
    }
    fn file_len(&self, path: &Path) -> io::Result<u64> {
        memoized(&self.lens, &path.to_path_buf(), || {
            self.inner.file_len(path).map_err(|e| CachedError::of(&e))
        })
        .map_err(|e| e.error())
    }
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        memoized(&self.canonical, &path.to_path_buf(), || {
            self.resolve(path).map_err(|e| CachedError::of(&e))
        })
        .map_err(|e| e.error())
    }
    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        memoized(&self.listings, &path.to_path_buf(), || {
            match self.inner.read_dir_kinds(path) {
                Ok(entries) => {
                    self.seed(&entries);
                    Ok(entries.into_iter().map(|(p, _)| p).collect())
                }
                Err(e) => Err(CachedError::of(&e)),
            }
        })
        .map(|l| l.to_vec())
        .map_err(|e| e.error())
    }
    fn is_symlink(&self, path: &Path) -> Option<bool> {
        memoized(&self.symlinks, &path.to_path_buf(), || {
            self.inner.is_symlink(path)
        })
    }
    fn caches_reads(&self) -> bool {
        true
    }
    /// The text of every file read so far, shared with the cache (no copy).
    fn sources(&self) -> Option<Sources> {
        let reads = self.reads.lock().unwrap_or_else(|e| e.into_inner());
        Some(Sources {
            texts: reads
                .iter()
                .filter_map(|(p, r)| r.as_ref().ok().map(|b| (p.clone(), b.clone())))
                .collect(),
        })
    }
}

/// An in-memory tree of files, for tests and for editors that render unsaved buffers.
/// Paths are absolute-looking (`/repo/db/kustomization.yaml`); directories are implied.
#[derive(Clone, Debug, Default)]
pub struct MemFs {
    files: BTreeMap<PathBuf, Vec<u8>>,
}

impl MemFs {
    pub fn new() -> Self {
        MemFs::default()
    }

    /// Adds (or replaces) a file.
    pub fn insert(&mut self, path: impl Into<PathBuf>, content: impl Into<Vec<u8>>) -> &mut Self {
        self.files.insert(normalize(&path.into()), content.into());
        self
    }
}

/// Lexically removes `.` and `..` components.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// A `/`-separated relative path as Argo CD and discovery compare them:
/// without `./`, empty segments or a trailing `/`; the root itself is the
/// empty string.
pub fn clean_slash_path(path: &str) -> String {
    path.split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect::<Vec<_>>()
        .join("/")
}

fn not_found(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::NotFound,
        format!("{}: no such file or directory", path.display()),
    )
}

impl FileSystem for MemFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.files
            .get(&normalize(path))
            .cloned()
            .ok_or_else(|| not_found(path))
    }
    fn is_dir(&self, path: &Path) -> bool {
        let p = normalize(path);
        self.files.keys().any(|k| k.starts_with(&p) && *k != p)
    }
    fn is_file(&self, path: &Path) -> bool {
        self.files.contains_key(&normalize(path))
    }
    fn file_len(&self, path: &Path) -> io::Result<u64> {
        self.files
            .get(&normalize(path))
            .map(|c| c.len() as u64)
            .ok_or_else(|| not_found(path))
    }
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        let p = normalize(path);
        if self.is_file(&p) || self.is_dir(&p) {
            Ok(p)
        } else {
            Err(not_found(path))
        }
    }
    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        let p = normalize(path);
        let mut out: Vec<PathBuf> = self
            .files
            .keys()
            .filter_map(|k| k.strip_prefix(&p).ok())
            .filter_map(|rest| rest.components().next())
            .map(|c| p.join(c.as_os_str()))
            .collect();
        out.dedup();
        if out.is_empty() && !self.is_dir(&p) {
            return Err(not_found(path));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slash_paths_lose_dots_and_empty_segments() {
        assert_eq!(clean_slash_path("./apps//db/"), "apps/db");
        assert_eq!(clean_slash_path("apps/./db"), "apps/db");
        assert_eq!(clean_slash_path("."), "");
        assert_eq!(clean_slash_path(""), "");
        // `..` is kept: Argo CD does not resolve it either.
        assert_eq!(clean_slash_path("a/../b"), "a/../b");
    }

    /// A scratch directory under the system's temporary directory, removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Scratch {
            let dir =
                std::env::temp_dir().join(format!("cnpg-dr-fs-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Scratch(std::fs::canonicalize(&dir).unwrap())
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[cfg(unix)]
    #[test]
    fn cached_canonicalize_agrees_with_the_real_one_through_symlinks() {
        let s = Scratch::new("canon");
        let root = &s.0;
        std::fs::create_dir_all(root.join("real/base")).unwrap();
        std::fs::write(root.join("real/base/cluster.yaml"), "a: 1\n").unwrap();
        std::os::unix::fs::symlink(root.join("real"), root.join("link")).unwrap();
        std::os::unix::fs::symlink("base/cluster.yaml", root.join("real/rel.yaml")).unwrap();
        // A loop: real/base/up -> real.
        std::os::unix::fs::symlink("..", root.join("real/base/up")).unwrap();
        let cached = CachedFs::new(&RealFs);
        // Listings seed what each entry is; the answers must match a stat.
        for dir in ["", "real", "real/base", "link"] {
            for e in cached.read_dir(&root.join(dir)).unwrap() {
                assert_eq!(cached.is_dir(&e), e.is_dir(), "{}", e.display());
                assert_eq!(cached.is_file(&e), e.is_file(), "{}", e.display());
                assert_eq!(
                    cached.is_symlink(&e),
                    Some(e.is_symlink()),
                    "{}",
                    e.display()
                );
            }
        }
        for p in [
            "real",
            "real/base/cluster.yaml",
            "link/base/cluster.yaml",
            "link/base",
            "real/rel.yaml",
            "link/rel.yaml",
            "real/base/up/base/up/base/cluster.yaml",
            "real/base/../base/cluster.yaml",
        ] {
            let path = root.join(p);
            assert_eq!(
                cached.canonicalize(&path).unwrap(),
                std::fs::canonicalize(&path).unwrap(),
                "{p}"
            );
            // The second answer comes from the cache and is the same.
            assert_eq!(
                cached.canonicalize(&path).unwrap(),
                std::fs::canonicalize(&path).unwrap()
            );
        }
        for p in ["missing", "link/missing.yaml", "real/base/cluster.yaml/x"] {
            let e = cached.canonicalize(&root.join(p)).unwrap_err();
            assert_eq!(
                e.kind(),
                std::fs::canonicalize(root.join(p)).unwrap_err().kind(),
                "{p}"
            );
        }
    }

    #[test]
    fn cached_answers_match_the_inner_filesystem() {
        let mut mem = MemFs::new();
        mem.insert("/r/db/kustomization.yaml", "resources: [base]\n")
            .insert("/r/db/base/cluster.yaml", "kind: Cluster\n");
        let cached = CachedFs::new(&mem);
        for _ in 0..2 {
            assert_eq!(
                cached.read(Path::new("/r/db/base/cluster.yaml")).unwrap(),
                b"kind: Cluster\n"
            );
            assert_eq!(
                cached.read(Path::new("/r/nope.yaml")).unwrap_err().kind(),
                io::ErrorKind::NotFound
            );
            assert!(cached.is_dir(Path::new("/r/db/base")));
            assert!(!cached.is_file(Path::new("/r/db/base")));
            assert_eq!(
                cached
                    .file_len(Path::new("/r/db/kustomization.yaml"))
                    .unwrap(),
                18
            );
            assert!(cached.file_len(Path::new("/r/db/base")).is_err());
            assert_eq!(
                cached.read_dir(Path::new("/r/db")).unwrap(),
                [
                    PathBuf::from("/r/db/base"),
                    PathBuf::from("/r/db/kustomization.yaml")
                ]
            );
            assert_eq!(
                cached
                    .canonicalize(Path::new("/r/db/./base/../base"))
                    .unwrap(),
                PathBuf::from("/r/db/base")
            );
        }
    }
}
