//! Lineage rules: which serverName a Cluster writes and which one it restores from.

pub mod write_equals_source;
