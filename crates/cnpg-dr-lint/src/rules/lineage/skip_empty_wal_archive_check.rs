use super::{lineage_span, same_place, Place, SKIP_EMPTY_WAL_ARCHIVE_CHECK};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::helpers::at;
use crate::rules::rule::{Rule, VariantContext};

/// A Cluster that turns off CNPG's empty-archive check.
pub struct SkipEmptyWalArchiveCheck;

pub static META: RuleMeta = RuleMeta {
    id: "CDR102",
    name: "skip-empty-wal-archive-check",
    severity: Severity::Error,
    summary:
        "The Cluster disables CNPG's empty-WAL-archive check (cnpg.io/skipEmptyWalArchiveCheck)",
    doc: r#"## What it checks
A Cluster that carries the annotation `cnpg.io/skipEmptyWalArchiveCheck`. The finding is an
error when the value is `enabled` (the only value CNPG honours), and says so explicitly when the
same Cluster also restores from the lineage it writes: the "deliberate write == source" pattern
some runbooks use to avoid bumping `serverName`. Any other value does nothing today and is
reported as a warning, because it is one edit away from turning the check off.

## Why it matters during a recovery
Before a new Cluster archives its first WAL file, and before a recovery starts, CNPG runs
`barman-cloud-check-wal-archive` on the write lineage and stops with "Expected empty archive"
when it already holds WAL. That check is what keeps two histories out of one lineage. With it
disabled, a restored cluster writes a new timeline's WAL and base backups into the very lineage
it restored from (or into another cluster's): retention and later restores then work on a mix
of two histories, and a second failure during the incident leaves no clean copy to go back to.
The CNPG documentation puts it as: "Please don't do this unless you are familiar with
PostgreSQL recovery system, as this can lead you to severe data loss."

## Example
```yaml
metadata:
  annotations:
    cnpg.io/skipEmptyWalArchiveCheck: enabled
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
Remove the annotation. Restore from the lineage that holds the data (`app-database-v2`) and
write to the next unused one (`app-database-v3`), in the same commit that flips the DR switch.

## References
- CNPG docs, "Recovery": the `cnpg.io/skipEmptyWalArchiveCheck` annotation and its warning.
- barman `check_archive_usable()`: "Expected empty archive".
"#,
};

impl Rule for SkipEmptyWalArchiveCheck {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        for cluster in ctx.variant.clusters() {
            let Some(annotation) = cluster.annotation(SKIP_EMPTY_WAL_ARCHIVE_CHECK) else {
                continue;
            };
            let value = annotation.as_str().unwrap_or("");
            let write = cluster.write_lineage();
            let read = cluster.read_lineage();
            let same = match (&write, &read) {
                (Some(w), Some(r)) => {
                    w.name == r.name
                        && same_place(
                            &Place::of(ctx.variant, &cluster, &w.store),
                            &Place::of(ctx.variant, &cluster, &r.store),
                        ) == Some(true)
                }
                _ => false,
            };
            if value != "enabled" {
                let mut f = ctx.finding(
                    &META,
                    &annotation.span,
                    format!(
                        "Cluster {} carries {SKIP_EMPTY_WAL_ARCHIVE_CHECK}: {value:?}; CNPG only skips the empty-WAL-archive check for \"enabled\", so this does nothing today, but it is one edit away from letting the Cluster archive into a lineage that already holds WAL",
                        cluster.name()
                    ),
                );
                f.severity = Severity::Warning;
                f.help = Some("remove the annotation; give every new Cluster (every recovery) a fresh serverName instead".to_string());
                out.push(f);
                continue;
            }
            let mut f = match (same, &write, &read) {
                (true, Some(w), Some(r)) => {
                    let mut f = ctx.finding(
                        &META,
                        &annotation.span,
                        format!(
                            "Cluster {} disables CNPG's empty-WAL-archive check to restore from lineage {} and write its backups to the same lineage in {}: the restored cluster writes a new timeline's WAL and backups into the only copy of the data it restores, and a failure during the restore leaves no clean copy to go back to (CNPG: \"this can lead you to severe data loss\")",
                            cluster.name(),
                            r.name,
                            w.store.describe()
                        ),
                    );
                    f.help = Some(format!(
                        "remove the annotation, keep the recovery source on {} and bump the write lineage (serverName at {}) to the next unused version",
                        r.name,
                        at(ctx, &lineage_span(w))
                    ));
                    f
                }
                _ => {
                    let target = write
                        .as_ref()
                        .map(|w| format!(" lineage {} in {}", w.name, w.store.describe()))
                        .unwrap_or_else(|| " lineage".to_string());
                    let mut f = ctx.finding(
                        &META,
                        &annotation.span,
                        format!(
                            "Cluster {} disables CNPG's empty-WAL-archive check: if its write{target} already holds WAL (a reused serverName, another cluster's lineage), new WAL and backups are mixed into it and the lineage can no longer be restored cleanly (CNPG: \"this can lead you to severe data loss\")",
                            cluster.name()
                        ),
                    );
                    f.help = Some(
                        "remove the annotation; give every new Cluster (every recovery) a fresh serverName instead"
                            .to_string(),
                    );
                    f
                }
            };
            f.severity = Severity::Error;
            out.push(f);
        }
    }
}
