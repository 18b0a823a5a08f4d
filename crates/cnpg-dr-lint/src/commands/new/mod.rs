//! `cnpg-dr new NAME`: scaffold a database directory. The values come from
//! the flags, then `--like OTHER_DB`, then the `new:` section of
//! `.cnpg-dr.yaml`, then a neighbouring database of the repository, then the
//! built-in defaults; what is still missing is asked on a terminal. The
//! directory is built under a hidden temporary name beside its final place and
//! renamed into place, so a reader (or Argo CD) never sees half of it, and a
//! failure leaves nothing.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cnpg_dr_core::discover::{discover, Database, DiscoverOptions};
use cnpg_dr_core::fs::{normalize, FileSystem, RealFs};
use cnpg_dr_core::scaffold::{
    conventions, scaffold, BackupShape, Choices, Field, Scaffold, ScaffoldError, ScaffoldFile,
    SecretStoreRef, Spec,
};
use cnpg_dr_lint::config::Config;
use cnpg_dr_lint::resolve::{repository_root, ResolveError, Resolved};

mod neighbour;
mod prompt;

use neighbour::neighbour;

use crate::cli::{BackupShapeArg, NewArgs};
use crate::diagnostic::{config_error, display_path};
use crate::term::write_stdout;

use cnpg_dr_core::cnpg::versions::{
    BARMAN_OBJECT_STORE_DEPRECATED as NATIVE_DEPRECATED,
    BARMAN_OBJECT_STORE_REMOVED as NATIVE_REMOVED, NEWEST,
};

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

pub fn run(args: &NewArgs) -> ExitCode {
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => return fail(format!("cannot read the current directory: {e}")),
    };
    let explicit = args.config.as_ref().map(|c| normalize(&cwd.join(c)));
    let (config_file, config) = match Resolved::for_path(&RealFs, &cwd, explicit.as_deref()) {
        Ok(r) => (r.config_file, r.config),
        Err(ResolveError::NoConfigFile(c)) => {
            return fail(format!("{}: no such configuration file", display_path(&c)))
        }
        Err(ResolveError::Config(e)) => {
            eprint!("{}", config_error(&e));
            return ExitCode::from(2);
        }
    };

    let chosen_parent = match (&args.dir, &config.new.dir, config.dir()) {
        (Some(d), _, _) => Some(normalize(&cwd.join(d))),
        (None, Some(d), Some(config_dir)) => Some(normalize(&config_dir.join(d))),
        _ => None,
    };
    let search_from = chosen_parent.clone().unwrap_or_else(|| cwd.clone());

    let flags = match flag_choices(args) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let like_name = args.like.as_deref().or(config.new.like.as_deref());
    let explicit = match like_name {
        Some(other) => match find_database(&cwd, &search_from, other)
            .and_then(|db| conventions(&db).map(|c| (db, c)).map_err(|e| e.to_string()))
        {
            Ok(found) => Some(found),
            Err(e) => return fail(format!("--like {other}: {e}")),
        },
        None => None,
    };
    // Without --like, a repository that already has databases is the best
    // source of its own conventions: copy them from a neighbour.
    let neighbour = match explicit {
        Some(_) => None,
        None => neighbour(&search_from, &cwd),
    };
    let (like_db, like, neighbours) = match (explicit, neighbour) {
        (Some((db, c)), _) => (Some(db), c, Choices::default()),
        (None, Some(n)) => {
            eprintln!("note: {}", n.why());
            (Some(n.db), n.choices, n.others)
        }
        (None, None) => (None, Choices::default(), Choices::default()),
    };
    let parent = chosen_parent.unwrap_or_else(|| {
        like_db
            .as_ref()
            .and_then(|db| db.dir.parent())
            .map_or_else(|| cwd.clone(), Path::to_path_buf)
    });
    let like_label = like_db
        .as_ref()
        .and_then(|db| db.dir.file_name())
        .map(|n| n.to_string_lossy().into_owned());
    let sources = Sources {
        flags: &flags,
        like: &like,
        like_name: like_label.as_deref(),
        explicit_like: like_name.is_some(),
        config: &config,
    };
    let mut choices = flags
        .clone()
        .over(like.clone())
        .over(config.new.choices.clone())
        .over(neighbours)
        .over(Choices::builtin());

    let cnpg_version = config.cnpg_version.unwrap_or(NEWEST);
    if choices.backup == Some(BackupShape::Native) {
        if cnpg_version >= NATIVE_REMOVED {
            return fail(format!(
                "the native backup shape ({}) was removed in CNPG 1.31 (cnpgVersion {}.{} in {}): use --backup plugin",
                sources.origin(Field::Backup).unwrap_or_default(),
                cnpg_version.0,
                cnpg_version.1,
                config_file.as_deref().map_or_else(|| "the configuration".to_string(), display_path)
            ));
        }
        eprintln!(
            "warning: the native backup shape (in-tree barmanObjectStore) is deprecated since CNPG 1.26 and removed in 1.31; the plugin shape is the default for new databases"
        );
    }

    let mut spec: Spec = loop {
        let errors = match choices.resolve(&args.name) {
            Ok(s) => break s,
            Err(errors) => errors,
        };
        let (missing, wrong): (Vec<_>, Vec<_>) = errors
            .0
            .iter()
            .partition(|e| sources.origin(e.field).is_none() && e.field != Field::Name);
        for e in &wrong {
            match sources.origin(e.field) {
                Some(origin) => eprintln!("error: {} ({origin})", e.message),
                None => eprintln!("error: {}", e.message),
            }
        }
        if !wrong.is_empty() || missing.is_empty() {
            return ExitCode::from(2);
        }
        if prompt::interactive() {
            match prompt::ask(&missing) {
                Ok(answers) => {
                    choices = answers.over(choices);
                    continue;
                }
                Err(e) => return fail(e),
            }
        }
        eprintln!("{}", missing_message(&args.name, &missing, &sources));
        return ExitCode::from(2);
    };
    spec.acknowledge_native =
        spec.backup == BackupShape::Native && cnpg_version >= NATIVE_DEPRECATED;
    let scaffold = scaffold(&spec);
    if let Err(e) = scaffold.check_renders() {
        return fail(format!(
            "the scaffold does not render ({e}); this is a bug in cnpg-dr, please report it"
        ));
    }

    let target = parent.join(&spec.name);
    let exists = target.symlink_metadata().is_ok();
    if exists && !target.is_dir() {
        return fail(format!(
            "{} exists and is not a directory; nothing written",
            display_path(&target)
        ));
    }
    if exists && !args.force {
        return fail(format!(
            "{} already exists; nothing written (--force replaces it)",
            display_path(&target)
        ));
    }

    if args.dry_run {
        let text = dry_run(&scaffold, &target, exists);
        return match write_stdout(text.as_bytes()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(format!("cannot write the dry run: {e}")),
        };
    }
    if let Err(e) = write_directory(&parent, &spec.name, &scaffold.files, exists) {
        return fail(format!(
            "cannot write {}: {e}; nothing written",
            display_path(&target)
        ));
    }
    let shown = display_path(&target);
    let text = format!(
        "{verb} {shown}/ ({files} files, {shape} backups)\n  \
         DR flag: overlays/initdb, writing lineage {first}\n  \
         first recovery (overlays/recovery): reads {first}, writes {second}\n\
         next: review the values, run `cnpg-dr lint {shown}`, and commit\n",
        verb = if exists { "replaced" } else { "created" },
        files = scaffold.files.len(),
        shape = spec.backup.as_str(),
        first = spec.first_lineage(),
        second = spec.second_lineage(),
    );
    match write_stdout(text.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(format!("cannot write the summary: {e}")),
    }
}

/// The one message listing every value nothing provides.
fn missing_message(name: &str, missing: &[&ScaffoldError], sources: &Sources) -> String {
    let learnt = match sources.like_name {
        Some(other) => format!("{other}, whose conventions were copied, has none;"),
        None => "no database directory to copy conventions from,".to_string(),
    };
    let mut out = format!(
        "error: cnpg-dr new {name} needs {} value(s) that nothing provides ({learnt} no default in .cnpg-dr.yaml):\n",
        missing.len()
    );
    for e in missing {
        let how = sources.help(e.field).unwrap_or_default();
        out.push_str(&format!("  - {}\n    {how}\n", e.message));
    }
    out.push_str(
        "help: pass the flags, set the defaults under `new:` in .cnpg-dr.yaml, copy an existing database with --like DB, or run cnpg-dr new on a terminal to be asked",
    );
    out
}

/// The choices given as flags.
fn flag_choices(args: &NewArgs) -> Result<Choices, String> {
    let secret_store = args
        .secret_store
        .as_deref()
        .map(SecretStoreRef::parse)
        .transpose()
        .map_err(|e| format!("--secret-store: {e}"))?;
    Ok(Choices {
        namespace: args.namespace.clone(),
        database: args.database.clone(),
        owner: args.owner.clone(),
        backup: args.backup.map(|b| match b {
            BackupShapeArg::Plugin => BackupShape::Plugin,
            BackupShapeArg::Native => BackupShape::Native,
        }),
        destination_path: args.destination_path.clone(),
        endpoint_url: args.endpoint_url.clone(),
        s3_credentials: args.s3_credentials.clone(),
        instances: args.instances,
        storage_size: args.storage_size.clone(),
        storage_class: args.storage_class.clone(),
        image: args.image.clone(),
        schedule: args.schedule.clone(),
        secret_store,
        retention_policy: args.retention_policy.clone(),
        ..Choices::default()
    })
}

/// Where each choice came from, for messages about its value.
struct Sources<'a> {
    flags: &'a Choices,
    like: &'a Choices,
    like_name: Option<&'a str>,
    /// False when the conventions came from a neighbour, not `--like`.
    explicit_like: bool,
    config: &'a Config,
}

impl Sources<'_> {
    fn config_key(&self, field: Field) -> String {
        let key = field.config_key().unwrap_or("?");
        match (&self.config.file, self.config.new.position(field)) {
            (Some(f), Some((line, column))) => {
                format!("{}:{line}:{column} new.{key}", display_path(f))
            }
            _ => format!("new.{key} in .cnpg-dr.yaml"),
        }
    }

    /// Which source set `field`; None when none did (or for NAME itself).
    fn origin(&self, field: Field) -> Option<String> {
        if field == Field::Name {
            None
        } else if self.flags.sets(field) {
            field.flag().map(str::to_string)
        } else if self.like.sets(field) {
            let name = self.like_name.unwrap_or("?");
            Some(if self.explicit_like {
                format!("copied by --like {name}")
            } else {
                format!("copied from {name}")
            })
        } else if self.config.new.choices.sets(field) {
            Some(format!("from {}", self.config_key(field)))
        } else if Choices::builtin().sets(field) {
            Some("the built-in default".to_string())
        } else {
            None
        }
    }

    fn help(&self, field: Field) -> Option<String> {
        let key = field.config_key()?;
        Some(match field.flag() {
            Some(flag) => format!("pass {flag}, or set new.{key} in .cnpg-dr.yaml"),
            None => format!("set new.{key} in .cnpg-dr.yaml"),
        })
    }
}

/// The database directory `--like` names: a path to it, or its directory
/// name anywhere in the repository (the nearest directory holding `.git`
/// above PARENT, else the current directory).
fn find_database(cwd: &Path, parent: &Path, other: &str) -> Result<Database, String> {
    let as_path = normalize(&cwd.join(other));
    if RealFs.is_dir(&as_path) {
        let repo = discover(&RealFs, &as_path, &DiscoverOptions::default());
        return repo
            .databases
            .into_iter()
            .find(|d| d.dir == as_path)
            .ok_or_else(|| {
                format!(
                    "{} is not a database directory (a kustomization root that renders a CNPG Cluster)",
                    display_path(&as_path)
                )
            });
    }
    let root = repository_root(&RealFs, parent)
        .or_else(|| repository_root(&RealFs, cwd))
        .unwrap_or_else(|| cwd.to_path_buf());
    let repo = discover(&RealFs, &root, &DiscoverOptions::default());
    let mut found: Vec<Database> = repo
        .databases
        .into_iter()
        .filter(|d| d.dir.file_name().is_some_and(|n| n == other))
        .collect();
    match found.len() {
        0 => Err(format!(
            "no database directory named {other} under {}",
            display_path(&root)
        )),
        1 => Ok(found.remove(0)),
        _ => Err(format!(
            "several database directories are named {other}: {}; pass the path of one",
            found
                .iter()
                .map(|d| display_path(&d.dir))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// The `--dry-run` output: what would be written, and the files.
fn dry_run(scaffold: &Scaffold, target: &Path, exists: bool) -> String {
    let mut out = format!(
        "dry run: would {} {}/ with {} files; nothing written\n\n{}",
        if exists { "replace" } else { "create" },
        display_path(target),
        scaffold.files.len(),
        scaffold.tree()
    );
    for f in &scaffold.files {
        out.push_str(&format!(
            "\n==> {}/{} <==\n{}",
            scaffold.name, f.path, f.content
        ));
    }
    out
}

/// A hidden name beside the target, unique to this process.
fn sibling(parent: &Path, name: &str, role: &str) -> PathBuf {
    parent.join(format!(".{name}.cnpg-dr-{role}-{}", std::process::id()))
}

/// Writes `files` as `parent/name/`: into a hidden staging directory first,
/// then renamed into place (replacing an existing directory when `replace`).
/// On failure, everything this call created is removed and an existing
/// directory is left as it was.
fn write_directory(
    parent: &Path,
    name: &str,
    files: &[ScaffoldFile],
    replace: bool,
) -> io::Result<()> {
    let created_parents = create_parents(parent)?;
    let staging = sibling(parent, name, "new");
    let result = stage(&staging, files).and_then(|()| swap_in(parent, name, &staging, replace));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
        for dir in created_parents.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
    }
    result
}

/// Creates `dir` and its missing ancestors; returns the ones it created, outermost first.
fn create_parents(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let missing: Vec<PathBuf> = dir
        .ancestors()
        .take_while(|d| !d.as_os_str().is_empty() && d.symlink_metadata().is_err())
        .map(Path::to_path_buf)
        .collect();
    let mut created = Vec::new();
    for d in missing.into_iter().rev() {
        if let Err(e) = std::fs::create_dir(&d) {
            for c in created.iter().rev() {
                let _ = std::fs::remove_dir(c);
            }
            return Err(e);
        }
        created.push(d);
    }
    Ok(created)
}

fn stage(staging: &Path, files: &[ScaffoldFile]) -> io::Result<()> {
    std::fs::create_dir(staging)?;
    for f in files {
        let path = staging.join(&f.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = std::fs::File::create_new(&path)?;
        file.write_all(f.content.as_bytes())?;
        file.sync_all()?;
    }
    Ok(())
}

fn swap_in(parent: &Path, name: &str, staging: &Path, replace: bool) -> io::Result<()> {
    let target = parent.join(name);
    if !replace {
        if target.symlink_metadata().is_ok() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "it appeared while the scaffold was written",
            ));
        }
        return std::fs::rename(staging, &target);
    }
    let old = sibling(parent, name, "old");
    std::fs::rename(&target, &old)?;
    if let Err(e) = std::fs::rename(staging, &target) {
        // Put the original back: a failed replace changes nothing.
        let _ = std::fs::rename(&old, &target);
        return Err(e);
    }
    if let Err(e) = std::fs::remove_dir_all(&old) {
        eprintln!(
            "warning: the replaced directory was kept as {}: {e}",
            display_path(&old)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(label: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("cnpg-dr-new-unit-{label}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn file(path: &str, content: &str) -> ScaffoldFile {
        ScaffoldFile {
            path: path.into(),
            content: content.into(),
        }
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
                if p.is_dir() {
                    stack.push(p);
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let root = temp("fail");
        let parent = root.join("a/b");
        // A NUL byte makes the second file's name invalid after the first was written.
        let files = [file("base/x.yaml", "x: 1\n"), file("base/bad\0.yaml", "")];
        assert!(write_directory(&parent, "db", &files, false).is_err());
        assert_eq!(listing(&root), Vec::<String>::new());
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn a_failed_replace_keeps_the_original() {
        let root = temp("replace");
        std::fs::create_dir_all(root.join("db/base")).unwrap();
        std::fs::write(root.join("db/base/old.yaml"), "old: true\n").unwrap();
        let before = listing(&root);
        let files = [file("kustomization.yaml", "k: 1\n"), file("bad\0", "")];
        assert!(write_directory(&root, "db", &files, true).is_err());
        assert_eq!(listing(&root), before);
        // And a successful one replaces the whole directory.
        let files = [file("kustomization.yaml", "k: 1\n")];
        write_directory(&root, "db", &files, true).unwrap();
        assert_eq!(listing(&root), ["db", "db/kustomization.yaml"]);
        let _ = std::fs::remove_dir_all(&root);
    }
}
