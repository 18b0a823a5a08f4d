//! Backup lineages: `serverName: <prefix>-v<N>`. Every recovery writes to a new
//! lineage and reads from an older one; a lineage is never written twice.

use std::cmp::Ordering;
use std::fmt;

/// A parsed lineage name, e.g. `paperless-database-v3`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Lineage {
    /// Everything before `-v<N>`.
    pub prefix: String,
    /// The version number.
    pub version: u64,
}

impl Lineage {
    /// Parses `<prefix>-v<N>`; None when the name does not follow that
    /// pattern, or when N is so large that no lineage can follow it (so
    /// [`Lineage::next`] never overflows on a hostile name).
    pub fn parse(name: &str) -> Option<Lineage> {
        let (prefix, version) = name.rsplit_once("-v")?;
        if prefix.is_empty() || version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if version.len() > 1 && version.starts_with('0') {
            return None;
        }
        Some(Lineage {
            prefix: prefix.to_string(),
            version: version.parse().ok().filter(|v| *v < u64::MAX)?,
        })
    }

    /// [`Lineage::parse`], or a bare name as version 0 (the CNPG default of
    /// an unset serverName is the Cluster's name, unversioned).
    pub fn or_bare(name: &str) -> Lineage {
        Lineage::parse(name).unwrap_or_else(|| Lineage {
            prefix: name.to_string(),
            version: 0,
        })
    }

    /// The lineage after this one.
    pub fn next(&self) -> Lineage {
        Lineage {
            prefix: self.prefix.clone(),
            version: self.version + 1,
        }
    }

    /// The lineage before this one, if any.
    pub fn previous(&self) -> Option<Lineage> {
        (self.version > 1).then(|| Lineage {
            prefix: self.prefix.clone(),
            version: self.version - 1,
        })
    }

    /// Compares versions of the same prefix; None across prefixes.
    pub fn compare(&self, other: &Lineage) -> Option<Ordering> {
        (self.prefix == other.prefix).then(|| self.version.cmp(&other.version))
    }
}

impl fmt::Display for Lineage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-v{}", self.prefix, self.version)
    }
}

/// The lineage after the newest one of `current`'s prefix among `current`
/// and `seen`: a lineage is never written twice, so a recovery writes to a
/// version no one has used. Versions of other prefixes do not count.
pub fn next_unused<'a>(current: &Lineage, seen: impl IntoIterator<Item = &'a Lineage>) -> Lineage {
    let newest = seen
        .into_iter()
        .filter(|l| l.prefix == current.prefix)
        .map(|l| l.version)
        .chain([current.version])
        .max()
        .unwrap_or(current.version);
    Lineage {
        prefix: current.prefix.clone(),
        version: newest.saturating_add(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_unused_skips_every_version_seen_of_the_prefix() {
        let cur = Lineage::parse("pg-v2").unwrap();
        let seen = [
            Lineage::parse("pg-v5").unwrap(),
            Lineage::parse("other-v9").unwrap(),
            Lineage::parse("pg-v1").unwrap(),
        ];
        assert_eq!(next_unused(&cur, &seen).to_string(), "pg-v6");
        assert_eq!(next_unused(&cur, []).to_string(), "pg-v3");
        let bare = Lineage::or_bare("pg");
        assert_eq!((bare.prefix.as_str(), bare.version), ("pg", 0));
        assert_eq!(next_unused(&bare, []).to_string(), "pg-v1");
    }

    #[test]
    fn parses_and_steps() {
        let l = Lineage::parse("paperless-database-v3").unwrap();
        assert_eq!(l.prefix, "paperless-database");
        assert_eq!(l.version, 3);
        assert_eq!(l.next().to_string(), "paperless-database-v4");
        assert_eq!(l.previous().unwrap().to_string(), "paperless-database-v2");
        assert_eq!(Lineage::parse("db-v1").unwrap().previous(), None);
    }

    #[test]
    fn rejects_other_shapes() {
        for bad in [
            "paperless",
            "paperless-v",
            "-v3",
            "db-v03",
            "db-vX",
            "db-v3a",
            "db_v3",
        ] {
            assert_eq!(Lineage::parse(bad), None, "{bad}");
        }
        // A version with no successor (or past u64) is not a lineage.
        assert_eq!(Lineage::parse("db-v18446744073709551615"), None);
        assert_eq!(Lineage::parse("db-v99999999999999999999"), None);
        let last = Lineage::parse("db-v18446744073709551614").unwrap();
        assert_eq!(last.next().to_string(), "db-v18446744073709551615");
        // The last -v counts: a prefix may itself contain -v.
        assert_eq!(Lineage::parse("db-vault-v12").unwrap().prefix, "db-vault");
    }

    #[test]
    fn compares_within_a_prefix_only() {
        let a = Lineage::parse("db-v2").unwrap();
        let b = Lineage::parse("db-v10").unwrap();
        assert_eq!(a.compare(&b), Some(Ordering::Less));
        assert_eq!(a.compare(&Lineage::parse("other-v1").unwrap()), None);
    }
}
