//! Flux's envsubst over one string: `${var}` and its default forms.

/// The result of substituting one string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Substituted {
    pub text: String,
    /// The variables whose value came from the lookup, in order of use.
    pub used: Vec<String>,
    /// True when a `${...}` is left unresolved (its value is unknown here).
    pub unresolved: bool,
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// The end (index of the closing `}`) of the expression whose body starts at
/// `from`, counting nested braces.
fn closing_brace(text: &str, from: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text[from..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(from + i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Substitutes `${...}` expressions in `text`, reading variables through
/// `lookup`. `$${` is an escape for the literal `${`. Forms: `${var}`;
/// `${var:=default}` and `${var:-default}` (default when unset or empty);
/// `${var=default}` (default when unset). Any other form, a variable
/// `lookup` does not know without a default, and a default that itself
/// holds `${`, are left as written.
pub fn substitute_text(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Substituted {
    let mut out = Substituted {
        text: String::with_capacity(text.len()),
        used: Vec::new(),
        unresolved: false,
    };
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.text.push_str(&rest[..i]);
        let after = &rest[i..];
        if let Some(escaped) = after.strip_prefix("$${") {
            out.text.push_str("${");
            rest = escaped;
            continue;
        }
        if !after.starts_with("${") {
            out.text.push('$');
            rest = &after[1..];
            continue;
        }
        let Some(end) = closing_brace(after, 2) else {
            out.text.push_str(after);
            return out;
        };
        let body = &after[2..end];
        let whole = &after[..=end];
        match resolve(body, lookup) {
            Some((value, used)) => {
                out.text.push_str(&value);
                out.used.extend(used);
            }
            None => {
                out.text.push_str(whole);
                out.unresolved = true;
            }
        }
        rest = &after[end + 1..];
    }
    out.text.push_str(rest);
    out
}

/// The value of one expression body (`var`, `var:=d`, `var:-d`, `var=d`),
/// with the variable when the lookup supplied it.
fn resolve(
    body: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Option<(String, Option<String>)> {
    let name_end = body
        .find(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
        .unwrap_or(body.len());
    let (name, op) = body.split_at(name_end);
    if !is_name(name) {
        return None;
    }
    let value = lookup(name);
    let used = |v: String| Some((v, Some(name.to_string())));
    let (default, empty_counts) = if op.is_empty() {
        return value.and_then(used);
    } else if let Some(d) = op.strip_prefix(":=").or_else(|| op.strip_prefix(":-")) {
        (d, true)
    } else if let Some(d) = op.strip_prefix('=') {
        (d, false)
    } else {
        return None;
    };
    match value {
        Some(v) if !(empty_counts && v.is_empty()) => used(v),
        _ if default.contains("${") => None,
        _ => Some((default.to_string(), None)),
    }
}
