//! What a rule is and what it sees: the [`Rule`] trait, the contexts the
//! runner hands it and the settings that change its conclusions. Every rule
//! file imports from here and from `crate::finding`, never from the registry,
//! so the catalogue has no import circle.

use std::path::Path;

use cnpg_dr_core::cnpg::Cluster;
use cnpg_dr_core::discover::{Database, Repository, Variant};
use cnpg_dr_core::history::{ClusterState, DatabaseHistory, History};
use cnpg_dr_core::lineage::Lineage;
use cnpg_dr_core::yaml::Span;

use crate::finding::{Finding, RuleMeta};

/// Knobs that change what rules conclude.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The CNPG version deprecations are judged against (major, minor).
    pub cnpg_version: (u32, u32),
    /// "Now", in seconds since the Unix epoch (fixed in tests), for time checks.
    pub now_unix: i64,
    /// The schemas objects are checked against (the bundled ones, plus `--schema-dir`).
    pub schemas: std::sync::Arc<cnpg_dr_core::schema::SchemaSet>,
    /// Report objects no schema describes (`--strict-schemas`).
    pub strict_schemas: bool,
    /// How this repository numbers its lineages when not `-v<N>`
    /// (`lineagePattern` in `.cnpg-dr.yaml`).
    pub lineage_pattern: Option<cnpg_dr_core::lineage::LineagePattern>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            cnpg_version: cnpg_dr_core::cnpg::versions::NEWEST,
            now_unix: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64),
            schemas: cnpg_dr_core::schema::SchemaSet::builtin(),
            strict_schemas: false,
            lineage_pattern: None,
        }
    }
}

/// What a rule sees of one database variant (the active render or a dormant overlay).
pub struct VariantContext<'a> {
    pub repo: &'a Repository,
    pub settings: &'a Settings,
    pub database: &'a Database,
    pub variant: &'a Variant,
}

/// What a rule sees of one database (all its variants).
pub struct DatabaseContext<'a> {
    pub repo: &'a Repository,
    pub settings: &'a Settings,
    pub database: &'a Database,
}

/// What a rule sees of the whole repository.
pub struct RepositoryContext<'a> {
    pub repo: &'a Repository,
    pub settings: &'a Settings,
}

/// A finding with no database or overlay attached (repository-level rules).
pub fn repository_finding(
    meta: &'static RuleMeta,
    span: &Span,
    message: impl Into<String>,
) -> Finding {
    Finding::new(meta, span, message)
}

impl VariantContext<'_> {
    /// True when `r`, from outside this render (a loose manifest, another
    /// database's render), is deployed into `namespace`: it names that
    /// namespace, or it names none and lies beside the database directory
    /// (under the same parent), where the GitOps application that deploys the
    /// database deploys it into the same namespace.
    pub fn deployed_into(&self, r: &cnpg_dr_core::kustomize::Resource, namespace: &str) -> bool {
        r.namespace() == namespace
            || (r.namespace().is_empty()
                && self
                    .database
                    .dir
                    .parent()
                    .is_some_and(|parent| r.origin.starts_with(parent)))
    }

    /// The resources outside this render that can serve it: the loose
    /// manifests and the other databases' renders (every variant).
    pub fn elsewhere(&self) -> Vec<&cnpg_dr_core::kustomize::Resource> {
        self.repo
            .loose
            .iter()
            .chain(
                self.repo
                    .databases
                    .iter()
                    .filter(|d| d.dir != self.database.dir)
                    .flat_map(|d| d.variants.iter())
                    .flat_map(|v| v.resources().iter()),
            )
            .collect()
    }

    /// `file:line:col` of a span, relative to the database directory, for messages.
    pub fn at(&self, span: &Span) -> String {
        location(&self.database.dir, span)
    }

    /// A finding about this variant, with the rule's default severity.
    pub fn finding(
        &self,
        meta: &'static RuleMeta,
        span: &Span,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            database: Some(self.database.dir.clone()),
            overlay: self.variant.overlay.as_ref().map(|o| o.name.clone()),
            dormant: self.variant.dormant,
            ..Finding::new(meta, span, message)
        }
    }
}

/// `file:line:col` of a span, the file relative to `dir` when it lies inside.
fn location(dir: &Path, span: &Span) -> String {
    let file = span.file.strip_prefix(dir).unwrap_or(&span.file);
    format!("{}:{}:{}", file.display(), span.line, span.column)
}

/// A rule. Most rules look at one rendered variant of one database; some look
/// at the whole repository (Argo CD objects, kustomization files).
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    /// Called for every variant of every database (in parallel across databases).
    fn check_variant(&self, _ctx: &VariantContext<'_>, _out: &mut Vec<Finding>) {}
    /// Called once per database, after its variants.
    fn check_database(&self, _ctx: &DatabaseContext<'_>, _out: &mut Vec<Finding>) {}
    /// Called once for the repository.
    fn check_repository(&self, _ctx: &RepositoryContext<'_>, _out: &mut Vec<Finding>) {}
    /// Called once per database when linting against a base revision (`lint --base`).
    fn check_history(&self, _ctx: &HistoryContext<'_>, _out: &mut Vec<Finding>) {}
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
        location(&self.database.dir, span)
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
