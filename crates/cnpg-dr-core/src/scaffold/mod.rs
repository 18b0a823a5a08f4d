//! Scaffolding a database directory: the choices a user makes (flags, the
//! `new:` section of `.cnpg-dr.yaml`, another database's conventions),
//! resolved into a [`Spec`], then into the files of a directory that renders
//! under kustomize and is ready for its first disaster recovery.
//!
//! Pure: nothing here touches the filesystem. The caller writes the files.

mod like;
mod pattern;
mod templates;
mod validate;

use std::fmt;
use std::path::Path;

pub use like::{conventions, LikeError};
pub use pattern::{expand, lineage_at, scalar, templatize};

use crate::fs::MemFs;
use crate::kustomize::{render, RenderOptions};

/// How a Cluster backs up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackupShape {
    /// The Barman Cloud plugin: an ObjectStore and `spec.plugins[]`.
    Plugin,
    /// In-tree `spec.backup.barmanObjectStore` (deprecated since CNPG 1.26).
    Native,
}

impl BackupShape {
    /// Parses `plugin` or `native`.
    pub fn parse(text: &str) -> Option<BackupShape> {
        match text {
            "plugin" => Some(BackupShape::Plugin),
            "native" => Some(BackupShape::Native),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            BackupShape::Plugin => "plugin",
            BackupShape::Native => "native",
        }
    }
}

/// The External Secrets store the ExternalSecrets read from: `KIND/NAME`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretStoreRef {
    /// `SecretStore` or `ClusterSecretStore`.
    pub kind: String,
    pub name: String,
}

impl SecretStoreRef {
    /// Parses `KIND/NAME`, or a bare `NAME` (a `ClusterSecretStore`).
    pub fn parse(text: &str) -> Result<SecretStoreRef, String> {
        let (kind, name) = match text.split_once('/') {
            Some((kind, name)) => (kind.trim(), name.trim()),
            None => ("ClusterSecretStore", text.trim()),
        };
        if !matches!(kind, "SecretStore" | "ClusterSecretStore") {
            return Err(format!(
                "the kind of {text:?} must be SecretStore or ClusterSecretStore (KIND/NAME)"
            ));
        }
        if name.is_empty() {
            return Err(format!("{text:?} names no store (KIND/NAME)"));
        }
        Ok(SecretStoreRef {
            kind: kind.to_string(),
            name: name.to_string(),
        })
    }
}

impl fmt::Display for SecretStoreRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.kind, self.name)
    }
}

/// One thing a user can choose; names the flag and configuration key in messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    Name,
    Namespace,
    Cluster,
    Lineage,
    Database,
    Owner,
    Backup,
    DestinationPath,
    EndpointUrl,
    S3Credentials,
    Instances,
    StorageSize,
    StorageClass,
    Image,
    Schedule,
    SecretStore,
    RetentionPolicy,
    Labels,
    AppCredentialsKey,
    S3CredentialsKey,
}

impl Field {
    /// The command-line flag that sets it, if one does.
    pub fn flag(self) -> Option<&'static str> {
        Some(match self {
            Field::Namespace => "--namespace",
            Field::Database => "--database",
            Field::Owner => "--owner",
            Field::Backup => "--backup",
            Field::DestinationPath => "--destination-path",
            Field::EndpointUrl => "--endpoint-url",
            Field::S3Credentials => "--s3-credentials",
            Field::Instances => "--instances",
            Field::StorageSize => "--storage-size",
            Field::StorageClass => "--storage-class",
            Field::Image => "--image",
            Field::Schedule => "--schedule",
            Field::SecretStore => "--secret-store",
            Field::RetentionPolicy => "--retention-policy",
            Field::Name
            | Field::Cluster
            | Field::Lineage
            | Field::Labels
            | Field::AppCredentialsKey
            | Field::S3CredentialsKey => return None,
        })
    }

    /// The key of the `new:` section of `.cnpg-dr.yaml` that sets it, if one does.
    pub fn config_key(self) -> Option<&'static str> {
        Some(match self {
            Field::Name => return None,
            Field::Namespace => "namespace",
            Field::Cluster => "cluster",
            Field::Lineage => "lineage",
            Field::Database => "database",
            Field::Owner => "owner",
            Field::Backup => "backup",
            Field::DestinationPath => "destinationPath",
            Field::EndpointUrl => "endpointURL",
            Field::S3Credentials => "s3Credentials",
            Field::Instances => "instances",
            Field::StorageSize => "storageSize",
            Field::StorageClass => "storageClass",
            Field::Image => "image",
            Field::Schedule => "schedule",
            Field::SecretStore => "secretStore",
            Field::RetentionPolicy => "retentionPolicy",
            Field::Labels => "labels",
            Field::AppCredentialsKey => "appCredentialsKey",
            Field::S3CredentialsKey => "s3CredentialsKey",
        })
    }
}

/// What a source (flags, configuration, another database, the built-in
/// defaults) says about each choice. String values are patterns: `{name}`
/// stands for the new database's name (`{n}` for the version in `lineage`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Choices {
    pub namespace: Option<String>,
    /// The Cluster's name.
    pub cluster: Option<String>,
    /// The lineage (serverName) pattern; must end in `-v{n}`.
    pub lineage: Option<String>,
    pub database: Option<String>,
    pub owner: Option<String>,
    pub backup: Option<BackupShape>,
    pub destination_path: Option<String>,
    pub endpoint_url: Option<String>,
    /// The Secret holding the bucket credentials.
    pub s3_credentials: Option<String>,
    pub instances: Option<u32>,
    pub storage_size: Option<String>,
    pub storage_class: Option<String>,
    pub image: Option<String>,
    pub schedule: Option<String>,
    pub secret_store: Option<SecretStoreRef>,
    pub retention_policy: Option<String>,
    /// Labels of the Cluster (the whole set: sources do not merge label by label).
    pub labels: Option<Vec<(String, String)>>,
    /// The secret manager key of the application user's credentials.
    pub app_credentials_key: Option<String>,
    /// The secret manager key of the bucket credentials.
    pub s3_credentials_key: Option<String>,
}

/// The image the built-in defaults use. The `system` flavour ships
/// barman-cloud, which the native shape needs inside the image.
pub const DEFAULT_IMAGE: &str = "ghcr.io/cloudnative-pg/postgresql:17.5-system-trixie";

impl Choices {
    /// What `cnpg-dr new` uses when nothing else says otherwise. The bucket
    /// and the secret store have no default: a guess there deploys a database
    /// without backups.
    pub fn builtin() -> Choices {
        Choices {
            namespace: Some("{name}".into()),
            cluster: Some("{name}-database".into()),
            lineage: Some("{name}-database-v{n}".into()),
            database: None,
            owner: None,
            backup: Some(BackupShape::Plugin),
            destination_path: None,
            endpoint_url: None,
            s3_credentials: Some("{name}-s3-credentials".into()),
            instances: Some(2),
            storage_size: Some("10Gi".into()),
            storage_class: None,
            image: Some(DEFAULT_IMAGE.into()),
            schedule: Some("0 0 3 * * *".into()),
            secret_store: None,
            retention_policy: Some("30d".into()),
            labels: Some(vec![("app.kubernetes.io/name".into(), "{name}".into())]),
            app_credentials_key: Some("databases/{name}".into()),
            s3_credentials_key: Some("backups/s3".into()),
        }
    }

    /// These choices, with every unset one taken from `lower`.
    pub fn over(self, lower: Choices) -> Choices {
        Choices {
            namespace: self.namespace.or(lower.namespace),
            cluster: self.cluster.or(lower.cluster),
            lineage: self.lineage.or(lower.lineage),
            database: self.database.or(lower.database),
            owner: self.owner.or(lower.owner),
            backup: self.backup.or(lower.backup),
            destination_path: self.destination_path.or(lower.destination_path),
            endpoint_url: self.endpoint_url.or(lower.endpoint_url),
            s3_credentials: self.s3_credentials.or(lower.s3_credentials),
            instances: self.instances.or(lower.instances),
            storage_size: self.storage_size.or(lower.storage_size),
            storage_class: self.storage_class.or(lower.storage_class),
            image: self.image.or(lower.image),
            schedule: self.schedule.or(lower.schedule),
            secret_store: self.secret_store.or(lower.secret_store),
            retention_policy: self.retention_policy.or(lower.retention_policy),
            labels: self.labels.or(lower.labels),
            app_credentials_key: self.app_credentials_key.or(lower.app_credentials_key),
            s3_credentials_key: self.s3_credentials_key.or(lower.s3_credentials_key),
        }
    }

    /// True when this source sets `field`.
    pub fn sets(&self, field: Field) -> bool {
        match field {
            Field::Name => false,
            Field::Namespace => self.namespace.is_some(),
            Field::Cluster => self.cluster.is_some(),
            Field::Lineage => self.lineage.is_some(),
            Field::Database => self.database.is_some(),
            Field::Owner => self.owner.is_some(),
            Field::Backup => self.backup.is_some(),
            Field::DestinationPath => self.destination_path.is_some(),
            Field::EndpointUrl => self.endpoint_url.is_some(),
            Field::S3Credentials => self.s3_credentials.is_some(),
            Field::Instances => self.instances.is_some(),
            Field::StorageSize => self.storage_size.is_some(),
            Field::StorageClass => self.storage_class.is_some(),
            Field::Image => self.image.is_some(),
            Field::Schedule => self.schedule.is_some(),
            Field::SecretStore => self.secret_store.is_some(),
            Field::RetentionPolicy => self.retention_policy.is_some(),
            Field::Labels => self.labels.is_some(),
            Field::AppCredentialsKey => self.app_credentials_key.is_some(),
            Field::S3CredentialsKey => self.s3_credentials_key.is_some(),
        }
    }

    /// Expands the patterns for database `name` and checks every value.
    pub fn resolve(&self, name: &str) -> Result<Spec, ScaffoldErrors> {
        validate::resolve(self, name)
    }
}

/// Everything a database directory is made from, expanded and checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    /// The directory name, and `{name}` in patterns.
    pub name: String,
    pub namespace: String,
    pub cluster: String,
    /// The lineage pattern with `{name}` expanded (`paperless-database-v{n}`).
    pub lineage: String,
    pub database: String,
    pub owner: String,
    pub backup: BackupShape,
    pub destination_path: String,
    pub endpoint_url: Option<String>,
    pub s3_credentials: String,
    pub instances: u32,
    pub storage_size: String,
    pub storage_class: Option<String>,
    pub image: String,
    pub schedule: String,
    pub secret_store: SecretStoreRef,
    pub retention_policy: String,
    pub labels: Vec<(String, String)>,
    pub app_credentials_key: String,
    pub s3_credentials_key: String,
    /// Marks the in-tree store with a reasoned `# cnpg-dr: ignore[...]` for
    /// the deprecation rule: the user asked for the native shape on purpose.
    pub acknowledge_native: bool,
}

impl Spec {
    /// The lineage the new Cluster writes first.
    pub fn first_lineage(&self) -> String {
        lineage_at(&self.lineage, 1)
    }
    /// The lineage the first recovery writes (it reads the first one).
    pub fn second_lineage(&self) -> String {
        lineage_at(&self.lineage, 2)
    }
    /// The Secret with the application user's credentials (CNPG's default name).
    pub fn app_secret(&self) -> String {
        format!("{}-app", self.cluster)
    }
    /// The ObjectStore of the plugin shape.
    pub fn object_store(&self) -> String {
        format!("{}-objectstore", self.name)
    }
    /// The ScheduledBackup.
    pub fn scheduled_backup(&self) -> String {
        format!("{}-backup", self.cluster)
    }
}

/// A value that cannot be used, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ScaffoldError {
    pub field: Field,
    pub message: String,
}

/// Every problem with a set of choices (all of them, not just the first).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "))]
pub struct ScaffoldErrors(pub Vec<ScaffoldError>);

/// One file of a scaffolded directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScaffoldFile {
    /// Relative to the database directory, `/`-separated (`base/cluster.yaml`).
    pub path: String,
    pub content: String,
}

/// The files of a database directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scaffold {
    /// The directory's name.
    pub name: String,
    /// Sorted by path.
    pub files: Vec<ScaffoldFile>,
}

/// The kustomization roots a scaffold renders: the directory and both overlays.
pub const ROOTS: [&str; 3] = ["", "overlays/initdb", "overlays/recovery"];

/// The files of a new database directory.
pub fn scaffold(spec: &Spec) -> Scaffold {
    let mut files = templates::files(spec);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Scaffold {
        name: spec.name.clone(),
        files,
    }
}

impl Scaffold {
    /// The directory as an indented tree (`paperless/`, `├── base/`, ...).
    pub fn tree(&self) -> String {
        let paths: Vec<Vec<&str>> = self
            .files
            .iter()
            .map(|f| f.path.split('/').collect())
            .collect();
        let mut out = format!("{}/\n", self.name);
        tree_level(&paths, &[], "", &mut out);
        out
    }

    /// Renders the three roots in memory: a scaffold that does not render is a bug.
    pub fn check_renders(&self) -> Result<(), crate::kustomize::RenderError> {
        let base = Path::new("/scaffold").join(&self.name);
        let mut fs = MemFs::new();
        for f in &self.files {
            fs.insert(base.join(&f.path), f.content.as_bytes());
        }
        for root in ROOTS {
            render(&fs, &base.join(root), &RenderOptions::default())?;
        }
        Ok(())
    }
}

/// Appends the entries under `prefix` (sorted paths), directories with a `/`.
fn tree_level(paths: &[Vec<&str>], prefix: &[&str], indent: &str, out: &mut String) {
    let depth = prefix.len();
    let mut children: Vec<(&str, bool)> = Vec::new();
    for p in paths
        .iter()
        .filter(|p| p.len() > depth && p[..depth] == *prefix)
    {
        let is_dir = p.len() > depth + 1;
        if !children.iter().any(|(n, d)| *n == p[depth] && *d == is_dir) {
            children.push((p[depth], is_dir));
        }
    }
    children.sort();
    for (i, (child, is_dir)) in children.iter().enumerate() {
        let last = i + 1 == children.len();
        out.push_str(indent);
        out.push_str(if last { "└── " } else { "├── " });
        out.push_str(child);
        if *is_dir {
            out.push_str("/\n");
            let mut next = prefix.to_vec();
            next.push(child);
            let deeper = format!("{indent}{}", if last { "    " } else { "│   " });
            tree_level(paths, &next, &deeper, out);
        } else {
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests;
