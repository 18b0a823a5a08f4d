//! One module per subcommand.

pub mod explain;
pub mod lint;
pub mod new;
pub mod render;
pub mod rules;
pub mod status;
