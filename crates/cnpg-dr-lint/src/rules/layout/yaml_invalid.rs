use cnpg_dr_core::yaml::Span;

use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::rule::{RepositoryContext, Rule};

/// A YAML file that no kustomization includes and that does not parse.
pub struct YamlInvalid;

pub static META: RuleMeta = RuleMeta {
    id: "CDR307",
    name: "yaml-invalid",
    severity: Severity::Error,
    summary: "A YAML file under the linted path does not parse, so nothing in it is checked",
    doc: r#"## What it checks
Every `.yaml`/`.yml` file under the linted path that no kustomization includes (Argo CD
Applications and ApplicationSets, raw manifests) is parsed. A file that is not YAML (a syntax
error, a tab in the indentation, a key written twice, bytes that are not UTF-8) is reported at
the line and column of the problem. Helm chart files (under a directory holding `Chart.yaml`)
and Go templates (`{{ ... }}`) are templates, not YAML, and are left alone. A file that a
kustomization includes and that does not parse is a render failure instead (CDR305).

## Why it matters during a recovery
What does not parse is not checked, silently: a broken ApplicationSet hides the Argo CD rules
(an `ignoreDifferences` on `spec.bootstrap` goes unreported), and Argo CD itself refuses the
file, so the application it defines does not deploy or sync at all — found during the incident
rather than before it.

## Example
```yaml
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: databases: oops
```

## Fix
Fix the YAML at the reported line and column (`kubectl apply --dry-run=client -f FILE` shows
the same error).

## References
- YAML 1.2, "Syntax"; Kubernetes manifests must be valid YAML or JSON.
"#,
};

impl Rule for YamlInvalid {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_repository(&self, ctx: &RepositoryContext<'_>, out: &mut Vec<Finding>) {
        for e in &ctx.repo.unparsable {
            let span = Span {
                file: e.file.clone(),
                line: e.line,
                column: e.column,
                start: e.offset,
                end: e.offset,
            };
            let database = ctx
                .repo
                .databases
                .iter()
                .filter(|d| e.file.starts_with(&d.dir))
                .max_by_key(|d| d.dir.components().count())
                .map(|d| d.dir.clone());
            out.push(Finding {
                rule: META.id,
                name: META.name,
                severity: META.severity,
                message: format!(
                    "not valid YAML: {}; nothing in this file is checked, and Argo CD or kubectl refuse it too",
                    e.message
                ),
                span: Some(span),
                file: Some(e.file.to_path_buf()),
                database,
                overlay: None,
                dormant: false,
                help: Some(format!(
                    "fix the YAML at line {}, column {} (`kubectl apply --dry-run=client -f` shows the same error)",
                    e.line, e.column
                )),
            });
        }
    }
}
