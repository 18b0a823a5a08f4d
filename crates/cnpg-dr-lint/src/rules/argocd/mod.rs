//! Argo CD rules: Applications and ApplicationSets committed next to the
//! databases, and what they do to a recovery.

use std::path::PathBuf;

use cnpg_dr_core::argocd::{deployed_databases, AppSpec, Application, ApplicationSet};
use cnpg_dr_core::discover::Repository;
use cnpg_dr_core::kustomize::Resource;

pub mod ignores_bootstrap;
pub mod preserves_skip_reconcile;
pub mod skip_reconcile;

/// An Application or ApplicationSet with what the rules need to say about it.
pub(crate) struct ArgoObject<'a> {
    pub resource: &'a Resource,
    /// The Application's spec, or the ApplicationSet's template spec.
    pub spec: Option<AppSpec<'a>>,
    pub set: Option<ApplicationSet<'a>>,
    /// The database directories it deploys (absolute, as discovered).
    pub databases: Vec<PathBuf>,
}

impl ArgoObject<'_> {
    /// "Application gitea" or "ApplicationSet databases (template)".
    pub fn words(&self) -> String {
        if self.set.is_some() {
            format!("ApplicationSet {}", self.resource.name())
        } else {
            format!("Application {}", self.resource.name())
        }
    }

    /// ", which deploys a, b" (empty when the mapping found no database).
    pub fn deploys(&self, repo: &Repository) -> String {
        if self.databases.is_empty() {
            return String::new();
        }
        let names: Vec<String> = self
            .databases
            .iter()
            .map(|d| {
                d.strip_prefix(&repo.root)
                    .map(|p| p.to_string_lossy().replace('\\', "/"))
                    .ok()
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| ".".to_string())
            })
            .collect();
        let noun = if names.len() == 1 {
            "database"
        } else {
            "databases"
        };
        format!(" (it deploys the {noun} {})", names.join(", "))
    }
}

/// Every Application and ApplicationSet of the repository, mapped to its databases.
pub(crate) fn argo_objects(repo: &Repository) -> Vec<ArgoObject<'_>> {
    cnpg_dr_core::argocd::argo_objects(repo)
        .into_iter()
        .map(|r| {
            let set = ApplicationSet::from(r);
            let spec = match set {
                Some(s) => s.template_spec(),
                None => Application::from(r).and_then(|a| a.spec()),
            };
            ArgoObject {
                resource: r,
                spec,
                set,
                databases: deployed_databases(r, repo),
            }
        })
        .collect()
}

/// Go's `strconv.ParseBool` true values (how Argo CD reads boolean annotations).
pub(crate) fn go_true(s: &str) -> bool {
    matches!(s, "1" | "t" | "T" | "true" | "TRUE" | "True")
}
