//! What the change engines ([`crate::recover`], [`crate::migrate`]) share:
//! their error, the one Cluster they edit, and the DR switch flip. An engine
//! reads through a [`FileSystem`], returns a [`crate::edit::ChangeSet`] and the
//! checks its intended result must pass once the edited tree is rendered
//! again; it never writes. The CLI prints the diff, has the edited tree
//! linted in memory, and commits.

use std::path::PathBuf;

use crate::cnpg::Cluster;
use crate::discover::{Database, Variant};
use crate::edit::{ChangeSet, EditError};
use crate::fs::FileSystem;
use crate::kustomize::RenderError;
use crate::layout::flow_style_resources;

/// Why a change cannot be proposed. Nothing is written when this is returned.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    /// The change does not apply, and the message says why and what to do.
    #[error("{message}")]
    Refused { message: String },
    /// The same, about a place in a file.
    #[error("{}{}: {message}", file.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    AtFile {
        file: PathBuf,
        line: Option<u32>,
        message: String,
    },
    /// A variant the change needs does not render.
    #[error("the {what} does not render: {}", error.message)]
    NotRendered {
        what: String,
        error: Box<RenderError>,
    },
    #[error(transparent)]
    Edit(#[from] EditError),
}

impl ChangeError {
    pub fn refused(message: impl Into<String>) -> Self {
        ChangeError::Refused {
            message: message.into(),
        }
    }
}

impl From<&str> for ChangeError {
    fn from(message: &str) -> Self {
        ChangeError::refused(message)
    }
}

/// The one Cluster a variant renders.
pub fn one_cluster<'a>(v: &'a Variant, what: &str) -> Result<Cluster<'a>, ChangeError> {
    if let Err(e) = &v.rendered {
        return Err(ChangeError::NotRendered {
            what: what.to_string(),
            error: Box::new(e.clone()),
        });
    }
    let clusters: Vec<Cluster<'a>> = v.clusters().collect();
    match clusters.as_slice() {
        [one] => Ok(*one),
        [] => Err(ChangeError::refused(format!(
            "the {what} renders no CloudNativePG Cluster"
        ))),
        _ => Err(ChangeError::refused(format!(
            "the {what} renders {} Clusters; cnpg-dr edits one Cluster per database directory",
            clusters.len()
        ))),
    }
}

/// The database directory's name (`paperless`).
pub fn db_name(db: &Database) -> String {
    db.dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "database".to_string())
}

/// The variant of the overlay called `overlay`.
pub fn variant<'a>(db: &'a Database, overlay: &str) -> Option<&'a Variant> {
    db.variants
        .iter()
        .find(|v| v.overlay_name() == Some(overlay))
}

/// The entry (`overlays/recovery`) of the overlay called `name`, when the
/// DR switch has a line for it (active or commented).
pub fn switch_entry(db: &Database, name: &str) -> Option<String> {
    db.overlays
        .iter()
        .find(|o| o.name == name && db.flag.lines.iter().any(|l| l.entry == o.entry))
        .map(|o| o.entry.clone())
}

/// Refuses a root whose resources list cannot hold a switch (flow style).
pub fn switch_must_be_a_block_list(fs: &dyn FileSystem, db: &Database) -> Result<(), ChangeError> {
    if !db.flag.lines.is_empty() {
        return Ok(());
    }
    let text = read_text(fs, &db.kustomization)?;
    match flow_style_resources(&text) {
        Some(line) => Err(ChangeError::AtFile {
            file: db.kustomization.clone(),
            line: Some(line),
            message: "the resources list is flow-style ([...]), which has no lines to comment out, so it cannot hold a DR switch: write it as a block list (one `- entry` per line, the dormant overlay as a `# - overlays/...` comment) and plan again".to_string(),
        }),
        None => Ok(()),
    }
}

/// Points the DR switch at `entry` in `cs`. False when it already did.
pub fn flip_switch(
    fs: &dyn FileSystem,
    cs: &mut ChangeSet,
    db: &Database,
    entry: &str,
) -> Result<bool, ChangeError> {
    let text = read_text(fs, &db.kustomization)?;
    let flipped = db
        .flag
        .flip_to(&text, entry)
        .ok_or_else(|| ChangeError::AtFile {
            file: db.kustomization.clone(),
            line: None,
            message: format!("no line for {entry}"),
        })?;
    let changed = flipped != text;
    cs.set(&db.kustomization, Some(text), flipped);
    Ok(changed)
}

fn read_text(fs: &dyn FileSystem, path: &std::path::Path) -> Result<String, ChangeError> {
    let bytes = fs.read(path).map_err(|e| ChangeError::AtFile {
        file: path.to_path_buf(),
        line: None,
        message: e.to_string(),
    })?;
    String::from_utf8(bytes).map_err(|_| ChangeError::AtFile {
        file: path.to_path_buf(),
        line: None,
        message: "not UTF-8".to_string(),
    })
}
