//! JSON Schemas of the custom resources a DR setup is made of, and the checks
//! behind the schema rules.
//!
//! The schemas are generated from the real CRDs (`schemas/` at the repository
//! root, written by `cnpg-dr-schemagen`) and embedded in the binary, so the
//! tool validates from any directory with no network. More can be added from
//! directories of CRDs or JSON Schemas ([`SchemaSet::with_dirs`]).
//!
//! An object is checked the way the API server treats it: first the fields
//! its CRD does not declare are pruned (each one is an [`UnknownField`]), and
//! `null` fields with them; what remains is validated against the JSON Schema
//! (each failure is a [`Violation`]). So a misspelt field is reported once, as
//! unknown, never also as a violation. CEL rules (`x-kubernetes-validations`)
//! and `format`s are not checked.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, OnceLock};

use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

use crate::fs::FileSystem;
use crate::kustomize::Gvk;
use crate::yaml::{load_str, LoadLimits, Node, Span};

pub mod crd;
pub mod dedup;
mod walk;

pub use crd::{file_name, from_crd, parse_file_name, CrdSchema};
pub use walk::{display_path, key_span, locate, resolve, schema_at, UnknownField, OBJECT_META};

/// A schema that cannot be read or compiled, located when it comes from a file.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}{message}", .span.as_ref().map(|s| format!("{s}: ")).unwrap_or_default())]
pub struct SchemaError {
    pub span: Option<Span>,
    pub message: String,
}

impl SchemaError {
    pub fn at(span: &Span, message: impl Into<String>) -> SchemaError {
        SchemaError {
            span: Some(span.clone()),
            message: message.into(),
        }
    }

    fn in_file(file: &Path, message: impl Into<String>) -> SchemaError {
        SchemaError::at(&Span::file_start(Arc::from(file)), message)
    }
}

/// A value the schema rejects.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    /// JSON pointer of the offending value.
    pub pointer: String,
    /// The same, as kubectl prints field paths (`spec.instances`).
    pub path: String,
    /// Where the value (or, when it is missing, its nearest ancestor) was written.
    pub span: Span,
    /// What is wrong, without the path.
    pub message: String,
}

// `BUILTIN`: the schemas of `schemas/` in compact form (written by build.rs).
include!(concat!(env!("OUT_DIR"), "/builtin.rs"));

/// `schemas/index.json`: `group/version/kind` → file and CRD facts.
pub static BUILTIN_INDEX: &str = include_str!("../../../schemas/index.json");

/// The embedded schemas (file name, compact JSON: minified, descriptions
/// removed, repeated subschemas shared), for tests that compare them with `schemas/`.
pub fn builtin_files() -> &'static [(&'static str, &'static str)] {
    BUILTIN
}

enum Source {
    Embedded(&'static str),
    Parsed(Value),
}

/// One schema: where it came from, parsed and compiled on first use.
pub struct Entry {
    /// The file it came from (a file name for the embedded ones).
    pub origin: String,
    /// The exact kind it describes, when known.
    pub gvk: Option<Gvk>,
    source: Source,
    parsed: OnceLock<Result<Value, SchemaError>>,
    validator: OnceLock<Result<jsonschema::Validator, SchemaError>>,
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("origin", &self.origin)
            .field("gvk", &self.gvk)
            .finish_non_exhaustive()
    }
}

impl Entry {
    fn new(origin: String, gvk: Option<Gvk>, source: Source) -> Entry {
        Entry {
            origin,
            gvk,
            source,
            parsed: OnceLock::new(),
            validator: OnceLock::new(),
        }
    }

    /// The schema document.
    pub fn schema(&self) -> Result<&Value, SchemaError> {
        match &self.source {
            Source::Parsed(v) => Ok(v),
            Source::Embedded(text) => self
                .parsed
                .get_or_init(|| {
                    serde_json::from_str(text).map_err(|e| SchemaError {
                        span: None,
                        message: format!("{}: not valid JSON: {e}", self.origin),
                    })
                })
                .as_ref()
                .map_err(Clone::clone),
        }
    }

    /// The compiled validator (compiled once, on first use).
    pub fn validator(&self) -> Result<&jsonschema::Validator, SchemaError> {
        self.validator
            .get_or_init(|| {
                let schema = self.schema()?;
                let mut options = jsonschema::options().should_validate_formats(false);
                // OpenAPI v3.0 schemas are draft-4 shaped (boolean exclusiveMinimum).
                if schema.get("$schema").is_none() {
                    options = options.with_draft(jsonschema::Draft::Draft4);
                }
                options.build(schema).map_err(|e| SchemaError {
                    span: None,
                    message: format!("{}: the schema does not compile: {e}", self.origin),
                })
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Every field of `object` that the schema does not declare, in document order.
    pub fn unknown_fields(&self, object: &Node) -> Result<Vec<UnknownField>, SchemaError> {
        let schema = self.schema()?;
        let mut walk = walk::Walk::new(schema, false);
        // Without building values, the walk cannot fail.
        let _ = walk.object(object);
        Ok(walk.unknown)
    }

    /// What the schema rejects in `object` once its unknown fields are pruned.
    pub fn violations(&self, object: &Node) -> Result<Vec<Violation>, SchemaError> {
        let schema = self.schema()?;
        let validator = self.validator()?;
        let mut walk = walk::Walk::new(schema, true);
        let value = match walk.object(object) {
            Ok(v) => v,
            Err(e) => {
                return Ok(vec![Violation {
                    pointer: String::new(),
                    path: String::new(),
                    span: e.span.clone(),
                    message: e.to_string(),
                }])
            }
        };
        let mut out = Vec::new();
        for error in validator.iter_errors(&value) {
            let pointer = error.instance_path().as_str().to_string();
            let (node, _) = locate(object, &pointer);
            out.push(Violation {
                path: display_path(&pointer),
                span: node.span.clone(),
                message: describe(&error, schema),
                pointer,
            });
        }
        Ok(out)
    }
}

/// A short rendering of a value for messages.
fn short(value: &Value) -> Option<String> {
    match value {
        Value::Object(_) | Value::Array(_) => None,
        v => {
            let text = v.to_string();
            (text.chars().count() <= 80).then_some(text)
        }
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// A one-line message for a validation error, without the instance dumped
/// when it is a mapping or a list.
fn describe(error: &jsonschema::ValidationError<'_>, schema: &Value) -> String {
    let instance: &Value = error.instance();
    match error.kind() {
        ValidationErrorKind::Type { .. } => {
            let shown = short(instance).unwrap_or_else(|| type_name(instance).to_string());
            let text = error.masked_with(shown).to_string();
            format!("{text} (got {})", type_name(instance))
        }
        ValidationErrorKind::AnyOf { .. } => {
            let int_or_string = schema_at(schema, error.instance_path().as_str())
                .and_then(|s| s.get("x-kubernetes-int-or-string"))
                == Some(&Value::Bool(true));
            if int_or_string {
                format!(
                    "expected an integer or a string, got {}",
                    type_name(instance)
                )
            } else {
                let shown = short(instance).unwrap_or_else(|| type_name(instance).to_string());
                error.masked_with(shown).to_string()
            }
        }
        _ => {
            let text = match short(instance) {
                Some(_) => error.to_string(),
                None => error.masked_with(type_name(instance)).to_string(),
            };
            if text.chars().count() > 240 {
                let cut: String = text.chars().take(240).collect();
                format!("{cut}…")
            } else {
                text
            }
        }
    }
}

/// How a kind stands in a schema set.
#[derive(Debug)]
pub enum Lookup<'a> {
    Found(&'a Entry),
    /// Schemas exist for this group and kind, but not for this version.
    VersionMissing {
        versions: Vec<String>,
    },
    /// Nothing is known about this kind.
    KindMissing,
}

/// A set of schemas, looked up by group, version and kind.
#[derive(Default)]
pub struct SchemaSet {
    entries: Vec<Arc<Entry>>,
    /// Exact (group, version, kind) → entry.
    exact: HashMap<Gvk, usize>,
    /// (kind, group prefix, version), lower case, for JSON Schemas known only by file name.
    by_name: HashMap<(String, String, String), usize>,
}

impl fmt::Debug for SchemaSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SchemaSet")
            .field("schemas", &self.entries.len())
            .finish_non_exhaustive()
    }
}

static BUILTIN_SET: LazyLock<Arc<SchemaSet>> = LazyLock::new(|| Arc::new(SchemaSet::embedded()));

/// An index entry's group, version and kind (`postgresql.cnpg.io/v1/Cluster`).
fn parse_index_key(key: &str) -> Option<Gvk> {
    let (api_version, kind) = key.rsplit_once('/')?;
    Some(Gvk::from_api_version(api_version, kind))
}

impl SchemaSet {
    /// The schemas of the bundled CRDs (shared; nothing is parsed until used).
    pub fn builtin() -> Arc<SchemaSet> {
        BUILTIN_SET.clone()
    }

    fn embedded() -> SchemaSet {
        let mut set = SchemaSet::default();
        let index: serde_json::Map<String, Value> =
            serde_json::from_str(BUILTIN_INDEX).unwrap_or_default();
        for (key, facts) in &index {
            let file = facts.get("file").and_then(Value::as_str);
            let text = BUILTIN
                .iter()
                .find(|(name, _)| Some(*name) == file)
                .map(|(_, text)| *text);
            if let (Some(gvk), Some(file), Some(text)) = (parse_index_key(key), file, text) {
                set.add(Entry::new(
                    file.to_string(),
                    Some(gvk),
                    Source::Embedded(text),
                ));
            }
        }
        set
    }

    /// Parses and compiles every schema now (CNPG's first), so that a caller
    /// can do it on another thread while it renders: linting then finds them
    /// ready. Errors are kept for the rules to see.
    pub fn warm(&self) {
        let (cnpg, rest): (Vec<&Arc<Entry>>, Vec<&Arc<Entry>>) = self
            .entries
            .iter()
            .partition(|e| e.gvk.as_ref().is_some_and(|g| g.group.ends_with("cnpg.io")));
        for e in cnpg.into_iter().chain(rest) {
            let _ = e.validator();
        }
    }

    /// How many schemas the set holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds a schema; it replaces any earlier one for the same kind.
    fn add(&mut self, entry: Entry) {
        self.add_shared(Arc::new(entry));
    }

    fn add_shared(&mut self, entry: Arc<Entry>) {
        let i = self.entries.len();
        if let Some(gvk) = &entry.gvk {
            self.exact.insert(gvk.clone(), i);
        } else if let Some(key) = parse_file_name(
            Path::new(&entry.origin)
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default(),
        ) {
            // A schema known by file name only replaces what has the same name key.
            self.exact.retain(|gvk, _| name_key(gvk) != key);
            self.by_name.insert(key, i);
        }
        self.entries.push(entry);
    }

    /// The built-in schemas plus those found in `dirs` (which win over the
    /// built-in ones for the same kind): CRDs in `*.yaml`/`*.yml` files
    /// (other documents are ignored), and JSON Schemas named like the
    /// generated ones (`cluster-postgresql-v1.json`, `secret-v1.json`; other
    /// `*.json` files are ignored). Subdirectories are searched too. Every
    /// added schema is compiled now, so a broken one is reported before linting.
    pub fn with_dirs(fs: &dyn FileSystem, dirs: &[PathBuf]) -> Result<SchemaSet, SchemaError> {
        let mut set = SchemaSet::default();
        for e in &SchemaSet::builtin().entries {
            set.add_shared(e.clone());
        }
        for dir in dirs {
            if !fs.is_dir(dir) {
                return Err(SchemaError {
                    span: None,
                    message: format!("{}: no such directory", dir.display()),
                });
            }
            for file in files_under(fs, dir) {
                set.load_file(fs, &file)?;
            }
        }
        for e in &set.entries[SchemaSet::builtin().entries.len()..] {
            e.validator()?;
        }
        Ok(set)
    }

    fn load_file(&mut self, fs: &dyn FileSystem, file: &Path) -> Result<(), SchemaError> {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let read = || {
            fs.read(file)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .map_err(|e| SchemaError::in_file(file, format!("cannot read: {e}")))
        };
        if name.ends_with(".json") {
            let Some(key) = parse_file_name(name) else {
                return Ok(());
            };
            let text = read()?;
            let value: Value = serde_json::from_str(&text)
                .map_err(|e| SchemaError::in_file(file, format!("not valid JSON: {e}")))?;
            let gvk = declared_gvk(&value).filter(|g| name_key(g) == key);
            self.add(Entry::new(
                file.display().to_string(),
                gvk,
                Source::Parsed(dedup::share_repeated(&value)),
            ));
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            let text = read()?;
            let docs = load_str(&text, Arc::from(file), &LoadLimits::default())
                .map_err(|e| SchemaError::in_file(file, e.to_string()))?;
            for doc in docs {
                if doc.get_path(&["kind"]).and_then(Node::as_str)
                    != Some("CustomResourceDefinition")
                {
                    continue;
                }
                for version in from_crd(&doc)? {
                    self.add(Entry::new(
                        format!("{} ({})", file.display(), version.file_name()),
                        Some(version.gvk),
                        Source::Parsed(dedup::share_repeated(&version.schema)),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The schema for an object's `apiVersion` and `kind`.
    pub fn lookup(&self, api_version: &str, kind: &str) -> Lookup<'_> {
        let gvk = Gvk::from_api_version(api_version, kind);
        if let Some(&i) = self.exact.get(&gvk) {
            return Lookup::Found(&self.entries[i]);
        }
        let key = name_key(&gvk);
        if let Some(&i) = self.by_name.get(&key) {
            return Lookup::Found(&self.entries[i]);
        }
        let versions: BTreeSet<String> = self
            .exact
            .keys()
            .filter(|g| g.group == gvk.group && g.kind == gvk.kind)
            .map(|g| g.version.clone())
            .chain(
                self.by_name
                    .keys()
                    .filter(|(k, p, _)| *k == key.0 && *p == key.1)
                    .map(|(_, _, v)| v.clone()),
            )
            .collect();
        if versions.is_empty() {
            Lookup::KindMissing
        } else {
            Lookup::VersionMissing {
                versions: versions.into_iter().collect(),
            }
        }
    }
}

fn name_key(gvk: &Gvk) -> (String, String, String) {
    (
        gvk.kind.to_lowercase(),
        crd::group_prefix(&gvk.group).to_lowercase(),
        gvk.version.to_lowercase(),
    )
}

/// The kind a JSON Schema says it describes: `x-kubernetes-group-version-kind`
/// (kubernetes-json-schema) or one-value enums on `apiVersion` and `kind`
/// (the generated ones).
fn declared_gvk(schema: &Value) -> Option<Gvk> {
    if let Some(Value::Array(list)) = schema.get("x-kubernetes-group-version-kind") {
        if let [one] = list.as_slice() {
            let field = |k: &str| one.get(k).and_then(Value::as_str).map(str::to_string);
            return Some(Gvk {
                group: field("group").unwrap_or_default(),
                version: field("version")?,
                kind: field("kind")?,
            });
        }
    }
    let single = |key: &str| match schema.pointer(&format!("/properties/{key}/enum")) {
        Some(Value::Array(v)) if v.len() == 1 => v[0].as_str(),
        _ => None,
    };
    Some(Gvk::from_api_version(
        single("apiVersion")?,
        single("kind")?,
    ))
}

fn files_under(fs: &dyn FileSystem, dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    let mut seen = BTreeSet::new();
    while let Some(d) = stack.pop() {
        if let Ok(real) = fs.canonicalize(&d) {
            if !seen.insert(real) {
                continue;
            }
        }
        for e in fs.read_dir(&d).unwrap_or_default() {
            let hidden = e
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if hidden {
                continue;
            }
            if fs.is_dir(&e) {
                stack.push(e);
            } else if fs.is_file(&e) {
                out.push(e);
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests;
