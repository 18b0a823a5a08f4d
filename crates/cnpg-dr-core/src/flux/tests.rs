use std::collections::BTreeMap;
use std::path::Path;

use super::*;
use crate::fs::MemFs;

fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k: &str| map.get(k).cloned()
}

#[test]
fn substitution_follows_fluxs_envsubst_forms() {
    let v = vars(&[("DB", "app-v3"), ("EMPTY", "")]);
    let s = |t: &str| substitute_text(t, &v);
    assert_eq!(s("${DB}").text, "app-v3");
    assert_eq!(s("${DB}").used, ["DB"]);
    assert_eq!(s("s3://b/${DB}/x").text, "s3://b/app-v3/x");
    assert_eq!(s("${MISSING:=app-v1}").text, "app-v1");
    assert!(s("${MISSING:=app-v1}").used.is_empty());
    assert_eq!(s("${EMPTY:-dflt}").text, "dflt");
    assert_eq!(s("${EMPTY=dflt}").text, "");
    assert_eq!(s("${MISSING=dflt}").text, "dflt");
    assert_eq!(s("${DB:=other}").text, "app-v3");
    // Escapes and what is not a substitution.
    assert_eq!(s("$${DB}").text, "${DB}");
    assert!(!s("$${DB}").unresolved);
    assert_eq!(s("cost: $5 $DB").text, "cost: $5 $DB");
    // Unknown values and forms stay as written.
    let kept = s("${MISSING}-${DB}");
    assert_eq!(kept.text, "${MISSING}-app-v3");
    assert!(kept.unresolved);
    assert_eq!(s("${DB^^}").text, "${DB^^}");
    assert_eq!(s("${1X}").text, "${1X}");
    assert_eq!(s("${MISSING:=${DB}}").text, "${MISSING:=${DB}}");
    assert_eq!(s("open ${DB").text, "open ${DB");
}

fn flux_repo() -> MemFs {
    let mut fs = MemFs::new();
    fs.insert(
        "/r/clusters/prod/db.yaml",
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: app-db\n  namespace: flux-system\nspec:\n  path: ./apps/app\n  targetNamespace: app\n  postBuild:\n    substitute:\n      DB_LINEAGE: app-v3\n    substituteFrom:\n      - kind: ConfigMap\n        name: cluster-vars\n      - kind: Secret\n        name: cluster-secrets\n      - kind: Secret\n        name: sealed\n        optional: true\n",
    )
    .insert(
        "/r/clusters/prod/vars.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cluster-vars\n  namespace: flux-system\ndata:\n  DB_LINEAGE: overridden\n  BUCKET: s3://backups\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: cluster-secrets\n  namespace: flux-system\ndata:\n  REGION: ZXUtd2VzdA==\nstringData:\n  OWNER: app\n",
    )
    .insert(
        "/r/clusters/prod/sealed.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: sealed\ndata:\n  TOKEN: ENC[AES256_GCM,data:xx]\nsops:\n  version: 3.8.1\n",
    )
    .insert("/r/apps/app/kustomization.yaml", "resources: []\n")
    .insert("/r/apps/other/kustomization.yaml", "resources: []\n")
    .insert(
        "/r/clusters/old/db.yaml",
        "apiVersion: kustomize.toolkit.fluxcd.io/v1beta2\nkind: Kustomization\nmetadata:\n  name: other\nspec:\n  path: apps/other/\n",
    );
    fs
}

#[test]
fn deployments_read_path_namespace_and_variables_from_git() {
    let fs = flux_repo();
    let files: Vec<std::path::PathBuf> = [
        "/r/clusters/old/db.yaml",
        "/r/clusters/prod/db.yaml",
        "/r/clusters/prod/sealed.yaml",
        "/r/clusters/prod/vars.yaml",
    ]
    .iter()
    .map(std::path::PathBuf::from)
    .collect();
    let found = deployments(&fs, Path::new("/r"), &files);
    assert_eq!(found.len(), 2);
    let other = &found[0];
    assert_eq!(other.dir, Path::new("/r/apps/other"));
    assert_eq!(other.name, "Kustomization/other");
    assert!(other.target_namespace.is_none() && other.variables.is_empty());
    let app = &found[1];
    assert_eq!(app.dir, Path::new("/r/apps/app"));
    assert_eq!(app.name, "Kustomization/app-db");
    assert_eq!(app.target_namespace.as_ref().unwrap().0, "app");
    let value = |k: &str| app.variables.get(k).map(|v| v.value.as_str());
    // substitute wins over substituteFrom; Secret data is decoded.
    assert_eq!(value("DB_LINEAGE"), Some("app-v3"));
    assert_eq!(value("BUCKET"), Some("s3://backups"));
    assert_eq!(value("REGION"), Some("eu-west"));
    assert_eq!(value("OWNER"), Some("app"));
    // SOPS-encrypted values are unknown, never their ciphertext.
    assert_eq!(value("TOKEN"), None);
    let lineage = &app.variables["DB_LINEAGE"];
    assert_eq!(
        lineage.span.file.as_ref(),
        Path::new("/r/clusters/prod/db.yaml")
    );
    assert_eq!((lineage.span.line, lineage.span.column), (11, 19));
}

#[test]
fn a_deployment_sets_the_namespace_then_substitutes_with_provenance() {
    let fs = flux_repo();
    let files = vec![
        std::path::PathBuf::from("/r/clusters/prod/db.yaml"),
        std::path::PathBuf::from("/r/clusters/prod/vars.yaml"),
    ];
    let app = deployments(&fs, Path::new("/r"), &files).remove(0);
    let mut fs = MemFs::new();
    fs.insert(
        "/r/apps/app/kustomization.yaml",
        "resources:\n  - cluster.yaml\n",
    )
    .insert(
        "/r/apps/app/cluster.yaml",
        "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: app\nspec:\n  instances: ${INSTANCES:=2}\n  plugins:\n    - name: barman-cloud.cloudnative-pg.io\n      parameters:\n        serverName: ${DB_LINEAGE}\n        unknown: ${NOT_IN_GIT}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: script\n  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\ndata:\n  run: echo ${DB_LINEAGE}\n",
    );
    let options = app.render_options(&crate::kustomize::RenderOptions::default());
    let mut rendered = crate::kustomize::render(&fs, Path::new("/r/apps/app"), &options).unwrap();
    app.apply(&mut rendered.resources);
    let cluster = &rendered.resources[1];
    assert_eq!(cluster.kind(), "Cluster");
    assert_eq!(cluster.namespace(), "app");
    let param = |k: &str| {
        cluster
            .node
            .get_path(&["spec", "plugins"])
            .and_then(|p| p.as_seq())
            .and_then(|s| s[0].get_path(&["parameters", k]))
            .unwrap()
    };
    assert_eq!(param("serverName").as_str(), Some("app-v3"));
    // The value points where it was set: the Flux Kustomization's substitute.
    assert_eq!(
        param("serverName").span.file.as_ref(),
        Path::new("/r/clusters/prod/db.yaml")
    );
    assert_eq!(param("unknown").as_str(), Some("${NOT_IN_GIT}"));
    assert_eq!(
        param("unknown").span.file.as_ref(),
        Path::new("/r/apps/app/cluster.yaml")
    );
    let instances = cluster.node.get_path(&["spec", "instances"]).unwrap();
    assert_eq!(instances.as_str(), Some("2"));
    let json = rendered.to_json().unwrap();
    assert_eq!(json[1]["spec"]["instances"], serde_json::json!(2));
    // An object that opts out keeps its text.
    let script = &rendered.resources[0];
    assert_eq!(
        script
            .node
            .get_path(&["data", "run"])
            .and_then(|n| n.as_str()),
        Some("echo ${DB_LINEAGE}")
    );
    assert_eq!(script.namespace(), "app");
}

#[test]
fn spec_components_join_the_kustomizations_own() {
    let d = Deployment {
        name: "Kustomization/app".into(),
        file: "/r/ks.yaml".into(),
        dir: "/r/app".into(),
        target_namespace: None,
        variables: BTreeMap::new(),
        components: vec!["../../components/postgres".into(), "../odd path".into()],
        suspended: false,
    };
    assert_eq!(
        d.kustomization_text("resources:\n  - a.yaml\n").as_deref(),
        Some("resources:\n  - a.yaml\ncomponents:\n  - ../../components/postgres\n  - \"../odd path\"\n")
    );
    assert_eq!(
        d.kustomization_text("components:\n- ../own\n# note\nresources:\n- a.yaml").as_deref(),
        Some("components:\n- ../own\n# note\n  - ../../components/postgres\n  - \"../odd path\"\nresources:\n- a.yaml")
    );
    assert_eq!(d.kustomization_text("components: [../own]\n"), None);
    let none = Deployment {
        components: Vec::new(),
        ..d
    };
    assert_eq!(none.kustomization_text("resources: []\n"), None);
}

#[test]
fn discovery_renders_flux_components_and_the_roots_below_a_flux_path() {
    let mut fs = MemFs::new();
    fs.insert(
        "/r/clusters/main/apps.yaml",
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\nspec:\n  path: ./apps\n",
    )
    // No kustomization in apps/: Flux builds every root below it, unrestricted.
    .insert(
        "/r/apps/db/kustomization.yaml",
        "resources:\n  - ks.yaml\n  - ../../shared/configmap.yaml\n",
    )
    .insert(
        "/r/shared/configmap.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n",
    )
    .insert(
        "/r/apps/db/ks.yaml",
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: radarr\nspec:\n  path: ./base/radarr\n  components:\n    - ../../components/postgres\n  postBuild:\n    substitute:\n      APP: radarr\n",
    )
    .insert("/r/base/radarr/kustomization.yaml", "resources: []\n")
    .insert(
        "/r/components/postgres/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - cluster.yaml\n",
    )
    .insert(
        "/r/components/postgres/cluster.yaml",
        "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: ${APP}\nspec:\n  instances: 1\n",
    );
    let repo = crate::discover::discover(
        &fs,
        Path::new("/r"),
        &crate::discover::DiscoverOptions::default(),
    );
    assert!(repo.failed_roots.is_empty(), "{:?}", repo.failed_roots);
    let dirs: Vec<&Path> = repo.databases.iter().map(|d| d.dir.as_path()).collect();
    assert_eq!(dirs, [Path::new("/r/base/radarr")]);
    let cluster = repo.databases[0].active().clusters().next().unwrap();
    assert_eq!(cluster.name(), "radarr");
    assert_eq!(repo.flux.len(), 2);
}

#[test]
fn flux_kustomizations_are_read_as_their_directory_builds_them() {
    let mut fs = MemFs::new();
    fs.insert(
        "/r/apps/dbms/kustomization.yaml",
        "namespace: dbms\nresources:\n  - namespace.yaml\n  - ks.yaml\nreplacements:\n  - path: ../../components/ks.yaml\n",
    )
    .insert(
        "/r/apps/dbms/namespace.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: dbms\n",
    )
    .insert(
        "/r/apps/dbms/ks.yaml",
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: pg\nspec:\n  path: ./db\n",
    )
    // Outside the directory's root: read as Flux reads it.
    .insert(
        "/r/components/ks.yaml",
        "- source:\n    kind: Namespace\n    fieldPath: metadata.name\n  targets:\n    - select:\n        kind: Kustomization\n        group: kustomize.toolkit.fluxcd.io\n      fieldPaths:\n        - spec.targetNamespace\n      options:\n        create: true\n",
    )
    .insert("/r/db/kustomization.yaml", "resources: []\n");
    let files: Vec<std::path::PathBuf> = ["/r/apps/dbms/ks.yaml", "/r/apps/dbms/namespace.yaml"]
        .iter()
        .map(std::path::PathBuf::from)
        .collect();
    let found = deployments(&fs, Path::new("/r"), &files);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].dir, Path::new("/r/db"));
    assert_eq!(found[0].target_namespace.as_ref().unwrap().0, "dbms");
}
