//! Peak heap of `scan_destination` over a lineage of N WAL segments (default
//! 100,000) and one base backup, listed 1,000 keys a page by a bucket that
//! makes each page on the fly and keeps nothing: what is measured is the
//! scan's own memory, not the bucket's.
//!
//!     cargo run --release -p cnpg-dr-core --example scan_memory [N]
#![allow(clippy::disallowed_methods)] // tests read and build real files

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use cnpg_dr_core::bucket::{
    scan_destination, Bucket, BucketError, DestinationPath, ObjectMeta, Timestamp,
};

struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator, only counting bytes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        // SAFETY: the caller's layout, passed on unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: ptr came from System.alloc with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// `pg/app-v1/`: backup.info, data.tar.gz, then N bzip2 segments on timeline 1.
struct Generated {
    segments: u64,
    pages: AtomicUsize,
}

const INFO: &[u8] = b"status=DONE\nbegin_time=2026-01-01 00:00:00+00:00\nend_time=2026-01-01 00:01:00+00:00\nbegin_wal=000000010000000000000001\nend_wal=000000010000000000000002\nsystemid=7\ntimeline=1\nxlog_segment_size=16777216\n";

impl Bucket for Generated {
    fn list(&self, prefix: &str, visit: &mut dyn FnMut(ObjectMeta)) -> Result<(), BucketError> {
        let t = Timestamp::from_unix_seconds(1_767_225_600);
        let mut page = Vec::with_capacity(1000);
        let emit = |page: &mut Vec<ObjectMeta>, visit: &mut dyn FnMut(ObjectMeta)| {
            self.pages.fetch_add(1, Ordering::Relaxed);
            for o in page.drain(..) {
                visit(o);
            }
        };
        let keys = [
            "base/20260101T000000/backup.info",
            "base/20260101T000000/data.tar.gz",
        ]
        .into_iter()
        .map(str::to_string)
        .chain((1..=self.segments).map(|n| {
            let (log, seg) = (n / 256, n % 256);
            format!("wals/00000001{log:08X}/00000001{log:08X}{seg:08X}.bz2")
        }));
        for key in keys {
            page.push(ObjectMeta {
                key: format!("{prefix}app-v1/{key}"),
                size: 16 << 20,
                last_modified: t,
            });
            if page.len() == 1000 {
                emit(&mut page, visit);
            }
        }
        emit(&mut page, visit);
        Ok(())
    }

    fn get(&self, _key: &str, _limit: usize) -> Result<Vec<u8>, BucketError> {
        Ok(INFO.to_vec())
    }
}

fn main() {
    let segments = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let bucket = Generated {
        segments,
        pages: AtomicUsize::new(0),
    };
    let dest = DestinationPath::parse("s3://b/pg").expect("a destination");
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let started = Instant::now();
    let scan = scan_destination(&bucket, &dest).expect("a scan");
    let took = started.elapsed();
    let lineage = &scan.lineages[0];
    let t = &lineage.timelines[0];
    println!(
        "{} objects in {} pages: {} segments {}..{}, {} missing, verdict {}; {:.1} ms; peak heap {} KiB ({:.1} bytes per segment)",
        scan.objects_listed,
        bucket.pages.load(Ordering::Relaxed),
        t.segments,
        t.first,
        t.last,
        t.missing,
        lineage.verdict.as_str(),
        took.as_secs_f64() * 1000.0,
        (PEAK.load(Ordering::Relaxed) - before) / 1024,
        (PEAK.load(Ordering::Relaxed) - before) as f64 / segments as f64,
    );
}
