//! History rules: a lineage is a property of the history, not of a snapshot.
//! They run only with `lint --base REV` and compare each database's working
//! tree with the base revision (matched by directory and Cluster name) and
//! with every lineage the directory wrote in the base's history.

use cnpg_dr_core::cnpg::Cluster;
use cnpg_dr_core::discover::{Database, Repository};
use cnpg_dr_core::history::{ClusterState, CommitInfo, DatabaseHistory, History, LineageState};
use cnpg_dr_core::lineage::Lineage;
use cnpg_dr_core::yaml::Span;

use crate::finding::Finding;
use crate::rules::{Rule, RuleMeta, Settings};

pub mod lineage_moved_backwards;
pub mod lineage_reused;
pub mod recovery_source_stale;
pub mod recovery_without_bump;

/// The rules of this group.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![
        &lineage_moved_backwards::LineageMovedBackwards,
        &lineage_reused::LineageReused,
        &recovery_without_bump::RecoveryWithoutBump,
        &recovery_source_stale::RecoverySourceStale,
    ]
}

/// What a history rule sees of one database: its working-tree render and its past.
pub struct HistoryContext<'a> {
    pub repo: &'a Repository,
    pub settings: &'a Settings,
    /// The database in the working tree.
    pub database: &'a Database,
    /// The base revision.
    pub history: &'a History,
    /// This directory at the base revision and through its history.
    pub past: &'a DatabaseHistory,
    /// The active DR flag line of the working tree's root kustomization.
    pub flag_span: Option<Span>,
}

/// A Cluster of the working tree's active render, with its lineages.
pub struct WorkingCluster<'a> {
    pub cluster: Cluster<'a>,
    pub state: ClusterState,
}

impl<'a> HistoryContext<'a> {
    /// The Clusters of the working tree's active render.
    pub fn clusters(&self) -> Vec<WorkingCluster<'a>> {
        let variant = self.database.active();
        variant
            .clusters()
            .map(|cluster| WorkingCluster {
                state: ClusterState::of(&cluster, variant.resources(), variant.overlay_name()),
                cluster,
            })
            .collect()
    }

    /// The Cluster of the same name at the base revision.
    pub fn base_cluster(&self, name: &str) -> Option<&'a ClusterState> {
        self.past.base.as_ref()?.cluster(name)
    }

    /// `origin/main (1a2b3c4)`.
    pub fn base_label(&self) -> String {
        self.history.label()
    }

    /// `file:line:col` of a span, relative to the database directory, for messages.
    pub fn at(&self, span: &Span) -> String {
        let file = span
            .file
            .strip_prefix(&self.database.dir)
            .unwrap_or(&span.file);
        format!("{}:{}:{}", file.display(), span.line, span.column)
    }

    /// The version after the newest one of `lineage`'s prefix that this
    /// directory ever wrote (or `lineage` itself, or the base's).
    pub fn next_unused(&self, lineage: &str) -> Option<Lineage> {
        let mine = Lineage::parse(lineage)?;
        let written: Vec<Lineage> = self
            .past
            .written
            .iter()
            .filter_map(|w| Lineage::parse(&w.lineage.name))
            .collect();
        Some(cnpg_dr_core::lineage::next_unused(&mine, &written))
    }

    /// A finding about this database's active render, with the rule's default severity.
    pub fn finding(
        &self,
        meta: &'static RuleMeta,
        span: &Span,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            database: Some(self.database.dir.clone()),
            overlay: self.database.active().overlay_name().map(str::to_string),
            dormant: false,
            ..Finding::new(meta, span, message)
        }
    }
}

/// `1a2b3c4 "Bump paperless to v3"`.
pub fn commit_label(commit: &CommitInfo) -> String {
    if commit.summary.is_empty() {
        commit.short().to_string()
    } else {
        format!("{} \"{}\"", commit.short(), commit.summary)
    }
}

/// The two versions when both names are `<prefix>-v<N>` with the same prefix.
pub fn versions(a: &LineageState, b: &LineageState) -> Option<(u64, u64)> {
    let (a, b) = (Lineage::parse(&a.name)?, Lineage::parse(&b.name)?);
    (a.prefix == b.prefix).then_some((a.version, b.version))
}
