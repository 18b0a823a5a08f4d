use cnpg_dr_core::cnpg::ObjectStore;
use cnpg_dr_core::kustomize::Resource;
use cnpg_dr_core::yaml::Node;

use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::rule::{Rule, VariantContext};

/// A bootstrap or object-store credential Secret that nothing in Git produces.
pub struct BootstrapSecretUnmanaged;

pub static META: RuleMeta = RuleMeta {
    id: "CDR501",
    name: "bootstrap-secret-unmanaged",
    severity: Severity::Warning,
    summary:
        "A Secret the Cluster needs to bootstrap or reach its backups is produced by nothing in Git",
    doc: r#"## What it checks
The Secrets a Cluster needs on a fresh start must be produced by something in the repository:
- `bootstrap.initdb.secret.name` and `bootstrap.recovery.secret.name`;
- the credential Secrets (`s3Credentials`, `azureCredentials`, `googleCredentials`, `endpointCA`)
  of `spec.backup.barmanObjectStore`, of `externalClusters[].barmanObjectStore`, and of the
  render's Barman Cloud `ObjectStore`s.

A Secret counts as produced when the render holds, in the same namespace, an `ExternalSecret`
whose `spec.target.name` (default: its `metadata.name`) is that name, a `Secret` (SOPS-encrypted
or not), a `SealedSecret` of that name, or the object of an operator known to write that Secret:
`OnePasswordItem`, `ObjectBucketClaim`, secretgen `Password`/`SecretTemplate`, the mittwald
secret generator, Vault Secrets Operator (`spec.destination.name`), Infisical, Doppler, a Garage
`GarageKey` (`spec.secretTemplate.name`, default its name) or any object with a Crossplane
`spec.writeConnectionSecretToRef`. Loose manifests and other databases' renders count too when
they name the same namespace, or name none and lie beside the database directory (under its
parent), where the application that deploys the database deploys them into its namespace.

## Why it matters during a recovery
Recoveries happen on empty namespaces and new clusters. A Secret that was once created by hand
is not there: the bootstrap waits for the application user's secret, or the plugin cannot read
the bucket it is supposed to restore from, and someone has to find the credentials during the
incident. Everything a recovery needs must come from Git.

## Example
```yaml
spec:
  bootstrap:
    recovery:
      source: origin
      secret:
        name: gitea-database-app   # no ExternalSecret or SealedSecret renders it
```

## Fix
Add an `ExternalSecret` (or a `SealedSecret`) that produces the Secret to the database's base,
for example:
```yaml
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: gitea-database-app
spec:
  secretStoreRef: {kind: ClusterSecretStore, name: vault}
  target:
    name: gitea-database-app
  data:
    - secretKey: password
      remoteRef: {key: databases/gitea, property: password}
```

## References
- CNPG docs, "Bootstrap": `initdb.secret`, `recovery.secret`.
- External Secrets Operator: `ExternalSecret.spec.target.name`.
"#,
};

/// Credential fields that hold a Secret reference (`{name, key}`).
const CREDENTIAL_REFS: &[(&str, &str)] = &[
    ("s3Credentials", "accessKeyId"),
    ("s3Credentials", "secretAccessKey"),
    ("s3Credentials", "region"),
    ("s3Credentials", "sessionToken"),
    ("azureCredentials", "connectionString"),
    ("azureCredentials", "storageAccount"),
    ("azureCredentials", "storageKey"),
    ("azureCredentials", "storageSasToken"),
    ("googleCredentials", "applicationCredentials"),
];

/// The Secret names a barman object-store configuration refers to, with their nodes.
fn credential_names(config: &Node) -> Vec<&Node> {
    CREDENTIAL_REFS
        .iter()
        .filter_map(|(block, field)| config.get_path(&[block, field, "name"]))
        .chain(config.get_path(&["endpointCA", "name"]))
        .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
        .collect()
}

/// The name of the Secret a resource produces in its namespace: a Secret
/// (SOPS-encrypted or not), a SealedSecret, an ExternalSecret, or the CR of
/// an operator known to write one (secret managers, Garage keys, object
/// bucket claims, Crossplane connection secrets).
fn produced(r: &Resource) -> Option<&str> {
    let gvk = r.gvk();
    let str_at = |path: &[&str]| {
        r.node
            .get_path(path)
            .and_then(Node::as_str)
            .filter(|s| !s.is_empty())
    };
    let own = Some(r.name());
    if let Some(name) = str_at(&["spec", "writeConnectionSecretToRef", "name"]) {
        return Some(name);
    }
    match (gvk.group.as_str(), gvk.kind.as_str()) {
        ("", "Secret")
        | ("bitnami.com", "SealedSecret")
        | ("onepassword.com", "OnePasswordItem")
        | ("objectbucket.io", "ObjectBucketClaim")
        | ("secretgen.k14s.io", "Password" | "SecretTemplate")
        | ("secretgenerator.mittwald.de", "StringSecret" | "BasicAuth" | "SSHKeyPair") => own,
        ("external-secrets.io", "ExternalSecret") => str_at(&["spec", "target", "name"]).or(own),
        ("garage.rajsingh.info", "GarageKey") => {
            str_at(&["spec", "secretTemplate", "name"]).or(own)
        }
        (
            "secrets.hashicorp.com",
            "VaultStaticSecret" | "VaultDynamicSecret" | "VaultPKISecret",
        ) => str_at(&["spec", "destination", "name"]),
        ("secrets.infisical.com", "InfisicalSecret") => {
            str_at(&["spec", "managedSecretReference", "secretName"])
        }
        ("secrets.doppler.com", "DopplerSecret") => str_at(&["spec", "managedSecret", "name"]),
        _ => None,
    }
}

/// A Secret generated by kustomize under `name` with a hash suffix appended.
fn hashed_generated<'a>(resources: &'a [Resource], ns: &str, name: &str) -> Option<&'a str> {
    resources
        .iter()
        .filter(|r| r.generated && r.kind() == "Secret" && r.namespace() == ns)
        .find(|r| r.name() != name && r.original_id().name == name)
        .map(Resource::name)
}

impl Rule for BootstrapSecretUnmanaged {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        let resources = ctx.variant.resources();
        // Elsewhere in Git: loose manifests, and the other databases' renders
        // (a sibling directory deployed into the same namespace).
        let elsewhere = ctx.elsewhere();
        let produces = |namespace: &str, name: &str| {
            resources
                .iter()
                .any(|r| r.namespace() == namespace && produced(r) == Some(name))
                || elsewhere
                    .iter()
                    .any(|r| produced(r) == Some(name) && ctx.deployed_into(r, namespace))
        };
        // (owner resource, what the secret is for, node naming it, what a missing one does)
        let mut refs: Vec<(&Resource, String, &Node, &str)> = Vec::new();
        const BOOTSTRAP: &str = "the bootstrap waits";
        const BUCKET: &str = "the bucket cannot be read";
        for cluster in ctx.variant.clusters() {
            for (method, node) in [
                ("initdb", cluster.initdb()),
                ("recovery", cluster.recovery().map(|r| r.node)),
            ] {
                if let Some(n) = node.and_then(|n| n.get_path(&["secret", "name"])) {
                    refs.push((
                        cluster.resource,
                        format!("its {method} secret (the application user's credentials)"),
                        n,
                        BOOTSTRAP,
                    ));
                }
            }
            if let Some(store) = cluster.native_store() {
                for n in credential_names(store) {
                    refs.push((
                        cluster.resource,
                        "the credentials of spec.backup.barmanObjectStore".to_string(),
                        n,
                        BUCKET,
                    ));
                }
            }
            for ext in cluster.external_clusters() {
                if let Some(store) = ext.barman_object_store() {
                    for n in credential_names(store) {
                        refs.push((
                            cluster.resource,
                            format!(
                                "the credentials of recovery source {}",
                                ext.name().unwrap_or("(unnamed)")
                            ),
                            n,
                            BUCKET,
                        ));
                    }
                }
            }
        }
        for store in resources.iter().filter_map(ObjectStore::from) {
            if let Some(config) = store.configuration() {
                for n in credential_names(config) {
                    refs.push((
                        store.resource,
                        "its bucket credentials".to_string(),
                        n,
                        BUCKET,
                    ));
                }
            }
        }
        let mut seen: Vec<(String, String, String)> = Vec::new();
        for (owner, purpose, node, effect) in refs {
            let Some(name) = node.as_str() else { continue };
            let ns = owner.namespace();
            if produces(ns, name) {
                continue;
            }
            let key = (
                owner.kind().to_string(),
                owner.name().to_string(),
                name.to_string(),
            );
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            let owner_words = format!("{} {}", owner.kind(), owner.name());
            let (message, help) = match hashed_generated(resources, ns, name) {
                Some(hashed) => (
                    format!(
                        "{owner_words} needs Secret {name} as {purpose}, but the secretGenerator renders it as {hashed} (hash suffix) and CNPG does not follow kustomize's rename: the Secret it asks for never exists"
                    ),
                    format!("set generatorOptions.disableNameSuffixHash: true for the {name} generator"),
                ),
                None => (
                    format!(
                        "{owner_words} needs Secret {name} as {purpose}, but nothing in Git produces it (no ExternalSecret, Secret or SealedSecret named {name} in {}): on a fresh Kubernetes cluster {effect} until someone recreates it by hand",
                        if ns.is_empty() { "the default namespace".to_string() } else { format!("namespace {ns}") }
                    ),
                    format!(
                        "add an ExternalSecret (spec.target.name: {name}) or a SealedSecret next to {owner_words}"
                    ),
                ),
            };
            let mut f = ctx.finding(&META, &node.span, message);
            f.help = Some(help);
            out.push(f);
        }
    }
}
