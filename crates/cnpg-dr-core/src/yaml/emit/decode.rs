//! What go-yaml v2 holds after `yaml.Unmarshal` of the JSON text that Go's
//! `encoding/json` writes for a value: the first half of
//! `sigs.k8s.io/yaml.JSONToYAML`.
//!
//! Most of the round trip is the identity. What is not:
//! * numbers are re-typed by v2's resolver (see [`super::float`]);
//! * the reader refuses characters that `encoding/json` leaves raw: DEL,
//!   the C1 controls except NEL, U+FFFE and U+FFFF;
//! * NEL (U+0085) is the one line break `encoding/json` leaves raw, so v2's
//!   quoted-scalar scanner folds it like a line break: with the spaces
//!   around it it becomes one space, and a run of n > 1 of them n-1 `\n`;
//!   right after one, `---` or `...` followed by a blank is a document
//!   marker and an error;
//! * a JSON object key is a YAML "simple key", which must stay on one line
//!   and span at most 1024 characters from its opening quote to the `:`;
//!   a key with a NEL, or whose escaped JSON text is longer than 1022
//!   characters, makes the parse fail.
//!
//! Mappings come out with their keys in go-yaml's order (the encoder sorts
//! them; doing it here keeps the encoder simple).

use serde_json::Value;

use super::float::{format_go_float, resolve_json_float, GoNumber};
use super::sort::sort_entries;
use super::EmitError;

/// A Go value as go-yaml v2 unmarshals JSON into `interface{}`.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum GoValue {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
    Seq(Vec<GoValue>),
    /// Entries in go-yaml v2's key order.
    Map(Vec<(String, GoValue)>),
}

const NEL: char = '\u{85}';

/// Characters go-yaml's reader refuses and `encoding/json` does not escape.
fn is_refused(c: char) -> bool {
    matches!(c, '\u{7F}' | '\u{80}'..='\u{84}' | '\u{86}'..='\u{9F}' | '\u{FFFE}' | '\u{FFFF}')
}

pub(super) fn decode(doc: &Value) -> Result<GoValue, EmitError> {
    // The reader decodes ahead of the scanner, so a refused character is
    // (in practice) reported before anything the scanner would find.
    check_refused(doc)?;
    Decoder { line: 1 }.value(doc)
}

fn check_string(s: &str) -> Result<(), EmitError> {
    if s.chars().any(is_refused) {
        return Err(EmitError::ControlCharacter {
            text: s.to_string(),
        });
    }
    Ok(())
}

fn check_refused(v: &Value) -> Result<(), EmitError> {
    match v {
        Value::String(s) => check_string(s),
        Value::Array(items) => items.iter().try_for_each(check_refused),
        Value::Object(map) => map.iter().try_for_each(|(k, v)| {
            check_string(k)?;
            check_refused(v)
        }),
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
    }
}

struct Decoder {
    /// The scanner's line (1-based) in the JSON text, which has no line
    /// breaks other than raw NELs inside strings.
    line: usize,
}

impl Decoder {
    fn value(&mut self, v: &Value) -> Result<GoValue, EmitError> {
        Ok(match v {
            Value::Null => GoValue::Null,
            Value::Bool(b) => GoValue::Bool(*b),
            Value::Number(n) => number(n)?,
            Value::String(s) => GoValue::Str(self.string(s)?),
            Value::Array(items) => GoValue::Seq(
                items
                    .iter()
                    .map(|item| self.value(item))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => {
                // `encoding/json` writes keys in byte order; the scanner's
                // line count follows the text.
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                let mut out = Vec::with_capacity(entries.len());
                for (k, v) in entries {
                    let key = self.string(k)?;
                    if k.contains(NEL) || json_text_chars(k) + 2 > 1024 {
                        return Err(EmitError::KeyNotSimple {
                            line: self.line - 1,
                            key: k.clone(),
                        });
                    }
                    let value = self.value(v)?;
                    out.push((key, value));
                }
                GoValue::Map(sort_entries(out))
            }
        })
    }

    /// A JSON string as v2's double-quoted scalar scanner reads it back.
    fn string(&mut self, s: &str) -> Result<String, EmitError> {
        if !s.contains(NEL) {
            return Ok(s.to_string());
        }
        let chars: Vec<char> = s.chars().collect();
        let n = chars.len();
        let mut out = String::with_capacity(s.len());
        let mut i = 0;
        let mut at_line_start = false;
        loop {
            if at_line_start {
                let marker = chars.get(i..i + 3);
                let is_marker =
                    marker == Some(&['-', '-', '-'][..]) || marker == Some(&['.', '.', '.'][..]);
                if is_marker && matches!(chars.get(i + 3).copied(), Some(' ' | NEL)) {
                    return Err(EmitError::DocumentIndicator {
                        line: self.line,
                        text: s.to_string(),
                    });
                }
            }
            if i == n {
                break;
            }
            while i < n && chars[i] != ' ' && chars[i] != NEL {
                out.push(chars[i]);
                i += 1;
                at_line_start = false;
            }
            if i == n {
                break;
            }
            let mut whitespaces = String::new();
            let mut leading_break = false;
            let mut trailing_breaks = String::new();
            while i < n && (chars[i] == ' ' || chars[i] == NEL) {
                if chars[i] == ' ' {
                    if !leading_break {
                        whitespaces.push(' ');
                    }
                    at_line_start = false;
                } else {
                    self.line += 1;
                    if leading_break {
                        trailing_breaks.push('\n');
                    } else {
                        whitespaces.clear();
                        leading_break = true;
                    }
                    at_line_start = true;
                }
                i += 1;
            }
            if leading_break {
                if trailing_breaks.is_empty() {
                    out.push(' ');
                } else {
                    out.push_str(&trailing_breaks);
                }
            } else {
                out.push_str(&whitespaces);
            }
        }
        Ok(out)
    }
}

/// How many characters Go's `encoding/json` writes for `s` between the
/// quotes (`"`, `\\` and `\b\f\n\r\t` take two, other controls, `<`, `>`, `&`,
/// U+2028 and U+2029 take six as `\uXXXX`).
fn json_text_chars(s: &str) -> usize {
    s.chars()
        .map(|c| match c {
            '"' | '\\' | '\u{8}' | '\u{C}' | '\n' | '\r' | '\t' => 2,
            '\0'..='\u{1F}' | '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => 6,
            _ => 1,
        })
        .sum()
}

fn number(n: &serde_json::Number) -> Result<GoValue, EmitError> {
    if let Some(i) = n.as_i64() {
        return Ok(GoValue::Int(i));
    }
    if let Some(u) = n.as_u64() {
        return Ok(GoValue::Uint(u));
    }
    match n.as_f64() {
        Some(f) if f.is_finite() => Ok(match resolve_json_float(f) {
            GoNumber::Int(i) => GoValue::Int(i),
            GoNumber::Uint(u) => GoValue::Uint(u),
            GoNumber::Float(f) => GoValue::Float(f),
        }),
        Some(f) => Err(EmitError::UnsupportedValue {
            value: format_go_float(f),
        }),
        None => Err(EmitError::UnsupportedValue {
            value: n.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fold(s: &str) -> Result<String, EmitError> {
        Decoder { line: 1 }.string(s)
    }

    #[test]
    fn nel_folds_like_a_line_break_in_a_quoted_scalar() {
        assert_eq!(fold("plain").unwrap(), "plain");
        assert_eq!(fold("a \u{85} b").unwrap(), "a b");
        assert_eq!(fold("a\u{85}\u{85}b").unwrap(), "a\nb");
        assert_eq!(fold("\u{85}b").unwrap(), " b");
        assert_eq!(fold("b\u{85}").unwrap(), "b ");
        assert_eq!(fold("a\u{85} \u{85}b").unwrap(), "a\nb");
        assert_eq!(fold("x\u{85}\u{85}").unwrap(), "x\n");
        assert_eq!(fold("a  b").unwrap(), "a  b");
    }

    #[test]
    fn document_marker_after_nel_is_an_error() {
        let err = fold("a\u{85}--- b").unwrap_err();
        assert_eq!(
            err.to_string(),
            "yaml: line 2: found unexpected document indicator"
        );
        assert!(fold("a\u{85}---b").is_ok());
        assert!(fold("a\u{85} --- b").is_ok());
        assert!(fold("a\u{85}---").is_ok());
        let doc = json!({"a": "x\u{85}y", "b": "\u{85}\u{85}... z"});
        match decode(&doc) {
            Err(EmitError::DocumentIndicator { line, .. }) => assert_eq!(line, 4),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn refused_characters() {
        for c in [
            '\u{7F}', '\u{80}', '\u{84}', '\u{86}', '\u{9F}', '\u{FFFE}', '\u{FFFF}',
        ] {
            let doc = json!({ "k": format!("x{c}y") });
            assert!(
                matches!(decode(&doc), Err(EmitError::ControlCharacter { .. })),
                "{c:?}"
            );
            let doc = json!({ format!("x{c}y"): 1 });
            assert!(matches!(
                decode(&doc),
                Err(EmitError::ControlCharacter { .. })
            ));
        }
        for c in ['\u{85}', '\u{A0}', '\t', '\u{0}', '\u{FFFD}', '\u{10FFFF}'] {
            let doc = json!({ "k": format!("x{c}y") });
            assert!(decode(&doc).is_ok(), "{c:?}");
        }
    }

    #[test]
    fn keys_must_be_simple_keys() {
        let err = decode(&json!({"a\u{85}b": 1})).unwrap_err();
        assert_eq!(
            err.to_string(),
            "yaml: line 1: did not find expected ',' or '}'"
        );
        let err = decode(&json!({"zz": 1, "a\u{85}\u{85}b": 1})).unwrap_err();
        assert_eq!(
            err.to_string(),
            "yaml: line 2: did not find expected ',' or '}'"
        );
        // A NEL in an earlier value moves the line on.
        let err = decode(&json!({"a": "x\u{85}y", "b": {"c\u{85}": 1}})).unwrap_err();
        assert_eq!(
            err.to_string(),
            "yaml: line 2: did not find expected ',' or '}'"
        );
        // 1022 characters of key text fit, 1023 do not.
        assert!(decode(&json!({ "a".repeat(1022): 1 })).is_ok());
        let err = decode(&json!({ "a".repeat(1023): 1 })).unwrap_err();
        assert_eq!(err.to_string(), "yaml: did not find expected ',' or '}'");
        let escaped = format!("{}aa", "<".repeat(170));
        assert_eq!(json_text_chars(&escaped), 1022);
        assert!(decode(&json!({ escaped: 1 })).is_ok());
        let escaped = format!("{}aaa", "<".repeat(170));
        assert!(matches!(
            decode(&json!({ escaped: 1 })),
            Err(EmitError::KeyNotSimple { line: 0, .. })
        ));
        assert_eq!(json_text_chars("\"\\\u{8}\u{C}\n\r\t"), 14);
        assert_eq!(json_text_chars("\u{0}\u{1F}<>&\u{2028}\u{2029}"), 42);
        assert_eq!(json_text_chars("é\u{1F418}\u{7E}"), 3);
        // Values are not keys: no limit.
        assert!(decode(&json!({ "k": "a".repeat(5000) })).is_ok());
    }

    #[test]
    fn numbers() {
        let doc = json!([1, -1, 18446744073709551615u64, 1.0, 1.5, 1e20, -0.0]);
        assert_eq!(
            decode(&doc).unwrap(),
            GoValue::Seq(vec![
                GoValue::Int(1),
                GoValue::Int(-1),
                GoValue::Uint(u64::MAX),
                GoValue::Int(1),
                GoValue::Float(1.5),
                GoValue::Float(1e20),
                GoValue::Int(0),
            ])
        );
    }
}
