//! cnpg-dr-core: span-aware YAML, a kustomize renderer byte-identical to
//! `kubectl kustomize`, and typed views of CloudNativePG, Barman Cloud and
//! Argo CD objects. A library: no CLI, no processes, no network.

pub mod argocd;
pub mod bucket;
pub mod change;
pub mod cnpg;
pub mod discover;
pub mod edit;
pub mod flux;
pub mod fs;
#[doc(hidden)]
pub mod fuzzing;
pub mod history;
pub mod kustomize;
pub mod layout;
pub mod lineage;
pub mod migrate;
pub mod progress;
pub mod recover;
pub mod scaffold;
pub mod schema;
pub mod suggest;
pub mod time;
pub mod yaml;
