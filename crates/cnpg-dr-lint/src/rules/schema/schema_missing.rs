use cnpg_dr_core::kustomize::Resource;
use cnpg_dr_core::schema::Lookup;

use super::{describe, object_rule, Found, ObjectRule};
use crate::finding::{RuleMeta, Severity};
use crate::rules::rule::Settings;

/// An object no schema describes.
pub struct SchemaMissing;

pub static META: RuleMeta = RuleMeta {
    id: "CDR803",
    name: "schema-missing",
    severity: Severity::Warning,
    summary: "An object no schema describes, so it is not validated",
    doc: r#"## What it checks
Reports a rendered object that no schema describes:
- always, when schemas exist for its group and kind but not for its `apiVersion` (a
  `postgresql.cnpg.io/v1beta1` Cluster, an `external-secrets.io/v1alpha1` ExternalSecret);
- with `cnpg-dr lint --strict-schemas`, for every object whose kind has no schema at all
  (built-in kinds included: add their JSON Schemas with `--schema-dir`).

Without `--strict-schemas`, kinds cnpg-dr has no schema for are skipped silently.

## Why it matters during a recovery
An `apiVersion` the CRD does not serve is refused by the API server ("no matches for kind"), so
the object is never created; and an object nothing validates can carry the typos CDR801 and
CDR802 exist to catch.

## Example
```yaml
apiVersion: external-secrets.io/v1alpha1   # the bundled CRD has v1 and v1beta1
kind: ExternalSecret
```

## Fix
Use a version the CRD serves. If your cluster runs another version of the operator, pass its
CRD with `--schema-dir DIR`.

## References
- Kubernetes docs, "Versions in CustomResourceDefinitions".
- `schemas/index.json` in this repository: the bundled kinds and versions.
"#,
};

impl ObjectRule for SchemaMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Resource, settings: &Settings, out: &mut Vec<Found>) {
        let span = object
            .node
            .get_path(&["apiVersion"])
            .map_or(&object.node.span, |n| &n.span)
            .clone();
        match settings.schemas.lookup(object.api_version(), object.kind()) {
            Lookup::Found(_) => {}
            Lookup::VersionMissing { versions } => out.push(Found {
                span,
                message: format!(
                    "{}: no schema for {} {}; the known versions of this kind are {}",
                    describe(object),
                    object.api_version(),
                    object.kind(),
                    versions.join(", ")
                ),
                help: Some(
                    "use a version the CRD serves, or pass the CRD of your operator's version with --schema-dir"
                        .to_string(),
                ),
            }),
            Lookup::KindMissing if settings.strict_schemas => out.push(Found {
                span,
                message: format!(
                    "{}: no schema for {} {}, so it is not validated",
                    describe(object),
                    object.api_version(),
                    object.kind()
                ),
                help: Some(
                    "add its CRD or JSON Schema with --schema-dir, or lint without --strict-schemas"
                        .to_string(),
                ),
            }),
            Lookup::KindMissing => {}
        }
    }
}

object_rule!(SchemaMissing);
