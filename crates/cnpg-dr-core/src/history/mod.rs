//! Lineages through Git history. A lineage is a property of the history, not
//! of a snapshot: it must only move forward, never be written twice, and move
//! in the same commit as the flip to recovery. This module reads a base
//! revision and the commits that changed each database directory, renders
//! them through [`GitTreeFs`], and keeps what each Cluster wrote and read.

mod git;

use std::path::{Path, PathBuf};

pub use git::{CommitInfo, GitRepository, GitTreeFs, HistoryError};

use crate::cnpg::{BootstrapMethod, Cluster, ObjectStore, Store};
use crate::discover::{Database, Variant};
use crate::fs::FileSystem;
use crate::kustomize::{render, RenderOptions, Resource};
use crate::layout::{kustomization_file, overlays, DrFlag};
use crate::progress::{NoProgress, Phase, Progress};
use crate::yaml::Span;

/// The overlay name that means "restore from a backup".
pub const RECOVERY_OVERLAY: &str = "recovery";

/// An effective serverName and the object-store path it lives under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineageState {
    pub name: String,
    /// The store's `destinationPath` (the ObjectStore's for the plugin), when known.
    pub location: Option<String>,
}

impl LineageState {
    /// Same lineage: same name, in the same place (an unknown place matches any).
    pub fn same_as(&self, other: &LineageState) -> bool {
        self.name == other.name && self.same_place(other)
    }

    /// True unless both locations are known and differ (a move to a new bucket).
    pub fn same_place(&self, other: &LineageState) -> bool {
        match (&self.location, &other.location) {
            (Some(a), Some(b)) => a.trim_end_matches('/') == b.trim_end_matches('/'),
            _ => true,
        }
    }
}

/// What one Cluster writes and reads in one render.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterState {
    pub name: String,
    /// The active overlay of the database directory (`initdb`, `recovery`, ...).
    pub overlay: Option<String>,
    /// True when the Cluster bootstraps from a backup: the active overlay is
    /// `recovery` or the effective bootstrap method is `recovery`.
    pub recovery: bool,
    pub write: Option<LineageState>,
    /// The lineage a recovery reads (only when bootstrapping by recovery).
    pub read: Option<LineageState>,
}

impl ClusterState {
    /// The states of the Clusters of one render.
    pub fn of_render(resources: &[Resource], overlay: Option<&str>) -> Vec<ClusterState> {
        resources
            .iter()
            .filter_map(Cluster::from)
            .map(|c| ClusterState::of(&c, resources, overlay))
            .collect()
    }

    /// The state of one Cluster, with the other resources of its render (its ObjectStores).
    pub fn of(
        cluster: &Cluster<'_>,
        resources: &[Resource],
        overlay: Option<&str>,
    ) -> ClusterState {
        let bootstrap_recovery = cluster.bootstrap() == Some(BootstrapMethod::Recovery);
        let lineage = |name: String, store: &Store| LineageState {
            name,
            location: location(store, resources, cluster.namespace()),
        };
        ClusterState {
            name: cluster.name().to_string(),
            overlay: overlay.map(str::to_string),
            recovery: bootstrap_recovery || overlay == Some(RECOVERY_OVERLAY),
            write: cluster
                .write_lineage()
                .map(|l| lineage(l.name.clone(), &l.store)),
            read: if bootstrap_recovery {
                cluster
                    .read_lineage()
                    .map(|l| lineage(l.name.clone(), &l.store))
            } else {
                None
            },
        }
    }

    /// The states of a discovered database's active render.
    pub fn of_variant(variant: &Variant) -> Vec<ClusterState> {
        ClusterState::of_render(variant.resources(), variant.overlay_name())
    }
}

/// Where a store keeps its lineages: `destinationPath`, looked up in the
/// render's ObjectStore for the plugin.
pub fn location(store: &Store, resources: &[Resource], namespace: &str) -> Option<String> {
    match store {
        Store::Native {
            destination_path, ..
        } => destination_path.clone(),
        Store::Plugin {
            object_store: Some(name),
        } => resources
            .iter()
            .filter_map(ObjectStore::from)
            .find(|o| o.resource.name() == name && o.resource.namespace() == namespace)
            .and_then(|o| o.destination_path())
            .map(str::to_string),
        Store::Plugin { object_store: None } => None,
    }
}

/// A database directory rendered at one commit: its active overlay only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub overlay: Option<String>,
    pub clusters: Vec<ClusterState>,
}

impl Snapshot {
    pub fn cluster(&self, name: &str) -> Option<&ClusterState> {
        self.clusters.iter().find(|c| c.name == name)
    }
}

/// Renders the database directory `dir` as the flag stands (the active
/// overlay only). None when `dir` has no kustomization, does not render, or
/// renders no Cluster.
pub fn snapshot(fs: &dyn FileSystem, dir: &Path, options: &RenderOptions) -> Option<Snapshot> {
    let file = kustomization_file(fs, dir)?;
    let text = String::from_utf8_lossy(&fs.read(&file).ok()?).into_owned();
    let flag = DrFlag::parse(&file, &text);
    let overlay = overlays(fs, dir, &flag)
        .into_iter()
        .find(|o| o.active)
        .map(|o| o.name);
    let rendered = render(fs, dir, options).ok()?;
    let clusters = ClusterState::of_render(&rendered.resources, overlay.as_deref());
    (!clusters.is_empty()).then_some(Snapshot { overlay, clusters })
}

/// A lineage that a Cluster of the directory wrote in some commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub lineage: LineageState,
    /// The Cluster that wrote it.
    pub cluster: String,
    /// The oldest commit whose render writes it.
    pub first: CommitInfo,
    /// The newest commit whose render writes it.
    pub last: CommitInfo,
}

/// One database directory through the history of the base revision.
#[derive(Clone, Debug, Default)]
pub struct DatabaseHistory {
    /// The directory, relative to the working tree's root.
    pub dir: PathBuf,
    /// The directory at the base revision; None when it was no database there.
    pub base: Option<Snapshot>,
    /// Every lineage written in the history of the base revision, in the
    /// order first written.
    pub written: Vec<Written>,
    /// How many commits changed the directory (and were rendered).
    pub commits_rendered: usize,
}

impl DatabaseHistory {
    /// The first record of `lineage` having been written.
    pub fn written(&self, lineage: &LineageState) -> Option<&Written> {
        self.written.iter().find(|w| w.lineage.same_as(lineage))
    }
}

/// The base revision and the history of every requested database directory.
#[derive(Clone, Debug)]
pub struct History {
    /// The revision as the user named it (`origin/main`).
    pub spec: String,
    pub base: CommitInfo,
    /// The working tree's root, which database directories are relative to.
    pub root: PathBuf,
    pub databases: Vec<DatabaseHistory>,
}

impl History {
    /// The history of a database directory, by its path (absolute under
    /// [`History::root`], or relative to it).
    pub fn database(&self, dir: &Path) -> Option<&DatabaseHistory> {
        let rel = dir.strip_prefix(&self.root).unwrap_or(dir);
        self.databases.iter().find(|d| d.dir == rel)
    }

    /// `origin/main (1a2b3c4)`, or just the short id when that is what the user typed.
    pub fn label(&self) -> String {
        if self.base.id.starts_with(&self.spec) {
            self.base.short().to_string()
        } else {
            format!("{} ({})", self.spec, self.base.short())
        }
    }
}

/// Reads the base revision and the history of `dirs` (relative to the
/// working tree's root): the base render of each, and the lineages written
/// by every commit reachable from the base that changed the directory. Only
/// those commits are rendered; nothing is stored on disk.
pub fn load(
    git: &GitRepository,
    spec: &str,
    base: &CommitInfo,
    dirs: &[PathBuf],
    options: &RenderOptions,
) -> Result<History, HistoryError> {
    load_with_progress(git, spec, base, dirs, options, &NoProgress)
}

/// [`load`], telling `progress` about each commit it renders a directory at.
pub fn load_with_progress(
    git: &GitRepository,
    spec: &str,
    base: &CommitInfo,
    dirs: &[PathBuf],
    options: &RenderOptions,
    progress: &dyn Progress,
) -> Result<History, HistoryError> {
    let root = git.workdir().to_path_buf();
    let base_fs = git.tree_fs(base);
    let touching = git.commits_touching(base, dirs)?;
    progress.start(Phase::History, touching.iter().map(Vec::len).sum());
    let mut databases = Vec::with_capacity(dirs.len());
    for (dir, commits) in dirs.iter().zip(touching) {
        let abs = root.join(dir);
        let mut written: Vec<Written> = Vec::new();
        for commit in &commits {
            progress.item(Phase::History, dir);
            let fs = git.tree_fs(commit);
            let Some(snap) = snapshot(&fs, &abs, options) else {
                continue;
            };
            for cluster in snap.clusters {
                let Some(lineage) = cluster.write else {
                    continue;
                };
                match written
                    .iter_mut()
                    .find(|w| w.lineage == lineage && w.cluster == cluster.name)
                {
                    Some(w) => w.last = commit.clone(),
                    None => written.push(Written {
                        lineage,
                        cluster: cluster.name,
                        first: commit.clone(),
                        last: commit.clone(),
                    }),
                }
            }
        }
        databases.push(DatabaseHistory {
            dir: dir.clone(),
            base: snapshot(&base_fs, &abs, options),
            written,
            commits_rendered: commits.len(),
        });
    }
    Ok(History {
        spec: spec.to_string(),
        base: base.clone(),
        root,
        databases,
    })
}

/// The span of a database's active DR flag line (`- overlays/recovery` in
/// the root kustomization), from its position recorded at parse time.
pub fn flag_line_span(db: &Database) -> Option<Span> {
    db.flag
        .active()
        .next()
        .map(|line| line.span(&db.kustomization))
}
