use std::path::Path;

use cnpg_dr_core::kustomize::Resource;
use cnpg_dr_core::yaml::{decode_base64, Node};

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
`secretGenerator` are not reported. Neither are values that only say where the secret lives,
resolved when the Secret is deployed:

- `op://vault/item/field` (1Password), `vault:secret/data/app#key` (Bank-Vaults),
  `ref+vault://...` and other `ref+` schemes (vals);
- `<path:secret/data/app#key>` and `<placeholder>` (the Argo CD Vault Plugin);
- a value with a `${VAR}` substitution in it (Flux `postBuild`, envsubst).

Values in `data` are base64-decoded before this test. An Argo CD repository Secret (label
`argocd.argoproj.io/secret-type: repository`, `repo-creds` and the write variants) is reported
only for its credentials (`password`, `sshPrivateKey`, `githubAppPrivateKey`, ...) or a `url`
with a password in it: its `url`, `type`, `name` and `project` are public settings. Manifests
under a top-level `docs/`, `doc/`, `examples/` or `example/` directory are documentation for
readers, not deployed objects, and are not reported.

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

/// Top-level directories whose manifests are written for readers, not deployed.
const DOCUMENTATION_DIRS: &[&str] = &["docs", "doc", "examples", "example"];

/// Argo CD's `secret-type` labels of repository Secrets.
const ARGOCD_REPOSITORY_TYPES: &[&str] = &[
    "repository",
    "repo-creds",
    "repository-write",
    "repo-write-creds",
];

/// Keys of an Argo CD repository Secret that are settings, not credentials.
const ARGOCD_REPOSITORY_SETTINGS: &[&str] = &[
    "name",
    "type",
    "url",
    "project",
    "insecure",
    "enableLfs",
    "enableOCI",
    "proxy",
    "noProxy",
    "forceHttpBasicAuth",
    "githubAppID",
    "githubAppInstallationID",
    "githubAppEnterpriseBaseUrl",
    "tlsClientCertData",
    "username",
    "useAzureWorkloadIdentity",
];

/// True when `file` lies in a top-level documentation directory of `root`.
fn in_documentation(root: &Path, file: &Path) -> bool {
    file.strip_prefix(root)
        .ok()
        .and_then(|p| p.components().next())
        .and_then(|c| c.as_os_str().to_str())
        .is_some_and(|dir| DOCUMENTATION_DIRS.contains(&dir))
}

/// True when a value names where the secret lives (resolved at deploy time)
/// instead of holding it.
fn is_reference(value: &str) -> bool {
    let v = value.trim();
    let scheme = ["op://", "vault:", "ref+", "<path:"]
        .iter()
        .any(|p| v.starts_with(p));
    let placeholder = v.len() > 2 && v.starts_with('<') && v.ends_with('>') && !v.contains('\n');
    let substituted = v
        .find("${")
        .is_some_and(|at| v[at + 2..].find('}').is_some_and(|end| end > 0));
    scheme || placeholder || substituted
}

/// True when a URL carries a password (`https://user:token@host/...`).
fn url_has_password(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or(rest);
    authority
        .rsplit_once('@')
        .is_some_and(|(userinfo, _)| userinfo.contains(':'))
}

/// True for an Argo CD repository Secret.
fn argocd_repository(r: &Resource) -> bool {
    r.node
        .get_path(&["metadata", "labels", "argocd.argoproj.io/secret-type"])
        .and_then(Node::as_str)
        .is_some_and(|t| ARGOCD_REPOSITORY_TYPES.contains(&t))
}

/// True when the value under `key` is a committed secret: not empty, not a
/// reference, and for an Argo CD repository Secret not one of its settings.
fn is_secret(field: &str, key: &str, value: &Node, repository: bool) -> bool {
    let Some(raw) = value.as_str().filter(|s| !s.is_empty() && !value.is_null()) else {
        return false;
    };
    let decoded;
    let text = if field == "data" {
        match decode_base64(raw).and_then(|b| String::from_utf8(b).ok()) {
            Some(t) => {
                decoded = t;
                decoded.as_str()
            }
            // Not text: binary key material is a secret.
            None => return true,
        }
    } else {
        raw
    };
    if text.is_empty() || is_reference(text) {
        return false;
    }
    if repository && ARGOCD_REPOSITORY_SETTINGS.contains(&key) {
        return key == "url" && url_has_password(text);
    }
    true
}

fn check<'a>(r: &'a Resource, root: &Path) -> Option<(&'a Node, String, String)> {
    if r.kind() != "Secret" || r.api_version() != "v1" || r.generated {
        return None;
    }
    if r.node.get_path(&["sops"]).is_some() || in_documentation(root, &r.origin) {
        return None;
    }
    let repository = argocd_repository(r);
    let mut anchor: Option<&Node> = None;
    let mut keys: Vec<String> = Vec::new();
    for field in ["stringData", "data"] {
        let Some(map) = r.node.get_path(&[field]).and_then(Node::as_map) else {
            continue;
        };
        let filled: Vec<&str> = map
            .iter_str()
            .filter(|(k, v)| is_secret(field, k, v, repository))
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
            if let Some((node, msg, help)) = check(r, &ctx.repo.root) {
                let mut f = ctx.finding(&META, &node.span, msg);
                f.help = Some(help);
                out.push(f);
            }
        }
    }

    fn check_repository(&self, ctx: &RepositoryContext<'_>, out: &mut Vec<Finding>) {
        for r in &ctx.repo.loose {
            if let Some((node, msg, help)) = check(r, &ctx.repo.root) {
                let mut f = repository_finding(&META, &node.span, msg);
                f.help = Some(help);
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_not_secrets_but_literals_next_to_them_are() {
        for reference in [
            "op://homelab/app/password",
            "vault:secret/data/app#password",
            "ref+awssecrets://app/password",
            "<path:secret/data/app#password>",
            "<password>",
            "${APP_PASSWORD}",
            "postgres://app:${APP_PASSWORD}@db:5432/app",
        ] {
            assert!(is_reference(reference), "{reference}");
        }
        for literal in [
            "hunter2",
            "$ecret",
            "${",
            "<a>\n<b>",
            "<>",
            "vaults-are-safe",
        ] {
            assert!(!is_reference(literal), "{literal}");
        }
    }

    #[test]
    fn repository_urls_are_secrets_only_with_a_password() {
        assert!(url_has_password(
            "https://bot:ghp_token@github.com/example/homelab.git"
        ));
        assert!(!url_has_password("https://github.com/example/homelab.git"));
        assert!(!url_has_password(
            "ssh://git@github.com/example/homelab.git"
        ));
        assert!(!url_has_password("https://github.com/a@b:c"));
    }

    fn secrets_of(yaml: &str, file: &str) -> Option<String> {
        let path: std::sync::Arc<Path> = Path::new(file).into();
        let node = cnpg_dr_core::yaml::load_str(yaml, path, &Default::default())
            .unwrap()
            .remove(0);
        let r = Resource::new(node, file.into()).unwrap();
        check(&r, Path::new("/repo")).map(|(_, msg, _)| msg)
    }

    #[test]
    fn only_the_committed_values_are_reported() {
        let msg = secrets_of(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  user: op://v/i/user\n  password: hunter2\ndata:\n  token: JHtUT0tFTn0=\n",
            "/repo/app/secret.yaml",
        )
        .unwrap();
        assert!(
            msg.contains("1 value(s)") && msg.contains("(stringData.password)"),
            "{msg}"
        );
    }

    #[test]
    fn argocd_repository_secrets_are_reported_for_their_credentials_only() {
        let repo = |data: &str| {
            secrets_of(
                &format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: repo\n  labels:\n    argocd.argoproj.io/secret-type: repository\nstringData:\n{data}"),
                "/repo/argocd/repo.yaml",
            )
        };
        assert_eq!(
            repo("  type: git\n  url: https://github.com/e/h.git\n"),
            None
        );
        let msg = repo("  url: https://github.com/e/h.git\n  password: ghp_x\n").unwrap();
        assert!(msg.contains("(stringData.password)"), "{msg}");
        let msg = repo("  url: https://bot:ghp_x@github.com/e/h.git\n").unwrap();
        assert!(msg.contains("(stringData.url)"), "{msg}");
    }

    #[test]
    fn documentation_directories_are_only_the_top_level_ones() {
        let secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  password: hunter2\n";
        assert_eq!(secrets_of(secret, "/repo/docs/examples/secret.yaml"), None);
        assert_eq!(secrets_of(secret, "/repo/examples/secret.yaml"), None);
        assert!(secrets_of(secret, "/repo/apps/docs/secret.yaml").is_some());
    }
}
