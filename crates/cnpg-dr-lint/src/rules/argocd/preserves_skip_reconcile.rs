use cnpg_dr_core::argocd::{jq_to_pointer, pointers_overlap, SKIP_RECONCILE};

use super::argo_objects;
use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::rule::{repository_finding, RepositoryContext, Rule};

/// An ApplicationSet that keeps a hand-set skip-reconcile annotation alive.
pub struct PreservesSkipReconcile;

pub static META: RuleMeta = RuleMeta {
    id: "CDR603",
    name: "argocd-preserves-skip-reconcile",
    severity: Severity::Warning,
    summary:
        "ApplicationSet ignoreApplicationDifferences preserves argocd.argoproj.io/skip-reconcile",
    doc: r#"## What it checks
An `ApplicationSet` whose `spec.ignoreApplicationDifferences` covers the
`argocd.argoproj.io/skip-reconcile` annotation of the Applications it generates: a JSON pointer
`/metadata`, `/metadata/annotations` or `/metadata/annotations/argocd.argoproj.io~1skip-reconcile`,
a jq path addressing them or naming the annotation. `spec.preservedFields.annotations` listing
the annotation is reported too.

## Why it matters during a recovery
The ApplicationSet controller normally overwrites generated Applications with its template, so a
`skip-reconcile` annotation added by hand during an incident disappears on its next pass.
Preserving the Applications' annotations (a common way to keep notification or refresh
annotations) also preserves that one: the database's Application stays frozen after the
incident, and the commit that flips the DR switch back, or bumps the lineage, is never synced.

## Example
```yaml
spec:
  ignoreApplicationDifferences:
    - jsonPointers:
        - /metadata/annotations
```

## Fix
Preserve only the annotations you need, by key:
`/metadata/annotations/notified.notifications.argoproj.io`, or a jq path that names them. Add to
the incident runbook: remove `skip-reconcile` from the live Application when done.

## References
- Argo CD docs, "ApplicationSet: Controlling Resource Modification"
  (`ignoreApplicationDifferences`, `preservedFields`).
- Argo CD docs, "Skip Application Reconcile".
"#,
};

/// The pointer of the annotation in an Application.
const POINTER: &str = "/metadata/annotations/argocd.argoproj.io~1skip-reconcile";

impl Rule for PreservesSkipReconcile {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_repository(&self, ctx: &RepositoryContext<'_>, out: &mut Vec<Finding>) {
        for app in argo_objects(ctx.repo) {
            let Some(set) = app.set else { continue };
            let mut hits = Vec::new();
            for entry in set.ignore_application_differences() {
                let scope = entry
                    .name()
                    .map(|n| format!(" of Application {n}"))
                    .unwrap_or_default();
                for p in entry.json_pointers() {
                    let Some(text) = p.as_str() else { continue };
                    if pointers_overlap(text, POINTER) && !text.trim().is_empty() {
                        hits.push((p, format!("ignores {text}{scope}")));
                    }
                }
                for jq in entry.jq_path_expressions() {
                    let Some(text) = jq.as_str() else { continue };
                    let hit = match jq_to_pointer(text) {
                        Some(ptr) => !ptr.is_empty() && pointers_overlap(&ptr, POINTER),
                        None => text.contains(SKIP_RECONCILE) || text.contains("skip-reconcile"),
                    };
                    if hit {
                        hits.push((jq, format!("ignores the jq path {text}{scope}")));
                    }
                }
            }
            for n in set.preserved_annotations() {
                if n.as_str() == Some(SKIP_RECONCILE) {
                    hits.push((n, "lists it in preservedFields.annotations".to_string()));
                }
            }
            if hits.is_empty() {
                continue;
            }
            let deploys = app.deploys(ctx.repo);
            for (node, how) in hits {
                let mut f = repository_finding(
                    &META,
                    &node.span,
                    format!(
                        "ApplicationSet {} {how}, so an {SKIP_RECONCILE} annotation set by hand during an incident is never removed: the Application stays frozen and later DR commits are not synced{deploys}",
                        set.name()
                    ),
                );
                f.help = Some(
                    "preserve only the annotations you need, by key (for example /metadata/annotations/notified.notifications.argoproj.io)".to_string(),
                );
                out.push(f);
            }
        }
    }
}
