use super::{lineage_span, same_place, Place, SKIP_EMPTY_WAL_ARCHIVE_CHECK};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::helpers::at;
use crate::rules::rule::{Rule, VariantContext};

/// A recovery that writes to the lineage it restores from.
pub struct WriteEqualsSource;

pub static META: RuleMeta = RuleMeta {
    id: "CDR101",
    name: "lineage-write-equals-source",
    severity: Severity::Error,
    summary: "The recovering Cluster writes its backups to the lineage it restores from",
    doc: r#"## What it checks
In recovery mode, the Cluster's write lineage (the effective `serverName` of
`spec.backup.barmanObjectStore` or of the archiving Barman Cloud plugin entry) must differ from
the read lineage (the effective `serverName` of the `externalClusters` entry named by
`bootstrap.recovery.source`) when both live in the same object store. CNPG's defaults are
applied: the plugin's recovery `serverName` defaults to the new Cluster's own name, so an unset
recovery `serverName` reads from the write lineage.

## Why it matters during a recovery
The restored Cluster starts archiving WAL into the very lineage it is reading. CNPG refuses with
"Expected empty archive" (the recovery stalls at 3 a.m.), or, with the check disabled, mixes a
new timeline into the only copy of the data you are trying to restore.

## Example
```yaml
spec:
  plugins:
    - name: barman-cloud.cloudnative-pg.io
      parameters: {barmanObjectName: store, serverName: app-database-v2}
  externalClusters:
    - name: origin
      plugin:
        name: barman-cloud.cloudnative-pg.io
        parameters: {barmanObjectName: store, serverName: app-database-v2}
```

## Fix
Bump the write lineage (`app-database-v3`) in the same commit that flips the DR switch to the
recovery overlay; keep the recovery source on the lineage that holds the data
(`app-database-v2`). `cnpg-dr plan DB` prepares exactly this change.

## References
- CNPG docs, "Recovery": the destination of a recovered cluster must not be the source's.
- Barman Cloud plugin: `serverName` parameter and its defaults.
"#,
};

impl Rule for WriteEqualsSource {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        for cluster in ctx.variant.clusters() {
            let (Some(write), Some(read)) = (cluster.write_lineage(), cluster.read_lineage())
            else {
                continue;
            };
            if write.name != read.name
                || same_place(
                    &Place::of(ctx.variant, &cluster, &write.store),
                    &Place::of(ctx.variant, &cluster, &read.store),
                ) != Some(true)
            {
                continue;
            }
            // The deliberate skipEmptyWalArchiveCheck pattern has its own rule.
            if cluster.annotation(SKIP_EMPTY_WAL_ARCHIVE_CHECK).is_some() {
                continue;
            }
            let how = if read.defaulted() {
                " (the recovery serverName is unset, and the plugin defaults it to the new Cluster's own name)"
            } else {
                ""
            };
            let mut f = ctx.finding(
                &META,
                &lineage_span(&read),
                format!(
                    "Cluster {} restores from lineage {} and writes its backups to the same lineage in {}{how}",
                    cluster.name(),
                    read.name,
                    write.store.describe()
                ),
            );
            f.help = Some(format!(
                "bump the write lineage (serverName at {}) to the next unused version and keep the recovery source on {}",
                at(ctx, &lineage_span(&write)),
                read.name
            ));
            out.push(f);
        }
    }
}
