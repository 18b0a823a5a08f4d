//! Every value of a rendered resource knows the file and line that set it.
#![allow(clippy::disallowed_methods)] // tests read and build real files

use std::path::Path;

use cnpg_dr_core::fs::RealFs;
use cnpg_dr_core::kustomize::{render, RenderOptions, Resource};

fn demo_db(name: &str) -> std::path::PathBuf {
    cnpg_dr_core::fs::normalize(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/demo/infrastructure/database/cloudnative-pg")
            .join(name),
    )
}

fn cluster(resources: &[Resource]) -> &Resource {
    resources
        .iter()
        .find(|r| r.kind() == "Cluster")
        .expect("a Cluster is rendered")
}

/// (file name relative to the database directory, line, column)
fn origin(r: &Resource, pointer: &str, db: &Path) -> (String, u32, u32) {
    let span = r
        .provenance(pointer)
        .unwrap_or_else(|| panic!("no value at {pointer}"));
    let rel = span.file.strip_prefix(db).unwrap_or(&span.file);
    (rel.display().to_string(), span.line, span.column)
}

#[test]
fn overlay_patch_values_point_at_the_patch_file() {
    let db = demo_db("gitea");
    let rendered = render(&RealFs, &db, &RenderOptions::default()).unwrap();
    let c = cluster(&rendered.resources);
    // Set by the recovery overlay's patch.
    assert_eq!(
        origin(c, "/spec/bootstrap/recovery/database", &db),
        ("overlays/recovery/bootstrap-patch.yaml".into(), 9, 17)
    );
    assert_eq!(
        origin(
            c,
            "/spec/externalClusters/0/plugin/parameters/serverName",
            &db
        ),
        ("overlays/recovery/bootstrap-patch.yaml".into(), 20, 23)
    );
    // Set by the base.
    assert_eq!(
        origin(c, "/spec/instances", &db),
        ("base/cluster.yaml".into(), 8, 14)
    );
    assert_eq!(
        origin(c, "/spec/plugins/0/parameters/serverName", &db),
        ("base/cluster.yaml".into(), 23, 21)
    );
    // Set by a kustomization field: the base's `namespace:`.
    assert_eq!(
        origin(c, "/metadata/namespace", &db),
        ("base/kustomization.yaml".into(), 3, 12)
    );
}

#[test]
fn values_a_patch_does_not_touch_keep_the_base_span() {
    let db = demo_db("paperless");
    let rendered = render(&RealFs, &db, &RenderOptions::default()).unwrap();
    let c = cluster(&rendered.resources);
    assert_eq!(
        origin(c, "/metadata/name", &db),
        ("base/cluster.yaml".into(), 4, 9)
    );
    assert_eq!(
        origin(c, "/spec/bootstrap/initdb/owner", &db),
        ("overlays/initdb/bootstrap-patch.yaml".into(), 9, 14)
    );
    assert!(c.provenance("/spec/bootstrap/recovery").is_none());
}
