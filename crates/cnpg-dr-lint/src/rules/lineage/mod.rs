//! Lineage rules: which serverName a Cluster writes and which one it restores from.

use crate::rules::Rule;

pub mod write_equals_source;

/// The rules of this group.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![&write_equals_source::WriteEqualsSource]
}
