//! Layout rules: the base, the overlays, the DR flag and whether they render.

use std::path::Path;
#[cfg(test)]
use std::path::PathBuf;

use cnpg_dr_core::discover::{Database, Repository, Variant};
use cnpg_dr_core::fs::{normalize, Sources};
use cnpg_dr_core::kustomize::{RenderError, RenderErrorKind, KUSTOMIZATION_FILE_NAMES};
use cnpg_dr_core::layout::FlagLine;
use cnpg_dr_core::yaml::{load_str, LoadLimits, Span};

use crate::finding::{Finding, RuleMeta};
use crate::rules::helpers::{head, overlay_lines};

pub mod base_has_bootstrap;
pub mod dr_flag_invalid;
pub mod overlay_patches_beyond_bootstrap;
pub mod overlay_targets_unknown_cluster;
pub mod render_failed;
pub mod root_not_checked;
pub mod yaml_invalid;

/// A span shortened to its first character when it covers several lines
/// (a whole patch document, a block), so the snippet shows one line. The
/// text is the one the lint read (`sources`), never the disk again.
pub fn tight(sources: &Sources, span: &Span) -> Span {
    let multi_line = sources
        .text(&span.file)
        .and_then(|t| t.get(span.start..span.end).map(|s| s.contains('\n')))
        .unwrap_or(false);
    if multi_line {
        head(span)
    } else {
        span.clone()
    }
}

/// The `metadata.name` of the YAML document of `span`'s file that holds `span`
/// (where a patch names its target), from the text the lint read.
pub fn patch_name_span(sources: &Sources, span: &Span) -> Option<Span> {
    let text = sources.text(&span.file)?;
    let docs = load_str(text, span.file.clone(), &LoadLimits::default()).ok()?;
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

/// True when `dir` has a kustomization file (parsed during discovery, or at
/// least read: a broken one is a render failure, not a missing overlay).
pub fn has_kustomization(repo: &Repository, dir: &Path) -> bool {
    repo.has_kustomization_in(dir)
        || KUSTOMIZATION_FILE_NAMES
            .iter()
            .any(|name| repo.sources.contains(&dir.join(name)))
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

/// A finding about a kustomization root that is not a database.
pub fn root_finding(
    meta: &'static RuleMeta,
    sources: &Sources,
    dir: &Path,
    err: &RenderError,
    message: String,
) -> Finding {
    // The root's kustomization file: the one discovery read.
    let file = KUSTOMIZATION_FILE_NAMES
        .iter()
        .map(|n| dir.join(n))
        .find(|p| sources.contains(p))
        .unwrap_or_else(|| dir.to_path_buf());
    Finding {
        rule: meta.id,
        name: meta.name,
        severity: meta.severity,
        message,
        span: err.span.as_ref().map(|s| tight(sources, s)),
        file: Some(file),
        database: None,
        overlay: None,
        dormant: false,
        help: err.help.clone(),
    }
}

/// True when a render failed only because of what cnpg-dr refuses by design.
pub fn refused(err: &RenderError) -> bool {
    err.kind == RenderErrorKind::Refused
}

#[cfg(test)]
mod tests {
    use super::*;

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
