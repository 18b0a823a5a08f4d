use cnpg_dr_core::yaml::Node;

use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::rule::{Rule, VariantContext};

/// More than one recovery target, or a target that needs a backupID without one.
pub struct TargetExclusive;

pub static META: RuleMeta = RuleMeta {
    id: "CDR209",
    name: "recovery-target-exclusive",
    severity: Severity::Error,
    summary: "recoveryTarget sets several targets, or targetName/XID/Immediate without backupID",
    doc: r#"## What it checks
`spec.bootstrap.recovery.recoveryTarget` sets at most one of `targetImmediate`, `targetLSN`,
`targetName`, `targetXID` and `targetTime` (`targetTLI`, `backupID` and `exclusive` do not
count; `targetImmediate: false` *does*, as in CNPG). `targetName`, `targetXID` and
`targetImmediate` also need `backupID`, unless the recovery uses `volumeSnapshots`.

## Why it matters during a recovery
CNPG rejects the Cluster at admission, with "Recovery target options are mutually exclusive" or
"spec.bootstrap.recovery.recoveryTarget: Required value: BackupID is missing". The overlay was
edited under pressure, the apply fails, and the error has to be decoded before the restore can
even start. (CNPG requires the backupID for these targets because it cannot tell which base
backup precedes a restore point, a transaction id or "immediate".)

## Example
```yaml
recoveryTarget:
  targetTime: "2026-01-02 03:00:00+00"
  targetName: before-migration
```

## Fix
Keep one target. With `targetName`, `targetXID` or `targetImmediate`, add the `backupID` of the
base backup to start from (barman's restore point after each backup is `barman_<backupID>`).

## References
- CNPG `validateTargetExclusiveness` and `validateRecoveryTarget`.
"#,
};

const TARGETS: [&str; 5] = [
    "targetImmediate",
    "targetLSN",
    "targetName",
    "targetXID",
    "targetTime",
];

/// The target fields CNPG counts: non-null booleans, non-empty strings.
fn present(target: &Node) -> Vec<(&'static str, &Node)> {
    TARGETS
        .iter()
        .filter_map(|&key| {
            let node = target.get_path(&[key]).filter(|n| !n.is_null())?;
            let counts = key == "targetImmediate" || node.as_str().is_none_or(|s| !s.is_empty());
            counts.then_some((key, node))
        })
        .collect()
}

impl Rule for TargetExclusive {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        for cluster in ctx.variant.clusters() {
            let Some(rec) = cluster.recovery() else {
                continue;
            };
            let Some(target) = rec.target() else {
                continue;
            };
            let set = present(target);
            if set.len() > 1 {
                let names: Vec<&str> = set.iter().map(|(k, _)| *k).collect();
                let immediate_false = set
                    .iter()
                    .any(|(k, n)| *k == "targetImmediate" && cnpg_dr_core::cnpg::is_false(Some(n)));
                let mut f = ctx.finding(
                    &META,
                    &set[1].1.span,
                    format!(
                        "recoveryTarget of Cluster {} sets {}: CNPG rejects the Cluster with \"Recovery target options are mutually exclusive\"{}",
                        cluster.name(),
                        names.join(" and "),
                        if immediate_false {
                            " (targetImmediate counts even when false)"
                        } else {
                            ""
                        }
                    ),
                );
                f.help = Some(format!("keep exactly one of {}", names.join(", ")));
                out.push(f);
            }
            let has_backup_id = target
                .get_path(&["backupID"])
                .and_then(Node::as_str)
                .is_some_and(|s| !s.is_empty());
            if has_backup_id || rec.field("volumeSnapshots").is_some() {
                continue;
            }
            for (key, node) in set
                .iter()
                .filter(|(k, _)| matches!(*k, "targetName" | "targetXID" | "targetImmediate"))
            {
                let mut f = ctx.finding(
                    &META,
                    &node.span,
                    format!(
                        "recoveryTarget of Cluster {} sets {key} without backupID: CNPG rejects the Cluster with \"spec.bootstrap.recovery.recoveryTarget: Required value: BackupID is missing\", since it cannot tell which base backup precedes the target",
                        cluster.name()
                    ),
                );
                f.help = Some("add backupID: the barman ID (YYYYMMDDTHHMMSS) of the last base backup before the target, from `barman-cloud-backup-list` or a Backup object's status.backupId".to_string());
                out.push(f);
            }
        }
    }
}
