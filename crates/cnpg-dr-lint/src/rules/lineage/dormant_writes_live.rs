use cnpg_dr_core::cnpg::BootstrapMethod;
use cnpg_dr_core::lineage::Lineage;

use super::{lineage_span, same_place, Place};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::helpers::command_path;
use crate::rules::rule::{DatabaseContext, Rule, VariantContext};

/// A dormant recovery overlay whose own write serverName is the live lineage.
pub struct DormantWritesLive;

pub static META: RuleMeta = RuleMeta {
    id: "CDR108",
    name: "lineage-dormant-writes-live",
    severity: Severity::Error,
    summary:
        "The dormant recovery overlay sets a write lineage that the running Cluster already writes",
    doc: r#"## What it checks
A recovery overlay that sets its own write `serverName` (the layout `cnpg-dr new` writes: the
overlay is ready for the next recovery, reading the running Cluster's lineage and writing the
next one) is compared, while it is dormant, with the lineage the active render writes. When the
overlay's own write lineage is the live one, in the same object store, it is reported. Overlays
that inherit the base's serverName are not: `cnpg-dr plan` bumps them when the switch flips.

## Why it matters during a recovery
The overlay's own lineage went stale: typically one recovery later, when the base was bumped
and the overlay not. Flipping the switch by hand during an incident (as its comments say one
may) then creates a Cluster that archives into the lineage the lost cluster wrote: CNPG stops
with "Expected empty archive" and the restore does not start, or, with the check disabled, two
clusters' WAL mix in one lineage.

## Example
The running Cluster writes `app-database-v2`; the dormant recovery overlay still says:
```yaml
plugins:
  - name: barman-cloud.cloudnative-pg.io
    parameters: {barmanObjectName: store, serverName: app-database-v2}
```

## Fix
Set the overlay's write lineage to the next unused version (and its source to the live one), or
run `cnpg-dr plan --finish` after a recovery, which readies the overlay that way.

## References
- Barman Cloud plugin docs: every Cluster archives to a serverName no one wrote before.
- CNPG docs, "Recovery": "Expected empty archive".
"#,
};

impl Rule for DormantWritesLive {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_database(&self, ctx: &DatabaseContext<'_>, out: &mut Vec<Finding>) {
        let active = ctx.database.active();
        for variant in ctx.database.variants.iter().filter(|v| v.dormant) {
            let Some(overlay) = variant.overlay.as_ref() else {
                continue;
            };
            for cluster in variant.clusters() {
                if cluster.bootstrap() != Some(BootstrapMethod::Recovery) {
                    continue;
                }
                let Some(write) = cluster.write_lineage() else {
                    continue;
                };
                // Only a serverName the overlay itself sets.
                if !write
                    .node
                    .is_some_and(|n| n.span.file.starts_with(&overlay.dir))
                {
                    continue;
                }
                let Some(live_cluster) = active.clusters().find(|c| c.name() == cluster.name())
                else {
                    continue;
                };
                let Some(live) = live_cluster.write_lineage() else {
                    continue;
                };
                if live.name != write.name {
                    continue;
                }
                let place = Place::of(variant, &cluster, &write.store);
                if same_place(&place, &Place::of(active, &live_cluster, &live.store)) != Some(true)
                {
                    continue;
                }
                let vctx = VariantContext {
                    repo: ctx.repo,
                    settings: ctx.settings,
                    database: ctx.database,
                    variant,
                };
                let next = Lineage::parse(&write.name)
                    .map(|l| l.next().to_string())
                    .unwrap_or_else(|| format!("{}-v1", write.name));
                let mut f = vctx.finding(
                    &META,
                    &lineage_span(&write),
                    format!(
                        "the dormant {} overlay of Cluster {} writes {}, the lineage the running Cluster writes in {}: flipped to during an incident, the new Cluster archives into it and CNPG stops with \"Expected empty archive\"",
                        overlay.name,
                        cluster.name(),
                        write.name,
                        place.describe()
                    ),
                );
                f.help = Some(format!(
                    "set it to {next} and the overlay's source to {} (how plan --finish leaves the overlay after a recovery); to recover now, `cnpg-dr plan {}` bumps it as it flips the switch",
                    write.name,
                    command_path(&ctx.database.dir)
                ));
                out.push(f);
            }
        }
    }
}
