use super::{default_app_secret, initdb_values};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::helpers::at;
use crate::rules::rule::{DatabaseContext, Rule, VariantContext};

/// A recovery whose database or owner differ from the initdb overlay's.
pub struct DatabaseMismatch;

pub static META: RuleMeta = RuleMeta {
    id: "CDR204",
    name: "recovery-database-mismatch",
    severity: Severity::Error,
    summary: "bootstrap.recovery database/owner differ from the initdb overlay's",
    doc: r#"## What it checks
For every Cluster of a database directory, the `database` and `owner` set in the recovery
overlay's `bootstrap.recovery` must equal the effective values of the initdb overlay's
`bootstrap.initdb` (CNPG defaults: database `app`, owner = database). The initdb overlay is what
created the data every later lineage carries, so its names are the names in the backup. Unset
recovery values are CDR202's business.

## Why it matters during a recovery
CNPG creates the recovery's database and owner when they are missing from the restored data.
A recovery that says `database: gitea_db` while the data holds `gitea` restores `gitea` and
creates an empty `gitea_db` beside it, and the application secret points at the empty one. An
owner mismatch creates a new role that owns nothing in the restored database.

## Example
```yaml
# overlays/initdb/bootstrap-patch.yaml
    initdb: {database: gitea, owner: gitea}
# overlays/recovery/bootstrap-patch.yaml
    recovery: {source: origin, database: gitea, owner: gitea_owner}
```

## Fix
Use the initdb overlay's database and owner in the recovery overlay. If the data was renamed
after initdb (by hand, in SQL), update the initdb overlay too, so both say what is in the backup.

## References
- CNPG `ShouldRecoveryCreateApplicationDatabase` and the restore job's `CREATE ROLE` /
  `CREATE DATABASE` for missing objects.
"#,
};

impl Rule for DatabaseMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_database(&self, ctx: &DatabaseContext<'_>, out: &mut Vec<Finding>) {
        for variant in &ctx.database.variants {
            let vctx = VariantContext {
                repo: ctx.repo,
                settings: ctx.settings,
                database: ctx.database,
                variant,
            };
            for cluster in variant.clusters() {
                let Some(rec) = cluster.recovery() else {
                    continue;
                };
                let Some(initdb) = initdb_values(ctx.database, cluster.name()) else {
                    continue;
                };
                let where_initdb = |node: Option<&cnpg_dr_core::yaml::Node>| {
                    node.map(|n| format!(" at {}", at(&vctx, &n.span)))
                        .unwrap_or_else(|| " (CNPG's default)".to_string())
                };
                let secret = rec.secret_name();
                if let (Some(db), Some(node)) = (rec.database(), rec.field("database")) {
                    if db != initdb.database {
                        let mut f = vctx.finding(
                            &META,
                            &node.span,
                            format!(
                                "Cluster {} restores database {db:?}, but the initdb overlay created {:?}{}: the backups hold {:?}, so after the restore CNPG creates an empty {db:?} database beside it{}",
                                cluster.name(),
                                initdb.database,
                                where_initdb(initdb.database_node),
                                initdb.database,
                                match secret {
                                    Some(_) => format!(", and whatever is configured for {db:?} connects to the empty one"),
                                    None => format!(", and the application secret {} that CNPG generates points at the empty one", default_app_secret(&cluster)),
                                }
                            ),
                        );
                        f.help = Some(format!(
                            "set database: {} (or, if the data was renamed since, change the initdb overlay too so both say what the backups hold)",
                            initdb.database
                        ));
                        out.push(f);
                    }
                }
                if let (Some(owner), Some(node)) = (rec.owner(), rec.field("owner")) {
                    if owner != initdb.owner {
                        let mut f = vctx.finding(
                            &META,
                            &node.span,
                            format!(
                                "Cluster {} restores with owner {owner:?}, but the initdb overlay made {:?} the owner{}: CNPG creates a new login role {owner:?} that owns nothing in the restored database{}",
                                cluster.name(),
                                initdb.owner,
                                where_initdb(initdb.owner_node),
                                match secret {
                                    Some(s) => format!(", and expects the secret {s} to hold user {owner:?}: if it holds {:?}, every reconcile of the instance manager fails with \"wrong username '{}' in secret, expected '{owner}'\"", initdb.owner, initdb.owner),
                                    None => format!(", and the application secret {} that CNPG generates is written for it", default_app_secret(&cluster)),
                                }
                            ),
                        );
                        f.help = Some(format!("set owner: {}", initdb.owner));
                        out.push(f);
                    }
                }
            }
        }
    }
}
