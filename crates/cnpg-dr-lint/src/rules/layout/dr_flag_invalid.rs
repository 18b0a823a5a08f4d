use super::{flag_problems, FlagProblem};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::helpers::{flag_span, overlay_lines};
use crate::rules::rule::{DatabaseContext, Rule, VariantContext};

/// A DR switch that activates no overlay, several, or one that does not exist.
pub struct DrFlagInvalid;

pub static META: RuleMeta = RuleMeta {
    id: "CDR302",
    name: "dr-flag-invalid",
    severity: Severity::Error,
    summary:
        "The DR switch activates no overlay, several overlays, or an overlay that does not exist",
    doc: r#"## What it checks
The root `kustomization.yaml` of a database directory is the DR switch: among its `resources:`
lines that point at overlay directories (`- overlays/initdb`, `# - overlays/recovery`), exactly
one is active, and every line, active or commented out, names a directory with a kustomization.

## Why it matters during a recovery
- **No active line:** the root renders no Cluster. With Argo CD's automated sync and `prune`,
  the live Cluster is deleted, and its PVCs with it.
- **Two active lines:** both overlays include the same base; kustomize stops with "may not add
  resource with an already registered id" and nothing deploys.
- **A missing directory:** a typo in the commented-out recovery line stays invisible until the
  day somebody uncomments it during an incident, and the render fails.

## Example
```yaml
resources:
  - overlays/initdb
  - overlays/recovery      # both active
```

## Fix
Keep exactly one overlay line active and the others commented out, and make every line name
an existing overlay directory.

## References
- cnpg-dr layout conventions: base, overlays, DR switch.
- kustomize: "may not add resource with an already registered id".
"#,
};

impl Rule for DrFlagInvalid {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_database(&self, ctx: &DatabaseContext<'_>, out: &mut Vec<Finding>) {
        let vctx = VariantContext {
            repo: ctx.repo,
            settings: ctx.settings,
            database: ctx.database,
            variant: ctx.database.active(),
        };
        let existing: Vec<String> = ctx
            .database
            .overlays
            .iter()
            .filter(|o| super::has_kustomization(ctx.repo, &o.dir))
            .map(|o| o.entry.clone())
            .collect();
        let file = ctx
            .database
            .kustomization
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for problem in flag_problems(ctx.repo, ctx.database) {
            let mut f = match problem {
                FlagProblem::NoneActive(lines) => {
                    let Some(first) = lines.first() else { continue };
                    let mut f = vctx.finding(
                        &META,
                        &flag_span(ctx.database, first),
                        format!(
                            "the DR switch in {file} activates no overlay ({} are all commented out): the database directory renders no Cluster, and an automated sync with prune deletes the live Cluster and its volumes",
                            lines.iter().map(|l| l.entry.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    );
                    f.help = Some(format!(
                        "uncomment exactly one overlay line: {} in steady state",
                        lines
                            .iter()
                            .find(|l| l.entry.ends_with("initdb"))
                            .unwrap_or(first)
                            .entry
                    ));
                    f
                }
                FlagProblem::SeveralActive(active) => {
                    let Some(second) = active.get(1) else {
                        continue;
                    };
                    let mut f = vctx.finding(
                        &META,
                        &flag_span(ctx.database, second),
                        format!(
                            "the DR switch in {file} activates {} overlays ({}): each includes the same base, so kustomize stops with \"may not add resource with an already registered id\" and nothing of this database deploys",
                            active.len(),
                            active.iter().map(|l| l.entry.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    );
                    f.help = Some(
                        "keep exactly one overlay line active and comment out the others (\"# - overlays/...\")"
                            .to_string(),
                    );
                    f
                }
                FlagProblem::Missing(line) => {
                    let dir = cnpg_dr_core::fs::normalize(&ctx.database.dir.join(&line.entry));
                    let what = if dir.is_dir() {
                        "has no kustomization file"
                    } else {
                        "does not exist"
                    };
                    let state = if line.active {
                        "the active overlay line: the database directory does not render, and nothing deploys"
                    } else {
                        "a commented-out overlay line: flipping the DR switch to it during an incident fails to render"
                    };
                    let mut f = vctx.finding(
                        &META,
                        &flag_span(ctx.database, line),
                        format!(
                            "the DR switch in {file} names {}, which {what}; this is {state}",
                            line.entry
                        ),
                    );
                    let others: Vec<&str> = existing
                        .iter()
                        .map(String::as_str)
                        .filter(|e| {
                            !overlay_lines(ctx.database)
                                .iter()
                                .any(|l| l.entry == *e && l.line != line.line)
                        })
                        .collect();
                    f.help = Some(if others.is_empty() {
                        format!(
                            "fix the path, or create {} with its kustomization.yaml",
                            line.entry
                        )
                    } else {
                        format!(
                            "fix the path; overlay directories that have no line in the switch: {}",
                            others.join(", ")
                        )
                    });
                    f
                }
            };
            // The flag is about the database, not about the variant the finding was built from.
            f.overlay = None;
            f.dormant = false;
            out.push(f);
        }
    }
}
