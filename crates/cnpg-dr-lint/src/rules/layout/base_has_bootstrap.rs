use cnpg_dr_core::cnpg::BootstrapMethod;

use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::helpers::{head, key_span, overlay_of};
use crate::rules::rule::{Rule, VariantContext};

/// A bootstrap method set outside the overlays (in the base or a shared patch).
pub struct BaseHasBootstrap;

pub static META: RuleMeta = RuleMeta {
    id: "CDR301",
    name: "base-has-bootstrap",
    severity: Severity::Error,
    summary:
        "spec.bootstrap is set outside the overlays (in the base), so every overlay inherits it",
    doc: r#"## What it checks
In a database directory with overlays, every bootstrap method of the rendered Cluster
(`spec.bootstrap.initdb`, `.recovery`, `.pg_basebackup`) must come from a file inside an overlay
directory. A method whose source line lies anywhere else (the `base/` Cluster, a patch of the
root kustomization, a shared component) is reported at that line.

## Why it matters during a recovery
The DR switch works because the base has no opinion on how the Cluster is created: each overlay
adds exactly one method. A base that already says `initdb` makes the recovery overlay render
*two* methods, which CNPG rejects ("Only one bootstrap method can be specified at a time"), or,
if the recovery overlay deletes it with a `$patch` directive, a layout that only works as long
as nobody touches that directive. The initdb overlay keeps working every day, so the problem
shows only when the recovery overlay is needed.

## Example
```yaml
# base/cluster.yaml
spec:
  bootstrap:
    initdb: {database: app, owner: app}
```

## Fix
Move `spec.bootstrap` out of the base into the initdb overlay's patch; the recovery overlay's
patch carries `bootstrap.recovery` (and `externalClusters`).

## References
- CNPG admission webhook: "Only one bootstrap method can be specified at a time".
"#,
};

impl Rule for BaseHasBootstrap {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        if ctx.database.overlays.is_empty() {
            return;
        }
        for cluster in ctx.variant.clusters() {
            for (method, node) in cluster.bootstrap_methods() {
                if overlay_of(ctx.database, &node.span.file).is_some() {
                    continue;
                }
                let file = node
                    .span
                    .file
                    .strip_prefix(&ctx.database.dir)
                    .unwrap_or(&node.span.file)
                    .display()
                    .to_string();
                let (other, home) = match method {
                    BootstrapMethod::Recovery => ("initdb", "the recovery overlay's patch"),
                    BootstrapMethod::Initdb => ("recovery", "the initdb overlay's patch"),
                    BootstrapMethod::PgBasebackup => ("recovery", "the overlay that needs it"),
                };
                let span = key_span(cluster.spec(&["bootstrap"]), method.key())
                    .unwrap_or_else(|| head(&node.span));
                let mut f = ctx.finding(
                    &META,
                    &span,
                    format!(
                        "spec.bootstrap.{} of Cluster {} is set outside the overlays, in {file}: every overlay inherits it, so the {other} overlay renders two bootstrap methods, which CNPG rejects (\"Only one bootstrap method can be specified at a time\"); only a $patch: delete in that overlay avoids it, and such a directive is easily lost",
                        method.key(),
                        cluster.name(),
                    ),
                );
                f.help = Some(format!(
                    "move bootstrap.{} into {home} and keep spec.bootstrap out of {file}",
                    method.key(),
                ));
                out.push(f);
            }
        }
    }
}
