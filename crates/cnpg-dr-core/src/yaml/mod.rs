//! Span-aware YAML: nodes that remember where they came from, a loader on
//! top of `yaml-rust2`, scalar typing the way Go's YAML libraries do it, and
//! an emitter that prints exactly what `kubectl kustomize` prints.

mod builder;
mod emit;
mod load;
mod merge;
mod node;
mod resolve;
mod scalar;
mod source;

pub use emit::{
    emit_document, emit_documents, format_go_float, natural_cmp, natural_less, EmitError,
};
pub use load::{load_bytes, load_str, DuplicateKeys, LoadError, LoadErrorKind, LoadLimits};
pub use node::{
    Mapping, Node, NodeKind, Scalar, ScalarStyle, Span, TAG_BOOL, TAG_FLOAT, TAG_INT, TAG_MAP,
    TAG_NULL, TAG_SEQ, TAG_STR,
};
pub use resolve::{scalar_value, to_json, ExportError, ExportErrorKind, Schema};
pub use scalar::decode_base64;
