//! History rules: a lineage is a property of the history, not of a snapshot.
//! They run only with `lint --base REV` and compare each database's working
//! tree with the base revision (matched by directory and Cluster name) and
//! with every lineage the directory wrote in the base's history.

use cnpg_dr_core::history::{CommitInfo, LineageState};
use cnpg_dr_core::lineage::Lineage;

pub use crate::rules::rule::{HistoryContext, WorkingCluster};

pub mod lineage_moved_backwards;
pub mod lineage_reused;
pub mod recovery_source_stale;
pub mod recovery_without_bump;

/// `1a2b3c4 "Bump paperless to v3"`.
pub fn commit_label(commit: &CommitInfo) -> String {
    if commit.summary.is_empty() {
        commit.short().to_string()
    } else {
        format!("{} \"{}\"", commit.short(), commit.summary)
    }
}

/// The two versions when both names are `<prefix>-v<N>` with the same prefix.
pub fn versions(a: &LineageState, b: &LineageState) -> Option<(u64, u64)> {
    let (a, b) = (Lineage::parse(&a.name)?, Lineage::parse(&b.name)?);
    (a.prefix == b.prefix).then_some((a.version, b.version))
}
