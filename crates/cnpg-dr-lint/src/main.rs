//! `cnpg-dr`: lint, render and plan CloudNativePG disaster recovery in GitOps repositories.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

mod cli;
mod commands;
mod diagnostic;
mod progress;
mod term;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let color = |is_terminal| term::color_enabled(cli.color, is_terminal, &term::process_env);
    // Reports go to stderr; lint's findings to stdout.
    term::install_report_hook(color(std::io::stderr().is_terminal()));
    let stdout_color = color(std::io::stdout().is_terminal());
    match cli.command {
        cli::Command::Render(args) => commands::render::run(&args),
        cli::Command::Lint(args) => commands::lint::run(&args, stdout_color),
        cli::Command::Rules(args) => commands::rules::run(&args),
        cli::Command::Explain(args) => commands::explain::run(&args),
        cli::Command::Status(args) => commands::status::run(&args),
        cli::Command::Docs(args) => commands::docs::run(&args),
        cli::Command::Plan(args) => commands::plan::run(&args),
        cli::Command::Migrate(args) => commands::migrate::run(&args),
        cli::Command::New(args) => commands::new::run(&args),
        cli::Command::Completions(args) => commands::completions::run(&args),
        cli::Command::Man(args) => commands::man::run(&args),
    }
}
