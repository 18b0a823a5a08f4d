pub mod fs;
pub mod kustomize;
pub mod yaml;
