//! `base/<backupID>/backup.info`, as barman's `FieldListFile` writes it.
//!
//! One `key=value` line per field, keys sorted, `None` for null, Python-repr
//! literals for `backup_label` and friends. barman 2.0 wrote 23 keys, 3.14 and
//! later 35; barman's own loader aborts on a key it does not know, which would
//! make a newer file unreadable to us, so unknown keys are kept, not refused.

use super::time::{TimeError, Timestamp};

/// A backup's status (barman's `BackupInfo` states).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BackupStatus {
    Done,
    Started,
    WaitingForWals,
    Syncing,
    Failed,
    Empty,
    Other(String),
}

impl BackupStatus {
    fn parse(s: &str) -> BackupStatus {
        match s {
            "DONE" => BackupStatus::Done,
            "STARTED" => BackupStatus::Started,
            "WAITING_FOR_WALS" => BackupStatus::WaitingForWals,
            "SYNCING" => BackupStatus::Syncing,
            "FAILED" => BackupStatus::Failed,
            "EMPTY" => BackupStatus::Empty,
            other => BackupStatus::Other(other.to_string()),
        }
    }

    /// The word barman writes.
    pub fn as_str(&self) -> &str {
        match self {
            BackupStatus::Done => "DONE",
            BackupStatus::Started => "STARTED",
            BackupStatus::WaitingForWals => "WAITING_FOR_WALS",
            BackupStatus::Syncing => "SYNCING",
            BackupStatus::Failed => "FAILED",
            BackupStatus::Empty => "EMPTY",
            BackupStatus::Other(s) => s,
        }
    }
}

/// The fields of a backup.info that recovery depends on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupInfo {
    pub status: BackupStatus,
    /// `backup_name` (barman ≥ 3.4; hidden when null).
    pub name: Option<String>,
    pub begin_time: Option<Timestamp>,
    pub end_time: Option<Timestamp>,
    pub begin_wal: Option<String>,
    pub end_wal: Option<String>,
    pub begin_xlog: Option<String>,
    pub end_xlog: Option<String>,
    pub timeline: Option<u32>,
    /// `systemid` (barman ≥ 2.10), a decimal string.
    pub systemid: Option<String>,
    /// `version`: PostgreSQL's server_version_num.
    pub version: Option<u32>,
    /// `xlog_segment_size` (barman ≥ 2.5); `None` means the 16 MiB default.
    pub segment_size: Option<u64>,
    /// `size` or, when null (barman-cloud), `None`: the listing gives the stored size.
    pub size: Option<u64>,
    /// `error`: the first line of what went wrong.
    pub error: Option<String>,
    /// Keys this reader does not know (a newer barman), kept for the report.
    pub unknown_keys: Vec<String>,
}

/// Why a backup.info cannot be used (barman drops such a backup too).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BackupInfoError {
    #[error("backup.info is not UTF-8")]
    NotUtf8,
    #[error(
        "backup.info line {line} is `{text}`: aws-chunked framing (a chunk size or an x-amz-checksum trailer) \
         was stored inside the object, so barman cannot read this backup (barman#1165, cloudnative-pg#8065)"
    )]
    AwsChunked { line: usize, text: String },
    #[error("backup.info line {line} is `{text}`, not key=value")]
    NotKeyValue { line: usize, text: String },
    #[error("backup.info key `{key}`: {source}")]
    BadTime {
        key: &'static str,
        #[source]
        source: TimeError,
    },
    #[error("backup.info key `{key}` is `{value}`, not a number")]
    BadNumber { key: &'static str, value: String },
    #[error("backup.info has no `status`")]
    NoStatus,
}

const KNOWN: [&str; 35] = [
    "backup_label",
    "backup_name",
    "begin_offset",
    "begin_time",
    "begin_wal",
    "begin_xlog",
    "children_backup_ids",
    "cluster_size",
    "compression",
    "config_file",
    "copy_stats",
    "data_checksums",
    "deduplicated_size",
    "encryption",
    "end_offset",
    "end_time",
    "end_wal",
    "end_xlog",
    "error",
    "hba_file",
    "ident_file",
    "included_files",
    "mode",
    "parent_backup_id",
    "pgdata",
    "server_name",
    "size",
    "snapshots_info",
    "status",
    "summarize_wal",
    "systemid",
    "tablespaces",
    "timeline",
    "version",
    "xlog_segment_size",
];

impl BackupInfo {
    /// Parses a backup.info file.
    pub fn parse(bytes: &[u8]) -> Result<BackupInfo, BackupInfoError> {
        let text = std::str::from_utf8(bytes).map_err(|_| BackupInfoError::NotUtf8)?;
        let mut info = BackupInfo {
            status: BackupStatus::Empty,
            name: None,
            begin_time: None,
            end_time: None,
            begin_wal: None,
            end_wal: None,
            begin_xlog: None,
            end_xlog: None,
            timeline: None,
            systemid: None,
            version: None,
            segment_size: None,
            size: None,
            error: None,
            unknown_keys: Vec::new(),
        };
        let mut has_status = false;
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                let framing =
                    line.bytes().all(|b| b.is_ascii_hexdigit()) || line.starts_with("x-amz-");
                let text = line.chars().take(80).collect();
                return Err(if framing {
                    BackupInfoError::AwsChunked { line: i + 1, text }
                } else {
                    BackupInfoError::NotKeyValue { line: i + 1, text }
                });
            };
            let (key, value) = (key.trim(), value.trim());
            if key.starts_with("x-amz-") {
                return Err(BackupInfoError::AwsChunked {
                    line: i + 1,
                    text: line.chars().take(80).collect(),
                });
            }
            let value = (value != "None").then(|| python_literal(value));
            match key {
                "status" => {
                    has_status = true;
                    info.status = BackupStatus::parse(value.as_deref().unwrap_or("EMPTY"));
                }
                "backup_name" => info.name = value,
                "begin_time" => info.begin_time = time("begin_time", value)?,
                "end_time" => info.end_time = time("end_time", value)?,
                "begin_wal" => info.begin_wal = value,
                "end_wal" => info.end_wal = value,
                "begin_xlog" => info.begin_xlog = value,
                "end_xlog" => info.end_xlog = value,
                "timeline" => info.timeline = number("timeline", value)?,
                "systemid" => info.systemid = value,
                "version" => info.version = number("version", value)?,
                "xlog_segment_size" => info.segment_size = number("xlog_segment_size", value)?,
                "size" => info.size = number("size", value)?,
                "error" => info.error = value,
                k if KNOWN.contains(&k) => {}
                k => info.unknown_keys.push(k.to_string()),
            }
        }
        if !has_status {
            return Err(BackupInfoError::NoStatus);
        }
        Ok(info)
    }
}

fn time(key: &'static str, value: Option<String>) -> Result<Option<Timestamp>, BackupInfoError> {
    value
        .map(|v| Timestamp::parse(&v).map(|(t, _)| t))
        .transpose()
        .map_err(|source| BackupInfoError::BadTime { key, source })
}

fn number<T: std::str::FromStr>(
    key: &'static str,
    value: Option<String>,
) -> Result<Option<T>, BackupInfoError> {
    value
        .map(|v| {
            v.parse()
                .map_err(|_| BackupInfoError::BadNumber { key, value: v })
        })
        .transpose()
}

/// A Python string literal (`'…'` or `"…"` with backslash escapes) becomes its
/// text; anything else (numbers, dicts, lists) is kept as written.
fn python_literal(value: &str) -> String {
    let q = match value.as_bytes().first() {
        Some(b'\'') => '\'',
        Some(b'"') => '"',
        _ => return value.to_string(),
    };
    if value.len() < 2 || !value.ends_with(q) {
        return value.to_string();
    }
    let inner = &value[1..value.len() - 1];
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some('\'') => out.push('\''),
            Some('"') => out.push('"'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real file written by barman-cloud-backup 3.x in the lab (paths shortened).
    const LAB: &str = r"backup_label='START WAL LOCATION: 0/2000028 (file 000000010000000000000002)\nCHECKPOINT LOCATION: 0/2000060\nBACKUP METHOD: streamed\nBACKUP FROM: primary\nSTART TIME: 2026-11-23 19:13:50 UTC\nLABEL: Barman backup cloud 20261123T191350\nSTART TIMELINE: 1\n'
backup_name=test-backup-1
begin_offset=40
begin_time=2026-11-23 19:13:50.696841+00:00
begin_wal=000000010000000000000002
begin_xlog=0/2000028
children_backup_ids=None
cluster_size=23273161
compression=None
config_file=/lab/pg/primary/postgresql.conf
copy_stats={'total_time': 3.156933, 'number_of_workers': 2, 'analysis_time': 0}
data_checksums=off
deduplicated_size=None
encryption=None
end_offset=256
end_time=2026-11-23 19:13:52.652648+00:00
end_wal=000000010000000000000002
end_xlog=0/2000100
error=None
hba_file=/lab/pg/primary/pg_hba.conf
ident_file=/lab/pg/primary/pg_ident.conf
included_files=None
mode=None
parent_backup_id=None
pgdata=/lab/pg/primary
server_name=cloud
size=None
status=DONE
summarize_wal=None
systemid=7711447262273700785
tablespaces=None
timeline=1
version=150018
xlog_segment_size=16777216
";

    #[test]
    fn barman_3_file() {
        let b = BackupInfo::parse(LAB.as_bytes()).unwrap();
        assert_eq!(b.status, BackupStatus::Done);
        assert_eq!(b.name.as_deref(), Some("test-backup-1"));
        assert_eq!(
            b.begin_time.unwrap().to_string(),
            "2026-11-23T19:13:50.696841Z"
        );
        assert_eq!(
            b.end_time.unwrap().to_string(),
            "2026-11-23T19:13:52.652648Z"
        );
        assert_eq!(b.begin_wal.as_deref(), Some("000000010000000000000002"));
        assert_eq!(b.end_xlog.as_deref(), Some("0/2000100"));
        assert_eq!(b.timeline, Some(1));
        assert_eq!(b.systemid.as_deref(), Some("7711447262273700785"));
        assert_eq!(b.version, Some(150018));
        assert_eq!(b.segment_size, Some(16_777_216));
        assert_eq!(b.size, None);
        assert!(b.unknown_keys.is_empty());
    }

    #[test]
    fn barman_2_file_without_systemid_and_with_a_zero_fraction() {
        let text = "backup_label=None\nbegin_offset=40\nbegin_time=2020-01-02 03:04:05+01:00\nbegin_wal=000000010000000000000005\n\
                    begin_xlog=0/5000028\nconfig_file=None\ndeduplicated_size=None\nend_offset=312\nend_time=2020-01-02 03:09:01+01:00\n\
                    end_wal=000000010000000000000005\nend_xlog=0/5000138\nerror=None\nhba_file=None\nident_file=None\nincluded_files=None\n\
                    mode=None\npgdata=/var/lib/postgresql/data/pgdata\nserver_name=cloud\nsize=123456\nstatus=DONE\ntablespaces=None\ntimeline=1\nversion=120004\n";
        let b = BackupInfo::parse(text.as_bytes()).unwrap();
        assert_eq!(b.end_time.unwrap().to_string(), "2020-01-02T02:09:01Z");
        assert_eq!(b.systemid, None);
        assert_eq!(b.segment_size, None);
        assert_eq!(b.size, Some(123_456));
        assert_eq!(b.name, None);
    }

    #[test]
    fn started_and_failed_keep_their_status_and_error() {
        let b = BackupInfo::parse(
            b"status=STARTED\nbegin_time=2026-01-02 03:04:05+00:00\nend_time=None\n",
        )
        .unwrap();
        assert_eq!(b.status, BackupStatus::Started);
        assert_eq!(b.end_time, None);
        let b =
            BackupInfo::parse(b"error=failure uploading data (connection reset)\nstatus=FAILED\n")
                .unwrap();
        assert_eq!(b.status, BackupStatus::Failed);
        assert_eq!(
            b.error.as_deref(),
            Some("failure uploading data (connection reset)")
        );
    }

    #[test]
    fn unknown_keys_are_kept_not_refused() {
        let b = BackupInfo::parse(b"status=DONE\nfuture_key=1\n").unwrap();
        assert_eq!(b.unknown_keys, ["future_key"]);
    }

    #[test]
    fn values_keep_everything_after_the_first_equals_sign() {
        let b = BackupInfo::parse(b"status=DONE\nerror='a=b'\nbackup_name=x=y\n").unwrap();
        assert_eq!(b.error.as_deref(), Some("a=b"));
        assert_eq!(b.name.as_deref(), Some("x=y"));
    }

    #[test]
    fn aws_chunked_framing_is_named() {
        let text =
            "5b2\r\nbackup_label=None\r\nstatus=DONE\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n";
        let e = BackupInfo::parse(text.as_bytes()).unwrap_err();
        assert_eq!(
            e,
            BackupInfoError::AwsChunked {
                line: 1,
                text: "5b2".into()
            }
        );
        assert!(e.to_string().contains("aws-chunked"));
        let e = BackupInfo::parse(b"status=DONE\nx-amz-checksum-crc32:AAAA\n").unwrap_err();
        assert!(
            matches!(e, BackupInfoError::AwsChunked { line: 2, .. }),
            "{e:?}"
        );
    }

    #[test]
    fn bad_values_are_errors_not_panics() {
        assert!(matches!(
            BackupInfo::parse(b"status=DONE\ntimeline=one\n"),
            Err(BackupInfoError::BadNumber {
                key: "timeline",
                ..
            })
        ));
        assert!(matches!(
            BackupInfo::parse(b"status=DONE\nend_time=yesterday\n"),
            Err(BackupInfoError::BadTime {
                key: "end_time",
                ..
            })
        ));
        assert_eq!(
            BackupInfo::parse(b"timeline=1\n"),
            Err(BackupInfoError::NoStatus)
        );
        assert_eq!(
            BackupInfo::parse(&[0xff, 0xfe]),
            Err(BackupInfoError::NotUtf8)
        );
        assert!(matches!(
            BackupInfo::parse(b"status=DONE\nhello world\n"),
            Err(BackupInfoError::NotKeyValue { line: 2, .. })
        ));
    }

    #[test]
    fn python_literals() {
        assert_eq!(python_literal(r"'a\nb\'c\\'"), "a\nb'c\\");
        assert_eq!(python_literal(r#""q\"""#), "q\"");
        assert_eq!(python_literal("{'a': 1}"), "{'a': 1}");
        assert_eq!(python_literal("'"), "'");
    }
}
