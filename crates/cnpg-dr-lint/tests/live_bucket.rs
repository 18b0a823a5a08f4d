//! The S3 adapter and `scan_destination` against real lineages: a real S3
//! server (SeaweedFS) holding what real barman-cloud 3.19.1 wrote for real
//! PostgreSQL 15 servers (scripts/lab/lab.sh up). Every expected value comes
//! from another witness: barman's own `barman-cloud-backup-list` and
//! `barman-cloud-check-wal-archive`, boto3's listing, and what the lab read
//! from PostgreSQL (systemids, the PITR target).
#![allow(clippy::disallowed_methods)] // tests read and build real files

mod lab;

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use cnpg_dr_core::bucket::{scan_destination, Bucket, BucketError, DestinationPath, Verdict};
use cnpg_dr_core::bucket::{LineageScan, Timestamp};
use cnpg_dr_lint::s3::{S3Bucket, S3Options};
use lab::Lab;

const SERVERS: [&str; 5] = [
    "demo-database-v1",
    "demo-wal-only",
    "demo-database-v2",
    "demo-mixed",
    "demo-database-v9",
];

fn scan(lab: &Lab) -> LineageScan {
    let dest = DestinationPath::parse(lab.var("LAB_DEST")).unwrap();
    scan_destination(&lab.bucket(), &dest).expect("scan of the lab bucket")
}

fn time(text: &str) -> Timestamp {
    Timestamp::parse(text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .0
}

/// `barman-cloud-backup-list --format json` for one serverName, by backup id.
fn barman_backups(lab: &Lab, server: &str) -> BTreeMap<String, serde_json::Value> {
    let out = lab.barman(
        "barman-cloud-backup-list",
        &["--format", "json", lab.var("LAB_DEST"), server],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["backups_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["backup_id"].as_str().unwrap().to_string(), b.clone()))
        .collect()
}

/// boto3's listing, parsed: (size, LastModified, key).
fn boto_objects(lab: &Lab, prefix: &str) -> Vec<(u64, Timestamp, String)> {
    lab.listing()
        .lines()
        .filter_map(|l| {
            let mut p = l.splitn(4, ' ');
            let (size, _etag, time_text, key) = (p.next()?, p.next()?, p.next()?, p.next()?);
            key.starts_with(prefix)
                .then(|| (size.parse().unwrap(), time(time_text), key.to_string()))
        })
        .collect()
}

#[test]
fn every_base_backup_matches_barman_backup_list() {
    let Some(lab) = Lab::get() else { return };
    let scan = scan(&lab);
    let mut compared = 0;
    for server in ["demo-database-v1", "demo-database-v2", "demo-mixed"] {
        let lineage = scan
            .lineage(server)
            .unwrap_or_else(|| panic!("{server} not found"));
        let barman = barman_backups(&lab, server);
        let ours: Vec<&str> = lineage.backups.iter().map(|b| b.id.as_str()).collect();
        let theirs: Vec<&str> = barman.keys().map(String::as_str).collect();
        assert_eq!(ours, theirs, "{server}: backup ids");
        for b in &lineage.backups {
            let want = &barman[&b.id];
            let info = b.info.as_ref().expect("backup.info parses");
            assert_eq!(
                b.status(),
                want["status"].as_str().unwrap(),
                "{server} {}",
                b.id
            );
            assert_eq!(info.name.as_deref(), want["backup_name"].as_str());
            assert_eq!(info.begin_wal.as_deref(), want["begin_wal"].as_str());
            assert_eq!(info.end_wal.as_deref(), want["end_wal"].as_str());
            assert_eq!(info.begin_xlog.as_deref(), want["begin_xlog"].as_str());
            assert_eq!(info.end_xlog.as_deref(), want["end_xlog"].as_str());
            assert_eq!(info.systemid.as_deref(), want["systemid"].as_str());
            assert_eq!(
                info.timeline.map(u64::from),
                want["timeline"].as_u64(),
                "{server} {} timeline",
                b.id
            );
            assert_eq!(
                info.begin_time,
                Some(time(want["begin_time_iso"].as_str().unwrap()))
            );
            assert_eq!(
                info.end_time,
                Some(time(want["end_time_iso"].as_str().unwrap()))
            );
            assert_eq!(info.segment_size, want["xlog_segment_size"].as_u64());
            // The data is gzipped (--gzip) although backup.info says compression=None.
            assert!(want["compression"].is_null());
            assert_eq!(b.compression.map(|c| c.name()), Some("gzip"));
            let stored: u64 = boto_objects(&lab, &format!("cnpg/demo/{server}/base/{}/", b.id))
                .iter()
                .map(|o| o.0)
                .sum();
            assert_eq!(b.stored_size, stored, "{server} {} stored size", b.id);
            compared += 1;
        }
    }
    assert_eq!(compared, 4, "v1, v2 and the two backups of demo-mixed");
}

#[test]
fn each_kind_of_lineage_gets_its_verdict() {
    let Some(lab) = Lab::get() else { return };
    let scan = scan(&lab);
    let names: Vec<&str> = scan
        .lineages
        .iter()
        .map(|l| l.server_name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "demo-database-v1",
            "demo-database-v2",
            "demo-mixed",
            "demo-wal-only"
        ]
    );
    assert!(scan.lineage("demo-database-v9").is_none(), "never written");
    assert_eq!(
        scan.objects_listed,
        boto_objects(&lab, "cnpg/demo/").len(),
        "one listing sees every object boto3 sees"
    );
    let (a, b) = (lab.var("LAB_SYSTEMID_A"), lab.var("LAB_SYSTEMID_B"));

    let v1 = scan.lineage("demo-database-v1").unwrap();
    assert_eq!(v1.verdict, Verdict::Restorable);
    assert_eq!(v1.systemids, [a]);
    assert!(v1.backups.iter().all(|b| b.usable));
    let window = v1.window.as_ref().expect("a window");
    assert_eq!(window.start_backup, lab.var("LAB_V1_BACKUP_ID"));
    let backup = &barman_backups(&lab, "demo-database-v1")[lab.var("LAB_V1_BACKUP_ID")];
    assert_eq!(window.start, time(backup["end_time_iso"].as_str().unwrap()));
    let wal = boto_objects(&lab, "cnpg/demo/demo-database-v1/wals/");
    let newest = wal
        .iter()
        .filter(|o| !o.2.contains(".backup"))
        .map(|o| o.1)
        .max()
        .unwrap();
    assert_eq!(window.end, newest, "the newest segment's LastModified");
    assert!(
        window.contains(time(lab.var("LAB_T_MID"))),
        "the PITR target the lab reached"
    );
    assert_eq!(v1.timelines.len(), 1);
    let t1 = &v1.timelines[0];
    assert_eq!(t1.timeline, 1);
    assert_eq!(t1.first, "000000010000000000000001");
    let last = wal
        .iter()
        .filter(|o| !o.2.contains(".backup"))
        .map(|o| o.2.rsplit('/').next().unwrap().trim_end_matches(".bz2"))
        .max()
        .unwrap();
    assert_eq!(t1.last, last);
    assert_eq!(t1.segments, wal.len() - t1.backup_labels);
    assert_eq!(
        t1.backup_labels, 2,
        "one .backup label per base backup taken of A"
    );
    assert_eq!((t1.missing, t1.gaps.len()), (0, 0));
    assert_eq!(
        t1.compressions.iter().map(|c| c.name()).collect::<Vec<_>>(),
        ["bzip2"]
    );
    assert!(v1.history.is_empty());

    let wal_only = scan.lineage("demo-wal-only").unwrap();
    assert_eq!(wal_only.verdict, Verdict::WalOnly);
    assert!(wal_only.backups.is_empty() && wal_only.window.is_none());
    let segments: usize = lab.var("LAB_WAL_ONLY_SEGMENTS").parse().unwrap();
    assert_eq!(wal_only.timelines[0].segments, segments);
    assert!(
        wal_only.timelines[0].compressions.is_empty(),
        "uploaded uncompressed"
    );

    let v2 = scan.lineage("demo-database-v2").unwrap();
    assert_eq!(v2.verdict, Verdict::Restorable);
    assert_eq!(v2.systemids, [a], "a PITR keeps the systemid");
    assert_eq!(
        v2.timelines.iter().map(|t| t.timeline).collect::<Vec<_>>(),
        [2],
        "the restored cluster writes timeline 2 only"
    );
    assert_eq!(v2.history.len(), 1);
    assert_eq!(v2.history[0].timeline, 2);
    assert_eq!(
        v2.history[0].key,
        "cnpg/demo/demo-database-v2/wals/00000002.history.bz2"
    );
    // The bzip2 history, decompressed: what PostgreSQL wrote when the PITR to
    // LAB_T_MID stopped. It names the commit it stopped before, the first one
    // after the target (the lab commits 1.1 s after it), not the target itself.
    assert_eq!(v2.history[0].error, None);
    let entry = &v2.history[0].entries[..];
    assert_eq!(entry.len(), 1, "{entry:?}");
    assert_eq!(entry[0].parent_timeline, 1);
    let stop = entry[0]
        .reason
        .strip_prefix("before ")
        .unwrap_or_else(|| panic!("{:?}", entry[0].reason));
    let (stop, target) = (time(stop), time(lab.var("LAB_T_MID")));
    assert!(
        target < stop && stop.0 - target.0 < 30_000_000,
        "stopped at {stop} for a target of {target}"
    );
    let v1_window = scan
        .lineage("demo-database-v1")
        .unwrap()
        .window
        .clone()
        .unwrap();
    assert!(
        v1_window.contains(stop),
        "the stop point lies in v1's window"
    );
    assert_eq!(v2.backups[0].id, lab.var("LAB_V2_BACKUP_ID"));
    assert_eq!(v2.backups[0].info.as_ref().unwrap().timeline, Some(2));

    let mixed = scan.lineage("demo-mixed").unwrap();
    assert_eq!(mixed.verdict, Verdict::MixedSystemid);
    let mut both = vec![a, b];
    both.sort_unstable();
    assert_eq!(mixed.systemids, both);
}

/// What barman-cloud-check-wal-archive says (its exit code: 0 usable, 1 not
/// empty) against what ArchiveCheck says, with and without --timeline.
#[test]
fn archive_check_agrees_with_barman_cloud_check_wal_archive() {
    let Some(lab) = Lab::get() else { return };
    let scan = scan(&lab);
    let mut rows = Vec::new();
    for server in SERVERS {
        for timeline in [None, Some(1), Some(2), Some(3)] {
            let mut args = vec![];
            let t;
            if let Some(n) = timeline {
                t = n.to_string();
                args.extend(["--timeline", t.as_str()]);
            }
            args.extend([lab.var("LAB_DEST"), server]);
            let out = lab.barman("barman-cloud-check-wal-archive", &args);
            let barman = out.status.code();
            let ours = match scan.lineage(server) {
                Some(l) => l.archive.check(timeline),
                None => Ok(()),
            };
            let ours_code = if ours.is_ok() { Some(0) } else { Some(1) };
            assert_eq!(
                ours_code,
                barman,
                "{server} --timeline {timeline:?}: ours {ours:?}, barman said {}",
                String::from_utf8_lossy(&out.stderr)
            );
            rows.push((server, timeline, barman));
        }
    }
    // The cases that matter are all there: refused without a timeline, and
    // allowed past the newest timeline.
    assert!(rows.contains(&("demo-database-v1", None, Some(1))));
    assert!(rows.contains(&("demo-database-v1", Some(2), Some(0))));
    assert!(rows.contains(&("demo-database-v2", Some(2), Some(1))));
    assert!(rows.contains(&("demo-database-v2", Some(3), Some(0))));
    assert!(rows.contains(&("demo-database-v9", None, Some(0))));
}

#[test]
fn listing_pages_through_continuation_tokens() {
    let Some(lab) = Lab::get() else { return };
    let dest = DestinationPath::parse(lab.var("LAB_DEST")).unwrap();
    let whole = scan_destination(&lab.bucket(), &dest).unwrap();
    let paged_bucket = lab.bucket().with_page_size(3);
    let paged = scan_destination(&paged_bucket, &dest).unwrap();
    assert_eq!(paged, whole, "the same lineages, page by page");
    let pages = whole.objects_listed.div_ceil(3);
    // One request per page (the last may be an empty page) plus one GET per
    // backup.info and per history file.
    let reads = whole.objects_read;
    let sent = paged_bucket.requests();
    assert!(
        sent == pages + reads || sent == pages + 1 + reads,
        "{sent} requests for {pages} pages and {reads} reads"
    );
    assert_eq!(paged_bucket.refused(), 0);
    // The lab's empty folder marker `cnpg/demo/` keeps its trailing slash
    // (object_store drops it), so it stays under its own prefix.
    let mut first = None;
    paged_bucket
        .list("cnpg/demo/", &mut |o| {
            first.get_or_insert((o.key, o.size));
        })
        .unwrap();
    assert_eq!(first, Some(("cnpg/demo/".to_string(), 0)));
    // Keys come in order across pages, and only under the prefix.
    let mut keys = Vec::new();
    paged_bucket
        .list("cnpg/demo/demo-database-v", &mut |o| keys.push(o.key))
        .unwrap();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert!(keys
        .iter()
        .all(|k| k.starts_with("cnpg/demo/demo-database-v")));
    assert_eq!(
        keys.len(),
        boto_objects(&lab, "cnpg/demo/demo-database-v").len()
    );
}

#[test]
fn get_reads_whole_objects_and_refuses_large_ones() {
    let Some(lab) = Lab::get() else { return };
    let bucket = lab.bucket();
    let key = format!(
        "cnpg/demo/demo-database-v1/base/{}/backup.info",
        lab.var("LAB_V1_BACKUP_ID")
    );
    let body = bucket.get(&key, 1 << 20).unwrap();
    let text = String::from_utf8(body.clone()).unwrap();
    assert!(text.contains("status=DONE"), "{text}");
    assert!(text.contains(&format!("systemid={}", lab.var("LAB_SYSTEMID_A"))));
    assert_eq!(
        bucket.get(&key, 100),
        Err(BucketError::TooLarge {
            key: key.clone(),
            limit: 100
        })
    );
    let missing = "cnpg/demo/demo-database-v9/base/x/backup.info";
    assert_eq!(
        bucket.get(missing, 1 << 20),
        Err(BucketError::NotFound {
            key: missing.to_string()
        })
    );
}

#[test]
fn failures_name_their_cause() {
    let Some(lab) = Lab::get() else { return };
    let good = lab.options();

    // A wrong secret: 403, naming the key that was listed.
    let mut wrong = good.clone();
    wrong.credentials.as_mut().unwrap().secret_access_key = "not-the-secret".into();
    let e = S3Bucket::new(lab.var("LAB_BUCKET"), &wrong)
        .unwrap()
        .list("cnpg/demo/", &mut |_| {})
        .unwrap_err();
    match &e {
        BucketError::AccessDenied { key, detail } => {
            assert_eq!(key, "cnpg/demo/");
            assert!(!detail.is_empty());
        }
        other => panic!("expected AccessDenied, got {other:?}"),
    }

    // A bucket that does not exist: 404 NoSuchBucket.
    let e = S3Bucket::new("no-such-bucket-here", &good)
        .unwrap()
        .list("x/", &mut |_| {})
        .unwrap_err();
    assert_eq!(
        e,
        BucketError::NoSuchBucket {
            bucket: "no-such-bucket-here".into()
        }
    );

    // Nothing listens: connection refused, quickly.
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut refused = good.clone();
    refused.endpoint = Some(format!("http://127.0.0.1:{port}"));
    refused.timeout = Duration::from_secs(5);
    let e = S3Bucket::new("b", &refused)
        .unwrap()
        .list("", &mut |_| {})
        .unwrap_err();
    match &e {
        BucketError::Unreachable { detail } => assert!(detail.contains("refused"), "{detail}"),
        other => panic!("expected Unreachable, got {other:?}"),
    }

    // TLS spoken to a plain-HTTP server.
    let mut tls = good.clone();
    tls.endpoint = Some(lab.endpoint().replace("http://", "https://"));
    tls.timeout = Duration::from_secs(5);
    let e = S3Bucket::new("b", &tls)
        .unwrap()
        .list("", &mut |_| {})
        .unwrap_err();
    match &e {
        BucketError::Unreachable { detail } => assert!(detail.contains("TLS"), "{detail}"),
        other => panic!("expected a TLS failure, got {other:?}"),
    }

    // A server that accepts and never answers: bounded by the timeout.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop = done.clone();
    let holder = std::thread::spawn(move || {
        let mut held = Vec::new();
        silent.set_nonblocking(true).unwrap();
        let until = Instant::now() + Duration::from_secs(15);
        while Instant::now() < until && !stop.load(std::sync::atomic::Ordering::Relaxed) {
            if let Ok((mut s, _)) = silent.accept() {
                let mut buf = [0u8; 512];
                let _ = s.set_read_timeout(Some(Duration::from_millis(50)));
                let _ = s.read(&mut buf);
                held.push(s);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        drop(held);
    });
    let mut slow = good.clone();
    slow.endpoint = Some(format!("http://{addr}"));
    slow.timeout = Duration::from_secs(1);
    let started = Instant::now();
    let e = S3Bucket::new("b", &slow)
        .unwrap()
        .list("", &mut |_| {})
        .unwrap_err();
    let took = started.elapsed();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(matches!(e, BucketError::Timeout { .. }), "{e:?}");
    assert!(took < Duration::from_secs(5), "gave up after {took:?}");
    holder.join().unwrap();
    let _ = writeln!(std::io::stderr(), "silent server: {e} after {took:?}");

    // A host name that cannot resolve (.invalid is reserved for that).
    let mut dns = good.clone();
    dns.endpoint = Some("http://cnpg-dr-lab.invalid:9000".into());
    dns.timeout = Duration::from_secs(3);
    let started = Instant::now();
    let e = S3Bucket::new("b", &dns)
        .unwrap()
        .list("", &mut |_| {})
        .unwrap_err();
    let _ = writeln!(
        std::io::stderr(),
        "unresolvable: {e} after {:?}",
        started.elapsed()
    );
    match &e {
        BucketError::Unreachable { detail } => {
            assert!(detail.contains("does not resolve"), "{detail}")
        }
        BucketError::Timeout { .. } => {} // a resolver that never answers
        other => panic!("expected a DNS failure, got {other:?}"),
    }
}

/// Nothing this tool does writes: boto3's listing (sizes, ETags, times) is
/// byte-identical before and after every read path of the adapter, and the
/// transport refused nothing because nothing tried.
#[test]
fn the_bucket_is_byte_identical_after_reading_it() {
    let Some(lab) = Lab::get() else { return };
    let before = lab.listing();
    assert!(before.lines().count() > 20, "{before}");
    let bucket = lab.bucket();
    let dest = DestinationPath::parse(lab.var("LAB_DEST")).unwrap();
    let scan = scan_destination(&bucket, &dest).unwrap();
    for line in before.lines() {
        let key = line.splitn(4, ' ').nth(3).unwrap();
        if key.ends_with("backup.info") || key.ends_with(".history.bz2") {
            bucket.get(key, 1 << 20).unwrap();
        }
    }
    let _ = S3Bucket::new("no-such-bucket-here", &lab.options())
        .unwrap()
        .list("", &mut |_| {});
    assert!(scan.objects_listed > 20);
    assert_eq!(bucket.refused(), 0);
    assert_eq!(lab.listing(), before);
}

#[test]
fn options_come_from_the_environment_the_way_the_cli_reads_them() {
    let Some(lab) = Lab::get() else { return };
    let vars: BTreeMap<&str, String> = lab.aws_env().into_iter().collect();
    let o = S3Options::from_env(
        Some(lab.endpoint().to_string()),
        Duration::from_secs(10),
        &|k| vars.get(k).cloned(),
    )
    .unwrap();
    let bucket = S3Bucket::new(lab.var("LAB_BUCKET"), &o).unwrap();
    let mut n = 0;
    bucket
        .list("cnpg/demo/demo-wal-only/", &mut |_| n += 1)
        .unwrap();
    assert_eq!(n, boto_objects(&lab, "cnpg/demo/demo-wal-only/").len());
}
