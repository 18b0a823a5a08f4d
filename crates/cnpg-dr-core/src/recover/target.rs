//! The recovery target a plan writes: the end of the WAL archive, a point in
//! time, or a base backup.

use crate::cnpg::Recovery;
use crate::edit::{EditError, LocatedEdits, NewNode, Position, Shape};
use crate::yaml::Node;

/// Where the restore stops.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecoveryTarget {
    /// The end of the WAL archive.
    Latest,
    /// `recoveryTarget.targetTime`, RFC 3339 with a zone (checked by [`RecoveryTarget::time`]).
    Time(String),
    /// `recoveryTarget.backupID`.
    BackupId(String),
}

impl RecoveryTarget {
    /// A point in time: RFC 3339 with an explicit zone (`Z` or `±hh:mm`),
    /// since a time without one would be read in the server's zone.
    pub fn time(s: &str) -> Result<RecoveryTarget, String> {
        valid_target_time(s).map(|()| RecoveryTarget::Time(s.to_string()))
    }

    /// A base backup's ID (`20250601T030000`).
    pub fn backup_id(s: &str) -> Result<RecoveryTarget, String> {
        if s.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!(
                "--backup-id {s:?} is not a backup ID (e.g. 20250601T030000)"
            ));
        }
        Ok(RecoveryTarget::BackupId(s.to_string()))
    }

    /// How the plan and the runbook name it.
    pub fn label(&self) -> String {
        match self {
            RecoveryTarget::Latest => "the end of the WAL archive (latest)".to_string(),
            RecoveryTarget::Time(t) => format!("point in time {t}"),
            RecoveryTarget::BackupId(id) => format!("the end of backup {id}"),
        }
    }

    fn key_value(&self) -> Option<(&'static str, &str)> {
        match self {
            RecoveryTarget::Latest => None,
            RecoveryTarget::Time(t) => Some(("targetTime", t)),
            RecoveryTarget::BackupId(id) => Some(("backupID", id)),
        }
    }
}

/// Validates a `--target-time`: RFC 3339 with an explicit zone (`Z` or
/// `±hh:mm`), read by the one RFC 3339 reader ([`crate::time::rfc3339`]).
pub fn valid_target_time(s: &str) -> Result<(), String> {
    use crate::time::rfc3339::{parse_zoned, Rfc3339Error};
    match parse_zoned(s) {
        Ok(_) => Ok(()),
        Err(Rfc3339Error::NoZone) => Err(format!(
            "--target-time {s:?} has no time zone: add Z (UTC) or an offset such as +02:00, so the restore does not depend on the server's zone"
        )),
        Err(Rfc3339Error::Format) => Err(format!(
            "--target-time {s:?} is not RFC 3339 with a zone (e.g. 2025-06-01T03:00:00Z or 2025-06-01T05:00:00+02:00)"
        )),
    }
}

/// `targetTime: ..., backupID: ...`, for notes.
pub fn describe(target: &Node) -> String {
    target
        .as_map()
        .map(|m| {
            m.iter_str()
                .map(|(k, v)| format!("{k}: {}", v.as_str().unwrap_or("...")))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// Sets `spec.bootstrap.recovery.recoveryTarget` to `wanted`. A target left
/// by an earlier recovery belongs to the old lineage: it is removed, or its
/// other keys are. Returns notes on what was removed.
pub fn edit(
    files: &mut LocatedEdits<'_>,
    recovery: &Recovery<'_>,
    wanted: &RecoveryTarget,
) -> Result<Vec<String>, EditError> {
    let mut notes = Vec::new();
    match (recovery.target(), wanted.key_value()) {
        (None, None) => {}
        (None, Some((key, value))) => {
            files.insert_at(
                &recovery.node.span,
                "recoveryTarget",
                &NewNode::map([(key, NewNode::str(value))]),
            )?;
        }
        (Some(target), None) => {
            remove(files, recovery)?;
            notes.push(format!(
                "removed the recoveryTarget left by an earlier recovery ({}); pass --target-time or --backup-id to keep one",
                describe(target)
            ));
        }
        (Some(target), Some((key, value))) => {
            let (file, path) = files.locate(&target.span, Shape::Map)?;
            let keys: Vec<String> = target
                .as_map()
                .map(|m| m.iter_str().map(|(k, _)| k.to_string()).collect())
                .unwrap_or_default();
            let f = files.edit(&file)?;
            if keys.iter().any(|k| k == key) {
                f.set_scalar(&path.key(key), value)?;
            } else {
                f.insert_key(&path, key, &NewNode::str(value), Position::End)?;
            }
            let mut removed = Vec::new();
            for k in keys.iter().filter(|k| *k != key) {
                f.remove_key(&path, k)?;
                removed.push(k.as_str());
            }
            if !removed.is_empty() {
                notes.push(format!(
                    "removed {} from the recoveryTarget left by an earlier recovery",
                    removed.join(", ")
                ));
            }
        }
    }
    Ok(notes)
}

/// Removes `recoveryTarget` from the recovery section.
pub fn remove(files: &mut LocatedEdits<'_>, recovery: &Recovery<'_>) -> Result<(), EditError> {
    let (file, path) = files.locate(&recovery.node.span, Shape::Map)?;
    files.edit(&file)?.remove_key(&path, "recoveryTarget")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_time_needs_rfc3339_with_a_zone() {
        for ok in [
            "2025-06-01T03:00:00Z",
            "2025-06-01T03:00:00.123+02:00",
            "2024-02-29 23:59:60-07:30",
            "2025-06-01t03:00:00z",
        ] {
            assert_eq!(valid_target_time(ok), Ok(()), "{ok}");
        }
        for bad in [
            "2025-06-01 03:00:00",
            "2025-06-01T03:00:00",
            "2025-02-29T03:00:00Z",
            "2025-13-01T03:00:00Z",
            "2025-06-01T24:00:00Z",
            "2025-06-01T03:00:00+2:00",
            "2025-06-01T03:00:00.Z",
            "yesterday",
            "2025-06-01T03:00:00 UTC",
        ] {
            assert!(valid_target_time(bad).is_err(), "{bad}");
        }
        assert!(valid_target_time("2025-06-01T03:00:00")
            .unwrap_err()
            .contains("no time zone"));
    }

    #[test]
    fn backup_ids_have_no_blanks() {
        assert!(RecoveryTarget::backup_id("20250601T030000").is_ok());
        assert!(RecoveryTarget::backup_id("").is_err());
        assert!(RecoveryTarget::backup_id("a b").is_err());
        assert_eq!(
            RecoveryTarget::time("2025-06-01T03:00:00Z")
                .unwrap()
                .label(),
            "point in time 2025-06-01T03:00:00Z"
        );
    }
}
