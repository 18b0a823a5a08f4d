//! Span-aware YAML: nodes that remember where they came from, a loader on
//! top of `yaml-rust2`, scalar typing the way Go's YAML libraries do it, and
//! an emitter that prints exactly what `kubectl kustomize` prints.

mod load;
mod node;

pub use load::{load_str, LoadError, LoadLimits};
pub use node::{Mapping, Node, NodeKind, Scalar, ScalarStyle, Span};
