use super::{
    default_app_secret, initdb_values, recovery_span, shared_without_app_database, DEFAULT_APP,
};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::rule::{Rule, VariantContext};

/// A recovery without `database` or without `owner`.
pub struct DatabaseUnset;

pub static META: RuleMeta = RuleMeta {
    id: "CDR202",
    name: "recovery-database-unset",
    severity: Severity::Error,
    summary:
        "bootstrap.recovery does not set database or owner: CNPG creates an empty `app` database",
    doc: r#"## What it checks
`spec.bootstrap.recovery` must set both `database` and `owner`: the application database and
its owner in the data being restored (the values the lineage's `initdb` used).

Not reported when the defaults are what the data holds: the initdb that created the lineage
set no `database` or `owner` either (both sides use `app`), or the Cluster is shared by
several applications that bring their own databases (two or more `Database` objects or
`spec.managed.roles` entries, and no initdb `database`), so nothing uses `app`.

## Why it matters during a recovery
CNPG defaults a missing `database` to `app` and a missing `owner` to the database name. After
PostgreSQL leaves recovery, the restore job creates that role and that database when they do
not exist. Restoring a lineage created with `initdb.database: gitea` without
`recovery.database` therefore gives you the restored `gitea` database *plus* an empty `app`
database owned by a new `app` role, and the application secret (`<cluster>-app`, or
`recovery.secret`) is written for `app`: the application connects to the empty database and
looks like it lost everything.

## Example
```yaml
spec:
  bootstrap:
    recovery:
      source: origin        # no database, no owner
```

## Fix
Set `database` and `owner` to the values of the initdb overlay (the database's `initdb` block).

## References
- CNPG `defaultRecovery` (database `app`, owner = database) and
  `ShouldRecoveryCreateApplicationDatabase`.
"#,
};

impl Rule for DatabaseUnset {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        for cluster in ctx.variant.clusters() {
            let Some(rec) = cluster.recovery() else {
                continue;
            };
            if rec.database().is_some() && rec.owner().is_some() {
                continue;
            }
            let initdb = initdb_values(ctx.database, cluster.name());
            let same_defaults = initdb
                .as_ref()
                .is_some_and(|i| i.database_node.is_none() && i.owner_node.is_none())
                && rec.database().is_none()
                && rec.owner().is_none();
            if same_defaults || shared_without_app_database(ctx, &cluster, &rec) {
                // The restored data already holds `app` (initdb made it), or no
                // application uses it: CNPG's default takes nothing away.
                continue;
            }
            let span = recovery_span(&cluster);
            // The owner CNPG will use, and what it means for the app secret.
            let owner = rec.owner().or(rec.database()).unwrap_or(DEFAULT_APP);
            let secret_note = |what: &str| {
                match rec.secret_name() {
                Some(s) if rec.owner().is_none() => format!(
                    "; the instance manager then expects the secret {s} to hold user {owner:?}: if it holds the real owner, every reconcile fails with \"wrong username '...' in secret, expected '{owner}'\""
                ),
                Some(_) => String::new(),
                None => format!(
                    "; the application secret {} that CNPG generates is written for that {what}",
                    default_app_secret(&cluster)
                ),
            }
            };
            let mut f = match (rec.database(), rec.owner()) {
                (None, owner_set) => {
                    let owned_by = match owner_set {
                        Some(o) => format!("owned by {o:?}"),
                        None => format!("owned by a new {DEFAULT_APP:?} role"),
                    };
                    let restored = initdb
                        .as_ref()
                        .map(|i| format!(", beside the restored {:?}", i.database))
                        .unwrap_or_default();
                    let secret = secret_note("empty database");
                    ctx.finding(
                        &META,
                        &span,
                        format!(
                            "bootstrap.recovery of Cluster {} sets no database{}: CNPG uses database \"app\" and, once the restore is done, creates it, empty and {owned_by}{restored}{secret}",
                            cluster.name(),
                            if owner_set.is_none() { " and no owner" } else { "" },
                        ),
                    )
                }
                (Some(database), None) => {
                    let secret = secret_note("role");
                    let mut f = ctx.finding(
                        &META,
                        &span,
                        format!(
                            "bootstrap.recovery of Cluster {} sets database {database:?} but no owner: CNPG uses the database name {database:?} as owner{}",
                            cluster.name(),
                            match &initdb {
                                Some(i) if i.owner != database => format!(
                                    ", but the restored database belongs to {:?} (the initdb overlay's owner): CNPG creates a new login role {database:?} that owns nothing{secret}",
                                    i.owner
                                ),
                                Some(_) => ", which is the initdb overlay's owner today; set it explicitly so the two cannot drift apart".to_string(),
                                None => format!("; if the restored database belongs to another role, CNPG creates a new login role {database:?}{secret}"),
                            }
                        ),
                    );
                    if initdb.as_ref().is_some_and(|i| i.owner == database) {
                        f.severity = Severity::Warning;
                    }
                    f
                }
                (Some(_), Some(_)) => continue,
            };
            f.help = Some(match &initdb {
                Some(i) => format!(
                    "set database: {} and owner: {}, as the initdb overlay does",
                    i.database, i.owner
                ),
                None => "set database and owner to the names of the application database and its owner in the restored data".to_string(),
            });
            out.push(f);
        }
    }
}
