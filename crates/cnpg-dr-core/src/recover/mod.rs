//! The recovery engine behind `cnpg-dr plan`: the edits that point a
//! database at a restore (the next unused write lineage, the recovery source,
//! the target, the DR switch) and, with [`plan_finish`], the edits that bring
//! it back to steady state. Each plan is a [`ChangeSet`] plus
//! [`RecoveryPlan::unmet`], the intended result that the edited tree, rendered
//! again, must show. Nothing here writes or prints.

pub mod runbook;
pub mod target;

use std::collections::BTreeSet;

use crate::change::{
    flip_switch, one_cluster, switch_entry, switch_must_be_a_block_list, variant, ChangeError,
};
use crate::cnpg::{BootstrapMethod, Cluster, LineageRef, Store};
use crate::discover::{Database, DiscoverOptions, Repository};
use crate::edit::{ChangeSet, EditError, LocatedEdits, NewNode};
use crate::fs::FileSystem;
use crate::lineage::{self, Lineage};

pub use runbook::ClusterNames;
pub use target::RecoveryTarget;

/// What the SRE asked for.
#[derive(Clone, Debug)]
pub struct RecoveryRequest {
    /// `--from`: `vK`, `K` or the full lineage name; None: the lineage the
    /// running Cluster writes.
    pub from: Option<String>,
    pub target: RecoveryTarget,
    /// Lineages the database wrote in its Git history ([`history_lineages`]).
    pub history: Vec<Lineage>,
}

/// Where the highest lineage version was seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeenIn {
    WorkingTree,
    History,
    Both,
}

impl SeenIn {
    pub fn words(self) -> &'static str {
        match self {
            SeenIn::WorkingTree => "in the working tree",
            SeenIn::History => "only in the Git history",
            SeenIn::Both => "in the working tree and the Git history",
        }
    }
}

/// Why a plan restores from the lineage it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FromReason {
    /// `--from`.
    Pinned,
    /// Steady state: the lineage the running Cluster writes.
    Running,
    /// The recovery overlay is already active (a plan again after a failed
    /// restore, or a second `plan --write`): its source is kept, since the
    /// lineage the failed attempt wrote holds no base backup of the data.
    Kept,
}

impl FromReason {
    pub fn words(self) -> &'static str {
        match self {
            FromReason::Pinned => "pinned with --from",
            FromReason::Running => "the lineage the running Cluster writes",
            FromReason::Kept => "kept: the recovery overlay is already active and reads it",
        }
    }
}

/// A recovery, ready to be shown, checked and written.
#[derive(Debug)]
pub struct RecoveryPlan {
    pub changes: ChangeSet,
    pub names: ClusterNames,
    /// `native barmanObjectStore` or `Barman Cloud plugin`.
    pub shape: &'static str,
    /// The lineage the restore reads.
    pub from: String,
    /// Why `from` was chosen.
    pub from_reason: FromReason,
    /// True when `from` appears nowhere (working tree or history).
    pub from_unseen: bool,
    /// The lineage the recovered Cluster writes.
    pub write: Lineage,
    /// The Cluster's current write lineage.
    pub current: String,
    /// The highest version seen of the prefix (0: no versioned lineage yet), and where.
    pub highest: (u64, SeenIn),
    pub target: RecoveryTarget,
    /// The active switch entries before the plan, and the one after.
    pub switch_from: String,
    pub switch_to: String,
    pub flipped: bool,
    /// What the plan removed or decided on its own.
    pub notes: Vec<String>,
}

impl RecoveryPlan {
    /// What the edited database fails to show of the intended result.
    pub fn unmet(&self, edited: &Database) -> Vec<String> {
        let (expect_write, expect_read) = (self.write.to_string(), self.from.as_str());
        let mut p = Vec::new();
        if edited.active().overlay_name() != Some("recovery") {
            p.push("the DR flag does not point at the recovery overlay".to_string());
        }
        for v in &edited.variants {
            for c in v.clusters().filter(|c| c.name() == self.names.cluster) {
                let w = c.write_lineage().map(|l| l.name);
                if w.as_deref() != Some(expect_write.as_str()) {
                    p.push(format!(
                        "the {} overlay writes {} instead of {expect_write}",
                        v.overlay_name().unwrap_or("root"),
                        w.unwrap_or_else(|| "nothing".into())
                    ));
                }
                if c.bootstrap() == Some(BootstrapMethod::Recovery) {
                    let r = c.read_lineage().map(|l| l.name);
                    if r.as_deref() != Some(expect_read) {
                        p.push(format!(
                            "the recovery overlay reads {} instead of {expect_read}",
                            r.unwrap_or_else(|| "nothing".into())
                        ));
                    }
                }
            }
        }
        p
    }

    /// The runbook for after the merge; `db_arg` is how the SRE names the database.
    pub fn runbook(&self, db_arg: &str) -> String {
        runbook::recovery(
            &self.names,
            &self.from,
            &self.write.to_string(),
            &self.target.label(),
            db_arg,
        )
    }
}

/// The return to steady state.
#[derive(Debug)]
pub struct FinishPlan {
    pub changes: ChangeSet,
    pub names: ClusterNames,
    pub switch_from: String,
    pub switch_to: String,
    /// The lineage the recovered Cluster writes, kept.
    pub lineage: String,
    /// The recovery target removed, described.
    pub target_removed: Option<String>,
    /// The recovery overlay readied for the next recovery: (reads, writes).
    pub readied: Option<(String, String)>,
}

impl FinishPlan {
    pub fn unmet(&self, edited: &Database) -> Vec<String> {
        let mut p = Vec::new();
        if edited.active().overlay.as_ref().map(|o| o.entry.as_str())
            != Some(self.switch_to.as_str())
        {
            p.push("the DR flag does not point at the initdb overlay".to_string());
        }
        let w = edited
            .active()
            .clusters()
            .find(|c| c.name() == self.names.cluster)
            .and_then(|c| c.write_lineage())
            .map(|l| l.name);
        if w.as_deref() != Some(self.lineage.as_str()) {
            p.push(format!(
                "the initdb overlay writes {} but the recovered Cluster writes {}: the lineage must stay",
                w.unwrap_or_else(|| "nothing".into()),
                self.lineage
            ));
        }
        p
    }

    pub fn runbook(&self) -> String {
        runbook::finish(&self.names, &self.lineage)
    }
}

/// The lineages the database directory's Clusters wrote in its Git history
/// (every commit that touched the directory, rendered), so that the next
/// lineage is never one written before, even if the working tree no longer
/// mentions it. Outside a Git repository, or when the history cannot be
/// read: none.
pub fn history_lineages(db: &Database) -> Vec<Lineage> {
    use crate::history::{self, GitRepository};
    let Ok(git) = GitRepository::discover(&db.dir) else {
        return Vec::new();
    };
    let Ok(head) = git.resolve("HEAD") else {
        return Vec::new();
    };
    let Ok(rel) = db.dir.strip_prefix(git.workdir()) else {
        return Vec::new();
    };
    let options = DiscoverOptions::default().render;
    match history::load(&git, "HEAD", &head, &[rel.to_path_buf()], &options) {
        Ok(h) => h
            .databases
            .iter()
            .flat_map(|d| d.written.iter().map(|w| Lineage::or_bare(&w.lineage.name)))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Every lineage the working tree's renders mention: written by what is
/// deployed, read by any variant. The write lineage of a dormant overlay is
/// only prepared (`cnpg-dr new` readies the recovery overlay to write v2):
/// it was never written unless the history says so, and counting it would
/// plan v1 -> v3 where the scaffold promised v1 -> v2.
fn tree_lineages(db: &Database) -> Vec<Lineage> {
    let mut out = Vec::new();
    for v in &db.variants {
        for c in v.clusters() {
            if !v.dormant {
                out.extend(c.write_lineage().map(|l| Lineage::or_bare(&l.name)));
            }
            out.extend(c.read_lineage().map(|l| Lineage::or_bare(&l.name)));
        }
    }
    out
}

/// `--from`: `vK`, `K` or the full lineage name.
pub fn parse_from(from: &str, prefix: &str) -> Result<Lineage, String> {
    let version = from
        .strip_prefix('v')
        .or(Some(from))
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(version) = version {
        return Ok(Lineage {
            prefix: prefix.to_string(),
            version,
        });
    }
    match Lineage::parse(from) {
        Some(l) if l.prefix == prefix => Ok(l),
        Some(l) => Err(format!(
            "--from {from}: lineage prefix {} is not this database's ({prefix})",
            l.prefix
        )),
        None => Err(format!("--from {from}: expected vK, K or {prefix}-vK")),
    }
}

fn shape_of(c: &Cluster<'_>) -> &'static str {
    if c.native_store().is_some() {
        "native barmanObjectStore"
    } else {
        "Barman Cloud plugin"
    }
}

/// Writes a lineage: sets the serverName that set it, or adds one where
/// CNPG's default applies.
pub fn write_lineage_edit(
    files: &mut LocatedEdits<'_>,
    l: &LineageRef<'_>,
    value: &str,
) -> Result<(), EditError> {
    if let Some(node) = l.node {
        return files.set_at(&node.span, value);
    }
    if matches!(l.store, Store::Native { .. }) {
        return files.insert_at(&l.anchor.span, "serverName", &NewNode::str(value));
    }
    // The plugin entry (or externalClusters[].plugin): serverName lives in parameters.
    match l
        .anchor
        .get_path(&["parameters"])
        .filter(|p| p.as_map().is_some())
    {
        Some(params) if !params.as_map().is_some_and(|m| m.is_empty()) => {
            files.insert_at(&params.span, "serverName", &NewNode::str(value))
        }
        _ => files.insert_at(
            &l.anchor.span,
            "parameters",
            &NewNode::map([("serverName", NewNode::str(value))]),
        ),
    }
}

/// The suppression comment `plan` writes above a deliberately skipping source.
const SKIP_SUPPRESSION: &str = "# cnpg-dr: ignore[CDR107] ";

/// Writes `reason` as a CDR107 suppression on the line above the source's
/// `serverName: <from>` in `file` (replacing one already there), or, with
/// no reason, removes one left there. Only that line changes.
fn mark_skipped_source(
    fs: &dyn FileSystem,
    changes: &mut ChangeSet,
    file: &std::path::Path,
    from: &str,
    reason: Option<&str>,
) -> Result<(), ChangeError> {
    let (before, text) = match changes.get(file) {
        Some(c) => (c.before.clone(), c.after.clone()),
        None => {
            let bytes = fs.read(file).map_err(|e| ChangeError::AtFile {
                file: file.to_path_buf(),
                line: None,
                message: e.to_string(),
            })?;
            let t = String::from_utf8_lossy(&bytes).into_owned();
            (Some(t.clone()), t)
        }
    };
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let is_source = |l: &str| {
        let t = l.trim();
        t.strip_prefix("serverName:")
            .map(|v| v.trim().trim_matches(['"', '\'']))
            .is_some_and(|v| v == from)
    };
    let at: Vec<usize> = (0..lines.len()).filter(|&i| is_source(lines[i])).collect();
    let [i] = at.as_slice() else {
        // Not found exactly once: leave the text alone (the check then
        // reports CDR107 if it applies, and the SRE decides).
        return Ok(());
    };
    let i = *i;
    let has_mark = i > 0
        && lines[i - 1]
            .trim_start()
            .starts_with(SKIP_SUPPRESSION.trim_end());
    let indent: String = lines[i].chars().take_while(|c| *c == ' ').collect();
    let newline = if lines[i].ends_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let mut out = String::with_capacity(text.len() + 120);
    for (j, l) in lines.iter().enumerate() {
        if has_mark && j + 1 == i {
            continue; // the old mark: replaced or removed
        }
        if j == i {
            if let Some(r) = reason {
                out.push_str(&format!("{indent}{SKIP_SUPPRESSION}{r}{newline}"));
            }
        }
        out.push_str(l);
    }
    if out != text {
        changes.set(file, before, out);
    }
    Ok(())
}

/// Both switch entries, or why the root cannot switch.
fn switch_entries(fs: &dyn FileSystem, db: &Database) -> Result<(String, String), ChangeError> {
    switch_must_be_a_block_list(fs, db)?;
    let Some(recovery) = switch_entry(db, "recovery") else {
        return Err(ChangeError::AtFile {
            file: db.kustomization.clone(),
            line: None,
            message: "the root kustomization has no overlays/recovery line (active or commented): the DR flag cannot point at a recovery".to_string(),
        });
    };
    let Some(initdb) = switch_entry(db, "initdb") else {
        return Err(ChangeError::AtFile {
            file: db.kustomization.clone(),
            line: None,
            message: "the root kustomization has no overlays/initdb line (active or commented)"
                .to_string(),
        });
    };
    Ok((recovery, initdb))
}

fn active_entries(db: &Database) -> String {
    db.flag
        .active()
        .map(|l| l.entry.clone())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The edits of a recovery of `db` (found in `repo`), read through `fs`.
pub fn plan_recovery(
    fs: &dyn FileSystem,
    repo: &Repository,
    db: &Database,
    req: &RecoveryRequest,
) -> Result<RecoveryPlan, ChangeError> {
    let active = one_cluster(db.active(), "active overlay")?;
    let (recovery_entry, _) = switch_entries(fs, db)?;
    let names = ClusterNames::of(repo, db, &active);
    let Some(write) = active.write_lineage() else {
        return Err(ChangeError::refused(format!(
            "Cluster {} has no backups (no barmanObjectStore, no Barman Cloud plugin entry): there is nothing to recover from",
            active.name()
        )));
    };
    let current = Lineage::or_bare(&write.name);
    let in_tree = tree_lineages(db);
    let next = lineage::next_unused(&current, in_tree.iter().chain(&req.history));
    let max_seen = next.version - 1;
    let highest = |ls: &[Lineage]| {
        ls.iter()
            .filter(|l| l.prefix == current.prefix)
            .map(|l| l.version)
            .max()
    };
    let (tree_max, history_max) = (highest(&in_tree), highest(&req.history));
    let seen_in = match (
        tree_max == Some(max_seen) || current.version == max_seen,
        history_max == Some(max_seen),
    ) {
        (true, true) => SeenIn::Both,
        (false, true) => SeenIn::History,
        _ => SeenIn::WorkingTree,
    };
    let rec_variant = variant(db, "recovery").ok_or("the recovery overlay is not rendered")?;
    let rec = one_cluster(rec_variant, "recovery overlay")?;
    if rec.name() != active.name() {
        return Err(ChangeError::refused(format!(
            "the recovery overlay renders Cluster {} but the active one is {}",
            rec.name(),
            active.name()
        )));
    }
    let Some(read) = rec.read_lineage() else {
        return Err(ChangeError::refused(
            "the recovery overlay has no usable recovery source: spec.bootstrap.recovery.source must name a spec.externalClusters[] entry with a barmanObjectStore or a Barman Cloud plugin",
        ));
    };
    let recovery = rec
        .recovery()
        .ok_or("the recovery overlay has no spec.bootstrap.recovery")?;

    // With the recovery overlay already active, the Cluster's write lineage
    // is the one the planned (maybe failed) restore writes: restoring from it
    // would read a lineage with no base backup. Keep the planned source.
    let recovery_active = db.active().overlay_name() == Some("recovery");
    let (from, from_reason) = match &req.from {
        Some(f) => {
            let l = parse_from(f, &current.prefix).map_err(ChangeError::refused)?;
            if l.version == 0 || l.version >= next.version {
                return Err(ChangeError::refused(format!(
                    "--from {f}: {l} is not an earlier lineage (the next unused one is {next})"
                )));
            }
            (l.to_string(), FromReason::Pinned)
        }
        None if recovery_active => (read.name.clone(), FromReason::Kept),
        None => (write.name.clone(), FromReason::Running),
    };
    let mut notes = Vec::new();
    if recovery_active && req.from.is_none() {
        notes.push(format!(
            "the recovery overlay is already active: the restore source stays {from}, and the write lineage moves past {} (a failed attempt may have written it; a lineage is never reused)",
            write.name
        ));
    }
    if from == next.to_string() || (recovery_active && from == write.name) {
        return Err(ChangeError::refused(format!(
            "the recovery source {from} is the lineage the Cluster writes: pass --from with the lineage that holds the backups to restore"
        )));
    }

    let mut files = LocatedEdits::new(fs);
    // The write lineage, wherever a variant sets it (base, or an overlay patch).
    let mut seen_spans = BTreeSet::new();
    for v in &db.variants {
        for c in v.clusters().filter(|c| c.name() == active.name()) {
            let Some(w) = c.write_lineage() else { continue };
            let key = w
                .node
                .map(|n| n.span.clone())
                .unwrap_or_else(|| w.anchor.span.clone());
            if seen_spans.insert((key.file.clone(), key.line, key.column)) {
                write_lineage_edit(&mut files, &w, &next.to_string())?;
            }
        }
    }
    write_lineage_edit(&mut files, &read, &from)?;
    notes.extend(target::edit(&mut files, &recovery, &req.target)?);

    let mut changes = ChangeSet::new();
    files.changes(&mut changes);
    // A source older than the version before the write lineage is CDR107's
    // error unless it is deliberate: when the plan chose it (kept after a
    // failed restore, or pinned with --from), it says why, reviewably, in a
    // suppression above the source; otherwise a stale one is removed.
    let source_file = read
        .node
        .map(|n| n.span.file.to_path_buf())
        .unwrap_or_else(|| read.anchor.span.file.to_path_buf());
    let from_version = Lineage::or_bare(&from).version;
    let reason = match from_reason {
        _ if next.version <= from_version + 1 => None,
        FromReason::Kept => Some(format!(
            "planned again while the recovery was active: {} may hold WAL of the failed attempt but no base backup of the data, {from} does",
            write.name
        )),
        FromReason::Pinned => Some(format!(
            "pinned with `cnpg-dr plan --from`: {from} holds the data to restore"
        )),
        FromReason::Running => Some(format!(
            "{from} is the lineage the running Cluster writes; the versions up to {} were used before ({}) and are skipped so that none is written twice",
            Lineage { prefix: next.prefix.clone(), version: next.version - 1 },
            seen_in.words().trim_start_matches("only ").trim_start_matches("in the ")
        )),
    };
    mark_skipped_source(fs, &mut changes, &source_file, &from, reason.as_deref())?;
    let switch_from = active_entries(db);
    let flipped = flip_switch(fs, &mut changes, db, &recovery_entry)?;
    let from_unseen = req.from.is_some()
        && !in_tree
            .iter()
            .chain(&req.history)
            .any(|l| l.to_string() == from);
    Ok(RecoveryPlan {
        changes,
        names,
        shape: shape_of(&active),
        from,
        from_reason,
        from_unseen,
        write: next,
        current: write.name.clone(),
        highest: (max_seen, seen_in),
        target: req.target.clone(),
        switch_from,
        switch_to: recovery_entry,
        flipped,
        notes,
    })
}

/// The edits that end a recovery: the switch back to initdb, the lineage
/// kept, the recovery target of the finished restore removed. None when the
/// database already is in steady state.
pub fn plan_finish(
    fs: &dyn FileSystem,
    repo: &Repository,
    db: &Database,
    history: &[Lineage],
) -> Result<Option<FinishPlan>, ChangeError> {
    let (_, initdb_entry) = switch_entries(fs, db)?;
    let switch_from = active_entries(db);
    let mut changes = ChangeSet::new();
    if !flip_switch(fs, &mut changes, db, &initdb_entry)? {
        // Already in steady state: nothing to do.
        return Ok(None);
    }
    let active = one_cluster(db.active(), "active overlay")?;
    let names = ClusterNames::of(repo, db, &active);
    let lineage = active
        .write_lineage()
        .map(|l| l.name)
        .unwrap_or_else(|| "(no backups)".to_string());
    // The recovery target belonged to the restore that just ended: left in
    // the dormant overlay it keeps a CDR207 warning forever, and the next
    // recovery, which reads another lineage, must choose its own.
    let mut target_removed = None;
    let mut files = LocatedEdits::new(fs);
    if let Some((recovery, node)) = active.recovery().and_then(|r| r.target().map(|t| (r, t))) {
        target::remove(&mut files, &recovery)?;
        target_removed = Some(target::describe(node));
    }
    // A recovery overlay that sets its own write lineage (the layout `new`
    // writes) is readied for the next recovery, as `new` readied it: it
    // reads the lineage the recovered Cluster writes and writes the next
    // unused one. Left as it is, it would write the live lineage (CDR108).
    let mut readied = None;
    let overlay_dir = db.active().overlay.as_ref().map(|o| o.dir.clone());
    let own_write = active.write_lineage().filter(|w| {
        w.node
            .zip(overlay_dir.as_ref())
            .is_some_and(|(n, d)| n.span.file.starts_with(d))
    });
    if let (Some(w), Some(r)) = (own_write, active.read_lineage()) {
        let current = Lineage::or_bare(&w.name);
        let tree = tree_lineages(db);
        let next = lineage::next_unused(&current, tree.iter().chain(history));
        write_lineage_edit(&mut files, &w, &next.to_string())?;
        write_lineage_edit(&mut files, &r, &w.name)?;
        readied = Some((w.name.clone(), next.to_string()));
    }
    files.changes(&mut changes);
    Ok(Some(FinishPlan {
        changes,
        names,
        switch_from,
        switch_to: initdb_entry,
        lineage,
        target_removed,
        readied,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_accepts_versions_and_names() {
        let l = parse_from("v2", "db").unwrap();
        assert_eq!(l.to_string(), "db-v2");
        assert_eq!(parse_from("3", "db").unwrap().to_string(), "db-v3");
        assert_eq!(parse_from("db-v4", "db").unwrap().version, 4);
        assert!(parse_from("other-v4", "db").is_err());
        assert!(parse_from("x", "db").is_err());
    }
}
