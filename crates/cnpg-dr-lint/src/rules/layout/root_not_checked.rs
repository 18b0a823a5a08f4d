use std::path::Path;

use cnpg_dr_core::discover::Variant;
use cnpg_dr_core::kustomize::RenderError;

use super::{refused, relative_message, root_finding, tight};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::helpers::dr_overlay_name;
use crate::rules::rule::{DatabaseContext, RepositoryContext, Rule, VariantContext};

/// A kustomization root cnpg-dr does not render on principle (Helm charts,
/// remote bases, plugins): said once, as a note, not as a defect.
pub struct RootNotChecked;

pub static META: RuleMeta = RuleMeta {
    id: "CDR306",
    name: "root-not-checked",
    severity: Severity::Info,
    summary: "A kustomization root uses Helm charts, remote bases or plugins, which cnpg-dr does not render",
    doc: r#"## What it checks
cnpg-dr renders kustomizations itself, offline: it never downloads a Helm chart, fetches a
remote base or runs a kustomize plugin. A kustomization root (or a database overlay) that needs
one of these is not checked, and this note says which one and why, once per root. It is not a
defect: `kustomize build --enable-helm`, as Argo CD runs it, may well render it. Everything else
is still linted, including the database directories such a root includes (each is linted on its
own, the way an Argo CD application pointing at it deploys it).

## Why it matters during a recovery
Nothing breaks: the note only tells you what cnpg-dr did not look at, so that a clean lint is
not read as "every root was checked". The CloudNativePG operator installed from its Helm chart
is the usual case, and linting the operator's chart is not cnpg-dr's job.

## Example
```yaml
# cloudnative-pg-operator/kustomization.yaml
helmCharts:
  - name: cloudnative-pg
    repo: https://cloudnative-pg.github.io/charts
    version: 0.23.0
```

## Fix
Nothing to fix. To check a database that sits under such a root, lint its directory (it is
linted already when it is in the linted tree). Silence the note with `CDR306 = "off"` under
`[rules]` in `.cnpg-dr.toml` if you do not want to see it.

## References
- kustomize `helmCharts` (needs `--enable-helm`), remote resources, and exec/KRM plugins.
"#,
};

fn rel(root: &Path, dir: &Path) -> String {
    let rel = dir.strip_prefix(root).unwrap_or(dir).display().to_string();
    if rel.is_empty() {
        ".".to_string()
    } else {
        rel
    }
}

impl Rule for RootNotChecked {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_database(&self, ctx: &DatabaseContext<'_>, out: &mut Vec<Finding>) {
        // One note per cause: a base with a Helm chart stops every overlay the same way.
        let mut seen: Vec<&RenderError> = Vec::new();
        let variants: Vec<(&Variant, &RenderError)> = ctx
            .database
            .variants
            .iter()
            .filter_map(|v| v.rendered.as_ref().err().map(|e| (v, e)))
            .filter(|(_, e)| refused(e))
            .collect();
        for (variant, err) in variants {
            if seen
                .iter()
                .any(|e| e.message == err.message && e.span == err.span)
            {
                continue;
            }
            seen.push(err);
            let vctx = VariantContext {
                repo: ctx.repo,
                settings: ctx.settings,
                database: ctx.database,
                variant,
            };
            let span = match &err.span {
                Some(s) => tight(s),
                None => cnpg_dr_core::yaml::Span::file_start(
                    ctx.database.kustomization.as_path().into(),
                ),
            };
            let what = match dr_overlay_name(ctx.database, variant) {
                Some(name) => format!(
                    "the {name} overlay of {}",
                    rel(&ctx.repo.root, &ctx.database.dir)
                ),
                None => rel(&ctx.repo.root, &ctx.database.dir),
            };
            let mut f = vctx.finding(
                &META,
                &span,
                format!(
                    "{what} was not checked: {}",
                    relative_message(ctx.repo, &err.message)
                ),
            );
            f.help = err.help.clone();
            out.push(f);
        }
    }

    fn check_repository(&self, ctx: &RepositoryContext<'_>, out: &mut Vec<Finding>) {
        for (dir, err) in &ctx.repo.unchecked_roots {
            let mut f = root_finding(
                &META,
                dir,
                err,
                format!(
                    "the kustomization in {} was not checked: {}",
                    rel(&ctx.repo.root, dir),
                    relative_message(ctx.repo, &err.message)
                ),
            );
            f.help = err.help.clone();
            out.push(f);
        }
    }
}
