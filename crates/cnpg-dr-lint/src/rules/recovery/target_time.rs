use cnpg_dr_core::cnpg::Cluster;
use cnpg_dr_core::discover::Variant;
use cnpg_dr_core::time::format_utc;
use cnpg_dr_core::time::target_time::{parse_target_time, TimeError};

use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::lineage::Place;
use crate::rules::rule::{Rule, VariantContext};

/// A point-in-time recovery: the target must be inside the archived WAL, well formed, past, zoned.
pub struct TargetTime;

pub static META: RuleMeta = RuleMeta {
    id: "CDR207",
    name: "recovery-target-time",
    severity: Severity::Warning,
    summary:
        "recoveryTarget.targetTime is set: it must be a past, zoned time inside the archived WAL",
    doc: r#"## What it checks
`spec.bootstrap.recovery.recoveryTarget.targetTime`, whenever it is present:

- an **error** when CNPG cannot parse it ("The format of TargetTime is invalid"), when a field
  is out of range (CNPG's PostgreSQL-style parser admits `2025-02-30 10:00:00`, PostgreSQL then
  refuses it), when it lies in the future, or when it has no time zone (CNPG assumes UTC);
- otherwise a **warning**: the time must lie inside the WAL archived in the source lineage,
  which Git cannot show, so the finding says how to check it.

Accepted formats (CNPG `ParseTargetTime`, tried in order): PostgreSQL style
`YYYY-MM-DD[ HH:MM:SS[.frac][±HH[:MM[:SS]]|Z]][ BC]`, then `YYYY-MM-DDTHH:MM:SS.ffffff±HH:MM`,
RFC 3339 `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, and `YYYY-MM-DDTHH:MM:SS` without a zone.

## Why it matters during a recovery
CNPG picks the newest base backup that ended before the target, and PostgreSQL replays WAL until
the first commit after it. Before the first backup's end there is nothing to start from ("no
target backup found"); after the last archived commit (or in the future) PostgreSQL runs out of
WAL and stops with "FATAL: recovery ended before configured recovery target was reached". A
time without a zone is read as UTC by CNPG, and by PostgreSQL in its `timezone` setting: when
you meant local time, the restore stops hours away from the moment you chose, silently.

## Example
```yaml
spec:
  bootstrap:
    recovery:
      source: origin
      recoveryTarget:
        targetTime: "2025-06-01 03:00:00"    # no zone: UTC
```

## Fix
Write the zone (`2025-06-01 03:00:00+02` or `2025-06-01T01:00:00Z`), check that the time is
after the lineage's first recoverability point and before its last archived WAL, and remove
`recoveryTarget` from the overlay once the restore is done.

## References
- CNPG `validateRecoveryTarget` and machinery `ParseTargetTime` (lib/pq `ParseTimestamp`).
- CNPG docs, "Recovery": point-in-time recovery and the time zone recommendation.
- PostgreSQL `recovery_target_time`; barman-cloud catalog `FindBackupInfo`.
"#,
};

/// The PostgreSQL `timezone` parameter of the Cluster, if set.
fn pg_timezone<'a>(cluster: &Cluster<'a>) -> Option<&'a str> {
    cluster
        .spec(&["postgresql", "parameters"])
        .and_then(|n| n.as_map())
        .and_then(|m| {
            m.iter_str()
                .find(|(k, _)| k.eq_ignore_ascii_case("timezone"))
                .and_then(|(_, v)| v.as_str())
        })
}

fn how_to_check(variant: &Variant, cluster: &Cluster<'_>) -> String {
    match cluster.read_lineage() {
        Some(read) => {
            let place = Place::of(variant, cluster, &read.store);
            let bounds = if place.object_store.is_some() {
                "firstRecoverabilityPoint is the earliest usable time"
            } else {
                "the end time of the oldest backup listed is the earliest usable time"
            };
            format!(
                "check the window of lineage {} before flipping the switch: `{}` ({bounds}; the latest is the last WAL the old cluster archived)",
                read.name,
                place.how_to_list(&read.name)
            )
        }
        None => "check the source lineage's backups (barman-cloud-backup-list, or the ObjectStore's status.serverRecoveryWindow): the time must be after the end of the oldest backup and before the last archived WAL".to_string(),
    }
}

impl Rule for TargetTime {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        for cluster in ctx.variant.clusters() {
            let Some(node) = cluster
                .recovery()
                .and_then(|r| r.target_field("targetTime"))
            else {
                continue;
            };
            let Some(text) = node.as_str() else { continue };
            let lineage = cluster
                .read_lineage()
                .map(|r| format!(" in lineage {}", r.name))
                .unwrap_or_default();
            let f = match parse_target_time(text) {
                Err(TimeError::Format) => {
                    let mut f = ctx.finding(
                        &META,
                        &node.span,
                        format!(
                            "targetTime {text:?} is not in a format CNPG accepts: the Cluster is rejected with \"The format of TargetTime is invalid\""
                        ),
                    );
                    f.help = Some("write it as \"YYYY-MM-DD HH:MM:SS+00\" (PostgreSQL style) or \"YYYY-MM-DDTHH:MM:SSZ\" (RFC 3339), with the offset you mean".to_string());
                    f.severity = Severity::Error;
                    f
                }
                Err(TimeError::Range(problem)) => {
                    let mut f = ctx.finding(
                        &META,
                        &node.span,
                        format!(
                            "targetTime {text:?} has {problem}: CNPG admits it, but PostgreSQL cannot use it as recovery_target_time and the restore fails"
                        ),
                    );
                    f.help = Some(
                        "correct the date and time; write the zone too (\"+00\" for UTC)"
                            .to_string(),
                    );
                    f.severity = Severity::Error;
                    f
                }
                Ok(p) if p.unix > ctx.settings.now_unix => {
                    let mut f = ctx.finding(
                        &META,
                        &node.span,
                        format!(
                            "targetTime {text:?} ({} UTC) is in the future: no WAL{lineage} reaches it, so PostgreSQL replays everything and stops with \"FATAL: recovery ended before configured recovery target was reached\"",
                            format_utc(p.unix)
                        ),
                    );
                    f.help = Some("use a past time inside the archived window, or remove recoveryTarget to restore up to the last archived WAL".to_string());
                    f.severity = Severity::Error;
                    f
                }
                Ok(p) if !p.zoned => {
                    let pg = match pg_timezone(&cluster) {
                        Some(tz) => format!(
                            ", while PostgreSQL reads it in the Cluster's timezone parameter ({tz}): the backup CNPG picks and the point PostgreSQL stops at disagree"
                        ),
                        None => String::new(),
                    };
                    let mut f = ctx.finding(
                        &META,
                        &node.span,
                        format!(
                            "targetTime {text:?} has no time zone: CNPG reads it as UTC{pg}; if you meant local time, the restore silently stops hours away from the moment you chose"
                        ),
                    );
                    let fixed = if p.date_only {
                        format!("{text} 00:00:00+00:00")
                    } else {
                        format!("{text}+00:00")
                    };
                    f.help = Some(format!(
                        "write the offset you mean, e.g. \"{fixed}\" for UTC; {}",
                        how_to_check(ctx.variant, &cluster)
                    ));
                    f.severity = Severity::Error;
                    f
                }
                Ok(p) => {
                    let mut f = ctx.finding(
                        &META,
                        &node.span,
                        format!(
                            "targetTime {text:?} ({} UTC) must lie inside the WAL archived{lineage}, which Git cannot show: before the end of the oldest base backup CNPG finds nothing (\"no target backup found\"), after the last archived commit PostgreSQL stops with \"recovery ended before configured recovery target was reached\"",
                            format_utc(p.unix)
                        ),
                    );
                    f.help = Some(format!(
                        "{}; remove recoveryTarget from the overlay once the restore is done",
                        how_to_check(ctx.variant, &cluster)
                    ));
                    f
                }
            };
            out.push(f);
        }
    }
}
