//! `cnpg-dr`: lint, render and plan CloudNativePG disaster recovery in GitOps repositories.
// The commands work on the real disk (they resolve paths, write atomically,
// generate pages); the library and the rules may not (clippy.toml).
#![allow(clippy::disallowed_methods)]

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, ValueEnum};

mod change;
mod cli;
mod commands;
mod diagnostic;
mod progress;
mod term;

/// clap prints help and usage errors while it parses, before `--color` has
/// a value: the flag is looked up in the raw arguments first, so that those
/// follow it too (its `auto` already honours NO_COLOR and CLICOLOR_FORCE).
fn clap_color(args: &[std::ffi::OsString]) -> clap::ColorChoice {
    let mut words = args.iter().skip(1).map(|a| a.to_string_lossy());
    let mut value = None;
    while let Some(word) = words.next() {
        if word == "--" {
            break;
        }
        if word == "--color" {
            value = words.next().map(|v| v.into_owned());
        } else if let Some(v) = word.strip_prefix("--color=") {
            value = Some(v.to_string());
        }
    }
    match value.and_then(|v| cli::Color::from_str(&v, true).ok()) {
        Some(cli::Color::Always) => clap::ColorChoice::Always,
        Some(cli::Color::Never) => clap::ColorChoice::Never,
        _ => clap::ColorChoice::Auto,
    }
}

/// mimalloc instead of the system allocator: rendering builds millions of
/// small YAML nodes on two threads, and glibc's malloc was a fifth of a
/// large lint's CPU time (docs/performance.md has the numbers).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Transparent huge pages off for this process. With them, each page the
/// allocator touches is a 2 MiB page zeroed whole: linting 1,000 databases
/// peaked at 190-206 MB and took 0.38-1.03 s from run to run; without them,
/// 156-160 MB and 0.42-0.47 s (docs/performance.md).
#[cfg(target_os = "linux")]
fn no_huge_pages() {
    // SAFETY: prctl(PR_SET_THP_DISABLE) takes integers and only sets a flag
    // of this process; if it fails, nothing changes.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(not(target_os = "linux"))]
fn no_huge_pages() {}

fn main() -> ExitCode {
    no_huge_pages();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let matches = cli::Cli::command()
        .color(clap_color(&args))
        .get_matches_from(&args);
    let cli = cli::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
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
        cli::Command::Lineages(args) => commands::lineages::run(&args),
        cli::Command::Plan(args) => commands::plan::run(&args),
        cli::Command::Migrate(args) => commands::migrate::run(&args),
        cli::Command::New(args) => commands::new::run(&args),
        cli::Command::Completions(args) => commands::completions::run(&args),
        cli::Command::Man(args) => commands::man::run(&args),
    }
}
