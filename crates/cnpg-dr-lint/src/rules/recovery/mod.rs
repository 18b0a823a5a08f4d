//! Recovery rules: how a Cluster is bootstrapped (one method), and
//! `spec.bootstrap.recovery`: its source and its target.

use cnpg_dr_core::cnpg::Cluster;
use cnpg_dr_core::discover::Database;
use cnpg_dr_core::yaml::{Node, Span};

use crate::rules::helpers::{head, key_span};

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
