//! configMapGenerator and secretGenerator, with kustomize's content hash.
//! (Being written: see the generator work item.)

use std::path::Path;

use super::error::{RenderError, RenderErrorKind, Result};
use super::kustomization::{GeneratorEntry, GeneratorOptions};
use crate::fs::FileSystem;
use crate::yaml::Node;

/// Which generator produced an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GeneratorKind {
    ConfigMap,
    Secret,
}

/// Builds the object one generator entry describes. `dir` is the kustomization
/// directory (files are read relative to it and must stay inside it).
pub fn generate(
    kind: GeneratorKind,
    entry: &GeneratorEntry,
    defaults: Option<&GeneratorOptions>,
    dir: &Path,
    fs: &dyn FileSystem,
) -> Result<Node> {
    let _ = (kind, defaults, dir, fs);
    Err(RenderError::new(
        RenderErrorKind::Generator,
        "generators are not implemented yet",
    )
    .at(&entry.span))
}

/// True when the generated object gets a content-hash name suffix.
pub fn wants_hash(entry: &GeneratorEntry, defaults: Option<&GeneratorOptions>) -> bool {
    let per = entry
        .options
        .as_ref()
        .and_then(|o| o.disable_name_suffix_hash);
    let global = defaults.and_then(|o| o.disable_name_suffix_hash);
    !per.or(global).unwrap_or(false)
}

/// The 10-character content hash kustomize appends to generated names.
pub fn name_hash(node: &Node) -> Result<String> {
    Err(RenderError::new(
        RenderErrorKind::Generator,
        "generator hash is not implemented yet",
    )
    .at(&node.span))
}

/// Merges a generated object into an existing one (`behavior: merge`).
pub fn merge_into(existing: &mut Node, generated: &Node) -> Result<()> {
    let _ = existing;
    Err(RenderError::new(
        RenderErrorKind::Generator,
        "generator merge is not implemented yet",
    )
    .at(&generated.span))
}
