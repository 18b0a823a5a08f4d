//! Go's `encoding/json` and `strconv` output, byte for byte, for the texts
//! kustomize hashes or quotes in its messages: the generator name hash is a
//! SHA-256 of `json.Marshal` output, and JSON 6902 compares and prints values
//! the way Go encodes them.

use serde_json::{Number, Value};

/// How numbers are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Numbers {
    /// Integers stay integers (a value decoded by go-yaml and re-encoded).
    Exact,
    /// Every number went through `float64` first (a value decoded by
    /// `encoding/json` into `interface{}` and re-encoded).
    Float64,
}

/// `json.Marshal(v)`: keys sorted by bytes, no spaces, HTML-safe escaping.
pub(crate) fn marshal(v: &Value, numbers: Numbers) -> String {
    let mut out = String::new();
    write_value(&mut out, v, numbers);
    out
}

fn write_value(out: &mut String, v: &Value, numbers: Numbers) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number(n, numbers)),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item, numbers);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, k);
                out.push(':');
                if let Some(item) = map.get(k) {
                    write_value(out, item, numbers);
                }
            }
            out.push('}');
        }
    }
}

/// A number as `encoding/json` writes it.
pub(crate) fn number(n: &Number, numbers: Numbers) -> String {
    if numbers == Numbers::Exact {
        if let Some(i) = n.as_i64() {
            return i.to_string();
        }
        if let Some(u) = n.as_u64() {
            return u.to_string();
        }
    }
    float(n.as_f64().unwrap_or(0.0))
}

/// A string as `encoding/json` writes it (with `SetEscapeHTML(true)`).
pub(crate) fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    write_string(&mut out, s);
    out
}

fn write_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{0}'..='\u{1f}' => {
                let b = c as u32;
                out.push_str("\\u00");
                out.push(HEX[(b >> 4) as usize & 0xf] as char);
                out.push(HEX[b as usize & 0xf] as char);
            }
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            _ => out.push(c),
        }
    }
    out.push('"');
}

/// The shortest decimal digits of a float and the position of the decimal
/// point (`digits` × 10^(`point` − len)), as Go's `strconv` computes them.
struct Decimal {
    negative: bool,
    digits: String,
    point: i32,
}

fn decimal(f: f64, bits32: bool) -> Decimal {
    // Rust's `{:e}` prints the shortest digits that read back to the same value.
    let text = if bits32 {
        format!("{:e}", f as f32)
    } else {
        format!("{f:e}")
    };
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let (mantissa, exp) = text.split_once('e').unwrap_or((text, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    Decimal {
        negative,
        digits,
        point: exp + 1,
    }
}

fn fmt_e(d: &Decimal) -> String {
    let mut out = String::new();
    if d.negative {
        out.push('-');
    }
    let mut chars = d.digits.chars();
    out.push(chars.next().unwrap_or('0'));
    let rest: String = chars.collect();
    if !rest.is_empty() {
        out.push('.');
        out.push_str(&rest);
    }
    let exp = if d.digits == "0" { 0 } else { d.point - 1 };
    out.push('e');
    out.push(if exp < 0 { '-' } else { '+' });
    let abs = exp.unsigned_abs();
    if abs < 10 {
        out.push('0');
    }
    out.push_str(&abs.to_string());
    out
}

fn fmt_f(d: &Decimal) -> String {
    let mut out = String::new();
    if d.negative {
        out.push('-');
    }
    let n = d.digits.len() as i32;
    if d.point <= 0 {
        out.push_str("0.");
        out.push_str(&"0".repeat((-d.point) as usize));
        out.push_str(&d.digits);
    } else if d.point >= n {
        out.push_str(&d.digits);
        out.push_str(&"0".repeat((d.point - n) as usize));
    } else {
        let (int, frac) = d.digits.split_at(d.point as usize);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// `strconv.FormatFloat(f, 'g', -1, 64)` (or 32): what go-yaml writes for a float.
pub(crate) fn format_g(f: f64, bits32: bool) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    let d = decimal(f, bits32);
    let exp = if d.digits == "0" { 0 } else { d.point - 1 };
    if !(-4..6).contains(&exp) {
        fmt_e(&d)
    } else {
        fmt_f(&d)
    }
}

/// A float64 as `encoding/json` writes it.
pub(crate) fn float(f: f64) -> String {
    if !f.is_finite() {
        return format_g(f, false);
    }
    let abs = f.abs();
    let d = decimal(f, false);
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let mut s = fmt_e(&d);
        // Go turns e-07 into e-7.
        let n = s.len();
        if n >= 4 && &s[n - 4..n - 2] == "e-" && &s[n - 2..n - 1] == "0" {
            s.remove(n - 2);
        }
        s
    } else {
        fmt_f(&d)
    }
}

/// `strconv.Quote(s)` (Go's `%q`).
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => {
                let u = c as u32;
                if u > 0xffff {
                    out.push_str(&format!("\\U{u:08x}"));
                } else {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Lowercase hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 0xf) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn format_g_matches_strconv() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "-0"),
            (3.0, "3"),
            (1.5, "1.5"),
            (100000.0, "100000"),
            (1000000.0, "1e+06"),
            (1234567.0, "1.234567e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e22, "1e+22"),
            (1e100, "1e+100"),
            (12345678901234567890.0, "1.2345678901234567e+19"),
            (-2.5e-7, "-2.5e-07"),
        ];
        for (f, want) in cases {
            assert_eq!(format_g(*f, false), *want, "{f}");
        }
        assert_eq!(format_g(12345678.5, true), "1.2345678e+07");
        assert_eq!(format_g(1.5, true), "1.5");
        assert_eq!(format_g(f64::INFINITY, false), "+Inf");
    }

    #[test]
    fn float_matches_encoding_json() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (3.0, "3"),
            (1.1, "1.1"),
            (1000000.0, "1000000"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (0.000001, "0.000001"),
            (0.0000001, "1e-7"),
            (1.5e-10, "1.5e-10"),
            (12345678901234567890.0, "12345678901234567000"),
        ];
        for (f, want) in cases {
            assert_eq!(float(*f), *want, "{f}");
        }
    }

    #[test]
    fn marshal_sorts_keys_and_escapes_like_go() {
        let v = json!({"b": "a<b && c>d", "a": [1, 2.5, true, null], "c": "\u{2028}é\t\u{1}"});
        assert_eq!(
            marshal(&v, Numbers::Exact),
            r#"{"a":[1,2.5,true,null],"b":"a\u003cb \u0026\u0026 c\u003ed","c":"\u2028é\t\u0001"}"#
        );
        let big = json!({"n": 12345678901234567890u64});
        assert_eq!(
            marshal(&big, Numbers::Exact),
            r#"{"n":12345678901234567890}"#
        );
        assert_eq!(
            marshal(&big, Numbers::Float64),
            r#"{"n":12345678901234567000}"#
        );
    }

    #[test]
    fn quote_matches_strconv() {
        assert_eq!(quote("a.txt"), "\"a.txt\"");
        assert_eq!(quote("x\"y\\\n\u{1}"), "\"x\\\"y\\\\\\n\\x01\"");
        assert_eq!(quote("é"), "\"é\"");
    }

    #[test]
    fn hex_is_lowercase() {
        assert_eq!(hex(&[0x00, 0xab, 0x3f]), "00ab3f");
    }
}
