use cnpg_dr_core::argocd::{Application, SKIP_RECONCILE};

use super::{argo_objects, go_true};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::rule::{repository_finding, RepositoryContext, Rule};

/// `argocd.argoproj.io/skip-reconcile` committed to Git.
pub struct SkipReconcile;

pub static META: RuleMeta = RuleMeta {
    id: "CDR602",
    name: "argocd-skip-reconcile",
    severity: Severity::Error,
    summary:
        "An Application (or ApplicationSet template) carries argocd.argoproj.io/skip-reconcile",
    doc: r#"## What it checks
The annotation `argocd.argoproj.io/skip-reconcile` with a true value (as Go's `ParseBool` reads
it: `true`, `True`, `1`, ...) on an `Application`, in an `ApplicationSet`'s
`spec.template.metadata.annotations`, or mentioned in its `spec.templatePatch`. The finding
names the database directories the app deploys.

## Why it matters during a recovery
Argo CD stops reconciling an Application with that annotation: no refresh, no sync, no health,
the status frozen at its last value. The annotation is meant for a short manual intervention; in
Git it outlives the incident, and the next recovery commit (the DR switch, a lineage bump) is
never applied while the UI still shows the old, healthy-looking status.

## Example
```yaml
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: gitea-database
  annotations:
    argocd.argoproj.io/skip-reconcile: "true"
```

## Fix
Remove the annotation from Git. To pause a database during an incident, annotate the live
Application by hand (`kubectl annotate`) and remove it afterwards, or disable automated sync.

## References
- Argo CD docs, "Skip Application Reconcile".
"#,
};

impl Rule for SkipReconcile {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_repository(&self, ctx: &RepositoryContext<'_>, out: &mut Vec<Finding>) {
        for app in argo_objects(ctx.repo) {
            let who = app.words();
            let mut hits = Vec::new();
            if let Some(set) = app.set {
                if let Some(n) = set.template_annotation(SKIP_RECONCILE) {
                    if n.as_str().is_some_and(go_true) {
                        hits.push((n, format!("{who} puts {SKIP_RECONCILE}: true on every Application it generates, so Argo CD stops reconciling them")));
                    }
                }
                if let Some(n) = set.template_patch() {
                    if n.as_str().is_some_and(|t| t.contains(SKIP_RECONCILE)) {
                        hits.push((n, format!("{who} sets {SKIP_RECONCILE} in its templatePatch, so Argo CD stops reconciling the Applications it generates")));
                    }
                }
            } else if let Some(n) =
                Application::from(app.resource).and_then(|a| a.annotation(SKIP_RECONCILE))
            {
                if n.as_str().is_some_and(go_true) {
                    hits.push((
                        n,
                        format!(
                            "{who} carries {SKIP_RECONCILE}: true, so Argo CD stops reconciling it"
                        ),
                    ));
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
                        "{how}: DR commits are never synced and the app status stays frozen{deploys}"
                    ),
                );
                f.help = Some(format!(
                    "remove {SKIP_RECONCILE} from Git; annotate the live Application by hand for a temporary pause"
                ));
                out.push(f);
            }
        }
    }
}
