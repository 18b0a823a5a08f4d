//! Lineage rules: which serverName a Cluster writes and which one it restores from.
//! Barman lineages only: a Cluster archiving through another CNPG-I plugin has
//! no write lineage in the core view, so these rules skip it.

use cnpg_dr_core::cnpg::{Cluster, LineageRef, ObjectStore, Store};
use cnpg_dr_core::discover::Variant;
use cnpg_dr_core::lineage::Lineage;
use cnpg_dr_core::yaml::Span;

use crate::rules::helpers::head;

pub mod dormant_writes_live;
pub mod shared;
pub mod skip_empty_wal_archive_check;
pub mod source_not_older;
pub mod source_skips_versions;
pub mod store_mismatch;
pub mod unversioned;
pub mod write_equals_source;

/// Where to point a finding about a lineage: its serverName, or the start of
/// the block whose default applies when it is unset.
pub fn lineage_span(lineage: &LineageRef<'_>) -> Span {
    match lineage.node {
        Some(node) => node.span.clone(),
        None => head(&lineage.anchor.span),
    }
}

/// A recovery's write and read lineages when both are `<prefix>-v<N>` of one
/// prefix in one object store: what the version rules compare.
pub struct VersionedPair<'a> {
    pub write: LineageRef<'a>,
    pub read: LineageRef<'a>,
    pub w: Lineage,
    pub r: Lineage,
    /// Where both live.
    pub place: Place,
}

/// The [`VersionedPair`] of `cluster` in `variant`, if it has one.
pub fn versioned_pair<'a>(variant: &Variant, cluster: &Cluster<'a>) -> Option<VersionedPair<'a>> {
    let (write, read) = (cluster.write_lineage()?, cluster.read_lineage()?);
    let (w, r) = (Lineage::parse(&write.name)?, Lineage::parse(&read.name)?);
    if w.prefix != r.prefix {
        return None;
    }
    let place = Place::of(variant, cluster, &write.store);
    if same_place(&place, &Place::of(variant, cluster, &read.store)) != Some(true) {
        return None;
    }
    Some(VersionedPair {
        write,
        read,
        w,
        r,
        place,
    })
}

/// The annotation that turns off CNPG's "Expected empty archive" check.
pub const SKIP_EMPTY_WAL_ARCHIVE_CHECK: &str = "cnpg.io/skipEmptyWalArchiveCheck";

/// Where a lineage lives, resolved as far as the rendered manifests allow: the
/// in-tree store's own fields, or the fields of the ObjectStore the plugin names
/// (looked up in the Cluster's namespace, as the plugin does).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub destination_path: Option<String>,
    pub endpoint_url: Option<String>,
    /// The ObjectStore the plugin names (plugin shape only).
    pub object_store: Option<String>,
    /// The namespace the ObjectStore is looked up in (plugin shape only).
    pub namespace: String,
}

impl Place {
    /// Resolves `store` against the resources of the variant `cluster` was rendered in.
    pub fn of(variant: &Variant, cluster: &Cluster<'_>, store: &Store) -> Place {
        match store {
            Store::Native {
                destination_path,
                endpoint_url,
            } => Place {
                destination_path: destination_path.clone(),
                endpoint_url: endpoint_url.clone(),
                object_store: None,
                namespace: cluster.namespace().to_string(),
            },
            Store::Plugin { object_store } => {
                let found = object_store.as_deref().and_then(|name| {
                    variant
                        .resources()
                        .iter()
                        .filter_map(ObjectStore::from)
                        .find(|o| {
                            o.resource.name() == name
                                && o.resource.namespace() == cluster.namespace()
                        })
                });
                Place {
                    destination_path: found.and_then(|o| o.destination_path()).map(str::to_string),
                    endpoint_url: found.and_then(|o| o.endpoint_url()).map(str::to_string),
                    object_store: object_store.clone(),
                    namespace: cluster.namespace().to_string(),
                }
            }
        }
    }

    /// `s3://bucket/path`, or the ObjectStore's name when it could not be resolved.
    pub fn describe(&self) -> String {
        match (&self.destination_path, &self.object_store) {
            (Some(path), Some(os)) => format!("{path} (ObjectStore {os})"),
            (Some(path), None) => path.clone(),
            (None, Some(os)) => format!("ObjectStore {os} (not found in the rendered manifests)"),
            (None, None) => "a store with no destinationPath".to_string(),
        }
    }

    /// Like `describe`, without parentheses: `s3://bucket/path via ObjectStore name`.
    pub fn describe_via(&self) -> String {
        match (&self.destination_path, &self.object_store) {
            (Some(path), Some(os)) => format!("{path} via ObjectStore {os}"),
            _ => self.describe(),
        }
    }

    /// A command that lists the backups of `server_name` in this place.
    pub fn how_to_list(&self, server_name: &str) -> String {
        let ns = if self.namespace.is_empty() {
            String::new()
        } else {
            format!("-n {} ", self.namespace)
        };
        match (&self.object_store, &self.destination_path) {
            (Some(os), _) => format!(
                "kubectl {ns}get objectstore {os} -o jsonpath='{{.status.serverRecoveryWindow.{}}}'",
                server_name.replace('.', "\\.")
            ),
            (None, Some(path)) => {
                let endpoint = self
                    .endpoint_url
                    .as_deref()
                    .map(|e| format!("--endpoint-url {e} "))
                    .unwrap_or_default();
                format!("barman-cloud-backup-list {endpoint}{path} {server_name}")
            }
            (None, None) => format!("barman-cloud-backup-list <destinationPath> {server_name}"),
        }
    }
}

fn trimmed(s: &str) -> &str {
    s.trim_end_matches('/')
}

/// Whether two places are the same store: `Some(true)` or `Some(false)` when
/// the manifests tell, `None` when an ObjectStore could not be resolved and the
/// names alone do not settle it. An unset endpoint agrees with any endpoint.
pub fn same_place(a: &Place, b: &Place) -> Option<bool> {
    match (&a.destination_path, &b.destination_path) {
        (Some(pa), Some(pb)) => {
            let endpoints = match (&a.endpoint_url, &b.endpoint_url) {
                (Some(ea), Some(eb)) => trimmed(ea) == trimmed(eb),
                _ => true,
            };
            Some(trimmed(pa) == trimmed(pb) && endpoints)
        }
        _ => match (&a.object_store, &b.object_store) {
            (Some(x), Some(y)) if x == y && a.namespace == b.namespace => Some(true),
            _ => None,
        },
    }
}

/// What differs between where a recovery reads and where the Cluster writes,
/// for messages ("reads s3://a (ObjectStore x), writes s3://b (ObjectStore y)").
pub fn difference(write: &Place, read: &Place) -> String {
    let paths_differ = match (&write.destination_path, &read.destination_path) {
        (Some(w), Some(r)) => trimmed(w) != trimmed(r),
        _ => true,
    };
    if paths_differ {
        return format!(
            "reads {}, writes {}",
            read.describe_via(),
            write.describe_via()
        );
    }
    match (&read.endpoint_url, &write.endpoint_url) {
        (Some(r), Some(w)) => {
            format!("same destinationPath, but reads endpointURL {r}, writes endpointURL {w}")
        }
        _ => format!(
            "reads {}, writes {}",
            read.describe_via(),
            write.describe_via()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn native(path: &str, endpoint: Option<&str>) -> Place {
        Place {
            destination_path: Some(path.into()),
            endpoint_url: endpoint.map(Into::into),
            object_store: None,
            namespace: "db".into(),
        }
    }

    #[test]
    fn places_compare_by_path_and_endpoint() {
        let a = native("s3://b/app/", Some("https://s3:9000"));
        assert_eq!(same_place(&a, &native("s3://b/app", None)), Some(true));
        assert_eq!(
            same_place(&a, &native("s3://b/app", Some("https://other"))),
            Some(false)
        );
        assert_eq!(same_place(&a, &native("s3://b/other", None)), Some(false));
    }

    #[test]
    fn unresolved_object_stores_compare_by_name() {
        let os = |name: &str| Place {
            destination_path: None,
            endpoint_url: None,
            object_store: Some(name.into()),
            namespace: "db".into(),
        };
        assert_eq!(same_place(&os("store"), &os("store")), Some(true));
        assert_eq!(same_place(&os("store"), &os("other")), None);
    }
}
