//! From one listing of a `destinationPath` to a verdict per serverName.
//!
//! The destination is listed once, recursively and page by page; per lineage
//! only counters and 8 bytes per WAL segment (for gaps) are kept, then each
//! `backup.info` (and each `.history`, uncompressed, gzip or bzip2) is read with one GET.

use std::collections::{BTreeMap, BTreeSet};

use super::backup_info::{BackupInfo, BackupInfoError, BackupStatus};
use super::time::Timestamp;
use super::wal::{self, ArchiveNotEmpty, Compression, HistoryEntry, WalKind, WalName};
use super::{Bucket, BucketError, ObjectMeta};

/// The most a backup.info or history file may weigh before we refuse to read it.
pub const SMALL_OBJECT_LIMIT: usize = 1024 * 1024;
/// Gaps listed per timeline; the count of missing segments is always exact.
const GAPS_SHOWN: usize = 20;
const DEFAULT_SEGMENT_SIZE: u64 = 16 * 1024 * 1024;

/// `s3://bucket/path`, split as barman-cloud splits it (`urlparse`, path without its leading `/`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DestinationPath {
    pub scheme: String,
    pub bucket: String,
    pub path: String,
}

impl DestinationPath {
    /// Parses `s3://bucket[/path]` (also `gs://`, `https://account…/container`: scheme kept for messages).
    pub fn parse(text: &str) -> Result<DestinationPath, String> {
        let (scheme, rest) = text
            .split_once("://")
            .ok_or_else(|| format!("`{text}` is not a URL like s3://bucket/path"))?;
        let (bucket, path) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(format!("`{text}` names no bucket"));
        }
        Ok(DestinationPath {
            scheme: scheme.to_string(),
            bucket: bucket.to_string(),
            path: path.trim_start_matches('/').to_string(),
        })
    }

    /// The key prefix under which every serverName of this destination lives.
    pub fn root_prefix(&self) -> String {
        join(&self.path, "")
    }

    /// barman's `os.path.join(path, server, "wals") + "/"`: what check-wal-archive lists.
    pub fn wals_prefix(&self, server: &str) -> String {
        join(&join(&self.path, server), "wals/")
    }
}

/// `os.path.join(a, b)` for relative keys.
fn join(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else if a.ends_with('/') {
        format!("{a}{b}")
    } else {
        format!("{a}/{b}")
    }
}

/// One base backup of a lineage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupEntry {
    /// The folder name under `base/`, e.g. `20261123T191927`.
    pub id: String,
    /// The parsed backup.info, or why barman could not use it.
    pub info: Result<BackupInfo, BackupInfoError>,
    /// Bytes stored under `base/<id>/`.
    pub stored_size: u64,
    /// From the `data.tar[.ext]` suffix (backup.info says `compression=None` even when gzipped).
    pub compression: Option<Compression>,
    /// When the backup.info was written (the end of the upload).
    pub last_modified: Option<Timestamp>,
    /// DONE, times parse, and every WAL segment from begin_wal to end_wal is archived.
    pub usable: bool,
}

impl BackupEntry {
    /// The status word, `UNREADABLE` when backup.info could not be read.
    pub fn status(&self) -> &str {
        match &self.info {
            Ok(info) => info.status.as_str(),
            Err(_) => "UNREADABLE",
        }
    }
}

/// The WAL of one timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimelineWal {
    pub timeline: u32,
    /// First and last segment names (upper case), `.partial` included.
    pub first: String,
    pub last: String,
    /// Segments plus `.partial` files.
    pub segments: usize,
    pub partial: usize,
    /// `.backup` label files.
    pub backup_labels: usize,
    /// Missing runs `(first missing, last missing)`, at most 20 listed.
    pub gaps: Vec<(String, String)>,
    /// Segments missing between first and last, all of them counted.
    pub missing: u64,
    /// The newest LastModified of a segment or `.partial` of this timeline.
    pub last_modified: Timestamp,
    pub compressions: Vec<Compression>,
}

/// A `TTTTTTTT.history` object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryFile {
    pub timeline: u32,
    pub key: String,
    pub compression: Option<Compression>,
    /// Parsed lines; empty when compressed with xz, snappy, zstd or lz4 (not decompressed here).
    pub entries: Vec<HistoryEntry>,
    /// Why a gzip or bzip2 history could not be decompressed.
    pub error: Option<String>,
}

/// What barman-cloud-check-wal-archive would say about a lineage.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ArchiveCheck {
    /// WAL-like objects under `<serverName>/wals/`, by timeline (history files included).
    pub files_by_timeline: BTreeMap<u32, usize>,
}

impl ArchiveCheck {
    /// barman's `check_archive_usable`; CNPG runs it without a timeline. With
    /// duplicates (a segment stored twice) barman's count would be lower, the verdict the same.
    pub fn check(&self, timeline: Option<u32>) -> Result<(), ArchiveNotEmpty> {
        match timeline {
            None if self.files_by_timeline.is_empty() => Ok(()),
            None => Err(ArchiveNotEmpty::Expected),
            Some(t) => match self.files_by_timeline.range(t..).map(|(_, n)| n).sum() {
                0 => Ok(()),
                count => Err(ArchiveNotEmpty::NewerTimeline { count, timeline: t }),
            },
        }
    }
}

/// What a lineage can be used for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing at all under `<serverName>/`: safe to write, nothing to restore.
    Empty,
    /// WAL but no completed base backup: it cannot be restored from, and cannot be written to.
    WalOnly,
    /// Base backups exist but none is DONE with all of its WAL archived.
    Incomplete,
    /// At least one usable base backup; see the window.
    Restorable,
    /// Backups from more than one PostgreSQL system (a second initdb wrote here).
    MixedSystemid,
}

impl Verdict {
    /// The word used in tables and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Empty => "empty",
            Verdict::WalOnly => "wal-only",
            Verdict::Incomplete => "incomplete",
            Verdict::Restorable => "restorable",
            Verdict::MixedSystemid => "mixed-systemid",
        }
    }
}

/// The times a point-in-time recovery from a lineage can reach.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window {
    /// The end of the first usable base backup: the earliest consistent point.
    pub start: Timestamp,
    pub start_backup: String,
    /// The newest archived WAL object's LastModified: an upper bound, WAL files carry no time.
    pub end: Timestamp,
}

impl Window {
    /// Whether `t` can be reached.
    pub fn contains(&self, t: Timestamp) -> bool {
        self.start <= t && t <= self.end
    }
}

/// One serverName under a destination.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lineage {
    pub server_name: String,
    pub backups: Vec<BackupEntry>,
    pub timelines: Vec<TimelineWal>,
    pub history: Vec<HistoryFile>,
    /// Distinct systemids of the base backups, sorted.
    pub systemids: Vec<String>,
    pub archive: ArchiveCheck,
    /// Objects under `wals/` barman ignores, and objects outside `base/` and `wals/`.
    pub ignored_objects: usize,
    pub verdict: Verdict,
    pub window: Option<Window>,
    /// The newest LastModified of any segment or `.partial`.
    pub last_archived: Option<Timestamp>,
}

impl Lineage {
    /// The backup with this id or backup_name.
    pub fn backup(&self, id_or_name: &str) -> Option<&BackupEntry> {
        self.backups.iter().find(|b| {
            b.id == id_or_name
                || b.info
                    .as_ref()
                    .is_ok_and(|i| i.name.as_deref() == Some(id_or_name))
        })
    }
}

/// Every lineage under a destination, and what it cost to learn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineageScan {
    pub destination: DestinationPath,
    /// Sorted by serverName.
    pub lineages: Vec<Lineage>,
    pub objects_listed: usize,
    pub objects_read: usize,
}

impl LineageScan {
    /// The lineage of that serverName, if anything is stored under it.
    pub fn lineage(&self, server: &str) -> Option<&Lineage> {
        self.lineages.iter().find(|l| l.server_name == server)
    }
}

#[derive(Default)]
struct Builder {
    backups: BTreeMap<String, BackupDraft>,
    wal: BTreeMap<u32, TimelineDraft>,
    history: Vec<(u32, ObjectMeta, Option<Compression>)>,
    archive: ArchiveCheck,
    ignored: usize,
}

#[derive(Default)]
struct BackupDraft {
    info_key: Option<ObjectMeta>,
    size: u64,
    compression: Option<Compression>,
}

#[derive(Default)]
struct TimelineDraft {
    positions: Vec<u64>,
    partial: usize,
    labels: usize,
    first: Option<(u64, String)>,
    last: Option<(u64, String)>,
    last_modified: Option<Timestamp>,
    compressions: BTreeSet<Compression>,
}

/// Lists `destination` and builds every lineage under it.
pub fn scan_destination(
    bucket: &dyn Bucket,
    destination: &DestinationPath,
) -> Result<LineageScan, BucketError> {
    let root = destination.root_prefix();
    let mut servers: BTreeMap<String, Builder> = BTreeMap::new();
    let mut listed = 0;
    bucket.list(&root, &mut |object| {
        listed += 1;
        // A bucket may hand back a key outside the prefix (an adapter that
        // normalises folder markers): skipped, never sliced.
        let Some((server, rest)) = object
            .key
            .strip_prefix(root.as_str())
            .and_then(|k| k.split_once('/'))
        else {
            return;
        };
        if server.is_empty() {
            return;
        }
        let b = servers.entry(server.to_string()).or_default();
        if let Some(wal_key) = rest.strip_prefix("wals/") {
            let base = wal_key.rsplit('/').next().unwrap_or(wal_key);
            match WalName::parse_object(base) {
                Some(name) => b.add_wal(name, object),
                None => b.ignored += 1,
            }
        } else if let Some((id, file)) = rest.strip_prefix("base/").and_then(|r| r.split_once('/'))
        {
            let draft = b.backups.entry(id.to_string()).or_default();
            draft.size += object.size;
            if file == "backup.info" {
                draft.info_key = Some(object);
            } else if let Some(c) = data_compression(file) {
                draft.compression = c;
            }
        } else {
            b.ignored += 1;
        }
    })?;
    let mut read = 0;
    let mut lineages = Vec::with_capacity(servers.len());
    for (server, b) in servers {
        lineages.push(b.finish(server, bucket, &mut read)?);
    }
    Ok(LineageScan {
        destination: destination.clone(),
        lineages,
        objects_listed: listed,
        objects_read: read,
    })
}

/// `data[_NNNN].tar[.gz|.bz2|.snappy|.lz4]` → its compression (outer None = not a data tar).
fn data_compression(file: &str) -> Option<Option<Compression>> {
    let (stem, ext) = match file.split_once(".tar") {
        Some((stem, ext)) => (stem, ext),
        None => return None,
    };
    if !(stem == "data" || stem.starts_with("data_")) {
        return None;
    }
    if ext.is_empty() {
        return Some(None);
    }
    Compression::from_suffix(ext).map(Some)
}

impl Builder {
    fn add_wal(&mut self, name: WalName, object: ObjectMeta) {
        *self
            .archive
            .files_by_timeline
            .entry(name.timeline)
            .or_default() += 1;
        if name.kind == WalKind::History {
            self.history.push((name.timeline, object, name.compression));
            return;
        }
        let t = self.wal.entry(name.timeline).or_default();
        if let Some(c) = name.compression {
            t.compressions.insert(c);
        }
        match name.kind {
            WalKind::Backup { .. } => {
                t.labels += 1;
                return;
            }
            WalKind::Partial => t.partial += 1,
            _ => {}
        }
        let pos = (u64::from(name.log) << 32) | u64::from(name.seg);
        if name.kind == WalKind::Segment {
            t.positions.push(pos);
        }
        let text = name.segment_name()
            + if name.kind == WalKind::Partial {
                ".partial"
            } else {
                ""
            };
        if t.first.as_ref().is_none_or(|(p, _)| pos < *p) {
            t.first = Some((pos, text.clone()));
        }
        if t.last.as_ref().is_none_or(|(p, _)| pos >= *p) {
            t.last = Some((pos, text));
        }
        t.last_modified = t.last_modified.max(Some(object.last_modified));
    }

    fn finish(
        self,
        server_name: String,
        bucket: &dyn Bucket,
        read: &mut usize,
    ) -> Result<Lineage, BucketError> {
        let mut backups = Vec::new();
        for (id, draft) in self.backups {
            let info = match &draft.info_key {
                Some(meta) => {
                    *read += 1;
                    BackupInfo::parse(&bucket.get(&meta.key, SMALL_OBJECT_LIMIT)?)
                }
                None => Err(BackupInfoError::NoStatus),
            };
            backups.push(BackupEntry {
                id,
                info,
                stored_size: draft.size,
                compression: draft.compression,
                last_modified: draft.info_key.map(|m| m.last_modified),
                usable: false,
            });
        }
        let segment_size = backups
            .iter()
            .filter_map(|b| b.info.as_ref().ok().and_then(|i| i.segment_size))
            .next()
            .unwrap_or(DEFAULT_SEGMENT_SIZE);
        let per_log = wal::segments_per_log(segment_size);
        let mut archived: BTreeMap<u32, Vec<u64>> = BTreeMap::new();
        let mut timelines = Vec::new();
        for (timeline, t) in self.wal {
            // Mapped in place (the same allocation): a lineage costs 8 bytes per segment, not 16.
            let mut positions: Vec<u64> = t
                .positions
                .into_iter()
                .map(|p| absolute(p, per_log))
                .collect();
            positions.sort_unstable();
            positions.dedup();
            let (mut gaps, mut missing) = (Vec::new(), 0u64);
            for pair in positions.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                if b > a + 1 {
                    missing += b - a - 1;
                    if gaps.len() < GAPS_SHOWN {
                        gaps.push((
                            segment_text(timeline, a + 1, per_log),
                            segment_text(timeline, b - 1, per_log),
                        ));
                    }
                }
            }
            if let (Some((_, first)), Some((_, last)), Some(last_modified)) =
                (t.first, t.last, t.last_modified)
            {
                timelines.push(TimelineWal {
                    timeline,
                    first,
                    last,
                    segments: positions.len() + t.partial,
                    partial: t.partial,
                    backup_labels: t.labels,
                    gaps,
                    missing,
                    last_modified,
                    compressions: t.compressions.into_iter().collect(),
                });
            }
            archived.insert(timeline, positions);
        }
        for b in &mut backups {
            b.usable = b
                .info
                .as_ref()
                .is_ok_and(|i| backup_usable(i, &archived, per_log));
        }
        let mut history = Vec::new();
        for (timeline, meta, compression) in self.history {
            // Uncompressed, gzip and bzip2 histories are read; the others are listed unread.
            let readable = compression.is_none_or(Compression::decodable);
            let (entries, error) = if readable {
                *read += 1;
                let body = bucket.get(&meta.key, SMALL_OBJECT_LIMIT)?;
                let text = match compression {
                    None => Ok(body),
                    Some(c) => c
                        .decompress(&body, SMALL_OBJECT_LIMIT)
                        .unwrap_or_else(|| Ok(Vec::new())),
                };
                match text {
                    Ok(text) => (wal::parse_history(&String::from_utf8_lossy(&text)), None),
                    Err(e) => (Vec::new(), Some(e)),
                }
            } else {
                (Vec::new(), None)
            };
            history.push(HistoryFile {
                timeline,
                key: meta.key,
                compression,
                entries,
                error,
            });
        }
        let systemids: Vec<String> = backups
            .iter()
            .filter_map(|b| b.info.as_ref().ok().and_then(|i| i.systemid.clone()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let last_archived = timelines.iter().map(|t| t.last_modified).max();
        let window = backups
            .iter()
            .filter(|b| b.usable)
            .filter_map(|b| Some((b.info.as_ref().ok()?.end_time?, b.id.clone())))
            .min()
            .zip(last_archived)
            .map(|((start, start_backup), end)| Window {
                start,
                start_backup,
                end,
            });
        let verdict = if systemids.len() > 1 {
            Verdict::MixedSystemid
        } else if window.is_some() {
            Verdict::Restorable
        } else if backups
            .iter()
            .any(|b| matches!(&b.info, Ok(i) if i.status == BackupStatus::Done))
        {
            Verdict::Incomplete
        } else if !self.archive.files_by_timeline.is_empty() {
            Verdict::WalOnly
        } else if backups.is_empty() {
            Verdict::Empty
        } else {
            Verdict::Incomplete
        };
        Ok(Lineage {
            server_name,
            backups,
            timelines,
            history,
            systemids,
            archive: self.archive,
            ignored_objects: self.ignored,
            verdict,
            window,
            last_archived,
        })
    }
}

fn absolute(pos: u64, per_log: u64) -> u64 {
    (pos >> 32) * per_log + (pos & 0xFFFF_FFFF)
}

fn segment_text(timeline: u32, absolute: u64, per_log: u64) -> String {
    format!(
        "{timeline:08X}{:08X}{:08X}",
        absolute / per_log,
        absolute % per_log
    )
}

/// DONE, with an end time, and begin_wal..=end_wal all archived on its timeline.
fn backup_usable(info: &BackupInfo, archived: &BTreeMap<u32, Vec<u64>>, per_log: u64) -> bool {
    if info.status != BackupStatus::Done || info.end_time.is_none() {
        return false;
    }
    let parse = |name: &Option<String>| {
        name.as_deref()
            .and_then(WalName::parse_object)
            .filter(|n| n.kind == WalKind::Segment)
    };
    let (Some(begin), Some(end)) = (parse(&info.begin_wal), parse(&info.end_wal)) else {
        return false;
    };
    let Some(segments) = archived.get(&end.timeline) else {
        return false;
    };
    let (a, b) = (
        u64::from(begin.log) * per_log + u64::from(begin.seg),
        u64::from(end.log) * per_log + u64::from(end.seg),
    );
    // A hostile end_wal must not make this loop long: never more steps than segments archived.
    begin.timeline == end.timeline
        && a <= b
        && b - a < segments.len() as u64
        && (a..=b).all(|s| segments.binary_search(&s).is_ok())
}

#[cfg(test)]
#[path = "scan_tests.rs"]
mod tests;
