use std::collections::BTreeSet;

use super::{missing_cluster_target, patch_name_span, tight};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::helpers::dr_overlay_name;
use crate::rules::rule::{Rule, VariantContext};

/// An overlay patch that names a Cluster its base does not have.
pub struct OverlayTargetsUnknownCluster;

pub static META: RuleMeta = RuleMeta {
    id: "CDR304",
    name: "overlay-targets-unknown-cluster",
    severity: Severity::Error,
    summary:
        "An overlay's patch names a Cluster the base does not define: the overlay does not render",
    doc: r#"## What it checks
Every overlay of a database directory, active or dormant, is rendered. When kustomize stops
because a strategic-merge patch names a `postgresql.cnpg.io` Cluster that no resource of the
build matches ("no resource matches strategic merge patch"), the finding points at the patch
and names the Clusters the other overlays do render. Other render failures are CDR305's.

## Why it matters during a recovery
A patch is matched by apiVersion, kind and `metadata.name`. Renaming the base Cluster (or a typo
in the recovery overlay's patch) leaves the dormant recovery overlay unable to render, which
nobody notices until the DR switch is flipped during an incident and Argo CD reports a failed
sync instead of a restore.

## Example
```yaml
# overlays/recovery/bootstrap-patch.yaml
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: gitea-databse        # the base's Cluster is gitea-database
```

## Fix
Make the patch's `metadata.name` (and apiVersion/kind) match the base's Cluster.

## References
- kustomize: patches without `target:` match by resource id ("failed to find unique target for
  patch").
"#,
};

impl Rule for OverlayTargetsUnknownCluster {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        let Err(err) = &ctx.variant.rendered else {
            return;
        };
        let Some(name) = missing_cluster_target(err) else {
            return;
        };
        let known: BTreeSet<&str> = ctx
            .database
            .variants
            .iter()
            .flat_map(|v| v.clusters().map(|c| c.name()))
            .collect();
        let known_text = if known.is_empty() {
            String::new()
        } else {
            format!(
                " (the other overlays render {})",
                known
                    .iter()
                    .map(|n| format!("Cluster {n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let overlay = dr_overlay_name(ctx.database, ctx.variant)
            .map(|o| format!("the {o} overlay"))
            .unwrap_or_else(|| "the database directory".to_string());
        let consequence = if ctx.variant.dormant {
            "flipping the DR switch to it during an incident fails to render"
        } else {
            "nothing of this database deploys"
        };
        let span = match &err.span {
            Some(s) => patch_name_span(s).unwrap_or_else(|| tight(s)),
            None => {
                cnpg_dr_core::yaml::Span::file_start(ctx.database.kustomization.as_path().into())
            }
        };
        let mut f = ctx.finding(
            &META,
            &span,
            format!(
                "{overlay} patches Cluster {name}, which its base does not define{known_text}: kustomize stops with \"no resource matches strategic merge patch\", so {consequence}"
            ),
        );
        f.help = Some(match known.iter().next() {
            Some(k) if known.len() == 1 => {
                format!("set the patch's metadata.name to {k}, the base's Cluster")
            }
            _ => "make the patch's apiVersion, kind and metadata.name match the base's Cluster"
                .to_string(),
        });
        out.push(f);
    }

    fn check_repository(
        &self,
        ctx: &crate::rules::rule::RepositoryContext<'_>,
        out: &mut Vec<Finding>,
    ) {
        for (dir, err) in &ctx.repo.failed_roots {
            let Some(name) = missing_cluster_target(err) else {
                continue;
            };
            let mut f = super::root_finding(
                &META,
                dir,
                err,
                format!(
                    "a patch names Cluster {name}, which no resource of this kustomization defines: kustomize stops with \"no resource matches strategic merge patch\" and nothing under this directory deploys"
                ),
            );
            f.help = Some(
                "make the patch's apiVersion, kind and metadata.name match the Cluster it is meant for"
                    .to_string(),
            );
            out.push(f);
        }
    }
}
