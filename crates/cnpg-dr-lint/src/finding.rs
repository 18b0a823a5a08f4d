//! Findings: what a rule reports, and the rule identity they carry. A leaf:
//! it imports nothing from the rules, the suppressions or the configuration.

use std::fmt;
use std::path::PathBuf;

use cnpg_dr_core::yaml::Span;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// A rule's identity and documentation. `doc` is Markdown with the sections
/// *What it checks*, *Why it matters during a recovery*, *Example*, *Fix*,
/// *References*; it feeds `cnpg-dr explain`, `docs/rules/` and SARIF help.
#[derive(Debug)]
pub struct RuleMeta {
    pub id: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// One line: what the rule catches.
    pub summary: &'static str,
    pub doc: &'static str,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem, located at the source line that set the offending value.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// Stable rule id (e.g. `CDR101`).
    pub rule: &'static str,
    /// Kebab-case rule name (e.g. `lineage-write-equals-source`).
    pub name: &'static str,
    pub severity: Severity,
    /// What is wrong and why it matters, in plain words.
    pub message: String,
    /// Where: file, line and column of the source that set the value.
    pub span: Option<Span>,
    /// The file when no finer position is known.
    pub file: Option<PathBuf>,
    /// The database directory the finding concerns.
    pub database: Option<PathBuf>,
    /// The overlay (`recovery`, `initdb`, ...) whose render showed the problem.
    pub overlay: Option<String>,
    /// True when the overlay is not the active one today.
    pub dormant: bool,
    /// How to fix it.
    pub help: Option<String>,
}

impl Finding {
    /// A finding of `meta`'s rule at `span`, with the rule's default severity
    /// and no database attached (contexts add theirs).
    pub fn new(meta: &RuleMeta, span: &Span, message: impl Into<String>) -> Finding {
        Finding {
            rule: meta.id,
            name: meta.name,
            severity: meta.severity,
            message: message.into(),
            span: Some(span.clone()),
            file: None,
            database: None,
            overlay: None,
            dormant: false,
            help: None,
        }
    }

    /// The file the finding points into.
    pub fn path(&self) -> Option<&std::path::Path> {
        self.span
            .as_ref()
            .map(|s| s.file.as_ref())
            .or(self.file.as_deref())
    }
    pub fn line(&self) -> u32 {
        self.span.as_ref().map_or(1, |s| s.line)
    }
    pub fn column(&self) -> u32 {
        self.span.as_ref().map_or(1, |s| s.column)
    }
}
