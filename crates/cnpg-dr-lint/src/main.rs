//! `cnpg-dr`: lint, render and plan CloudNativePG disaster recovery in GitOps repositories.

// `RenderError` is the core's error type, returned by value on purpose (it is
// built once per failed render); newer clippy flags every closure that passes
// it along.
#![allow(clippy::result_large_err)]

use std::process::ExitCode;

use clap::Parser;

mod cli;
mod commands;
mod diagnostic;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.command {
        cli::Command::Render(args) => commands::render::run(&args),
        cli::Command::Lint(args) => commands::lint::run(&args),
        cli::Command::Rules(args) => commands::rules::run(&args),
        cli::Command::Explain(args) => commands::explain::run(&args),
    }
}
