//! The text of each scaffolded file. Written by hand rather than emitted from
//! a tree, so that the comments that tell the next reader how the DR switch
//! works sit where they are needed. Every user value goes through [`scalar`].

use std::fmt::Write as _;

use super::pattern::scalar;
use super::{BackupShape, ScaffoldFile, Spec};
use crate::cnpg::BARMAN_PLUGIN;

/// The name of the recovery source in `externalClusters`.
const SOURCE: &str = "origin";
const KUSTOMIZATION: &str = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";

/// Every file of the directory (unsorted).
pub fn files(spec: &Spec) -> Vec<ScaffoldFile> {
    let mut files = vec![
        file("kustomization.yaml", root(spec)),
        file("base/kustomization.yaml", base_kustomization(spec)),
        file("base/cluster.yaml", cluster(spec)),
        file("base/scheduled-backup.yaml", scheduled_backup(spec)),
        file("base/external-secret.yaml", external_secrets(spec)),
        file(
            "overlays/initdb/kustomization.yaml",
            overlay_kustomization(),
        ),
        file("overlays/initdb/bootstrap-patch.yaml", initdb_patch(spec)),
        file(
            "overlays/recovery/kustomization.yaml",
            overlay_kustomization(),
        ),
        file(
            "overlays/recovery/bootstrap-patch.yaml",
            recovery_patch(spec),
        ),
    ];
    if spec.backup == BackupShape::Plugin {
        files.push(file("base/objectstore.yaml", object_store(spec)));
    }
    files
}

fn file(path: &str, content: String) -> ScaffoldFile {
    ScaffoldFile {
        path: path.to_string(),
        content,
    }
}

fn root(spec: &Spec) -> String {
    format!(
        "{KUSTOMIZATION}\
# DR switch: exactly one overlay is active.
#   initdb   - steady state: a new Cluster starts as an empty database
#   recovery - a new Cluster is restored from the bucket; the lineage it reads
#              and the one it writes are set in overlays/recovery
# To recover, run `cnpg-dr plan {name}`: it flips this switch and sets both
# lineages from the repository's history, which a flip by hand does not.
# Run `cnpg-dr lint` before you commit.
resources:
  - overlays/initdb
  # - overlays/recovery
",
        name = spec.name,
    )
}

fn base_kustomization(spec: &Spec) -> String {
    let mut out = format!(
        "{KUSTOMIZATION}namespace: {}\nresources:\n  - cluster.yaml\n",
        scalar(&spec.namespace)
    );
    if spec.backup == BackupShape::Plugin {
        out.push_str("  - objectstore.yaml\n");
    }
    out.push_str("  - scheduled-backup.yaml\n  - external-secret.yaml\n");
    out
}

/// `key: name` lines of an S3 credentials block, indented by `indent`.
fn s3_credentials(spec: &Spec, indent: &str) -> String {
    let secret = scalar(&spec.s3_credentials);
    format!(
        "{indent}s3Credentials:
{indent}  accessKeyId:
{indent}    name: {secret}
{indent}    key: ACCESS_KEY_ID
{indent}  secretAccessKey:
{indent}    name: {secret}
{indent}    key: ACCESS_SECRET_KEY
"
    )
}

/// The reasoned suppression written above an in-tree store when the user
/// chose the native shape on purpose.
fn native_ack(spec: &Spec, indent: &str) -> String {
    if spec.acknowledge_native {
        format!(
            "{indent}# cnpg-dr: ignore[barman-object-store-deprecated] native shape chosen with `cnpg-dr new --backup native`; migrate: cnpg-dr migrate plugin {}\n",
            spec.name
        )
    } else {
        String::new()
    }
}

fn cluster(spec: &Spec) -> String {
    let mut out = format!(
        "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: {}\n",
        scalar(&spec.cluster)
    );
    if !spec.labels.is_empty() {
        out.push_str("  labels:\n");
        for (k, v) in &spec.labels {
            let _ = writeln!(out, "    {}: {}", scalar(k), scalar(v));
        }
    }
    let _ = write!(
        out,
        "spec:\n  instances: {}\n  imageName: {}\n  storage:\n    size: {}\n",
        spec.instances,
        scalar(&spec.image),
        scalar(&spec.storage_size)
    );
    if let Some(class) = &spec.storage_class {
        let _ = writeln!(out, "    storageClass: {}", scalar(class));
    }
    out.push_str("  # bootstrap comes from the active overlay (initdb or recovery).\n");
    match spec.backup {
        BackupShape::Plugin => {
            let _ = write!(
                out,
                "  plugins:
    - name: {BARMAN_PLUGIN}
      isWALArchiver: true
      parameters:
        barmanObjectName: {store}
        # Write lineage: a fresh serverName for every new cluster, never reused
        # (`cnpg-dr plan` bumps it for a recovery).
        serverName: {first}
",
                store = scalar(&spec.object_store()),
                first = scalar(&spec.first_lineage()),
            );
        }
        BackupShape::Native => {
            let _ = write!(
                out,
                "  backup:\n    retentionPolicy: {}\n{}    barmanObjectStore:\n      destinationPath: {}\n",
                scalar(&spec.retention_policy),
                native_ack(spec, "    "),
                scalar(&spec.destination_path)
            );
            if let Some(e) = &spec.endpoint_url {
                let _ = writeln!(out, "      endpointURL: {}", scalar(e));
            }
            let _ = write!(
                out,
                "      # Write lineage: a fresh serverName for every new cluster, never reused
      # (`cnpg-dr plan` bumps it for a recovery).
      serverName: {first}
{creds}      wal:
        compression: gzip
      data:
        compression: bzip2
",
                first = scalar(&spec.first_lineage()),
                creds = s3_credentials(spec, "      "),
            );
        }
    }
    out
}

fn object_store(spec: &Spec) -> String {
    let mut out = format!(
        "apiVersion: barmancloud.cnpg.io/v1
kind: ObjectStore
metadata:
  name: {}
spec:
  retentionPolicy: {}
  configuration:
    # The lineage (serverName) is a plugin parameter of the Cluster, not set here.
    destinationPath: {}
",
        scalar(&spec.object_store()),
        scalar(&spec.retention_policy),
        scalar(&spec.destination_path)
    );
    if let Some(e) = &spec.endpoint_url {
        let _ = writeln!(out, "    endpointURL: {}", scalar(e));
    }
    out.push_str(&s3_credentials(spec, "    "));
    out.push_str("    wal:\n      compression: gzip\n    data:\n      compression: bzip2\n");
    out
}

fn scheduled_backup(spec: &Spec) -> String {
    let mut out = format!(
        "apiVersion: postgresql.cnpg.io/v1
kind: ScheduledBackup
metadata:
  name: {}
spec:
  # CNPG's cron has six fields, seconds first.
  schedule: {}
  backupOwnerReference: self
  cluster:
    name: {}
",
        scalar(&spec.scheduled_backup()),
        scalar(&spec.schedule),
        scalar(&spec.cluster)
    );
    match spec.backup {
        BackupShape::Plugin => {
            let _ = write!(
                out,
                "  method: plugin\n  pluginConfiguration:\n    name: {BARMAN_PLUGIN}\n"
            );
        }
        BackupShape::Native => out.push_str("  method: barmanObjectStore\n"),
    }
    out
}

fn external_secrets(spec: &Spec) -> String {
    let store = format!(
        "  refreshInterval: 1h\n  secretStoreRef:\n    kind: {}\n    name: {}\n",
        scalar(&spec.secret_store.kind),
        scalar(&spec.secret_store.name)
    );
    let app = scalar(&spec.app_secret());
    let s3 = scalar(&spec.s3_credentials);
    let app_key = scalar(&spec.app_credentials_key);
    let s3_key = scalar(&spec.s3_credentials_key);
    format!(
        "# The application user's credentials (bootstrap initdb and recovery `secret`):
# kept in the secret manager, so a rebuilt cluster gets the same ones.
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: {app}
spec:
{store}  target:
    name: {app}
    template:
      type: kubernetes.io/basic-auth
  data:
    - secretKey: username
      remoteRef:
        key: {app_key}
        property: username
    - secretKey: password
      remoteRef:
        key: {app_key}
        property: password
---
# The bucket credentials: backups, WAL archiving and every recovery read them.
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: {s3}
spec:
{store}  target:
    name: {s3}
  data:
    - secretKey: ACCESS_KEY_ID
      remoteRef:
        key: {s3_key}
        property: access_key_id
    - secretKey: ACCESS_SECRET_KEY
      remoteRef:
        key: {s3_key}
        property: secret_access_key
"
    )
}

fn overlay_kustomization() -> String {
    format!("{KUSTOMIZATION}resources:\n  - ../../base\npatches:\n  - path: bootstrap-patch.yaml\n")
}

fn patch_header(spec: &Spec) -> String {
    format!(
        "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: {}\nspec:\n",
        scalar(&spec.cluster)
    )
}

fn initdb_patch(spec: &Spec) -> String {
    format!(
        "{}  bootstrap:
    initdb:
      database: {}
      owner: {}
      secret:
        name: {}
",
        patch_header(spec),
        scalar(&spec.database),
        scalar(&spec.owner),
        scalar(&spec.app_secret())
    )
}

fn recovery_patch(spec: &Spec) -> String {
    let first = scalar(&spec.first_lineage());
    let second = scalar(&spec.second_lineage());
    let mut out = format!(
        "{}  bootstrap:
    recovery:
      source: {SOURCE}
      # The same database and owner as initdb: otherwise CNPG adds an empty
      # `app` database and the application secret points at it.
      database: {}
      owner: {}
      secret:
        name: {}
      # Point in time (default: the end of the archive), with an explicit offset:
      # recoveryTarget:
      #   targetTime: \"2025-01-31 23:59:59+00:00\"
",
        patch_header(spec),
        scalar(&spec.database),
        scalar(&spec.owner),
        scalar(&spec.app_secret())
    );
    match spec.backup {
        BackupShape::Plugin => {
            let store = scalar(&spec.object_store());
            let _ = write!(
                out,
                "  # Write lineage after the recovery: the next version, never the one read
  # below (the plugin refuses to archive into a lineage that holds WAL).
  plugins:
    - name: {BARMAN_PLUGIN}
      isWALArchiver: true
      parameters:
        barmanObjectName: {store}
        serverName: {second}
  externalClusters:
    - name: {SOURCE}
      plugin:
        name: {BARMAN_PLUGIN}
        parameters:
          barmanObjectName: {store}
          # Read lineage: the one the previous cluster wrote.
          serverName: {first}
"
            );
        }
        BackupShape::Native => {
            let _ = write!(
                out,
                "  # Write lineage after the recovery: the next version, never the one read
  # below (CNPG refuses to archive into a lineage that holds WAL).
  backup:
    barmanObjectStore:
      serverName: {second}
  externalClusters:
    - name: {SOURCE}
{}      barmanObjectStore:
        destinationPath: {}
",
                native_ack(spec, "      "),
                scalar(&spec.destination_path)
            );
            if let Some(e) = &spec.endpoint_url {
                let _ = writeln!(out, "        endpointURL: {}", scalar(e));
            }
            let _ = write!(
                out,
                "        # Read lineage: the one the previous cluster wrote.\n        serverName: {first}\n{}",
                s3_credentials(spec, "        ")
            );
        }
    }
    out
}
