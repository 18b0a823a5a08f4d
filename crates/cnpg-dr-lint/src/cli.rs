//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Safe, boring disaster recovery for CloudNativePG clusters managed with kustomize and Argo CD.
#[derive(Debug, Parser)]
#[command(name = "cnpg-dr", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Color of findings and error reports [auto: when the output is a
    /// terminal, NO_COLOR is unset or empty and CLICOLOR is not 0;
    /// CLICOLOR_FORCE forces it].
    #[arg(long, value_enum, default_value = "auto", global = true)]
    pub color: Color,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check database directories for disaster-recovery mistakes.
    Lint(LintArgs),
    /// Print a kustomization root rendered exactly as `kubectl kustomize` prints it.
    Render(RenderArgs),
    /// List every rule: id, name, default severity and summary.
    Rules(RulesArgs),
    /// Print a rule's documentation (Markdown).
    Explain(ExplainArgs),
    /// Where every database stands: mode, lineages, target, backups, application, findings.
    Status(StatusArgs),
    /// Prepare a recovery: bump the lineage, point the recovery source, flip the DR flag,
    /// print the diff and the runbook (`--write` applies it).
    Plan(PlanArgs),
    /// Convert a database directory to current CNPG shapes (diff; `--write` applies it).
    Migrate(MigrateArgs),
    /// Write the rule pages (docs/rules/*.md) from the rule docs.
    Docs(DocsArgs),
    /// Scaffold a database directory (base, initdb and recovery overlays, DR flag) that lints clean.
    // Boxed: its many options would make every other variant as large.
    New(Box<NewArgs>),
    /// Print a shell completion script to stdout (`cnpg-dr completions bash > ...`).
    Completions(CompletionsArgs),
    /// Print the man page (roff) to stdout, or write every page to a directory.
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write cnpg-dr.1 and one page per subcommand (cnpg-dr-lint.1, ...) to
    /// DIR instead of printing the top-level page.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Replace pages in DIR that differ from the generated ones.
    #[arg(long, requires = "out_dir")]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct DocsArgs {
    /// The repository root to write `docs/rules/` under.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The database directory, or its name (directory or Cluster name) in the current repository.
    #[arg(value_name = "DB")]
    pub db: String,
    /// Restore from this lineage (vK, K or the full name) instead of the one the Cluster writes.
    #[arg(long, value_name = "vK")]
    pub from: Option<String>,
    /// Recover up to this time: RFC 3339 with a zone (2025-06-01T03:00:00Z).
    #[arg(long, value_name = "RFC3339", conflicts_with = "backup_id")]
    pub target_time: Option<String>,
    /// Recover from this backup (recoveryTarget.backupID).
    #[arg(long, value_name = "ID")]
    pub backup_id: Option<String>,
    /// Apply the change (after it renders and lints clean in memory).
    #[arg(long)]
    pub write: bool,
    /// After a recovery: flip the DR flag back to initdb, keeping the lineage.
    #[arg(long, conflicts_with_all = ["from", "target_time", "backup_id"])]
    pub finish: bool,
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[command(subcommand)]
    pub what: MigrateCommand,
}

#[derive(Debug, Subcommand)]
pub enum MigrateCommand {
    /// spec.backup.barmanObjectStore -> an ObjectStore and the Barman Cloud plugin
    /// (Cluster, recovery source and ScheduledBackups), same lineages.
    Plugin(MigrateTarget),
    /// monitoring.enablePodMonitor -> a PodMonitor committed beside the Cluster.
    PodMonitor(MigrateTarget),
}

#[derive(Debug, Args)]
pub struct MigrateTarget {
    /// The database directory, or its name (directory or Cluster name) in the current repository.
    #[arg(value_name = "DB")]
    pub db: String,
    /// Apply the change (after it renders and lints clean in memory).
    #[arg(long)]
    pub write: bool,
}

/// Output format of `status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The repository (default: the current directory).
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: StatusFormat,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The kustomization root(s) to render.
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Render several roots in one process (in parallel); each output is
    /// preceded by a `# Source: DIR` comment line.
    #[arg(long)]
    pub all: bool,
    /// Render the database directory with its DR switch set to this overlay
    /// (`recovery`, or the entry as written: `overlays/recovery`), in memory:
    /// what Argo CD would deploy after the switch is flipped. Nothing is written.
    #[arg(long, value_name = "OVERLAY")]
    pub overlay: Option<String>,
}

/// Output format of `lint`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Diagnostics with source snippets, grouped by database, and a summary line.
    Human,
    /// A stable JSON document (docs/json-output.md).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other dashboards.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
}

/// Severity threshold for a failing exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

/// When output is colored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Color {
    /// When the output is a terminal and NO_COLOR is not set.
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Directories or single YAML files to lint (default: the current directory).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Exit 1 when a finding is at or above this severity [default: error, or
    /// `failOn` from .cnpg-dr.yaml].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Use this configuration file instead of looking for .cnpg-dr.yaml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Compare lineages with this Git revision (a branch, tag or commit, e.g.
    /// `origin/main`) and its history: lineages that move backwards or are
    /// reused, a flip to recovery without a bump (CDR901-CDR904).
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// Also validate against the CRDs (`*.yaml`) or JSON Schemas (named like
    /// `cluster-postgresql-v1.json`) in DIR; they win over the bundled ones
    /// for the same kind and version. Repeatable.
    #[arg(long, value_name = "DIR")]
    pub schema_dir: Vec<PathBuf>,
    /// Report objects whose kind has no schema (CDR803) instead of skipping them.
    #[arg(long)]
    pub strict_schemas: bool,
    /// Never draw a progress bar. It is drawn on stderr only when stderr is
    /// a terminal and CI is unset, and only once a lint has run for a while.
    #[arg(long)]
    pub no_progress: bool,
}

/// Output format of `rules`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RulesFormat {
    Human,
    Json,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: RulesFormat,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A rule id (`CDR101`) or name (`lineage-write-equals-source`).
    #[arg(value_name = "ID|NAME")]
    pub rule: String,
}

/// Backup shape of `new`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BackupShapeArg {
    /// The Barman Cloud plugin: an ObjectStore and spec.plugins.
    Plugin,
    /// In-tree spec.backup.barmanObjectStore (deprecated since CNPG 1.26, removed in 1.31).
    Native,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The database name: the directory, and {name} in every naming pattern.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// Where to create NAME/ [default: new.dir from .cnpg-dr.yaml, else the current directory].
    #[arg(long, value_name = "PARENT")]
    pub dir: Option<PathBuf>,
    /// Copy the conventions of an existing database directory (a path, or a
    /// directory name found in the repository).
    #[arg(long, value_name = "OTHER_DB")]
    pub like: Option<String>,
    /// Namespace of every object [default: {name}].
    #[arg(long)]
    pub namespace: Option<String>,
    /// Application database created by initdb [default: NAME, with - as _].
    #[arg(long)]
    pub database: Option<String>,
    /// Owner (role) of the application database [default: the database name].
    #[arg(long)]
    pub owner: Option<String>,
    /// Backup shape [default: plugin].
    #[arg(long, value_enum)]
    pub backup: Option<BackupShapeArg>,
    /// Bucket and prefix of the backups, such as s3://backups/{name}.
    #[arg(long, value_name = "S3_URL")]
    pub destination_path: Option<String>,
    /// S3 endpoint, for S3-compatible stores (MinIO, Ceph...).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Secret with the bucket credentials [default: {name}-s3-credentials].
    #[arg(long, value_name = "SECRET")]
    pub s3_credentials: Option<String>,
    /// PostgreSQL instances [default: 2].
    #[arg(long, value_name = "N")]
    pub instances: Option<u32>,
    /// Volume size per instance [default: 10Gi].
    #[arg(long, value_name = "SIZE")]
    pub storage_size: Option<String>,
    /// Storage class [default: the cluster's default class].
    #[arg(long, value_name = "CLASS")]
    pub storage_class: Option<String>,
    /// PostgreSQL image, with a version tag.
    #[arg(long)]
    pub image: Option<String>,
    /// Base backup schedule: CNPG cron, six fields, seconds first [default: "0 0 3 * * *"].
    #[arg(long, value_name = "CRON")]
    pub schedule: Option<String>,
    /// External Secrets store of the credentials, KIND/NAME (such as ClusterSecretStore/vault).
    #[arg(long, value_name = "KIND/NAME")]
    pub secret_store: Option<String>,
    /// How long backups are kept, such as 30d, 4w or 6m [default: 30d].
    #[arg(long, value_name = "POLICY")]
    pub retention_policy: Option<String>,
    /// Replace NAME/ if it exists.
    #[arg(long)]
    pub force: bool,
    /// Print the tree and the files instead of writing them.
    #[arg(long)]
    pub dry_run: bool,
    /// Use this configuration file instead of looking for .cnpg-dr.yaml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}
