//! Flux `Kustomization` objects (`kustomize.toolkit.fluxcd.io`) as deployers
//! of database directories, and what Flux does to a render before it applies
//! it: `spec.targetNamespace`, then `spec.postBuild` variable substitution.
//!
//! A Flux Kustomization's `spec.path` is relative to the root of its source
//! (the Git repository); the directory being linted is taken as that root,
//! as for Argo CD. Flux always builds with `LoadRestrictionsNone`, so the
//! paths it deploys are rendered that way.
//!
//! Substitution follows Flux's envsubst: `${var}`, `${var:=default}`,
//! `${var:-default}` and `${var=default}`; `$${var}` is the literal text
//! `${var}`. A variable whose value is not in Git (no default, set by a
//! ConfigMap or Secret that is not committed or is SOPS-encrypted) stays as
//! text: its value is unknown here, and findings on it are dropped by the
//! linter rather than reported against a made-up value.

mod deploy;
mod substitute;
#[cfg(test)]
mod tests;
mod views;

pub use deploy::{deployments, Deployment, Variable};
pub use substitute::{substitute_text, Substituted};
pub use views::{FluxKustomization, SubstituteFrom};

/// The API group of Flux's Kustomization.
pub const FLUX_KUSTOMIZE_GROUP: &str = "kustomize.toolkit.fluxcd.io";
/// The annotation (or label) that turns substitution off for one object.
pub const SUBSTITUTE_ANNOTATION: &str = "kustomize.toolkit.fluxcd.io/substitute";
