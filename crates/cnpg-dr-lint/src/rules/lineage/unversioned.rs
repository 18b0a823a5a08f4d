use cnpg_dr_core::cnpg::{LineageRef, Store};
use cnpg_dr_core::lineage::Lineage;

use super::lineage_span;
use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::rule::{Rule, VariantContext};

/// A write or read serverName that is unset or not `<name>-v<N>`.
pub struct Unversioned;

pub static META: RuleMeta = RuleMeta {
    id: "CDR104",
    name: "lineage-unversioned",
    severity: Severity::Warning,
    summary: "A backup or recovery serverName is unset or not of the form <name>-v<N>",
    doc: r#"## What it checks
The Cluster's write lineage (`serverName` of `spec.backup.barmanObjectStore` or of the Barman
Cloud plugin entry in `spec.plugins`) and, in recovery mode, its read lineage (`serverName` of
the `externalClusters` entry named by `bootstrap.recovery.source`) must be set explicitly and
follow `<name>-v<N>` (`app-database-v3`). When one is unset the finding says which default
CNPG applies:

- writes (both shapes) default to the Cluster's own name;
- plugin recovery defaults to the NEW Cluster's own name (not the `externalClusters` entry's
  name, whatever the CNPG docs say: the plugin code does this);
- in-tree (`barmanObjectStore`) recovery defaults to the `externalClusters` entry's name.

The lineage rules (CDR1xx) understand Barman lineages only. A Cluster that archives through
another CNPG-I plugin (pgBackRest or any other) has no Barman lineage: its stanza or repository
follows that tool's own rules, so these rules say nothing about it rather than guess.

## Why it matters during a recovery
A recovery must write to a lineage that has never been written. Without a version in the name
there is nothing to bump: a rebuilt Cluster with the same name archives into the old lineage
and CNPG stops with "Expected empty archive", or someone reaches for
`cnpg.io/skipEmptyWalArchiveCheck`. An unset recovery `serverName` silently reads whatever the
default names, which for the plugin is the new Cluster's own (empty) lineage: "no target backup
found".

## Example
```yaml
spec:
  plugins:
    - name: barman-cloud.cloudnative-pg.io
      isWALArchiver: true
      parameters:
        barmanObjectName: store    # no serverName: writes to the Cluster's name
```

## Fix
Set `serverName: <cluster>-v1` on the archiving entry (or the version the Cluster already writes
if it was recovered before) and take a backup right after the change, since the new lineage has
no base backup yet. In a recovery source, name the lineage that holds the backups.

## References
- Barman Cloud plugin: `serverName` parameter and its defaults (operator config, v0.14.0).
- CNPG `GetServerName`: in-tree recovery defaults to the external cluster's name.
"#,
};

fn versioned(name: &str) -> bool {
    Lineage::parse(name).is_some()
}

impl Rule for Unversioned {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        for cluster in ctx.variant.clusters() {
            let write = cluster.write_lineage();
            if let Some(w) = &write {
                if w.defaulted() {
                    let mut f = ctx.finding(
                        &META,
                        &lineage_span(w),
                        format!(
                            "Cluster {} archives to {} with no serverName, so CNPG writes to lineage {} (the Cluster's own name): there is no version to bump at the next recovery, and a rebuilt Cluster of the same name archives into the old WAL (\"Expected empty archive\")",
                            cluster.name(),
                            w.store.describe(),
                            w.name
                        ),
                    );
                    let key = match w.store {
                        Store::Plugin { .. } => "parameters.serverName",
                        Store::Native { .. } => "serverName",
                    };
                    f.help = Some(format!(
                        "set {key}: {}-v1 in this entry, then take a backup at once: a new lineage has no base backup until the next one",
                        cluster.name()
                    ));
                    out.push(f);
                } else if !versioned(&w.name) {
                    let mut f = ctx.finding(
                        &META,
                        &lineage_span(w),
                        format!(
                            "Cluster {} writes its backups to lineage {:?}, which is not of the form <name>-v<N>: there is no version to bump at the next recovery",
                            cluster.name(),
                            w.name
                        ),
                    );
                    f.help = Some(format!(
                        "change it to {}-v1 (or the next version of your own numbering), then take a backup at once: a new lineage has no base backup until the next one",
                        w.name
                    ));
                    out.push(f);
                }
            }
            let Some(r) = cluster.read_lineage() else {
                continue;
            };
            let source = cluster
                .recovery()
                .and_then(|rec| rec.source())
                .unwrap_or("");
            let guess = write
                .as_ref()
                .and_then(|w| Lineage::parse(&w.name))
                .and_then(|l| l.previous())
                .map(|l| format!(", probably {l}"))
                .unwrap_or_default();
            if r.defaulted() {
                let why = match r.store {
                    Store::Plugin { .. } => format!(
                        "the Barman Cloud plugin then reads lineage {} (the NEW Cluster's own name, not the entry name {source:?}, whatever the CNPG docs say)",
                        r.name
                    ),
                    Store::Native { .. } => format!(
                        "in-tree recovery then reads lineage {} (the externalClusters entry's name)",
                        r.name
                    ),
                };
                let mut f = ctx.finding(
                    &META,
                    &lineage_span(&r),
                    format!(
                        "the recovery source {source:?} of Cluster {} sets no serverName: {why}; unless that is exactly the lineage that holds the backups, the restore finds nothing (\"no target backup found\")",
                        cluster.name()
                    ),
                );
                f.help = Some(format!(
                    "set serverName to the lineage the previous cluster wrote{guess}"
                ));
                out.push(f);
            } else if !versioned(&r.name) {
                out.push(unversioned_read(ctx, cluster.name(), &r));
            }
        }
    }
}

fn unversioned_read(ctx: &VariantContext<'_>, cluster: &str, r: &LineageRef<'_>) -> Finding {
    let mut f = ctx.finding(
        &META,
        &lineage_span(r),
        format!(
            "Cluster {cluster} restores from lineage {:?}, which is not of the form <name>-v<N>: the next recovery cannot tell which lineage is newer",
            r.name
        ),
    );
    f.help = Some(format!(
        "if the backups really are under {:?}, keep it for this restore, and make sure the Cluster writes to a fresh, versioned lineage (<name>-v<N>) from now on",
        r.name
    ));
    f
}
