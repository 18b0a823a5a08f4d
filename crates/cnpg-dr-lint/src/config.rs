//! `.cnpg-dr.yaml`: per-repository settings (rule severities, excluded paths,
//! the target CNPG version, the failing threshold), found by walking up from
//! the linted path. Every mistake in it is an error that points at its line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cnpg_dr_core::fs::FileSystem;
use cnpg_dr_core::kustomize::{LoadRestrictor, RenderOptions};
use cnpg_dr_core::scaffold::{BackupShape, Choices, Field, SecretStoreRef};
use cnpg_dr_core::yaml::{load_str, LoadLimits, Node, NodeKind, Span};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::finding::Severity;
use crate::rules::rule::Rule;

/// The name of the configuration file.
pub const FILE_NAME: &str = ".cnpg-dr.yaml";

/// The keys a configuration file may have.
const KEYS: [&str; 8] = [
    "rules",
    "exclude",
    "cnpgVersion",
    "failOn",
    "lineagePattern",
    "new",
    "s3",
    "loadRestrictor",
];

/// What a rule is set to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleLevel {
    Off,
    On(Severity),
}

/// The severity threshold for a failing exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    pub fn parse(s: &str) -> Option<FailOn> {
        match s {
            "error" => Some(FailOn::Error),
            "warning" => Some(FailOn::Warning),
            "info" => Some(FailOn::Info),
            "never" => Some(FailOn::Never),
            _ => None,
        }
    }

    /// The lowest severity that fails, if any does.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

/// A configuration: what a file said, or the defaults.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The file it was read from; None for the defaults.
    pub file: Option<PathBuf>,
    /// Rule id → level, for the rules the file names.
    pub rules: BTreeMap<&'static str, RuleLevel>,
    /// The glob patterns, as written.
    pub exclude: Vec<String>,
    exclude_set: GlobSet,
    /// `cnpgVersion` as (major, minor).
    pub cnpg_version: Option<(u32, u32)>,
    pub fail_on: Option<FailOn>,
    /// `lineagePattern`: how the repository numbers lineages when not `-v<N>`.
    pub lineage_pattern: Option<cnpg_dr_core::lineage::LineagePattern>,
    /// The `new:` section: defaults of `cnpg-dr new`.
    pub new: NewDefaults,
    /// `s3.endpoints`: the endpoint the manifests name (often an in-cluster
    /// address) → the one this machine reaches, for the live commands.
    pub s3_endpoints: BTreeMap<String, String>,
    /// `loadRestrictor`: which files a kustomization may read when rendered
    /// (None: kustomize's default, `LoadRestrictionsRootOnly`).
    pub load_restrictor: Option<LoadRestrictor>,
}

/// A mistake in a configuration file, located.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}:{line}:{column}: {message}", file.display())]
pub struct ConfigError {
    pub file: PathBuf,
    pub line: u32,
    pub column: u32,
    /// Byte range in the file, for a snippet.
    pub start: usize,
    pub end: usize,
    pub message: String,
    pub help: Option<String>,
}

impl ConfigError {
    fn at(span: &Span, message: impl Into<String>) -> ConfigError {
        ConfigError {
            file: span.file.to_path_buf(),
            line: span.line,
            column: span.column,
            start: span.start,
            end: span.end,
            message: message.into(),
            help: None,
        }
    }

    fn help(mut self, help: Option<String>) -> ConfigError {
        self.help = help;
        self
    }
}

/// The configuration file that applies to `start` (a directory or a file): the
/// first `.cnpg-dr.yaml` in it or its parents, stopping after the directory
/// that holds `.git` (the repository root) or at the filesystem root.
pub fn find(fs: &dyn FileSystem, start: &Path) -> Option<PathBuf> {
    let mut dir = if fs.is_dir(start) {
        Some(start)
    } else {
        start.parent()
    };
    while let Some(d) = dir {
        let candidate = d.join(FILE_NAME);
        if fs.is_file(&candidate) {
            return Some(candidate);
        }
        if crate::resolve::is_repository_root(fs, d) {
            return None;
        }
        dir = d.parent();
    }
    None
}

/// The closest of `candidates` to `input`, if it is a plausible typo: the
/// core's one suggester (`cnpg_dr_core::suggest`), so a mistyped rule, key or
/// database gets the answer a mistyped schema field gets.
pub fn did_you_mean<'a>(input: &str, candidates: &[&'a str]) -> Option<&'a str> {
    cnpg_dr_core::suggest::did_you_mean(input, candidates.iter().copied())
}

/// The rule an id (any case) or a name designates.
pub fn lookup(catalogue: &[&'static dyn Rule], id_or_name: &str) -> Option<&'static dyn Rule> {
    catalogue
        .iter()
        .find(|r| r.meta().id.eq_ignore_ascii_case(id_or_name) || r.meta().name == id_or_name)
        .copied()
}

/// Every id and name of a catalogue, for suggestions.
pub fn rule_names(catalogue: &[&'static dyn Rule]) -> Vec<&'static str> {
    catalogue
        .iter()
        .flat_map(|r| [r.meta().id, r.meta().name])
        .collect()
}

fn scalar<'a>(node: &'a Node, what: &str) -> Result<&'a str, ConfigError> {
    match &node.kind {
        NodeKind::Scalar(s) if !node.is_null() => Ok(s.text.as_str()),
        _ => Err(ConfigError::at(
            &node.span,
            format!("{what} must be a string, not a {}", node.kind_name()),
        )),
    }
}

/// A CloudNativePG version that exists or may soon: 1.15 (the first
/// open-source release) to a few minors past the newest bundled CRDs.
fn parse_version(text: &str) -> Option<(u32, u32)> {
    let (major, minor) = text.trim().split_once('.')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(major) || !digits(minor) {
        return None;
    }
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// `s3: {endpoints: {MANIFEST_ENDPOINT: REACHABLE_ENDPOINT}}`.
fn parse_s3(value: &Node) -> Result<BTreeMap<String, String>, ConfigError> {
    let mut endpoints = BTreeMap::new();
    if value.is_null() {
        return Ok(endpoints);
    }
    let Some(map) = value.as_map() else {
        return Err(ConfigError::at(
            &value.span,
            format!(
                "s3 must be a mapping (endpoints), not a {}",
                value.kind_name()
            ),
        ));
    };
    for (key, section) in &map.entries {
        let name = scalar(key, "a key")?;
        if name != "endpoints" {
            return Err(ConfigError::at(
                &key.span,
                format!("unknown key {name:?} in s3: expected endpoints"),
            )
            .help(did_you_mean(name, &["endpoints"]).map(|k| format!("did you mean {k}?"))));
        }
        if section.is_null() {
            continue;
        }
        let Some(entries) = section.as_map() else {
            return Err(ConfigError::at(
                &section.span,
                format!(
                    "s3.endpoints must map the endpointURL of the manifests to one this machine reaches, not be a {}",
                    section.kind_name()
                ),
            ));
        };
        for (from, to) in &entries.entries {
            let from_text = scalar(from, "an endpoint")?;
            let to_text = scalar(to, "an endpoint")?;
            if !(to_text.starts_with("http://") || to_text.starts_with("https://")) {
                return Err(ConfigError::at(
                    &to.span,
                    format!("{to_text:?} is not an endpoint URL like https://host:port"),
                ));
            }
            if endpoints
                .insert(
                    from_text.trim_end_matches('/').to_string(),
                    to_text.to_string(),
                )
                .is_some()
            {
                return Err(ConfigError::at(
                    &from.span,
                    format!("{from_text:?} is mapped twice"),
                ));
            }
        }
    }
    Ok(endpoints)
}

impl Config {
    /// How the repository's kustomizations are rendered under this configuration.
    pub fn render_options(&self) -> RenderOptions {
        RenderOptions {
            load_restrictor: self.load_restrictor.unwrap_or_default(),
            ..RenderOptions::default()
        }
    }

    /// Reads and checks a configuration file. `catalogue` is every rule a
    /// `rules:` entry may name.
    pub fn load(
        fs: &dyn FileSystem,
        file: &Path,
        catalogue: &[&'static dyn Rule],
    ) -> Result<Config, ConfigError> {
        let bytes = fs.read(file).map_err(|e| ConfigError {
            file: file.to_path_buf(),
            line: 1,
            column: 1,
            start: 0,
            end: 0,
            message: format!("cannot read the configuration file: {e}"),
            help: None,
        })?;
        let text = String::from_utf8_lossy(&bytes);
        Config::parse(&text, file, catalogue)
    }

    /// Checks the text of a configuration file.
    pub fn parse(
        text: &str,
        file: &Path,
        catalogue: &[&'static dyn Rule],
    ) -> Result<Config, ConfigError> {
        let docs =
            load_str(text, Arc::from(file), &LoadLimits::default()).map_err(|e| ConfigError {
                file: file.to_path_buf(),
                line: e.line,
                column: e.column,
                start: e.offset,
                end: e.offset,
                message: format!("not valid YAML: {}", e.message),
                help: None,
            })?;
        let mut config = Config {
            file: Some(file.to_path_buf()),
            ..Config::default()
        };
        if let Some(extra) = docs.get(1) {
            return Err(ConfigError::at(
                &extra.span,
                "a configuration file holds one YAML document",
            ));
        }
        let Some(doc) = docs.first().filter(|d| !d.is_null()) else {
            return Ok(config);
        };
        let Some(map) = doc.as_map() else {
            return Err(ConfigError::at(
                &doc.span,
                format!(
                    "the configuration must be a mapping (rules, exclude, cnpgVersion, failOn, new, s3, loadRestrictor), not a {}",
                    doc.kind_name()
                ),
            ));
        };
        let mut exclude_set = GlobSetBuilder::new();
        for (key, value) in &map.entries {
            let name = scalar(key, "a key")?;
            match name {
                "rules" => config.parse_rules(value, catalogue)?,
                "exclude" => {
                    if value.is_null() {
                        continue;
                    }
                    let Some(items) = value.as_seq() else {
                        return Err(ConfigError::at(
                            &value.span,
                            format!(
                                "exclude must be a list of glob patterns, not a {}",
                                value.kind_name()
                            ),
                        ));
                    };
                    for item in items {
                        let pattern = scalar(item, "an exclude pattern")?;
                        let cleaned = pattern.trim().trim_start_matches("./").trim_matches('/');
                        if cleaned.is_empty() {
                            return Err(ConfigError::at(&item.span, "empty exclude pattern"));
                        }
                        let glob = GlobBuilder::new(cleaned)
                            .literal_separator(true)
                            .backslash_escape(true)
                            .build()
                            .map_err(|e| {
                                ConfigError::at(
                                    &item.span,
                                    format!("bad glob pattern {pattern:?}: {}", e.kind()),
                                )
                            })?;
                        exclude_set.add(glob);
                        config.exclude.push(pattern.to_string());
                    }
                }
                "cnpgVersion" => {
                    let text = scalar(value, "cnpgVersion")?;
                    let version = parse_version(text).ok_or_else(|| {
                        ConfigError::at(
                            &value.span,
                            format!(
                                "cnpgVersion must be MAJOR.MINOR, such as \"1.30\", not {text:?}"
                            ),
                        )
                    })?;
                    if !cnpg_dr_core::cnpg::versions::plausible(version) {
                        let (major, minor) = version;
                        let hint = if major == 1 && minor < 10 {
                            format!(" (did you mean \"1.{minor}0\"?)")
                        } else {
                            String::new()
                        };
                        return Err(ConfigError::at(
                            &value.span,
                            format!(
                                "cnpgVersion {text} is no CloudNativePG release{hint}: releases run from 1.15 (the first open-source one) upwards, and the deprecation rules judge against this version"
                            ),
                        ));
                    }
                    config.cnpg_version = Some(version);
                }
                "failOn" => {
                    let text = scalar(value, "failOn")?;
                    config.fail_on = Some(FailOn::parse(text).ok_or_else(|| {
                        ConfigError::at(
                            &value.span,
                            format!("failOn must be error, warning, info or never, not {text:?}"),
                        )
                    })?);
                }
                "lineagePattern" => {
                    let text = scalar(value, "lineagePattern")?;
                    let pattern = cnpg_dr_core::lineage::LineagePattern::parse(text)
                        .map_err(|message| ConfigError::at(&value.span, message))?;
                    config.lineage_pattern = Some(pattern);
                }
                "new" => config.new = NewDefaults::parse(value)?,
                "s3" => config.s3_endpoints = parse_s3(value)?,
                "loadRestrictor" => {
                    let text = scalar(value, "loadRestrictor")?;
                    config.load_restrictor = Some(LoadRestrictor::parse(text).ok_or_else(|| {
                        ConfigError::at(
                            &value.span,
                            format!("loadRestrictor must be LoadRestrictionsRootOnly or LoadRestrictionsNone (as kubectl kustomize spells them), not {text:?}"),
                        )
                        .help(
                            did_you_mean(text, &["LoadRestrictionsRootOnly", "LoadRestrictionsNone"])
                                .map(|k| format!("did you mean {k}?")),
                        )
                    })?);
                }
                other => {
                    return Err(ConfigError::at(
                        &key.span,
                        format!("unknown key {other:?}: expected one of rules, exclude, cnpgVersion, failOn, lineagePattern, new, s3, loadRestrictor"),
                    )
                    .help(did_you_mean(other, &KEYS).map(|k| format!("did you mean {k}?"))));
                }
            }
        }
        config.exclude_set = exclude_set.build().map_err(|e| ConfigError {
            file: file.to_path_buf(),
            line: 1,
            column: 1,
            start: 0,
            end: 0,
            message: format!("exclude patterns: {e}"),
            help: None,
        })?;
        Ok(config)
    }

    fn parse_rules(
        &mut self,
        value: &Node,
        catalogue: &[&'static dyn Rule],
    ) -> Result<(), ConfigError> {
        if value.is_null() {
            return Ok(());
        }
        let Some(map) = value.as_map() else {
            return Err(ConfigError::at(
                &value.span,
                format!(
                    "rules must map rule ids or names to off, info, warning or error, not be a {}",
                    value.kind_name()
                ),
            ));
        };
        let mut set_at: BTreeMap<&'static str, u32> = BTreeMap::new();
        for (key, level) in &map.entries {
            let written = scalar(key, "a rule id")?;
            let Some(rule) = lookup(catalogue, written) else {
                let names = rule_names(catalogue);
                return Err(
                    ConfigError::at(&key.span, format!("unknown rule {written:?}")).help(Some(
                        match did_you_mean(written, &names) {
                            Some(s) => format!("did you mean {s}? `cnpg-dr rules` lists them all"),
                            None => "`cnpg-dr rules` lists the rule ids and names".to_string(),
                        },
                    )),
                );
            };
            let id = rule.meta().id;
            if let Some(line) = set_at.insert(id, key.span.line) {
                return Err(ConfigError::at(
                    &key.span,
                    format!("{id} is already set on line {line}"),
                ));
            }
            let text = scalar(level, "a rule level")?;
            let parsed = match text {
                "off" => RuleLevel::Off,
                other => match Severity::parse(other) {
                    Some(s) if other != "warn" => RuleLevel::On(s),
                    _ => {
                        return Err(ConfigError::at(
                            &level.span,
                            format!("{id} must be off, info, warning or error, not {text:?}"),
                        ))
                    }
                },
            };
            self.rules.insert(id, parsed);
        }
        Ok(())
    }

    /// The directory `exclude` patterns are relative to.
    pub fn dir(&self) -> Option<&Path> {
        self.file.as_deref().and_then(Path::parent)
    }

    /// False when the configuration turns the rule off.
    pub fn enabled(&self, id: &str) -> bool {
        self.rules.get(id) != Some(&RuleLevel::Off)
    }

    /// The severity the configuration gives a rule, if it changes it.
    pub fn severity(&self, id: &str) -> Option<Severity> {
        match self.rules.get(id) {
            Some(RuleLevel::On(s)) => Some(*s),
            _ => None,
        }
    }

    /// True when an `exclude` pattern matches the path (absolute, normalized)
    /// or one of its directories.
    pub fn is_excluded(&self, path: &Path) -> bool {
        if self.exclude_set.is_empty() {
            return false;
        }
        let Some(rel) = self.dir().and_then(|d| path.strip_prefix(d).ok()) else {
            return false;
        };
        rel.ancestors()
            .filter(|p| !p.as_os_str().is_empty())
            .any(|p| self.exclude_set.is_match(p))
    }
}

/// The keys of the `new:` section.
const NEW_KEYS: [&str; 21] = [
    "dir",
    "namespace",
    "cluster",
    "lineage",
    "database",
    "owner",
    "backup",
    "destinationPath",
    "endpointURL",
    "s3Credentials",
    "instances",
    "storageSize",
    "storageClass",
    "image",
    "schedule",
    "secretStore",
    "retentionPolicy",
    "labels",
    "appCredentialsKey",
    "s3CredentialsKey",
    "like",
];

/// The `new:` section: what `cnpg-dr new` uses when a flag is not given.
/// String values are patterns: `{name}` is the new database's name.
#[derive(Clone, Debug, Default)]
pub struct NewDefaults {
    /// Where new database directories go, relative to the configuration file's directory.
    pub dir: Option<PathBuf>,
    /// A database directory whose conventions new ones copy (as `--like`).
    pub like: Option<String>,
    pub choices: Choices,
    /// Where each choice was set, for messages about its value.
    pub spans: BTreeMap<Field, Span>,
}

impl NewDefaults {
    /// The `(line, column)` of the key that set `field`.
    pub fn position(&self, field: Field) -> Option<(u32, u32)> {
        self.spans.get(&field).map(|s| (s.line, s.column))
    }

    fn parse(value: &Node) -> Result<NewDefaults, ConfigError> {
        let mut out = NewDefaults::default();
        if value.is_null() {
            return Ok(out);
        }
        let Some(map) = value.as_map() else {
            return Err(ConfigError::at(
                &value.span,
                format!(
                    "new must be a mapping of defaults for `cnpg-dr new` (see docs/new.md), not a {}",
                    value.kind_name()
                ),
            ));
        };
        for (key, value) in &map.entries {
            let name = scalar(key, "a key")?;
            let what = format!("new.{name}");
            let text = || scalar(value, &what).map(str::to_string);
            let c = &mut out.choices;
            let field = match name {
                "dir" => {
                    out.dir = Some(PathBuf::from(text()?));
                    continue;
                }
                "like" => {
                    out.like = Some(text()?);
                    continue;
                }
                "namespace" => {
                    c.namespace = Some(text()?);
                    Field::Namespace
                }
                "cluster" => {
                    c.cluster = Some(text()?);
                    Field::Cluster
                }
                "lineage" => {
                    c.lineage = Some(text()?);
                    Field::Lineage
                }
                "database" => {
                    c.database = Some(text()?);
                    Field::Database
                }
                "owner" => {
                    c.owner = Some(text()?);
                    Field::Owner
                }
                "backup" => {
                    let t = text()?;
                    c.backup = Some(BackupShape::parse(&t).ok_or_else(|| {
                        ConfigError::at(
                            &value.span,
                            format!("new.backup must be plugin or native, not {t:?}"),
                        )
                    })?);
                    Field::Backup
                }
                "destinationPath" => {
                    c.destination_path = Some(text()?);
                    Field::DestinationPath
                }
                "endpointURL" => {
                    c.endpoint_url = Some(text()?);
                    Field::EndpointUrl
                }
                "s3Credentials" => {
                    c.s3_credentials = Some(text()?);
                    Field::S3Credentials
                }
                "instances" => {
                    let t = text()?;
                    c.instances = Some(t.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                        ConfigError::at(
                            &value.span,
                            format!(
                                "new.instances must be a whole number of at least 1, not {t:?}"
                            ),
                        )
                    })?);
                    Field::Instances
                }
                "storageSize" => {
                    c.storage_size = Some(text()?);
                    Field::StorageSize
                }
                "storageClass" => {
                    c.storage_class = Some(text()?);
                    Field::StorageClass
                }
                "image" => {
                    c.image = Some(text()?);
                    Field::Image
                }
                "schedule" => {
                    c.schedule = Some(text()?);
                    Field::Schedule
                }
                "secretStore" => {
                    let t = text()?;
                    c.secret_store = Some(SecretStoreRef::parse(&t).map_err(|e| {
                        ConfigError::at(&value.span, format!("new.secretStore: {e}"))
                    })?);
                    Field::SecretStore
                }
                "retentionPolicy" => {
                    c.retention_policy = Some(text()?);
                    Field::RetentionPolicy
                }
                "labels" => {
                    c.labels = Some(parse_labels(value)?);
                    Field::Labels
                }
                "appCredentialsKey" => {
                    c.app_credentials_key = Some(text()?);
                    Field::AppCredentialsKey
                }
                "s3CredentialsKey" => {
                    c.s3_credentials_key = Some(text()?);
                    Field::S3CredentialsKey
                }
                other => {
                    return Err(ConfigError::at(
                        &key.span,
                        format!("unknown key new.{other:?}: docs/new.md lists the keys of new"),
                    )
                    .help(did_you_mean(other, &NEW_KEYS).map(|k| format!("did you mean {k}?"))));
                }
            };
            out.spans.insert(field, key.span.clone());
        }
        Ok(out)
    }
}

fn parse_labels(value: &Node) -> Result<Vec<(String, String)>, ConfigError> {
    if value.is_null() {
        return Ok(Vec::new());
    }
    let Some(map) = value.as_map() else {
        return Err(ConfigError::at(
            &value.span,
            format!(
                "new.labels must map label keys to values, not be a {}",
                value.kind_name()
            ),
        ));
    };
    map.entries
        .iter()
        .map(|(k, v)| {
            Ok((
                scalar(k, "a label key")?.to_string(),
                scalar(v, "a label value")?.to_string(),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cnpg_dr_core::fs::MemFs;

    fn catalogue() -> Vec<&'static dyn Rule> {
        let mut all = crate::rules::registry();
        all.extend(crate::rules::meta_rules());
        all
    }

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("/repo/.cnpg-dr.yaml"), &catalogue())
    }

    #[test]
    fn a_lineage_pattern_is_read_and_its_mistakes_are_located() {
        let c = parse("failOn: error\nlineagePattern: \"{name}-{n}\"\n").unwrap();
        let p = c.lineage_pattern.unwrap();
        assert!(p.matches("postgres18-0"));
        assert_eq!(p.written, "{name}-{n}");
        let e = parse("failOn: error\nlineagePattern: \"{cluster}-{n}\"\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 17));
        assert!(e.message.contains("\"{cluster}-{n}\""), "{}", e.message);
        let e = parse("lineagePattern: [a]\n").unwrap_err();
        assert!(e.message.contains("must be a string"), "{}", e.message);
    }

    #[test]
    fn a_full_configuration_is_read() {
        let c = parse(
            "rules:\n  CDR101: warning\n  schedule-five-fields: off\n  cdr002: error\nexclude:\n  - legacy\n  - \"**/scratch/*.yaml\"\ncnpgVersion: 1.25\nfailOn: warning\n",
        )
        .unwrap();
        assert_eq!(
            c.rules.get("CDR101"),
            Some(&RuleLevel::On(Severity::Warning))
        );
        assert!(!c.enabled("CDR401"));
        assert!(c.enabled("CDR101"));
        assert_eq!(c.severity("CDR002"), Some(Severity::Error));
        assert_eq!(c.cnpg_version, Some((1, 25)));
        assert_eq!(c.fail_on, Some(FailOn::Warning));
        assert!(c.is_excluded(Path::new("/repo/legacy/db/cluster.yaml")));
        assert!(c.is_excluded(Path::new("/repo/legacy")));
        assert!(c.is_excluded(Path::new("/repo/a/b/scratch/x.yaml")));
        assert!(!c.is_excluded(Path::new("/repo/a/scratch/deeper/x.yaml")));
        assert!(!c.is_excluded(Path::new("/repo/not-legacy/x.yaml")));
        assert!(!c.is_excluded(Path::new("/elsewhere/legacy/x.yaml")));
    }

    #[test]
    fn s3_endpoints_map_manifest_endpoints_to_reachable_ones() {
        let c = parse(
            "s3:\n  endpoints:\n    http://minio.minio.svc:9000/: https://minio.example.org\n",
        )
        .unwrap();
        assert_eq!(
            c.s3_endpoints
                .get("http://minio.minio.svc:9000")
                .map(String::as_str),
            Some("https://minio.example.org")
        );
        let e = parse("s3:\n  endpoint: {}\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 3));
        assert_eq!(e.help.as_deref(), Some("did you mean endpoints?"));
        let e = parse("s3:\n  endpoints:\n    http://a: minio:9000\n").unwrap_err();
        assert_eq!((e.line, e.column), (3, 15));
        assert!(e.message.contains("not an endpoint URL"), "{}", e.message);
        let e = parse("s3:\n  endpoints:\n    http://a: http://b\n    http://a/: http://c\n")
            .unwrap_err();
        assert_eq!(e.line, 4);
        assert!(parse("s3: [x]\n").unwrap_err().message.contains("mapping"));
    }

    #[test]
    fn load_restrictor_is_spelled_as_kubectl_kustomize_spells_it() {
        let c = parse("loadRestrictor: LoadRestrictionsNone\n").unwrap();
        assert_eq!(c.load_restrictor, Some(LoadRestrictor::None));
        assert_eq!(c.render_options().load_restrictor, LoadRestrictor::None);
        let c = parse("loadRestrictor: LoadRestrictionsRootOnly\n").unwrap();
        assert_eq!(c.load_restrictor, Some(LoadRestrictor::RootOnly));
        assert_eq!(
            parse("").unwrap().render_options().load_restrictor,
            LoadRestrictor::RootOnly
        );
        let e = parse("failOn: error\nloadRestrictor: LoadRestrictionNone\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 17));
        assert!(
            e.message.contains(
                "loadRestrictor must be LoadRestrictionsRootOnly or LoadRestrictionsNone"
            ),
            "{}",
            e.message
        );
        assert_eq!(
            e.help.as_deref(),
            Some("did you mean LoadRestrictionsNone?")
        );
        let e = parse("loadRestrictor: [none]\n").unwrap_err();
        assert_eq!((e.line, e.column), (1, 17));
        let e = parse("loadrestrictor: LoadRestrictionsNone\n").unwrap_err();
        assert_eq!(e.help.as_deref(), Some("did you mean loadRestrictor?"));
    }

    #[test]
    fn empty_files_are_the_defaults() {
        for text in ["", "# nothing\n", "---\n"] {
            let c = parse(text).unwrap();
            assert!(c.rules.is_empty() && c.exclude.is_empty() && c.fail_on.is_none());
        }
    }

    #[test]
    fn mistakes_point_at_their_line_and_column() {
        let cases: [(&str, u32, u32, &str); 12] = [
            ("rulez: {}\n", 1, 1, "unknown key \"rulez\""),
            ("rules:\n  CDR10: off\n", 2, 3, "unknown rule \"CDR10\""),
            (
                "rules:\n  CDR101: loud\n",
                2,
                11,
                "CDR101 must be off, info, warning or error",
            ),
            (
                "rules:\n  CDR101: off\n  lineage-write-equals-source: off\n",
                3,
                3,
                "already set on line 2",
            ),
            ("exclude: legacy\n", 1, 10, "exclude must be a list"),
            ("exclude:\n  - \"[a\"\n", 2, 5, "bad glob pattern"),
            (
                "cnpgVersion: v1\n",
                1,
                14,
                "cnpgVersion must be MAJOR.MINOR",
            ),
            (
                "cnpgVersion: 1.3\n",
                1,
                14,
                "cnpgVersion 1.3 is no CloudNativePG release (did you mean \"1.30\"?)",
            ),
            (
                "cnpgVersion: 2.0\n",
                1,
                14,
                "cnpgVersion 2.0 is no CloudNativePG release",
            ),
            ("cnpgVersion: 1.14\n", 1, 14, "releases run from 1.15"),
            (
                "failOn: sometimes\n",
                1,
                9,
                "failOn must be error, warning, info or never",
            ),
            ("rules: [CDR101]\n", 1, 8, "rules must map"),
        ];
        for (text, line, column, message) in cases {
            let e = parse(text).unwrap_err();
            assert_eq!((e.line, e.column), (line, column), "{text:?}: {e}");
            assert!(e.message.contains(message), "{text:?}: {e}");
        }
        let e = parse("rules:\n  CDR10: off\n").unwrap_err();
        assert!(e.help.unwrap().contains("did you mean CDR101"));
        let e = parse("failon: error\n").unwrap_err();
        assert_eq!(e.help.as_deref(), Some("did you mean failOn?"));
        assert!(parse("a: [\n")
            .unwrap_err()
            .message
            .starts_with("not valid YAML"));
        assert!(parse("a: 1\n---\nb: 2\n")
            .unwrap_err()
            .message
            .contains("one YAML document"));
    }

    #[test]
    fn the_nearest_file_up_to_the_repository_root_applies() {
        let mut fs = MemFs::new();
        fs.insert("/top/.cnpg-dr.yaml", "")
            .insert("/top/repo/.git/HEAD", "")
            .insert("/top/repo/a/b/x.yaml", "")
            .insert("/top/repo/a/.cnpg-dr.yaml", "")
            .insert("/top/repo/c/y.yaml", "");
        assert_eq!(
            find(&fs, Path::new("/top/repo/a/b")),
            Some(PathBuf::from("/top/repo/a/.cnpg-dr.yaml"))
        );
        assert_eq!(
            find(&fs, Path::new("/top/repo/a/b/x.yaml")),
            Some(PathBuf::from("/top/repo/a/.cnpg-dr.yaml"))
        );
        // The repository root stops the walk: /top's file is another project's.
        assert_eq!(find(&fs, Path::new("/top/repo/c")), None);
        assert_eq!(
            find(&fs, Path::new("/top")),
            Some(PathBuf::from("/top/.cnpg-dr.yaml"))
        );
    }

    #[test]
    fn suggestions_are_close_matches_only() {
        let names = ["CDR101", "lineage-write-equals-source", "CDR401"];
        assert_eq!(did_you_mean("cdr10", &names), Some("CDR101"));
        assert_eq!(
            did_you_mean("lineage-write-equal-source", &names),
            Some("lineage-write-equals-source")
        );
        assert_eq!(did_you_mean("backup", &names), None);
    }
    #[test]
    fn the_new_section_holds_defaults_for_cnpg_dr_new() {
        let c = parse(
            "new:\n  dir: dbs\n  like: gitea\n  backup: native\n  instances: 3\n  secretStore: SecretStore/team\n  schedule: \"0 0 4 * * *\"\n  labels:\n    team: data\n",
        )
        .unwrap();
        assert_eq!(c.new.dir, Some(PathBuf::from("dbs")));
        assert_eq!(c.new.like.as_deref(), Some("gitea"));
        assert_eq!(c.new.choices.backup, Some(BackupShape::Native));
        assert_eq!(c.new.choices.instances, Some(3));
        assert_eq!(
            c.new.choices.secret_store,
            Some(SecretStoreRef {
                kind: "SecretStore".into(),
                name: "team".into()
            })
        );
        assert_eq!(c.new.choices.schedule.as_deref(), Some("0 0 4 * * *"));
        assert_eq!(
            c.new.choices.labels,
            Some(vec![("team".to_string(), "data".to_string())])
        );
        assert_eq!(c.new.position(Field::Schedule), Some((7, 3)));
        assert_eq!(c.new.position(Field::Image), None);
        assert!(parse("new:\n").unwrap().new.choices == Choices::default());
    }

    #[test]
    fn mistakes_in_the_new_section_point_at_their_line() {
        let cases: [(&str, u32, u32, &str); 6] = [
            ("new: plugin\n", 1, 6, "new must be a mapping"),
            (
                "new:\n  backup: tree\n",
                2,
                11,
                "new.backup must be plugin or native",
            ),
            (
                "new:\n  instances: two\n",
                2,
                14,
                "new.instances must be a whole number",
            ),
            (
                "new:\n  instances: 0\n",
                2,
                14,
                "new.instances must be a whole number",
            ),
            (
                "new:\n  secretStore: Vault/x\n",
                2,
                16,
                "new.secretStore: the kind",
            ),
            ("new:\n  labels: [a]\n", 2, 11, "new.labels must map"),
        ];
        for (text, line, column, message) in cases {
            let e = parse(text).unwrap_err();
            assert_eq!((e.line, e.column), (line, column), "{text:?}: {e}");
            assert!(e.message.contains(message), "{text:?}: {e}");
        }
        let e = parse("new:\n  storageclass: fast\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 3));
        assert_eq!(e.help.as_deref(), Some("did you mean storageClass?"));
    }
}
