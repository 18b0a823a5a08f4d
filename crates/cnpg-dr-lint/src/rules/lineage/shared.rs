use cnpg_dr_core::yaml::Span;

use super::{lineage_span, same_place, Place};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::rule::{RepositoryContext, Rule, VariantContext};

/// Two Clusters of the repository that archive to the same lineage.
pub struct Shared;

pub static META: RuleMeta = RuleMeta {
    id: "CDR106",
    name: "lineage-shared",
    severity: Severity::Error,
    summary: "Two Clusters in the repository write their backups to the same store and serverName",
    doc: r#"## What it checks
Across the whole repository, the deployed (active) render of every database: no two Clusters may
write to the same lineage, that is the same effective `serverName` in the same store (same
`destinationPath` and `endpointURL`; plugin ObjectStores are resolved to their configuration,
so two ObjectStores on the same bucket path count as one store).

## Why it matters during a recovery
barman-cloud keeps one lineage per `<destinationPath>/<serverName>/`. Two clusters writing there
interleave their WAL and base backups: the second one to start fails CNPG's empty-archive check
("Expected empty archive") or, with the check skipped, archives into the other's history;
retention deletes each other's backups; and a restore of either database replays a mix of two
databases' WAL. A copied database directory whose serverName was not renamed is the usual cause.

## Example
```yaml
# gitea/base/cluster.yaml and forgejo/base/cluster.yaml, both:
  plugins:
    - name: barman-cloud.cloudnative-pg.io
      parameters: {barmanObjectName: backups, serverName: gitea-database-v3}
```

## Fix
Give each Cluster its own serverName (`forgejo-database-v1`) or its own destinationPath, and
take a backup right after the change.

## References
- CNPG docs, "Recovery": "ensure that each cluster uses a unique serverName".
- barman-cloud object layout: `<destinationPath>/<serverName>/{base,wals}`.
"#,
};

struct Writer<'a> {
    ctx: VariantContext<'a>,
    cluster: String,
    namespace: String,
    name: String,
    place: Place,
    span: Span,
}

impl Rule for Shared {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_repository(&self, ctx: &RepositoryContext<'_>, out: &mut Vec<Finding>) {
        let mut writers: Vec<Writer<'_>> = Vec::new();
        for db in &ctx.repo.databases {
            let variant = db.active();
            for cluster in variant.clusters() {
                let Some(w) = cluster.write_lineage() else {
                    continue;
                };
                writers.push(Writer {
                    ctx: VariantContext {
                        repo: ctx.repo,
                        settings: ctx.settings,
                        database: db,
                        variant,
                    },
                    cluster: cluster.name().to_string(),
                    namespace: cluster.namespace().to_string(),
                    name: w.name.clone(),
                    place: Place::of(variant, &cluster, &w.store),
                    span: lineage_span(&w),
                });
            }
        }
        // Only writers of the same lineage name can collide: compare within
        // those groups (all pairs of 10,000 databases is 100 million).
        let mut by_name: std::collections::HashMap<&str, Vec<usize>> = Default::default();
        for (i, w) in writers.iter().enumerate() {
            by_name.entry(w.name.as_str()).or_default().push(i);
        }
        for (i, me) in writers.iter().enumerate() {
            let group = by_name
                .get(me.name.as_str())
                .map(Vec::as_slice)
                .unwrap_or_default();
            if group.len() < 2 {
                continue;
            }
            let others: Vec<String> = group
                .iter()
                .map(|&j| (j, &writers[j]))
                .filter(|(j, o)| {
                    // The same Cluster (namespace and name) rendered through two
                    // kustomization roots is one object, not two writers.
                    let same_object = o.cluster == me.cluster && o.namespace == me.namespace;
                    *j != i
                        && !same_object
                        && o.name == me.name
                        && same_place(&o.place, &me.place) == Some(true)
                })
                .map(|(_, o)| {
                    let file = o
                        .span
                        .file
                        .strip_prefix(&ctx.repo.root)
                        .unwrap_or(&o.span.file)
                        .display()
                        .to_string();
                    let ns = if o.namespace.is_empty() {
                        String::new()
                    } else {
                        format!("namespace {}, ", o.namespace)
                    };
                    format!(
                        "Cluster {} ({ns}serverName at {file}:{}:{})",
                        o.cluster, o.span.line, o.span.column
                    )
                })
                .collect();
            if others.is_empty() {
                continue;
            }
            let mut f = me.ctx.finding(
                &META,
                &me.span,
                format!(
                    "Cluster {} writes its backups to lineage {} in {}, and so does {}: two clusters in one lineage interleave their WAL and base backups, the second to start fails with \"Expected empty archive\", retention deletes each other's backups, and a restore of either replays a mix of two databases' WAL",
                    me.cluster,
                    me.name,
                    me.place.describe(),
                    others.join(" and ")
                ),
            );
            f.help = Some(
                "give each Cluster a serverName no other Cluster writes in this store (or its own destinationPath), then take a backup at once: the new lineage has no base backup yet"
                    .to_string(),
            );
            out.push(f);
        }
    }
}
