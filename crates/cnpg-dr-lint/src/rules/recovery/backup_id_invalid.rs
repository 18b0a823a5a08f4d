use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::rule::{Rule, VariantContext};
use cnpg_dr_core::time::{days_from_civil, days_in_month};

/// A recovery backupID that is not a barman backup ID.
pub struct BackupIdInvalid;

pub static META: RuleMeta = RuleMeta {
    id: "CDR208",
    name: "recovery-backup-id-invalid",
    severity: Severity::Error,
    summary: "recoveryTarget.backupID is not a barman backup ID (YYYYMMDDTHHMMSS)",
    doc: r#"## What it checks
`spec.bootstrap.recovery.recoveryTarget.backupID` must be a barman backup ID: the time the base
backup started, written `YYYYMMDDTHHMMSS` (`20260102T030405`), a valid date and time, not in the
future. Values that look like a backup's *name* (`backup-20260102030405` from the plugin,
`<scheduledbackup>-20260102030405` for a Backup object) are called out as such.

## Why it matters during a recovery
CNPG does not validate the value at admission: the full-recovery job looks the ID up in the
lineage's catalog and fails with "no backup found with ID <value>", after the Cluster was created
and the incident clock kept running. A Backup object's name and barman's backup name carry a
timestamp too, but not necessarily the same second as the ID.

## Example
```yaml
spec:
  bootstrap:
    recovery:
      source: origin
      recoveryTarget:
        backupID: backup-20260102030405
```

## Fix
Take the ID from `barman-cloud-backup-list <destinationPath> <serverName>` (column "Backup ID")
or from the Backup object's `status.backupId`.

## References
- barman-cloud: backup IDs are `datetime.now().strftime("%Y%m%dT%H%M%S")`.
- barman-cloud catalog `FindBackupInfo`: "no backup found with ID %s".
"#,
};

/// Why a backup ID is not one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdProblem {
    /// Not `YYYYMMDDTHHMMSS` at all.
    Shape,
    /// Shaped like a backup or Backup-object name, with this timestamp in it.
    Name(String),
    /// The right shape, an impossible date or time.
    Range(String),
    /// A valid time, later than now (seconds since the epoch, UTC as barman writes it).
    Future(i64),
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn num(s: &str, range: std::ops::Range<usize>) -> i64 {
    s.get(range)
        .and_then(|d| d.parse::<i64>().ok())
        .unwrap_or(-1)
}

/// Checks a backupID against barman's `%Y%m%dT%H%M%S`; `now` in Unix seconds.
pub fn check_backup_id(id: &str, now: i64) -> Result<(), IdProblem> {
    let shaped = id.len() == 15
        && id.get(..8).is_some_and(digits)
        && id.as_bytes().get(8) == Some(&b'T')
        && digits(id.get(9..).unwrap_or(""));
    if !shaped {
        // `backup-20260102030405`, `app-daily-20260102030405`, `20260102030405`.
        let tail = id.rsplit('-').next().unwrap_or(id);
        if tail.len() == 14 && digits(tail) {
            return Err(IdProblem::Name(format!("{}T{}", &tail[..8], &tail[8..])));
        }
        return Err(IdProblem::Shape);
    }
    let (year, month, day) = (num(id, 0..4), num(id, 4..6), num(id, 6..8));
    let (hour, minute, second) = (num(id, 9..11), num(id, 11..13), num(id, 13..15));
    if !(1..=12).contains(&month) {
        return Err(IdProblem::Range(format!("month {month}")));
    }
    if day < 1 || day > days_in_month(year, month) {
        return Err(IdProblem::Range(format!(
            "day {day} of {year:04}-{month:02}"
        )));
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Err(IdProblem::Range(format!(
            "time {hour:02}:{minute:02}:{second:02}"
        )));
    }
    let unix = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    if unix > now {
        return Err(IdProblem::Future(unix));
    }
    Ok(())
}

impl Rule for BackupIdInvalid {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        for cluster in ctx.variant.clusters() {
            let Some(node) = cluster.recovery().and_then(|r| r.target_field("backupID")) else {
                continue;
            };
            let id = node.as_str().unwrap_or("");
            let Err(problem) = check_backup_id(id, ctx.settings.now_unix) else {
                continue;
            };
            let lineage = cluster
                .read_lineage()
                .map(|r| format!(" in lineage {}", r.name))
                .unwrap_or_default();
            let fails = format!(
                "the full-recovery job fails with \"no backup found with ID {id}\" after the Cluster is created"
            );
            let why = match &problem {
                IdProblem::Shape => format!(
                    "is not a barman backup ID (YYYYMMDDTHHMMSS, the time the backup started, e.g. 20260102T030405): {fails}"
                ),
                IdProblem::Name(guess) => format!(
                    "looks like a backup's name, not its barman ID: CNPG looks the ID up{lineage}, so {fails}; the ID is close to {guess} but need not be the same second"
                ),
                IdProblem::Range(what) => format!(
                    "has the backup ID shape but an impossible {what}: {fails}"
                ),
                IdProblem::Future(_) => format!(
                    "is a time in the future, so no such backup exists{lineage} yet: {fails}"
                ),
            };
            let mut f = ctx.finding(&META, &node.span, format!("backupID {id:?} {why}"));
            f.help = Some(format!(
                "copy the ID from `barman-cloud-backup-list <destinationPath> <serverName>` (column \"Backup ID\") or from the Backup object's status.backupId{}",
                if matches!(problem, IdProblem::Name(_)) { "" } else { ", or remove backupID to let CNPG pick the newest backup" }
            ));
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_000_000; // 2026-11-18

    #[test]
    fn accepts_barman_ids() {
        assert_eq!(check_backup_id("20260102T030405", NOW), Ok(()));
        assert_eq!(check_backup_id("20240229T235959", NOW), Ok(()));
    }

    #[test]
    fn recognises_backup_names() {
        for (name, guess) in [
            ("backup-20260102030405", "20260102T030405"),
            ("gitea-database-daily-20260102030405", "20260102T030405"),
            ("20260102030405", "20260102T030405"),
        ] {
            assert_eq!(
                check_backup_id(name, NOW),
                Err(IdProblem::Name(guess.to_string())),
                "{name}"
            );
        }
    }

    #[test]
    fn rejects_other_shapes_and_impossible_times() {
        for bad in [
            "",
            "latest",
            "2026-01-02T03:04:05",
            "20260102t030405",
            "20260102T0304",
            "20260102T030405Z",
            "é0260102T030405",
            "2026010é030405",
        ] {
            assert_eq!(check_backup_id(bad, NOW), Err(IdProblem::Shape), "{bad:?}");
        }
        assert_eq!(
            check_backup_id("20261301T030405", NOW),
            Err(IdProblem::Range("month 13".into()))
        );
        assert_eq!(
            check_backup_id("20250229T030405", NOW),
            Err(IdProblem::Range("day 29 of 2025-02".into()))
        );
        assert_eq!(
            check_backup_id("20260102T240000", NOW),
            Err(IdProblem::Range("time 24:00:00".into()))
        );
        assert!(matches!(
            check_backup_id("20991231T000000", NOW),
            Err(IdProblem::Future(_))
        ));
    }
}
