//! From Argo CD objects to the database directories they deploy.

use std::path::{Path, PathBuf};

use crate::discover::{database_rels, Repository};
use crate::fs::clean_slash_path;
use crate::kustomize::Resource;
use crate::yaml::Node;

use super::template::render_path_template;
use super::views::{Application, ApplicationSet};

/// The paths an Application or ApplicationSet deploys, relative to the
/// repository root. `candidates` are the repository's directories (relative,
/// `/`-separated) that a Git directory generator may produce. Paths whose
/// template cannot be resolved are left out.
pub fn deployed_paths(r: &Resource, candidates: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Some(spec) = Application::from(r).and_then(|a| a.spec()) {
        out.extend(
            spec.source_paths()
                .iter()
                .filter_map(|n| n.as_str())
                .filter(|p| !p.contains("{{"))
                .map(clean_slash_path),
        );
    } else if let Some(set) = ApplicationSet::from(r) {
        let Some(spec) = set.template_spec() else {
            return out;
        };
        let generators = set.git_directories();
        for template in spec.source_paths().iter().filter_map(|n| n.as_str()) {
            if !template.contains("{{") {
                out.push(clean_slash_path(template));
                continue;
            }
            for g in &generators {
                for dir in g.candidates(candidates).filter(|d| g.generates(d)) {
                    if let Some(p) = render_path_template(template, dir, g.path_param_prefix) {
                        out.push(clean_slash_path(&p));
                    }
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The database directories among `databases` that the deployed `paths` cover:
/// a path equal to a database directory or inside it (an app pointing straight
/// at one overlay), or, with `recurse`, a path above it.
pub fn databases_for_paths(
    paths: &[String],
    root: &Path,
    databases: &[PathBuf],
    recurse: bool,
) -> Vec<PathBuf> {
    let rels = database_rels(root, databases);
    databases_for_paths_in(paths, &rels, recurse)
        .into_iter()
        .map(|i| databases[i].clone())
        .collect()
}

/// [`databases_for_paths`] over [`database_rels`]: the indexes of the
/// databases, in their original order. Looks each path's ancestors up and,
/// with `recurse`, the range of directories below it: no pass over every
/// database per path.
pub(crate) fn databases_for_paths_in(
    paths: &[String],
    rels: &[(String, usize)],
    recurse: bool,
) -> Vec<usize> {
    let find = |rel: &str| {
        rels.binary_search_by(|(r, _)| r.as_str().cmp(rel))
            .ok()
            .map(|i| rels[i].1)
    };
    let mut out: Vec<usize> = Vec::new();
    for p in paths {
        // The database is the path, or holds it (an app on one overlay).
        out.extend(find(p));
        let mut at = p.as_str();
        while let Some(i) = at.rfind('/') {
            at = &at[..i];
            out.extend(find(at));
        }
        // With recurse, every database below the path (all of them below the root).
        if recurse {
            let prefix = if p.is_empty() {
                String::new()
            } else {
                format!("{p}/")
            };
            let start = rels.partition_point(|(r, _)| r.as_str() < prefix.as_str());
            out.extend(
                rels[start..]
                    .iter()
                    .take_while(|(r, _)| r.starts_with(&prefix))
                    .map(|(_, i)| *i),
            );
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The database directories of `repo` that an Application or ApplicationSet deploys.
pub fn deployed_databases(r: &Resource, repo: &Repository) -> Vec<PathBuf> {
    let paths = deployed_paths(r, repo.candidate_dirs());
    let recurse = Application::from(r)
        .and_then(|a| a.spec())
        .or_else(|| ApplicationSet::from(r).and_then(|s| s.template_spec()))
        .is_some_and(|s| s.recurses());
    databases_for_paths_in(&paths, repo.database_rels(), recurse)
        .into_iter()
        .map(|i| repo.databases[i].dir.clone())
        .collect()
}

/// Every Application and ApplicationSet of a repository: loose files first,
/// then those rendered into a database's active variant (app-of-apps layouts).
pub fn argo_objects(repo: &Repository) -> Vec<&Resource> {
    repo.loose
        .iter()
        .chain(
            repo.databases
                .iter()
                .flat_map(|d| d.active().resources().iter()),
        )
        .filter(|r| Application::from(r).is_some() || ApplicationSet::from(r).is_some())
        .collect()
}

/// The name of the Application that deploys `dir` (relative to the
/// repository root, `/`-separated): an Application's own name, or the
/// name an ApplicationSet's Git directory generator gives it. None when the
/// template cannot be resolved.
pub fn application_name(r: &Resource, dir: &str) -> Option<String> {
    if let Some(app) = Application::from(r) {
        return Some(app.name().to_string());
    }
    let set = ApplicationSet::from(r)?;
    let template = set
        .resource
        .node
        .get_path(&["spec", "template", "metadata", "name"])
        .and_then(Node::as_str)?;
    if !template.contains("{{") {
        return Some(template.to_string());
    }
    set.git_directories()
        .iter()
        .filter(|g| g.generates(dir))
        .find_map(|g| render_path_template(template, dir, g.path_param_prefix))
}
