use cnpg_dr_core::lineage::Lineage;

use super::{lineage_span, versioned_pair, VersionedPair};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::helpers::at;
use crate::rules::rule::{Rule, VariantContext};

/// A recovery that reads a lineage several versions older than the one it writes.
pub struct SourceSkipsVersions;

pub static META: RuleMeta = RuleMeta {
    id: "CDR107",
    name: "lineage-source-skips-versions",
    severity: Severity::Error,
    summary: "The recovery reads a lineage older than the one before its write lineage",
    doc: r#"## What it checks
In recovery mode (the active overlay or a dormant one), when the read lineage (the recovery
source's effective `serverName`) and the write lineage share a `<prefix>-v<N>` prefix and live in
the same object store, the source must be the version just before the write: reading `vK` while
writing `vN` with `N > K + 1` is reported. No `--base` is needed: the working tree shows it.

## Why it matters during a recovery
Every recovery reads the lineage the running Cluster wrote and writes the next one. When the
write lineage was bumped but the source was left on an older lineage (the source of the previous
drill), the lineages in between were written after it: the newest data is there. The restore
then succeeds, from old data, and everything written since is silently gone.

Skipping is sometimes deliberate: planning again after a failed restore keeps the source and
moves the write lineage past the one the failed attempt polluted (`cnpg-dr plan` then writes the
suppression, with that reason), or restoring from before a bad migration. Say why with an inline
suppression.

## Example
The Cluster wrote `app-database-v2` until now; the recovery writes `v3` but still reads `v1`:
```yaml
spec:
  plugins:
    - name: barman-cloud.cloudnative-pg.io
      parameters: {barmanObjectName: store, serverName: app-database-v3}
  externalClusters:
    - name: origin
      plugin:
        name: barman-cloud.cloudnative-pg.io
        parameters: {barmanObjectName: store, serverName: app-database-v1}
```

## Fix
Read the lineage the running Cluster wrote (here `app-database-v2`). If the older one is
deliberate, confirm it holds a base backup and the data you want, and say so:
`# cnpg-dr: ignore[CDR107] v2 holds no base backup: the restore into it failed`.

## References
- Barman Cloud plugin docs, "Usage": restore from the previous serverName, archive to a fresh one.
- CNPG docs, "Recovery": `externalClusters` and `serverName`.
"#,
};

impl Rule for SourceSkipsVersions {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        for cluster in ctx.variant.clusters() {
            let Some(VersionedPair {
                write: _,
                read,
                w,
                r,
                place,
            }) = versioned_pair(ctx.variant, &cluster)
            else {
                continue;
            };
            if w.version <= r.version.saturating_add(1) {
                continue;
            }
            let newest = Lineage {
                prefix: w.prefix.clone(),
                version: w.version - 1,
            };
            let between = if w.version - r.version == 2 {
                format!("{newest} lies")
            } else {
                format!("{} to {newest} lie", r.next())
            };
            let mut f = ctx.finding(
                &META,
                &lineage_span(&read),
                format!(
                    "Cluster {} restores from lineage {r} but writes {w} in {}: {between} between, written after {r}, so the newest data is likely in {newest}; restoring {r} loses everything written since",
                    cluster.name(),
                    place.describe()
                ),
            );
            f.help = Some(format!(
                "read {newest} (the lineage the running Cluster wrote; set the source serverName at {}), or, if {r} is deliberate ({newest} holds no base backup, or the data must predate it), say why: `# cnpg-dr: ignore[CDR107] <reason>` on the line above",
                at(ctx, &lineage_span(&read))
            ));
            out.push(f);
        }
    }
}
