pub mod argocd;
pub mod cnpg;
pub mod discover;
pub mod fs;
pub mod kustomize;
pub mod layout;
pub mod lineage;
pub mod yaml;
