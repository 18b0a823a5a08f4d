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

#[cfg(test)]
mod tests {
    use super::*;

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
