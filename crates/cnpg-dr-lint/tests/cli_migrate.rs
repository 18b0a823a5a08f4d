//! `cnpg-dr migrate plugin|pod-monitor`, run as a real process on copies of
//! demo databases in temporary repositories. The backup target is checked
//! independently of the command: rendered before and after with the core
//! renderer, resolved through the ObjectStore for the plugin shape.

use std::collections::BTreeMap;
use std::path::Path;

use cnpg_dr_core::cnpg::{Cluster, ObjectStore, ScheduledBackup, Store};
use cnpg_dr_core::discover::{discover, DiscoverOptions, Repository, Variant};
use cnpg_dr_core::fs::RealFs;

mod common;

use common::*;

fn render(dir: &Path) -> Repository {
    let repo = discover(&RealFs, dir, &DiscoverOptions::default());
    assert!(repo.failed_roots.is_empty(), "{:?}", repo.failed_roots);
    assert_eq!(repo.databases.len(), 1);
    for v in &repo.databases[0].variants {
        assert!(v.rendered.is_ok(), "{:?} renders", v.overlay_name());
    }
    repo
}

/// (serverName, destinationPath, endpointURL) a lineage resolves to.
type Target = (String, Option<String>, Option<String>);

fn resolve(v: &Variant, l: cnpg_dr_core::cnpg::LineageRef<'_>) -> Target {
    match l.store {
        Store::Native {
            destination_path,
            endpoint_url,
        } => (l.name, destination_path, endpoint_url),
        Store::Plugin { object_store } => {
            let store = v
                .resources()
                .iter()
                .filter_map(ObjectStore::from)
                .find(|s| Some(s.resource.name()) == object_store.as_deref())
                .expect("the ObjectStore the plugin names is rendered");
            (
                l.name,
                store.destination_path().map(str::to_string),
                store.endpoint_url().map(str::to_string),
            )
        }
    }
}

/// Per overlay: where the Cluster writes and (in recovery) reads.
fn backup_targets(repo: &Repository) -> BTreeMap<String, (Target, Option<Target>)> {
    repo.databases[0]
        .variants
        .iter()
        .map(|v| {
            let c: Cluster<'_> = v.clusters().next().unwrap();
            let write = resolve(v, c.write_lineage().unwrap());
            let read = c.recovery().map(|_| resolve(v, c.read_lineage().unwrap()));
            (v.overlay_name().unwrap().to_string(), (write, read))
        })
        .collect()
}

fn lint_error_rules(repo: &TempRepo, dir: &Path) -> Vec<String> {
    let out = repo.run(&["lint", dir.to_str().unwrap(), "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut rules: Vec<String> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    rules.sort();
    rules
}

fn lint_rules(repo: &TempRepo, dir: &Path) -> Vec<String> {
    let out = repo.run(&["lint", dir.to_str().unwrap(), "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn migrate_plugin_prints_the_diff_and_writes_nothing() {
    let repo = TempRepo::with(&["immich"]);
    let before = repo.files();
    let out = repo.run(&["migrate", "plugin", "immich"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    insta::assert_snapshot!("migrate_plugin_immich", stdout(&out));
    assert_eq!(repo.files(), before);
}

#[test]
fn migrate_plugin_keeps_the_backup_target() {
    let repo = TempRepo::with(&["immich"]);
    let dir = repo.db("immich");
    let before = backup_targets(&render(&dir));
    assert_eq!(
        before["initdb"].0,
        (
            "immich-database-v1".to_string(),
            Some("s3://homelab-cnpg-backups/immich".to_string()),
            Some("https://s3.homelab.example:9000".to_string())
        )
    );
    assert!(before["recovery"].1.is_some());
    let errors_before = lint_error_rules(&repo, &dir);

    let out = repo.run(&["migrate", "plugin", "immich", "--write"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let after_repo = render(&dir);
    let db = &after_repo.databases[0];
    for v in &db.variants {
        let c = v.clusters().next().unwrap();
        assert!(c.native_store().is_none(), "no barmanObjectStore left");
        assert!(c
            .external_clusters()
            .iter()
            .all(|e| e.barman_object_store().is_none()));
        assert_eq!(c.wal_archiver_plugins().len(), 1);
        for sb in v.resources().iter().filter_map(ScheduledBackup::from) {
            assert_eq!(sb.method(), "plugin");
        }
        let store = v
            .resources()
            .iter()
            .filter_map(ObjectStore::from)
            .next()
            .unwrap();
        assert!(store
            .configuration()
            .unwrap()
            .get_path(&["serverName"])
            .is_none());
        assert_eq!(
            store
                .resource
                .node
                .get_path(&["spec", "retentionPolicy"])
                .and_then(|n| n.as_str()),
            Some("14d"),
            "retentionPolicy moved from the Cluster"
        );
    }
    assert_eq!(
        backup_targets(&after_repo),
        before,
        "same destination, endpoint and serverName for writing and reading, in every overlay"
    );
    assert_eq!(code(&repo.run(&["render", dir.to_str().unwrap()])), 0);
    // No new error (the demo's plaintext Secret and CDR101 were there before).
    let errors_after = lint_error_rules(&repo, &dir);
    assert!(
        errors_after.iter().all(|r| errors_before.contains(r)),
        "{errors_before:?} -> {errors_after:?}"
    );
    assert!(!lint_rules(&repo, &dir).contains(&"CDR701".to_string()));

    // Done once: a second run has nothing to do.
    let again = repo.run(&["migrate", "plugin", "immich"]);
    assert_eq!(code(&again), 0);
    assert!(stdout(&again).contains("nothing to migrate"));
    // And the migrated database can be planned (plugin shape).
    let plan = repo.run(&["plan", "immich"]);
    assert_eq!(code(&plan), 0, "{}{}", stdout(&plan), stderr(&plan));
    assert!(stdout(&plan).contains("write to:      immich-database-v2"));
}

#[test]
fn migrate_pod_monitor_commits_a_pod_monitor() {
    let repo = TempRepo::with(&["immich"]);
    let dir = repo.db("immich");
    let before = repo.files();
    let out = repo.run(&["migrate", "pod-monitor", "immich"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    insta::assert_snapshot!("migrate_pod_monitor_immich", stdout(&out));
    assert_eq!(repo.files(), before);

    let out = repo.run(&["migrate", "pod-monitor", "immich", "--write"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let rendered = render(&dir);
    for v in &rendered.databases[0].variants {
        let c = v.clusters().next().unwrap();
        assert!(c.spec(&["monitoring"]).is_none());
        let pm = v
            .resources()
            .iter()
            .find(|r| r.kind() == "PodMonitor")
            .expect("a PodMonitor is rendered");
        assert_eq!(pm.namespace(), "immich");
        assert_eq!(
            pm.node
                .get_path(&["spec", "selector", "matchLabels", "cnpg.io/cluster"])
                .and_then(|n| n.as_str()),
            Some("immich-database")
        );
        assert_eq!(
            pm.node
                .pointer("/spec/podMetricsEndpoints/0/port")
                .and_then(|n| n.as_str()),
            Some("metrics")
        );
    }
    assert!(!lint_rules(&repo, &dir).contains(&"CDR703".to_string()));
    assert_eq!(code(&repo.run(&["render", dir.to_str().unwrap()])), 0);
}

#[test]
fn a_failing_migration_write_leaves_every_original_untouched() {
    let repo = TempRepo::with(&["immich"]);
    let blocker = repo
        .db("immich")
        .join("overlays/recovery/.bootstrap-patch.yaml.cnpg-dr-tmp");
    std::fs::create_dir(&blocker).unwrap();
    let before = repo.files();
    let out = repo.run(&["migrate", "plugin", "immich", "--write"]);
    assert_eq!(code(&out), 2, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("no file was changed"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        repo.files(),
        before,
        "no file changed, no objectstore.yaml created, no temporary file left"
    );
}

#[test]
fn migrations_with_nothing_to_do_say_so() {
    let repo = TempRepo::with(&["paperless"]);
    let before = repo.files();
    for what in ["plugin", "pod-monitor"] {
        let out = repo.run(&["migrate", what, "paperless", "--write"]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert!(
            stdout(&out).contains("nothing to migrate"),
            "{}",
            stdout(&out)
        );
    }
    assert_eq!(repo.files(), before);
}

#[test]
fn an_existing_objectstore_file_is_not_overwritten() {
    let repo = TempRepo::with(&["immich"]);
    std::fs::write(repo.db("immich").join("base/objectstore.yaml"), "# mine\n").unwrap();
    let before = repo.files();
    let out = repo.run(&["migrate", "plugin", "immich", "--write"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    assert_eq!(repo.files(), before);
}

#[test]
fn migrate_plugin_handles_the_native_shape_new_writes() {
    // `new --backup native` suggests `migrate plugin NAME` in its comments:
    // that command must work on exactly what new wrote, recovery overlay
    // (its own write serverName, a native externalClusters source) included.
    let repo = TempRepo::with(&["paperless"]);
    let out = repo.run(&["new", "legacy", "--backup", "native"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let dir = repo.db("legacy");
    let before = backup_targets(&render(&dir));
    assert_eq!(before["recovery"].0 .0, "legacy-database-v2");

    let out = repo.run(&["migrate", "plugin", "legacy", "--write"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let after_repo = render(&dir);
    let after = backup_targets(&after_repo);
    assert_eq!(after, before, "every overlay writes and reads where it did");
    for v in &after_repo.databases[0].variants {
        let c = v.clusters().next().unwrap();
        assert!(c.native_store().is_none(), "{:?}", v.overlay_name());
        assert!(!c.barman_plugins().is_empty(), "{:?}", v.overlay_name());
    }
    assert_eq!(
        lint_rules(&repo, &dir),
        Vec::<String>::new(),
        "no finding, not even an unused suppression"
    );
    let patch =
        std::fs::read_to_string(dir.join("overlays/recovery/bootstrap-patch.yaml")).unwrap();
    assert!(!patch.contains("barman-object-store-deprecated"), "{patch}");
    assert!(
        patch.contains("# Write lineage after the recovery"),
        "comments are kept: {patch}"
    );
}
