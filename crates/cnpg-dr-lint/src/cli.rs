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
    /// Also validate against the CRDs (`*.yaml`) or JSON Schemas (named like
    /// `cluster-postgresql-v1.json`) in DIR; they win over the bundled ones
    /// for the same kind and version. Repeatable.
    #[arg(long, value_name = "DIR")]
    pub schema_dir: Vec<PathBuf>,
    /// Report objects whose kind has no schema (CDR803) instead of skipping them.
    #[arg(long)]
    pub strict_schemas: bool,
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
