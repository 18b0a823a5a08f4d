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
    /// Print a kustomization root rendered exactly as `kubectl kustomize` prints it.
    Render(RenderArgs),
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
