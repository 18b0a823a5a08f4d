//! Naming patterns (`{name}-database-v{n}`) and the YAML scalars the
//! templates write user values as.

/// The placeholder for the new database's name.
pub const NAME: &str = "{name}";
/// The placeholder for a lineage version.
pub const VERSION: &str = "{n}";

/// Replaces `{name}` with the database name.
pub fn expand(pattern: &str, name: &str) -> String {
    pattern.replace(NAME, name)
}

/// A lineage pattern with `{name}` already expanded, at version `n`.
pub fn lineage_at(pattern: &str, n: u64) -> String {
    pattern.replace(VERSION, &n.to_string())
}

/// Turns a value of another database into a pattern: every occurrence of
/// `name` that stands as a whole word (bounded by the text's ends or by a
/// character that is not a letter or a digit) becomes `{name}`. So `gitea`
/// in `s3://backups/gitea` and `gitea-database` is replaced, while the `gitea`
/// inside `giteaish` is not.
pub fn templatize(value: &str, name: &str) -> String {
    if name.is_empty() {
        return value.to_string();
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    let mut prev: Option<char> = None;
    while let Some(at) = rest.find(name) {
        let before = rest[..at].chars().next_back().or(prev);
        let after = rest[at + name.len()..].chars().next();
        let bounded = |c: Option<char>| c.is_none_or(|c| !c.is_ascii_alphanumeric());
        out.push_str(&rest[..at]);
        if bounded(before) && bounded(after) {
            out.push_str(NAME);
        } else {
            out.push_str(name);
        }
        prev = name.chars().next_back();
        rest = &rest[at + name.len()..];
    }
    out.push_str(rest);
    out
}

/// Words that YAML 1.1 (go-yaml v2, which kustomize still uses for some
/// files) reads as booleans or null when unquoted.
const RESERVED: [&str; 12] = [
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "nan", "inf",
];

/// `value` as a YAML scalar that every YAML reader takes as that exact string:
/// plain when it is unambiguous (`paperless`, `s3://bucket/path`, `10Gi`),
/// double-quoted otherwise (`"0 0 3 * * *"`, `"yes"`, `"1.5"`).
pub fn scalar(value: &str) -> String {
    if is_plain_safe(value) {
        value.to_string()
    } else {
        // A JSON string is a valid YAML double-quoted scalar.
        serde_json::Value::String(value.to_string()).to_string()
    }
}

fn is_plain_safe(value: &str) -> bool {
    let Some(first) = value.chars().next() else {
        return false;
    };
    let allowed = |c: char| c.is_ascii_alphanumeric() || "._/:@+-".contains(c);
    if !value.chars().all(allowed) || value.ends_with(':') {
        return false;
    }
    if RESERVED.contains(&value.to_ascii_lowercase().as_str()) {
        return false;
    }
    if first.is_ascii_alphabetic() || first == '/' {
        return true;
    }
    // Starting with a digit: only quantities such as `10Gi` or `1.5M`, which
    // no YAML schema reads as a number (digits, one optional fraction, then
    // letters only).
    if first.is_ascii_digit() {
        let digits_end = value
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(value.len());
        let (number, unit) = value.split_at(digits_end);
        return !unit.is_empty()
            && unit.chars().all(|c| c.is_ascii_alphabetic())
            && number.matches('.').count() <= 1
            && !number.ends_with('.')
            && !unit.eq_ignore_ascii_case("e");
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templatize_replaces_whole_words_only() {
        assert_eq!(
            templatize("s3://homelab-backups/gitea", "gitea"),
            "s3://homelab-backups/{name}"
        );
        assert_eq!(templatize("gitea-database", "gitea"), "{name}-database");
        assert_eq!(templatize("gitea", "gitea"), "{name}");
        assert_eq!(templatize("giteaish/gitea2", "gitea"), "giteaish/gitea2");
        assert_eq!(templatize("gitea-gitea", "gitea"), "{name}-{name}");
        assert_eq!(templatize("ceph-block", "gitea"), "ceph-block");
        assert_eq!(
            expand("{name}-database-v{n}", "paperless"),
            "paperless-database-v{n}"
        );
        assert_eq!(
            lineage_at("paperless-database-v{n}", 2),
            "paperless-database-v2"
        );
    }

    #[test]
    fn scalars_quote_what_yaml_would_retype() {
        for plain in [
            "paperless",
            "s3://bucket/path",
            "https://s3.example:9000",
            "10Gi",
            "1.5Mi",
            "ghcr.io/cloudnative-pg/postgresql:17.5-system-trixie",
            "ClusterSecretStore",
        ] {
            assert_eq!(scalar(plain), plain);
        }
        for (quoted, expected) in [
            ("0 0 3 * * *", "\"0 0 3 * * *\""),
            ("yes", "\"yes\""),
            ("On", "\"On\""),
            ("12", "\"12\""),
            ("1.5", "\"1.5\""),
            ("1e5", "\"1e5\""),
            ("", "\"\""),
            ("a: b", "\"a: b\""),
            ("x #y", "\"x #y\""),
            ("\"q\"", "\"\\\"q\\\"\""),
            ("@daily", "\"@daily\""),
            ("key:", "\"key:\""),
        ] {
            assert_eq!(scalar(quoted), expected, "{quoted}");
        }
    }
}
