//! Hooks through which long operations say how far they have got, for a
//! caller that shows it (the `cnpg-dr` command draws a progress bar when
//! stderr is a terminal). The library never prints: with [`NoProgress`]
//! nothing happens.

use std::path::Path;

/// What is being counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Rendering the kustomization roots of a repository, each database
    /// with every overlay (discovery).
    Render,
    /// Rendering database directories at the commits of Git history that
    /// changed them (`lint --base`).
    History,
}

impl Phase {
    /// A short label for a progress line.
    pub fn label(self) -> &'static str {
        match self {
            Phase::Render => "rendering",
            Phase::History => "history",
        }
    }
}

/// Receives progress. Every method does nothing by default. They may be
/// called from several threads at once, so they must be cheap and must not
/// block.
pub trait Progress: Sync {
    /// A phase starts, with `total` items to work on.
    fn start(&self, _phase: Phase, _total: usize) {}
    /// Work on one more item of `phase` begins; `item` names it (the
    /// directory being rendered).
    fn item(&self, _phase: Phase, _item: &Path) {}
}

/// Progress that nobody watches.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}
