//! `cnpg-dr lineages`: what the bucket holds under a database's
//! destinationPath, lineage by lineage, and which overlay writes or reads
//! each one. The bucket is read by the caller (the live S3 adapter, or a
//! MemoryBucket in tests); this module only joins and formats.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use cnpg_dr_core::bucket::{BucketError, Lineage, LineageScan, Timestamp, Verdict};
use cnpg_dr_core::cnpg::{Cluster, LineageRef, ObjectStore, Store};
use cnpg_dr_core::discover::{Database, Variant};
use serde_json::{json, Value};

use crate::output::relative;

/// Whether an overlay writes a lineage or restores from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Writes,
    Reads,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Writes => "writes",
            Role::Reads => "reads",
        }
    }
}

/// One overlay's use of one lineage, with where the manifests set it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Use {
    /// The overlay (`initdb`, `recovery`...); None when the root has no overlay lines.
    pub overlay: Option<String>,
    pub dormant: bool,
    pub cluster: String,
    pub role: Role,
    pub server_name: String,
    /// The destinationPath (from the Cluster, its externalClusters entry, or the ObjectStore).
    pub destination_path: Option<String>,
    /// The endpointURL the manifests give (often an in-cluster address).
    pub endpoint_url: Option<String>,
    /// The ObjectStore's name, for the plugin shape.
    pub object_store: Option<String>,
    /// `file:line:column` of the serverName (or of the store when CNPG's default applies).
    pub location: String,
}

/// Every lineage every variant of `db` writes or reads, in variant order.
pub fn uses(db: &Database, cwd: &Path) -> Vec<Use> {
    let mut out = Vec::new();
    for variant in &db.variants {
        for cluster in variant.clusters() {
            let roles = [
                (Role::Writes, cluster.write_lineage()),
                (Role::Reads, cluster.read_lineage()),
            ];
            for (role, lineage) in roles {
                if let Some(l) = lineage {
                    out.push(use_of(variant, &cluster, role, &l, cwd));
                }
            }
        }
    }
    out
}

fn use_of(
    variant: &Variant,
    cluster: &Cluster<'_>,
    role: Role,
    l: &LineageRef<'_>,
    cwd: &Path,
) -> Use {
    let (destination_path, endpoint_url, object_store) = match &l.store {
        Store::Native {
            destination_path,
            endpoint_url,
        } => (destination_path.clone(), endpoint_url.clone(), None),
        Store::Plugin { object_store } => {
            let found = object_store.as_deref().and_then(|name| {
                variant
                    .resources()
                    .iter()
                    .filter_map(ObjectStore::from)
                    .find(|o| {
                        o.resource.name() == name && o.resource.namespace() == cluster.namespace()
                    })
            });
            (
                found.and_then(|o| o.destination_path()).map(str::to_string),
                found.and_then(|o| o.endpoint_url()).map(str::to_string),
                object_store.clone(),
            )
        }
    };
    let span = l.span();
    Use {
        overlay: variant.overlay_name().map(str::to_string),
        dormant: variant.dormant,
        cluster: cluster.name().to_string(),
        role,
        server_name: l.name.clone(),
        destination_path,
        endpoint_url,
        object_store,
        location: format!(
            "{}:{}:{}",
            relative(&span.file, cwd),
            span.line,
            span.column
        ),
    }
}

/// The distinct (destinationPath, manifest endpoint) pairs of `uses`, in order of appearance.
pub fn destinations(uses: &[Use]) -> Vec<(String, Option<String>)> {
    let mut seen = Vec::new();
    for u in uses {
        if let Some(path) = &u.destination_path {
            let key = (path.clone(), u.endpoint_url.clone());
            if !seen.contains(&key) {
                seen.push(key);
            }
        }
    }
    seen
}

/// What one destination held, and what reading it cost.
#[derive(Debug)]
pub struct DestinationReport {
    pub destination_path: String,
    /// The endpoint the manifests name.
    pub manifest_endpoint: Option<String>,
    /// The endpoint contacted (after `--endpoint-url` and `s3.endpoints`); None is AWS.
    pub endpoint: Option<String>,
    pub scan: Result<LineageScan, BucketError>,
    /// HTTP requests sent (list pages and object reads).
    pub requests: usize,
    pub elapsed: Duration,
}

impl DestinationReport {
    /// Every lineage to show: those in the bucket, and those the manifests
    /// name that hold nothing (verdict `empty`), sorted by serverName.
    fn lineages<'a>(&'a self, uses: &'a [Use]) -> Vec<(&'a str, Option<&'a Lineage>)> {
        let mut names: BTreeSet<&str> = BTreeSet::new();
        if let Ok(scan) = &self.scan {
            names.extend(scan.lineages.iter().map(|l| l.server_name.as_str()));
        }
        names.extend(self.uses(uses).map(|u| u.server_name.as_str()));
        names
            .into_iter()
            .map(|n| (n, self.scan.as_ref().ok().and_then(|s| s.lineage(n))))
            .collect()
    }

    fn uses<'a>(&'a self, uses: &'a [Use]) -> impl Iterator<Item = &'a Use> {
        uses.iter().filter(|u| {
            u.destination_path.as_deref() == Some(self.destination_path.as_str())
                && u.endpoint_url == self.manifest_endpoint
        })
    }
}

fn time(t: Option<Timestamp>) -> Value {
    t.map_or(Value::Null, |t| Value::String(t.to_string()))
}

fn use_json(u: &Use) -> Value {
    json!({
        "overlay": u.overlay,
        "dormant": u.dormant,
        "cluster": u.cluster,
        "location": u.location,
    })
}

fn lineage_json(name: &str, lineage: Option<&Lineage>, users: &[&Use]) -> Value {
    let by = |role: Role| -> Vec<Value> {
        users
            .iter()
            .filter(|u| u.role == role && u.server_name == name)
            .map(|u| use_json(u))
            .collect()
    };
    let Some(l) = lineage else {
        return json!({
            "server_name": name,
            "verdict": Verdict::Empty.as_str(),
            "window": null,
            "systemids": [],
            "last_archived": null,
            "backups": [],
            "timelines": [],
            "history": [],
            "archive_empty": true,
            "files_by_timeline": {},
            "ignored_objects": 0,
            "written_by": by(Role::Writes),
            "read_by": by(Role::Reads),
        });
    };
    let backups: Vec<Value> = l
        .backups
        .iter()
        .map(|b| {
            let info = b.info.as_ref().ok();
            json!({
                "id": b.id,
                "name": info.and_then(|i| i.name.clone()),
                "status": b.status(),
                "begin_time": time(info.and_then(|i| i.begin_time)),
                "end_time": time(info.and_then(|i| i.end_time)),
                "begin_wal": info.and_then(|i| i.begin_wal.clone()),
                "end_wal": info.and_then(|i| i.end_wal.clone()),
                "timeline": info.and_then(|i| i.timeline),
                "systemid": info.and_then(|i| i.systemid.clone()),
                "postgres_version": info.and_then(|i| i.version),
                "stored_size": b.stored_size,
                "compression": b.compression.map(|c| c.name()),
                "usable": b.usable,
                "error": match &b.info {
                    Ok(i) => i.error.clone(),
                    Err(e) => Some(e.to_string()),
                },
            })
        })
        .collect();
    let timelines: Vec<Value> = l
        .timelines
        .iter()
        .map(|t| {
            json!({
                "timeline": t.timeline,
                "first": t.first,
                "last": t.last,
                "segments": t.segments,
                "partial": t.partial,
                "backup_labels": t.backup_labels,
                "missing": t.missing,
                "gaps": t.gaps.iter().map(|(a, b)| json!([a, b])).collect::<Vec<_>>(),
                "last_archived": t.last_modified.to_string(),
                "compressions": t.compressions.iter().map(|c| c.name()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let history: Vec<Value> = l
        .history
        .iter()
        .map(|h| {
            json!({
                "timeline": h.timeline,
                "key": h.key,
                "compression": h.compression.map(|c| c.name()),
                "error": h.error,
                "entries": h.entries.iter().map(|e| json!({
                    "parent_timeline": e.parent_timeline,
                    "switchpoint": e.switchpoint,
                    "reason": e.reason,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let files: serde_json::Map<String, Value> = l
        .archive
        .files_by_timeline
        .iter()
        .map(|(t, n)| (t.to_string(), json!(n)))
        .collect();
    json!({
        "server_name": l.server_name,
        "verdict": l.verdict.as_str(),
        "window": l.window.as_ref().map(|w| json!({
            "start": w.start.to_string(),
            "start_backup": w.start_backup,
            "end": w.end.to_string(),
        })),
        "systemids": l.systemids,
        "last_archived": time(l.last_archived),
        "backups": backups,
        "timelines": timelines,
        "history": history,
        "archive_empty": l.archive.check(None).is_ok(),
        "files_by_timeline": files,
        "ignored_objects": l.ignored_objects,
        "written_by": by(Role::Writes),
        "read_by": by(Role::Reads),
    })
}

/// The JSON document (docs/lineages-output.md, schemas/output/lineages.json).
pub fn to_json(database: &str, reports: &[DestinationReport], uses: &[Use]) -> String {
    let destinations: Vec<Value> = reports
        .iter()
        .map(|r| {
            let users: Vec<&Use> = r.uses(uses).collect();
            let lineages: Vec<Value> = r
                .lineages(uses)
                .into_iter()
                .map(|(name, l)| lineage_json(name, l, &users))
                .collect();
            let (listed, read) = match &r.scan {
                Ok(s) => (s.objects_listed, s.objects_read),
                Err(_) => (0, 0),
            };
            json!({
                "destination_path": r.destination_path,
                "manifest_endpoint": r.manifest_endpoint,
                "endpoint": r.endpoint,
                "error": r.scan.as_ref().err().map(|e| e.to_string()),
                "requests": r.requests,
                "objects_listed": listed,
                "objects_read": read,
                "seconds": (r.elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
                "lineages": if r.scan.is_ok() { json!(lineages) } else { json!([]) },
            })
        })
        .collect();
    let doc = json!({
        "version": 1,
        "database": database,
        "destinations": destinations,
        "uses": uses.iter().map(|u| json!({
            "overlay": u.overlay,
            "dormant": u.dormant,
            "cluster": u.cluster,
            "role": u.role.as_str(),
            "server_name": u.server_name,
            "destination_path": u.destination_path,
            "endpoint_url": u.endpoint_url,
            "object_store": u.object_store,
            "location": u.location,
        })).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// `12.3 MiB`, `946 B`.
fn size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

fn who(u: &Use) -> String {
    let overlay = u.overlay.as_deref().unwrap_or("(root)");
    let state = if u.dormant { "dormant" } else { "active" };
    format!("{} ({overlay}, {state})", u.role.as_str())
}

/// The human table: one summary line per lineage, then its details.
pub fn to_table(reports: &[DestinationReport], uses: &[Use]) -> String {
    let mut out = String::new();
    for r in reports {
        let endpoint = r.endpoint.as_deref().unwrap_or("AWS S3");
        out.push_str(&format!("{}  (endpoint {endpoint}", r.destination_path));
        match &r.scan {
            Ok(s) => out.push_str(&format!(
                "; {} objects listed, {} read, {} requests, {:.2} s)\n",
                s.objects_listed,
                s.objects_read,
                r.requests,
                r.elapsed.as_secs_f64()
            )),
            Err(e) => {
                out.push_str(&format!(")\n  error: {e}\n\n"));
                continue;
            }
        }
        let users: Vec<&Use> = r.uses(uses).collect();
        for (name, l) in r.lineages(uses) {
            let verdict = l.map_or(Verdict::Empty, |l| l.verdict).as_str();
            let mut line = format!("\n{name}  {verdict}");
            if let Some(w) = l.and_then(|l| l.window.as_ref()) {
                line.push_str(&format!("  window {} .. {}", w.start, w.end));
            }
            let marks: Vec<String> = users
                .iter()
                .filter(|u| u.server_name == name)
                .map(|u| who(u))
                .collect();
            if !marks.is_empty() {
                line.push_str(&format!("  [{}]", marks.join("; ")));
            }
            out.push_str(&line);
            out.push('\n');
            let Some(l) = l else {
                out.push_str("  nothing stored under this serverName\n");
                continue;
            };
            if !l.systemids.is_empty() {
                out.push_str(&format!("  systemid {}\n", l.systemids.join(", ")));
            }
            for b in &l.backups {
                let info = b.info.as_ref().ok();
                let text = |v: Option<String>| v.unwrap_or_else(|| "-".to_string());
                out.push_str(&format!(
                    "  backup {} {} {} tl{} {} .. {} wal {} .. {} {} {}{}\n",
                    b.id,
                    text(info.and_then(|i| i.name.clone())),
                    b.status(),
                    text(info.and_then(|i| i.timeline).map(|t| t.to_string())),
                    text(info.and_then(|i| i.begin_time).map(|t| t.to_string())),
                    text(info.and_then(|i| i.end_time).map(|t| t.to_string())),
                    text(info.and_then(|i| i.begin_wal.clone())),
                    text(info.and_then(|i| i.end_wal.clone())),
                    size(b.stored_size),
                    b.compression.map_or("uncompressed", |c| c.name()),
                    if b.usable { "" } else { "  (not usable)" },
                ));
            }
            for t in &l.timelines {
                let gaps = if t.missing == 0 {
                    "no gaps".to_string()
                } else {
                    format!("{} missing in {} gaps", t.missing, t.gaps.len())
                };
                out.push_str(&format!(
                    "  wal tl{} {} .. {} {} segments, {gaps}, last archived {}\n",
                    t.timeline, t.first, t.last, t.segments, t.last_modified
                ));
            }
            for h in &l.history {
                let reason = h
                    .entries
                    .last()
                    .map(|e| {
                        format!(
                            " branched from tl{} at {} ({})",
                            e.parent_timeline, e.switchpoint, e.reason
                        )
                    })
                    .unwrap_or_default();
                let error = h
                    .error
                    .as_deref()
                    .map(|e| format!(" (unreadable: {e})"))
                    .unwrap_or_default();
                out.push_str(&format!("  history {}{reason}{error}\n", h.key));
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // the test reads the output schema from the source tree
mod tests {
    use super::*;
    use cnpg_dr_core::bucket::{scan_destination, DestinationPath, MemoryBucket};

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap().0
    }

    /// A lineage with what the lab cannot easily make: a gap, a `.partial`,
    /// an uncompressed history file, a FAILED backup.
    fn bucket() -> MemoryBucket {
        let mut b = MemoryBucket::new();
        let v3 = "pg/app-v3";
        b.put(
            &format!("{v3}/base/20260101T000000/backup.info"),
            b"status=FAILED\nerror=failure stopping backup\nsystemid=42\ntimeline=2\n",
            ts("2026-01-01T00:00:05Z"),
        );
        b.put_sized(
            &format!("{v3}/base/20260101T000000/data.tar"),
            1024,
            ts("2026-01-01T00:00:04Z"),
        );
        for seg in ["01", "02", "05"] {
            b.put_sized(
                &format!("{v3}/wals/0000000200000000/0000000200000000000000{seg}.gz"),
                100,
                ts("2026-01-01T00:10:00Z"),
            );
        }
        b.put_sized(
            &format!("{v3}/wals/0000000200000000/000000020000000000000006.partial.gz"),
            100,
            ts("2026-01-01T00:20:00Z"),
        );
        b.put(
            &format!("{v3}/wals/00000002.history"),
            b"1\t0/3000090\tbefore 2025-12-31 23:00:00+00\n",
            ts("2026-01-01T00:00:01Z"),
        );
        b
    }

    fn uses() -> Vec<Use> {
        let u = |role, server: &str, overlay: &str, dormant| Use {
            overlay: Some(overlay.to_string()),
            dormant,
            cluster: "app".to_string(),
            role,
            server_name: server.to_string(),
            destination_path: Some("s3://b/pg".to_string()),
            endpoint_url: None,
            object_store: None,
            location: "app/base/cluster.yaml:9:19".to_string(),
        };
        vec![
            u(Role::Writes, "app-v4", "recovery", false),
            u(Role::Reads, "app-v3", "recovery", false),
            u(Role::Writes, "app-v4", "initdb", true),
        ]
    }

    fn report(b: &MemoryBucket) -> DestinationReport {
        let dest = DestinationPath::parse("s3://b/pg").unwrap();
        DestinationReport {
            destination_path: "s3://b/pg".to_string(),
            manifest_endpoint: None,
            endpoint: None,
            scan: scan_destination(b, &dest),
            requests: b.list_requests() + b.get_requests(),
            elapsed: Duration::from_millis(12),
        }
    }

    #[test]
    fn json_carries_gaps_partials_history_and_the_overlays() {
        let b = bucket();
        let text = to_json("app", &[report(&b)], &uses());
        let doc: Value = serde_json::from_str(&text).unwrap();
        let schema: Value = serde_json::from_str(
            &std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas/output/lineages.json"),
            )
            .unwrap(),
        )
        .unwrap();
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&schema)
            .unwrap();
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}");
        let d = &doc["destinations"][0];
        assert_eq!(
            d["requests"], 3,
            "one list page, backup.info, the history file"
        );
        assert_eq!(d["seconds"], 0.012);
        let v3 = &d["lineages"][0];
        assert_eq!(v3["server_name"], "app-v3");
        assert_eq!(v3["verdict"], "wal-only", "its only backup FAILED");
        assert_eq!(v3["backups"][0]["status"], "FAILED");
        assert_eq!(v3["backups"][0]["error"], "failure stopping backup");
        assert_eq!(v3["backups"][0]["compression"], Value::Null);
        let t = &v3["timelines"][0];
        assert_eq!(t["first"], "000000020000000000000001");
        assert_eq!(t["last"], "000000020000000000000006.partial");
        assert_eq!(
            (t["segments"].as_u64(), t["partial"].as_u64()),
            (Some(4), Some(1))
        );
        assert_eq!(t["missing"], 2);
        assert_eq!(
            t["gaps"],
            json!([["000000020000000000000003", "000000020000000000000004"]])
        );
        assert_eq!(t["last_archived"], "2026-01-01T00:20:00Z");
        assert_eq!(
            v3["history"][0]["entries"][0],
            json!({"parent_timeline": 1, "switchpoint": "0/3000090", "reason": "before 2025-12-31 23:00:00+00"})
        );
        assert_eq!(v3["files_by_timeline"], json!({"2": 5}));
        assert_eq!(v3["read_by"][0]["overlay"], "recovery");
        let v4 = &d["lineages"][1];
        assert_eq!(
            (v4["server_name"].as_str(), v4["verdict"].as_str()),
            (Some("app-v4"), Some("empty"))
        );
        assert_eq!(v4["written_by"].as_array().unwrap().len(), 2);
        assert_eq!(doc["uses"].as_array().unwrap().len(), 3);
    }

    #[test]
    fn table_says_verdicts_gaps_history_and_errors() {
        let b = bucket();
        let table = to_table(&[report(&b)], &uses());
        assert!(
            table.starts_with(
                "s3://b/pg  (endpoint AWS S3; 7 objects listed, 2 read, 3 requests, 0.01 s)\n"
            ),
            "{table}"
        );
        assert!(
            table.contains("\napp-v3  wal-only  [reads (recovery, active)]\n"),
            "{table}"
        );
        assert!(table.contains("  backup 20260101T000000 - FAILED tl2 - .. - wal - .. - 1.1 KiB uncompressed  (not usable)\n"), "{table}");
        assert!(table.contains("  wal tl2 000000020000000000000001 .. 000000020000000000000006.partial 4 segments, 2 missing in 1 gaps, last archived 2026-01-01T00:20:00Z\n"), "{table}");
        assert!(table.contains("  history pg/app-v3/wals/00000002.history branched from tl1 at 0/3000090 (before 2025-12-31 23:00:00+00)\n"), "{table}");
        assert!(table.contains("\napp-v4  empty  [writes (recovery, active); writes (initdb, dormant)]\n  nothing stored under this serverName\n"), "{table}");
        let failed = DestinationReport {
            scan: Err(BucketError::NoSuchBucket { bucket: "b".into() }),
            ..report(&b)
        };
        assert_eq!(
            to_table(&[failed], &uses()),
            "s3://b/pg  (endpoint AWS S3)\n  error: bucket `b` does not exist (404 NoSuchBucket)\n\n"
        );
    }

    #[test]
    fn sizes_read_like_ls_h() {
        assert_eq!(size(946), "946 B");
        assert_eq!(size(3_103_848), "3.0 MiB");
        assert_eq!(size(5 << 40), "5.0 TiB");
    }
}
