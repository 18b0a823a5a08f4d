//! go-yaml's `resolve`: the type of one scalar from its text, style and
//! explicit tag, with Go's `strconv` rules for numbers.

use std::borrow::Cow;

use super::node::{TAG_BOOL, TAG_FLOAT, TAG_INT, TAG_NULL, TAG_STR};
use super::resolve::Schema;
use crate::time::go_yaml::{self as timestamp, GoTime};

/// A scalar typed by Go's rules, before it becomes JSON.
#[derive(Debug)]
pub(crate) enum Typed<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Time(GoTime),
    Str(Cow<'a, str>),
}

impl Typed<'_> {
    /// go-yaml's short tag for the resolved value, as used in its errors.
    pub(crate) fn short_tag(&self) -> &'static str {
        match self {
            Typed::Null => "!!null",
            Typed::Bool(_) => "!!bool",
            Typed::Int(_) | Typed::Uint(_) => "!!int",
            Typed::Float(_) => "!!float",
            Typed::Time(_) => "!!timestamp",
            Typed::Str(_) => "!!str",
        }
    }
}

const TAG_TIMESTAMP: &str = "tag:yaml.org,2002:timestamp";
const TAG_BINARY: &str = "tag:yaml.org,2002:binary";
const LONG_PREFIX: &str = "tag:yaml.org,2002:";

/// The short form go-yaml prints in errors (`!!int`).
pub(crate) fn short_tag(tag: &str) -> Cow<'_, str> {
    match tag.strip_prefix(LONG_PREFIX) {
        Some(rest) => Cow::Owned(format!("!!{rest}")),
        None => Cow::Borrowed(tag),
    }
}

/// Errors met while typing one scalar, before a span is attached.
pub(crate) enum Fail {
    Tag { found: &'static str },
    Base64,
}

/// Types one scalar. `style_plain` is false for quoted and block scalars.
pub(crate) fn type_scalar<'a>(
    text: &'a str,
    tag: Option<&str>,
    style_plain: bool,
    schema: Schema,
) -> Result<Typed<'a>, Fail> {
    // A lone `!` is go-yaml v3's "resolve by content"; v2 keeps the text.
    let tag = match tag {
        Some("!") if schema == Schema::Kyaml => None,
        other => other,
    };
    let Some(tag) = tag else {
        return Ok(if style_plain {
            resolve_plain(text, schema, true)
        } else {
            Typed::Str(Cow::Borrowed(text))
        });
    };
    match tag {
        TAG_STR => Ok(Typed::Str(Cow::Borrowed(text))),
        TAG_BINARY => decode_base64(text)
            .map(|b| Typed::Str(Cow::Owned(String::from_utf8_lossy(&b).into_owned())))
            .ok_or(Fail::Base64),
        TAG_NULL | TAG_BOOL | TAG_INT | TAG_FLOAT | TAG_TIMESTAMP => {
            let got = resolve_plain(text, schema, tag == TAG_TIMESTAMP);
            let ok = match (&got, tag) {
                (Typed::Null, TAG_NULL) | (Typed::Bool(_), TAG_BOOL) => true,
                (Typed::Int(_) | Typed::Uint(_), TAG_INT) | (Typed::Float(_), TAG_FLOAT) => true,
                (Typed::Time(_), TAG_TIMESTAMP) => true,
                (Typed::Int(i), TAG_FLOAT) => return Ok(Typed::Float(*i as f64)),
                // go-yaml only widens int/int64 to float, not uint64.
                _ => false,
            };
            if ok {
                Ok(got)
            } else {
                Err(Fail::Tag {
                    found: got.short_tag(),
                })
            }
        }
        // Any other tag (local tags, `!!map` on a scalar, ...) keeps the text.
        _ => Ok(Typed::Str(Cow::Borrowed(text))),
    }
}

/// go-yaml's `resolve` for an untagged plain scalar (or one whose explicit tag
/// asks for a type). `timestamps` is false when an explicit non-timestamp
/// tag forbids trying a timestamp.
fn resolve_plain(text: &str, schema: Schema, timestamps: bool) -> Typed<'_> {
    if let Some(t) = lookup_word(text, schema) {
        return t;
    }
    match text.as_bytes().first() {
        Some(b'.') => {
            if let Some(f) = parse_yaml_float(text) {
                return Typed::Float(f);
            }
        }
        Some(b'0'..=b'9' | b'+' | b'-') => {
            if timestamps {
                if let Some(t) = timestamp::parse(text) {
                    return Typed::Time(t);
                }
            }
            let plain: Cow<str> = if text.contains('_') {
                Cow::Owned(text.replace('_', ""))
            } else {
                Cow::Borrowed(text)
            };
            if let Ok(i) = go_parse_int(&plain) {
                return Typed::Int(i);
            }
            if let Ok(u) = go_parse_uint(&plain) {
                return Typed::Uint(u);
            }
            if let Some(f) = parse_yaml_float(&plain) {
                return Typed::Float(f);
            }
        }
        _ => {}
    }
    Typed::Str(Cow::Borrowed(text))
}

/// The words go-yaml resolves from a fixed table.
fn lookup_word(text: &str, schema: Schema) -> Option<Typed<'static>> {
    Some(match text {
        "" | "~" | "null" | "Null" | "NULL" => Typed::Null,
        "true" | "True" | "TRUE" => Typed::Bool(true),
        "false" | "False" | "FALSE" => Typed::Bool(false),
        ".nan" | ".NaN" | ".NAN" => Typed::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Typed::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Typed::Float(f64::NEG_INFINITY),
        _ if schema == Schema::Yaml11 => match text {
            "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Typed::Bool(true),
            "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Typed::Bool(false),
            _ => return None,
        },
        _ => return None,
    })
}

#[derive(Debug, PartialEq)]
pub(crate) enum IntError {
    Syntax,
    Range,
}

/// Go's `strconv.ParseUint(s, 0, 64)` for text without underscores.
pub(crate) fn go_parse_uint(s: &str) -> Result<u64, IntError> {
    let b = s.as_bytes();
    if b.is_empty() {
        return Err(IntError::Syntax);
    }
    let (base, digits) = if b[0] == b'0' && b.len() >= 3 {
        match b[1].to_ascii_lowercase() {
            b'b' => (2, &b[2..]),
            b'o' => (8, &b[2..]),
            b'x' => (16, &b[2..]),
            _ => (8, &b[1..]),
        }
    } else if b[0] == b'0' {
        (8, &b[1..])
    } else {
        (10, b)
    };
    let mut n: u64 = 0;
    let mut overflow = false;
    for &c in digits {
        let d = match (c as char).to_digit(base) {
            Some(d) => u64::from(d),
            None => return Err(IntError::Syntax),
        };
        match n
            .checked_mul(u64::from(base))
            .and_then(|m| m.checked_add(d))
        {
            Some(m) => n = m,
            None => overflow = true,
        }
    }
    if overflow {
        Err(IntError::Range)
    } else {
        Ok(n)
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)` for text without underscores.
pub(crate) fn go_parse_int(s: &str) -> Result<i64, IntError> {
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let u = go_parse_uint(rest)?;
    if neg {
        if u <= 1u64 << 63 {
            Ok((u as i64).wrapping_neg())
        } else {
            Err(IntError::Range)
        }
    } else {
        i64::try_from(u).map_err(|_| IntError::Range)
    }
}

/// go-yaml's `yamlStyleFloat` check followed by `strconv.ParseFloat`; an
/// overflow to infinity is an error in Go, so the text stays a string.
pub(crate) fn parse_yaml_float(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let int_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    i += int_digits;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let frac = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if int_digits == 0 && frac == 0 {
            return None;
        }
        i += frac;
    } else if int_digits == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp == 0 {
            return None;
        }
        i += exp;
    }
    if i != b.len() {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Go's `base64.StdEncoding.DecodeString` (line breaks are ignored).
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let clean: Vec<u8> = text
        .bytes()
        .filter(|c| *c != b'\n' && *c != b'\r')
        .collect();
    if clean.len() % 4 != 0 {
        return None;
    }
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(clean.len() / 4 * 3);
    let chunks = clean.len() / 4;
    for (n, chunk) in clean.chunks(4).enumerate() {
        let pad = chunk.iter().rev().take_while(|c| **c == b'=').count();
        if pad > 2 || (pad > 0 && n + 1 != chunks) {
            return None;
        }
        let mut acc = 0u32;
        for &c in &chunk[..4 - pad] {
            acc = (acc << 6) | value(c)?;
        }
        acc <<= 6 * pad as u32;
        let bytes = [(acc >> 16) as u8, (acc >> 8) as u8, acc as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    Some(out)
}
