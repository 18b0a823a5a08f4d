use cnpg_dr_core::cnpg::{is_true, CNPG_GROUP};

use super::{database_arg, key_node};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::rule::{Rule, VariantContext};

/// `monitoring.enablePodMonitor` and its relabeling fields, deprecated since CNPG 1.26.2 / 1.27.1.
pub struct PodMonitorDeprecated;

use cnpg_dr_core::cnpg::versions::POD_MONITOR_DEPRECATED as DEPRECATED;

pub static META: RuleMeta = RuleMeta {
    id: "CDR703",
    name: "pod-monitor-deprecated",
    severity: Severity::Warning,
    summary: "monitoring.enablePodMonitor is deprecated: manage the PodMonitor yourself",
    doc: r#"## What it checks
`spec.monitoring.enablePodMonitor: true`, `podMonitorMetricRelabelings` and
`podMonitorRelabelings` on a `Cluster` or a `Pooler`, when the target CNPG version is 1.26 or
later (deprecated in 1.26.2 and 1.27.1).

## Why it matters during a recovery
CNPG warns that the field "is deprecated and will be removed in a future release". When it goes,
the operator stops creating the PodMonitor and the Cluster's metrics silently disappear from
Prometheus: the alerts that tell you WAL archiving is failing, or that a restored Cluster is
replaying WAL, go quiet exactly when you rely on them after a recovery.

## Example
```yaml
spec:
  monitoring:
    enablePodMonitor: true
```

## Fix
Set `enablePodMonitor: false` (or remove it) and commit a `monitoring.coreos.com/v1`
`PodMonitor` selecting `cnpg.io/cluster: <name>` on port `metrics`.
`cnpg-dr migrate pod-monitor DB` writes both changes.

## References
- CNPG release notes 1.26.2 / 1.27.1 (#8753).
- CNPG admission webhook warning on `spec.monitoring.enablePodMonitor`.
- CNPG docs, "Monitoring": creating the PodMonitor manually.
"#,
};

impl Rule for PodMonitorDeprecated {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        if ctx.settings.cnpg_version < DEPRECATED {
            return;
        }
        let db = database_arg(ctx.database);
        for r in ctx.variant.resources().iter().filter(|r| {
            let gvk = r.gvk();
            gvk.group == CNPG_GROUP && (gvk.kind == "Cluster" || gvk.kind == "Pooler")
        }) {
            let Some(monitoring) = r.node.get_path(&["spec", "monitoring"]) else {
                continue;
            };
            let mut fields = Vec::new();
            if is_true(monitoring.get_path(&["enablePodMonitor"])) {
                fields.push("enablePodMonitor");
            }
            for relabel in ["podMonitorMetricRelabelings", "podMonitorRelabelings"] {
                if monitoring
                    .get_path(&[relabel])
                    .is_some_and(|n| !n.is_null())
                {
                    fields.push(relabel);
                }
            }
            for field in fields {
                let Some(node) = key_node(monitoring, field) else {
                    continue;
                };
                let effect = if field == "enablePodMonitor" {
                    "once it is removed the operator stops creating the PodMonitor and this cluster's metrics and backup alerts disappear without notice"
                } else {
                    "it only applies to the operator-managed PodMonitor, which is going away"
                };
                let mut f = ctx.finding(
                    &META,
                    &node.span,
                    format!(
                        "{} {} uses spec.monitoring.{field}, deprecated since CNPG 1.26.2/1.27.1 and to be removed in a future release: {effect}",
                        r.kind(),
                        r.name()
                    ),
                );
                f.help = Some(format!(
                    "commit your own PodMonitor and drop spec.monitoring.{field}: `cnpg-dr migrate pod-monitor {db}`"
                ));
                out.push(f);
            }
        }
    }
}
