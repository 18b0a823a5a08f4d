//! Recovery rules: how a Cluster is bootstrapped (one method), and
//! `spec.bootstrap.recovery`: its source and its target.

use cnpg_dr_core::cnpg::{is_kind, Cluster, Recovery, CNPG_GROUP};
use cnpg_dr_core::discover::Database;
use cnpg_dr_core::yaml::{Node, Span};

use crate::rules::helpers::{head, key_span};
use crate::rules::rule::VariantContext;

pub mod backup_id_invalid;
pub mod database_mismatch;
pub mod database_unset;
pub mod left_active;
pub mod multiple_methods;
pub mod secret_unset;
pub mod source_missing;
pub mod source_no_backup;
pub mod target_exclusive;
pub mod target_time;

/// Where to point a finding about the whole `bootstrap.recovery` block: its key.
pub fn recovery_span(cluster: &Cluster<'_>) -> Span {
    key_span(cluster.spec(&["bootstrap"]), "recovery")
        .or_else(|| cluster.recovery().map(|r| head(&r.node.span)))
        .unwrap_or_else(|| head(&cluster.node().span))
}

/// CNPG's default application database and owner.
pub const DEFAULT_APP: &str = "app";

/// What an initdb bootstrap created: the effective database, owner and secret
/// (CNPG defaults database to `app` and owner to the database).
#[derive(Clone, Debug)]
pub struct InitdbValues<'a> {
    pub database: String,
    pub owner: String,
    pub database_node: Option<&'a Node>,
    pub owner_node: Option<&'a Node>,
    pub secret: Option<&'a str>,
}

fn text(node: Option<&Node>) -> Option<&str> {
    node.and_then(Node::as_str).filter(|s| !s.is_empty())
}

/// The initdb values of the Cluster named `name` in the database's variant that
/// bootstraps it with initdb (the overlay that created the lineage's data).
pub fn initdb_values<'a>(database: &'a Database, name: &str) -> Option<InitdbValues<'a>> {
    database.variants.iter().find_map(|v| {
        let cluster = v
            .clusters()
            .find(|c| c.name() == name && c.recovery().is_none())?;
        let initdb = cluster.initdb()?;
        Some(values_of(initdb))
    })
}

fn values_of(initdb: &Node) -> InitdbValues<'_> {
    let database_node = initdb.get_path(&["database"]).filter(|n| !n.is_null());
    let owner_node = initdb.get_path(&["owner"]).filter(|n| !n.is_null());
    let database = text(database_node).unwrap_or(DEFAULT_APP).to_string();
    let owner = text(owner_node).unwrap_or(&database).to_string();
    InitdbValues {
        database,
        owner,
        database_node,
        owner_node,
        secret: text(initdb.get_path(&["secret", "name"])),
    }
}

/// The secret CNPG uses for the application owner: the bootstrap's `secret.name`
/// or `<cluster>-app`.
pub fn default_app_secret(cluster: &Cluster<'_>) -> String {
    format!("{}-app", cluster.name())
}

/// The applications that bring their own database to `cluster`: the owners
/// (or names) of its `Database` objects, in the render or among the loose
/// manifests, and its `spec.managed.roles`, each named once.
pub fn consumers<'a>(ctx: &VariantContext<'a>, cluster: &Cluster<'a>) -> Vec<&'a str> {
    let mut names: Vec<&'a str> = Vec::new();
    let databases = ctx
        .variant
        .resources()
        .iter()
        .chain(&ctx.repo.loose)
        .filter(|r| is_kind(r, CNPG_GROUP, "Database") && r.namespace() == cluster.namespace())
        .filter(|r| text(r.node.get_path(&["spec", "cluster", "name"])) == Some(cluster.name()));
    for db in databases {
        let spec = |key| text(db.node.get_path(&["spec", key]));
        names.extend(spec("owner").or(spec("name")));
    }
    let roles = cluster.spec(&["managed", "roles"]).and_then(Node::as_seq);
    names.extend(
        roles
            .into_iter()
            .flatten()
            .filter_map(|r| text(r.get_path(&["name"]))),
    );
    names.sort_unstable();
    names.dedup();
    names
}

/// True when `cluster` serves several applications that own their databases
/// and nothing uses CNPG's application database: the recovery names no
/// database and no owner, and the initdb that created the lineage (when this
/// directory has one) named none either. CNPG's `app` default is then an
/// unused extra, not the application's data.
pub fn shared_without_app_database(
    ctx: &VariantContext<'_>,
    cluster: &Cluster<'_>,
    rec: &Recovery<'_>,
) -> bool {
    let initdb_named = initdb_values(ctx.database, cluster.name())
        .is_some_and(|i| i.database_node.is_some() || i.owner_node.is_some());
    rec.database().is_none()
        && rec.owner().is_none()
        && !initdb_named
        && consumers(ctx, cluster).len() >= 2
}
