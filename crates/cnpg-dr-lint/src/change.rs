//! What `plan` and `migrate` share around the core's change engines
//! ([`cnpg_dr_core::recover`], [`cnpg_dr_core::migrate`]): finding the
//! database, linting it, showing a change set as a diff, checking the edited
//! tree in memory (it must render, add no lint error and show the intended
//! result), and writing it.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cnpg_dr_core::change::ChangeError;
use cnpg_dr_core::discover::{discover, Database, DiscoverOptions};
use cnpg_dr_core::edit::ChangeSet;
use cnpg_dr_core::fs::{normalize, FileSystem, RealFs};
use cnpg_dr_core::kustomize::KUSTOMIZATION_FILE_NAMES;
use cnpg_dr_lint::config::{self, Config};
use cnpg_dr_lint::resolve::{repository_root, ResolveError, Resolved};
use cnpg_dr_lint::runner::{self, Report};
use cnpg_dr_lint::{Finding, Severity};

use crate::diagnostic::{config_error, from_render_error};

/// A failure that stops a command before anything is written (exit 2).
pub(crate) type Fail = String;

/// The database a command works on, and where it is linted from.
pub(crate) struct Target {
    pub cwd: PathBuf,
    /// The database directory (canonical).
    pub dir: PathBuf,
    /// The repository root (the nearest directory with `.git`), or the
    /// database directory itself outside a repository.
    pub root: PathBuf,
    pub config: Config,
}

fn git_root(from: &Path) -> Option<PathBuf> {
    repository_root(&RealFs, from)
}

/// Finds the database: a directory path, or a name (the directory's name,
/// a Cluster's name or a path relative to the repository) found by
/// discovery under the current repository.
pub(crate) fn resolve(db: &str) -> Result<Target, Fail> {
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    let cwd = std::fs::canonicalize(&cwd).unwrap_or(cwd);
    let mut candidate = normalize(&cwd.join(db));
    // The root kustomization file names its database directory.
    if candidate.is_file()
        && candidate
            .file_name()
            .is_some_and(|n| KUSTOMIZATION_FILE_NAMES.iter().any(|k| n == *k))
    {
        candidate.pop();
    }
    let dir = if candidate.is_dir() {
        std::fs::canonicalize(&candidate).map_err(|e| format!("{db}: {e}"))?
    } else {
        let root = git_root(&cwd).unwrap_or_else(|| cwd.clone());
        let repo = discover(&RealFs, &root, &DiscoverOptions::default());
        let matches: Vec<&Database> = repo
            .databases
            .iter()
            .filter(|d| {
                d.dir.file_name().is_some_and(|n| n == db)
                    || d.dir.strip_prefix(&root).is_ok_and(|r| r == Path::new(db))
                    || d.active().clusters().any(|c| c.name() == db)
            })
            .collect();
        match matches.as_slice() {
            [one] => one.dir.clone(),
            [] => {
                let mut names: Vec<String> = Vec::new();
                for d in &repo.databases {
                    names.extend(d.dir.file_name().map(|n| n.to_string_lossy().into_owned()));
                    names.extend(d.active().clusters().map(|c| c.name().to_string()));
                }
                let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                let hint = match config::did_you_mean(db, &refs) {
                    Some(s) => format!("; did you mean {s}?"),
                    None if refs.is_empty() => String::new(),
                    None => {
                        let mut dirs: Vec<&str> = repo
                            .databases
                            .iter()
                            .filter_map(|d| d.dir.file_name()?.to_str())
                            .collect();
                        dirs.sort_unstable();
                        dirs.dedup();
                        const SHOWN: usize = 10;
                        let more = dirs.len().saturating_sub(SHOWN);
                        let list = dirs[..dirs.len().min(SHOWN)].join(", ");
                        if more > 0 {
                            format!("; databases there include {list} and {more} more (`cnpg-dr status` lists them)")
                        } else {
                            format!("; the databases there are: {list}")
                        }
                    }
                };
                return Err(format!(
                    "{db}: no such directory, and no database directory or Cluster of that name under {}{hint}",
                    shown(&root, &cwd)
                ));
            }
            many => {
                let list: Vec<String> = many.iter().map(|d| shown(&d.dir, &cwd)).collect();
                return Err(format!(
                    "{db} is ambiguous: {}; name the directory",
                    list.join(", ")
                ));
            }
        }
    };
    let root = git_root(&dir).unwrap_or_else(|| dir.clone());
    let config = match Resolved::for_path(&RealFs, &dir, None) {
        Ok(r) => r.config,
        Err(ResolveError::Config(e)) => return Err(config_error(&e).trim_end().to_string()),
        Err(e) => return Err(e.to_string()),
    };
    Ok(Target {
        cwd,
        dir,
        root,
        config,
    })
}

/// A path as shown to the user: relative to the current directory when below it.
pub(crate) fn shown(path: &Path, cwd: &Path) -> String {
    cnpg_dr_lint::output::relative(path, cwd)
}

/// Lints the repository (or the database alone) through `fs`.
pub(crate) fn lint(fs: &dyn FileSystem, t: &Target) -> Result<Report, Fail> {
    runner::lint_path(fs, &t.root, &t.config).map_err(|e| e.to_string())
}

/// The database of `report` at `dir`, with its render failure spelled out.
pub(crate) fn database<'a>(report: &'a Report, t: &Target) -> Result<&'a Database, Fail> {
    if let Some(db) = report.repository.databases.iter().find(|d| d.dir == t.dir) {
        return Ok(db);
    }
    if let Some((_, e)) = report.failed_roots.iter().find(|(d, _)| *d == t.dir) {
        return Err(format!(
            "{} does not render:\n{:?}",
            shown(&t.dir, &t.cwd),
            miette::Report::new(from_render_error(e))
        ));
    }
    Err(format!(
        "{} is not a database directory (a kustomization root that renders a CloudNativePG Cluster, with initdb and recovery overlays)",
        shown(&t.dir, &t.cwd)
    ))
}

/// The unified diff of a change set, paths relative to the current directory.
pub(crate) fn diff(cs: &ChangeSet, cwd: &Path) -> String {
    let mut out = String::new();
    for c in cs.iter() {
        let name = shown(&c.path, cwd);
        let before = c.before.as_deref().unwrap_or("");
        let a = if c.before.is_some() {
            format!("a/{name}")
        } else {
            "/dev/null".to_string()
        };
        let text = similar::TextDiff::from_lines(before, c.after.as_str());
        let mut unified = text.unified_diff();
        out.push_str(
            &unified
                .context_radius(3)
                .header(&a, &format!("b/{name}"))
                .missing_newline_hint(true)
                .to_string(),
        );
    }
    out
}

fn error_counts(findings: &[Finding], cwd: &Path) -> BTreeMap<(String, String), usize> {
    let mut out = BTreeMap::new();
    for f in findings.iter().filter(|f| f.severity == Severity::Error) {
        let file = f.path().map(|p| shown(p, cwd)).unwrap_or_default();
        *out.entry((f.rule.to_string(), file)).or_insert(0) += 1;
    }
    out
}

/// What the edited tree, rendered and linted in memory, says about the change.
pub(crate) struct Checked {
    /// Why the change must not be written (render failures, new errors, broken expectations).
    pub problems: Vec<String>,
    /// Errors present before and after (not caused by the change).
    pub preexisting: usize,
    /// Those of them in the files of this database's recovery overlay, one line each
    /// (`CDR207 at path:line:col: message`): the restore deploys that
    /// overlay, so `plan` refuses to leave them in place.
    pub remaining_in_recovery: Vec<String>,
}

/// Renders and lints the edited tree (in memory, nothing written) and
/// compares with `before`: the database must still render in every
/// overlay, no new error may appear, and `expect` (what the change is meant
/// to achieve, read from the edited render) must hold.
pub(crate) fn check(
    t: &Target,
    before: &Report,
    cs: &ChangeSet,
    expect: &dyn Fn(&Database) -> Vec<String>,
) -> Result<Checked, Fail> {
    let view = cs.view(&RealFs);
    let after = lint(&view, t)?;
    let mut problems = Vec::new();
    let Some(db) = after.repository.databases.iter().find(|d| d.dir == t.dir) else {
        match after.failed_roots.iter().find(|(d, _)| *d == t.dir) {
            Some((_, e)) => problems.push(format!(
                "the edited database does not render: {}",
                e.to_string().trim()
            )),
            None => problems.push("the edited directory is no longer a database".to_string()),
        }
        return Ok(Checked {
            problems,
            preexisting: 0,
            remaining_in_recovery: Vec::new(),
        });
    };
    let rendered_before: BTreeSet<Option<String>> = database(before, t)
        .map(|d| {
            d.variants
                .iter()
                .filter(|v| v.rendered.is_ok())
                .map(|v| v.overlay_name().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    for v in &db.variants {
        if let Err(e) = &v.rendered {
            let name = v.overlay_name().map(str::to_string);
            if rendered_before.contains(&name) {
                problems.push(format!(
                    "the {} overlay no longer renders: {}",
                    name.as_deref().unwrap_or("root"),
                    e.to_string().trim()
                ));
            }
        }
    }
    let old = error_counts(&before.findings, &t.cwd);
    let new = error_counts(&after.findings, &t.cwd);
    let mut preexisting = 0;
    let mut remaining_in_recovery = Vec::new();
    let recovery_dir = db
        .variants
        .iter()
        .filter_map(|v| v.overlay.as_ref())
        .find(|o| o.name == "recovery")
        .map(|o| o.dir.clone());
    let mine = |f: &Finding| {
        f.database.as_deref() == Some(t.dir.as_path())
            || f.path().is_some_and(|p| p.starts_with(&t.dir))
    };
    for f in after
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
    {
        let file = f.path().map(|p| shown(p, &t.cwd)).unwrap_or_default();
        let key = (f.rule.to_string(), file.clone());
        let was = old.get(&key).copied().unwrap_or(0);
        if new.get(&key).copied().unwrap_or(0) > was {
            problems.push(format!(
                "new lint error {} at {}:{}:{}: {}",
                f.rule,
                file,
                f.line(),
                f.column(),
                f.message
            ));
        } else if mine(f) {
            preexisting += 1;
            if recovery_dir
                .as_deref()
                .is_some_and(|d| f.path().is_some_and(|p| p.starts_with(d)))
            {
                remaining_in_recovery.push(format!(
                    "{} at {}:{}:{}: {}",
                    f.rule,
                    file,
                    f.line(),
                    f.column(),
                    f.message
                ));
            }
        }
    }
    problems.extend(expect(db));
    Ok(Checked {
        problems,
        preexisting,
        remaining_in_recovery,
    })
}

/// Prints the check's verdict and writes the change set when asked to and
/// the check passed. Returns the exit code.
pub(crate) fn conclude(
    out: &mut String,
    cs: &ChangeSet,
    checked: &Checked,
    write: bool,
    next_step: &str,
) -> ExitCode {
    if !checked.problems.is_empty() {
        out.push_str("\nCheck FAILED: the edited tree, rendered and linted in memory, shows:\n");
        for p in &checked.problems {
            out.push_str(&format!("  - {p}\n"));
        }
        out.push_str("Nothing was written.\n");
        print(out);
        return ExitCode::from(1);
    }
    out.push_str("\nCheck: the edited tree renders in every overlay and adds no lint error");
    if checked.preexisting > 0 {
        out.push_str(&format!(
            " ({} error(s) in this database were there before: run cnpg-dr lint)",
            checked.preexisting
        ));
    }
    out.push_str(".\n");
    if !write {
        out.push_str(&format!(
            "\nDry run: nothing written. Apply with --write, then {next_step}\n"
        ));
        print(out);
        return ExitCode::SUCCESS;
    }
    match cs.commit() {
        Ok(()) => {
            out.push_str(&format!(
                "\nWrote {} file(s). Next: {next_step}\n",
                cs.len()
            ));
            print(out);
            ExitCode::SUCCESS
        }
        Err(e) => {
            print(out);
            eprintln!("error: writing failed, no file was changed: {e}");
            ExitCode::from(2)
        }
    }
}

pub(crate) fn print(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

pub(crate) fn fail(message: &str) -> ExitCode {
    if message.trim_start().starts_with('×') {
        // Already a rendered diagnostic (a configuration mistake with its line).
        eprintln!("{message}");
    } else {
        eprintln!("error: {message}");
    }
    ExitCode::from(2)
}

/// A core refusal as the user reads it: paths relative to the current directory.
pub(crate) fn refusal(e: ChangeError, cwd: &Path) -> Fail {
    match e {
        ChangeError::Refused { message } => message,
        ChangeError::AtFile {
            file,
            line: Some(line),
            message,
        } => format!("{}:{line}: {message}", shown(&file, cwd)),
        ChangeError::AtFile {
            file,
            line: None,
            message,
        } => format!("{}: {message}", shown(&file, cwd)),
        ChangeError::NotRendered { what, error } => format!(
            "the {what} does not render:\n{:?}",
            miette::Report::new(from_render_error(&error))
        ),
        ChangeError::Edit(e) => format!("{}: {}", shown(&e.file, cwd), e.message),
    }
}
