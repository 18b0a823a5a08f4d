//! `cnpg-dr lint`: find the configuration, lint each path, format.
//! Findings go to stdout; render failures and errors go to stderr.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use cnpg_dr_core::fs::{normalize, FileSystem, RealFs};
use cnpg_dr_core::history::{CommitInfo, GitRepository, HistoryError};
use cnpg_dr_core::schema::SchemaSet;
use cnpg_dr_lint::config::{self, Config, ConfigError, FailOn};
use cnpg_dr_lint::resolve::repository_root;
use cnpg_dr_lint::runner::{self, LintError, NoProgress, Progress};
use cnpg_dr_lint::{output, Finding};

use crate::cli::{self, Format, LintArgs};
use crate::diagnostic::{config_error, display_path, from_render_error};
use crate::progress::Bar;
use crate::term::{self, write_stdout};

fn fail_on(f: cli::FailOn) -> FailOn {
    match f {
        cli::FailOn::Error => FailOn::Error,
        cli::FailOn::Warning => FailOn::Warning,
        cli::FailOn::Info => FailOn::Info,
        cli::FailOn::Never => FailOn::Never,
    }
}

/// The repository root that SARIF locations are relative to: the nearest
/// directory holding `.git` from the current directory up, else the current
/// directory.
fn source_root(cwd: &Path) -> PathBuf {
    repository_root(&RealFs, cwd).unwrap_or_else(|| cwd.to_path_buf())
}

/// Loads (once) the configuration file that applies to a path.
fn config_for(
    cache: &mut BTreeMap<PathBuf, Config>,
    file: Option<PathBuf>,
) -> Result<&Config, ConfigError> {
    let key = file.clone().unwrap_or_default();
    if !cache.contains_key(&key) {
        let config = match &file {
            Some(f) => Config::load(&RealFs, f, &runner::catalogue())?,
            None => Config::default(),
        };
        cache.insert(key.clone(), config);
    }
    Ok(&cache[&key])
}

/// The Git repository holding `target` and the commit `rev` names in it.
fn open_base(target: &Path, rev: &str) -> Result<(GitRepository, CommitInfo), HistoryError> {
    let git = GitRepository::discover(target)?;
    let commit = git.resolve(rev)?;
    Ok((git, commit))
}

/// `color`: whether findings (stdout) are colored, decided by the caller
/// from `--color`, the environment and the terminal.
pub fn run(args: &LintArgs, color: bool) -> ExitCode {
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: cannot read the current directory: {e}");
            return ExitCode::from(2);
        }
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let explicit_config = args.config.as_ref().map(|c| normalize(&cwd.join(c)));
    if let Some(c) = &explicit_config {
        if !RealFs.is_file(c) {
            eprintln!("error: {}: no such configuration file", display_path(c));
            return ExitCode::from(2);
        }
    }
    let schemas = if args.schema_dir.is_empty() {
        None
    } else {
        let dirs: Vec<PathBuf> = args
            .schema_dir
            .iter()
            .map(|d| normalize(&cwd.join(d)))
            .collect();
        match SchemaSet::with_dirs(&RealFs, &dirs) {
            Ok(set) => Some(Arc::new(set)),
            Err(e) => {
                eprintln!("error: --schema-dir: {e}");
                return ExitCode::from(2);
            }
        }
    };
    let show_progress = term::show_progress(
        args.no_progress,
        std::io::stderr().is_terminal(),
        &term::process_env,
    );
    let mut configs = BTreeMap::new();
    let mut findings: Vec<Finding> = Vec::new();
    let mut databases = 0;
    let mut suppressed = 0;
    let mut sources = cnpg_dr_core::fs::Sources::default();
    let mut failing = false;
    for path in &paths {
        let target = normalize(&cwd.join(path));
        if !RealFs.is_dir(&target) && !RealFs.is_file(&target) {
            eprintln!("error: {}: no such file or directory", path.display());
            return ExitCode::from(2);
        }
        let file = explicit_config
            .clone()
            .or_else(|| config::find(&RealFs, &target));
        let mut config = match config_for(&mut configs, file) {
            Ok(c) => c,
            Err(e) => {
                eprint!("{}", config_error(&e));
                return ExitCode::from(2);
            }
        };
        // --load-restrictor wins over the file's loadRestrictor.
        let flagged;
        if let Some(r) = args.load_restrictor {
            let mut with_flag = config.clone();
            with_flag.load_restrictor = Some(r.restrictor());
            flagged = with_flag;
            config = &flagged;
        }
        let base = match &args.base {
            Some(rev) => match open_base(&target, rev) {
                Ok(b) => Some(b),
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            },
            None => None,
        };
        let base = base.as_ref().map(|(git, commit)| runner::Base {
            git,
            spec: args.base.as_deref().unwrap_or_default(),
            commit,
        });
        let bar = show_progress.then(Bar::on_stderr);
        let progress: &dyn Progress = match &bar {
            Some(bar) => bar,
            None => &NoProgress,
        };
        let linted = runner::LintRequest {
            base: base.as_ref(),
            schemas: schemas.clone(),
            strict_schemas: args.strict_schemas,
            progress,
            ..runner::LintRequest::new(&RealFs, &target, config)
        }
        .run();
        if let Some(bar) = &bar {
            bar.clear();
        }
        let report = match linted {
            Ok(r) => r,
            Err(LintError::Yaml(e)) => {
                eprintln!(
                    "error: {}:{}:{}: not valid YAML: {}",
                    display_path(&e.file),
                    e.line,
                    e.column,
                    e.message
                );
                return ExitCode::from(2);
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
        for (dir, e) in &report.failed_roots {
            eprintln!(
                "warning: {} was not linted: it does not render",
                display_path(dir)
            );
            eprintln!("{:?}", miette::Report::new(from_render_error(e)));
        }
        let threshold = args
            .fail_on
            .map(fail_on)
            .or(config.fail_on)
            .unwrap_or(FailOn::Error)
            .threshold();
        if let Some(t) = threshold {
            failing |= report.findings.iter().any(|f| f.severity >= t);
        }
        // "0 database(s)" alone reads like a clean bill of health; say that
        // nothing was linted (stderr, so JSON and SARIF stay parseable).
        if report.databases == 0 && RealFs.is_dir(&target) {
            eprintln!(
                "note: no CloudNativePG database directory found under {}",
                path.display()
            );
        }
        databases += report.databases;
        suppressed += report.suppressed;
        findings.extend(report.findings);
        sources.extend(&report.repository.sources);
        // The rendered repository is no longer needed and the process ends
        // soon: freeing its millions of small nodes one by one would cost
        // more (~5% of a large lint) than leaving them to the exit.
        std::mem::forget(report.repository);
    }
    // Overlapping paths would report a finding twice.
    runner::sort_and_merge(&mut findings);
    let text = match args.format {
        Format::Human => output::human::render_with_suppressed(
            &findings, &sources, &cwd, color, databases, suppressed,
        ),
        Format::Json => output::json::render(&findings, &cwd, databases, suppressed),
        Format::Sarif => output::sarif::render(&findings, &runner::catalogue(), &source_root(&cwd)),
        Format::Github => output::github::render(&findings, &cwd),
    };
    if let Err(e) = write_stdout(text.as_bytes()) {
        eprintln!("error: cannot write the findings: {e}");
        return ExitCode::from(2);
    }
    if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
