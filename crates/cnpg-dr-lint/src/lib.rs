//! The cnpg-dr rule catalogue and its runner. The `cnpg-dr` binary is a thin
//! layer over this library: parse arguments, discover, run rules, format.

pub mod config;
pub mod docs;
pub mod finding;
pub mod lineages;
pub mod output;
pub mod resolve;
pub mod rules;
pub mod runner;
#[cfg(feature = "live")]
pub mod s3;
pub mod status;
pub mod suppress;

pub use finding::{Finding, Severity};
pub use rules::{registry, Rule, RuleMeta};
