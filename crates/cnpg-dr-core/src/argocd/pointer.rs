//! JSON pointers of `ignoreDifferences`: the jq paths Argo CD accepts, and
//! whether two pointers touch the same subtree.

/// True when the JSON pointer `a` is `b`, an ancestor of `b` or a descendant of
/// `b` (tokens compared after unescaping `~1` and `~0`).
pub fn pointers_overlap(a: &str, b: &str) -> bool {
    let tokens = |p: &str| -> Vec<String> {
        p.trim()
            .split('/')
            .skip(1)
            .filter(|t| !t.is_empty())
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect()
    };
    let (a, b) = (tokens(a), tokens(b));
    let n = a.len().min(b.len());
    a[..n] == b[..n]
}

/// The JSON pointer a simple jq path (`.spec.bootstrap`, `.spec.externalClusters[]`,
/// `.metadata.annotations["a/b"]`) addresses, or None for anything more complex.
pub fn jq_to_pointer(expr: &str) -> Option<String> {
    let e = expr.trim();
    if e == "." {
        return Some(String::new());
    }
    let mut out = String::new();
    let mut rest = e.strip_prefix('.')?;
    let push = |out: &mut String, tok: &str| {
        out.push('/');
        out.push_str(&tok.replace('~', "~0").replace('/', "~1"));
    };
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let inner = r[..end].trim();
            if inner.is_empty() {
                // Every element: the pointer stops at the list.
                return Some(out);
            }
            let key = inner
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .map(str::to_string)
                .or_else(|| inner.parse::<usize>().ok().map(|i| i.to_string()))?;
            push(&mut out, &key);
            rest = &r[end + 1..];
        } else if let Some(r) = rest.strip_prefix('.') {
            rest = r;
        } else if let Some(r) = rest.strip_prefix('"') {
            let end = r.find('"')?;
            push(&mut out, &r[..end]);
            rest = &r[end + 1..];
        } else {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            let tok = &rest[..end];
            if tok.is_empty()
                || !tok
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return None;
            }
            push(&mut out, tok);
            rest = &rest[end..];
        }
    }
    Some(out)
}
