//! One module per subcommand.

pub mod completions;
pub mod docs;
pub mod explain;
pub mod lineages;
pub mod lint;
pub mod man;
pub mod migrate;
pub mod new;
pub mod plan;
pub mod render;
pub mod rules;
pub mod status;
