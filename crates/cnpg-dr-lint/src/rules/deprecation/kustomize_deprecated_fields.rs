use std::path::Path;
use std::sync::Arc;

use cnpg_dr_core::yaml::{load_str, LoadLimits, Span};

use super::key_node;
use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::helpers::command_path;
use crate::rules::rule::{repository_finding, RepositoryContext, Rule};

/// kustomization fields kustomize v5 deprecates.
pub struct KustomizeDeprecatedFields;

pub static META: RuleMeta = RuleMeta {
    id: "CDR704",
    name: "kustomize-deprecated-fields",
    severity: Severity::Info,
    summary: "kustomization uses commonLabels, patchesStrategicMerge, patchesJson6902 or bases",
    doc: r#"## What it checks
Every kustomization file in the repository (roots, bases and overlays, dormant ones included)
for the fields kustomize v5 deprecates: `commonLabels` (use `labels`), `patchesStrategicMerge`
and `patchesJson6902` (use `patches`), `bases` (use `resources`).

## Why it matters during a recovery
A recovery overlay may not be rendered for months, and the kustomize that renders it is the one
bundled with whatever Argo CD or kubectl version runs on the day of the incident. Deprecated
fields print warnings today and are slated for removal; a DR path should not depend on them.
`commonLabels` also rewrites label selectors of the kinds kustomize knows, which makes later
label changes on those objects impossible without recreating them.

## Example
```yaml
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
bases:
  - ../../base
patchesStrategicMerge:
  - bootstrap-patch.yaml
```

## Fix
Run `kustomize edit fix` in the directory, or rewrite by hand:
```yaml
resources:
  - ../../base
patches:
  - path: bootstrap-patch.yaml
```
Check with `cnpg-dr render` that the output is unchanged.

## References
- kustomize v5 release notes and `kustomize edit fix`.
- Kubernetes SIG CLI: kustomization field deprecations.
"#,
};

impl Rule for KustomizeDeprecatedFields {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_repository(&self, ctx: &RepositoryContext<'_>, out: &mut Vec<Finding>) {
        for k in &ctx.repo.kustomizations {
            if k.deprecations.is_empty() {
                continue;
            }
            let docs = std::fs::read_to_string(&k.file)
                .ok()
                .and_then(|text| {
                    load_str(&text, Arc::from(k.file.as_path()), &LoadLimits::default()).ok()
                })
                .unwrap_or_default();
            let database = ctx
                .repo
                .databases
                .iter()
                .filter(|d| k.file.starts_with(&d.dir))
                .max_by_key(|d| d.dir.components().count())
                .map(|d| d.dir.clone());
            for (old, new) in &k.deprecations {
                let span = docs
                    .first()
                    .and_then(|doc| key_node(doc, old))
                    .map(|n| n.span.clone())
                    .unwrap_or_else(|| Span::file_start(Arc::from(Path::new(&k.file))));
                let mut f = repository_finding(
                    &META,
                    &span,
                    format!(
                        "The kustomization uses {old}, which kustomize v5 deprecates in favour of {new}: the render depends on a field slated for removal from the kustomize that Argo CD and kubectl bundle"
                    ),
                );
                let root = Path::new(&k.file)
                    .parent()
                    .map(command_path)
                    .unwrap_or_else(|| ".".to_string());
                f.help = Some(format!(
                    "replace {old} with {new} (`kustomize edit fix` does it), then check that `cnpg-dr render {root}` prints the same output"
                ));
                f.database = database.clone();
                out.push(f);
            }
        }
    }
}
