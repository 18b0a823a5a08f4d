use std::path::Path;
use std::sync::Arc;

use super::*;
use crate::cnpg::Cluster;
use crate::discover::{discover, DiscoverOptions};
use crate::fs::{normalize, RealFs};
use crate::yaml::{load_str, LoadLimits};

fn choices(shape: BackupShape) -> Choices {
    Choices {
        backup: Some(shape),
        destination_path: Some("s3://backups/{name}".into()),
        secret_store: Some(SecretStoreRef::parse("ClusterSecretStore/vault").unwrap()),
        ..Choices::default()
    }
    .over(Choices::builtin())
}

fn spec(shape: BackupShape) -> Spec {
    choices(shape).resolve("paperless").unwrap()
}

fn errors(c: Choices, name: &str) -> Vec<(Field, String)> {
    c.resolve(name)
        .unwrap_err()
        .0
        .into_iter()
        .map(|e| (e.field, e.message))
        .collect()
}

#[test]
fn builtin_defaults_expand_for_the_name() {
    let s = spec(BackupShape::Plugin);
    assert_eq!(s.namespace, "paperless");
    assert_eq!(s.cluster, "paperless-database");
    assert_eq!(s.first_lineage(), "paperless-database-v1");
    assert_eq!(s.second_lineage(), "paperless-database-v2");
    assert_eq!(
        (s.database.as_str(), s.owner.as_str()),
        ("paperless", "paperless")
    );
    assert_eq!(s.destination_path, "s3://backups/paperless");
    assert_eq!(s.s3_credentials, "paperless-s3-credentials");
    assert_eq!(
        s.labels,
        vec![(
            "app.kubernetes.io/name".to_string(),
            "paperless".to_string()
        )]
    );
    // A hyphen is not a PostgreSQL identifier character without quoting.
    let s = choices(BackupShape::Plugin).resolve("my-app").unwrap();
    assert_eq!(
        (s.database.as_str(), s.owner.as_str()),
        ("my_app", "my_app")
    );
    assert_eq!(s.namespace, "my-app");
}

#[test]
fn every_bad_value_is_reported_with_its_field() {
    let bad = Choices {
        schedule: Some("0 3 * * *".into()),
        retention_policy: Some("30".into()),
        image: Some("postgres:latest".into()),
        lineage: Some("{name}-{n}".into()),
        storage_size: Some("ten".into()),
        instances: Some(0),
        destination_path: Some("gs://bucket".into()),
        endpoint_url: Some("s3.example".into()),
        database: Some("My-DB".into()),
        ..Choices::default()
    }
    .over(Choices::builtin());
    let errs = errors(bad, "paperless");
    let fields: Vec<Field> = errs.iter().map(|(f, _)| *f).collect();
    assert_eq!(
        fields,
        [
            Field::Lineage,
            Field::Database,
            Field::DestinationPath,
            Field::EndpointUrl,
            Field::Instances,
            Field::StorageSize,
            Field::Image,
            Field::Schedule,
            Field::SecretStore,
            Field::RetentionPolicy,
        ]
    );
    // The pattern as written, not with {name} expanded (issue 11).
    let lineage = &errs.iter().find(|(f, _)| *f == Field::Lineage).unwrap().1;
    assert!(
        lineage.contains("\"{name}-{n}\"") && !lineage.contains("paperless"),
        "{lineage}"
    );
    let schedule = &errs.iter().find(|(f, _)| *f == Field::Schedule).unwrap().1;
    assert!(
        schedule.contains("one place off") && schedule.contains("\"0 0 3 * * *\""),
        "{schedule}"
    );
}

#[test]
fn a_bad_name_is_the_only_error_reported() {
    let errs = errors(choices(BackupShape::Plugin), "Paperless");
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].0, Field::Name);
    assert_eq!(errors(choices(BackupShape::Plugin), "").len(), 1);
}

#[test]
fn schedules_need_six_fields_or_a_descriptor() {
    for ok in ["0 0 3 * * *", "0 30 2 * * MON-FRI", "@daily", "@every 6h"] {
        let c = Choices {
            schedule: Some(ok.into()),
            ..choices(BackupShape::Plugin)
        };
        assert!(c.resolve("db").is_ok(), "{ok}");
    }
    for bad in ["", "0 0 3 * * * *", "@sometimes", "0 0 3 * * ;"] {
        let c = Choices {
            schedule: Some(bad.into()),
            ..choices(BackupShape::Plugin)
        };
        assert!(c.resolve("db").is_err(), "{bad}");
    }
}

#[test]
fn cluster_names_stay_within_cnpgs_limit() {
    let long = "a".repeat(45);
    let errs = errors(choices(BackupShape::Plugin), &long);
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].0, Field::Cluster);
    assert!(errs[0].1.contains("at most 50"), "{}", errs[0].1);
}

#[test]
fn secret_stores_parse_kind_and_name() {
    assert_eq!(
        SecretStoreRef::parse("SecretStore/local").unwrap(),
        SecretStoreRef {
            kind: "SecretStore".into(),
            name: "local".into()
        }
    );
    assert_eq!(
        SecretStoreRef::parse("vault").unwrap().kind,
        "ClusterSecretStore"
    );
    assert!(SecretStoreRef::parse("Vault/x").is_err());
    assert!(SecretStoreRef::parse("SecretStore/").is_err());
}

#[test]
fn both_shapes_render_and_every_file_is_yaml() {
    for shape in [BackupShape::Plugin, BackupShape::Native] {
        let mut s = spec(shape);
        s.acknowledge_native = shape == BackupShape::Native;
        let scaffold = scaffold(&s);
        scaffold.check_renders().unwrap();
        for f in &scaffold.files {
            load_str(
                &f.content,
                Arc::from(Path::new(&f.path)),
                &LoadLimits::default(),
            )
            .unwrap_or_else(|e| panic!("{}: {e}", f.path));
        }
        let has_store = scaffold
            .files
            .iter()
            .any(|f| f.path == "base/objectstore.yaml");
        assert_eq!(has_store, shape == BackupShape::Plugin);
    }
}

/// The scaffold, discovered from an in-memory repository.
fn discovered(s: &Spec) -> crate::discover::Repository {
    let mut fs = MemFs::new();
    for f in &scaffold(s).files {
        fs.insert(
            Path::new("/repo/dbs").join(&s.name).join(&f.path),
            f.content.as_bytes(),
        );
    }
    discover(&fs, Path::new("/repo"), &DiscoverOptions::default())
}

#[test]
fn the_flag_is_on_initdb_and_recovery_reads_what_initdb_writes() {
    for shape in [BackupShape::Plugin, BackupShape::Native] {
        let repo = discovered(&spec(shape));
        assert_eq!(repo.databases.len(), 1);
        let db = &repo.databases[0];
        assert_eq!(db.active().overlay_name(), Some("initdb"));
        assert_eq!(db.variants.len(), 2);
        let initdb = db.variants[0].clusters().next().unwrap();
        let recovery = db.variants[1].clusters().next().unwrap();
        assert_eq!(
            initdb.write_lineage().unwrap().name,
            "paperless-database-v1"
        );
        assert!(initdb.recovery().is_none());
        let r = recovery.recovery().unwrap();
        assert_eq!(
            (r.database(), r.owner()),
            (Some("paperless"), Some("paperless"))
        );
        assert_eq!(r.secret_name(), Some("paperless-database-app"));
        assert_eq!(
            recovery.read_lineage().unwrap().name,
            "paperless-database-v1"
        );
        assert_eq!(
            recovery.write_lineage().unwrap().name,
            "paperless-database-v2"
        );
        assert!(recovery.initdb().is_none());
    }
}

#[test]
fn quoted_values_survive_a_round_trip() {
    let c = Choices {
        labels: Some(vec![
            ("team".into(), "yes".into()),
            ("tier".into(), "1".into()),
        ]),
        storage_class: Some("true".into()),
        ..choices(BackupShape::Plugin)
    };
    let repo = discovered(&c.resolve("paperless").unwrap());
    let cluster = repo.databases[0].variants[0]
        .clusters()
        .next()
        .map(|c: Cluster<'_>| {
            (
                c.resource.labels(),
                c.spec(&["storage", "storageClass"])
                    .and_then(|n| n.as_scalar())
                    .map(|s| s.style),
            )
        });
    let (labels, style) = cluster.unwrap();
    assert!(labels.contains(&("team".to_string(), "yes".to_string())));
    assert!(labels.contains(&("tier".to_string(), "1".to_string())));
    assert!(style.is_some_and(|s| !s.is_plain()));
}

#[test]
fn tree_lists_directories_before_their_files_in_name_order() {
    let tree = scaffold(&spec(BackupShape::Plugin)).tree();
    assert_eq!(
        tree,
        "paperless/
├── base/
│   ├── cluster.yaml
│   ├── external-secret.yaml
│   ├── kustomization.yaml
│   ├── objectstore.yaml
│   └── scheduled-backup.yaml
├── kustomization.yaml
└── overlays/
    ├── initdb/
    │   ├── bootstrap-patch.yaml
    │   └── kustomization.yaml
    └── recovery/
        ├── bootstrap-patch.yaml
        └── kustomization.yaml
"
    );
}

#[test]
fn conventions_of_a_demo_database_become_patterns() {
    let root = normalize(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/demo"));
    let repo = discover(&RealFs, &root, &DiscoverOptions::default());
    let gitea = repo
        .databases
        .iter()
        .find(|d| d.dir.ends_with("gitea"))
        .unwrap();
    let c = conventions(gitea).unwrap();
    assert_eq!(c.namespace.as_deref(), Some("{name}"));
    assert_eq!(c.cluster.as_deref(), Some("{name}-database"));
    assert_eq!(c.lineage.as_deref(), Some("{name}-database-v{n}"));
    assert_eq!(c.backup, Some(BackupShape::Plugin));
    assert_eq!(
        c.destination_path.as_deref(),
        Some("s3://homelab-cnpg-backups/{name}")
    );
    assert_eq!(
        c.endpoint_url.as_deref(),
        Some("https://s3.homelab.example:9000")
    );
    assert_eq!(c.s3_credentials.as_deref(), Some("{name}-s3-credentials"));
    assert_eq!(c.instances, Some(2));
    assert_eq!(c.storage_class.as_deref(), Some("ceph-block"));
    assert_eq!(c.schedule.as_deref(), Some("0 30 2 * * *"));
    assert_eq!(c.retention_policy.as_deref(), Some("30d"));
    assert_eq!(
        c.secret_store,
        Some(SecretStoreRef {
            kind: "ClusterSecretStore".into(),
            name: "vault".into()
        })
    );
    assert_eq!(c.app_credentials_key.as_deref(), Some("databases/{name}"));
    assert_eq!(c.s3_credentials_key.as_deref(), Some("backups/s3"));
    assert_eq!(
        c.labels,
        Some(vec![("app.kubernetes.io/name".into(), "{name}".into())])
    );
    let immich = repo
        .databases
        .iter()
        .find(|d| d.dir.ends_with("immich"))
        .unwrap();
    let c = conventions(immich).unwrap();
    assert_eq!(c.backup, Some(BackupShape::Native));
    assert_eq!(c.retention_policy.as_deref(), Some("14d"));
    assert_eq!(c.storage_class, None);
    assert_eq!(c.secret_store, None);
}
