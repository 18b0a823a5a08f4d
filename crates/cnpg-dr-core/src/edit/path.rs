//! Where a node is in a file: a document index and a path of keys and indexes.

/// One step of a path from a document's root: a mapping key or a sequence index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// Where a node is in a file: a document index and a path inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodePath {
    pub doc: usize,
    pub segs: Vec<Seg>,
}

impl NodePath {
    /// The root of document `doc`.
    pub fn root(doc: usize) -> NodePath {
        NodePath {
            doc,
            segs: Vec::new(),
        }
    }
    /// This path followed by a mapping key.
    pub fn key(&self, key: &str) -> NodePath {
        let mut p = self.clone();
        p.segs.push(Seg::Key(key.to_string()));
        p
    }
    /// This path followed by a sequence index.
    pub fn index(&self, i: usize) -> NodePath {
        let mut p = self.clone();
        p.segs.push(Seg::Index(i));
        p
    }
    /// This path followed by several keys.
    pub fn keys(&self, keys: &[&str]) -> NodePath {
        keys.iter().fold(self.clone(), |p, k| p.key(k))
    }
    /// The path without its last step.
    pub fn parent(&self) -> Option<NodePath> {
        let mut p = self.clone();
        p.segs.pop()?;
        Some(p)
    }
}

impl std::fmt::Display for NodePath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.segs.is_empty() {
            return write!(f, "(document {})", self.doc + 1);
        }
        for (i, s) in self.segs.iter().enumerate() {
            match s {
                Seg::Key(k) if i == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}
