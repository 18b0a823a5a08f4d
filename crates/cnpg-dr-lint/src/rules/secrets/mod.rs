//! Secrets rules.

use crate::rules::Rule;

/// The rules of this group.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![]
}
