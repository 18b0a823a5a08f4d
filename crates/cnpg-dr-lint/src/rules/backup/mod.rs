//! Backup rules: schedules, methods, object stores.

use cnpg_dr_core::cnpg::{Cluster, ObjectStore, ScheduledBackup};
use cnpg_dr_core::kustomize::Resource;

use crate::rules::rule::VariantContext;

pub mod backup_method_mismatch;
pub mod no_backup_configured;
pub mod no_scheduled_backup;
pub mod objectstore_missing;
pub mod objectstore_server_name;
pub mod retention_policy_invalid;
pub mod schedule_five_fields;
pub mod scheduled_backup_unknown_cluster;
pub mod store_never_written;
pub mod wal_archiver_conflict;

/// True when two namespaced objects land in the same namespace.
pub(crate) fn same_namespace(a: &Resource, b: &Resource) -> bool {
    a.namespace() == b.namespace()
}

/// "namespace gitea" or "the default namespace", for messages.
pub(crate) fn namespace_words(r: &Resource) -> String {
    match r.namespace() {
        "" => "the default namespace".to_string(),
        ns => format!("namespace {ns}"),
    }
}

/// The Cluster of this render a ScheduledBackup targets.
pub(crate) fn target_cluster<'a>(
    ctx: &VariantContext<'a>,
    sb: &ScheduledBackup<'_>,
) -> Option<Cluster<'a>> {
    let name = sb.cluster_name()?;
    ctx.variant
        .clusters()
        .find(|c| c.name() == name && same_namespace(c.resource, sb.resource))
}

/// The ObjectStores a Cluster of this render can use: this render's and loose ones.
pub(crate) fn object_stores<'a>(ctx: &VariantContext<'a>) -> Vec<ObjectStore<'a>> {
    ctx.variant
        .resources()
        .iter()
        .chain(ctx.repo.loose.iter())
        .filter_map(ObjectStore::from)
        .collect()
}
