//! JSON 6902 patches applied to node trees. (Being written: see the JSON patch work item.)

use std::path::Path;
use std::sync::Arc;

use super::error::{RenderError, RenderErrorKind, Result};
use crate::yaml::Node;

/// One parsed operation.
#[derive(Clone, Debug)]
pub struct Op {
    pub node: Node,
}

/// Parses an operations document (a YAML or JSON list), typed with YAML 1.1 rules.
pub fn parse_ops(text: &str, file: Arc<Path>) -> Result<Vec<Op>> {
    let _ = (text, file);
    Err(RenderError::new(
        RenderErrorKind::Patch,
        "JSON 6902 patches are not implemented yet",
    ))
}

/// Applies operations in order to a resource.
pub fn apply(target: &mut Node, ops: &[Op]) -> Result<()> {
    let _ = (target, ops);
    Err(RenderError::new(
        RenderErrorKind::Patch,
        "JSON 6902 patches are not implemented yet",
    ))
}
