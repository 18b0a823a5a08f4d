//! Layout rules: the base, the overlays, the DR flag and whether they render.

use std::path::Path;
#[cfg(test)]
use std::path::PathBuf;
use std::sync::Arc;

use cnpg_dr_core::discover::{Database, Repository, Variant};
use cnpg_dr_core::fs::normalize;
use cnpg_dr_core::kustomize::{RenderError, KUSTOMIZATION_FILE_NAMES};
use cnpg_dr_core::layout::{FlagLine, Overlay};
use cnpg_dr_core::yaml::{load_str, LoadLimits, Node, Span};

use crate::rules::{Rule, VariantContext};

pub mod base_has_bootstrap;
pub mod dr_flag_invalid;
pub mod overlay_patches_beyond_bootstrap;
pub mod overlay_targets_unknown_cluster;
pub mod render_failed;
pub mod root_not_checked;

/// The rules of this group.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![
        &base_has_bootstrap::BaseHasBootstrap,
        &dr_flag_invalid::DrFlagInvalid,
        &overlay_patches_beyond_bootstrap::OverlayPatchesBeyondBootstrap,
        &overlay_targets_unknown_cluster::OverlayTargetsUnknownCluster,
        &render_failed::RenderFailed,
        &root_not_checked::RootNotChecked,
    ]
}

/// The span of `key` itself in the mapping `parent` (the `recovery:` of
/// `bootstrap:`), for findings about a whole block.
pub fn key_span(parent: Option<&Node>, key: &str) -> Option<Span> {
    parent?
        .as_map()?
        .entries
        .iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .map(|(k, _)| k.span.clone())
}

/// A span reduced to its first character: maps and lists span their whole
/// block, which is noise in a snippet.
pub fn head(span: &Span) -> Span {
    Span {
        end: span.start,
        ..span.clone()
    }
}

/// A span shortened to its first character when it covers several lines
/// (a whole patch document, a block), so the snippet shows one line.
pub fn tight(span: &Span) -> Span {
    let multi_line = std::fs::read_to_string(&span.file)
        .ok()
        .and_then(|t| t.get(span.start..span.end).map(|s| s.contains('\n')))
        .unwrap_or(false);
    if multi_line {
        head(span)
    } else {
        span.clone()
    }
}

/// The `metadata.name` of the YAML document of `span`'s file that holds `span`
/// (where a patch names its target), if the file can be read again.
pub fn patch_name_span(span: &Span) -> Option<Span> {
    let text = std::fs::read_to_string(&span.file).ok()?;
    let docs = load_str(&text, span.file.clone(), &LoadLimits::default()).ok()?;
    let doc = docs
        .iter()
        .filter(|d| d.span.start <= span.start)
        .max_by_key(|d| d.span.start)
        .or_else(|| docs.first())?;
    doc.get_path(&["metadata", "name"]).map(|n| n.span.clone())
}

/// A renderer message with the repository root taken out of the paths it names.
pub fn relative_message(repo: &Repository, text: &str) -> String {
    let root = repo.root.to_string_lossy();
    let prefix = format!("{}/", root.trim_end_matches('/'));
    if root.is_empty() {
        text.to_string()
    } else {
        text.replace(&prefix, "")
    }
}

/// `file:line:col` of a span for messages: relative to the database directory,
/// else to the repository root (a base shared by several databases).
pub fn at(ctx: &VariantContext<'_>, span: &Span) -> String {
    let file = span
        .file
        .strip_prefix(&ctx.database.dir)
        .or_else(|_| span.file.strip_prefix(&ctx.repo.root))
        .unwrap_or(&span.file);
    format!("{}:{}:{}", file.display(), span.line, span.column)
}

/// The overlay of `database` whose directory holds `file`, if any.
pub fn overlay_of<'a>(database: &'a Database, file: &Path) -> Option<&'a Overlay> {
    database
        .overlays
        .iter()
        .filter(|o| file.starts_with(&o.dir))
        .max_by_key(|o| o.dir.components().count())
}

/// The flag lines of the root kustomization that form the DR switch (core
/// discovery keeps only those: other included directories are not part of it).
pub fn overlay_lines(database: &Database) -> Vec<&FlagLine> {
    database.flag.lines.iter().collect()
}

/// The DR overlay a variant renders: a dormant variant's own, or for the active
/// render the overlay of the active switch line (the first active directory
/// line of the root may be another directory, `monitoring` or `argocd`).
pub fn dr_overlay<'a>(database: &'a Database, variant: &'a Variant) -> Option<&'a Overlay> {
    if variant.dormant {
        return variant.overlay.as_ref();
    }
    overlay_lines(database)
        .into_iter()
        .find(|l| l.active)
        .and_then(|line| {
            let dir = normalize(&database.dir.join(&line.entry));
            database.overlays.iter().find(|o| o.dir == dir)
        })
        .or(variant.overlay.as_ref())
}

/// The name of [`dr_overlay`].
pub fn dr_overlay_name<'a>(database: &'a Database, variant: &'a Variant) -> Option<&'a str> {
    dr_overlay(database, variant).map(|o| o.name.as_str())
}

/// A span on a flag line's entry, in the root kustomization file.
pub fn flag_span(database: &Database, line: &FlagLine) -> Span {
    let file: Arc<Path> = Arc::from(database.kustomization.as_path());
    let text = std::fs::read_to_string(&database.kustomization).unwrap_or_default();
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.line.saturating_sub(1) as usize)
        .map(str::len)
        .sum();
    let start = (line_start + line.column.saturating_sub(1) as usize).min(text.len());
    let end = (start + line.entry.len()).min(text.len());
    Span {
        file,
        line: line.line,
        column: line.column,
        start,
        end,
    }
}

/// True when `dir` has a kustomization file (parsed during discovery, or at
/// least present on disk: a broken one is a render failure, not a missing overlay).
pub fn has_kustomization(repo: &Repository, dir: &Path) -> bool {
    repo.has_kustomization_in(dir)
        || KUSTOMIZATION_FILE_NAMES
            .iter()
            .any(|name| dir.join(name).is_file())
}

/// A problem with the DR flag of a database.
pub enum FlagProblem<'a> {
    /// Overlay lines exist, none is active.
    NoneActive(Vec<&'a FlagLine>),
    /// More than one overlay line is active.
    SeveralActive(Vec<&'a FlagLine>),
    /// A flag line names a directory with no kustomization.
    Missing(&'a FlagLine),
}

/// Every problem of the database's DR flag.
pub fn flag_problems<'a>(repo: &Repository, database: &'a Database) -> Vec<FlagProblem<'a>> {
    let lines = overlay_lines(database);
    let mut out = Vec::new();
    if lines.is_empty() {
        return out;
    }
    let active: Vec<&FlagLine> = lines.iter().copied().filter(|l| l.active).collect();
    match active.len() {
        0 => out.push(FlagProblem::NoneActive(lines.clone())),
        1 => {}
        _ => out.push(FlagProblem::SeveralActive(active)),
    }
    for line in lines {
        let dir = normalize(&database.dir.join(&line.entry));
        if !has_kustomization(repo, &dir) {
            out.push(FlagProblem::Missing(line));
        }
    }
    out
}

/// True when a variant's render failure is explained by a DR flag problem
/// (reported by CDR302 instead of CDR305).
pub fn failure_explained_by_flag(
    repo: &Repository,
    database: &Database,
    variant: &Variant,
) -> bool {
    flag_problems(repo, database).iter().any(|p| match p {
        FlagProblem::NoneActive(_) | FlagProblem::SeveralActive(_) => !variant.dormant,
        FlagProblem::Missing(line) => {
            let dir = normalize(&database.dir.join(&line.entry));
            variant.overlay.as_ref().is_some_and(|o| o.dir == dir)
                || (!variant.dormant && line.active)
        }
    })
}

/// The Cluster a failed strategic-merge patch was looking for:
/// `no resource matches strategic merge patch "Cluster.v1.postgresql.cnpg.io/<name>.<ns>"`.
pub fn missing_cluster_target(err: &RenderError) -> Option<String> {
    let (_, rest) = err
        .message
        .split_once("no resource matches strategic merge patch \"")?;
    let id = rest.split('"').next()?;
    let (gvk, name_ns) = id.split_once('/')?;
    if !(gvk.starts_with("Cluster.") && gvk.ends_with(".postgresql.cnpg.io")) {
        return None;
    }
    let name = name_ns.rsplit_once('.').map_or(name_ns, |(n, _)| n);
    Some(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cnpg_dr_core::kustomize::RenderErrorKind;

    fn database(root: &str) -> Database {
        let file = Path::new("/db/kustomization.yaml");
        Database {
            dir: PathBuf::from("/db"),
            kustomization: file.to_path_buf(),
            flag: cnpg_dr_core::layout::DrFlag::parse(file, root),
            overlays: Vec::new(),
            variants: Vec::new(),
        }
    }

    fn entries(db: &Database) -> Vec<(&str, bool)> {
        overlay_lines(db)
            .iter()
            .map(|l| (l.entry.as_str(), l.active))
            .collect()
    }

    #[test]
    fn the_switch_is_the_dr_overlays_not_every_included_directory() {
        let db = database("resources:\n- backups\n- monitoring\n- overlays/initdb\n# - overlays/recovery\n- argocd\n");
        assert_eq!(
            entries(&db),
            [("overlays/initdb", true), ("overlays/recovery", false)]
        );
        let flat = database("resources:\n- argocd\n- initdb\n# - recovery\n");
        assert_eq!(entries(&flat), [("initdb", true), ("recovery", false)]);
        let other_names = database("resources:\n- dr/steady\n# - dr/restore\n- argocd\n");
        assert_eq!(
            entries(&other_names),
            [("dr/steady", true), ("dr/restore", false)]
        );
        assert!(entries(&database("resources:\n- base\n- argocd\n")).is_empty());
    }

    #[test]
    fn reads_the_cluster_a_patch_missed() {
        let err = RenderError::new(
            RenderErrorKind::Patch,
            "no resource matches strategic merge patch \"Cluster.v1.postgresql.cnpg.io/app.db.[noNs]\": no matches for Id Cluster.v1.postgresql.cnpg.io/app.db.[noNs]; failed to find unique target for patch Cluster.v1.postgresql.cnpg.io/app.db.[noNs]",
        );
        assert_eq!(missing_cluster_target(&err).as_deref(), Some("app.db"));
        let other = RenderError::new(
            RenderErrorKind::Patch,
            "no resource matches strategic merge patch \"Deployment.v1.apps/web.[noNs]\": no matches",
        );
        assert_eq!(missing_cluster_target(&other), None);
    }
}
