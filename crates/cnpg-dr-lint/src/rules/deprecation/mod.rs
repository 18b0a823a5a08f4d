//! Deprecation rules: fields CNPG or kustomize are phasing out, judged against
//! the target CNPG version in the settings.

use cnpg_dr_core::discover::Database;
use cnpg_dr_core::yaml::Node;

pub mod barman_object_store_deprecated;
pub mod kustomize_deprecated_fields;
pub mod pod_monitor_deprecated;
pub mod validation_disabled;

/// How to name a database on the `cnpg-dr` command line: its directory as
/// the user reached it (see [`crate::rules::command_path`]).
pub(crate) fn database_arg(db: &Database) -> String {
    crate::rules::command_path(&db.dir)
}

/// The key node of `key` in a mapping node (to point at `barmanObjectStore:` itself).
pub(crate) fn key_node<'a>(map: &'a Node, key: &str) -> Option<&'a Node> {
    map.as_map()?
        .entries
        .iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .map(|(k, _)| k)
}

/// "1.30", for messages.
pub(crate) fn version_words(v: (u32, u32)) -> String {
    format!("{}.{}", v.0, v.1)
}
