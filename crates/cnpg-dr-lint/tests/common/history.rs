//! The database and the histories the `lint --base` tests build: one
//! database directory (`apps/app`) whose lineages and DR flag move commit by
//! commit.

use serde_json::Value;

use cnpg_dr_core::discover::{discover, DiscoverOptions};
use cnpg_dr_core::fs::RealFs;
use cnpg_dr_core::history::GitRepository;
use cnpg_dr_lint::runner::{self, Base};
use cnpg_dr_lint::{registry, Finding};

use super::git::GitRepo;

/// The tests' name for a Git repository holding the database.
pub type Fixture = GitRepo;

impl GitRepo {
    /// `lint --format json --base REV`, as a process.
    pub fn lint_json(&self, base: &str) -> Value {
        let out = self.cnpg_dr(&["lint", "--format", "json", "--base", base]);
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        })
    }

    /// The history rules' findings, in-process.
    pub fn history_findings(&self, base: &str) -> Vec<Finding> {
        let git = GitRepository::discover(&self.root).unwrap();
        let commit = git.resolve(base).unwrap();
        let repo = discover(&RealFs, &self.root, &DiscoverOptions::default());
        let history = runner::load_history(
            &repo,
            &Base {
                git: &git,
                spec: base,
                commit: &commit,
            },
        )
        .unwrap();
        runner::run_history(&repo, &registry(), &Default::default(), &history)
    }
}

pub const DB: &str = "apps/app";
pub const CLUSTER: &str = "apps/app/base/cluster.yaml";
pub const RECOVERY: &str = "apps/app/overlays/recovery/bootstrap-patch.yaml";
pub const ROOT: &str = "apps/app/kustomization.yaml";

/// A database directory writing `app-database-v{write}`, its recovery
/// overlay reading `app-database-v{read}`, the flag on `overlay`.
pub fn database(f: &Fixture, write: u32, read: u32, overlay: &str) {
    f.write(
        &format!("{DB}/base/kustomization.yaml"),
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: app\nresources:\n  - cluster.yaml\n  - objectstore.yaml\n  - scheduled-backup.yaml\n",
    );
    f.write(
        CLUSTER,
        &format!(
            "apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: app-database
spec:
  instances: 1
  storage:
    size: 1Gi
  plugins:
    - name: barman-cloud.cloudnative-pg.io
      isWALArchiver: true
      parameters:
        barmanObjectName: app-store
        serverName: app-database-v{write}
"
        ),
    );
    f.write(
        &format!("{DB}/base/objectstore.yaml"),
        "apiVersion: barmancloud.cnpg.io/v1\nkind: ObjectStore\nmetadata:\n  name: app-store\nspec:\n  configuration:\n    destinationPath: s3://backups/app\n",
    );
    f.write(
        &format!("{DB}/base/scheduled-backup.yaml"),
        "apiVersion: postgresql.cnpg.io/v1\nkind: ScheduledBackup\nmetadata:\n  name: app-database-daily\nspec:\n  schedule: \"0 0 3 * * *\"\n  cluster:\n    name: app-database\n  method: plugin\n  pluginConfiguration:\n    name: barman-cloud.cloudnative-pg.io\n",
    );
    for o in ["initdb", "recovery"] {
        f.write(
            &format!("{DB}/overlays/{o}/kustomization.yaml"),
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../base\npatches:\n  - path: bootstrap-patch.yaml\n",
        );
    }
    f.write(
        &format!("{DB}/overlays/initdb/bootstrap-patch.yaml"),
        "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: app-database\nspec:\n  bootstrap:\n    initdb:\n      database: app\n      owner: app\n",
    );
    f.write(
        RECOVERY,
        &format!(
            "apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: app-database
spec:
  bootstrap:
    recovery:
      source: origin
  externalClusters:
    - name: origin
      plugin:
        name: barman-cloud.cloudnative-pg.io
        parameters:
          barmanObjectName: app-store
          serverName: app-database-v{read}
"
        ),
    );
    flag(f, overlay);
}

/// Points the DR switch at `overlay`.
pub fn flag(f: &Fixture, overlay: &str) {
    let line = |o: &str| {
        if o == overlay {
            format!("  - overlays/{o}\n")
        } else {
            format!("  # - overlays/{o}\n")
        }
    };
    f.write(
        ROOT,
        &format!(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n# DR switch\nresources:\n{}{}",
            line("initdb"),
            line("recovery")
        ),
    );
}

pub fn set_write(f: &Fixture, from: u32, to: u32) {
    f.replace(
        CLUSTER,
        &format!("serverName: app-database-v{from}\n"),
        &format!("serverName: app-database-v{to}\n"),
    );
}

pub fn set_read(f: &Fixture, from: u32, to: u32) {
    f.replace(
        RECOVERY,
        &format!("serverName: app-database-v{from}\n"),
        &format!("serverName: app-database-v{to}\n"),
    );
}

/// A clean drill: v1 in initdb; bump to v2 and flip to recovery reading v1
/// in one commit; flip back keeping v2; and the same to v3.
pub fn three_lineages() -> (Fixture, Vec<String>) {
    let mut f = Fixture::new();
    let mut ids = Vec::new();
    database(&f, 1, 1, "initdb");
    ids.push(f.commit("app: first deploy, lineage v1"));
    set_write(&f, 1, 2);
    flag(&f, "recovery");
    ids.push(f.commit("app: drill, restore v1 into v2"));
    flag(&f, "initdb");
    ids.push(f.commit("app: drill done, back to initdb"));
    set_write(&f, 2, 3);
    set_read(&f, 1, 2);
    flag(&f, "recovery");
    ids.push(f.commit("app: drill, restore v2 into v3"));
    flag(&f, "initdb");
    ids.push(f.commit("app: drill done, back to initdb"));
    (f, ids)
}

/// The history rules' findings of a JSON document.
pub fn findings(doc: &Value) -> Vec<&Value> {
    doc["findings"]
        .as_array()
        .expect("a findings array")
        .iter()
        .filter(|f| f["rule"].as_str().is_some_and(|r| r.starts_with("CDR9")))
        .collect()
}

/// The history rules' ids among the findings (the static rules, CDR101's
/// dormant-overlay check in particular, have their own fixtures).
pub fn rules_of(doc: &Value) -> Vec<&str> {
    findings(doc)
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .filter(|r| r.starts_with("CDR9"))
        .collect()
}

pub fn ids(found: &[Finding]) -> Vec<&str> {
    found.iter().map(|f| f.rule).collect()
}

pub fn short(id: &str) -> &str {
    &id[..7]
}
