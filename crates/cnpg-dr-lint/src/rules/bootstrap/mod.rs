//! Bootstrap rules: how a Cluster is created.

use crate::rules::Rule;

pub mod multiple_methods;

/// The rules of this group.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![&multiple_methods::MultipleMethods]
}
