//! The rule catalogue: one file per rule, grouped by concern, registered in
//! one table. Ids are stable: never reused, never renumbered.

pub mod backup;
pub mod lineage;

use cnpg_dr_core::discover::{Database, Repository, Variant};
use cnpg_dr_core::yaml::Span;

use crate::finding::{Finding, Severity};

/// A rule's identity and documentation. `doc` is Markdown with the sections
/// *What it checks*, *Why it matters during a recovery*, *Example*, *Fix*,
/// *References*; it feeds `cnpg-dr explain`, `docs/rules/` and SARIF help.
#[derive(Debug)]
pub struct RuleMeta {
    pub id: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// One line: what the rule catches.
    pub summary: &'static str,
    pub doc: &'static str,
}

/// What a rule sees of one database variant (the active render or a dormant overlay).
pub struct VariantContext<'a> {
    pub repo: &'a Repository,
    pub database: &'a Database,
    pub variant: &'a Variant,
}

impl VariantContext<'_> {
    /// `file:line:col` of a span, relative to the database directory, for messages.
    pub fn at(&self, span: &Span) -> String {
        let file = span
            .file
            .strip_prefix(&self.database.dir)
            .unwrap_or(&span.file);
        format!("{}:{}:{}", file.display(), span.line, span.column)
    }

    /// A finding about this variant, with the rule's default severity.
    pub fn finding(
        &self,
        meta: &'static RuleMeta,
        span: &Span,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            rule: meta.id,
            name: meta.name,
            severity: meta.severity,
            message: message.into(),
            span: Some(span.clone()),
            file: None,
            database: Some(self.database.dir.clone()),
            overlay: self.variant.overlay.as_ref().map(|o| o.name.clone()),
            dormant: self.variant.dormant,
            help: None,
        }
    }
}

/// A rule. Most rules look at one rendered variant of one database; some look
/// at the whole repository (Argo CD objects, kustomization files).
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    /// Called for every variant of every database (in parallel across databases).
    fn check_variant(&self, _ctx: &VariantContext<'_>, _out: &mut Vec<Finding>) {}
    /// Called once per database, after its variants.
    fn check_database(&self, _repo: &Repository, _db: &Database, _out: &mut Vec<Finding>) {}
    /// Called once for the repository.
    fn check_repository(&self, _repo: &Repository, _out: &mut Vec<Finding>) {}
}

/// Every rule, in id order.
pub fn registry() -> Vec<&'static dyn Rule> {
    vec![
        &lineage::write_equals_source::WriteEqualsSource,
        &backup::schedule_five_fields::ScheduleFiveFields,
    ]
}

/// The rule with this id or name.
pub fn find(id_or_name: &str) -> Option<&'static dyn Rule> {
    registry()
        .into_iter()
        .find(|r| r.meta().id.eq_ignore_ascii_case(id_or_name) || r.meta().name == id_or_name)
}
