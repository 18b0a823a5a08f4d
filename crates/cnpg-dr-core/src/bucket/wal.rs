//! WAL object names under `<serverName>/wals/`, read the way barman 3.19.1 reads them.
//!
//! barman's `_xlog_re` (barman/xlog.py) accepts, case-insensitively:
//! `TTTTTTTTLLLLLLLLSSSSSSSS` (a segment), the same plus `.partial`, the same
//! plus `.<8 hex>.backup` (a backup label), and `TTTTTTTT.history`. Its catalog
//! (`CloudBackupCatalog.get_wal_paths`, barman/cloud.py) takes an object's
//! basename as is when it matches, else strips exactly one suffix from
//! `ALLOWED_COMPRESSIONS` and tries again; anything else under `wals/` is ignored.

use std::fmt;

/// A compression barman-cloud names by the object suffix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Compression {
    Gzip,
    Bzip2,
    Xz,
    Snappy,
    Zstd,
    Lz4,
}

impl Compression {
    /// barman's `ALLOWED_COMPRESSIONS` (3.19.1), with the suffix each is written with.
    pub const ALL: [(Compression, &'static str); 6] = [
        (Compression::Gzip, ".gz"),
        (Compression::Bzip2, ".bz2"),
        (Compression::Xz, ".xz"),
        (Compression::Snappy, ".snappy"),
        (Compression::Zstd, ".zst"),
        (Compression::Lz4, ".lz4"),
    ];

    /// The compression a suffix (with its dot) names.
    pub fn from_suffix(suffix: &str) -> Option<Compression> {
        Compression::ALL
            .iter()
            .find(|(_, s)| *s == suffix)
            .map(|(c, _)| *c)
    }

    /// The name barman-cloud's options use: gzip, bzip2, xz, snappy, zstd, lz4.
    pub fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Bzip2 => "bzip2",
            Compression::Xz => "xz",
            Compression::Snappy => "snappy",
            Compression::Zstd => "zstd",
            Compression::Lz4 => "lz4",
        }
    }
}

impl Compression {
    /// Whether [`Compression::decompress`] has a decoder for it (gzip, bzip2).
    pub fn decodable(self) -> bool {
        matches!(self, Compression::Gzip | Compression::Bzip2)
    }

    /// Decompresses a small object (a history file) to at most `limit` bytes;
    /// None for the compressions read here without a decoder (xz, snappy,
    /// zstd, lz4).
    pub fn decompress(self, bytes: &[u8], limit: usize) -> Option<Result<Vec<u8>, String>> {
        use std::io::Read;
        let reader: Box<dyn Read + '_> = match self {
            Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(bytes)),
            Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(bytes)),
            _ => return None,
        };
        let mut out = Vec::new();
        // One byte over the limit tells a large object from one that fits exactly.
        Some(match reader.take(limit as u64 + 1).read_to_end(&mut out) {
            Ok(_) if out.len() > limit => Err(format!("more than {limit} bytes once decompressed")),
            Ok(_) => Ok(out),
            Err(e) => Err(format!("not valid {}: {e}", self.name())),
        })
    }
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What kind of file a WAL archive name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WalKind {
    Segment,
    /// The last, incomplete segment of a timeline, archived at promotion.
    Partial,
    /// A backup label, `<segment>.<offset>.backup`.
    Backup {
        offset: u32,
    },
    /// `TTTTTTTT.history`: how the timeline branched off its parent.
    History,
}

/// A WAL archive name as barman understands it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WalName {
    pub timeline: u32,
    /// Log and segment numbers; both 0 for a history file.
    pub log: u32,
    pub seg: u32,
    pub kind: WalKind,
    /// From the suffix; `None` when the object is stored uncompressed.
    pub compression: Option<Compression>,
}

impl WalName {
    /// Reads an object's basename exactly as barman's catalog does: as is, or
    /// after stripping one allowed compression suffix. `None` = barman ignores it.
    pub fn parse_object(basename: &str) -> Option<WalName> {
        if let Some(name) = parse_xlog(basename) {
            return Some(name);
        }
        // os.path.splitext: the suffix is from the last dot (a leading dot is no suffix).
        let dot = basename.rfind('.').filter(|i| *i > 0)?;
        let compression = Compression::from_suffix(&basename[dot..])?;
        let mut name = parse_xlog(&basename[..dot])?;
        name.compression = Some(compression);
        Some(name)
    }

    /// The 24-hex segment name, upper case (history files: `TTTTTTTT`).
    pub fn segment_name(&self) -> String {
        match self.kind {
            WalKind::History => format!("{:08X}", self.timeline),
            _ => format!("{:08X}{:08X}{:08X}", self.timeline, self.log, self.seg),
        }
    }

    /// True for segments and `.partial` files: the files that carry WAL records.
    pub fn carries_wal(&self) -> bool {
        matches!(self.kind, WalKind::Segment | WalKind::Partial)
    }
}

/// barman's `_xlog_re`, without compression suffixes.
fn parse_xlog(name: &str) -> Option<WalName> {
    let hex8 = |s: &str| -> Option<u32> {
        (s.len() == 8 && s.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| u32::from_str_radix(s, 16).ok())
            .flatten()
    };
    let timeline = hex8(name.get(..8)?)?;
    let rest = &name[8..];
    if rest == ".history" {
        return Some(WalName {
            timeline,
            log: 0,
            seg: 0,
            kind: WalKind::History,
            compression: None,
        });
    }
    let log = hex8(rest.get(..8)?)?;
    let seg = hex8(rest.get(8..16)?)?;
    let tail = &rest[16..];
    let kind = if tail.is_empty() {
        WalKind::Segment
    } else if tail == ".partial" {
        WalKind::Partial
    } else if tail.len() == 16 && tail.starts_with('.') && tail.ends_with(".backup") {
        WalKind::Backup {
            offset: hex8(&tail[1..9])?,
        }
    } else {
        return None;
    };
    Some(WalName {
        timeline,
        log,
        seg,
        kind,
        compression: None,
    })
}

/// Why barman-cloud-check-wal-archive refuses an archive, worded as barman words it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ArchiveNotEmpty {
    /// Without `--timeline` (what CNPG runs): any WAL-like file at all.
    #[error("Expected empty archive")]
    Expected,
    /// With `--timeline N`: files on timeline N or newer.
    #[error("Found {count} file{} in WAL archive equal to or newer than timeline {timeline}", if *count > 1 { "s" } else { "" })]
    NewerTimeline { count: usize, timeline: u32 },
}

/// barman's `check_archive_usable(existing_wals, timeline)` (barman/xlog.py), fed
/// with the basenames of every object listed recursively under
/// `<path>/<serverName>/wals/`. CNPG never passes `timeline`.
pub fn check_archive_usable<'a>(
    basenames: impl IntoIterator<Item = &'a str>,
    timeline: Option<u32>,
) -> Result<(), ArchiveNotEmpty> {
    // get_wal_paths keys a dict by the name without its suffix: duplicates count once.
    let mut names = std::collections::BTreeMap::new();
    for base in basenames {
        if let Some(name) = WalName::parse_object(base) {
            let mut key = name;
            key.compression = None;
            names.insert(key.segment_name() + kind_tail(&key).as_str(), key.timeline);
        }
    }
    match timeline {
        None if names.is_empty() => Ok(()),
        None => Err(ArchiveNotEmpty::Expected),
        Some(t) => {
            let count = names.values().filter(|tli| **tli >= t).count();
            if count == 0 {
                Ok(())
            } else {
                Err(ArchiveNotEmpty::NewerTimeline { count, timeline: t })
            }
        }
    }
}

fn kind_tail(name: &WalName) -> String {
    match name.kind {
        WalKind::Segment => String::new(),
        WalKind::Partial => ".partial".into(),
        WalKind::Backup { offset } => format!(".{offset:08X}.backup"),
        WalKind::History => ".history".into(),
    }
}

/// One line of a timeline history file: `parentTLI<TAB>switchpoint<TAB>reason`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEntry {
    pub parent_timeline: u32,
    /// The LSN where the child timeline branched off, `X/X`.
    pub switchpoint: String,
    /// PostgreSQL's `getRecoveryStopReason()`, e.g. `before 2026-01-02 03:04:05.123+00`.
    pub reason: String,
}

/// Parses a history file's text. Blank and `#` lines are skipped, as barman does;
/// lines that are not `number<TAB>lsn[<TAB>reason]` are ignored.
pub fn parse_history(text: &str) -> Vec<HistoryEntry> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|line| {
            let mut parts = line.splitn(3, '\t');
            let parent_timeline = parts.next()?.trim().parse().ok()?;
            let switchpoint = parts.next()?.trim();
            if !switchpoint.contains('/') {
                return None;
            }
            Some(HistoryEntry {
                parent_timeline,
                switchpoint: switchpoint.to_string(),
                reason: parts.next().unwrap_or("").trim().to_string(),
            })
        })
        .collect()
}

/// Segments per log id for a segment size, as barman's `xlog_segments_per_file`.
pub fn segments_per_log(segment_size: u64) -> u64 {
    if segment_size == 0 {
        return 256;
    }
    0xFFFF_FFFF / segment_size + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const HISTORY: &[u8] = b"1\t0/3000090\tbefore 2026-12-04 21:44:19.976246+00\n";

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    fn bzip2(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn gzip_and_bzip2_histories_are_decompressed_within_a_limit() {
        for (c, packed) in [
            (Compression::Gzip, gzip(HISTORY)),
            (Compression::Bzip2, bzip2(HISTORY)),
        ] {
            assert!(c.decodable());
            assert_eq!(
                c.decompress(&packed, 1024),
                Some(Ok(HISTORY.to_vec())),
                "{c}"
            );
            assert_eq!(
                c.decompress(&packed, HISTORY.len()),
                Some(Ok(HISTORY.to_vec()))
            );
            let too_small = c
                .decompress(&packed, HISTORY.len() - 1)
                .unwrap()
                .unwrap_err();
            assert!(too_small.contains("more than"), "{too_small}");
            let corrupt = c
                .decompress(b"not compressed at all", 1024)
                .unwrap()
                .unwrap_err();
            assert!(
                corrupt.starts_with(&format!("not valid {}", c.name())),
                "{corrupt}"
            );
        }
        // A bomb: a megabyte of zeros packs small and is cut at the limit.
        let bomb = gzip(&vec![0u8; 1 << 20]);
        assert!(bomb.len() < 4096);
        assert!(Compression::Gzip
            .decompress(&bomb, 64 << 10)
            .unwrap()
            .is_err());
        for c in [
            Compression::Xz,
            Compression::Snappy,
            Compression::Zstd,
            Compression::Lz4,
        ] {
            assert!(!c.decodable());
            assert_eq!(c.decompress(HISTORY, 1024), None);
        }
    }

    #[test]
    fn names_barman_accepts() {
        let n = WalName::parse_object("000000010000000000000001.bz2").unwrap();
        assert_eq!(
            (n.timeline, n.log, n.seg, n.kind, n.compression),
            (1, 0, 1, WalKind::Segment, Some(Compression::Bzip2))
        );
        let n = WalName::parse_object("00000002000000AB000000FE.partial").unwrap();
        assert_eq!(
            (n.timeline, n.log, n.seg, n.kind),
            (2, 0xAB, 0xFE, WalKind::Partial)
        );
        let n = WalName::parse_object("000000010000000000000002.00000028.backup.gz").unwrap();
        assert_eq!(n.kind, WalKind::Backup { offset: 0x28 });
        assert_eq!(n.compression, Some(Compression::Gzip));
        let n = WalName::parse_object("00000002.history.zst").unwrap();
        assert_eq!(
            (n.timeline, n.kind, n.compression),
            (2, WalKind::History, Some(Compression::Zstd))
        );
        assert_eq!(n.segment_name(), "00000002");
        // lower case hex is accepted by the regex
        assert!(WalName::parse_object("0000000a0000000000000001.lz4").is_some());
        assert!(WalName::parse_object("00000001000000000000000A.snappy").is_some());
        assert!(WalName::parse_object("00000001000000000000000A.xz").is_some());
    }

    #[test]
    fn names_barman_ignores() {
        for junk in [
            "000000010000000000000001.gz.gz", // two suffixes
            "000000010000000000000001.zip",   // unknown suffix
            "000000010000000000000001.partial.tmp",
            "00000001000000000000001",   // 23 hex
            "0000000100000000000000011", // 25 hex
            "00000001.history.partial",
            "000000010000000000000002.0028.backup",
            ".gz",
            "README",
            "0000000G0000000000000001",
        ] {
            assert_eq!(WalName::parse_object(junk), None, "{junk}");
        }
    }

    #[test]
    fn expected_empty_archive_mirrors_barman() {
        assert_eq!(check_archive_usable([], None), Ok(()));
        assert_eq!(
            check_archive_usable(["README", "x.gz", ".keep"], None),
            Ok(())
        );
        // a history file alone, a .partial alone, a backup label alone: all fail
        for one in [
            "00000002.history",
            "000000010000000000000003.partial",
            "000000010000000000000002.00000028.backup.bz2",
        ] {
            assert_eq!(
                check_archive_usable([one], None),
                Err(ArchiveNotEmpty::Expected),
                "{one}"
            );
        }
        assert_eq!(
            ArchiveNotEmpty::Expected.to_string(),
            "Expected empty archive"
        );
    }

    #[test]
    fn timeline_option_counts_files_on_that_timeline_or_newer() {
        let files = [
            "000000010000000000000001.gz",
            "000000010000000000000001",
            "00000002.history",
            "000000020000000000000003.gz",
        ];
        assert_eq!(check_archive_usable(files, Some(3)), Ok(()));
        let e = check_archive_usable(files, Some(2)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Found 2 files in WAL archive equal to or newer than timeline 2"
        );
        // the compressed and plain copy of one segment are one name
        let e = check_archive_usable(files, Some(1)).unwrap_err();
        assert_eq!(
            e,
            ArchiveNotEmpty::NewerTimeline {
                count: 3,
                timeline: 1
            }
        );
        assert_eq!(
            check_archive_usable(["000000020000000000000003"], Some(2))
                .unwrap_err()
                .to_string(),
            "Found 1 file in WAL archive equal to or newer than timeline 2"
        );
    }

    #[test]
    fn history_lines() {
        let text = "# comment\n1\t0/3000090\tbefore 2026-11-23 19:20:01.5+00\n\n2\t0/5000000\tno recovery target specified\nbogus\n";
        let h = parse_history(text);
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].parent_timeline, 1);
        assert_eq!(h[0].switchpoint, "0/3000090");
        assert_eq!(h[0].reason, "before 2026-11-23 19:20:01.5+00");
        assert_eq!(h[1].reason, "no recovery target specified");
    }

    #[test]
    fn segments_per_log_id() {
        assert_eq!(segments_per_log(16 * 1024 * 1024), 256);
        assert_eq!(segments_per_log(1024 * 1024 * 1024), 4);
        assert_eq!(segments_per_log(1024 * 1024), 4096);
    }
}
