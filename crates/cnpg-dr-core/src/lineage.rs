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

/// How a lineage name carries its version: cnpg-dr's own `-v<N>`, or one of
/// the other styles real repositories use (`postgres18-0`, `postgres16-08`,
/// `app-20260822`). Only `-v<N>` is bumped by cnpg-dr's tools; the others are
/// recognised so that a name versioned in them is not called unversioned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Numbering {
    /// `<prefix>-v<N>`.
    V,
    /// `<prefix>-<N>`, leading zeros allowed.
    Number,
    /// `<prefix>-YYYYMMDD`.
    Date,
}

/// The numbering style of `name`, if it has a version in one.
pub fn numbering(name: &str) -> Option<Numbering> {
    if Lineage::parse(name).is_some() {
        return Some(Numbering::V);
    }
    let (prefix, suffix) = name.rsplit_once('-')?;
    if prefix.is_empty() || suffix.is_empty() || !suffix.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if suffix.len() == 8 {
        let (y, m, d) = (&suffix[..4], &suffix[4..6], &suffix[6..]);
        let in_range =
            |s: &str, lo: u32, hi: u32| s.parse::<u32>().is_ok_and(|v| (lo..=hi).contains(&v));
        if in_range(y, 1990, 2199) && in_range(m, 1, 12) && in_range(d, 1, 31) {
            return Some(Numbering::Date);
        }
    }
    (suffix.len() <= 6).then_some(Numbering::Number)
}

/// A lineage pattern from `.cnpg-dr.yaml` (`lineagePattern`): `{name}` stands
/// for any prefix, `{n}` for a number and `{date}` for `YYYYMMDD`; everything
/// else is literal (`{name}-{n}`, `pg-{date}`).
#[derive(Clone, Debug)]
pub struct LineagePattern {
    /// The pattern as written, for messages.
    pub written: String,
    regex: regex::Regex,
}

impl LineagePattern {
    /// Compiles `written`; the error says what is wrong in plain words.
    pub fn parse(written: &str) -> Result<LineagePattern, String> {
        let versions = written.matches("{n}").count() + written.matches("{date}").count();
        if versions != 1 {
            return Err(format!(
                "the lineage pattern {written:?} must hold exactly one {{n}} or {{date}}, the part that changes at every recovery (such as \"{{name}}-{{n}}\")"
            ));
        }
        let mut re = String::from("^");
        let mut rest = written;
        while !rest.is_empty() {
            let (token, regex) = [("{name}", ".+"), ("{n}", "[0-9]+"), ("{date}", "[0-9]{8}")]
                .into_iter()
                .find(|(t, _)| rest.starts_with(t))
                .unwrap_or(("", ""));
            if token.is_empty() {
                let c = rest.chars().next().unwrap_or_default();
                if c == '{' || c == '}' {
                    return Err(format!(
                        "the lineage pattern {written:?} has an unknown placeholder: only {{name}}, {{n}} and {{date}} are known"
                    ));
                }
                re.push_str(&regex::escape(&c.to_string()));
                rest = &rest[c.len_utf8()..];
            } else {
                re.push_str(regex);
                rest = &rest[token.len()..];
            }
        }
        re.push('$');
        let regex = regex::Regex::new(&re).map_err(|e| e.to_string())?;
        Ok(LineagePattern {
            written: written.to_string(),
            regex,
        })
    }

    /// True when `name` follows the pattern.
    pub fn matches(&self, name: &str) -> bool {
        self.regex.is_match(name)
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

    #[test]
    fn other_numbering_styles_are_recognised() {
        assert_eq!(numbering("pg-v3"), Some(Numbering::V));
        assert_eq!(numbering("postgres18-0"), Some(Numbering::Number));
        assert_eq!(numbering("postgres16-08"), Some(Numbering::Number));
        assert_eq!(numbering("immich-20260822"), Some(Numbering::Date));
        for none in [
            "postgres",
            "postgres18",
            "-3",
            "pg-",
            "pg-1234567890",
            "pg-v03x",
        ] {
            assert_eq!(numbering(none), None, "{none}");
        }
    }

    #[test]
    fn lineage_patterns_match_their_names_only() {
        let p = LineagePattern::parse("{name}-{n}").unwrap();
        assert!(p.matches("postgres18-0") && p.matches("pg.x-12"));
        assert!(!p.matches("postgres") && !p.matches("pg-v1"));
        let d = LineagePattern::parse("pg-{date}").unwrap();
        assert!(d.matches("pg-20260822") && !d.matches("pgx20260822"));
        assert!(LineagePattern::parse("{name}")
            .unwrap_err()
            .contains("exactly one"));
        assert!(LineagePattern::parse("{name}-{n}-{n}").is_err());
        let unknown = LineagePattern::parse("{cluster}-{n}").unwrap_err();
        assert!(unknown.contains("\"{cluster}-{n}\"") && unknown.contains("unknown placeholder"));
    }
}
