//! Render errors: the cause kustomize would name, plus where it comes from.

use std::fmt;

use crate::yaml::Span;

/// What went wrong, for callers that branch on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RenderErrorKind {
    /// A file or directory is missing or unreadable.
    Io,
    /// A file is not valid YAML, or breaks a hard limit.
    Yaml,
    /// The kustomization file itself is invalid.
    InvalidKustomization,
    /// A resource is malformed (no kind, no name, ...).
    InvalidResource,
    /// Two resources with the same id.
    DuplicateId,
    /// A path escapes the kustomization root (kustomize's load restrictor).
    OutsideRoot,
    /// A kustomization includes itself, directly or through others.
    Cycle,
    /// Bases (or components) nest deeper than the renderer follows.
    TooDeep,
    /// Something cnpg-dr refuses on principle: network, Helm, plugins.
    Refused,
    /// A patch is malformed or cannot be applied.
    Patch,
    /// A generator is malformed.
    Generator,
    /// A transformer (namespace, replicas, ...) cannot run.
    Transformer,
    /// The result cannot be printed (infinite numbers, control characters, ...).
    Output,
}

/// A render failure: kustomize's cause, the chain of includes that led to it,
/// and the source position when one is known.
#[derive(Clone, Debug, PartialEq)]
pub struct RenderError {
    pub kind: RenderErrorKind,
    /// The cause, worded so that it names what kustomize names.
    pub message: String,
    /// Where the offending value was written, when known.
    pub span: Option<Span>,
    /// Outermost first: "accumulating resources from 'base'", ...
    pub context: Vec<String>,
    /// A hint on how to fix it.
    pub help: Option<String>,
    /// Warnings printed before the failure (deprecated fields), as kustomize prints them.
    pub warnings: Vec<String>,
}

impl RenderError {
    pub fn new(kind: RenderErrorKind, message: impl Into<String>) -> Self {
        RenderError {
            kind,
            message: message.into(),
            span: None,
            context: Vec::new(),
            help: None,
            warnings: Vec::new(),
        }
    }

    /// Attaches a source position unless one is already known.
    pub fn at(mut self, span: &Span) -> Self {
        if self.span.is_none() {
            self.span = Some(span.clone());
        }
        self
    }

    /// Adds an outer layer of context.
    pub fn context(mut self, ctx: impl Into<String>) -> Self {
        self.context.insert(0, ctx.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.context {
            write!(f, "{c}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for RenderError {}

impl miette::Diagnostic for RenderError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!("render::{:?}", self.kind).to_lowercase()))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h.clone()) as Box<dyn fmt::Display>)
    }
}

pub type Result<T, E = RenderError> = std::result::Result<T, E>;
