use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use super::*;
use crate::fs::MemFs;
use crate::yaml::load_str;

fn doc(text: &str) -> Node {
    load_str(text, Arc::from(Path::new("c.yaml")), &LoadLimits::default())
        .unwrap()
        .remove(0)
}

fn schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas")
}

#[test]
fn embedded_schemas_are_the_files_in_schemas_dir() {
    let index: serde_json::Map<String, Value> = serde_json::from_str(BUILTIN_INDEX).unwrap();
    let mut files: Vec<&str> = index
        .values()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    files.sort();
    let embedded: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        files, embedded,
        "BUILTIN must list every file of index.json"
    );
    for (name, text) in BUILTIN {
        let mut on_disk: Value =
            serde_json::from_str(&std::fs::read_to_string(schemas_dir().join(name)).unwrap())
                .unwrap();
        dedup::strip_descriptions(&mut on_disk);
        let embedded: Value = serde_json::from_str(text).unwrap();
        assert!(
            embedded == dedup::share_repeated(&on_disk),
            "{name} differs from schemas/{name}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(schemas_dir().join("index.json")).unwrap(),
        BUILTIN_INDEX
    );
    assert_eq!(SchemaSet::builtin().len(), index.len());
}

#[test]
fn every_builtin_schema_compiles() {
    for e in &SchemaSet::builtin().entries {
        e.validator()
            .unwrap_or_else(|err| panic!("{}: {err}", e.origin));
    }
}

const CLUSTER: &str = "\
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: pg
  lables: {app: pg}
spec:
  instances: 0
  storage:
    size: 1Gi
  bootstrap:
    recovery:
      source: origin
      recoveryTraget:
        targetTime: \"2024-01-01 00:00:00\"
  externalClusters:
  - name: origin
    plugin:
      name: barman-cloud.cloudnative-pg.io
      parameters: {barmanObjectName: store, serverName: pg}
  primaryUpdateStrategy: sometimes
  backup:
";

#[test]
fn a_cluster_with_typos_and_bad_values() {
    let set = SchemaSet::builtin();
    let Lookup::Found(entry) = set.lookup("postgresql.cnpg.io/v1", "Cluster") else {
        panic!("no Cluster schema");
    };
    let node = doc(CLUSTER);
    let unknown = entry.unknown_fields(&node).unwrap();
    let got: Vec<(&str, u32, u32, Option<&str>)> = unknown
        .iter()
        .map(|u| {
            (
                u.path.as_str(),
                u.span.line,
                u.span.column,
                u.suggestion.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("metadata.lables", 5, 3, Some("labels")),
            (
                "spec.bootstrap.recovery.recoveryTraget",
                13,
                7,
                Some("recoveryTarget")
            ),
        ]
    );
    let violations = entry.violations(&node).unwrap();
    let got: Vec<(&str, u32, &str)> = violations
        .iter()
        .map(|v| (v.path.as_str(), v.span.line, v.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("spec.instances", 7, "0 is less than the minimum of 1"),
            (
                "spec.primaryUpdateStrategy",
                20,
                "\"sometimes\" is not one of \"unsupervised\" or \"supervised\""
            ),
        ],
        "{violations:#?}"
    );
}

#[test]
fn type_errors_do_not_dump_mappings() {
    let set = SchemaSet::builtin();
    let Lookup::Found(entry) = set.lookup("postgresql.cnpg.io/v1", "Cluster") else {
        panic!("no Cluster schema");
    };
    let node = doc("apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: {name: pg}\nspec:\n  instances: {a: 1}\n  storage: {size: 1Gi}\n  externalClusters: []\n  postgresql:\n    parameters:\n      port: 5432\n");
    let violations = entry.violations(&node).unwrap();
    let got: Vec<(&str, u32, &str)> = violations
        .iter()
        .map(|v| (v.path.as_str(), v.span.line, v.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "spec.instances",
                5,
                "a mapping is not of type \"integer\" (got a mapping)"
            ),
            (
                "spec.postgresql.parameters.port",
                10,
                "5432 is not of type \"string\" (got an integer)"
            ),
        ]
    );
}

#[test]
fn lookups_know_missing_versions_from_missing_kinds() {
    let set = SchemaSet::builtin();
    assert!(matches!(
        set.lookup("external-secrets.io/v1beta1", "ExternalSecret"),
        Lookup::Found(_)
    ));
    match set.lookup("postgresql.cnpg.io/v1beta1", "Cluster") {
        Lookup::VersionMissing { versions } => assert_eq!(versions, ["v1"]),
        other => panic!("{other:?}"),
    }
    assert!(matches!(set.lookup("v1", "Secret"), Lookup::KindMissing));
    // Same kind name in another group is another kind.
    assert!(matches!(
        set.lookup("example.com/v1", "Cluster"),
        Lookup::KindMissing
    ));
}

#[test]
fn schema_dirs_add_crds_and_json_schemas() {
    let mut fs = MemFs::new();
    fs.insert(
        "/s/widgets.yaml",
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  group: example.com\n  names: {kind: Widget}\n  versions:\n  - name: v2\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec:\n            type: object\n            properties: {size: {type: integer}}\n---\nkind: ConfigMap\n",
    )
    .insert(
        "/s/k8s/secret-v1.json",
        r#"{"type": "object", "properties": {"data": {"type": "object", "additionalProperties": {"type": "string"}}, "type": {"type": "string"}}}"#,
    )
    .insert("/s/k8s/_definitions.json", "not json, and ignored");
    let set = SchemaSet::with_dirs(&fs, &[PathBuf::from("/s")]).unwrap();
    assert_eq!(set.len(), SchemaSet::builtin().len() + 2);
    let Lookup::Found(widget) = set.lookup("example.com/v2", "Widget") else {
        panic!("no Widget");
    };
    let node = doc("apiVersion: example.com/v2\nkind: Widget\nspec:\n  sise: 3\n");
    let unknown = widget.unknown_fields(&node).unwrap();
    assert_eq!(unknown[0].path, "spec.sise");
    assert_eq!(unknown[0].suggestion.as_deref(), Some("size"));
    let Lookup::Found(secret) = set.lookup("v1", "Secret") else {
        panic!("no Secret");
    };
    let node =
        doc("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {a: 1}\ntpye: Opaque\n");
    assert_eq!(secret.unknown_fields(&node).unwrap()[0].path, "tpye");
    let v = secret.violations(&node).unwrap();
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].path, "data.a");

    let mut broken = MemFs::new();
    broken.insert("/s/thing-v1.json", "{");
    let err = SchemaSet::with_dirs(&broken, &[PathBuf::from("/s")]).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("/s/thing-v1.json:1:1: not valid JSON"),
        "{err}"
    );
    let err = SchemaSet::with_dirs(&broken, &[PathBuf::from("/nope")]).unwrap_err();
    assert!(err.to_string().contains("no such directory"), "{err}");
}

/// The shared (embedded) form of each schema rejects exactly what the
/// committed file rejects, on every object of the demo and the rule fixtures.
#[test]
fn shared_subschemas_validate_like_the_committed_files() {
    use crate::discover::{discover, DiscoverOptions};
    use crate::fs::RealFs;
    let testdata = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata");
    let mut roots = vec![testdata.join("demo")];
    for e in std::fs::read_dir(testdata.join("rules")).unwrap() {
        let dir = e.unwrap().path();
        roots.push(dir.join("bad"));
        roots.push(dir.join("good"));
    }
    let set = SchemaSet::builtin();
    let mut originals: HashMap<String, jsonschema::Validator> = HashMap::new();
    let mut checked = 0;
    for root in roots {
        let repo = discover(&RealFs, &root, &DiscoverOptions::default());
        let objects = repo
            .databases
            .iter()
            .flat_map(|d| d.variants.iter().flat_map(|v| v.resources()))
            .chain(repo.loose.iter());
        for object in objects {
            let Lookup::Found(entry) = set.lookup(object.api_version(), object.kind()) else {
                continue;
            };
            let original = originals.entry(entry.origin.clone()).or_insert_with(|| {
                let text = std::fs::read_to_string(schemas_dir().join(&entry.origin)).unwrap();
                let schema: Value = serde_json::from_str(&text).unwrap();
                jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft4)
                    .should_validate_formats(false)
                    .build(&schema)
                    .unwrap()
            });
            let mut walk = walk::Walk::new(entry.schema().unwrap(), true);
            let value = walk.object(&object.node).unwrap();
            let errors = |v: &jsonschema::Validator| -> Vec<String> {
                v.iter_errors(&value)
                    .map(|e| format!("{} {}", e.instance_path(), e.kind().keyword()))
                    .collect()
            };
            assert_eq!(
                errors(entry.validator().unwrap()),
                errors(original),
                "{} in {}",
                entry.origin,
                root.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked}");
}

#[test]
fn sharing_moves_repeated_subschemas_to_definitions() {
    let item = serde_json::json!({
        "type": "object",
        "properties": {
            "name": {"type": "string"}, "port": {"type": "integer", "minimum": 1}, "tls": {"type": "boolean"},
            "host": {"type": "string"}, "user": {"type": "string"}, "db": {"type": "string"}, "mode": {"type": "string"}
        },
        "required": ["name"]
    });
    let schema = serde_json::json!({
        "type": "object",
        "properties": {"a": {"type": "array", "items": item}, "b": item, "c": {"type": "string"}}
    });
    let shared = dedup::share_repeated(&schema);
    assert_eq!(
        shared["properties"]["b"],
        serde_json::json!({"$ref": "#/definitions/s0"})
    );
    assert_eq!(
        shared["properties"]["a"]["items"],
        serde_json::json!({"$ref": "#/definitions/s0"})
    );
    assert_eq!(shared["definitions"]["s0"], item);
    assert_eq!(
        shared["properties"]["c"],
        serde_json::json!({"type": "string"})
    );
    let mut described = serde_json::json!({"description": "d", "properties": {"description": {"type": "string", "description": "x"}}});
    dedup::strip_descriptions(&mut described);
    assert_eq!(
        described,
        serde_json::json!({"properties": {"description": {"type": "string"}}})
    );
    // Already using references: left alone.
    assert_eq!(dedup::share_repeated(&shared), shared);
    let node = doc("b: {name: x, port: 0, tpls: true}\na:\n- {port: 2}\n");
    let mut walk = walk::Walk::new(&shared, true);
    walk.object(&node).unwrap();
    assert_eq!(walk.unknown.len(), 1);
    assert_eq!(walk.unknown[0].suggestion.as_deref(), Some("tls"));
    assert_eq!(
        schema_at(&shared, "/a/0/port"),
        Some(&serde_json::json!({"type": "integer", "minimum": 1}))
    );
}
