use cnpg_dr_core::argocd::{jq_to_pointer, pointers_overlap, RESPECT_IGNORE_DIFFERENCES};
use cnpg_dr_core::cnpg::CNPG_GROUP;

use super::{argo_objects, go_true};
use crate::finding::{Finding, Severity};
use crate::rules::{repository_finding, RepositoryContext, Rule, RuleMeta};

/// ignoreDifferences over the recovery configuration, honoured during sync.
pub struct IgnoresBootstrap;

pub static META: RuleMeta = RuleMeta {
    id: "CDR601",
    name: "argocd-ignores-bootstrap",
    severity: Severity::Error,
    summary: "Argo CD ignores /spec/bootstrap or /spec/externalClusters of CNPG Clusters with RespectIgnoreDifferences=true",
    doc: r#"## What it checks
Every Argo CD `Application`, and every `ApplicationSet` template, that syncs with
`syncPolicy.syncOptions: [RespectIgnoreDifferences=true]` and has an `ignoreDifferences` entry
for `postgresql.cnpg.io` Clusters (group `postgresql.cnpg.io` or `*`, kind `Cluster`, `*` or
omitted) that covers `/spec/bootstrap` or `/spec/externalClusters`:
- a JSON pointer equal to, above (`/spec`) or below (`/spec/bootstrap/initdb`) one of them;
- a jq path expression addressing them (or naming them, when the expression is complex);
- any `managedFieldsManagers` entry (the fields a manager owns cannot be known from Git).

The finding names the database directories the app deploys.

## Why it matters during a recovery
`ignoreDifferences` alone only hides a difference from the diff. With
`RespectIgnoreDifferences=true`, Argo CD also patches the ignored fields of what it applies with
the live values whenever the Cluster already exists. Flipping the DR switch to the recovery
overlay then never reaches the Cluster: the live `initdb` bootstrap and the old
`externalClusters` stay, the app reports Synced, and whoever deletes the Cluster to force the
recovery relies on Argo CD recreating it from Git at exactly the right moment. Ignoring only a
part (`/spec/bootstrap/initdb`) is worse: the live `initdb` is merged next to Git's `recovery`
and CNPG rejects the Cluster ("Only one bootstrap method can be specified at a time").

## Example
```yaml
spec:
  syncPolicy:
    syncOptions:
      - RespectIgnoreDifferences=true
  ignoreDifferences:
    - group: postgresql.cnpg.io
      kind: Cluster
      jsonPointers:
        - /spec/bootstrap
```

## Fix
Remove the entry: CNPG reads `spec.bootstrap` only when it creates a Cluster, and Git should
always be what a re-created Cluster gets. If the entry only exists to silence a diff, drop
`RespectIgnoreDifferences=true` instead, so syncs apply Git's recovery configuration.

## References
- Argo CD docs, "Sync Options": Respect ignore differences configs (applies only to resources
  that already exist).
- Argo CD docs, "Diffing Customization": `jsonPointers`, `jqPathExpressions`,
  `managedFieldsManagers`.
- CNPG admission webhook: "Only one bootstrap method can be specified at a time".
"#,
};

const GUARDED: [(&str, &str); 2] = [
    ("/spec/bootstrap", "spec.bootstrap"),
    ("/spec/externalClusters", "spec.externalClusters"),
];

/// The guarded fields a JSON pointer touches.
fn covered(pointer: &str) -> Vec<&'static str> {
    GUARDED
        .iter()
        .filter(|(p, _)| pointers_overlap(pointer, p))
        .map(|(_, words)| *words)
        .collect()
}

impl Rule for IgnoresBootstrap {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_repository(&self, ctx: &RepositoryContext<'_>, out: &mut Vec<Finding>) {
        for app in argo_objects(ctx.repo) {
            let Some(spec) = app.spec else { continue };
            let Some((option, value)) = spec.sync_option(RESPECT_IGNORE_DIFFERENCES) else {
                continue;
            };
            if !go_true(value) {
                continue;
            }
            let deploys = app.deploys(ctx.repo);
            let who = app.words();
            let template = if app.set.is_some() {
                " in its template"
            } else {
                ""
            };
            for entry in spec.ignore_differences() {
                if !entry.applies_to(CNPG_GROUP, "Cluster") {
                    continue;
                }
                // (node, what is ignored, fields covered)
                let mut hits = Vec::new();
                for p in entry.json_pointers() {
                    let Some(text) = p.as_str() else { continue };
                    let fields = covered(text);
                    if !fields.is_empty() {
                        hits.push((p, format!("JSON pointer {text}"), fields));
                    }
                }
                for jq in entry.jq_path_expressions() {
                    let Some(text) = jq.as_str() else { continue };
                    let fields = match jq_to_pointer(text) {
                        Some(pointer) => covered(&pointer),
                        None => GUARDED
                            .iter()
                            .filter(|(p, _)| text.contains(&p[6..]))
                            .map(|(_, words)| *words)
                            .collect(),
                    };
                    if !fields.is_empty() {
                        hits.push((jq, format!("jq path {text}"), fields));
                    }
                }
                for m in entry.managed_fields_managers() {
                    let Some(text) = m.as_str() else { continue };
                    hits.push((
                        m,
                        format!("every field field manager {text} owns (which includes spec.bootstrap or spec.externalClusters whenever {text} wrote them)"),
                        vec![],
                    ));
                }
                for (node, what, fields) in hits {
                    let fields = if fields.is_empty() {
                        "bootstrap and externalClusters".to_string()
                    } else {
                        fields.join(" and ")
                    };
                    let mut f = repository_finding(
                        &META,
                        &node.span,
                        format!(
                            "{who} ignores {what} on CNPG Clusters{template} and syncs with RespectIgnoreDifferences=true (line {}): while a Cluster exists, Argo CD applies its live {fields} instead of Git's, so flipping the DR switch never reaches the Cluster and the app still shows Synced{deploys}",
                            option.span.line
                        ),
                    );
                    f.help = Some(
                        "remove this ignoreDifferences entry for postgresql.cnpg.io Clusters, or drop RespectIgnoreDifferences=true so syncs apply Git's recovery configuration".to_string(),
                    );
                    out.push(f);
                }
            }
        }
    }
}
