use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::history::{versions, HistoryContext};
use crate::rules::rule::Rule;

/// A write lineage whose version went down since the base revision.
pub struct LineageMovedBackwards;

pub static META: RuleMeta = RuleMeta {
    id: "CDR901",
    name: "lineage-moved-backwards",
    severity: Severity::Error,
    summary: "The write lineage's version is lower than at the base revision",
    doc: r#"## What it checks
Runs with `cnpg-dr lint --base REV`. For every Cluster of the working tree's active render, the
write lineage (the effective `serverName` the Cluster archives to, `<prefix>-v<N>`) is compared
with the write lineage of the Cluster of the same name, in the same database directory, at the
base revision. The version must not go down. A move to another bucket or path (a different
`destinationPath`) starts afresh and is not compared.

## Why it matters during a recovery
Every recovery bumps the lineage: `v(N-1)` holds the data the cluster was restored from, `vN`
is where it writes now. Going back to an older version points the cluster at an archive that
already holds another cluster's WAL and base backups: CNPG refuses with "Expected empty
archive", or (with the check skipped) mixes timelines so that the next restore replays the
wrong history. Typical causes: a revert of the commit that bumped the lineage, a merge that
took the wrong side, a copy-paste from another environment.

## Example
At `origin/main` the Cluster writes `app-database-v3`; the pull request has:
```yaml
plugins:
  - name: barman-cloud.cloudnative-pg.io
    isWALArchiver: true
    parameters: {barmanObjectName: store, serverName: app-database-v2}
```

## Fix
Write to the next version that was never written (`app-database-v4`); the finding's help names
it, after the newest version found in the directory's history. If the revert was deliberate
(the newer lineage was never deployed), disable the finding on that line with a reason.

## References
- CNPG docs, "Backup and Recovery": a new cluster must write to an empty archive.
- Barman Cloud plugin: the `serverName` parameter.
"#,
};

impl Rule for LineageMovedBackwards {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_history(&self, ctx: &HistoryContext<'_>, out: &mut Vec<Finding>) {
        for wc in ctx.clusters() {
            let (Some(now), Some(write)) = (&wc.state.write, wc.cluster.write_lineage()) else {
                continue;
            };
            let Some(then) = ctx
                .base_cluster(&wc.state.name)
                .and_then(|b| b.write.as_ref())
            else {
                continue;
            };
            if !now.same_place(then) {
                continue;
            }
            let Some((v_now, v_then)) = versions(now, then) else {
                continue;
            };
            if v_now >= v_then {
                continue;
            }
            let mut f = ctx.finding(
                &META,
                write.span(),
                format!(
                    "Cluster {} writes its backups to lineage {}, behind {} that it writes at {}: a lineage only moves forward",
                    wc.state.name,
                    now.name,
                    then.name,
                    ctx.base_label()
                ),
            );
            if let Some(next) = ctx.next_unused(&now.name) {
                f.help = Some(format!(
                    "write to {next} (serverName at {}), the version after the newest one this directory ever wrote",
                    ctx.at(write.span())
                ));
            }
            out.push(f);
        }
    }
}
