//! Barman lineages as they are in the object store: the bucket behind a small
//! trait (like [`crate::fs::FileSystem`]), the barman layout parsed from it, and
//! a verdict per serverName. No network here: the CLI supplies an S3 adapter.

pub mod backup_info;
pub mod scan;
pub mod time;
pub mod wal;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

pub use scan::{
    scan_destination, ArchiveCheck, BackupEntry, DestinationPath, Lineage, LineageScan,
    TimelineWal, Verdict, Window,
};
pub use time::Timestamp;

/// One object as a listing returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectMeta {
    /// The full key inside the bucket.
    pub key: String,
    pub size: u64,
    pub last_modified: Timestamp,
}

/// What went wrong reaching the bucket, in words an on-call engineer can act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum BucketError {
    #[error("bucket `{bucket}` does not exist (404 NoSuchBucket)")]
    NoSuchBucket { bucket: String },
    #[error("access denied (403) listing or reading `{key}`: {detail}")]
    AccessDenied { key: String, detail: String },
    #[error("could not reach the object store: {detail}")]
    Unreachable { detail: String },
    #[error("the object store did not answer within {seconds} s: {detail}")]
    Timeout { seconds: u64, detail: String },
    #[error("`{key}` is larger than the {limit} bytes read for it")]
    TooLarge { key: String, limit: usize },
    #[error("`{key}` does not exist")]
    NotFound { key: String },
    #[error("object store error: {detail}")]
    Other { detail: String },
}

/// Read-only access to one bucket. There is deliberately no way to write.
pub trait Bucket: Sync {
    /// Calls `visit` for every object whose key starts with `prefix`, in key
    /// order, page by page: an implementation must not hold the whole listing.
    fn list(&self, prefix: &str, visit: &mut dyn FnMut(ObjectMeta)) -> Result<(), BucketError>;
    /// Reads a whole object of at most `limit` bytes.
    fn get(&self, key: &str, limit: usize) -> Result<Vec<u8>, BucketError>;
}

/// A bucket in memory, for tests and recorded listings. Counts requests the way
/// S3 would bill them (one list request per `page_size` keys).
#[derive(Debug, Default)]
pub struct MemoryBucket {
    objects: BTreeMap<String, (ObjectMeta, Vec<u8>)>,
    page_size: usize,
    list_requests: AtomicUsize,
    get_requests: AtomicUsize,
}

impl MemoryBucket {
    /// An empty bucket answering listings 1000 keys a page, as S3 does.
    pub fn new() -> MemoryBucket {
        MemoryBucket {
            page_size: 1000,
            ..MemoryBucket::default()
        }
    }

    /// Adds (or replaces) an object.
    pub fn put(&mut self, key: &str, body: &[u8], last_modified: Timestamp) {
        let meta = ObjectMeta {
            key: key.to_string(),
            size: body.len() as u64,
            last_modified,
        };
        self.objects.insert(key.to_string(), (meta, body.to_vec()));
    }

    /// Adds an object whose body is never read, with a size of its own.
    pub fn put_sized(&mut self, key: &str, size: u64, last_modified: Timestamp) {
        let meta = ObjectMeta {
            key: key.to_string(),
            size,
            last_modified,
        };
        self.objects.insert(key.to_string(), (meta, Vec::new()));
    }

    /// Reads a recorded listing: one object a line, `<size> <RFC 3339 time> <key>`;
    /// bodies (backup.info, history files) come from `bodies` by key.
    pub fn from_listing(
        listing: &str,
        bodies: &BTreeMap<String, Vec<u8>>,
    ) -> Result<MemoryBucket, String> {
        let mut bucket = MemoryBucket::new();
        for (i, line) in listing.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.splitn(3, ' ');
            let (Some(size), Some(time), Some(key)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(format!("line {}: expected `<size> <time> <key>`", i + 1));
            };
            let size: u64 = size
                .parse()
                .map_err(|_| format!("line {}: `{size}` is not a size", i + 1))?;
            let (time, _) = Timestamp::parse(time).map_err(|e| format!("line {}: {e}", i + 1))?;
            match bodies.get(key) {
                Some(body) => bucket.put(key, body, time),
                None => bucket.put_sized(key, size, time),
            }
        }
        Ok(bucket)
    }

    /// List requests made so far (pages).
    pub fn list_requests(&self) -> usize {
        self.list_requests.load(Ordering::Relaxed)
    }

    /// Get requests made so far.
    pub fn get_requests(&self) -> usize {
        self.get_requests.load(Ordering::Relaxed)
    }
}

impl Bucket for MemoryBucket {
    fn list(&self, prefix: &str, visit: &mut dyn FnMut(ObjectMeta)) -> Result<(), BucketError> {
        let mut in_page = 0;
        self.list_requests.fetch_add(1, Ordering::Relaxed);
        for (meta, _) in self
            .objects
            .range(prefix.to_string()..)
            .map(|(_, v)| v)
            .take_while(|(m, _)| m.key.starts_with(prefix))
        {
            if in_page == self.page_size.max(1) {
                self.list_requests.fetch_add(1, Ordering::Relaxed);
                in_page = 0;
            }
            in_page += 1;
            visit(meta.clone());
        }
        Ok(())
    }

    fn get(&self, key: &str, limit: usize) -> Result<Vec<u8>, BucketError> {
        self.get_requests.fetch_add(1, Ordering::Relaxed);
        let (_, body) = self.objects.get(key).ok_or_else(|| BucketError::NotFound {
            key: key.to_string(),
        })?;
        if body.len() > limit {
            return Err(BucketError::TooLarge {
                key: key.to_string(),
                limit,
            });
        }
        Ok(body.clone())
    }
}
