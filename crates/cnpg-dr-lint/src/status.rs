//! `cnpg-dr status`: where every database stands, from Git alone.
//!
//! One row per rendered Cluster of each database's active variant: mode (the
//! active overlay), effective write and read lineages after CNPG's defaults,
//! recovery target, backup shape, the Argo CD application or Flux
//! Kustomization deploying it, and
//! the number of findings by severity.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use cnpg_dr_core::argocd::{argo_objects, deployed_databases};
use cnpg_dr_core::cnpg::{BootstrapMethod, Cluster};
use cnpg_dr_core::discover::Repository;
use cnpg_dr_core::kustomize::RenderError;

use crate::finding::{Finding, Severity};
use crate::output::relative;

/// One row of the status table.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub dir: String,
    pub name: String,
    pub namespace: String,
    pub mode: String,
    pub write_lineage: Option<String>,
    pub read_lineage: Option<String>,
    pub backup_shape: String,
    pub recovery_target: Option<String>,
    pub application: Option<String>,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// False for a database outside the overlay layout (a plain directory of
    /// Cluster manifests): no overlay line to flip during an incident.
    pub dr_switch: bool,
    /// Why the database cannot be deployed as it stands (mode `broken`): its
    /// active render fails. None for a database that renders.
    pub broken: Option<String>,
}

fn recovery_target(cluster: &Cluster<'_>) -> Option<String> {
    let recovery = cluster.recovery()?;
    let field = |k: &str| {
        recovery
            .target_field(k)
            .and_then(|n| n.as_str())
            .map(str::to_string)
    };
    for (key, label) in [
        ("targetTime", "time"),
        ("targetLSN", "lsn"),
        ("targetXID", "xid"),
        ("targetName", "name"),
        ("backupID", "backupID"),
    ] {
        if let Some(v) = field(key) {
            return Some(format!("{label} {v}"));
        }
    }
    if field("targetImmediate").as_deref() == Some("true") {
        return Some("immediate".to_string());
    }
    Some("latest".to_string())
}

/// Builds the rows for a discovered repository and its findings, with a
/// `broken` row for each database whose active render fails and each failed
/// root that looks like a database (`failed_roots`, from the lint report).
pub fn rows(
    repo: &Repository,
    failed_roots: &[(PathBuf, RenderError)],
    findings: &[Finding],
    base: &Path,
) -> Vec<Row> {
    let mut apps: Vec<(String, Vec<PathBuf>)> = argo_objects(repo)
        .into_iter()
        .map(|r| {
            (
                format!("{}/{}", r.kind(), r.name()),
                deployed_databases(r, repo),
            )
        })
        .collect();
    // Flux Kustomizations deploy the directory their spec.path names.
    apps.extend(
        repo.flux
            .iter()
            .map(|d| (d.name.clone(), vec![d.dir.clone()])),
    );
    let mut rows = Vec::new();
    for db in &repo.databases {
        let variant = db.active();
        let count = |s: Severity| {
            findings
                .iter()
                .filter(|f| f.severity == s && f.database.as_deref() == Some(db.dir.as_path()))
                .count()
        };
        let application = apps
            .iter()
            .filter(|(_, dbs)| dbs.contains(&db.dir))
            .map(|(name, _)| name.clone())
            .collect::<Vec<_>>();
        for cluster in variant.clusters() {
            let bootstrap = cluster.bootstrap();
            let mode = variant
                .overlay_name()
                .map(str::to_string)
                .or_else(|| bootstrap.map(|b| b.key().to_string()))
                .unwrap_or_else(|| "none".to_string());
            let shape = if cluster.native_store().is_some() {
                "native"
            } else if !cluster.barman_plugins().is_empty() {
                "plugin"
            } else {
                "none"
            };
            let in_recovery = bootstrap == Some(BootstrapMethod::Recovery);
            rows.push(Row {
                dir: relative(&db.dir, base),
                name: cluster.name().to_string(),
                namespace: cluster.namespace().to_string(),
                mode,
                write_lineage: cluster.write_lineage().map(|l| l.name),
                read_lineage: if in_recovery {
                    cluster.read_lineage().map(|l| l.name)
                } else {
                    None
                },
                backup_shape: shape.to_string(),
                recovery_target: if in_recovery {
                    recovery_target(&cluster)
                } else {
                    None
                },
                application: (!application.is_empty()).then(|| application.join(", ")),
                errors: count(Severity::Error),
                warnings: count(Severity::Warning),
                infos: count(Severity::Info),
                dr_switch: !db.flag.lines.is_empty() || !db.overlays.is_empty(),
                broken: None,
            });
        }
        if let Err(e) = &variant.rendered {
            // The active render fails: the database the SRE most needs to see.
            rows.push(broken_row(
                &repo.root,
                relative(&db.dir, base),
                &e.to_string(),
                !db.flag.lines.is_empty() || !db.overlays.is_empty(),
                (
                    count(Severity::Error),
                    count(Severity::Warning),
                    count(Severity::Info),
                ),
                (!application.is_empty()).then(|| application.join(", ")),
            ));
        }
    }
    for (dir, e) in failed_roots {
        if repo.databases.iter().any(|d| &d.dir == dir) || !looks_like_a_database(repo, dir) {
            continue;
        }
        let dirs_findings = |s: Severity| {
            findings
                .iter()
                .filter(|f| f.severity == s && f.path().is_some_and(|p| p.starts_with(dir)))
                .count()
        };
        let application = apps
            .iter()
            .filter(|(_, dbs)| dbs.contains(dir))
            .map(|(name, _)| name.clone())
            .collect::<Vec<_>>();
        rows.push(broken_row(
            &repo.root,
            relative(dir, base),
            &e.to_string(),
            true,
            (
                dirs_findings(Severity::Error),
                dirs_findings(Severity::Warning),
                dirs_findings(Severity::Info),
            ),
            (!application.is_empty()).then(|| application.join(", ")),
        ));
    }
    rows.sort_by(|a, b| a.dir.cmp(&b.dir));
    rows
}

/// A failed root is shown when it is plausibly a database: it has overlays,
/// or a file under it that was read names a CloudNativePG Cluster.
fn looks_like_a_database(repo: &Repository, dir: &Path) -> bool {
    repo.kustomizations
        .iter()
        .any(|k| k.file.starts_with(dir.join("overlays")))
        || repo.sources.paths().any(|p| {
            p.starts_with(dir)
                && repo.sources.text(p).is_some_and(|t| {
                    t.contains("postgresql.cnpg.io/") && t.contains("kind: Cluster")
                })
        })
}

fn broken_row(
    root: &Path,
    dir: String,
    error: &str,
    dr_switch: bool,
    (errors, warnings, infos): (usize, usize, usize),
    application: Option<String>,
) -> Row {
    let reason = error.lines().next().unwrap_or("").trim().to_string();
    // kustomize names absolute paths: say them from the repository root.
    let reason = match root.to_str() {
        Some(r) if !r.is_empty() => reason.replace(&format!("{}/", r.trim_end_matches('/')), ""),
        _ => reason,
    };
    Row {
        dir,
        name: String::new(),
        namespace: String::new(),
        mode: "broken".to_string(),
        write_lineage: None,
        read_lineage: None,
        backup_shape: "none".to_string(),
        recovery_target: None,
        application,
        errors,
        warnings,
        infos,
        dr_switch,
        broken: Some(reason),
    }
}

/// JSON, schema version 1 (docs/status-output.md).
pub fn to_json(rows: &[Row]) -> String {
    let clusters: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "dir": r.dir,
                "name": r.name,
                "namespace": r.namespace,
                "mode": r.mode,
                "write_lineage": r.write_lineage,
                "read_lineage": r.read_lineage,
                "backup_shape": r.backup_shape,
                "recovery_target": r.recovery_target,
                "application": r.application,
                "findings": {"error": r.errors, "warning": r.warnings, "info": r.infos},
                "dr_switch": r.dr_switch,
                "broken": r.broken,
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&json!({"version": 1, "clusters": clusters}))
        .unwrap_or_default();
    text.push('\n');
    text
}

/// A plain-text table, columns padded to their widest cell.
pub fn to_table(rows: &[Row]) -> String {
    let header = [
        "DATABASE",
        "CLUSTER",
        "MODE",
        "WRITES",
        "READS",
        "TARGET",
        "BACKUP",
        "APPLICATION",
        "FINDINGS",
    ];
    let dash = || "-".to_string();
    let cells: Vec<[String; 9]> = rows
        .iter()
        .map(|r| {
            [
                r.dir.clone(),
                if r.namespace.is_empty() {
                    r.name.clone()
                } else {
                    format!("{}/{}", r.namespace, r.name)
                },
                r.mode.clone(),
                r.write_lineage.clone().unwrap_or_else(dash),
                r.read_lineage.clone().unwrap_or_else(dash),
                r.recovery_target.clone().unwrap_or_else(dash),
                r.backup_shape.clone(),
                r.application.clone().unwrap_or_else(dash),
                format!("{}E {}W {}I", r.errors, r.warnings, r.infos),
            ]
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row.iter()) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |row: &[String]| {
        let mut s = String::new();
        for (i, (c, w)) in row.iter().zip(&widths).enumerate() {
            if i + 1 == row.len() {
                s.push_str(c);
            } else {
                s.push_str(&format!("{c:<w$}  "));
            }
        }
        s.push('\n');
        s
    };
    let mut out = line(&header.map(str::to_string));
    for row in &cells {
        out.push_str(&line(row));
    }
    let mut plain: Vec<&str> = rows
        .iter()
        .filter(|r| !r.dr_switch && r.broken.is_none())
        .map(|r| r.dir.as_str())
        .collect();
    plain.dedup();
    for r in rows {
        if let Some(reason) = &r.broken {
            out.push_str(&format!(
                "\nbroken: {} does not render, so it cannot be deployed or recovered: {reason}\n  `cnpg-dr lint {}` shows where\n",
                r.dir, r.dir
            ));
        }
    }
    if !plain.is_empty() {
        out.push_str(&format!(
            "\nno DR switch (not in the base + overlays layout, nothing to flip during an incident): {}\n",
            plain.join(", ")
        ));
    }
    out
}
