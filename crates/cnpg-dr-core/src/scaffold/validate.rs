//! From choices to a [`Spec`]: expand the patterns, then check each value the
//! way the API server, CNPG's webhook and the lint rules would, so that a
//! scaffold is valid before it is written.

use std::sync::LazyLock;

use regex::Regex;

use super::pattern::{expand, lineage_at};
use super::{Choices, Field, ScaffoldError, ScaffoldErrors, Spec};
use crate::cnpg::policy::{self, valid_retention_policy, Schedule};
use crate::lineage::Lineage;

fn re(pattern: &str) -> Regex {
    // The patterns are literals of this file, checked by the tests.
    Regex::new(pattern).unwrap_or_else(|e| panic!("bad built-in regex {pattern}: {e}"))
}

/// RFC 1035 label: a Cluster name (CNPG requires it).
static DNS_1035: LazyLock<Regex> = LazyLock::new(|| re(r"^[a-z]([-a-z0-9]*[a-z0-9])?$"));
/// RFC 1123 label: a namespace.
static DNS_1123_LABEL: LazyLock<Regex> = LazyLock::new(|| re(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"));
/// RFC 1123 subdomain: most object names.
static DNS_1123_SUBDOMAIN: LazyLock<Regex> =
    LazyLock::new(|| re(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"));
/// A PostgreSQL identifier that needs no quoting.
static PG_IDENTIFIER: LazyLock<Regex> = LazyLock::new(|| re(r"^[a-z_][a-z0-9_]*$"));
/// A Kubernetes quantity, as storage sizes are written.
static QUANTITY: LazyLock<Regex> =
    LazyLock::new(|| re(r"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$"));
/// A label value.
static LABEL_VALUE: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$"));
/// The name part of a label key.
static LABEL_NAME: LazyLock<Regex> =
    LazyLock::new(|| re(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$"));

/// Collects problems while resolving.
struct Check {
    errors: Vec<ScaffoldError>,
}

impl Check {
    fn fail(&mut self, field: Field, message: String) {
        self.errors.push(ScaffoldError { field, message });
    }

    /// The expanded value of a required string choice.
    /// `what` is the value's name, then optionally `: an explanation`.
    fn required(&mut self, field: Field, value: &Option<String>, name: &str, what: &str) -> String {
        match value {
            Some(v) => {
                let v = expand(v, name).trim().to_string();
                if v.is_empty() {
                    let short = what.split(':').next().unwrap_or(what);
                    self.fail(field, format!("the {short} is empty"));
                }
                v
            }
            None => {
                let message = match what.split_once(": ") {
                    Some((short, why)) => format!("no {short} given: {why}"),
                    None => format!("no {what} given"),
                };
                self.fail(field, message);
                String::new()
            }
        }
    }

    fn matches(&mut self, field: Field, value: &str, re: &Regex, max: usize, what: &str) {
        if value.is_empty() {
            // Reported by `required`, or a value derived from one already reported.
        } else if !re.is_match(value) {
            self.fail(field, format!("{value:?} is not a valid {what}"));
        } else if value.len() > max {
            self.fail(
                field,
                format!(
                    "{value:?} is {} characters long; a {what} has at most {max}",
                    value.len()
                ),
            );
        }
    }
}

/// Expands `choices` for database `name` and checks every value.
pub fn resolve(choices: &Choices, name: &str) -> Result<Spec, ScaffoldErrors> {
    let mut c = Check { errors: Vec::new() };
    c.matches(
        Field::Name,
        name,
        &DNS_1035,
        63,
        "database directory name (lower-case letters, digits and '-', starting with a letter)",
    );
    if name.is_empty() {
        c.fail(Field::Name, "the database name is empty".into());
    }
    if !c.errors.is_empty() {
        // Every other value derives from the name: fix that first.
        return Err(ScaffoldErrors(c.errors));
    }

    let namespace = c.required(Field::Namespace, &choices.namespace, name, "namespace");
    c.matches(
        Field::Namespace,
        &namespace,
        &DNS_1123_LABEL,
        63,
        "namespace",
    );
    let cluster = c.required(Field::Cluster, &choices.cluster, name, "Cluster name");
    // CNPG's webhook: a DNS-1035 label of at most 50 characters.
    c.matches(Field::Cluster, &cluster, &DNS_1035, 50, "Cluster name");

    let lineage = c.required(Field::Lineage, &choices.lineage, name, "lineage pattern");
    check_lineage(&mut c, &lineage, choices.lineage.as_deref().unwrap_or(""));

    let default_db = name.replace('-', "_");
    let database = choices
        .database
        .as_deref()
        .map_or(default_db.clone(), |d| expand(d, &default_db));
    c.matches(
        Field::Database,
        &database,
        &PG_IDENTIFIER,
        63,
        "database name (lower-case letters, digits and '_')",
    );
    let owner = choices
        .owner
        .as_deref()
        .map_or(database.clone(), |o| expand(o, &default_db));
    if choices.owner.is_some() || PG_IDENTIFIER.is_match(&database) {
        c.matches(
            Field::Owner,
            &owner,
            &PG_IDENTIFIER,
            63,
            "owner (role) name (lower-case letters, digits and '_')",
        );
    }

    let backup = choices.backup.unwrap_or(super::BackupShape::Plugin);
    let destination_path = c.required(
        Field::DestinationPath,
        &choices.destination_path,
        name,
        "destination path: the bucket and prefix backups go to, such as s3://backups/{name}",
    );
    if !destination_path.is_empty() {
        match destination_path.strip_prefix("s3://") {
            Some(rest) if !rest.is_empty() && !rest.starts_with('/') => {}
            _ => c.fail(
                Field::DestinationPath,
                format!("{destination_path:?} is not an S3 destination (s3://BUCKET/PREFIX): the scaffold writes S3 credentials"),
            ),
        }
    }
    let endpoint_url = choices
        .endpoint_url
        .as_deref()
        .map(|e| expand(e, name).trim().to_string())
        .filter(|e| !e.is_empty());
    if let Some(e) = &endpoint_url {
        if !(e.starts_with("https://") || e.starts_with("http://"))
            || e.contains(char::is_whitespace)
        {
            c.fail(Field::EndpointUrl, format!("{e:?} is not an http(s) URL"));
        }
    }
    let s3_credentials = c.required(
        Field::S3Credentials,
        &choices.s3_credentials,
        name,
        "S3 credentials Secret name",
    );
    c.matches(
        Field::S3Credentials,
        &s3_credentials,
        &DNS_1123_SUBDOMAIN,
        253,
        "Secret name",
    );

    let instances = choices.instances.unwrap_or(1);
    if instances == 0 {
        c.fail(
            Field::Instances,
            "a Cluster needs at least 1 instance".into(),
        );
    }
    let storage_size = c.required(
        Field::StorageSize,
        &choices.storage_size,
        name,
        "storage size",
    );
    if !storage_size.is_empty() && !QUANTITY.is_match(&storage_size) {
        c.fail(
            Field::StorageSize,
            format!("{storage_size:?} is not a storage size such as 10Gi"),
        );
    }
    let storage_class = choices
        .storage_class
        .as_deref()
        .map(|s| expand(s, name).trim().to_string())
        .filter(|s| !s.is_empty());
    if let Some(s) = &storage_class {
        c.matches(
            Field::StorageClass,
            s,
            &DNS_1123_SUBDOMAIN,
            253,
            "storage class name",
        );
    }
    let image = c.required(Field::Image, &choices.image, name, "image");
    check_image(&mut c, &image);
    let schedule = c.required(Field::Schedule, &choices.schedule, name, "backup schedule");
    check_schedule(&mut c, &schedule);
    let secret_store = match &choices.secret_store {
        Some(s) => {
            let s = super::SecretStoreRef {
                kind: s.kind.clone(),
                name: expand(&s.name, name),
            };
            c.matches(
                Field::SecretStore,
                &s.name,
                &DNS_1123_SUBDOMAIN,
                253,
                "secret store name",
            );
            s
        }
        None => {
            c.fail(
                Field::SecretStore,
                "no secret store given: the External Secrets store the credentials come from, KIND/NAME such as ClusterSecretStore/vault".into(),
            );
            super::SecretStoreRef {
                kind: String::new(),
                name: String::new(),
            }
        }
    };
    let retention_policy = c.required(
        Field::RetentionPolicy,
        &choices.retention_policy,
        name,
        "retention policy",
    );
    if !retention_policy.is_empty() && !valid_retention_policy(&retention_policy) {
        c.fail(
            Field::RetentionPolicy,
            format!("{retention_policy:?} is not a retention policy: a number of days, weeks or months such as 30d, 4w or 6m"),
        );
    }
    let labels: Vec<(String, String)> = choices
        .labels
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (expand(&k, name), expand(&v, name)))
        .collect();
    for (k, v) in &labels {
        check_label(&mut c, k, v);
    }
    let app_credentials_key = c.required(
        Field::AppCredentialsKey,
        &choices.app_credentials_key,
        name,
        "secret manager key for the application credentials",
    );
    if app_credentials_key.is_empty() {
        c.fail(
            Field::AppCredentialsKey,
            "the application credentials key is empty".into(),
        );
    }
    let s3_credentials_key = c.required(
        Field::S3CredentialsKey,
        &choices.s3_credentials_key,
        name,
        "secret manager key for the S3 credentials",
    );
    if s3_credentials_key.is_empty() {
        c.fail(
            Field::S3CredentialsKey,
            "the S3 credentials key is empty".into(),
        );
    }

    if !c.errors.is_empty() {
        // One message per field: the first problem found is the one to fix.
        let mut seen = Vec::new();
        c.errors.retain(|e| {
            let first = !seen.contains(&e.field);
            seen.push(e.field);
            first
        });
        return Err(ScaffoldErrors(c.errors));
    }
    Ok(Spec {
        name: name.to_string(),
        namespace,
        cluster,
        lineage,
        database,
        owner,
        backup,
        destination_path,
        endpoint_url,
        s3_credentials,
        instances,
        storage_size,
        storage_class,
        image,
        schedule,
        secret_store,
        retention_policy,
        labels,
        app_credentials_key,
        s3_credentials_key,
        acknowledge_native: false,
    })
}

/// A lineage pattern must end in `-v{n}`, so that every tool reads the
/// versions back (`Lineage::parse`), and name a valid serverName. `pattern`
/// has `{name}` expanded; messages quote `written`, the pattern as the user
/// wrote it, so they can find it in their file or command line.
fn check_lineage(c: &mut Check, pattern: &str, written: &str) {
    let written = written.trim();
    if pattern.is_empty() {
        return;
    }
    if !pattern.ends_with("-v{n}") || pattern.matches("{n}").count() != 1 {
        c.fail(
            Field::Lineage,
            format!("the lineage pattern {written:?} must end in -v{{n}} (such as {{name}}-database-v{{n}}), so that versions can be read back and bumped"),
        );
        return;
    }
    let first = lineage_at(pattern, 1);
    if Lineage::parse(&first).is_none_or(|l| l.version != 1) || !DNS_1123_SUBDOMAIN.is_match(&first)
    {
        c.fail(
            Field::Lineage,
            format!(
                "the lineage pattern {written:?} gives {first:?}, which is not a valid serverName"
            ),
        );
    }
}

/// CNPG's webhook rejects `latest` and digest-only images: it must read the
/// PostgreSQL version from the tag.
fn check_image(c: &mut Check, image: &str) {
    if image.is_empty() {
        return;
    }
    if image.contains(char::is_whitespace) {
        c.fail(Field::Image, format!("{image:?} is not an image reference"));
        return;
    }
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    match last.split_once(':') {
        Some((_, "latest")) => c.fail(
            Field::Image,
            format!("{image:?} uses the tag latest: CNPG needs a version tag to detect upgrades"),
        ),
        Some((_, tag)) if !tag.is_empty() => {}
        _ => c.fail(
            Field::Image,
            format!(
                "{image:?} has no tag: CNPG needs a version tag (such as :17.5) to detect upgrades"
            ),
        ),
    }
}

/// CNPG parses schedules with robfig/cron (see `cnpg::policy`): six fields, seconds first, or a
/// descriptor. A five-field crontab is accepted but runs every hour.
fn check_schedule(c: &mut Check, schedule: &str) {
    if schedule.is_empty() {
        return;
    }
    match policy::schedule(schedule) {
        Schedule::Descriptor | Schedule::SixFields { plain: true } => {}
        Schedule::UnknownDescriptor => c.fail(
            Field::Schedule,
            format!("{schedule:?} is not a cron descriptor (@daily, @weekly, @every 6h, ...)"),
        ),
        Schedule::FiveFields(_) => c.fail(
            Field::Schedule,
            format!("{schedule:?} has 5 fields, but CNPG's cron has 6 with seconds first, so CNPG would read each field one place off (\"0 3 * * *\" runs every hour); did you mean \"0 {schedule}\"?"),
        ),
        Schedule::SixFields { plain: false } | Schedule::FieldCount(_) => {
            let n = schedule.split_whitespace().count();
            c.fail(
                Field::Schedule,
                format!("{schedule:?} is not a cron schedule: CNPG's cron has 6 fields, seconds first (such as \"0 0 3 * * *\"), found {n}"),
            )
        }
    }
}

fn check_label(c: &mut Check, key: &str, value: &str) {
    let (prefix, label) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    let key_ok = LABEL_NAME.is_match(label)
        && label.len() <= 63
        && prefix.is_none_or(|p| DNS_1123_SUBDOMAIN.is_match(p) && p.len() <= 253);
    if !key_ok {
        c.fail(Field::Labels, format!("{key:?} is not a valid label key"));
    } else if !LABEL_VALUE.is_match(value) || value.len() > 63 {
        c.fail(
            Field::Labels,
            format!("{value:?} (label {key}) is not a valid label value"),
        );
    }
}
