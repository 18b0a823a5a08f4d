use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::helpers::{at, dr_overlay, head, key_span, overlay_of};
use crate::rules::rule::{Rule, VariantContext};

/// A Cluster with more than one bootstrap method.
pub struct MultipleMethods;

pub static META: RuleMeta = RuleMeta {
    id: "CDR201",
    name: "bootstrap-multiple-methods",
    severity: Severity::Error,
    summary: "The rendered Cluster has more than one bootstrap method",
    doc: r#"## What it checks
`spec.bootstrap` of every rendered Cluster (every overlay, active or dormant) holds at most one
of `initdb`, `recovery` and `pg_basebackup`.

## Why it matters during a recovery
CNPG's admission webhook rejects the Cluster: `spec.bootstrap: Forbidden: Only one bootstrap
method can be specified at a time`. In a kustomize layout this happens when the base (or a
shared patch) already sets `initdb` and the recovery overlay adds `recovery`: strategic merge
keeps both. The initdb overlay renders fine every day, and the recovery overlay fails at the
moment you need it.

## Example
```yaml
# base/cluster.yaml
spec:
  bootstrap:
    initdb: {database: app, owner: app}
# overlays/recovery/bootstrap-patch.yaml
spec:
  bootstrap:
    recovery: {source: origin}
```

## Fix
Remove `spec.bootstrap` from the base; let each overlay set exactly one method. If a shared
bootstrap must stay, the recovery overlay has to delete it explicitly
(`initdb: {$patch: delete}`).

## References
- CNPG admission webhook: "Only one bootstrap method can be specified at a time".
"#,
};

impl Rule for MultipleMethods {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        let own = dr_overlay(ctx.database, ctx.variant).map(|o| o.dir.as_path());
        for cluster in ctx.variant.clusters() {
            let methods = cluster.bootstrap_methods();
            if methods.len() < 2 {
                continue;
            }
            // Point at a method set outside this variant's own overlay (the
            // inherited one), else at the second method.
            let inherited = methods.iter().find(|(_, n)| {
                let set_by = overlay_of(ctx.database, &n.span.file).map(|o| o.dir.as_path());
                own.is_some() && set_by != own
            });
            let (method, node) = inherited.unwrap_or(&methods[1]);
            let span = key_span(cluster.spec(&["bootstrap"]), method.key())
                .unwrap_or_else(|| head(&node.span));
            let listed: Vec<String> = methods
                .iter()
                .map(|(m, n)| {
                    let key = key_span(cluster.spec(&["bootstrap"]), m.key())
                        .unwrap_or_else(|| head(&n.span));
                    format!("{} (set at {})", m.key(), at(ctx, &key))
                })
                .collect();
            let mut f = ctx.finding(
                &META,
                &span,
                format!(
                    "Cluster {} has {} bootstrap methods: {}; CNPG rejects it: \"spec.bootstrap: Forbidden: Only one bootstrap method can be specified at a time\"",
                    cluster.name(),
                    methods.len(),
                    listed.join(", ")
                ),
            );
            f.help = Some(if inherited.is_some() {
                format!(
                    "remove bootstrap.{} from {} so that each overlay sets exactly one method",
                    method.key(),
                    at(ctx, &span)
                )
            } else {
                "keep exactly one bootstrap method in this overlay's patch".to_string()
            });
            out.push(f);
        }
    }
}
