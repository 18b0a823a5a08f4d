use cnpg_dr_core::cnpg::policy::{self, Schedule};
use cnpg_dr_core::cnpg::ScheduledBackup;

use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::rule::{Rule, VariantContext};

/// A ScheduledBackup with a classic 5-field cron, or one CNPG cannot parse.
pub struct ScheduleFiveFields;

pub static META: RuleMeta = RuleMeta {
    id: "CDR401",
    name: "schedule-five-fields",
    severity: Severity::Error,
    summary:
        "ScheduledBackup cron has 5 fields: CNPG reads the first as seconds and backs up every hour",
    doc: r#"## What it checks
`spec.schedule` of a `ScheduledBackup` must have six fields (seconds first) or be a descriptor
(`@daily`, `@every 6h`, ...). A 5-field schedule, or one CNPG's cron parser rejects, is reported.

## Why it matters during a recovery
CNPG parses schedules with robfig/cron and its `Second` field first, even when only five fields
are given. A classic `0 3 * * *` therefore means "second 0, minute 3, every hour": 24 backups a
day instead of one, a bucket that fills up, retention that deletes the backup you needed, and a
recovery window that is not what the runbook says.

## Example
```yaml
apiVersion: postgresql.cnpg.io/v1
kind: ScheduledBackup
spec:
  schedule: "0 3 * * *"
```

## Fix
Write six fields: `"0 0 3 * * *"` (every day at 03:00:00), or `@daily`.

## References
- CNPG docs, "Backup": "the schedule uses six fields, with seconds first".
- robfig/cron v1.2.0 parser: `Second | Minute | Hour | Dom | Month | DowOptional | Descriptor`.
"#,
};

impl Rule for ScheduleFiveFields {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        for sb in ctx
            .variant
            .resources()
            .iter()
            .filter_map(ScheduledBackup::from)
        {
            let Some(node) = sb.schedule() else { continue };
            let Some(text) = node.as_str() else { continue };
            let text = text.trim();
            match policy::schedule(text) {
                Schedule::Descriptor | Schedule::SixFields { .. } => {}
                Schedule::UnknownDescriptor => out.push(ctx.finding(&META, &node.span, format!("schedule {text:?} is not a descriptor CNPG knows (\"Unrecognized descriptor\"): the ScheduledBackup is rejected"))),
                Schedule::FiveFields(fields) => {
                    let mut f = ctx.finding(
                        &META,
                        &node.span,
                        format!(
                            "schedule {text:?} has 5 fields; CNPG reads the first as seconds, so this runs every hour at minute {} instead of once a day",
                            fields[1]
                        ),
                    );
                    f.help = Some(format!("add the seconds field: \"0 {text}\""));
                    out.push(f);
                }
                Schedule::FieldCount(n) => out.push(ctx.finding(
                    &META,
                    &node.span,
                    format!("schedule {text:?} has {n} fields; CNPG expects 6 (seconds first): \"Expected 5 to 6 fields, found {n}\""),
                )),
            }
        }
    }
}
