//! One module per subcommand.

pub mod docs;
pub mod explain;
pub mod lint;
pub mod migrate;
pub mod new;
pub mod plan;
pub mod render;
pub mod rules;
pub mod status;
