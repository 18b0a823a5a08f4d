//! "Did you mean ...?": one suggester, one threshold, for every name a user
//! can mistype (schema fields, rule ids and names, configuration keys,
//! database directories), so the same typo gets the same answer everywhere.

/// Optimal string alignment distance (Levenshtein with adjacent
/// transpositions), case-insensitive: `recoveryTraget` is one edit from
/// `recoveryTarget`.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[n][m]
}

/// The name among `declared` closest to `key`, if it is close enough to be a typo:
/// one edit for short names, two from six characters on, three from twelve
/// (a case-only difference always counts). Ties go to the first declared.
pub fn did_you_mean<'a>(key: &str, declared: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let len = key.chars().count();
    let limit = match len {
        0..=2 => 0,
        3..=5 => 1,
        6..=11 => 2,
        _ => 3,
    };
    let mut best: Option<(usize, &str)> = None;
    for name in declared {
        if name == key {
            continue;
        }
        let d = edit_distance(key, name);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, name));
        }
    }
    best.map(|(_, n)| n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_catch_typos_and_only_typos() {
        let declared = ["recoveryTarget", "source", "backup", "volumeSnapshots"];
        assert_eq!(
            did_you_mean("recoveryTraget", declared),
            Some("recoveryTarget")
        );
        assert_eq!(
            did_you_mean("recoverytarget", declared),
            Some("recoveryTarget")
        );
        assert_eq!(did_you_mean("sourc", declared), Some("source"));
        assert_eq!(did_you_mean("backups", declared), Some("backup"));
        assert_eq!(did_you_mean("database", declared), None);
        assert_eq!(did_you_mean("x", declared), None);
        assert_eq!(
            did_you_mean("bootsrap", ["initdb", "bootstrap", "backup"]),
            Some("bootstrap")
        );
        assert_eq!(edit_distance("bootsrap", "bootstrap"), 1);
        assert_eq!(edit_distance("recoveryTraget", "recoveryTarget"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn rule_ids_names_and_keys_get_the_same_answer() {
        // The cases the lint crate's configuration, `explain`, suppressions
        // and `plan` rely on.
        let names = ["CDR101", "lineage-write-equals-source", "CDR401"];
        assert_eq!(did_you_mean("cdr10", names), Some("CDR101"));
        assert_eq!(did_you_mean("CDR40", names), Some("CDR401"));
        assert_eq!(did_you_mean("CDR4O1", names), Some("CDR401"));
        assert_eq!(
            did_you_mean("lineage-write-equal-source", names),
            Some("lineage-write-equals-source")
        );
        assert_eq!(did_you_mean("backup", names), None);
        assert_eq!(
            did_you_mean("schedul", ["cluster", "schedule", "namespace"]),
            Some("schedule")
        );
        assert_eq!(
            did_you_mean("paperles", ["paperless", "gitea"]),
            Some("paperless")
        );
        assert_eq!(did_you_mean("zzzzzzzz", ["paperless", "gitea"]), None);
        // A transposition is one edit; ties go to the first candidate.
        assert_eq!(did_you_mean("nwe", ["rules", "new"]), Some("new"));
        assert_eq!(did_you_mean("ab", ["ab", "abc"]), None);
        assert_eq!(did_you_mean("abcd", ["abce", "abcf"]), Some("abce"));
    }
}
