use cnpg_dr_core::cnpg::CNPG_GROUP;

use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::rule::{Rule, VariantContext};

/// `cnpg.io/validation: disabled`: every webhook check switched off.
pub struct ValidationDisabled;

const ANNOTATION: &str = "cnpg.io/validation";

pub static META: RuleMeta = RuleMeta {
    id: "CDR702",
    name: "validation-disabled",
    severity: Severity::Warning,
    summary: "cnpg.io/validation: disabled switches off every CNPG admission check",
    doc: r#"## What it checks
The annotation `cnpg.io/validation` on any `postgresql.cnpg.io` object (Cluster, Backup,
ScheduledBackup, Pooler, ...): `disabled`, or any value other than `enabled`, `disabled` or
empty, is a warning. Not an error: the annotation breaks nothing by itself; the mistakes it
lets through do, and `cnpg-dr lint` reports most of those as errors of their own.

## Why it matters during a recovery
With `disabled`, CNPG's validating webhook accepts everything and only warns "validation webhook
is disabled — all changes are accepted without validation. This may lead to unsafe or
destructive operations." Every mistake the webhook would have refused (two bootstrap methods,
a recovery source that does not exist, an invalid recovery target, shrinking storage, two WAL
archivers) is applied and surfaces later as a stuck or wrong recovery. Annotations set to get
past one error during an incident tend to stay in Git. Any other value is ignored with the
warning `invalid "cnpg.io/validation" annotation` and validation still runs: the annotation does
not do what its author thought.

## Example
```yaml
metadata:
  annotations:
    cnpg.io/validation: disabled
```

## Fix
Remove the annotation and fix what the webhook rejects; `cnpg-dr lint` reports most of those
checks offline.

## References
- CNPG webhooks, `common.go`: the validation bypass and its warnings.
- CNPG `pkg/utils/labels_annotations.go`: `cnpg.io/validation`.
"#,
};

impl Rule for ValidationDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        for r in ctx
            .variant
            .resources()
            .iter()
            .filter(|r| r.gvk().group == CNPG_GROUP)
        {
            let Some(node) = r.node.get_path(&["metadata", "annotations", ANNOTATION]) else {
                continue;
            };
            let value = node.as_str().unwrap_or("");
            let what = format!("{} {}", r.kind(), r.name());
            match value {
                "" | "enabled" => {}
                "disabled" => {
                    let mut f = ctx.finding(
                        &META,
                        &node.span,
                        format!(
                            "{what} has {ANNOTATION}: disabled: CNPG's webhook accepts every change to it without validation, so a broken bootstrap or recovery configuration is applied instead of refused"
                        ),
                    );
                    f.help = Some(format!(
                        "remove the {ANNOTATION} annotation and fix what the webhook rejects"
                    ));
                    out.push(f);
                }
                other => {
                    let mut f = ctx.finding(
                        &META,
                        &node.span,
                        format!(
                            "{what} has {ANNOTATION}: {other:?}, which CNPG ignores (invalid \"{ANNOTATION}\" annotation, expected \"enabled\" or \"disabled\"): validation still runs"
                        ),
                    );
                    f.help = Some(format!("remove the {ANNOTATION} annotation"));
                    out.push(f);
                }
            }
        }
    }
}
