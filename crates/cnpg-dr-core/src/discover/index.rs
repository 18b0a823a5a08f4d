//! Lookups over what discovery found, built on first use: rules ask the same
//! questions for every database, and a scan per question would be quadratic
//! in the repository. The directories a Git directory generator may produce
//! are the repository's own directories, so they are discovery's to list.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::fs::clean_slash_path;

use super::Repository;

/// See [`Repository::index`]. Filled lazily from the other fields, which
/// must not change afterwards.
#[derive(Debug, Default)]
pub struct RepositoryIndex {
    kustomization_dirs: OnceLock<HashSet<PathBuf>>,
    candidate_dirs: OnceLock<Vec<String>>,
    database_rels: OnceLock<Vec<(String, usize)>>,
}

impl Repository {
    /// True when discovery parsed a kustomization file in `dir`.
    pub fn has_kustomization_in(&self, dir: &Path) -> bool {
        self.index
            .kustomization_dirs
            .get_or_init(|| {
                self.kustomizations
                    .iter()
                    .filter_map(|k| k.file.parent().map(Path::to_path_buf))
                    .collect()
            })
            .contains(dir)
    }

    /// Every kustomization and database directory, relative to the root,
    /// sorted: what a Git directory generator may produce.
    pub fn candidate_dirs(&self) -> &[String] {
        self.index
            .candidate_dirs
            .get_or_init(|| compute_candidate_dirs(self))
    }

    /// The database directories relative to the root, sorted, each with its
    /// index in `databases`.
    pub fn database_rels(&self) -> &[(String, usize)] {
        self.index.database_rels.get_or_init(|| {
            let dirs: Vec<PathBuf> = self.databases.iter().map(|d| d.dir.clone()).collect();
            database_rels(&self.root, &dirs)
        })
    }
}

/// The repository's directories a Git directory generator can usefully
/// produce: every kustomization directory and every database directory,
/// relative and sorted (see [`Repository::candidate_dirs`], which keeps them).
fn compute_candidate_dirs(repo: &Repository) -> Vec<String> {
    let mut dirs: Vec<String> = repo
        .kustomizations
        .iter()
        .map(|k| k.dir().to_path_buf())
        .chain(repo.databases.iter().map(|d| d.dir.clone()))
        .filter_map(|d| relative(&d, &repo.root))
        .filter(|d| !d.is_empty())
        .collect();
    dirs.sort();
    dirs.dedup();
    dirs
}

/// The database directories of a repository relative to its root, sorted,
/// with their index in `repo.databases`.
pub(crate) fn database_rels(root: &Path, databases: &[PathBuf]) -> Vec<(String, usize)> {
    let mut rels: Vec<(String, usize)> = databases
        .iter()
        .enumerate()
        .filter_map(|(i, d)| relative(d, root).map(|r| (r, i)))
        .collect();
    rels.sort();
    rels
}

fn relative(dir: &Path, root: &Path) -> Option<String> {
    let rel = dir.strip_prefix(root).ok()?;
    Some(clean_slash_path(&rel.to_string_lossy().replace('\\', "/")))
}
