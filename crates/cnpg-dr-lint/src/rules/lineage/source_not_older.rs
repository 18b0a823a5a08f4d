use super::{lineage_span, versioned_pair, VersionedPair};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::helpers::at;
use crate::rules::rule::{Rule, VariantContext};

/// A recovery whose source lineage is newer than the lineage it writes.
pub struct SourceNotOlder;

pub static META: RuleMeta = RuleMeta {
    id: "CDR103",
    name: "lineage-source-not-older",
    severity: Severity::Error,
    summary: "The recovery reads a newer lineage than the one the Cluster writes",
    doc: r#"## What it checks
In recovery mode, when the read lineage (the recovery source's effective `serverName`) and the
write lineage (the Cluster's archive `serverName`) share a `<prefix>-v<N>` prefix and live in the
same object store, the read version must be older than the write version. Equal versions are
CDR101's (or CDR102's) business; this rule reports a source that is *newer* than the target.

## Why it matters during a recovery
Every recovery moves the lineage forward: restore from `v(N-1)`, write to `vN`. A write lineage
older than the source was written before it, so it almost certainly holds WAL already: CNPG
stops the restore with "Expected empty archive" and the Cluster hangs in "Setting up primary".
Usually the two numbers were swapped, or the base's serverName was not bumped after the last
recovery and the overlay was bumped instead.

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
        parameters: {barmanObjectName: store, serverName: app-database-v3}
```

## Fix
Read the lineage that holds the newest data and write to the next version above every lineage
already used (here: read `app-database-v3`, write `app-database-v4`).

## References
- Barman Cloud plugin docs, "Usage": restore from one serverName, archive to a fresh one.
- CNPG docs, "Recovery": "ensure that each cluster uses a unique serverName".
"#,
};

impl Rule for SourceNotOlder {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        for cluster in ctx.variant.clusters() {
            let Some(VersionedPair {
                write,
                read,
                w,
                r,
                place,
            }) = versioned_pair(ctx.variant, &cluster)
            else {
                continue;
            };
            if r.version <= w.version {
                continue;
            }
            let mut f = ctx.finding(
                &META,
                &lineage_span(&read),
                format!(
                    "Cluster {} restores from lineage {r} but writes its backups to the older lineage {w} in {}: lineages only move forward, so {w} was written before {r} and almost certainly holds WAL already; CNPG then stops the restore with \"Expected empty archive\"",
                    cluster.name(),
                    place.describe()
                ),
            );
            f.help = Some(format!(
                "if {r} holds the data to restore, set the write serverName (at {}) to {}; if the two versions were swapped, read the lineage the previous cluster wrote and write to a version above both",
                at(ctx, &lineage_span(&write)),
                r.next()
            ));
            out.push(f);
        }
    }
}
