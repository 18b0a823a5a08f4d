//! `cnpg-dr plan`: the disaster-recovery wizard. It computes the edits of a
//! recovery (or, with `--finish`, of the return to steady state), prints
//! them as a unified diff and the runbook for after the merge, and with
//! `--write` applies them — only after the edited tree, held in memory,
//! renders and lints without new errors.
//!
//! The helpers at the top (finding the database, editing files found
//! through rendered provenance, checking and writing a change set) are
//! shared with `cnpg-dr migrate`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cnpg_dr_core::argocd::{application_name, argo_objects, deployed_databases};
use cnpg_dr_core::cnpg::{BootstrapMethod, Cluster, LineageRef, Store};
use cnpg_dr_core::discover::{discover, Database, DiscoverOptions, Variant};
use cnpg_dr_core::edit::{ChangeSet, NewNode, NodePath, Position, Shape, YamlFile};
use cnpg_dr_core::fs::{normalize, FileSystem, RealFs};
use cnpg_dr_core::kustomize::KUSTOMIZATION_FILE_NAMES;
use cnpg_dr_core::layout::flow_style_resources;
use cnpg_dr_core::lineage::Lineage;
use cnpg_dr_core::yaml::Span;
use cnpg_dr_lint::config::{self, Config};
use cnpg_dr_lint::runner::{self, Report};
use cnpg_dr_lint::{Finding, Severity};

use crate::cli::PlanArgs;
use crate::diagnostic::from_render_error;

// ---------------------------------------------------------------------------
// Shared with `migrate`.
// ---------------------------------------------------------------------------

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
    from.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
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
    let config = match config::find(&RealFs, &dir) {
        Some(file) => Config::load(&RealFs, &file, &runner::catalogue()).map_err(|e| {
            format!(
                "{}:{}:{}: {}",
                shown(&e.file, &cwd),
                e.line,
                e.column,
                e.message
            )
        })?,
        None => Config::default(),
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

/// The one Cluster a variant renders.
pub(crate) fn one_cluster<'a>(v: &'a Variant, what: &str) -> Result<Cluster<'a>, Fail> {
    if let Err(e) = &v.rendered {
        return Err(format!(
            "the {what} does not render:\n{:?}",
            miette::Report::new(from_render_error(e))
        ));
    }
    let clusters: Vec<Cluster<'a>> = v.clusters().collect();
    match clusters.as_slice() {
        [one] => Ok(*one),
        [] => Err(format!("the {what} renders no CloudNativePG Cluster")),
        _ => Err(format!(
            "the {what} renders {} Clusters; cnpg-dr edits one Cluster per database directory",
            clusters.len()
        )),
    }
}

/// The files a command edits, found through the spans of rendered values.
/// Positions are looked up in the text as it was read (the spans refer to
/// it) and the edits apply to the current text.
#[derive(Default)]
pub(crate) struct Files {
    files: BTreeMap<PathBuf, (YamlFile, YamlFile)>,
}

impl Files {
    fn entry(&mut self, path: &Path) -> Result<&mut (YamlFile, YamlFile), Fail> {
        let path = normalize(path);
        if !self.files.contains_key(&path) {
            let f = YamlFile::read(&RealFs, &path).map_err(|e| e.to_string())?;
            self.files.insert(path.clone(), (f.clone(), f));
        }
        self.files
            .get_mut(&path)
            .ok_or_else(|| format!("{}: not loaded", path.display()))
    }

    /// The file and path of the node a rendered value came from.
    pub fn locate(&mut self, span: &Span, shape: Shape) -> Result<(PathBuf, NodePath), Fail> {
        let file = normalize(&span.file);
        let (pristine, _) = self.entry(&file)?;
        let path = pristine.locate(span, shape).ok_or_else(|| {
            format!(
                "{}:{}:{}: the value was not found in the file (generated by kustomize?)",
                file.display(),
                span.line,
                span.column
            )
        })?;
        Ok((file, path))
    }

    /// The file to edit.
    pub fn edit(&mut self, path: &Path) -> Result<&mut YamlFile, Fail> {
        Ok(&mut self.entry(path)?.1)
    }

    /// A file created by the command.
    pub fn create(&mut self, file: YamlFile) {
        self.files
            .insert(normalize(file.path()), (file.clone(), file));
    }

    /// The changed files.
    pub fn changes(&self, cs: &mut ChangeSet) {
        for (_, f) in self.files.values() {
            cs.add(f);
        }
    }
}

/// Sets the scalar a rendered value came from.
pub(crate) fn set_at(files: &mut Files, span: &Span, value: &str) -> Result<(), Fail> {
    let (file, path) = files.locate(span, Shape::Scalar)?;
    files
        .edit(&file)?
        .set_scalar(&path, value)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Inserts a key into the mapping a rendered mapping came from.
pub(crate) fn insert_at(
    files: &mut Files,
    span: &Span,
    key: &str,
    value: &NewNode,
) -> Result<(), Fail> {
    let (file, path) = files.locate(span, Shape::Map)?;
    files
        .edit(&file)?
        .insert_key(&path, key, value, Position::End)
        .map_err(|e| e.to_string())
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
    eprintln!("error: {message}");
    ExitCode::from(2)
}

// ---------------------------------------------------------------------------
// plan
// ---------------------------------------------------------------------------

/// Every lineage the directory's Clusters ever wrote in the Git history of
/// HEAD (read in-process; only commits that touched the directory are
/// rendered), so the next lineage is never one written before, even if the
/// working tree no longer mentions it. Outside a Git repository: none.
fn lineages_from_history(db: &Database) -> Vec<Lineage> {
    use cnpg_dr_core::history::{self, GitRepository};
    let Ok(git) = GitRepository::discover(&db.dir) else {
        return Vec::new();
    };
    let Ok(head) = git.resolve("HEAD") else {
        return Vec::new();
    };
    let Ok(rel) = db.dir.strip_prefix(git.workdir()) else {
        return Vec::new();
    };
    let options = DiscoverOptions::default().render;
    match history::load(&git, "HEAD", &head, &[rel.to_path_buf()], &options) {
        Ok(h) => h
            .databases
            .iter()
            .flat_map(|d| d.written.iter().map(|w| lineage_of(&w.lineage.name)))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Validates `--target-time`: RFC 3339 with an explicit zone (`Z` or `±hh:mm`).
pub(crate) fn valid_target_time(s: &str) -> Result<(), String> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let bad = || {
        format!("--target-time {s:?} is not RFC 3339 with a zone (e.g. 2025-06-01T03:00:00Z or 2025-06-01T05:00:00+02:00)")
    };
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return Err(bad());
    }
    let (Some(year), Some(month), Some(day)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return Err(bad());
    };
    if b[13] != b':' || b[16] != b':' {
        return Err(bad());
    }
    let (Some(h), Some(m), Some(sec)) = (digits(11..13), digits(14..16), digits(17..19)) else {
        return Err(bad());
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if day == 0 || day > days || h > 23 || m > 59 || sec > 60 {
        return Err(bad());
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return Err(bad());
        }
        rest = &frac[n..];
    }
    match rest {
        "Z" | "z" => Ok(()),
        "" => Err(format!(
            "--target-time {s:?} has no time zone: add Z (UTC) or an offset such as +02:00, so the restore does not depend on the server's zone"
        )),
        zone => {
            let zb = zone.as_bytes();
            let ok = zb.len() == 6
                && matches!(zb[0], b'+' | b'-')
                && zb[3] == b':'
                && zone[1..3].parse::<u32>().is_ok_and(|h| h <= 23)
                && zone[4..6].parse::<u32>().is_ok_and(|m| m <= 59)
                && zone[1..3].bytes().chain(zone[4..6].bytes()).all(|c| c.is_ascii_digit());
            if ok {
                Ok(())
            } else {
                Err(bad())
            }
        }
    }
}

fn valid_backup_id(s: &str) -> Result<(), String> {
    if s.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "--backup-id {s:?} is not a backup ID (e.g. 20250601T030000)"
        ));
    }
    Ok(())
}

/// A lineage by name: versioned `<prefix>-vN`, or a bare name (version 0,
/// the CNPG default of an unset serverName).
fn lineage_of(name: &str) -> Lineage {
    Lineage::parse(name).unwrap_or_else(|| Lineage {
        prefix: name.to_string(),
        version: 0,
    })
}

/// Every lineage the database's renders mention: written by what is deployed,
/// read by any variant, or written in the Git history. The write lineage of a
/// dormant overlay is only prepared (`cnpg-dr new` readies the recovery
/// overlay to write v2): it was never written unless the history says so, and
/// skipping it would plan v1 -> v3 where the scaffold promised v1 -> v2.
/// The working tree's lineages, then the Git history's.
fn lineages_seen(db: &Database) -> (Vec<Lineage>, Vec<Lineage>) {
    let mut out = Vec::new();
    for v in &db.variants {
        for c in v.clusters() {
            if !v.dormant {
                out.extend(c.write_lineage().map(|l| lineage_of(&l.name)));
            }
            out.extend(c.read_lineage().map(|l| lineage_of(&l.name)));
        }
    }
    (out, lineages_from_history(db))
}

/// `--from`: `vK`, `K` or the full lineage name.
fn parse_from(from: &str, prefix: &str) -> Result<Lineage, String> {
    let version = from
        .strip_prefix('v')
        .or(Some(from))
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(version) = version {
        return Ok(Lineage {
            prefix: prefix.to_string(),
            version,
        });
    }
    match Lineage::parse(from) {
        Some(l) if l.prefix == prefix => Ok(l),
        Some(l) => Err(format!(
            "--from {from}: lineage prefix {} is not this database's ({prefix})",
            l.prefix
        )),
        None => Err(format!("--from {from}: expected vK, K or {prefix}-vK")),
    }
}

fn shape_of(c: &Cluster<'_>) -> &'static str {
    if c.native_store().is_some() {
        "native barmanObjectStore"
    } else {
        "Barman Cloud plugin"
    }
}

/// Writes a lineage: sets the serverName that set it, or adds one where
/// CNPG's default applies.
fn write_lineage_edit(
    files: &mut Files,
    l: &LineageRef<'_>,
    value: &str,
    native: bool,
) -> Result<(), Fail> {
    if let Some(node) = l.node {
        return set_at(files, &node.span, value);
    }
    if native {
        return insert_at(files, &l.anchor.span, "serverName", &NewNode::str(value));
    }
    // The plugin entry (or externalClusters[].plugin): serverName lives in parameters.
    match l
        .anchor
        .get_path(&["parameters"])
        .filter(|p| p.as_map().is_some())
    {
        Some(params) if !params.as_map().is_some_and(|m| m.is_empty()) => {
            insert_at(files, &params.span, "serverName", &NewNode::str(value))
        }
        _ => insert_at(
            files,
            &l.anchor.span,
            "parameters",
            &NewNode::map([("serverName", NewNode::str(value))]),
        ),
    }
}

fn is_native(l: &LineageRef<'_>) -> bool {
    matches!(l.store, Store::Native { .. })
}

/// Names filled into the runbook.
struct Names {
    cluster: String,
    namespace: String,
    app: Option<String>,
    database: Option<String>,
    native: bool,
}

fn names(report: &Report, db: &Database, c: &Cluster<'_>) -> Names {
    let repo = &report.repository;
    let rel = db
        .dir
        .strip_prefix(&repo.root)
        .map(|r| r.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    let app = argo_objects(repo)
        .into_iter()
        .filter(|r| deployed_databases(r, repo).contains(&db.dir))
        .find_map(|r| application_name(r, &rel));
    let database = c
        .recovery()
        .and_then(|r| r.database())
        .or_else(|| {
            c.initdb()
                .and_then(|n| n.get_path(&["database"]))
                .and_then(|n| n.as_str())
        })
        .map(str::to_string);
    let namespace = match c.namespace() {
        "" => "default".to_string(),
        ns => ns.to_string(),
    };
    Names {
        cluster: c.name().to_string(),
        namespace,
        app,
        database,
        native: c.native_store().is_some(),
    }
}

fn app_commands(n: &Names) -> (String, String) {
    match &n.app {
        Some(app) => (
            format!("argocd app get {app} --hard-refresh"),
            format!("argocd app sync {app}"),
        ),
        None => (
            "argocd app get <application> --hard-refresh   # no Argo CD Application in this repository deploys the directory".to_string(),
            "argocd app sync <application>".to_string(),
        ),
    }
}

fn backup_command(n: &Names) -> String {
    let (c, ns) = (&n.cluster, &n.namespace);
    if n.native {
        format!("kubectl cnpg backup {c} -n {ns} --method barmanObjectStore")
    } else {
        format!(
            "kubectl cnpg backup {c} -n {ns} --method plugin --plugin-name barman-cloud.cloudnative-pg.io"
        )
    }
}

fn recovery_runbook(n: &Names, from: &str, to: &str, target: &str, db_arg: &str) -> String {
    let (c, ns) = (&n.cluster, &n.namespace);
    let (refresh, sync) = app_commands(n);
    let psql_db = n
        .database
        .as_deref()
        .map(|d| format!(" -d {d}"))
        .unwrap_or_default();
    let sidecar = if n.native {
        String::new()
    } else {
        format!(
            "       kubectl logs -n {ns} job/{c}-1-full-recovery -c plugin-barman-cloud -f   # the plugin's restore side\n"
        )
    };
    format!(
        "\
Runbook, after the pull request is merged:
  1. Make Argo CD see the merge (the bootstrap section is ignored on a live Cluster):
       {refresh}
  2. Delete the running Cluster and its volumes: CNPG bootstraps only a new Cluster.
     Make sure {from} holds the backups you want before this step.
       kubectl delete cluster {c} -n {ns}
       kubectl delete pvc -n {ns} -l cnpg.io/cluster={c}
  3. Sync: Argo CD creates {c} from the recovery overlay.
       {sync}
  4. Watch the restore (the job {c}-1-full-recovery runs first, then the instances start):
       kubectl get pods -n {ns} -l cnpg.io/cluster={c} -w
       kubectl logs -n {ns} job/{c}-1-full-recovery -f
{sidecar}       kubectl logs -n {ns} -l cnpg.io/cluster={c} -c bootstrap-controller   # if a pod never starts
     Good: the base backup is restored, WAL is replayed up to {target}, \"archive recovery complete\".
     Bad: \"no target backup found\" (nothing under {from}: wrong lineage or object store),
          \"Expected empty archive\" ({to} already has WAL: never reuse a lineage, plan again).
  5. Verify:
       kubectl cnpg status {c} -n {ns}      # Ready, continuous archiving working, writing to {to}
       kubectl cnpg psql {c} -n {ns} -- -c 'select pg_is_in_recovery(), pg_last_wal_replay_lsn(), now()'
       kubectl cnpg psql {c} -n {ns} --{psql_db} -c 'select count(*) from <a table you know>'
       kubectl cnpg psql {c} -n {ns} --{psql_db} -c 'select max(<a timestamp column>) from <that table>'
     Compare the counts and the latest row with what you expect at {target}.
  6. Take a first base backup in the new lineage {to}:
       {backup}
  7. Return to steady state (the flag back to initdb, lineage {to} kept):
       cnpg-dr plan {db_arg} --finish
",
        backup = backup_command(n),
    )
}

fn finish_runbook(n: &Names, lineage: &str) -> String {
    let (c, ns) = (&n.cluster, &n.namespace);
    let (refresh, sync) = app_commands(n);
    format!(
        "\
Runbook, after the pull request is merged:
  1. Make Argo CD see the merge, then sync. Only spec.bootstrap changes, which CNPG reads
     when it creates a Cluster: the running Cluster is not restarted or re-created.
       {refresh}
       {sync}
  2. Verify the Cluster is healthy and still writes to {lineage}:
       kubectl cnpg status {c} -n {ns}
       kubectl get cluster {c} -n {ns} -o jsonpath='{{.status.phase}}'
  3. If no base backup of {lineage} exists yet, take one:
       {backup}
",
        backup = backup_command(n),
    )
}

/// The overlay whose name is `name` and has a flag line.
fn flag_entry(db: &Database, name: &str) -> Option<String> {
    db.overlays
        .iter()
        .find(|o| o.name == name && db.flag.lines.iter().any(|l| l.entry == o.entry))
        .map(|o| o.entry.clone())
}

fn variant<'a>(db: &'a Database, overlay: &str) -> Option<&'a Variant> {
    db.variants
        .iter()
        .find(|v| v.overlay_name() == Some(overlay))
}

fn flip(files: &mut ChangeSet, db: &Database, entry: &str) -> Result<bool, Fail> {
    let text = std::fs::read_to_string(&db.kustomization)
        .map_err(|e| format!("{}: {e}", db.kustomization.display()))?;
    let flipped = db
        .flag
        .flip_to(&text, entry)
        .ok_or_else(|| format!("{}: no line for {entry}", db.kustomization.display()))?;
    let changed = flipped != text;
    files.set(&db.kustomization, Some(text), flipped);
    Ok(changed)
}

pub fn run(args: &PlanArgs) -> ExitCode {
    match plan(args) {
        Ok(code) => code,
        Err(message) => fail(&message),
    }
}

fn plan(args: &PlanArgs) -> Result<ExitCode, Fail> {
    if let Some(t) = &args.target_time {
        valid_target_time(t)?;
    }
    if let Some(id) = &args.backup_id {
        valid_backup_id(id)?;
    }
    let t = resolve(&args.db)?;
    let before = lint(&RealFs, &t)?;
    let db = database(&before, &t)?;
    let active = one_cluster(db.active(), "active overlay")?;
    if db.flag.lines.is_empty() {
        let text = std::fs::read_to_string(&db.kustomization).unwrap_or_default();
        if let Some(line) = flow_style_resources(&text) {
            return Err(format!(
                "{}:{line}: the resources list is flow-style ([...]), which has no lines to comment out, so it cannot hold a DR switch: write it as a block list (one `- entry` per line, the dormant overlay as a `# - overlays/...` comment) and plan again",
                shown(&db.kustomization, &t.cwd)
            ));
        }
    }
    let Some(recovery_entry) = flag_entry(db, "recovery") else {
        return Err(format!(
            "{}: the root kustomization has no overlays/recovery line (active or commented): the DR flag cannot point at a recovery",
            shown(&db.kustomization, &t.cwd)
        ));
    };
    let Some(initdb_entry) = flag_entry(db, "initdb") else {
        return Err(format!(
            "{}: the root kustomization has no overlays/initdb line (active or commented)",
            shown(&db.kustomization, &t.cwd)
        ));
    };
    let n = names(&before, db, &active);
    let db_name = db
        .dir
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| args.db.clone());
    if args.finish {
        return finish(args, &t, &before, db, &initdb_entry, &n, &db_name);
    }

    let Some(write) = active.write_lineage() else {
        return Err(format!(
            "Cluster {} has no backups (no barmanObjectStore, no Barman Cloud plugin entry): there is nothing to recover from",
            active.name()
        ));
    };
    let current = lineage_of(&write.name);
    let (in_tree, in_history) = lineages_seen(db);
    let highest = |ls: &[Lineage]| {
        ls.iter()
            .filter(|l| l.prefix == current.prefix)
            .map(|l| l.version)
            .max()
    };
    let (tree_max, history_max) = (highest(&in_tree), highest(&in_history));
    let max_seen = tree_max
        .into_iter()
        .chain(history_max)
        .chain([current.version])
        .max()
        .unwrap_or(current.version);
    // Where the highest version was seen, said truthfully.
    let seen_where = match (
        tree_max == Some(max_seen) || current.version == max_seen,
        history_max == Some(max_seen),
    ) {
        (true, true) => "in the working tree and the Git history",
        (false, true) => "only in the Git history",
        _ => "in the working tree",
    };
    let next = Lineage {
        prefix: current.prefix.clone(),
        version: max_seen + 1,
    };
    let from = match &args.from {
        Some(f) => {
            let l = parse_from(f, &current.prefix)?;
            if l.version == 0 || l.version >= next.version {
                return Err(format!(
                    "--from {f}: {l} is not an earlier lineage (the next unused one is {next})"
                ));
            }
            l.to_string()
        }
        None => write.name.clone(),
    };

    let rec_variant = variant(db, "recovery").ok_or("the recovery overlay is not rendered")?;
    let rec = one_cluster(rec_variant, "recovery overlay")?;
    if rec.name() != active.name() {
        return Err(format!(
            "the recovery overlay renders Cluster {} but the active one is {}",
            rec.name(),
            active.name()
        ));
    }
    let Some(read) = rec.read_lineage() else {
        return Err(
            "the recovery overlay has no usable recovery source: spec.bootstrap.recovery.source must name a spec.externalClusters[] entry with a barmanObjectStore or a Barman Cloud plugin".to_string(),
        );
    };
    let recovery = rec
        .recovery()
        .ok_or("the recovery overlay has no spec.bootstrap.recovery")?;

    let mut files = Files::default();
    let mut notes: Vec<String> = Vec::new();
    // The write lineage, wherever a variant sets it (base, or an overlay patch).
    let mut seen_spans = BTreeSet::new();
    for v in &db.variants {
        for c in v.clusters().filter(|c| c.name() == active.name()) {
            let Some(w) = c.write_lineage() else { continue };
            let key = w
                .node
                .map(|n| n.span.clone())
                .unwrap_or_else(|| w.anchor.span.clone());
            if seen_spans.insert((key.file.clone(), key.line, key.column)) {
                write_lineage_edit(&mut files, &w, &next.to_string(), is_native(&w))?;
            }
        }
    }
    // The read lineage of the recovery source.
    write_lineage_edit(&mut files, &read, &from, is_native(&read))?;
    // The recovery target.
    let target_label = target_edits(args, &mut files, &recovery, &mut notes)?;

    let mut cs = ChangeSet::new();
    files.changes(&mut cs);
    let flag_from = db
        .flag
        .active()
        .map(|l| l.entry.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let flipped = flip(&mut cs, db, &recovery_entry)?;

    let mut out = String::new();
    out.push_str(&format!(
        "Recovery plan for {} (Cluster {}/{}, {} backups)\n",
        shown(&db.dir, &t.cwd),
        n.namespace,
        n.cluster,
        shape_of(&active)
    ));
    let from_note = if args.from.is_some() {
        "pinned with --from"
    } else {
        "the lineage the running Cluster writes"
    };
    out.push_str(&format!("  restore from:  {from}   ({from_note})\n"));
    let seen = if max_seen == 0 {
        format!(
            "no versioned lineage yet: the Cluster writes {}",
            write.name
        )
    } else {
        format!(
            "the next unused lineage; {} seen {seen_where}",
            Lineage {
                prefix: current.prefix.clone(),
                version: max_seen
            }
        )
    };
    out.push_str(&format!("  write to:      {next}   ({seen})\n"));
    out.push_str(&format!("  target:        {target_label}\n"));
    out.push_str(&format!(
        "  DR flag:       {}\n",
        if flipped {
            format!("{flag_from} -> {recovery_entry}")
        } else {
            format!("{recovery_entry} (already active)")
        }
    ));
    for note in &notes {
        out.push_str(&format!("  note:          {note}\n"));
    }
    if args.from.is_some()
        && !in_tree
            .iter()
            .chain(&in_history)
            .any(|l| l.to_string() == from)
    {
        out.push_str(&format!(
            "  warning:       {from} is not mentioned in the working tree: check that the object store has backups under it\n"
        ));
    }
    out.push_str(&format!(
        "  before merging: check that the object store has no {next}/ directory yet (a lineage is never reused)\n"
    ));
    out.push('\n');
    out.push_str(&diff(&cs, &t.cwd));

    let expect_read = from.clone();
    let expect_write = next.to_string();
    let cluster_name = active.name().to_string();
    let checked = check(&t, &before, &cs, &|db: &Database| {
        let mut p = Vec::new();
        if db.active().overlay_name() != Some("recovery") {
            p.push("the DR flag does not point at the recovery overlay".to_string());
        }
        for v in &db.variants {
            for c in v.clusters().filter(|c| c.name() == cluster_name) {
                let w = c.write_lineage().map(|l| l.name);
                if w.as_deref() != Some(expect_write.as_str()) {
                    p.push(format!(
                        "the {} overlay writes {} instead of {expect_write}",
                        v.overlay_name().unwrap_or("root"),
                        w.unwrap_or_else(|| "nothing".into())
                    ));
                }
                if c.bootstrap() == Some(BootstrapMethod::Recovery) {
                    let r = c.read_lineage().map(|l| l.name);
                    if r.as_deref() != Some(expect_read.as_str()) {
                        p.push(format!(
                            "the recovery overlay reads {} instead of {expect_read}",
                            r.unwrap_or_else(|| "nothing".into())
                        ));
                    }
                }
            }
        }
        p
    })?;
    let mut checked = checked;
    if !args.allow_errors {
        // The restore deploys the recovery overlay: an error this plan does
        // not fix (a missing database, a zone-less target time) is the
        // restore's error. Refuse, unless the SRE has decided otherwise.
        for e in std::mem::take(&mut checked.remaining_in_recovery) {
            checked.problems.push(format!(
                "lint error {e} (in the recovery overlay, which the restore deploys; \
                 this plan does not fix it: fix it, or pass --allow-errors to plan anyway)"
            ));
        }
    }
    let arg = &db_name;
    let runbook = recovery_runbook(&n, &from, &expect_write, &target_label, arg);
    let code = conclude(
        &mut out,
        &cs,
        &checked,
        args.write,
        "commit, open a pull request, review the diff, merge, and follow the runbook below.",
    );
    if code == ExitCode::SUCCESS {
        print(&format!("\n{runbook}"));
    }
    Ok(code)
}

/// Sets `spec.bootstrap.recovery.recoveryTarget` to what was asked: a time,
/// a backup ID, or nothing (the end of the archive). A target left by an
/// earlier recovery belongs to the old lineage and is removed.
fn target_edits(
    args: &PlanArgs,
    files: &mut Files,
    recovery: &cnpg_dr_core::cnpg::Recovery<'_>,
    notes: &mut Vec<String>,
) -> Result<String, Fail> {
    let wanted: Option<(&str, &str)> = match (&args.target_time, &args.backup_id) {
        (Some(t), _) => Some(("targetTime", t.as_str())),
        (None, Some(id)) => Some(("backupID", id.as_str())),
        (None, None) => None,
    };
    let label = match wanted {
        Some(("targetTime", t)) => format!("point in time {t}"),
        Some((_, id)) => format!("the end of backup {id}"),
        None => "the end of the WAL archive (latest)".to_string(),
    };
    let existing = recovery.target();
    match (existing, wanted) {
        (None, None) => {}
        (None, Some((key, value))) => {
            insert_at(
                files,
                &recovery.node.span,
                "recoveryTarget",
                &NewNode::map([(key, NewNode::str(value))]),
            )?;
        }
        (Some(target), None) => {
            let (file, path) = files.locate(&recovery.node.span, Shape::Map)?;
            files
                .edit(&file)?
                .remove_key(&path, "recoveryTarget")
                .map_err(|e| e.to_string())?;
            notes.push(format!(
                "removed the recoveryTarget left by an earlier recovery ({}); pass --target-time or --backup-id to keep one",
                describe_target(target)
            ));
        }
        (Some(target), Some((key, value))) => {
            let (file, path) = files.locate(&target.span, Shape::Map)?;
            let keys: Vec<String> = target
                .as_map()
                .map(|m| m.iter_str().map(|(k, _)| k.to_string()).collect())
                .unwrap_or_default();
            let f = files.edit(&file)?;
            if keys.iter().any(|k| k == key) {
                f.set_scalar(&path.key(key), value)
                    .map_err(|e| e.to_string())?;
            } else {
                f.insert_key(&path, key, &NewNode::str(value), Position::End)
                    .map_err(|e| e.to_string())?;
            }
            let mut removed = Vec::new();
            for k in keys.iter().filter(|k| *k != key) {
                f.remove_key(&path, k).map_err(|e| e.to_string())?;
                removed.push(k.as_str());
            }
            if !removed.is_empty() {
                notes.push(format!(
                    "removed {} from the recoveryTarget left by an earlier recovery",
                    removed.join(", ")
                ));
            }
        }
    }
    Ok(label)
}

fn describe_target(target: &cnpg_dr_core::yaml::Node) -> String {
    target
        .as_map()
        .map(|m| {
            m.iter_str()
                .map(|(k, v)| format!("{k}: {}", v.as_str().unwrap_or("...")))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

fn finish(
    args: &PlanArgs,
    t: &Target,
    before: &Report,
    db: &Database,
    initdb_entry: &str,
    n: &Names,
    db_name: &str,
) -> Result<ExitCode, Fail> {
    let _ = db_name;
    let mut cs = ChangeSet::new();
    let active_entry = db
        .flag
        .active()
        .map(|l| l.entry.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let flipped = flip(&mut cs, db, initdb_entry)?;
    if !flipped {
        print(&format!(
            "{} is already in steady state ({initdb_entry} active): nothing to do.\n",
            shown(&db.dir, &t.cwd)
        ));
        return Ok(ExitCode::SUCCESS);
    }
    let rec = one_cluster(db.active(), "active overlay")?;
    let lineage = rec
        .write_lineage()
        .map(|l| l.name)
        .unwrap_or_else(|| "(no backups)".to_string());
    // The recovery target belonged to the restore that just ended: left in
    // the dormant overlay it keeps a CDR207 warning forever, and the next
    // recovery, which reads another lineage, must choose its own.
    let mut target_note = String::new();
    if let Some(target) = rec.recovery().and_then(|r| r.target().map(|t| (r, t))) {
        let (recovery, node) = target;
        let mut files = Files::default();
        let (file, path) = files.locate(&recovery.node.span, Shape::Map)?;
        files
            .edit(&file)?
            .remove_key(&path, "recoveryTarget")
            .map_err(|e| e.to_string())?;
        files.changes(&mut cs);
        target_note = format!(
            "  recovery target: removed ({}): it belonged to the restore that is now done; the next `cnpg-dr plan` sets one if asked\n",
            describe_target(node)
        );
    }
    let mut out = format!(
        "Steady-state plan for {} (Cluster {}/{})\n  DR flag:       {active_entry} -> {initdb_entry}\n  lineage:       {lineage} (kept: the recovered Cluster goes on writing to it)\n{target_note}\n",
        shown(&db.dir, &t.cwd),
        n.namespace,
        n.cluster,
    );
    out.push_str(&diff(&cs, &t.cwd));
    let cluster_name = n.cluster.clone();
    let expect = lineage.clone();
    let entry = initdb_entry.to_string();
    let checked = check(t, before, &cs, &|db: &Database| {
        let mut p = Vec::new();
        if db.active().overlay.as_ref().map(|o| o.entry.as_str()) != Some(entry.as_str()) {
            p.push("the DR flag does not point at the initdb overlay".to_string());
        }
        let w = db
            .active()
            .clusters()
            .find(|c| c.name() == cluster_name)
            .and_then(|c| c.write_lineage())
            .map(|l| l.name);
        if w.as_deref() != Some(expect.as_str()) {
            p.push(format!(
                "the initdb overlay writes {} but the recovered Cluster writes {expect}: the lineage must stay",
                w.unwrap_or_else(|| "nothing".into())
            ));
        }
        p
    })?;
    let runbook = finish_runbook(n, &lineage);
    let code = conclude(
        &mut out,
        &cs,
        &checked,
        args.write,
        "commit, open a pull request, merge, and follow the runbook below.",
    );
    if code == ExitCode::SUCCESS {
        print(&format!("\n{runbook}"));
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_time_needs_rfc3339_with_a_zone() {
        for ok in [
            "2025-06-01T03:00:00Z",
            "2025-06-01T03:00:00.123+02:00",
            "2024-02-29 23:59:60-07:30",
            "2025-06-01t03:00:00z",
        ] {
            assert_eq!(valid_target_time(ok), Ok(()), "{ok}");
        }
        for bad in [
            "2025-06-01 03:00:00",
            "2025-06-01T03:00:00",
            "2025-02-29T03:00:00Z",
            "2025-13-01T03:00:00Z",
            "2025-06-01T24:00:00Z",
            "2025-06-01T03:00:00+2:00",
            "2025-06-01T03:00:00.Z",
            "yesterday",
            "2025-06-01T03:00:00 UTC",
        ] {
            assert!(valid_target_time(bad).is_err(), "{bad}");
        }
        assert!(valid_target_time("2025-06-01T03:00:00")
            .unwrap_err()
            .contains("no time zone"));
    }

    #[test]
    fn from_accepts_versions_and_names() {
        let l = parse_from("v2", "db").unwrap();
        assert_eq!(l.to_string(), "db-v2");
        assert_eq!(parse_from("3", "db").unwrap().to_string(), "db-v3");
        assert_eq!(parse_from("db-v4", "db").unwrap().version, 4);
        assert!(parse_from("other-v4", "db").is_err());
        assert!(parse_from("x", "db").is_err());
    }

    #[test]
    fn unversioned_lineages_count_as_version_zero() {
        let l = lineage_of("pg");
        assert_eq!((l.prefix.as_str(), l.version), ("pg", 0));
        assert_eq!(l.next().to_string(), "pg-v1");
    }
}
