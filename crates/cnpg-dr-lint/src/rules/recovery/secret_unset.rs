use super::{default_app_secret, initdb_values, recovery_span, shared_without_app_database};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::helpers::dr_overlay;
use crate::rules::rule::{Rule, VariantContext};

/// A recovery without `secret`.
pub struct SecretUnset;

pub static META: RuleMeta = RuleMeta {
    id: "CDR203",
    name: "recovery-secret-unset",
    severity: Severity::Warning,
    summary:
        "bootstrap.recovery sets no secret: the owner's password is replaced after the restore",
    doc: r#"## What it checks
`spec.bootstrap.recovery.secret.name` should name the secret that holds the application owner's
credentials, the same one the application uses (and, usually, the one the initdb overlay names).
A recovery without it is fine when the overlay deploys a Secret (or ExternalSecret, SealedSecret)
named `<cluster>-app`: CNPG then uses that one. Nor is it reported for a Cluster shared by
several applications that log in with their own roles (two or more `Database` objects or
`spec.managed.roles` entries, no `database` or `owner` in the recovery or the initdb): none of
them uses the application owner's password.

## Why it matters during a recovery
The restored database keeps the owner role with its old password, but the instance manager then
sets that role's password from the Cluster's application secret: `recovery.secret`, or
`<cluster>-app` when it is unset. If `<cluster>-app` does not exist (it is owned by the old
Cluster and deleted with it), the operator creates it with a new random password. Clients that
hold the previous password (a secret from Vault, a copied value, the secret the initdb overlay
named) fail with "password authentication failed" right after a restore that otherwise worked.

## Example
```yaml
spec:
  bootstrap:
    recovery:
      source: origin
      database: app
      owner: app            # no secret: <cluster>-app, maybe with a new random password
```

## Fix
Set `secret: {name: ...}` to the secret the application reads, the same one as the initdb
overlay's `initdb.secret`.

## References
- CNPG instance manager `refreshCredentialsFromSecret` (owner password from the app secret).
- CNPG `reconcileAppUserSecret` (creates `<cluster>-app` with a random password when missing).
"#,
};

impl Rule for SecretUnset {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        for cluster in ctx.variant.clusters() {
            let Some(rec) = cluster.recovery() else {
                continue;
            };
            if rec.secret_name().is_some() || shared_without_app_database(ctx, &cluster, &rec) {
                // A shared Cluster's applications log in with their own roles:
                // none of them uses the `app` owner's password.
                continue;
            }
            let default = default_app_secret(&cluster);
            let rendered = ctx.variant.resources().iter().any(|r| {
                r.name() == default
                    && r.namespace() == cluster.namespace()
                    && matches!(r.kind(), "Secret" | "ExternalSecret" | "SealedSecret")
            });
            if rendered {
                // CNPG uses the deployed <cluster>-app: as good as naming it.
                continue;
            }
            let owner = rec.owner().or(rec.database()).unwrap_or("app");
            let deploys_none = if dr_overlay(ctx.database, ctx.variant).is_some() {
                "this overlay deploys none"
            } else {
                "this directory deploys none"
            };
            let mut f = ctx.finding(
                &META,
                &recovery_span(&cluster),
                format!(
                    "bootstrap.recovery of Cluster {} sets no secret: after the restore CNPG resets the password of the restored owner {owner:?} from the secret {default}, which CNPG creates with a new random password when it does not exist (the old Cluster's copy is deleted with it, and {deploys_none}); clients that still use the previous password fail with \"password authentication failed\"",
                    cluster.name()
                ),
            );
            f.help = Some(
                match initdb_values(ctx.database, cluster.name()).and_then(|i| i.secret) {
                    Some(s) => format!("set secret: {{name: {s}}}, as the initdb overlay does"),
                    None => "set secret: {name: ...} to the secret the application reads its database password from".to_string(),
                },
            );
            out.push(f);
        }
    }
}
