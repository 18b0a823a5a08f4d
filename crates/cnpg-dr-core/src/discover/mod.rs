//! Walking a repository: kustomization roots, database directories (roots that
//! render a CNPG Cluster) with every overlay rendered, and loose YAML files.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::cnpg::Cluster;
use crate::edit::ChangeSet;
use crate::fs::{normalize, CachedFs, FileSystem};
use crate::kustomize::{
    render_cached, Kustomization, ParseCache, RenderError, RenderErrorKind, RenderOptions,
    Rendered, Resource,
};
use crate::layout::{kustomization_file, overlays, DrFlag, Overlay};
use crate::progress::{NoProgress, Phase, Progress};
use crate::yaml::{load_bytes, load_str, LoadError, LoadLimits, Node};

use rayon::prelude::*;

mod index;

pub(crate) use index::database_rels;
pub use index::RepositoryIndex;

/// One way a database directory renders: as it is, or with the flag moved to a dormant overlay.
#[derive(Debug)]
pub struct Variant {
    /// The overlay the flag points at in this variant (None: the root has no overlay lines).
    pub overlay: Option<Overlay>,
    /// True when this is not what the repository deploys today.
    pub dormant: bool,
    pub rendered: Result<Rendered, RenderError>,
}

impl Variant {
    pub fn resources(&self) -> &[Resource] {
        self.rendered
            .as_ref()
            .map(|r| r.resources.as_slice())
            .unwrap_or(&[])
    }
    pub fn clusters(&self) -> impl Iterator<Item = Cluster<'_>> {
        self.resources().iter().filter_map(Cluster::from)
    }
    pub fn overlay_name(&self) -> Option<&str> {
        self.overlay.as_ref().map(|o| o.name.as_str())
    }
}

/// A kustomization root whose active render holds a CNPG Cluster.
#[derive(Debug)]
pub struct Database {
    pub dir: PathBuf,
    pub kustomization: PathBuf,
    pub flag: DrFlag,
    pub overlays: Vec<Overlay>,
    /// The active render first, then one per dormant overlay.
    pub variants: Vec<Variant>,
}

impl Database {
    pub fn active(&self) -> &Variant {
        &self.variants[0]
    }
}

/// What discovery found.
#[derive(Debug, Default)]
pub struct Repository {
    pub root: PathBuf,
    pub databases: Vec<Database>,
    /// Kustomization roots that failed to render (no database could be recognised).
    pub failed_roots: Vec<(PathBuf, RenderError)>,
    /// Kustomization roots not checked because they use what cnpg-dr refuses
    /// by design (Helm charts, remote bases, plugins): not defects.
    pub unchecked_roots: Vec<(PathBuf, RenderError)>,
    /// Every parsed kustomization file (roots and bases), for rules about the files themselves.
    pub kustomizations: Vec<Kustomization>,
    /// YAML documents in files that no kustomization includes (Argo CD apps, raw manifests).
    pub loose: Vec<Resource>,
    /// YAML files no kustomization includes that do not parse (Helm chart
    /// and Go templates aside): Argo CD or kubectl would refuse them too.
    pub unparsable: Vec<LoadError>,
    /// Every directory the walk found (sorted): what rules ask of the tree
    /// without reading it again ([`Repository::has_dir`]).
    pub dirs: Vec<PathBuf>,
    /// The text of the files read to build this (filled by the caller that
    /// read them through a [`crate::fs::CachedFs`]; empty otherwise).
    pub sources: crate::fs::Sources,
    /// The Flux Kustomizations found in Git and the directories they deploy
    /// (each directory is rendered as Flux renders it: see [`crate::flux`]).
    pub flux: Vec<crate::flux::Deployment>,
    /// Lookups built on first use (rules ask the same questions for every
    /// database: a scan per question would be quadratic in the repository).
    pub index: RepositoryIndex,
}

/// Options of a walk.
#[derive(Clone, Debug, Default)]
pub struct DiscoverOptions {
    /// Path prefixes (relative to the root) to skip in discovery's own walk
    /// (unused when `walked` is given: the caller's walk already skipped them).
    pub exclude: Vec<PathBuf>,
    pub render: RenderOptions,
    /// The tree, when the caller has walked it already (the lint runner
    /// does, to find excluded entries): discovery then skips its own walk.
    pub walked: Option<Walked>,
}

/// A walk of a repository as discovery makes it: hidden entries and
/// `exclude` skipped, each directory once (by its canonical path), both lists
/// sorted.
#[derive(Clone, Debug, Default)]
pub struct Walked {
    /// Every regular file.
    pub files: Vec<PathBuf>,
    /// Every directory, the root included.
    pub dirs: Vec<PathBuf>,
}

fn is_yaml(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

/// True when line `line` (1-based) of `bytes` holds a template action (`{{`).
fn error_line_has_template(bytes: &[u8], line: u32) -> bool {
    bytes
        .split(|b| *b == b'\n')
        .nth(line.saturating_sub(1) as usize)
        .is_some_and(|l| l.windows(2).any(|w| w == b"{{"))
}

/// Walks `root` the way discovery sees a repository: hidden entries (`.git`)
/// and those `skip` refuses are left out, each directory is listed once (by
/// its canonical path: symlink loops end), one level at a time with the
/// level's directories listed in parallel. `skip` sees each other entry once,
/// in order, on this thread.
pub fn walk_tree(fs: &dyn FileSystem, root: &Path, skip: &mut dyn FnMut(&Path) -> bool) -> Walked {
    let mut walked = Walked::default();
    let mut seen = BTreeSet::new();
    let mut level = vec![root.to_path_buf()];
    while !level.is_empty() {
        let canonical: Vec<Option<PathBuf>> =
            level.par_iter().map(|d| fs.canonicalize(d).ok()).collect();
        let dirs: Vec<PathBuf> = level
            .into_iter()
            .zip(canonical)
            .filter(|(_, real)| real.as_ref().is_none_or(|r| seen.insert(r.clone())))
            .map(|(d, _)| d)
            .collect();
        let listed: Vec<Vec<PathBuf>> = dirs
            .par_iter()
            .map(|d| fs.read_dir(d).unwrap_or_default())
            .collect();
        walked.dirs.extend(dirs);
        let mut next = Vec::new();
        for e in listed.into_iter().flatten() {
            let hidden = e
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if hidden || skip(&e) {
                continue;
            }
            if fs.is_dir(&e) {
                next.push(e);
            } else if fs.is_file(&e) {
                walked.files.push(e);
            }
        }
        level = next;
    }
    walked.files.sort();
    walked.dirs.sort();
    walked
}

/// Walks `root` and renders every kustomization root and every overlay of every database.
pub fn discover(fs: &dyn FileSystem, root: &Path, options: &DiscoverOptions) -> Repository {
    discover_with_progress(fs, root, options, &NoProgress)
}

/// [`discover`], telling `progress` about each kustomization root it renders.
pub fn discover_with_progress(
    fs: &dyn FileSystem,
    root: &Path,
    options: &DiscoverOptions,
    progress: &dyn Progress,
) -> Repository {
    // Every file is read once, and its text kept for the spans that point
    // into it (Repository::sources).
    let local;
    let fs: &dyn FileSystem = if fs.caches_reads() {
        fs
    } else {
        local = CachedFs::new(fs);
        &local
    };
    let Walked { files, dirs } = match &options.walked {
        Some(w) => w.clone(),
        None => walk_tree(fs, root, &mut |e| {
            let rel = e.strip_prefix(root).unwrap_or(e);
            options.exclude.iter().any(|x| rel.starts_with(x))
        }),
    };

    // Kustomization directories, and what each of them includes (parsed in
    // parallel, gathered in walk order).
    let parsed: Vec<(PathBuf, Vec<PathBuf>, Option<Kustomization>)> = dirs
        .par_iter()
        .filter_map(|dir| {
            let file = kustomization_file(fs, dir)?;
            let (referenced, k) = references(fs, dir, &file);
            Some((dir.clone(), referenced, k))
        })
        .collect();
    let mut kustomizations = Vec::new();
    let mut referenced: HashSet<PathBuf> = HashSet::new();
    let mut kust_dirs = Vec::new();
    let mut includes: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
    for (dir, refs, k) in parsed {
        kust_dirs.push(dir.clone());
        referenced.extend(refs.iter().cloned());
        includes.insert(dir, refs);
        kustomizations.extend(k);
    }

    let mut repo = Repository {
        root: root.to_path_buf(),
        kustomizations,
        ..Default::default()
    };
    let kust_dir_set: HashSet<&Path> = kust_dirs.iter().map(PathBuf::as_path).collect();
    // A directory a Flux Kustomization deploys is a root even when another
    // kustomization includes it; the first Kustomization naming it decides
    // how it renders.
    let flux = crate::flux::deployments(fs, root, &files);
    // The components they add are included, not roots of their own.
    referenced.extend(flux.iter().flat_map(|d| {
        d.components
            .iter()
            .map(|c| normalize(&d.dir.join(c)))
            .collect::<Vec<_>>()
    }));
    let mut deployed_by: HashMap<&Path, &crate::flux::Deployment> = HashMap::new();
    for d in &flux {
        deployed_by.entry(d.dir.as_path()).or_insert(d);
    }
    let roots: Vec<PathBuf> = kust_dirs
        .iter()
        .filter(|d| !referenced.contains(*d) || deployed_by.contains_key(d.as_path()))
        .cloned()
        .collect();
    // Roots render independently: in parallel, then gathered in walk order.
    // A root that does not render hides nothing: what it includes is
    // rendered as roots in their turn (Argo CD applications point at
    // subdirectories directly), level by level.
    progress.start(Phase::Render, roots.len());
    let mut seen: HashSet<PathBuf> = roots.iter().cloned().collect();
    let mut parent_of: HashMap<PathBuf, PathBuf> = HashMap::new();
    let mut outcomes: Vec<(PathBuf, RootOutcome)> = Vec::new();
    let mut level = roots;
    while !level.is_empty() {
        let rendered: Vec<RootOutcome> = level
            .par_iter()
            .map(|dir| {
                progress.item(Phase::Render, dir);
                render_root(fs, dir, options, deployer(&deployed_by, dir))
            })
            .collect();
        let mut next = Vec::new();
        for (dir, outcome) in level.into_iter().zip(rendered) {
            // (A cycle runs through what the root includes: rendering
            // those would report the same cycle again from each member. A
            // chain too deep to follow fails again at every level of it,
            // each render following it a hundred levels: said once, here.)
            if matches!(&outcome, RootOutcome::Failed(_, e)
                if e.kind != RenderErrorKind::Cycle && e.kind != RenderErrorKind::TooDeep)
            {
                for child in includes.get(&dir).into_iter().flatten() {
                    if kust_dir_set.contains(child.as_path()) && seen.insert(child.clone()) {
                        parent_of.insert(child.clone(), dir.clone());
                        next.push(child.clone());
                    }
                }
            }
            outcomes.push((dir, outcome));
        }
        level = next;
    }
    outcomes.sort_by(|a, b| a.0.cmp(&b.0));
    // A parent that fails only because an included root fails is reported
    // there, once, where the cause is.
    let failures: Vec<(&PathBuf, &RenderError)> = outcomes
        .iter()
        .filter_map(|(d, o)| match o {
            RootOutcome::Failed(_, e) => Some((d, e)),
            _ => None,
        })
        .collect();
    let explained: HashSet<PathBuf> = failures
        .iter()
        .filter_map(|(child, e)| {
            let parent = parent_of.get(*child)?;
            failures
                .iter()
                .any(|(d, pe)| *d == parent && pe.message == e.message && pe.span == e.span)
                .then(|| parent.clone())
        })
        .collect();
    let mut other_files: Vec<PathBuf> = Vec::new();
    for (_, outcome) in outcomes {
        match outcome {
            RootOutcome::Database(db) => repo.databases.push(*db),
            RootOutcome::Failed(dir, _) if explained.contains(&dir) => {}
            RootOutcome::Failed(dir, e) if e.kind == RenderErrorKind::Refused => {
                repo.unchecked_roots.push((dir, e))
            }
            RootOutcome::Failed(dir, e) => repo.failed_roots.push((dir, e)),
            RootOutcome::Other(files) => other_files.extend(files),
            RootOutcome::Missing => {}
        }
    }
    // Files some render read, and bases and overlays even when nothing
    // rendered them, are not loose (borrowed, not copied: there are tens of
    // thousands in a large repository).
    let kust_files: Vec<PathBuf> = kust_dirs
        .iter()
        .filter_map(|d| kustomization_file(fs, d))
        .collect();
    let mut included: HashSet<&Path> = repo
        .databases
        .iter()
        .flat_map(|d| d.variants.iter())
        .filter_map(|v| v.rendered.as_ref().ok())
        .flat_map(|r| r.files.iter().map(PathBuf::as_path))
        .collect();
    included.extend(other_files.iter().map(PathBuf::as_path));
    included.extend(kust_files.iter().map(PathBuf::as_path));
    let mut loose = Vec::new();
    let mut unparsable = Vec::new();
    // Directories of Helm charts: their YAML files are templates.
    let charts: Vec<&Path> = files
        .iter()
        .filter(|f| f.file_name().is_some_and(|n| n == "Chart.yaml"))
        .filter_map(|f| f.parent())
        .collect();
    let in_chart = |file: &Path| charts.iter().any(|c| file.starts_with(c));
    for file in files.iter().filter(|f| is_yaml(f)) {
        if included.contains(file.as_path())
            || referenced.contains(file)
            || (is_kustomization_name(file)
                && file.parent().is_some_and(|d| kust_dir_set.contains(d)))
        {
            continue;
        }
        let Ok(bytes) = fs.read(file) else { continue };
        let docs = match load_bytes(&bytes, Arc::from(file.as_path()), &LoadLimits::default()) {
            Ok(docs) => docs,
            // A template (Helm chart, Go template) is not YAML until
            // rendered: a file in a chart, or whose error sits on a line
            // with a template action (an ApplicationSet's quoted
            // `'{{ .path.basename }}'` parses, and its other errors count).
            Err(e) if in_chart(file) || error_line_has_template(&bytes, e.line) => continue,
            Err(e) => {
                unparsable.push(e);
                continue;
            }
        };
        for doc in docs {
            if doc.get_path(&["kind"]).is_some() && doc.get_path(&["apiVersion"]).is_some() {
                if let Ok(r) = Resource::new(doc, file.clone()) {
                    loose.push(r);
                }
            }
        }
    }
    drop(included);
    let (loose, plain) = plain_databases(loose, &kust_dirs);
    repo.loose = loose;
    repo.unparsable = unparsable;
    repo.databases.extend(plain);
    repo.databases.sort_by(|a, b| a.dir.cmp(&b.dir));
    repo.sources = fs.sources().unwrap_or_default();
    repo.dirs = dirs;
    repo.flux = flux;
    repo
}

/// Directories of manifests with no kustomization that hold a Cluster (what
/// an Argo CD directory application deploys): each is a database with no DR
/// switch, its resources taken out of the loose ones.
fn plain_databases(loose: Vec<Resource>, kust_dirs: &[PathBuf]) -> (Vec<Resource>, Vec<Database>) {
    let kust: HashSet<&Path> = kust_dirs.iter().map(PathBuf::as_path).collect();
    let mut by_dir: BTreeMap<PathBuf, Vec<Resource>> = BTreeMap::new();
    for r in loose {
        let dir = r.origin.parent().map(Path::to_path_buf).unwrap_or_default();
        by_dir.entry(dir).or_default().push(r);
    }
    let mut rest = Vec::new();
    let mut databases = Vec::new();
    for (dir, resources) in by_dir {
        let first_cluster = resources
            .iter()
            .find(|r| Cluster::from(r).is_some())
            .map(|r| r.origin.clone());
        let Some(file) = first_cluster.filter(|_| !kust.contains(dir.as_path())) else {
            rest.extend(resources);
            continue;
        };
        let mut files: Vec<PathBuf> = resources.iter().map(|r| r.origin.clone()).collect();
        files.dedup();
        databases.push(Database {
            dir,
            flag: DrFlag {
                file: file.clone(),
                lines: Vec::new(),
            },
            kustomization: file,
            overlays: Vec::new(),
            variants: vec![Variant {
                overlay: None,
                dormant: false,
                rendered: Ok(Rendered {
                    resources,
                    warnings: Vec::new(),
                    files,
                }),
            }],
        });
    }
    (rest, databases)
}

/// What the kustomization `file` of `dir` includes (resources, components,
/// patches, configurations), with the overlays of its DR switch, dormant or
/// not, and the parsed kustomization when it parses.
fn references(
    fs: &dyn FileSystem,
    dir: &Path,
    file: &Path,
) -> (Vec<PathBuf>, Option<Kustomization>) {
    let mut referenced = Vec::new();
    let Ok(bytes) = fs.read(file) else {
        return (referenced, None);
    };
    let text = String::from_utf8_lossy(&bytes);
    // Commented-out overlay lines (dormant overlays), and overlay directories
    // next to a switch line that the root does not name, belong to this root.
    for line in &DrFlag::parse(file, &text).lines {
        let overlay = normalize(&dir.join(&line.entry));
        if !line.active {
            referenced.push(overlay.clone());
        }
        if let Some(parent) = overlay.parent().filter(|p| *p != dir) {
            for sibling in fs.read_dir(parent).unwrap_or_default() {
                if sibling != overlay && fs.is_dir(&sibling) {
                    referenced.push(sibling);
                }
            }
        }
    }
    let Ok(docs) = load_str(&text, Arc::from(file), &LoadLimits::yaml11()) else {
        return (referenced, None);
    };
    let doc = docs
        .into_iter()
        .next()
        .unwrap_or_else(|| Node::null(crate::yaml::Span::file_start(Arc::from(file))));
    let Ok(k) = Kustomization::parse(&doc, file) else {
        return (referenced, None);
    };
    for entry in k.resources.iter().chain(k.components.iter()) {
        referenced.push(normalize(&dir.join(&entry.value)));
    }
    for p in k.patches.iter().chain(k.patches_json6902.iter()) {
        if let Some(path) = &p.path {
            referenced.push(normalize(&dir.join(&path.value)));
        }
    }
    for p in &k.patches_strategic_merge {
        referenced.push(normalize(&dir.join(&p.value)));
    }
    for c in &k.configurations {
        referenced.push(normalize(&dir.join(&c.value)));
    }
    (referenced, Some(k))
}

/// The Flux Kustomization that builds `dir`: the one deploying it, or else
/// the nearest one deploying a directory above it (a `spec.path` with no
/// kustomization file, which Flux builds from every kustomization below it).
fn deployer<'a>(
    deployed_by: &HashMap<&Path, &'a crate::flux::Deployment>,
    dir: &Path,
) -> Option<&'a crate::flux::Deployment> {
    dir.ancestors().find_map(|d| deployed_by.get(d).copied())
}

/// What one kustomization root turned out to be.
enum RootOutcome {
    Database(Box<Database>),
    /// Not a database and does not render.
    Failed(PathBuf, RenderError),
    /// Renders, but holds no database: the files it includes.
    Other(Vec<PathBuf>),
    /// The kustomization file vanished since the walk.
    Missing,
}

/// Renders a root and, when it is a database, every dormant overlay of it;
/// a root a Flux Kustomization deploys renders as Flux renders it.
fn render_root(
    fs: &dyn FileSystem,
    dir: &Path,
    options: &DiscoverOptions,
    flux: Option<&crate::flux::Deployment>,
) -> RootOutcome {
    let render_options = match flux {
        Some(d) => d.render_options(&options.render),
        None => options.render.clone(),
    };
    let flux_applied = |mut rendered: Result<Rendered, RenderError>| {
        if let (Some(d), Ok(r)) = (flux, rendered.as_mut()) {
            d.apply(&mut r.resources);
        }
        rendered
    };
    let Some(file) = kustomization_file(fs, dir) else {
        return RootOutcome::Missing;
    };
    let text = fs
        .read(&file)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let flag = DrFlag::parse(&file, &text);
    // The variants share the base: each of its files is parsed once.
    let cache = ParseCache::new();
    // Flux's spec.components join the kustomization's own (for the
    // Kustomization deploying this very directory).
    let with_components = |t: &str| {
        flux.filter(|d| d.dir == dir)
            .and_then(|d| d.kustomization_text(t))
    };
    let active = match with_components(&text) {
        Some(edited) => {
            let mut changes = ChangeSet::new();
            changes.set(&normalize(&file), Some(text.clone()), edited);
            render_cached(&changes.view(fs), dir, &render_options, &cache)
        }
        None => render_cached(fs, dir, &render_options, &cache),
    };
    let active = flux_applied(active);
    let has_cluster = active
        .as_ref()
        .is_ok_and(|r| r.resources.iter().any(|r| Cluster::from(r).is_some()));
    let overlay_list = overlays(fs, dir, &flag);
    let looks_like_db = has_cluster
        || overlay_list
            .iter()
            .any(|o| matches!(o.name.as_str(), "initdb" | "recovery"));
    if !looks_like_db {
        return match active {
            Ok(r) => RootOutcome::Other(r.files),
            Err(e) => RootOutcome::Failed(dir.to_path_buf(), e),
        };
    }
    let active_overlay = overlay_list.iter().find(|o| o.active).cloned();
    let mut variants = vec![Variant {
        overlay: active_overlay,
        dormant: false,
        rendered: active,
    }];
    for o in overlay_list.iter().filter(|o| !o.active) {
        let rendered = match flag.variant_text(&text, &o.entry) {
            Some(flipped) => {
                // The root as it reads with the switch moved, in memory.
                let mut moved = ChangeSet::new();
                let flipped = with_components(&flipped).unwrap_or(flipped);
                moved.set(&normalize(&file), Some(text.clone()), flipped);
                render_cached(&moved.view(fs), dir, &render_options, &cache)
            }
            // A sibling overlay with no line in the root: render it directly.
            None => render_cached(fs, &o.dir, &render_options, &cache),
        };
        let rendered = flux_applied(rendered);
        variants.push(Variant {
            overlay: Some(o.clone()),
            dormant: true,
            rendered,
        });
    }
    RootOutcome::Database(Box::new(Database {
        dir: dir.to_path_buf(),
        kustomization: file,
        flag,
        overlays: overlay_list,
        variants,
    }))
}

fn is_kustomization_name(file: &Path) -> bool {
    file.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| crate::kustomize::KUSTOMIZATION_FILE_NAMES.contains(&n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::RealFs;

    #[test]
    fn demo_repository_has_four_databases_with_dormant_overlays() {
        let root = normalize(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/demo"));
        let repo = discover(&RealFs, &root, &DiscoverOptions::default());
        let names: Vec<String> = repo
            .databases
            .iter()
            .map(|d| d.dir.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["gitea", "immich", "paperless", "vaultwarden"]);
        let gitea = &repo.databases[0];
        assert_eq!(gitea.active().overlay_name(), Some("recovery"));
        assert_eq!(gitea.variants.len(), 2);
        assert!(gitea.variants[1].dormant);
        assert_eq!(gitea.variants[1].overlay_name(), Some("initdb"));
        let dormant = gitea.variants[1].clusters().next().unwrap();
        assert!(dormant.initdb().is_some() && dormant.recovery().is_none());
        // The Argo CD ApplicationSet is not part of any kustomization.
        assert!(repo.loose.iter().any(|r| r.kind() == "ApplicationSet"));
        assert!(repo.failed_roots.is_empty());
    }

    #[test]
    fn a_failing_parent_hides_no_database_and_helm_is_unchecked_not_failed() {
        let root =
            normalize(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/real-layouts"));
        let repo = discover(&RealFs, &root, &DiscoverOptions::default());
        let dirs: Vec<String> = repo
            .databases
            .iter()
            .map(|d| d.dir.strip_prefix(&root).unwrap().display().to_string())
            .collect();
        assert_eq!(dirs, ["clusters/default", "gitea", "manifests/nextcloud"]);
        // The top-level root fails only because of the Helm root it includes:
        // one note, at the Helm root, and no failure.
        assert!(repo.failed_roots.is_empty(), "{:?}", repo.failed_roots);
        assert_eq!(repo.unchecked_roots.len(), 1);
        assert!(repo.unchecked_roots[0]
            .0
            .ends_with("cloudnative-pg-operator"));
        // The Cluster file with no kustomization is a database, not loose.
        assert!(!repo.loose.iter().any(|r| r.kind() == "Cluster"));
        let plain = &repo.databases[2];
        assert!(plain.flag.lines.is_empty() && plain.overlays.is_empty());
        assert_eq!(plain.active().clusters().count(), 1);
        assert_eq!(repo.databases[0].active().clusters().count(), 2);
    }
}
