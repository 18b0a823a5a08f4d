//! `cnpg-dr status`: one row per rendered Cluster, from Git alone.

use std::process::ExitCode;

use cnpg_dr_core::fs::{normalize, RealFs};
use cnpg_dr_lint::resolve::{ResolveError, Resolved};
use cnpg_dr_lint::{runner, status};

use crate::cli::{StatusArgs, StatusFormat};
use crate::diagnostic::config_error;
use crate::term::write_stdout;

pub fn run(args: &StatusArgs) -> ExitCode {
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: cannot read the current directory: {e}");
            return ExitCode::from(2);
        }
    };
    let root = normalize(&cwd.join(&args.path));
    if !root.is_dir() {
        eprintln!("error: {}: not a directory", args.path.display());
        return ExitCode::from(2);
    }
    let config = match Resolved::for_path(&RealFs, &root, None) {
        Ok(r) => r.config,
        Err(ResolveError::Config(e)) => {
            eprint!("{}", config_error(&e));
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let report = match runner::lint_path(&RealFs, &root, &config) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let rows = status::rows(
        &report.repository,
        &report.failed_roots,
        &report.findings,
        &cwd,
    );
    let broken = rows.iter().filter(|r| r.broken.is_some()).count();
    if rows.is_empty() && args.format == StatusFormat::Table {
        eprintln!(
            "no CloudNativePG database directory found under {}",
            args.path.display()
        );
    }
    let text = match args.format {
        StatusFormat::Table => status::to_table(&rows),
        StatusFormat::Json => status::to_json(&rows),
    };
    match write_stdout(text.as_bytes()) {
        // A database that does not render is the one the SRE must see: the
        // exit code says it too.
        Ok(()) if broken > 0 => ExitCode::from(1),
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write the status: {e}");
            ExitCode::from(2)
        }
    }
}
