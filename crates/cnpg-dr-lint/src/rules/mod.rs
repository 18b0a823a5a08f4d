//! The rule catalogue: one file per rule, grouped by concern, registered in
//! one table. Ids are stable: never reused, never renumbered.

pub mod argocd;
pub mod backup;
pub mod bootstrap;
pub mod deprecation;
pub mod history;
pub mod layout;
pub mod lineage;
pub mod recovery;
pub mod schema;
pub mod secrets;

use cnpg_dr_core::discover::{Database, Repository, Variant};
use cnpg_dr_core::yaml::Span;

use crate::finding::{Finding, Severity};

/// A path as a command suggested in a finding must spell it: as discovery
/// reached it, which is relative to the directory cnpg-dr was run in (or
/// absolute when the user gave an absolute path), so the command works when
/// pasted into the same shell. Quoted for a POSIX shell when it needs it.
pub(crate) fn command_path(path: &std::path::Path) -> String {
    let cwd = std::env::current_dir().ok();
    let rel = cwd.as_deref().and_then(|c| relative_to(path, c));
    let shown = rel
        .as_deref()
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/");
    let shown = shown.trim_start_matches("./");
    let shown = if shown.is_empty() { "." } else { shown };
    let plain = shown
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || b"/._-+:@%,=".contains(&c));
    if plain {
        shown.to_string()
    } else {
        format!("'{}'", shown.replace('\'', "'\\''"))
    }
}

/// `path` relative to `dir` (with `..` steps), when both are absolute and
/// share more than the filesystem root; None otherwise.
fn relative_to(path: &std::path::Path, dir: &std::path::Path) -> Option<std::path::PathBuf> {
    use std::path::Component;
    if !path.is_absolute() || !dir.is_absolute() {
        return None;
    }
    let p: Vec<Component> = path.components().collect();
    let d: Vec<Component> = dir.components().collect();
    let common = p.iter().zip(&d).take_while(|(a, b)| a == b).count();
    if common <= 1 {
        return None;
    }
    let mut out = std::path::PathBuf::new();
    for _ in common..d.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c.as_os_str());
    }
    Some(out)
}

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
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            // The newest version the bundled CRDs describe.
            cnpg_version: (1, 30),
            now_unix: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64),
            schemas: cnpg_dr_core::schema::SchemaSet::builtin(),
            strict_schemas: false,
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
            database: Some(self.database.dir.clone()),
            overlay: self.variant.overlay.as_ref().map(|o| o.name.clone()),
            dormant: self.variant.dormant,
            ..Finding::new(meta, span, message)
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
    fn check_database(&self, _ctx: &DatabaseContext<'_>, _out: &mut Vec<Finding>) {}
    /// Called once for the repository.
    fn check_repository(&self, _ctx: &RepositoryContext<'_>, _out: &mut Vec<Finding>) {}
    /// Called once per database when linting against a base revision (`lint --base`).
    fn check_history(&self, _ctx: &history::HistoryContext<'_>, _out: &mut Vec<Finding>) {}
}

/// Every rule, in id order.
pub fn registry() -> Vec<&'static dyn Rule> {
    let mut all: Vec<&'static dyn Rule> = Vec::new();
    all.extend(lineage::rules());
    all.extend(recovery::rules());
    all.extend(bootstrap::rules());
    all.extend(layout::rules());
    all.extend(backup::rules());
    all.extend(secrets::rules());
    all.extend(argocd::rules());
    all.extend(deprecation::rules());
    all.extend(history::rules());
    all.extend(schema::rules());
    all.sort_by_key(|r| r.meta().id);
    all
}

/// The suppression meta-rules (CDR001, CDR002). They have no check: the runner
/// reports them while applying `# cnpg-dr: ignore[...]` comments.
pub fn meta_rules() -> Vec<&'static dyn Rule> {
    crate::suppress::rules()
}

/// The rule with this id or name.
pub fn find(id_or_name: &str) -> Option<&'static dyn Rule> {
    registry()
        .into_iter()
        .find(|r| r.meta().id.eq_ignore_ascii_case(id_or_name) || r.meta().name == id_or_name)
}

#[cfg(test)]
mod command_path_tests {
    use super::command_path;
    use std::path::Path;

    #[test]
    fn paths_are_shown_as_typed_and_quoted_when_needed() {
        assert_eq!(command_path(Path::new("demo/app")), "demo/app");
        assert_eq!(command_path(Path::new("./app")), "app");
        assert_eq!(command_path(Path::new("")), ".");
        assert_eq!(command_path(Path::new("/srv/repo/app")), "/srv/repo/app");
        assert_eq!(command_path(Path::new("my dbs/it's")), "'my dbs/it'\\''s'");
    }

    #[test]
    fn absolute_paths_are_made_relative_to_the_directory_run_in() {
        use super::relative_to;
        let rel = |p: &str, d: &str| relative_to(Path::new(p), Path::new(d));
        assert_eq!(rel("/srv/repo/a/b", "/srv/repo"), Some("a/b".into()));
        assert_eq!(rel("/srv/repo/a", "/srv/repo/c/d"), Some("../../a".into()));
        assert_eq!(rel("/srv/repo", "/srv/repo"), Some("".into()));
        assert_eq!(rel("/srv/repo", "/home/me"), None);
        assert_eq!(rel("repo", "/home/me"), None);
    }
}
