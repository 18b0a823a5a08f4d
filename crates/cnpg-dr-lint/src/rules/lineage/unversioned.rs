use cnpg_dr_core::cnpg::{LineageRef, Store};
use cnpg_dr_core::lineage::{numbering, Lineage, Numbering};

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
carry a version: `<name>-v<N>` (`app-database-v3`), the `lineagePattern` of `.cnpg-dr.yaml`
(see docs/configuration.md), or another common numbering, `-<N>` (`postgres18-0`,
`postgres16-08`) or a date (`-20260822`), when no lineage of the same database directory
uses `-v<N>` (its own style, inferred from the names its variants write and read). When one is
unset the finding says which default
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

/// The lineage names this database sets explicitly (every variant, written
/// and read), from which its numbering style is inferred. Per database, not
/// per repository: each lineage family keeps the numbering it started with,
/// and one database numbered `-<N>` says nothing about its neighbours.
fn database_names(ctx: &VariantContext<'_>) -> Vec<String> {
    let mut names = Vec::new();
    for variant in &ctx.database.variants {
        for cluster in variant.clusters() {
            let lineages = [cluster.write_lineage(), cluster.read_lineage()];
            names.extend(
                lineages
                    .into_iter()
                    .flatten()
                    .filter(|l| !l.defaulted())
                    .map(|l| l.name),
            );
        }
    }
    names
}

/// Whether `name` carries a version: `-v<N>`, the configured
/// `lineagePattern`, or another common style (`-<N>`, `-YYYYMMDD`) when no
/// lineage of the database uses `-v<N>` (the style it keeps).
fn versioned(ctx: &VariantContext<'_>, names: &[String], name: &str) -> bool {
    if Lineage::parse(name).is_some()
        || ctx
            .settings
            .lineage_pattern
            .as_ref()
            .is_some_and(|p| p.matches(name))
    {
        return true;
    }
    matches!(numbering(name), Some(Numbering::Number | Numbering::Date))
        && !names.iter().any(|n| numbering(n) == Some(Numbering::V))
}

/// Why a name that is not versioned is flagged, true to the name: it has no
/// version at all, or one in a style the rest of the repository does not use.
fn why_unversioned(names: &[String], name: &str) -> String {
    match numbering(name) {
        Some(style @ (Numbering::Number | Numbering::Date)) => {
            let example = names
                .iter()
                .find(|n| numbering(n) == Some(Numbering::V))
                .map(|n| format!(" (such as {n})"))
                .unwrap_or_default();
            let shape = if style == Numbering::Date {
                "-YYYYMMDD"
            } else {
                "-<N>"
            };
            format!("is numbered {shape}, while this database's other lineages use -v<N>{example}, and no lineagePattern in .cnpg-dr.yaml says {shape} is a version here: cnpg-dr cannot tell which lineage is newer or bump it")
        }
        _ => "carries no version (not <name>-v<N>, nor another numbering): there is no version to bump at the next recovery".to_string(),
    }
}

impl Rule for Unversioned {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        let names = database_names(ctx);
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
                } else if !versioned(ctx, &names, &w.name) {
                    let mut f = ctx.finding(
                        &META,
                        &lineage_span(w),
                        format!(
                            "Cluster {} writes its backups to lineage {:?}, which {}",
                            cluster.name(),
                            w.name,
                            why_unversioned(&names, &w.name)
                        ),
                    );
                    f.help = Some(match numbering(&w.name) {
                        Some(Numbering::Number | Numbering::Date) => format!(
                            "if this numbering is deliberate, set lineagePattern in .cnpg-dr.yaml (such as \"{{name}}-{{n}}\" or \"{{name}}-{{date}}\"); otherwise move to {}-v1 at the next recovery",
                            w.name.rsplit_once('-').map_or(w.name.as_str(), |(p, _)| p)
                        ),
                        _ => format!(
                            "change it to {}-v1 (or the next version of your own numbering, declared as lineagePattern in .cnpg-dr.yaml), then take a backup at once: a new lineage has no base backup until the next one",
                            w.name
                        ),
                    });
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
            } else if !versioned(ctx, &names, &r.name) {
                out.push(unversioned_read(ctx, &names, cluster.name(), &r));
            }
        }
    }
}

fn unversioned_read(
    ctx: &VariantContext<'_>,
    names: &[String],
    cluster: &str,
    r: &LineageRef<'_>,
) -> Finding {
    let why = match numbering(&r.name) {
        Some(Numbering::Number | Numbering::Date) => why_unversioned(names, &r.name),
        _ => "is not of the form <name>-v<N>: the next recovery cannot tell which lineage is newer"
            .to_string(),
    };
    let mut f = ctx.finding(
        &META,
        &lineage_span(r),
        format!(
            "Cluster {cluster} restores from lineage {:?}, which {why}",
            r.name
        ),
    );
    f.help = Some(format!(
        "if the backups really are under {:?}, keep it for this restore, and make sure the Cluster writes to a fresh, versioned lineage (<name>-v<N>) from now on",
        r.name
    ));
    f
}
