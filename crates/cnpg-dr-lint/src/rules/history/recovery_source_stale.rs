use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::history::{versions, HistoryContext};
use crate::rules::rule::Rule;

/// A bumped recovery that reads a lineage older than the one written until now.
pub struct RecoverySourceStale;

pub static META: RuleMeta = RuleMeta {
    id: "CDR904",
    name: "recovery-source-stale",
    severity: Severity::Error,
    summary: "The recovery reads a lineage older than the one written at the base revision",
    doc: r#"## What it checks
Runs with `cnpg-dr lint --base REV`. When a Cluster in recovery mode has a write lineage that
moved forward since the base revision, its read lineage (the effective `serverName` of the
`externalClusters` entry named by `bootstrap.recovery.source`) is compared with the lineage the
Cluster wrote at the base revision: the last one written, which holds the newest data. A read
lineage with a lower version is reported.

## Why it matters during a recovery
The usual mistake: the write lineage was bumped, but the recovery source still names the
lineage of the previous drill. The restore then succeeds, from data that is months old, and
everything written since is silently gone: an error. Pinning an older lineage is sometimes
legitimate (restoring from before a bad migration, or when the newest lineage never got a base
backup): confirm that the source holds the data you want and suppress the finding with that
reason. Planning again after a failed restore is not reported: when the base revision was
already a recovery reading the same source, its write lineage is the failed attempt's, not newer
data.

## Example
At `origin/main` the Cluster writes `app-database-v2`; the pull request bumps to `v3` and flips
to recovery, but the source still reads `v1`:
```yaml
externalClusters:
  - name: origin
    plugin:
      name: barman-cloud.cloudnative-pg.io
      parameters: {barmanObjectName: store, serverName: app-database-v1}
```

## Fix
Read from the lineage written until now (`app-database-v2`). If the older lineage is the one
you want, confirm it holds a base backup (list `<destinationPath>/<serverName>/base/` in the
bucket) and suppress the finding with that reason.

## References
- CNPG docs, "Recovery": `externalClusters` and `serverName`.
- Barman Cloud layout: `<destinationPath>/<serverName>/base/` and `/wals/`.
"#,
};

impl Rule for RecoverySourceStale {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_history(&self, ctx: &HistoryContext<'_>, out: &mut Vec<Finding>) {
        for wc in ctx.clusters() {
            if !wc.state.recovery {
                continue;
            }
            let (Some(now), Some(read), Some(read_ref)) =
                (&wc.state.write, &wc.state.read, wc.cluster.read_lineage())
            else {
                continue;
            };
            let Some(then) = ctx
                .base_cluster(&wc.state.name)
                .and_then(|b| b.write.as_ref())
            else {
                continue;
            };
            // Planned again after a failed restore: the base was already a
            // recovery from this source, and wrote only the failed attempt.
            if ctx
                .base_cluster(&wc.state.name)
                .is_some_and(|b| b.recovery && b.read.as_ref().is_some_and(|r| r.same_as(read)))
            {
                continue;
            }
            // Bumped: the write lineage moved forward (a backwards move is CDR901's).
            if then.same_as(now) || !now.same_place(then) {
                continue;
            }
            if versions(now, then).is_some_and(|(n, t)| n < t) {
                continue;
            }
            if !read.same_place(then) {
                continue;
            }
            let Some((v_read, v_then)) = versions(read, then) else {
                continue;
            };
            if v_read >= v_then {
                continue;
            }
            let listing = format!(
                "{}/{}/base/",
                read.location
                    .as_deref()
                    .map_or("<destinationPath>", |l| l.trim_end_matches('/')),
                read.name
            );
            let mut f = ctx.finding(
                &META,
                read_ref.span(),
                format!(
                    "Cluster {} restores from lineage {}, older than {}, the lineage it writes at {} (the newest data is there)",
                    wc.state.name,
                    read.name,
                    then.name,
                    ctx.base_label()
                ),
            );
            f.help = Some(format!(
                "restore from {} unless the older lineage is deliberate; then confirm it holds the data: list {listing} (a base backup must be there)",
                then.name
            ));
            out.push(f);
        }
    }
}
