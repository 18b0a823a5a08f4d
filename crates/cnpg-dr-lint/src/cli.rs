//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Safe, boring disaster recovery for CloudNativePG clusters managed with kustomize and Argo CD.
#[derive(Debug, Parser)]
#[command(name = "cnpg-dr", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
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

/// When human output is colored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Color {
    /// When stdout is a terminal and NO_COLOR is not set.
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
    /// Color of human output.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: Color,
    /// Use this configuration file instead of looking for .cnpg-dr.yaml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
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
