//! Reading files: size and UTF-8 limits, YAML with spans, kustomization files, the load restrictor.

use super::*;
use crate::yaml::DuplicateKeys;

const DEPRECATION_ORDER: [&str; 4] = [
    "bases",
    "commonLabels",
    "patchesJson6902",
    "patchesStrategicMerge",
];

pub(super) fn io_error(path: &Path, e: &std::io::Error) -> RenderError {
    let what = match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    };
    RenderError::new(RenderErrorKind::Io, format!("{}: {what}", path.display()))
}

impl Builder<'_> {
    pub(super) fn read_text(&mut self, path: &Path) -> Result<String> {
        let len = self.fs.file_len(path).map_err(|e| io_error(path, &e))?;
        let max = self.options.limits.max_bytes as u64;
        if len > max {
            return Err(RenderError::new(
                RenderErrorKind::Yaml,
                format!(
                    "{}: file is {len} bytes, larger than the limit of {max} bytes",
                    path.display()
                ),
            ));
        }
        let bytes = self.fs.read(path).map_err(|e| io_error(path, &e))?;
        self.files.push(path.to_path_buf());
        String::from_utf8(bytes).map_err(|e| {
            let valid = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
            let line = text.matches('\n').count() + 1;
            let column = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            RenderError::new(
                RenderErrorKind::Yaml,
                format!(
                    "{}:{line}:{column}: invalid UTF-8 (byte offset {valid})",
                    path.display()
                ),
            )
        })
    }

    pub(super) fn load_yaml(&mut self, path: &Path) -> Result<Vec<Node>> {
        let limits = self.options.limits.clone();
        self.load_yaml_with(path, &limits)
    }

    /// Loads with explicit rules: kustomization files are read by go-yaml v2
    /// (YAML 1.1 merges, last duplicate key wins), resources by kyaml.
    pub(super) fn load_yaml_with(&mut self, path: &Path, limits: &LoadLimits) -> Result<Vec<Node>> {
        let text = self.read_text(path)?;
        if let Some(docs) = self.cache.and_then(|c| c.get(path, limits, &text)) {
            return Ok(docs);
        }
        let docs = load_str(&text, Arc::from(path), limits).map_err(|e| {
            RenderError::new(
                RenderErrorKind::Yaml,
                format!("yaml: line {}: {}", e.line, e.message),
            )
            .at(&yaml::Span {
                file: e.file.clone(),
                line: e.line,
                column: e.column,
                start: e.offset,
                end: e.offset,
            })
        })?;
        if let Some(cache) = self.cache {
            cache.put(path, limits, text, &docs);
        }
        Ok(docs)
    }

    /// Finds and parses the kustomization file of `dir`.
    pub(super) fn load_kustomization(&mut self, dir: &Path) -> Result<Kustomization> {
        let found: Vec<PathBuf> = KUSTOMIZATION_FILE_NAMES
            .iter()
            .map(|n| dir.join(n))
            .filter(|p| self.fs.is_file(p))
            .collect();
        let file = match found.as_slice() {
            [] => {
                return Err(RenderError::new(
                    RenderErrorKind::Io,
                    format!(
                        "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{}'",
                        dir.display()
                    ),
                ))
            }
            [one] => one.clone(),
            _ => {
                return Err(RenderError::new(
                    RenderErrorKind::InvalidKustomization,
                    format!("Found multiple kustomization files under: {}", dir.display()),
                ))
            }
        };
        let limits = LoadLimits {
            schema: Schema::Yaml11,
            duplicate_keys: DuplicateKeys::LastWins,
            ..self.options.limits.clone()
        };
        let docs = self
            .load_yaml_with(&file, &limits)
            .map_err(|e| RenderError {
                message: format!("invalid Kustomization: {}", e.message),
                kind: RenderErrorKind::InvalidKustomization,
                ..e
            })?;
        let doc =
            match docs.len() {
                0 => Node::null(yaml::Span::file_start(Arc::from(file.as_path()))),
                1 => docs.into_iter().next().unwrap_or_else(|| {
                    Node::null(yaml::Span::file_start(Arc::from(file.as_path())))
                }),
                _ => return Err(RenderError::new(
                    RenderErrorKind::InvalidKustomization,
                    "invalid Kustomization: a kustomization file holds exactly one YAML document",
                )
                .at(&docs[1].span)),
            };
        let kust = Kustomization::parse(&doc, &file)?;
        for field in DEPRECATION_ORDER {
            if let Some((f, new)) = kust.deprecations.iter().find(|(f, _)| *f == field) {
                self.warnings.push(format!(
                    "# Warning: '{f}' is deprecated. Please use '{new}' instead. Run 'kustomize edit fix' to update your Kustomization automatically."
                ));
            }
        }
        Ok(kust)
    }

    pub(super) fn canonical_dir(&self, dir: &Path) -> PathBuf {
        self.fs
            .canonicalize(dir)
            .unwrap_or_else(|_| crate::fs::normalize(dir))
    }

    /// The load restrictor: under [`LoadRestrictor::RootOnly`] files must be
    /// in or below the kustomization directory.
    pub(super) fn check_inside(&self, dir: &Path, path: &Path) -> Result<()> {
        if self.options.load_restrictor == LoadRestrictor::None {
            return Ok(());
        }
        let root = self.canonical_dir(dir);
        let real = match self.fs.canonicalize(path) {
            Ok(p) => p,
            Err(e) => return Err(io_error(path, &e)),
        };
        if !real.starts_with(&root) {
            return Err(RenderError::new(
                RenderErrorKind::OutsideRoot,
                // kustomize names the file as written (a symlink, not its target).
                format!("security; file '{}' is not in or below '{}'", path.display(), root.display()),
            )
            .help("kustomize only reads files inside the kustomization's directory; move the file, or make its directory a base with its own kustomization.yaml"));
        }
        Ok(())
    }
}

/// Turns loaded documents into resources: skips empty ones, expands `kind: List`.
pub(super) fn resources_from_docs(docs: Vec<Node>, path: &Path) -> Result<Vec<Resource>> {
    let mut out = Vec::new();
    for doc in docs {
        if doc.is_null() {
            continue;
        }
        let Some(map) = doc.as_map() else {
            return Err(RenderError::new(
                RenderErrorKind::InvalidResource,
                "a resource must be a YAML mapping",
            )
            .at(&doc.span));
        };
        if map.is_empty() {
            continue;
        }
        let kind = map.get("kind").and_then(Node::as_str).unwrap_or("");
        if map.get("apiVersion").is_none()
            && map.get("kind").is_none()
            && map.get("metadata").is_none()
        {
            return Err(RenderError::new(RenderErrorKind::InvalidResource, "missing Resource metadata")
                .at(&doc.span)
                .help("this file has no apiVersion, kind or metadata; a kustomization file cannot be listed as a resource, list its directory instead"));
        }
        if kind == "List" || (kind.ends_with("List") && map.get("items").is_some()) {
            if let Some(items) = map.get("items").and_then(Node::as_seq) {
                for item in items {
                    out.push(Resource::new(item.clone(), path.to_path_buf())?);
                }
                continue;
            }
        }
        out.push(Resource::new(doc, path.to_path_buf())?);
    }
    Ok(out)
}
