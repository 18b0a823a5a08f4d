use cnpg_dr_core::argocd::{jq_to_pointer, pointers_overlap, RESPECT_IGNORE_DIFFERENCES};
use cnpg_dr_core::cnpg::CNPG_GROUP;

use cnpg_dr_core::yaml::Node;

use super::{argo_objects, go_true};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::rule::{repository_finding, RepositoryContext, Rule};

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
- any `managedFieldsManagers` entry, as a **warning**: the fields a manager owns are known only
  from the live object's `managedFields`, not from Git, so the finding says what to check.

A Cluster's own `argocd.argoproj.io/sync-options` annotation overrides the app-level option in
either direction (`RespectIgnoreDifferences=true` or `=false`), as Argo CD does. The finding names the database directories the app deploys.

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

/// The per-resource sync options annotation.
const SYNC_OPTIONS: &str = "argocd.argoproj.io/sync-options";

/// The RespectIgnoreDifferences value of a resource's sync-options annotation.
fn resource_option(annotation: Option<&Node>) -> Option<bool> {
    annotation?
        .as_str()?
        .split(',')
        .filter_map(|o| o.split_once('='))
        .filter(|(k, _)| k.trim() == RESPECT_IGNORE_DIFFERENCES)
        .map(|(_, v)| go_true(v.trim()))
        .next_back()
}

impl Rule for IgnoresBootstrap {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_repository(&self, ctx: &RepositoryContext<'_>, out: &mut Vec<Finding>) {
        let by_dir: std::collections::HashMap<&std::path::Path, &cnpg_dr_core::discover::Database> =
            ctx.repo
                .databases
                .iter()
                .map(|d| (d.dir.as_path(), d))
                .collect();
        for app in argo_objects(ctx.repo) {
            let Some(spec) = app.spec else { continue };
            let app_level = spec
                .sync_option(RESPECT_IGNORE_DIFFERENCES)
                .filter(|(_, v)| go_true(v))
                .map(|(n, _)| n);
            // A Cluster's own sync-options annotation overrides the app-level option.
            let clusters: Vec<(&str, Option<bool>)> = app
                .databases
                .iter()
                .filter_map(|dir| by_dir.get(dir.as_path()))
                .flat_map(|d| d.active().clusters())
                .map(|c| (c.name(), resource_option(c.annotation(SYNC_OPTIONS))))
                .collect();
            let opted_in: Vec<&str> = clusters
                .iter()
                .filter(|(_, o)| o.unwrap_or(app_level.is_some()))
                .map(|(name, _)| *name)
                .collect();
            let source = match app_level {
                Some(_) if !clusters.is_empty() && opted_in.is_empty() => continue,
                Some(node) => format!(
                    "syncs with RespectIgnoreDifferences=true (line {})",
                    node.span.line
                ),
                None if opted_in.is_empty() => continue,
                None => format!(
                    "Cluster {} opts in with the annotation {SYNC_OPTIONS}: RespectIgnoreDifferences=true",
                    opted_in.join(", ")
                ),
            };
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
                // What a manager owns lives only in the live object's
                // managedFields: a risk to check, not a certainty.
                for m in entry.managed_fields_managers() {
                    let Some(text) = m.as_str() else { continue };
                    let mut f = repository_finding(
                        &META,
                        &m.span,
                        format!(
                            "{who} ignores every field that field manager {text} owns on CNPG Clusters{template} and {source}: if {text} ever wrote spec.bootstrap or spec.externalClusters of a live Cluster, Argo CD applies the live values instead of Git's and flipping the DR switch never reaches the Cluster{deploys}"
                        ),
                    );
                    f.severity = Severity::Warning;
                    f.help = Some(format!(
                        "check which fields {text} owns: `kubectl get cluster NAME -o yaml --show-managed-fields`; if they include spec.bootstrap or spec.externalClusters, remove this entry or drop RespectIgnoreDifferences=true"
                    ));
                    out.push(f);
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
                            "{who} ignores {what} on CNPG Clusters{template} and {source}: while a Cluster exists, Argo CD applies its live {fields} instead of Git's, so flipping the DR switch never reaches the Cluster and the app still shows Synced{deploys}"
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner;
    use cnpg_dr_core::discover::{discover, DiscoverOptions};
    use cnpg_dr_core::fs::MemFs;
    use std::path::Path;

    fn lint(app_options: &str, cluster_annotation: &str) -> Vec<Finding> {
        let mut fs = MemFs::new();
        fs.insert("/r/db/pg/kustomization.yaml", "resources:\n- cluster.yaml\n")
            .insert(
                "/r/db/pg/cluster.yaml",
                format!("apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: pg\n{cluster_annotation}spec:\n  instances: 1\n"),
            )
            .insert(
                "/r/argocd/app.yaml",
                format!("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: pg\nspec:\n  source:\n    path: db/pg\n  syncPolicy:\n    syncOptions: [{app_options}]\n  ignoreDifferences:\n  - group: postgresql.cnpg.io\n    kind: Cluster\n    managedFieldsManagers: [kubectl-edit]\n"),
            );
        let repo = discover(&fs, Path::new("/r"), &DiscoverOptions::default());
        runner::run(&repo, &[&IgnoresBootstrap], &Default::default())
    }

    const OPT_OUT: &str =
        "  annotations:\n    argocd.argoproj.io/sync-options: Prune=false,RespectIgnoreDifferences=false\n";
    const OPT_IN: &str =
        "  annotations:\n    argocd.argoproj.io/sync-options: RespectIgnoreDifferences=true\n";

    #[test]
    fn the_clusters_sync_options_annotation_overrides_the_app() {
        let app_level = lint("RespectIgnoreDifferences=true", "");
        assert_eq!(app_level.len(), 1);
        assert!(app_level[0]
            .message
            .contains("every field that field manager kubectl-edit owns"));
        assert!(!app_level[0].message.contains("field field"));
        // What a manager owns is live state: a warning that says what to check.
        assert_eq!(app_level[0].severity, Severity::Warning);
        assert!(app_level[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("--show-managed-fields")));
        assert!(app_level[0]
            .message
            .contains("(it deploys the database db/pg)"));
        assert!(lint("RespectIgnoreDifferences=true", OPT_OUT).is_empty());
        assert!(lint("CreateNamespace=true", "").is_empty());
        let opted_in = lint("CreateNamespace=true", OPT_IN);
        assert_eq!(opted_in.len(), 1);
        assert!(opted_in[0].message.contains("Cluster pg opts in"));
    }
}
