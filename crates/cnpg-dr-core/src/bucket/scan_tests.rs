use super::*;
use crate::bucket::MemoryBucket;

fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap().0
}

fn info(
    id_time: &str,
    end: &str,
    begin_wal: &str,
    end_wal: &str,
    systemid: &str,
    status: &str,
) -> Vec<u8> {
    format!(
        "backup_label=None\nbackup_name=lab-{id_time}\nbegin_time={id_time}\nbegin_wal={begin_wal}\nend_time={end}\nend_wal={end_wal}\n\
         status={status}\nsystemid={systemid}\ntimeline=1\nxlog_segment_size=16777216\n"
    )
    .into_bytes()
}

/// The layout the lab's barman-cloud 3.19.1 wrote (recipe §3), plus the lineages the issue names.
fn lab() -> MemoryBucket {
    let mut b = MemoryBucket::new();
    let v1 = "cnpg/demo/demo-database-v1";
    b.put(
        &format!("{v1}/base/20261123T191927/backup.info"),
        &info(
            "2026-11-23 19:19:27.1+00:00",
            "2026-11-23 19:19:29.5+00:00",
            "000000010000000000000002",
            "000000010000000000000002",
            "7711",
            "DONE",
        ),
        ts("2026-11-23T19:19:30Z"),
    );
    b.put_sized(
        &format!("{v1}/base/20261123T191927/data.tar.gz"),
        3_103_403,
        ts("2026-11-23T19:19:29Z"),
    );
    b.put_sized(
        &format!("{v1}/wals/0000000100000000/000000010000000000000001.bz2"),
        1_275_151,
        ts("2026-11-23T19:19:26Z"),
    );
    b.put_sized(
        &format!("{v1}/wals/0000000100000000/000000010000000000000002.00000028.backup.bz2"),
        242,
        ts("2026-11-23T19:19:30Z"),
    );
    b.put_sized(
        &format!("{v1}/wals/0000000100000000/000000010000000000000002.bz2"),
        222,
        ts("2026-11-23T19:19:30Z"),
    );
    b.put_sized(
        &format!("{v1}/wals/0000000100000000/000000010000000000000003.bz2"),
        22_494,
        ts("2026-11-23T19:19:40Z"),
    );
    let v2 = "cnpg/demo/demo-database-v2";
    b.put(
        &format!("{v2}/wals/00000002.history"),
        b"1\t0/3000090\tbefore 2026-11-23 19:19:35.1+00\n",
        ts("2026-11-23T19:21:00Z"),
    );
    b.put_sized(
        &format!("{v2}/wals/0000000200000000/000000020000000000000003.bz2"),
        26_604,
        ts("2026-11-23T19:21:01Z"),
    );
    // a second initdb on v3: two backups, two systemids
    let v3 = "cnpg/demo/demo-database-v3";
    for (id, sys) in [("20261124T100000", "1111"), ("20261125T100000", "2222")] {
        let t = format!("{}-{}-{} 10:00:00+00:00", &id[..4], &id[4..6], &id[6..8]);
        b.put(
            &format!("{v3}/base/{id}/backup.info"),
            &info(
                &t,
                &t,
                "000000010000000000000002",
                "000000010000000000000002",
                sys,
                "DONE",
            ),
            ts("2026-11-25T10:00:01Z"),
        );
    }
    b.put_sized(
        &format!("{v3}/wals/0000000100000000/000000010000000000000002.gz"),
        10,
        ts("2026-11-25T10:00:02Z"),
    );
    // junk barman ignores, and a FAILED backup with no WAL
    b.put_sized(
        "cnpg/demo/demo-database-v4/wals/README",
        3,
        ts("2026-11-25T10:00:02Z"),
    );
    b.put(
        "cnpg/demo/demo-database-v4/base/20261126T000000/backup.info",
        b"status=FAILED\nerror=failure\n",
        ts("2026-11-26T00:00:00Z"),
    );
    b
}

fn scan(b: &MemoryBucket) -> LineageScan {
    scan_destination(
        b,
        &DestinationPath::parse("s3://backups/cnpg/demo").unwrap(),
    )
    .unwrap()
}

#[test]
fn destination_paths_split_like_barman() {
    let d = DestinationPath::parse("s3://backups/cnpg/demo").unwrap();
    assert_eq!(
        (d.bucket.as_str(), d.path.as_str()),
        ("backups", "cnpg/demo")
    );
    assert_eq!(
        d.wals_prefix("demo-database-v1"),
        "cnpg/demo/demo-database-v1/wals/"
    );
    let d = DestinationPath::parse("s3://backups").unwrap();
    assert_eq!(d.root_prefix(), "");
    assert_eq!(d.wals_prefix("x"), "x/wals/");
    assert_eq!(
        DestinationPath::parse("s3://b/p/")
            .unwrap()
            .wals_prefix("x"),
        "p/x/wals/"
    );
    assert!(DestinationPath::parse("backups/cnpg").is_err());
    assert!(DestinationPath::parse("s3:///cnpg").is_err());
}

#[test]
fn restorable_lineage_with_window() {
    let s = scan(&lab());
    let v1 = s.lineage("demo-database-v1").unwrap();
    assert_eq!(v1.verdict, Verdict::Restorable);
    let w = v1.window.as_ref().unwrap();
    assert_eq!(w.start.to_string(), "2026-11-23T19:19:29.500000Z");
    assert_eq!(w.start_backup, "20261123T191927");
    assert_eq!(w.end.to_string(), "2026-11-23T19:19:40Z");
    let b = &v1.backups[0];
    assert!(b.usable);
    assert_eq!(b.compression, Some(Compression::Gzip));
    assert_eq!(b.stored_size, 3_103_403 + lab_info_len());
    assert_eq!(v1.systemids, ["7711"]);
    let t = &v1.timelines[0];
    assert_eq!(
        (
            t.timeline,
            t.first.as_str(),
            t.last.as_str(),
            t.segments,
            t.backup_labels,
            t.missing
        ),
        (
            1,
            "000000010000000000000001",
            "000000010000000000000003",
            3,
            1,
            0
        )
    );
    assert_eq!(t.compressions, [Compression::Bzip2]);
    assert_eq!(v1.archive.check(None), Err(ArchiveNotEmpty::Expected));
}

fn lab_info_len() -> u64 {
    info(
        "2026-11-23 19:19:27.1+00:00",
        "2026-11-23 19:19:29.5+00:00",
        "000000010000000000000002",
        "000000010000000000000002",
        "7711",
        "DONE",
    )
    .len() as u64
}

#[test]
fn pitr_lineage_is_wal_only_with_history() {
    let s = scan(&lab());
    let v2 = s.lineage("demo-database-v2").unwrap();
    assert_eq!(v2.verdict, Verdict::WalOnly);
    assert_eq!(v2.window, None);
    assert_eq!(v2.history.len(), 1);
    assert_eq!(v2.history[0].entries[0].parent_timeline, 1);
    assert_eq!(
        v2.history[0].entries[0].reason,
        "before 2026-11-23 19:19:35.1+00"
    );
    assert_eq!(v2.timelines[0].timeline, 2);
    // barman: the history file alone would already fail; --timeline 3 passes, 2 does not
    assert_eq!(v2.archive.check(Some(3)), Ok(()));
    assert_eq!(
        v2.archive.check(Some(2)),
        Err(ArchiveNotEmpty::NewerTimeline {
            count: 2,
            timeline: 2
        })
    );
}

#[test]
fn second_initdb_is_mixed_systemid() {
    let s = scan(&lab());
    let v3 = s.lineage("demo-database-v3").unwrap();
    assert_eq!(v3.verdict, Verdict::MixedSystemid);
    assert_eq!(v3.systemids, ["1111", "2222"]);
}

#[test]
fn junk_and_failed_backups_do_not_make_a_lineage_used() {
    let s = scan(&lab());
    let v4 = s.lineage("demo-database-v4").unwrap();
    assert_eq!(v4.verdict, Verdict::Incomplete);
    assert_eq!(v4.ignored_objects, 1);
    assert_eq!(
        v4.archive.check(None),
        Ok(()),
        "barman ignores README and base/"
    );
    assert_eq!(v4.backups[0].status(), "FAILED");
    assert!(s.lineage("demo-database-v9").is_none());
    assert_eq!(s.lineages.len(), 4);
}

#[test]
fn backup_without_its_wal_is_not_usable() {
    let mut b = MemoryBucket::new();
    b.put(
        "p/s/base/1/backup.info",
        &info(
            "2026-01-01 00:00:00+00",
            "2026-01-01 00:01:00+00",
            "000000010000000000000005",
            "000000010000000000000006",
            "9",
            "DONE",
        ),
        ts("2026-01-01T00:01:00Z"),
    );
    b.put_sized(
        "p/s/wals/0000000100000000/000000010000000000000005",
        1,
        ts("2026-01-01T00:01:00Z"),
    );
    let s = scan_destination(&b, &DestinationPath::parse("s3://b/p").unwrap()).unwrap();
    let l = s.lineage("s").unwrap();
    assert!(!l.backups[0].usable);
    assert_eq!(l.verdict, Verdict::Incomplete);
}

#[test]
fn gaps_cross_log_boundaries_and_partial_is_counted() {
    let mut b = MemoryBucket::new();
    for name in [
        "0000000100000000000000FE",
        "0000000100000001000000000",
        "000000010000000100000002.gz",
        "000000010000000100000005.partial",
    ] {
        b.put_sized(
            &format!("s/wals/{}/{name}", &name[..16]),
            1,
            ts("2026-01-01T00:00:00Z"),
        );
    }
    let s = scan_destination(&b, &DestinationPath::parse("s3://b").unwrap()).unwrap();
    let t = &s.lineage("s").unwrap().timelines[0];
    // 25 hex digits is not a WAL name: ignored
    assert_eq!(t.segments, 3);
    assert_eq!(t.partial, 1);
    assert_eq!(t.first, "0000000100000000000000FE");
    assert_eq!(t.last, "000000010000000100000005.partial");
    assert_eq!(
        t.gaps,
        [(
            "0000000100000000000000FF".to_string(),
            "000000010000000100000001".to_string()
        )]
    );
    assert_eq!(t.missing, 3);
}

#[test]
fn hundred_thousand_wal_objects_in_pages() {
    let mut b = MemoryBucket::new();
    let t = ts("2026-01-01T00:00:00Z");
    for i in 0..100_000u64 {
        if i == 5000 {
            continue;
        }
        let name = format!("00000001{:08X}{:08X}.bz2", i / 256, i % 256);
        b.put_sized(
            &format!("d/big/wals/{}/{name}", &name[..16]),
            1,
            Timestamp(t.0 + i as i64),
        );
    }
    let s = scan_destination(&b, &DestinationPath::parse("s3://b/d").unwrap()).unwrap();
    let tl = &s.lineage("big").unwrap().timelines[0];
    assert_eq!(tl.segments, 99_999);
    assert_eq!(tl.missing, 1);
    assert_eq!(tl.gaps[0].0, "000000010000001300000088");
    assert_eq!(b.list_requests(), 100);
    assert_eq!(b.get_requests(), 0);
    assert_eq!(s.objects_listed, 99_999);
}

#[test]
fn hostile_backup_info_cannot_make_the_scan_loop() {
    let mut b = MemoryBucket::new();
    b.put(
        "s/base/1/backup.info",
        &info(
            "2026-01-01 00:00:00+00",
            "2026-01-01 00:01:00+00",
            "000000010000000000000000",
            "00000001FFFFFFFF000000FF",
            "9",
            "DONE",
        ),
        ts("2026-01-01T00:01:00Z"),
    );
    b.put_sized(
        "s/wals/0000000100000000/000000010000000000000000",
        1,
        ts("2026-01-01T00:01:00Z"),
    );
    let s = scan_destination(&b, &DestinationPath::parse("s3://b").unwrap()).unwrap();
    assert!(!s.lineage("s").unwrap().backups[0].usable);
}

#[test]
fn compressed_histories_are_read_and_a_corrupt_one_says_why() {
    use std::io::Write;
    let mut b = MemoryBucket::new();
    let text = b"1\t0/3000090\tbefore 2026-12-04 21:44:19.976246+00\n";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text).unwrap();
    b.put(
        "pg/a-v2/wals/00000002.history.gz",
        &gz.finish().unwrap(),
        ts("2026-12-04T21:44:32Z"),
    );
    b.put(
        "pg/a-v2/wals/00000003.history.bz2",
        b"garbage",
        ts("2026-12-04T21:44:33Z"),
    );
    b.put(
        "pg/a-v2/wals/00000004.history.zst",
        b"unread",
        ts("2026-12-04T21:44:34Z"),
    );
    let scan = scan_destination(&b, &DestinationPath::parse("s3://b/pg").unwrap()).unwrap();
    let h = &scan.lineage("a-v2").unwrap().history;
    assert_eq!(h.len(), 3);
    assert_eq!(h[0].entries.len(), 1);
    assert_eq!(h[0].entries[0].switchpoint, "0/3000090");
    assert_eq!(
        h[0].entries[0].reason,
        "before 2026-12-04 21:44:19.976246+00"
    );
    assert_eq!(h[0].error, None);
    assert!(h[1].entries.is_empty());
    assert!(
        h[1].error
            .as_deref()
            .unwrap()
            .starts_with("not valid bzip2"),
        "{:?}",
        h[1].error
    );
    assert!(
        h[2].entries.is_empty() && h[2].error.is_none(),
        "zstd is listed, not read"
    );
    assert_eq!(scan.objects_read, 2, "the zstd history is not fetched");
    assert_eq!(b.get_requests(), 2);
}

/// A bucket that answers with keys outside the prefix (as an adapter that
/// drops the trailing `/` of a folder marker would): skipped, no panic.
#[test]
fn keys_outside_the_prefix_are_skipped() {
    struct Sloppy;
    impl Bucket for Sloppy {
        fn list(
            &self,
            _prefix: &str,
            visit: &mut dyn FnMut(ObjectMeta),
        ) -> Result<(), BucketError> {
            for key in [
                "pg",
                "p",
                "other/x/wals/000000010000000000000001",
                "pg/a-v1/wals/000000010000000000000001",
            ] {
                visit(ObjectMeta {
                    key: key.to_string(),
                    size: 0,
                    last_modified: Timestamp(0),
                });
            }
            Ok(())
        }
        fn get(&self, key: &str, _limit: usize) -> Result<Vec<u8>, BucketError> {
            Err(BucketError::NotFound {
                key: key.to_string(),
            })
        }
    }
    let scan = scan_destination(&Sloppy, &DestinationPath::parse("s3://b/pg").unwrap()).unwrap();
    assert_eq!(scan.objects_listed, 4);
    let names: Vec<&str> = scan
        .lineages
        .iter()
        .map(|l| l.server_name.as_str())
        .collect();
    assert_eq!(names, ["a-v1"]);
    assert_eq!(scan.lineages[0].verdict, Verdict::WalOnly);
}
