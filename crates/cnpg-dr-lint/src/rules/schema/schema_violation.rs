use cnpg_dr_core::kustomize::Resource;
use cnpg_dr_core::schema::Lookup;

use super::{describe, object_rule, Found, ObjectRule};
use crate::finding::{RuleMeta, Severity};
use crate::rules::rule::Settings;

/// A value the object's schema rejects.
pub struct SchemaViolation;

pub static META: RuleMeta = RuleMeta {
    id: "CDR801",
    name: "schema-violation",
    severity: Severity::Error,
    summary: "A value the CRD's schema rejects: the API server refuses the object",
    doc: r#"## What it checks
Every rendered object whose kind has a schema (CNPG `Cluster`, `Backup`, `ScheduledBackup`,
Barman Cloud `ObjectStore`, Argo CD `Application`/`ApplicationSet`, `ExternalSecret`, and
whatever `--schema-dir` adds) is validated against the JSON Schema generated from its CRD:
types, enums, required fields, minimums and maximums, patterns. Like the API server, it first
drops the fields the CRD does not declare (those are CDR802, reported once) and `null` fields.
Each violation is reported at the offending value, with its field path. CEL rules
(`x-kubernetes-validations`) and `format` are not checked. Every active and dormant render is
checked, and so are loose manifests.

## Why it matters during a recovery
The API server rejects the whole object: Argo CD shows a sync error, and the recovery Cluster is
never created. A dormant overlay with such a mistake looks fine in review for months and fails
the day it is switched on, which is the day a restore is needed.

## Example
```yaml
spec:
  instances: 0                       # 0 is less than the minimum of 1
  primaryUpdateStrategy: sometimes   # not one of "unsupervised" or "supervised"
```

## Fix
Change the value to one the schema accepts (the message says which), in the file and line the
finding points at: a base, or the overlay patch that set it.

## References
- CNPG API reference (the Cluster, Backup and ScheduledBackup fields and their constraints).
- Kubernetes docs, "Extend the Kubernetes API with CustomResourceDefinitions": validation.
- `schemas/README.md` in this repository: how the schemas are generated.
"#,
};

impl ObjectRule for SchemaViolation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Resource, settings: &Settings, out: &mut Vec<Found>) {
        let Lookup::Found(entry) = settings.schemas.lookup(object.api_version(), object.kind())
        else {
            return;
        };
        let Ok(violations) = entry.violations(&object.node) else {
            return;
        };
        for v in violations {
            let at = if v.path.is_empty() {
                String::new()
            } else {
                format!("{}: ", v.path)
            };
            out.push(Found {
                span: v.span,
                message: format!("{}: {at}{}", describe(object), v.message),
                help: Some(format!(
                    "the API server rejects the object; the schema is {}",
                    entry.origin
                )),
            });
        }
    }
}

object_rule!(SchemaViolation);
