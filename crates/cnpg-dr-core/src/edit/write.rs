//! Multi-file changes: an in-memory view for rendering before anything is
//! written, and an all-or-nothing commit (temporary files in the same
//! directory, then renames; on any failure the originals are untouched).

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::YamlFile;
use crate::fs::{normalize, FileSystem};

/// One file's change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub path: PathBuf,
    /// The content the change was computed from; None for a new file.
    pub before: Option<String>,
    pub after: String,
}

/// Files to change together.
#[derive(Clone, Debug, Default)]
pub struct ChangeSet {
    changes: BTreeMap<PathBuf, Change>,
}

/// Why a commit failed. Nothing was changed when this is returned, except
/// in the (reported) case where restoring after a failed rename failed too.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{}: changed on disk since it was read; run the command again", .0.display())]
    Conflict(PathBuf),
    #[error("{}: already exists", .0.display())]
    Exists(PathBuf),
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{}: {source}; and restoring the files already replaced failed too: {restore}", path.display())]
    Partial {
        path: PathBuf,
        source: io::Error,
        restore: String,
    },
}

/// The steps of a commit, so that tests can make one of them fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Writing the temporary file next to this path.
    WriteTemp,
    /// Renaming the temporary file over this path.
    Rename,
}

/// The temporary file next to `path`: `.NAME.cnpg-dr-tmp`. The name is
/// fixed so that a leftover of a killed run is visible and blocks the next
/// one instead of being overwritten silently.
pub fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.cnpg-dr-tmp"))
}

impl ChangeSet {
    pub fn new() -> ChangeSet {
        ChangeSet::default()
    }

    /// Records a change; a change that changes nothing is dropped (and
    /// replaces an earlier change of the same file).
    pub fn set(&mut self, path: &Path, before: Option<String>, after: String) {
        let path = normalize(path);
        let before = match self.changes.remove(&path) {
            Some(earlier) => earlier.before,
            None => before,
        };
        if before.as_deref() == Some(after.as_str()) {
            return;
        }
        self.changes.insert(
            path.clone(),
            Change {
                path,
                before,
                after,
            },
        );
    }

    /// Records an edited file (nothing when it did not change).
    pub fn add(&mut self, file: &YamlFile) {
        self.set(
            file.path(),
            file.original().map(str::to_string),
            file.text().to_string(),
        );
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
    pub fn len(&self) -> usize {
        self.changes.len()
    }
    /// The changes, sorted by path.
    pub fn iter(&self) -> impl Iterator<Item = &Change> {
        self.changes.values()
    }
    /// The new content of a changed file.
    pub fn get(&self, path: &Path) -> Option<&Change> {
        self.changes.get(&normalize(path))
    }

    /// A filesystem that shows these changes over `inner`.
    pub fn view<'a>(&'a self, inner: &'a dyn FileSystem) -> EditedFs<'a> {
        EditedFs {
            inner,
            changes: self,
        }
    }

    /// Writes every change or none: checks that every file still has the
    /// content the change was computed from (and that new files do not
    /// exist), writes every temporary file, then renames them into place.
    /// A failure before the renames removes the temporary files; a failing
    /// rename restores the files already replaced.
    pub fn commit(&self) -> Result<(), WriteError> {
        self.commit_with(&mut |_, _| Ok(()))
    }

    /// [`ChangeSet::commit`] with a hook called before each step (tests make it fail).
    #[allow(clippy::disallowed_methods)] // the atomic writer checks the real disk before it writes
    pub fn commit_with(
        &self,
        hook: &mut dyn FnMut(&Path, Step) -> io::Result<()>,
    ) -> Result<(), WriteError> {
        for c in self.changes.values() {
            match &c.before {
                Some(before) => match std::fs::read(&c.path) {
                    Ok(now) if now == before.as_bytes() => {}
                    Ok(_) => return Err(WriteError::Conflict(c.path.clone())),
                    Err(source) => {
                        return Err(WriteError::Io {
                            path: c.path.clone(),
                            source,
                        })
                    }
                },
                None => {
                    if std::fs::symlink_metadata(&c.path).is_ok() {
                        return Err(WriteError::Exists(c.path.clone()));
                    }
                }
            }
        }
        let mut temps: Vec<PathBuf> = Vec::new();
        let cleanup = |temps: &[PathBuf]| {
            for t in temps {
                let _ = std::fs::remove_file(t);
            }
        };
        for c in self.changes.values() {
            let temp = temp_path(&c.path);
            let written = hook(&c.path, Step::WriteTemp).and_then(|()| {
                write_new(&temp, c.after.as_bytes(), &c.path).inspect_err(|e| {
                    // Our own file, half written: remove it. A file that was
                    // already there (AlreadyExists) is not ours to remove.
                    if e.kind() != io::ErrorKind::AlreadyExists {
                        let _ = std::fs::remove_file(&temp);
                    }
                })
            });
            match written {
                Ok(()) => temps.push(temp),
                Err(source) => {
                    cleanup(&temps);
                    let source = if source.kind() == io::ErrorKind::AlreadyExists {
                        io::Error::new(
                            source.kind(),
                            format!(
                                "{} exists (left by an interrupted run?): remove it and try again",
                                temp.display()
                            ),
                        )
                    } else {
                        source
                    };
                    return Err(WriteError::Io {
                        path: c.path.clone(),
                        source,
                    });
                }
            }
        }
        let changes: Vec<&Change> = self.changes.values().collect();
        for (i, c) in changes.iter().enumerate() {
            let renamed =
                hook(&c.path, Step::Rename).and_then(|()| std::fs::rename(&temps[i], &c.path));
            if let Err(source) = renamed {
                cleanup(&temps[i..]);
                let restore = restore(&changes[..i]);
                return Err(match restore {
                    Ok(()) => WriteError::Io {
                        path: c.path.clone(),
                        source,
                    },
                    Err(restore) => WriteError::Partial {
                        path: c.path.clone(),
                        source,
                        restore,
                    },
                });
            }
        }
        Ok(())
    }
}

/// Puts back the files a failed commit already replaced.
fn restore(done: &[&Change]) -> Result<(), String> {
    let mut failures = Vec::new();
    for c in done {
        let result = match &c.before {
            Some(before) => {
                let temp = temp_path(&c.path);
                write_new(&temp, before.as_bytes(), &c.path)
                    .and_then(|()| std::fs::rename(&temp, &c.path))
                    .inspect_err(|_| {
                        let _ = std::fs::remove_file(&temp);
                    })
            }
            None => std::fs::remove_file(&c.path),
        };
        if let Err(e) = result {
            failures.push(format!("{}: {e}", c.path.display()));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}

/// Creates `temp` (it must not exist), writes and syncs it, with the
/// permissions of `like` when that file exists.
#[allow(clippy::disallowed_methods)] // the atomic writer copies the permissions on disk
fn write_new(temp: &Path, bytes: &[u8], like: &Path) -> io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(temp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    if let Ok(meta) = std::fs::metadata(like) {
        std::fs::set_permissions(temp, meta.permissions())?;
    }
    Ok(())
}

/// A [`FileSystem`] that shows a [`ChangeSet`] over another one: changed
/// files read with their new content, new files exist.
pub struct EditedFs<'a> {
    inner: &'a dyn FileSystem,
    changes: &'a ChangeSet,
}

impl EditedFs<'_> {
    fn changed(&self, path: &Path) -> Option<&Change> {
        self.changes.get(path)
    }
    fn new_files_in(&self, dir: &Path) -> Vec<PathBuf> {
        let dir = normalize(dir);
        self.changes
            .iter()
            .filter(|c| c.before.is_none() && c.path.parent() == Some(dir.as_path()))
            .map(|c| c.path.clone())
            .collect()
    }
}

impl FileSystem for EditedFs<'_> {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        match self.changed(path) {
            Some(c) => Ok(c.after.as_bytes().to_vec()),
            None => self.inner.read(path),
        }
    }
    fn is_dir(&self, path: &Path) -> bool {
        self.inner.is_dir(path)
    }
    fn is_file(&self, path: &Path) -> bool {
        self.changed(path).is_some() || self.inner.is_file(path)
    }
    fn file_len(&self, path: &Path) -> io::Result<u64> {
        match self.changed(path) {
            Some(c) => Ok(c.after.len() as u64),
            None => self.inner.file_len(path),
        }
    }
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        match self.changed(path) {
            Some(c) if c.before.is_none() => {
                let parent = c.path.parent().unwrap_or(Path::new("/"));
                let name = c.path.file_name().unwrap_or_default();
                Ok(self.inner.canonicalize(parent)?.join(name))
            }
            _ => self.inner.canonicalize(path),
        }
    }
    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        let mut entries = self.inner.read_dir(path)?;
        entries.extend(self.new_files_in(path));
        entries.sort();
        entries.dedup();
        Ok(entries)
    }
}
