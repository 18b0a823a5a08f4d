//! cnpg-dr-core: span-aware YAML, a kustomize renderer byte-identical to
//! `kubectl kustomize`, and typed views of CloudNativePG, Barman Cloud and
//! Argo CD objects. A library: no CLI, no processes, no network.

// RenderError carries a span, the include chain and kustomize's warnings. It is
// returned at most once per rendered root, so its size costs nothing that
// matters, while boxing it would make every caller's field access noisier.
#![allow(clippy::result_large_err)]

pub mod cnpg;
pub mod discover;
pub mod fs;
pub mod kustomize;
pub mod layout;
pub mod lineage;
pub mod yaml;
