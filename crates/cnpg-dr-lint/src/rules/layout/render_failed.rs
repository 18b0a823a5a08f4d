use cnpg_dr_core::discover::Variant;
use cnpg_dr_core::kustomize::RenderError;

use super::{
    failure_explained_by_flag, missing_cluster_target, refused, relative_message, root_finding,
    tight,
};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::helpers::{command_path, dr_overlay, dr_overlay_name};
use crate::rules::rule::{DatabaseContext, RepositoryContext, Rule, VariantContext};

/// A database variant or a kustomization root that does not render.
pub struct RenderFailed;

pub static META: RuleMeta = RuleMeta {
    id: "CDR305",
    name: "render-failed",
    severity: Severity::Error,
    summary: "A database overlay or a kustomization root does not render",
    doc: r#"## What it checks
Every kustomization root of the repository, and every overlay of every database directory
(the one the DR switch deploys and each dormant one), is rendered the way `kubectl kustomize`
would. Each one that fails is one finding, at the source position of the cause when known, with
kustomize's own message; linting goes on for everything else. Failures explained by the DR
switch itself (CDR302) or by a patch that names an unknown Cluster (CDR304) are reported by
those rules instead, and a root that needs what cnpg-dr refuses by design (a Helm chart, a
remote base, a plugin) is a note of CDR306, not a failure.

## Why it matters during a recovery
An overlay that does not render cannot be deployed: the active one means Argo CD shows a failed
sync and nothing changes; a dormant one means the recovery overlay is broken and nobody knows
until the switch is flipped during an incident.

## Example
```yaml
# overlays/recovery/kustomization.yaml
resources:
  - ../../base
patches:
  - path: bootstrap-patches.yaml     # the file is bootstrap-patch.yaml
```

## Fix
Follow kustomize's message. `cnpg-dr render DIR` renders the database as it is deployed; `cnpg-dr render DIR --overlay NAME` renders it with the DR switch set to another overlay, as lint renders a dormant one.

## References
- kustomize build errors, as `kubectl kustomize` prints them.
"#,
};

impl Rule for RenderFailed {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_database(&self, ctx: &DatabaseContext<'_>, out: &mut Vec<Finding>) {
        // One finding per cause: a broken base fails every overlay the same way.
        let mut groups: Vec<(&RenderError, Vec<&Variant>)> = Vec::new();
        for variant in &ctx.database.variants {
            let Err(err) = &variant.rendered else {
                continue;
            };
            if missing_cluster_target(err).is_some()
                || refused(err)
                || failure_explained_by_flag(ctx.repo, ctx.database, variant)
            {
                continue;
            }
            match groups
                .iter_mut()
                .find(|(e, _)| e.message == err.message && e.span == err.span)
            {
                Some((_, list)) => list.push(variant),
                None => groups.push((err, vec![variant])),
            }
        }
        for (err, variants) in groups {
            let Some(first) = variants.first() else {
                continue;
            };
            let names: Vec<&str> = variants
                .iter()
                .filter_map(|v| dr_overlay_name(ctx.database, v))
                .collect();
            let subject = match names.as_slice() {
                [] => "the database directory does not render".to_string(),
                [one] => format!("the {one} overlay does not render"),
                _ if variants.len() == ctx.database.variants.len() => {
                    format!("none of the overlays ({}) renders", names.join(", "))
                }
                [init @ .., last] => {
                    format!("the {} and {last} overlays do not render", init.join(", "))
                }
            };
            let consequence = if variants.iter().any(|v| !v.dormant) {
                "what the DR switch deploys today cannot be deployed"
            } else if variants.len() == 1 {
                "flipping the DR switch to it during an incident fails"
            } else {
                "flipping the DR switch to them during an incident fails"
            };
            let vctx = VariantContext {
                repo: ctx.repo,
                settings: ctx.settings,
                database: ctx.database,
                variant: first,
            };
            let span = match &err.span {
                Some(s) => tight(s),
                None => cnpg_dr_core::yaml::Span::file_start(
                    ctx.database.kustomization.as_path().into(),
                ),
            };
            let mut f = vctx.finding(
                &META,
                &span,
                format!(
                    "{subject}, so {consequence}: {}",
                    relative_message(ctx.repo, &err.to_string())
                ),
            );
            let dir = command_path(&ctx.database.dir);
            // A dormant overlay is rendered as Argo CD would deploy it after
            // the flip: the root with its switch set in memory.
            let target = match dr_overlay(ctx.database, first) {
                Some(o) if first.dormant => format!("{dir} --overlay {}", o.entry),
                _ => dir,
            };
            f.help = Some(err.help.clone().unwrap_or_else(|| {
                format!("fix the cause kustomize names; `cnpg-dr render {target}` reproduces it")
            }));
            out.push(f);
        }
    }

    fn check_repository(&self, ctx: &RepositoryContext<'_>, out: &mut Vec<Finding>) {
        for (dir, err) in &ctx.repo.failed_roots {
            if missing_cluster_target(err).is_some() {
                continue;
            }
            let rel = dir
                .strip_prefix(&ctx.repo.root)
                .unwrap_or(dir)
                .display()
                .to_string();
            let rel = if rel.is_empty() { ".".to_string() } else { rel };
            let cmd = command_path(dir);
            let mut f = root_finding(
                &META,
                dir,
                err,
                format!(
                    "the kustomization in {rel} does not render, so nothing under it can be deployed: {}",
                    relative_message(ctx.repo, &err.to_string())
                ),
            );
            if f.help.is_none() {
                f.help = Some(format!(
                    "fix the cause kustomize names; `cnpg-dr render {cmd}` reproduces it"
                ));
            }
            out.push(f);
        }
    }
}
