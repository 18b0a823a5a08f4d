//! Runs the catalogue over a discovered repository: parallel across databases,
//! deterministic in output order. [`LintRequest`] is the whole pipeline for one
//! linted path: configuration, discovery (or one loose file), rules, excluded
//! files, inline suppressions, severities.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use cnpg_dr_core::discover::{
    discover_with_progress, walk_tree, DiscoverOptions, Repository, Walked,
};
use cnpg_dr_core::fs::{normalize, CachedFs, FileSystem, Sources};
use cnpg_dr_core::history::{
    flag_line_span, load_with_progress, CommitInfo, GitRepository, History, HistoryError,
};
use cnpg_dr_core::kustomize::{RenderError, Resource};
use cnpg_dr_core::yaml::{load_bytes, LoadError, LoadLimits};

/// The progress hooks of [`lint_path_with_progress`] (discovery, history).
pub use cnpg_dr_core::progress::{NoProgress, Phase, Progress};

use crate::config::{lookup, rule_names, Config};
use crate::finding::Finding;
use crate::rules::history::HistoryContext;
use crate::rules::{DatabaseContext, RepositoryContext, Rule, Settings, VariantContext};
use crate::suppress;

/// Runs `rules` and returns findings sorted by file, line, column and rule,
/// with duplicates (the same base line seen through several overlays) merged:
/// the active variant's finding is kept.
pub fn run(repo: &Repository, rules: &[&'static dyn Rule], settings: &Settings) -> Vec<Finding> {
    // The repository-wide rules run beside the per-database ones.
    let per_database = || -> Vec<Finding> {
        repo.databases
            .par_iter()
            .flat_map_iter(|db| {
                let mut out = Vec::new();
                for variant in &db.variants {
                    let ctx = VariantContext {
                        repo,
                        settings,
                        database: db,
                        variant,
                    };
                    for rule in rules {
                        rule.check_variant(&ctx, &mut out);
                    }
                }
                let ctx = DatabaseContext {
                    repo,
                    settings,
                    database: db,
                };
                for rule in rules {
                    rule.check_database(&ctx, &mut out);
                }
                out
            })
            .collect()
    };
    let repository_wide = || {
        let ctx = RepositoryContext { repo, settings };
        let mut out = Vec::new();
        for rule in rules {
            rule.check_repository(&ctx, &mut out);
        }
        out
    };
    let (mut findings, wide) = rayon::join(per_database, repository_wide);
    findings.extend(wide);
    drop_unresolved(&mut findings, &repo.sources);
    sort_and_merge(&mut findings);
    findings
}

/// True for text holding a substitution variable (`${APP}`, Flux post-build
/// or envsubst): its final value is unknown here.
pub fn has_substitution(text: &str) -> bool {
    text.find("${").is_some_and(|i| text[i..].contains('}'))
}

/// Unresolved substitution variables are unknowns, never defects: a finding
/// whose value (the exact source text it points at) holds one is dropped.
fn drop_unresolved(findings: &mut Vec<Finding>, sources: &Sources) {
    findings.retain(|f| {
        let Some(span) = &f.span else { return true };
        if span.end <= span.start {
            return true;
        }
        let value = sources
            .text(&span.file)
            .and_then(|t| t.get(span.start..span.end));
        !value.is_some_and(has_substitution)
    });
}

/// Runs the history rules (`check_history`) of `rules` over every database
/// that `history` knows, comparing the working tree with the base revision.
pub fn run_history(
    repo: &Repository,
    rules: &[&'static dyn Rule],
    settings: &Settings,
    history: &History,
) -> Vec<Finding> {
    let mut findings: Vec<Finding> = repo
        .databases
        .par_iter()
        .flat_map_iter(|db| {
            let mut out = Vec::new();
            if let Some(past) = history.database(&db.dir) {
                let ctx = HistoryContext {
                    repo,
                    settings,
                    database: db,
                    history,
                    past,
                    flag_span: flag_line_span(db),
                };
                for rule in rules {
                    rule.check_history(&ctx, &mut out);
                }
            }
            out
        })
        .collect();
    sort_and_merge(&mut findings);
    findings
}

/// A base revision to lint against (`lint --base REV`).
pub struct Base<'a> {
    pub git: &'a GitRepository,
    /// The revision as the user named it.
    pub spec: &'a str,
    pub commit: &'a CommitInfo,
}

/// Reads the history of `repo`'s databases at `base` (directories outside
/// the Git working tree are left out).
pub fn load_history(repo: &Repository, base: &Base<'_>) -> Result<History, HistoryError> {
    load_history_with_progress(repo, base, &NoProgress)
}

/// [`load_history`], telling `progress` about each commit rendered.
pub fn load_history_with_progress(
    repo: &Repository,
    base: &Base<'_>,
    progress: &dyn Progress,
) -> Result<History, HistoryError> {
    let dirs: Vec<PathBuf> = repo
        .databases
        .iter()
        .filter_map(|db| db.dir.strip_prefix(base.git.workdir()).ok())
        .map(Path::to_path_buf)
        .collect();
    load_with_progress(
        base.git,
        base.spec,
        base.commit,
        &dirs,
        &DiscoverOptions::default().render,
        progress,
    )
}

/// Sorts findings by file, line, column and rule, and merges duplicates (the
/// same base line seen through several overlays): the first one is kept, which
/// is the active variant's.
pub fn sort_and_merge(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| {
        (
            a.path(),
            a.line(),
            a.column(),
            a.rule,
            a.dormant,
            &a.message,
        )
            .cmp(&(
                b.path(),
                b.line(),
                b.column(),
                b.rule,
                b.dormant,
                &b.message,
            ))
    });
    findings.dedup_by(|later, earlier| {
        later.rule == earlier.rule
            && later.path() == earlier.path()
            && later.line() == earlier.line()
            && later.column() == earlier.column()
            && later.message == earlier.message
    });
}

/// Every rule a user can name: the registry and the suppression meta-rules, in id order.
pub fn catalogue() -> Vec<&'static dyn Rule> {
    let mut all = crate::rules::registry();
    all.extend(crate::rules::meta_rules());
    all.sort_by_key(|r| r.meta().id);
    all
}

/// What linting one path found.
#[derive(Debug, Default)]
pub struct Report {
    /// Findings after exclusions, suppressions and severity changes, sorted.
    pub findings: Vec<Finding>,
    /// How many database directories were linted.
    pub databases: usize,
    /// How many findings inline suppressions silenced.
    pub suppressed: usize,
    /// Kustomization roots that failed to render (not findings: reported to the user apart).
    pub failed_roots: Vec<(PathBuf, RenderError)>,
    /// The discovered repository (its failed roots moved into `failed_roots`).
    pub repository: Repository,
}

/// Why a path could not be linted at all.
#[derive(Debug, thiserror::Error)]
pub enum LintError {
    #[error("{}: no such file or directory", .0.display())]
    NotFound(PathBuf),
    #[error("{}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Yaml(LoadError),
    #[error("{0}")]
    History(HistoryError),
}

/// A repository made of one file's documents, as loose resources (what
/// discovery makes of a YAML file no kustomization includes).
pub fn file_repository(fs: &dyn FileSystem, file: &Path) -> Result<Repository, LintError> {
    let bytes = fs.read(file).map_err(|source| LintError::Read {
        path: file.to_path_buf(),
        source,
    })?;
    let docs =
        load_bytes(&bytes, Arc::from(file), &LoadLimits::default()).map_err(LintError::Yaml)?;
    let loose = docs
        .into_iter()
        .filter(|d| d.get_path(&["kind"]).is_some() && d.get_path(&["apiVersion"]).is_some())
        .filter_map(|d| Resource::new(d, file.to_path_buf()).ok())
        .collect();
    Ok(Repository {
        root: file.parent().map(Path::to_path_buf).unwrap_or_default(),
        loose,
        ..Repository::default()
    })
}

fn is_yaml(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

/// Walks `root` with the configuration's exclusions and returns the YAML
/// files that are not excluded (where suppressions are looked for) and the
/// walk itself, which discovery takes as its input instead of walking again.
fn walk(fs: &dyn FileSystem, root: &Path, config: &Config) -> (Vec<PathBuf>, Walked) {
    let walked = walk_tree(fs, root, &mut |e| config.is_excluded(e));
    let yaml = walked
        .files
        .iter()
        .filter(|f| is_yaml(f))
        .cloned()
        .collect();
    (yaml, walked)
}

/// One lint: a path (a directory, or a single YAML file linted as loose
/// resources; absolute) under a configuration, with what the command line
/// adds (a base revision, schemas, progress). Every command lints through
/// this; [`lint_path`] is the plain case.
pub struct LintRequest<'a> {
    pub fs: &'a dyn FileSystem,
    pub path: &'a Path,
    pub config: &'a Config,
    /// A base revision: the history rules run too.
    pub base: Option<&'a Base<'a>>,
    /// Schemas to validate against instead of the bundled ones (`--schema-dir`).
    pub schemas: Option<Arc<cnpg_dr_core::schema::SchemaSet>>,
    /// Report objects no schema describes (`--strict-schemas`).
    pub strict_schemas: bool,
    /// Told how far the long parts (rendering every root, the history) have got.
    pub progress: &'a dyn Progress,
}

impl<'a> LintRequest<'a> {
    pub fn new(fs: &'a dyn FileSystem, path: &'a Path, config: &'a Config) -> Self {
        LintRequest {
            fs,
            path,
            config,
            base: None,
            schemas: None,
            strict_schemas: false,
            progress: &NoProgress,
        }
    }

    pub fn run(&self) -> Result<Report, LintError> {
        lint(self)
    }
}

/// Lints one path under a configuration: [`LintRequest`] with nothing added.
pub fn lint_path(fs: &dyn FileSystem, path: &Path, config: &Config) -> Result<Report, LintError> {
    LintRequest::new(fs, path, config).run()
}

fn lint(request: &LintRequest<'_>) -> Result<Report, LintError> {
    let LintRequest {
        fs,
        path,
        config,
        base,
        progress,
        ..
    } = *request;
    // The walk, two renders per database and the suppression scan read the
    // same files: each is read (and each directory listed) once.
    let cached = CachedFs::new(fs);
    let fs: &dyn FileSystem = &cached;
    let path = normalize(path);
    let rules: Vec<&'static dyn Rule> = crate::rules::registry()
        .into_iter()
        .filter(|r| config.enabled(r.meta().id))
        .collect();
    let mut settings = Settings::default();
    if let Some(v) = config.cnpg_version {
        settings.cnpg_version = v;
    }
    settings.lineage_pattern = config.lineage_pattern.clone();
    if let Some(schemas) = &request.schemas {
        settings.schemas = schemas.clone();
    }
    settings.strict_schemas = request.strict_schemas;
    // Compile the schemas on another core while discovery renders.
    let schemas = settings.schemas.clone();
    rayon::spawn(move || schemas.warm());
    // `in_scope`: the linted files, where unused suppressions are reported. A
    // single file linted alone has none: without its kustomization most rules
    // cannot fire, so "unused" would be noise.
    let (repo, in_scope, mut files) = if fs.is_dir(&path) {
        let (files, walked) = walk(fs, &path, config);
        let options = DiscoverOptions {
            walked: Some(walked),
            render: config.render_options(),
            ..DiscoverOptions::default()
        };
        let files: BTreeSet<PathBuf> = files.into_iter().collect();
        (
            discover_with_progress(fs, &path, &options, progress),
            files.clone(),
            files,
        )
    } else if fs.is_file(&path) {
        let mut files = BTreeSet::new();
        if !config.is_excluded(&path) {
            files.insert(path.clone());
        }
        (file_repository(fs, &path)?, BTreeSet::new(), files)
    } else {
        return Err(LintError::NotFound(path));
    };

    let mut findings = run(&repo, &rules, &settings);
    if let Some(base) = base {
        let history =
            load_history_with_progress(&repo, base, progress).map_err(LintError::History)?;
        findings.extend(run_history(&repo, &rules, &settings, &history));
    }
    findings.retain(|f| !f.path().is_some_and(|p| config.is_excluded(p)));

    // Suppressions: in every linted file, and in files outside the path that
    // findings point into (a shared base).
    let catalogue = catalogue();
    let resolve = |s: &str| lookup(&catalogue, s).map(|r| r.meta().id);
    files.extend(
        findings
            .iter()
            .filter_map(|f| f.path())
            .filter(|p| !config.is_excluded(p))
            .map(Path::to_path_buf),
    );
    let files: Vec<&PathBuf> = files.iter().collect();
    let mut directives: Vec<suppress::Directive> = files
        .par_iter()
        .flat_map_iter(|file| {
            let text = fs
                .read(file)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            suppress::scan(file, &text, &resolve)
        })
        .collect();
    let (mut findings, suppressed) = suppress::apply(findings, &mut directives);
    let names = rule_names(&catalogue);
    let meta = suppress::meta_findings(
        &directives,
        &|d| in_scope.contains(&*d.span.file),
        &|id| config.enabled(id),
        &names,
    );
    let db_dirs: BTreeSet<&Path> = repo.databases.iter().map(|d| d.dir.as_path()).collect();
    for mut f in meta.into_iter().filter(|f| config.enabled(f.rule)) {
        // A comment inside a database directory belongs to that database.
        f.database = f
            .path()
            .and_then(|p| p.ancestors().find(|a| db_dirs.contains(a)))
            .map(Path::to_path_buf);
        findings.push(f);
    }
    for f in &mut findings {
        if let Some(s) = config.severity(f.rule) {
            f.severity = s;
        }
    }
    sort_and_merge(&mut findings);
    let mut repo = repo;
    // Every file read (renders, suppression scan), as it was read: what the
    // findings' snippets show.
    repo.sources = fs.sources().unwrap_or_default();
    Ok(Report {
        findings,
        databases: repo.databases.len(),
        suppressed,
        failed_roots: std::mem::take(&mut repo.failed_roots),
        repository: repo,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use cnpg_dr_core::yaml::Span;

    fn finding_at(file: &Path, start: usize, end: usize) -> Finding {
        Finding {
            rule: "CDR101",
            name: "lineage-write-equals-source",
            severity: Severity::Error,
            message: String::new(),
            span: Some(Span {
                file: Arc::from(file),
                line: 1,
                column: start as u32 + 1,
                start,
                end,
            }),
            file: None,
            database: None,
            overlay: None,
            dormant: false,
            help: None,
        }
    }

    #[test]
    fn a_substitution_is_judged_on_the_text_the_lint_read() {
        // The file does not exist on disk: only the text read says `${...}`.
        let file = Path::new("/nowhere/cluster.yaml");
        let text = "serverName: ${LINEAGE}\nother: pg-v1\n";
        let mut sources = Sources::default();
        sources.insert(file.to_path_buf(), text.as_bytes());
        let mut findings = vec![finding_at(file, 12, 22), finding_at(file, 30, 35)];
        drop_unresolved(&mut findings, &sources);
        assert_eq!(
            findings.len(),
            1,
            "the ${{LINEAGE}} value is unknown, not a defect"
        );
        assert_eq!(findings[0].span.as_ref().unwrap().start, 30);
    }
}
