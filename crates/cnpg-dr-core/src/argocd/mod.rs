//! Typed, read-only views of Argo CD `Application` and `ApplicationSet`
//! objects, and the mapping from them to the database directories they deploy.
//!
//! Paths in Argo CD objects are relative to the root of the Git repository;
//! the mapping treats the directory being linted as that root. An
//! ApplicationSet's template path is resolved against its Git directory
//! generators (also when nested in matrix or merge generators) the way the
//! ApplicationSet controller does it: Go's `path.Match` on each directory,
//! `exclude: true` entries winning over includes, then the template's path
//! parameters substituted. Anything else a template may depend on (list or
//! cluster generators, Git file generators, pipelines) is left unresolved
//! rather than guessed.

mod deploy;
mod path_match;
mod pointer;
mod template;
#[cfg(test)]
mod tests;
mod views;

pub use deploy::{
    application_name, argo_objects, databases_for_paths, deployed_databases, deployed_paths,
};
pub use path_match::path_match;
pub use pointer::{jq_to_pointer, pointers_overlap};
pub use views::{
    AppSpec, Application, ApplicationSet, DirectoryPattern, GitDirectories,
    IgnoreApplicationDifference, IgnoreDifference,
};

/// The Argo CD API group.
pub const ARGO_GROUP: &str = "argoproj.io";
/// The annotation that makes Argo CD stop reconciling an Application.
pub const SKIP_RECONCILE: &str = "argocd.argoproj.io/skip-reconcile";
/// The sync option that makes a sync honour `ignoreDifferences`.
pub const RESPECT_IGNORE_DIFFERENCES: &str = "RespectIgnoreDifferences";
