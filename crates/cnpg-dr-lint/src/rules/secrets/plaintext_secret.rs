use cnpg_dr_core::kustomize::Resource;
use cnpg_dr_core::yaml::Node;

use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::rule::{repository_finding, RepositoryContext, Rule, VariantContext};

/// A Secret with values committed to Git.
pub struct PlaintextSecret;

pub static META: RuleMeta = RuleMeta {
    id: "CDR502",
    name: "plaintext-secret",
    severity: Severity::Error,
    summary: "A v1 Secret with values is committed to Git",
    doc: r#"## What it checks
Every `v1` `Secret` in a render (active or dormant overlay) or among the repository's loose
manifests that has a non-empty value in `data` or `stringData`. SOPS-encrypted files (a
top-level `sops` key, or every value `ENC[...]`) and Secrets produced by kustomize's
`secretGenerator` are not reported.

## Why it matters during a recovery
Object-store credentials and database passwords in Git are readable by everyone who can clone
the repository, forever: `data` is base64, not encryption, and deleting the file leaves the
values in history. A backup bucket whose keys leaked is a bucket someone else can delete or
encrypt, and then there is nothing to recover from.

## Example
```yaml
apiVersion: v1
kind: Secret
metadata:
  name: immich-s3-credentials
stringData:
  ACCESS_KEY_ID: immich
  ACCESS_SECRET_KEY: correct-horse-battery-staple
```

## Fix
Rotate the credentials (they are in Git history), store them in a secret manager and produce
the Secret with an `ExternalSecret` (or commit a `SealedSecret` / SOPS-encrypted file instead).

## References
- Kubernetes docs, "Secrets": base64 encoding is not encryption.
- External Secrets Operator, Sealed Secrets, SOPS.
"#,
};

fn check(r: &Resource) -> Option<(&Node, String, String)> {
    if r.kind() != "Secret" || r.api_version() != "v1" || r.generated {
        return None;
    }
    if r.node.get_path(&["sops"]).is_some() {
        return None;
    }
    let mut anchor: Option<&Node> = None;
    let mut keys: Vec<String> = Vec::new();
    for field in ["stringData", "data"] {
        let Some(map) = r.node.get_path(&[field]).and_then(Node::as_map) else {
            continue;
        };
        let filled: Vec<&str> = map
            .iter_str()
            .filter(|(_, v)| v.as_str().is_some_and(|s| !s.is_empty()) && !v.is_null())
            .map(|(k, _)| k)
            .collect();
        let encrypted = map
            .iter_str()
            .all(|(_, v)| v.as_str().is_some_and(|s| s.starts_with("ENC[")));
        if filled.is_empty() || encrypted {
            continue;
        }
        if anchor.is_none() {
            anchor = r
                .node
                .as_map()
                .and_then(|m| m.entries.iter().find(|(k, _)| k.as_str() == Some(field)))
                .map(|(k, _)| k);
        }
        keys.extend(filled.iter().map(|k| format!("{field}.{k}")));
    }
    let anchor = anchor?;
    let encoding = if keys.iter().any(|k| k.starts_with("data.")) {
        " (base64 in data is an encoding, not encryption)"
    } else {
        ""
    };
    Some((
        anchor,
        format!(
            "Secret {} commits {} value(s) to Git in plain text ({}){encoding}: anyone who can read the repository, or its history, has them",
            r.name(),
            keys.len(),
            keys.join(", ")
        ),
        format!(
            "rotate these credentials, then replace the Secret with an ExternalSecret (spec.target.name: {}) or a SealedSecret",
            r.name()
        ),
    ))
}

impl Rule for PlaintextSecret {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        for r in ctx.variant.resources() {
            if let Some((node, msg, help)) = check(r) {
                let mut f = ctx.finding(&META, &node.span, msg);
                f.help = Some(help);
                out.push(f);
            }
        }
    }

    fn check_repository(&self, ctx: &RepositoryContext<'_>, out: &mut Vec<Finding>) {
        for r in &ctx.repo.loose {
            if let Some((node, msg, help)) = check(r) {
                let mut f = repository_finding(&META, &node.span, msg);
                f.help = Some(help);
                out.push(f);
            }
        }
    }
}
