//! Mapping key order: a port of go-yaml v2's `sorter.go` (`keyList.Less`),
//! restricted to string keys (the only kind a JSON object has).

use std::cmp::Ordering;

use super::unicode_tables::{DECIMAL_DIGIT, LETTER};

fn in_table(table: &[(u32, u32)], c: char) -> bool {
    let c = u32::from(c);
    table
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                Ordering::Less
            } else if lo > c {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        })
        .is_ok()
}

/// Go's `unicode.IsLetter`: general category L.
fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    in_table(LETTER, c)
}

/// Go's `unicode.IsDigit`: general category Nd.
fn is_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    in_table(DECIMAL_DIGIT, c)
}

/// Whether `a` sorts before `b` in go-yaml v2's "natural" key order.
///
/// At the first differing character: two letters compare by code point; a
/// letter sorts after a non-letter; otherwise the runs of digits starting
/// there compare as numbers (then by run length, then by code point). If one
/// key is a prefix of the other, the shorter one comes first.
pub fn natural_less(a: &str, b: &str) -> bool {
    // Find the first differing character (Go compares rune slices).
    let mut ai_iter = a.char_indices();
    let mut bi_iter = b.char_indices();
    let (at, ca, cb) = loop {
        match (ai_iter.next(), bi_iter.next()) {
            (Some((_, ca)), Some((_, cb))) if ca == cb => {}
            (Some((i, ca)), Some((j, cb))) => break ((i, j), ca, cb),
            // One is a prefix of the other (or they are equal).
            (None, Some(_)) => return true,
            _ => return false,
        }
    };
    let al = is_letter(ca);
    let bl = is_letter(cb);
    if al && bl {
        return ca < cb;
    }
    if al || bl {
        return bl;
    }
    let (a_rest, b_rest) = (&a[at.0..], &b[at.1..]);
    let mut an: i64 = 0;
    let mut bn: i64 = 0;
    if ca == '0' || cb == '0' {
        // A zero inside a number ("10" vs "1a") counts as a digit of that
        // number; Go looks at the digits before it in `a` only.
        for c in a[..at.0].chars().rev() {
            if !is_digit(c) {
                break;
            }
            if c != '0' {
                an = 1;
                bn = 1;
                break;
            }
        }
    }
    let digit_run = |rest: &str, mut n: i64| {
        let mut len = 0usize;
        for c in rest.chars().take_while(|&c| is_digit(c)) {
            n = n
                .wrapping_mul(10)
                .wrapping_add(i64::from(u32::from(c)) - i64::from(b'0'));
            len += 1;
        }
        (n, len)
    };
    let (an, a_len) = digit_run(a_rest, an);
    let (bn, b_len) = digit_run(b_rest, bn);
    if an != bn {
        return an < bn;
    }
    if a_len != b_len {
        return a_len < b_len;
    }
    ca < cb
}

/// [`natural_less`] as an [`Ordering`] (`Equal` only when neither sorts first).
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    if natural_less(a, b) {
        Ordering::Less
    } else if natural_less(b, a) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

/// Sorts `items` by key with a stable merge sort that only asks "is b less
/// than a". `natural_less` is not transitive for every set of keys ("2" <
/// "10" < "1a" < "2"), and go-yaml sorts keys in Go's random map order, so
/// there is no single "right" answer for such sets; this gives a
/// deterministic one and, unlike `slice::sort_by`, cannot panic on an
/// inconsistent order.
pub(super) fn sort_entries<V>(items: Vec<(String, V)>) -> Vec<(String, V)> {
    let n = items.len();
    if n < 2 {
        return items;
    }
    let mut idx: Vec<usize> = (0..n).collect();
    let mut buf: Vec<usize> = vec![0; n];
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut l, mut r, mut k) = (start, mid, start);
            while l < mid && r < end {
                if natural_less(&items[idx[r]].0, &items[idx[l]].0) {
                    buf[k] = idx[r];
                    r += 1;
                } else {
                    buf[k] = idx[l];
                    l += 1;
                }
                k += 1;
            }
            while l < mid {
                buf[k] = idx[l];
                l += 1;
                k += 1;
            }
            while r < end {
                buf[k] = idx[r];
                r += 1;
                k += 1;
            }
            start = end;
        }
        std::mem::swap(&mut idx, &mut buf);
        width *= 2;
    }
    let mut slots: Vec<Option<(String, V)>> = items.into_iter().map(Some).collect();
    idx.into_iter()
        .filter_map(|i| slots.get_mut(i).and_then(Option::take))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(keys: &[&str]) -> Vec<String> {
        let items: Vec<(String, ())> = keys.iter().map(|k| (k.to_string(), ())).collect();
        sort_entries(items).into_iter().map(|(k, ())| k).collect()
    }

    fn assert_chain(chain: &[&str]) {
        for w in chain.windows(2) {
            assert!(
                natural_less(w[0], w[1]),
                "{:?} should sort before {:?}",
                w[0],
                w[1]
            );
            assert!(
                !natural_less(w[1], w[0]),
                "{:?} should not sort before {:?}",
                w[1],
                w[0]
            );
        }
        let mut rev: Vec<&str> = chain.to_vec();
        rev.reverse();
        assert_eq!(sorted(&rev), chain);
    }

    #[test]
    fn letters_compare_by_code_point() {
        assert_chain(&["KEY", "Key", "Zeta", "a9b"]);
    }

    #[test]
    fn digit_runs_compare_numerically() {
        assert_chain(&["key9", "key10"]);
        assert_chain(&["9", "10", "010"]);
        assert_chain(&["a9b", "a10b"]);
        assert_chain(&["a1", "a01", "a2"]);
    }

    #[test]
    fn non_letters_before_letters_and_by_code_point() {
        assert_chain(&["key-c", "key.d", "key_a"]);
        assert_chain(&["auto_explain.log_min_duration", "checkpoint_timeout"]);
        assert_chain(&["a_b", "ab"]);
        assert_chain(&["a1", "aa"]);
    }

    #[test]
    fn prefix_sorts_first() {
        assert_chain(&["key", "key1", "keya"]);
        assert_chain(&["", "a"]);
    }

    #[test]
    fn kubernetes_top_level_fields() {
        assert_eq!(
            sorted(&[
                "kind",
                "metadata",
                "apiVersion",
                "type",
                "stringData",
                "spec",
                "data"
            ]),
            [
                "apiVersion",
                "data",
                "kind",
                "metadata",
                "spec",
                "stringData",
                "type"
            ]
        );
    }

    #[test]
    fn unicode_letters_and_digits_follow_go_categories() {
        // 'é' is a letter, so it sorts after the non-letter '-'.
        assert!(natural_less("a-", "aé"));
        // ARABIC-INDIC DIGIT THREE is Nd: a digit run, not a letter.
        assert!(natural_less("x\u{0663}", "xa"));
        // ROMAN NUMERAL ONE is Nl: neither letter nor digit.
        assert!(natural_less("x\u{2160}", "xa"));
        assert!(is_letter('ª') && is_letter('µ') && !is_letter('\u{2160}'));
        assert!(is_digit('\u{0663}') && !is_digit('\u{00B2}'));
    }

    #[test]
    fn inconsistent_orders_do_not_panic() {
        let keys = ["2", "10", "1a", "x", "", "0", "00", "01"];
        let out = sorted(&keys);
        assert_eq!(out.len(), keys.len());
        assert_eq!(natural_cmp("a", "a"), Ordering::Equal);
        assert_eq!(natural_cmp("a", "b"), Ordering::Less);
        assert_eq!(natural_cmp("b", "a"), Ordering::Greater);
    }
}
