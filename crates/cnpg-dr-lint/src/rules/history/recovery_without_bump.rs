use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::history::HistoryContext;
use crate::rules::rule::Rule;

/// A flip to recovery that keeps the write lineage of the base revision.
pub struct RecoveryWithoutBump;

pub static META: RuleMeta = RuleMeta {
    id: "CDR903",
    name: "recovery-without-bump",
    severity: Severity::Error,
    summary: "The DR switch flips to recovery but the write lineage is the base revision's",
    doc: r#"## What it checks
Runs with `cnpg-dr lint --base REV`. When a Cluster is not in recovery mode at the base revision
and is in the working tree (the DR flag points at the `recovery` overlay, or the effective
bootstrap method is `recovery`), its write lineage must differ from the base revision's: the
bump and the flip belong to the same commit.

## Why it matters during a recovery
The lineage written until now is the one that holds the data: it is what the recovery reads.
A recovered cluster that keeps writing to it archives into the very backups it restores from
(CNPG stops with "Expected empty archive"). Bumping in an earlier pull request is no better:
once deployed, the running cluster starts writing the new lineage, and the later flip meets a
non-empty archive again.

## Example
At `origin/main` the flag is `- overlays/initdb` and the Cluster writes `app-database-v2`; the
pull request changes only the flag:
```yaml
resources:
  # - overlays/initdb
  - overlays/recovery
```

## Fix
In the same commit as the flip, bump the write lineage (`app-database-v3`) and point the
recovery source at the lineage written until now (`app-database-v2`). `cnpg-dr plan DB`
prepares exactly this change.

## References
- CNPG docs, "Recovery" and "Backup and Recovery".
- The DR switch: the one active overlay line of the database's root kustomization.
"#,
};

impl Rule for RecoveryWithoutBump {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_history(&self, ctx: &HistoryContext<'_>, out: &mut Vec<Finding>) {
        let base_overlay = ctx.past.base.as_ref().and_then(|b| b.overlay.as_deref());
        for wc in ctx.clusters() {
            let (Some(now), Some(write)) = (&wc.state.write, wc.cluster.write_lineage()) else {
                continue;
            };
            let Some(then) = ctx.base_cluster(&wc.state.name) else {
                continue;
            };
            if then.recovery || !wc.state.recovery {
                continue;
            }
            if !then.write.as_ref().is_some_and(|t| t.same_as(now)) {
                continue;
            }
            // Point at what flipped: the flag line, else the bootstrap method.
            let flag_moved = base_overlay != wc.state.overlay.as_deref();
            let span = match (&ctx.flag_span, wc.cluster.recovery()) {
                (Some(flag), _) if flag_moved => flag.clone(),
                (_, Some(recovery)) => recovery.node.span.clone(),
                (Some(flag), None) => flag.clone(),
                (None, None) => write.span().clone(),
            };
            let mut f = ctx.finding(
                &META,
                &span,
                format!(
                    "Cluster {} flips to recovery but still writes its backups to lineage {}, as it does at {}: the restored cluster would archive into the backups it restores from (\"Expected empty archive\")",
                    wc.state.name,
                    now.name,
                    ctx.base_label()
                ),
            );
            let next = ctx
                .next_unused(&now.name)
                .map_or_else(|| "a new lineage".to_string(), |l| l.to_string());
            f.help = Some(format!(
                "in this same commit, bump the write lineage (serverName at {}) to {next} and restore from {}",
                ctx.at(write.span()),
                now.name
            ));
            out.push(f);
        }
    }
}
