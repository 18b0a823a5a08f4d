//! Where a command works: the repository root (the nearest directory holding
//! `.git`) and the configuration that applies. Every command resolves
//! through here, so they agree on both.

use std::path::{Path, PathBuf};

use cnpg_dr_core::fs::FileSystem;

use crate::config::{self, Config, ConfigError};

/// True when `dir` holds `.git` (a directory, or a file for a worktree or submodule).
pub fn is_repository_root(fs: &dyn FileSystem, dir: &Path) -> bool {
    let git = dir.join(".git");
    fs.is_dir(&git) || fs.is_file(&git)
}

/// The repository that holds `start`: the nearest of it and its parents
/// holding `.git`.
pub fn repository_root(fs: &dyn FileSystem, start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|d| is_repository_root(fs, d))
        .map(Path::to_path_buf)
}

/// A path resolved for a command.
#[derive(Debug)]
pub struct Resolved {
    /// The repository root, or the path itself (its directory for a file)
    /// outside a repository.
    pub root: PathBuf,
    /// The configuration file that applies, if any.
    pub config_file: Option<PathBuf>,
    pub config: Config,
}

/// Why a path could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("{}: no such configuration file", .0.display())]
    NoConfigFile(PathBuf),
    #[error(transparent)]
    Config(#[from] ConfigError),
}

impl Resolved {
    /// Resolves `path` (absolute): `explicit` (`--config`) when given, else
    /// the `.cnpg-dr.yaml` that applies ([`config::find`]).
    pub fn for_path(
        fs: &dyn FileSystem,
        path: &Path,
        explicit: Option<&Path>,
    ) -> Result<Resolved, ResolveError> {
        let config_file = match explicit {
            Some(f) if !fs.is_file(f) => return Err(ResolveError::NoConfigFile(f.to_path_buf())),
            Some(f) => Some(f.to_path_buf()),
            None => config::find(fs, path),
        };
        let config = match &config_file {
            Some(f) => Config::load(fs, f, &crate::runner::catalogue())?,
            None => Config::default(),
        };
        let dir = if fs.is_dir(path) {
            path
        } else {
            path.parent().unwrap_or(path)
        };
        let root = repository_root(fs, dir).unwrap_or_else(|| dir.to_path_buf());
        Ok(Resolved {
            root,
            config_file,
            config,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cnpg_dr_core::fs::MemFs;

    #[test]
    fn finds_the_repository_and_the_configuration_that_applies() {
        let mut fs = MemFs::new();
        fs.insert("/repo/.git/HEAD", "ref: refs/heads/main\n");
        fs.insert("/repo/.cnpg-dr.yaml", "failOn: warning\n");
        fs.insert("/repo/db/kustomization.yaml", "resources: []\n");
        let r = Resolved::for_path(&fs, Path::new("/repo/db"), None).unwrap();
        assert_eq!(r.root, Path::new("/repo"));
        assert_eq!(
            r.config_file.as_deref(),
            Some(Path::new("/repo/.cnpg-dr.yaml"))
        );
        assert!(r.config.fail_on.is_some());

        let err = Resolved::for_path(&fs, Path::new("/repo/db"), Some(Path::new("/repo/x.yaml")))
            .unwrap_err();
        assert!(matches!(err, ResolveError::NoConfigFile(_)), "{err}");
    }

    #[test]
    fn outside_a_repository_the_path_is_its_own_root() {
        let mut fs = MemFs::new();
        fs.insert("/tmp/db/kustomization.yaml", "resources: []\n");
        let r = Resolved::for_path(&fs, Path::new("/tmp/db/kustomization.yaml"), None).unwrap();
        assert_eq!(r.root, Path::new("/tmp/db"));
        assert!(r.config_file.is_none());
        assert_eq!(repository_root(&fs, Path::new("/tmp/db")), None);
    }
}
