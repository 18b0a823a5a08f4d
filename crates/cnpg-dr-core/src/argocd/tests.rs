use std::path::{Path, PathBuf};

use super::*;
use crate::kustomize::Resource;
use crate::yaml::{load_str, LoadLimits};
use std::sync::Arc;

fn resource(yaml: &str) -> Resource {
    let docs = load_str(
        yaml,
        Arc::from(Path::new("/r/app.yaml")),
        &LoadLimits::default(),
    )
    .unwrap();
    Resource::new(
        docs.into_iter().next().unwrap(),
        PathBuf::from("/r/app.yaml"),
    )
    .unwrap()
}

fn dirs(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

const CANDIDATES: &[&str] = &[
    "apps/web",
    "db/cnpg/gitea",
    "db/cnpg/gitea/base",
    "db/cnpg/gitea/overlays/initdb",
    "db/cnpg/immich",
    "db/cnpg/paperless",
    "db/legacy/old",
];

#[test]
fn go_path_match_semantics() {
    assert_eq!(path_match("db/*", "db/gitea"), Some(true));
    assert_eq!(path_match("db/*", "db/gitea/base"), Some(false));
    assert_eq!(path_match("db/*/base", "db/gitea/base"), Some(true));
    assert_eq!(path_match("*", "db"), Some(true));
    assert_eq!(path_match("db/g?tea", "db/gitea"), Some(true));
    assert_eq!(path_match("db/[gi]*", "db/immich"), Some(true));
    assert_eq!(path_match("db/[^gi]*", "db/immich"), Some(false));
    assert_eq!(path_match("db/[a-h]*", "db/gitea"), Some(true));
    assert_eq!(path_match("db/\\*", "db/*"), Some(true));
    assert_eq!(path_match("db/a*b*c", "db/axxbyyc"), Some(true));
    assert_eq!(path_match("db/a*b", "db/a/b"), Some(false));
    assert_eq!(path_match("db/[", "db/x"), None);
    // `**` is not special in path.Match: it is two stars, still one segment.
    assert_eq!(path_match("db/**", "db/cnpg/gitea"), Some(false));
}

#[test]
fn directory_generator_with_glob_and_exclude() {
    let r = resource(
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: dbs\nspec:\n  goTemplate: true\n  generators:\n  - git:\n      repoURL: https://example/repo.git\n      directories:\n      - path: db/cnpg/paperless\n        exclude: true\n      - path: db/cnpg/*\n  template:\n    metadata:\n      name: '{{.path.basename}}'\n    spec:\n      source:\n        path: '{{ .path.path }}'\n",
    );
    assert_eq!(
        deployed_paths(&r, &dirs(CANDIDATES)),
        ["db/cnpg/gitea", "db/cnpg/immich"]
    );
}

#[test]
fn fasttemplate_path_with_suffix_and_prefix() {
    let r = resource(
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: dbs\nspec:\n  generators:\n  - git:\n      pathParamPrefix: db\n      directories:\n      - path: db/cnpg/gitea\n  template:\n    metadata:\n      name: '{{db.path.basename}}'\n    spec:\n      source:\n        path: '{{db.path}}/overlays/{{db.path[0]}}'\n",
    );
    assert_eq!(
        deployed_paths(&r, &dirs(CANDIDATES)),
        ["db/cnpg/gitea/overlays/db"]
    );
}

#[test]
fn matrix_nests_git_generators_and_unknown_parameters_stay_unresolved() {
    let r = resource(
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: dbs\nspec:\n  goTemplate: true\n  generators:\n  - matrix:\n      generators:\n      - git:\n          directories:\n          - path: db/cnpg/*\n          - path: db/cnpg/immich\n            exclude: true\n      - list:\n          elements:\n          - cluster: prod\n  template:\n    metadata:\n      name: x\n    spec:\n      sources:\n      - repoURL: https://example/values.git\n        ref: values\n      - path: '{{ index .path.segments 2 | upper }}'\n      - path: '{{.path.path}}'\n      - path: 'clusters/{{.cluster}}'\n",
    );
    let set = ApplicationSet::from(&r).unwrap();
    assert!(set.has_other_generators());
    assert_eq!(set.git_directories().len(), 1);
    assert_eq!(
        deployed_paths(&r, &dirs(CANDIDATES)),
        ["db/cnpg/gitea", "db/cnpg/paperless"]
    );
}

#[test]
fn application_with_multiple_sources_maps_to_databases() {
    let r = resource(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: gitea\nspec:\n  sources:\n  - repoURL: https://example/repo.git\n    path: ./db/cnpg/gitea/\n  - repoURL: https://example/repo.git\n    path: db/cnpg/immich/overlays/recovery\n  - repoURL: https://example/charts.git\n    chart: x\n",
    );
    let paths = deployed_paths(&r, &[]);
    assert_eq!(paths, ["db/cnpg/gitea", "db/cnpg/immich/overlays/recovery"]);
    let root = Path::new("/r");
    let dbs = [
        PathBuf::from("/r/db/cnpg/gitea"),
        PathBuf::from("/r/db/cnpg/immich"),
        PathBuf::from("/r/db/cnpg/paperless"),
    ];
    assert_eq!(
        databases_for_paths(&paths, root, &dbs, false),
        [dbs[0].clone(), dbs[1].clone()]
    );
    // A directory app with recurse deploys everything below its path.
    assert_eq!(
        databases_for_paths(&dirs(&["db"]), root, &dbs, true).len(),
        3
    );
    assert!(databases_for_paths(&dirs(&["db"]), root, &dbs, false).is_empty());
}

#[test]
fn ignore_differences_and_sync_options() {
    let r = resource(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: a\nspec:\n  ignoreDifferences:\n  - group: postgresql.cnpg.io\n    jsonPointers: [/spec/bootstrap]\n  - group: apps\n    kind: Deployment\n  syncPolicy:\n    syncOptions:\n    - RespectIgnoreDifferences=false\n    - CreateNamespace=true\n    - RespectIgnoreDifferences=true\n",
    );
    let spec = Application::from(&r).unwrap().spec().unwrap();
    let ids = spec.ignore_differences();
    assert!(ids[0].applies_to("postgresql.cnpg.io", "Cluster"));
    assert!(!ids[1].applies_to("postgresql.cnpg.io", "Cluster"));
    assert_eq!(
        spec.sync_option(RESPECT_IGNORE_DIFFERENCES).unwrap().1,
        "true"
    );
}

#[test]
fn pointers_and_jq_paths() {
    assert!(pointers_overlap("/spec", "/spec/bootstrap"));
    assert!(pointers_overlap(
        "/spec/bootstrap/recovery",
        "/spec/bootstrap"
    ));
    assert!(!pointers_overlap("/spec/instances", "/spec/bootstrap"));
    assert!(pointers_overlap(
        "/metadata/annotations/argocd.argoproj.io~1skip-reconcile",
        "/metadata/annotations"
    ));
    assert_eq!(
        jq_to_pointer(".spec.bootstrap").as_deref(),
        Some("/spec/bootstrap")
    );
    assert_eq!(
        jq_to_pointer(".spec.externalClusters[]").as_deref(),
        Some("/spec/externalClusters")
    );
    assert_eq!(
        jq_to_pointer(".metadata.annotations[\"argocd.argoproj.io/skip-reconcile\"]").as_deref(),
        Some("/metadata/annotations/argocd.argoproj.io~1skip-reconcile")
    );
    assert_eq!(
        jq_to_pointer(".spec.externalClusters[0].name").as_deref(),
        Some("/spec/externalClusters/0/name")
    );
    assert_eq!(jq_to_pointer(".spec | select(.x)"), None);
}

#[test]
fn appset_maps_to_discovered_databases() {
    use crate::discover::{discover, DiscoverOptions};
    use crate::fs::MemFs;
    let mut fs = MemFs::new();
    for db in ["gitea", "immich", "legacy"] {
        fs.insert(
            format!("/r/dbs/{db}/kustomization.yaml"),
            "resources:\n- overlays/initdb\n",
        )
        .insert(
            format!("/r/dbs/{db}/overlays/initdb/kustomization.yaml"),
            "resources:\n- cluster.yaml\n",
        )
        .insert(
            format!("/r/dbs/{db}/overlays/initdb/cluster.yaml"),
            format!("apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: {db}\n"),
        );
    }
    fs.insert(
        "/r/argocd/appset.yaml",
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: dbs\nspec:\n  generators:\n  - git:\n      directories:\n      - path: dbs/*\n      - path: dbs/legacy\n        exclude: true\n  template:\n    metadata:\n      name: '{{path.basename}}'\n    spec:\n      source:\n        path: '{{path}}'\n",
    );
    let repo = discover(&fs, Path::new("/r"), &DiscoverOptions::default());
    assert_eq!(repo.databases.len(), 3);
    let objects = argo_objects(&repo);
    assert_eq!(objects.len(), 1);
    assert_eq!(
        deployed_databases(objects[0], &repo),
        [
            PathBuf::from("/r/dbs/gitea"),
            PathBuf::from("/r/dbs/immich")
        ]
    );
}
