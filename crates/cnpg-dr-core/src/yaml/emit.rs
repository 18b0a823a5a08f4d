//! TEMPORARY stand-in, replaced by the real emitter.
use serde_json::Value;

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("yaml: control characters are not allowed")]
pub struct EmitError;

pub fn emit_documents(docs: &[Value]) -> Result<String, EmitError> {
    Ok(docs
        .iter()
        .map(|d| format!("{d}\n"))
        .collect::<Vec<_>>()
        .join("---\n"))
}
