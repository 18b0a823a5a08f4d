//! Key/value sources of a generator: `envs` files, `literals` and `files`, read
//! the way kustomize's `kv` loader reads them (api/kv/kv.go), with the same
//! error texts.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use super::super::error::{RenderError, RenderErrorKind, Result};
use super::super::kustomization::{GeneratorEntry, Located};
use super::super::LoadRestrictor;
use super::gojson;
use crate::fs::{normalize, FileSystem};
use crate::yaml::Span;

/// One key/value pair and where its key and value were written.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Pair {
    pub key: String,
    pub value: Vec<u8>,
    /// The literal, `files:` entry or env-file line that named the key.
    pub key_span: Span,
    /// Where the value comes from: the literal, the env-file line, or the file.
    pub value_span: Span,
}

fn gen_error(message: impl Into<String>, span: &Span) -> RenderError {
    RenderError::new(RenderErrorKind::Generator, message).at(span)
}

/// Go's `%v` of a `[]string`.
fn go_list(items: &[Located]) -> String {
    let values: Vec<&str> = items.iter().map(|l| l.value.as_str()).collect();
    format!("[{}]", values.join(" "))
}

/// All pairs of an entry, in kustomize's order: env files, literals, files.
pub(crate) fn load(
    entry: &GeneratorEntry,
    dir: &Path,
    fs: &dyn FileSystem,
    restrictor: LoadRestrictor,
) -> Result<Vec<Pair>> {
    let prefix = |what: String, e: RenderError| RenderError {
        message: format!("loading KV pairs: {what}{}", e.message),
        ..e
    };
    let root = Root::new(dir, fs, restrictor);
    let mut all = Vec::new();
    for env in &entry.envs {
        let (path, content) = root
            .read(&env.value, &env.span)
            .map_err(|e| prefix(format!("env source files: {}: ", go_list(&entry.envs)), e))?;
        all.extend(
            env_pairs(&content, Arc::from(path.as_path()), &env.span)
                .map_err(|e| prefix(format!("env source files: {}: ", go_list(&entry.envs)), e))?,
        );
    }
    for lit in &entry.literals {
        all.push(
            literal(lit).map_err(|e| {
                prefix(format!("literal sources {}: ", go_list(&entry.literals)), e)
            })?,
        );
    }
    for file in &entry.files {
        all.push(
            file_pair(file, &root)
                .map_err(|e| prefix(format!("file sources: {}: ", go_list(&entry.files)), e))?,
        );
    }
    Ok(all)
}

/// `KEY=VALUE`: the value is everything after the first `=`, with one pair of
/// matching surrounding quotes (double or single) removed.
pub(crate) fn literal(lit: &Located) -> Result<Pair> {
    let source = lit.value.as_str();
    let invalid = || {
        gen_error(
            format!("invalid literal source {source}, expected key=value"),
            &lit.span,
        )
    };
    let (key, value) = source.split_once('=').ok_or_else(invalid)?;
    if key.is_empty() {
        return Err(invalid());
    }
    Ok(Pair {
        key: key.to_string(),
        value: remove_quotes(value).as_bytes().to_vec(),
        key_span: lit.span.clone(),
        value_span: lit.span.clone(),
    })
}

fn remove_quotes(s: &str) -> &str {
    let b = s.as_bytes();
    if b.len() >= 2 && b[0] == b[b.len() - 1] && (b[0] == b'"' || b[0] == b'\'') {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

/// The lines of an env file: leading white space trimmed, blank lines and
/// `#` comments skipped, `KEY=VALUE` split at the first `=` with the value kept
/// as written (quotes and trailing spaces included). A line without `=` takes
/// its value from the environment in kustomize; a render must not depend on the
/// machine it runs on, so it is empty here (what kustomize gives for an unset
/// variable).
pub(crate) fn env_pairs(content: &[u8], file: Arc<Path>, entry_span: &Span) -> Result<Vec<Pair>> {
    let mut out = Vec::new();
    let mut offset = 0usize;
    for (index, raw) in scan_lines(content).into_iter().enumerate() {
        let start = offset;
        offset += raw.len_with_newline;
        let mut text = match std::str::from_utf8(raw.bytes) {
            Ok(t) => t,
            Err(_) => {
                let numbers: Vec<String> = raw.bytes.iter().map(|b| b.to_string()).collect();
                return Err(gen_error(
                    format!(
                        "line [{}] has invalid utf8 bytes : {}",
                        numbers.join(" "),
                        String::from_utf8_lossy(raw.bytes)
                    ),
                    entry_span,
                ));
            }
        };
        if index == 0 {
            if let Some(rest) = text.strip_prefix('\u{feff}') {
                text = rest;
            }
        }
        let trimmed = text.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let (key, value) = trimmed.split_once('=').unwrap_or((trimmed, ""));
        if key.is_empty() {
            continue;
        }
        let column_bytes = raw.bytes.len() - trimmed.len();
        let span = Span {
            file: file.clone(),
            line: index as u32 + 1,
            column: String::from_utf8_lossy(&raw.bytes[..column_bytes])
                .chars()
                .count() as u32
                + 1,
            start: start + column_bytes,
            end: start + raw.bytes.len(),
        };
        out.push(Pair {
            key: key.to_string(),
            value: value.as_bytes().to_vec(),
            key_span: span.clone(),
            value_span: span,
        });
    }
    Ok(out)
}

struct Line<'a> {
    bytes: &'a [u8],
    len_with_newline: usize,
}

/// `bufio.ScanLines`: split at `\n`, drop one trailing `\r`, keep a last line
/// without a newline.
fn scan_lines(content: &[u8]) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut rest = content;
    while !rest.is_empty() {
        let (line, len) = match rest.iter().position(|b| *b == b'\n') {
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        out.push(Line {
            bytes: line,
            len_with_newline: len,
        });
        rest = &rest[len..];
    }
    out
}

/// `files:` entries: `path` (key = base name) or `key=path`.
fn file_pair(file: &Located, root: &Root<'_>) -> Result<Pair> {
    let source = file.value.as_str();
    let (key, path) = match source.matches('=').count() {
        0 => (go_path_base(source), source),
        1 => {
            let (k, p) = source.split_once('=').unwrap_or((source, ""));
            if k.is_empty() {
                return Err(gen_error(
                    format!(
                        "missing key name for file path {} in source {}",
                        gojson::quote(p),
                        gojson::quote(source)
                    ),
                    &file.span,
                ));
            }
            if p.is_empty() {
                return Err(gen_error(
                    format!(
                        "missing file path for key name {} in source {}",
                        gojson::quote(k),
                        gojson::quote(source)
                    ),
                    &file.span,
                ));
            }
            (k.to_string(), p)
        }
        _ => {
            return Err(gen_error(
                format!(
                    "source {} key name or file path contains '='",
                    gojson::quote(source)
                ),
                &file.span,
            ))
        }
    };
    let (path, content) = root.read(path, &file.span)?;
    let len = content.len();
    Ok(Pair {
        key,
        value: content,
        key_span: file.span.clone(),
        value_span: Span {
            file: Arc::from(path.as_path()),
            line: 1,
            column: 1,
            start: 0,
            end: len,
        },
    })
}

/// Go's `path.Base`: the last slash-separated element, trailing slashes ignored.
fn go_path_base(p: &str) -> String {
    if p.is_empty() {
        return ".".to_string();
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".to_string();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

/// The kustomization directory and kustomize's load restrictor: under
/// `RestrictionRootOnly` files must be in or below it.
struct Root<'a> {
    fs: &'a dyn FileSystem,
    /// The directory, symlinks resolved (kustomize's `ConfirmedDir`).
    dir: PathBuf,
    restrictor: LoadRestrictor,
}

impl<'a> Root<'a> {
    fn new(dir: &Path, fs: &'a dyn FileSystem, restrictor: LoadRestrictor) -> Self {
        let dir = fs.canonicalize(dir).unwrap_or_else(|_| normalize(dir));
        Root {
            fs,
            dir,
            restrictor,
        }
    }

    /// Reads a file named relative to the root; returns the path read and its bytes.
    fn read(&self, name: &str, span: &Span) -> Result<(PathBuf, Vec<u8>)> {
        let lower = name.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            return Err(RenderError::new(
                RenderErrorKind::Refused,
                format!("remote file '{name}' is not supported: cnpg-dr never touches the network"),
            )
            .at(span)
            .help("vendor the file into the repository and reference it by a relative path"));
        }
        let path = normalize(&self.dir.join(name));
        let real = match self.fs.canonicalize(&path) {
            Ok(p) => p,
            Err(_) => {
                let missing = self.first_missing(&path);
                return Err(RenderError::new(
                    RenderErrorKind::Io,
                    format!(
                        "evalsymlink failure on '{}' : lstat {}: no such file or directory",
                        path.display(),
                        missing.display()
                    ),
                )
                .at(span));
            }
        };
        if self.fs.is_dir(&real) {
            return Err(RenderError::new(
                RenderErrorKind::Io,
                format!("'{}' must resolve to a file", path.display()),
            )
            .at(span));
        }
        let inside = real.parent().is_some_and(|d| d.starts_with(&self.dir));
        if !inside && self.restrictor == LoadRestrictor::RootOnly {
            return Err(RenderError::new(
                RenderErrorKind::OutsideRoot,
                format!(
                    "security; file '{}' is not in or below '{}'",
                    path.display(),
                    self.dir.display()
                ),
            )
            .at(span)
            .help("kustomize only reads files inside the kustomization's directory; move the file next to the kustomization"));
        }
        let content = self.fs.read(&real).map_err(|e| {
            RenderError::new(RenderErrorKind::Io, format!("{}: {e}", path.display())).at(span)
        })?;
        Ok((path, content))
    }

    /// The shortest prefix of `path` that does not exist (what `lstat` names).
    fn first_missing(&self, path: &Path) -> PathBuf {
        let mut prefix = PathBuf::new();
        for c in path.components() {
            prefix.push(c.as_os_str());
            if matches!(c, Component::Normal(_)) && self.fs.canonicalize(&prefix).is_err() {
                return prefix;
            }
        }
        path.to_path_buf()
    }
}

/// Standard base64 with padding, in lines of 70 characters: once the encoding
/// is 70 characters or longer, every line (the last one too) ends with `\n`
/// (kyaml's `encodeBase64`).
pub(crate) fn base64_wrapped(bytes: &[u8]) -> String {
    const LINE: usize = 70;
    let encoded = base64(bytes);
    if encoded.len() < LINE {
        return encoded;
    }
    let mut out = String::with_capacity(encoded.len() + encoded.len() / LINE + 1);
    for chunk in encoded.as_bytes().chunks(LINE) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(ALPHABET[(n >> 18) as usize & 63] as char);
        out.push(ALPHABET[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            ALPHABET[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            ALPHABET[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}
