use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::history::{commit_label, HistoryContext};
use crate::rules::rule::Rule;

/// A write lineage changed to one that the directory already wrote.
pub struct LineageReused;

pub static META: RuleMeta = RuleMeta {
    id: "CDR902",
    name: "lineage-reused",
    severity: Severity::Error,
    summary: "The write lineage changed to one already written in the directory's history",
    doc: r#"## What it checks
Runs with `cnpg-dr lint --base REV`. When a Cluster's write lineage (its effective `serverName`)
differs from the base revision's, the new lineage must never have been written before: the rule
walks every commit reachable from the base that changed the database directory (comparing the
directory's Git tree between each commit and its parents), renders those commits, and collects
every write lineage of the directory. A lineage in another bucket or path (a different
`destinationPath`) is a different archive and does not count.

## Why it matters during a recovery
A lineage that was written holds WAL and base backups. A cluster that starts writing to it
again either stops with "Expected empty archive" (the recovery stalls while the database is
down) or, with the check skipped, interleaves a new timeline with the old one, so that a later
restore from that prefix replays a history that never happened. Reuse also happens going
forward: after a revert, the next "bump" lands on a version that was already used.

## Example
The history wrote `app-database-v1`, `v2`, then `v3`; the pull request sets:
```yaml
parameters: {barmanObjectName: store, serverName: app-database-v2}
```

## Fix
Write to a version never used in this directory (the help names the one after the newest), and
keep reading from the lineage that holds the data.

## References
- CNPG docs, "Backup and Recovery": WAL archive and `serverName`.
- CNPG's "Expected empty archive" check (`cnpg.io/skipEmptyWalArchiveCheck`).
"#,
};

impl Rule for LineageReused {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_history(&self, ctx: &HistoryContext<'_>, out: &mut Vec<Finding>) {
        for wc in ctx.clusters() {
            let (Some(now), Some(write)) = (&wc.state.write, wc.cluster.write_lineage()) else {
                continue;
            };
            let unchanged = ctx
                .base_cluster(&wc.state.name)
                .and_then(|b| b.write.as_ref())
                .is_some_and(|then| then.same_as(now));
            if unchanged {
                continue;
            }
            let Some(written) = ctx.past.written(now) else {
                continue;
            };
            let when = if written.first == written.last {
                format!("in commit {}", commit_label(&written.first))
            } else {
                format!(
                    "from commit {} to {}",
                    commit_label(&written.first),
                    commit_label(&written.last)
                )
            };
            let by = if written.cluster == wc.state.name {
                String::new()
            } else {
                format!(" (by Cluster {})", written.cluster)
            };
            let mut f = ctx.finding(
                &META,
                write.span(),
                format!(
                    "Cluster {} writes its backups to lineage {}, which this directory already wrote{by} {when} in the history of {}: a reused lineage fails with \"Expected empty archive\" or pollutes the old archive",
                    wc.state.name,
                    now.name,
                    ctx.base_label()
                ),
            );
            if let Some(next) = ctx.next_unused(&now.name) {
                f.help = Some(format!(
                    "write to {next} (serverName at {}), a lineage never written",
                    ctx.at(write.span())
                ));
            }
            out.push(f);
        }
    }
}
