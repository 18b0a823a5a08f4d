//! The database `cnpg-dr new NAME` copies its conventions from when no
//! `--like` is given: one of the repository's existing database directories,
//! picked so the same repository always gives the same answer.

use std::collections::BTreeMap;
use std::path::Path;

use cnpg_dr_core::discover::{discover, Database, DiscoverOptions};
use cnpg_dr_core::fs::RealFs;
use cnpg_dr_core::scaffold::{conventions, Choices};
use cnpg_dr_lint::resolve::repository_root;

use crate::diagnostic::display_path;

/// The neighbour picked, its conventions, and how it was picked.
pub struct Neighbour {
    pub db: Database,
    pub choices: Choices,
    /// What the other databases say, for the conventions the neighbour lacks
    /// (a native-shape database has no ExternalSecret, so no secret store).
    pub others: Choices,
    /// How many databases share the neighbour's conventions.
    share: usize,
    /// How many databases had conventions to read.
    total: usize,
}

impl Neighbour {
    /// One sentence saying which database was copied and why that one.
    pub fn why(&self) -> String {
        let name = self
            .db
            .dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let why = if self.total == 1 {
            "it is the only database directory whose conventions can be read".to_string()
        } else {
            format!(
                "{} of {} database directories share its parent folder, backup shape, bucket, endpoint and secret store, and it is the first of them by path",
                self.share, self.total
            )
        };
        format!(
            "no --like given: copying the conventions of {name} ({}): {why}; pass --like DB to copy another",
            display_path(&self.db.dir),
        )
    }
}

/// The conventions that make a database "like" another: where it lives and
/// where its backups go.
fn signature(db: &Database, c: &Choices) -> String {
    format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        db.dir.parent(),
        c.backup,
        c.destination_path,
        c.endpoint_url,
        c.secret_store,
        c.s3_credentials
    )
}

/// The neighbour for a new database: among the repository's databases whose
/// conventions can be read, those sharing the most common conventions, and
/// of them the first by path. The repository is the nearest directory with
/// `.git` above `from` (or `cwd`), else `cwd`.
pub fn neighbour(from: &Path, cwd: &Path) -> Option<Neighbour> {
    let root = repository_root(&RealFs, from)
        .or_else(|| repository_root(&RealFs, cwd))
        .unwrap_or_else(|| cwd.to_path_buf());
    let repo = discover(&RealFs, &root, &DiscoverOptions::default());
    let mut candidates: Vec<(Database, Choices)> = repo
        .databases
        .into_iter()
        .filter_map(|db| conventions(&db).ok().map(|c| (db, c)))
        .collect();
    candidates.sort_by(|a, b| a.0.dir.cmp(&b.0.dir));
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (db, c) in &candidates {
        *counts.entry(signature(db, c)).or_default() += 1;
    }
    let best = counts.values().copied().max()?;
    let index = candidates
        .iter()
        .position(|(db, c)| counts[&signature(db, c)] == best)?;
    let total = candidates.len();
    let (db, choices) = candidates.remove(index);
    let others = candidates
        .into_iter()
        .fold(Choices::default(), |acc, (_, c)| acc.over(c));
    Some(Neighbour {
        db,
        choices,
        others,
        share: best,
        total,
    })
}
