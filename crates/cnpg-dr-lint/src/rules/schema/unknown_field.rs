use cnpg_dr_core::kustomize::Resource;
use cnpg_dr_core::schema::Lookup;

use super::{describe, object_rule, Found, ObjectRule};
use crate::finding::{RuleMeta, Severity};
use crate::rules::rule::Settings;

/// A field the object's CRD does not declare.
pub struct UnknownField;

pub static META: RuleMeta = RuleMeta {
    id: "CDR802",
    name: "unknown-field",
    severity: Severity::Error,
    summary: "A field the CRD does not declare: the API server drops it without an error",
    doc: r#"## What it checks
Every rendered object whose kind has a schema (CNPG `Cluster`, `Backup`, `ScheduledBackup`,
Barman Cloud `ObjectStore`, Argo CD `Application`/`ApplicationSet`, `ExternalSecret`, and
whatever `--schema-dir` adds) is walked against its CRD's structural schema: every field the
schema does not declare is reported at its key, with the closest declared sibling when it looks
like a typo. `x-kubernetes-preserve-unknown-fields` and `additionalProperties` are respected,
and `metadata` is checked against the standard ObjectMeta fields. Every active and dormant
render is checked, and so are loose manifests.

## Why it matters during a recovery
The API server prunes fields a CRD does not declare, silently: `kubectl apply` and Argo CD
report success. A `recoveryTraget:` is dropped, so the Cluster replays the WAL to the end
instead of stopping before the bad transaction; a `bootsrap:` is dropped, so CNPG runs the
default `initdb` and starts an empty database where a restore was meant to be. Nothing fails
until someone looks at the data.

## Example
```yaml
spec:
  bootstrap:
    recovery:
      source: origin
      recoveryTraget:          # dropped: did you mean `recoveryTarget`?
        targetTime: "2024-06-01 03:00:00+00"
```

## Fix
Rename the field to the declared one the message suggests (or delete it). If the field belongs
to a newer version of the CRD than the bundled one, pass that CRD with `--schema-dir`.

## References
- Kubernetes docs, "Extend the Kubernetes API with CustomResourceDefinitions": field pruning
  and `x-kubernetes-preserve-unknown-fields`.
- CNPG API reference: `RecoveryTarget`, `BootstrapConfiguration`.
- `schemas/README.md` in this repository: how the schemas are generated.
"#,
};

impl ObjectRule for UnknownField {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Resource, settings: &Settings, out: &mut Vec<Found>) {
        let Lookup::Found(entry) = settings.schemas.lookup(object.api_version(), object.kind())
        else {
            return;
        };
        let Ok(unknown) = entry.unknown_fields(&object.node) else {
            return;
        };
        for u in unknown {
            let hint = match &u.suggestion {
                Some(s) => format!(" (did you mean `{s}`?)"),
                None => String::new(),
            };
            let help = match &u.suggestion {
                Some(s) => format!("rename `{}` to `{s}`", u.key),
                None if u.declared.is_empty() => "remove the field".to_string(),
                None => {
                    let mut names: Vec<&str> =
                        u.declared.iter().map(String::as_str).take(12).collect();
                    if u.declared.len() > 12 {
                        names.push("…");
                    }
                    format!(
                        "remove it; the fields declared here are {}",
                        names.join(", ")
                    )
                }
            };
            out.push(Found {
                span: u.span,
                message: format!(
                    "{}: unknown field `{}`{hint}: the {} {} schema does not declare it, so the API server drops it without an error",
                    describe(object),
                    u.path,
                    object.api_version(),
                    object.kind(),
                ),
                help: Some(help),
            });
        }
    }
}

object_rule!(UnknownField);
