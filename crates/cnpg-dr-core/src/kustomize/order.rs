//! kustomize's output order: the "legacy" kind ranking, or input order (fifo).

use super::kustomization::SortOrder;
use super::resource::Resource;

const ORDER_FIRST: &[&str] = &[
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];

const ORDER_LAST: &[&str] = &[
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// The sort key of the legacy order: rank, then `group_version_kind`, then `namespace|name`.
fn legacy_key(r: &Resource, first: &[String], last: &[String]) -> (i64, String, String) {
    let gvk = r.gvk();
    let rank = if let Some(i) = first.iter().position(|k| *k == gvk.kind) {
        i as i64 - first.len() as i64 - 1
    } else if let Some(i) = last.iter().position(|k| *k == gvk.kind) {
        i as i64 + 1
    } else {
        0
    };
    let group = if gvk.group.is_empty() {
        "~G"
    } else {
        &gvk.group
    };
    let version = if gvk.version.is_empty() {
        "~V"
    } else {
        &gvk.version
    };
    let kind = if gvk.kind.is_empty() { "~K" } else { &gvk.kind };
    let ns = r.namespace();
    let ns = if ns.is_empty() { "~X" } else { ns };
    (
        rank,
        format!("{group}_{version}_{kind}"),
        format!("{ns}|{}", r.name()),
    )
}

/// Sorts resources in place as kustomize orders its output.
pub fn sort(resources: &mut [Resource], order: Option<&SortOrder>) {
    let (first, last) = match order {
        Some(SortOrder::Fifo) => return,
        Some(SortOrder::Legacy {
            order_first,
            order_last,
        }) => (
            order_first
                .clone()
                .unwrap_or_else(|| ORDER_FIRST.iter().map(|s| s.to_string()).collect()),
            order_last
                .clone()
                .unwrap_or_else(|| ORDER_LAST.iter().map(|s| s.to_string()).collect()),
        ),
        None => (
            ORDER_FIRST.iter().map(|s| s.to_string()).collect(),
            ORDER_LAST.iter().map(|s| s.to_string()).collect(),
        ),
    };
    resources.sort_by_cached_key(|r| legacy_key(r, &first, &last));
}
