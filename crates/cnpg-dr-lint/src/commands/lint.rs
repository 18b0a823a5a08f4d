//! `cnpg-dr lint`: discover, run the catalogue, format.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use cnpg_dr_core::discover::{discover, DiscoverOptions};
use cnpg_dr_core::fs::RealFs;
use cnpg_dr_lint::output;
use cnpg_dr_lint::{registry, runner, Finding, Severity};

use crate::cli::{FailOn, Format, LintArgs};

pub fn run(args: &LintArgs) -> ExitCode {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let base = std::env::current_dir().unwrap_or_default();
    let rules = registry();
    let mut findings: Vec<Finding> = Vec::new();
    let mut databases = 0;
    for path in &paths {
        if !path.is_dir() {
            eprintln!("error: {}: not a directory", path.display());
            return ExitCode::from(2);
        }
        let root = base.join(path);
        let root = cnpg_dr_core::fs::normalize(&root);
        let repo = discover(&RealFs, &root, &DiscoverOptions::default());
        databases += repo.databases.len();
        findings.extend(runner::run(&repo, &rules, &Default::default()));
    }
    let text = match args.format {
        Format::Human => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            output::human::render(&findings, &base, color, databases)
        }
        Format::Json => output::json::render(&findings, &base, databases),
    };
    if std::io::stdout().lock().write_all(text.as_bytes()).is_err() {
        return ExitCode::from(2);
    }
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    match threshold {
        Some(t) if findings.iter().any(|f| f.severity >= t) => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}
