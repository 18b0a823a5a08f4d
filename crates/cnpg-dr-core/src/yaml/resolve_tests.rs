//! Tables for scalar typing and JSON export. Rows marked "kubectl" were
//! checked against `kubectl kustomize` (Kustomize v5.5.0): Kyaml rows as
//! resource values, Yaml11 rows as a JSON 6902 op `value:`.

use std::path::Path;
use std::sync::Arc;

use serde_json::{json, Value};

use super::*;
use crate::yaml::scalar::{decode_base64, go_parse_int, go_parse_uint, IntError};
use crate::yaml::{load_str, LoadLimits};

fn doc(text: &str) -> Node {
    let mut docs = load_str(text, Arc::from(Path::new("t.yaml")), &LoadLimits::default())
        .expect("test input parses");
    assert_eq!(docs.len(), 1, "one document in {text:?}");
    docs.remove(0)
}

/// The typed value of `v` in the document `v: <expr>`.
fn typed(expr: &str, schema: Schema) -> Result<Value, ExportError> {
    let d = doc(&format!("v: {expr}\n"));
    let v = d.as_map().and_then(|m| m.get("v")).expect("key v");
    scalar_value(v, schema)
}

/// What a number looks like inside serde_json: i64, u64 or f64.
fn number_kind(v: &Value) -> &'static str {
    match v {
        Value::Number(n) if n.is_i64() => "i64",
        Value::Number(n) if n.is_u64() => "u64",
        Value::Number(_) => "f64",
        _ => "-",
    }
}

fn check_table(schema: Schema, rows: &[(&str, Value, &str)]) {
    for (expr, want, kind) in rows {
        let got = typed(expr, schema).unwrap_or_else(|e| panic!("{expr:?}: {e}"));
        match (&got, want) {
            (Value::Number(g), Value::Number(w)) if *kind == "f64" => {
                let (g, w) = (g.as_f64().unwrap_or(f64::NAN), w.as_f64().unwrap_or(0.0));
                assert!(
                    g == w && g.is_sign_negative() == w.is_sign_negative(),
                    "{expr:?}: got {g}, want {w}"
                );
            }
            _ => assert_eq!(&got, want, "{expr:?}"),
        }
        assert_eq!(number_kind(&got), *kind, "{expr:?}: number kind of {got}");
    }
}

#[test]
fn kyaml_numbers() {
    check_table(
        Schema::Kyaml,
        &[
            // FINDINGS §1 and case 010.
            ("0777", json!(511), "i64"),
            ("0o17", json!(15), "i64"),
            ("0x1F", json!(31), "i64"),
            ("0b101", json!(5), "i64"),
            ("1_000", json!(1000), "i64"),
            ("+1", json!(1), "i64"),
            ("-0", json!(0), "i64"),
            ("007", json!(7), "i64"),
            ("1.0", json!(1.0), "f64"),
            ("1.50", json!(1.5), "f64"),
            ("1.10", json!(1.1), "f64"),
            ("1e3", json!(1000.0), "f64"),
            ("1E3", json!(1000.0), "f64"),
            ("0.5e3", json!(500.0), "f64"),
            (".5", json!(0.5), "f64"),
            ("0.000001", json!(0.000001), "f64"),
            ("1e-7", json!(1e-7), "f64"),
            ("1e21", json!(1e21), "f64"),
            ("1e20", json!(1e20), "f64"),
            ("1000000.5", json!(1000000.5), "f64"),
            ("100000.5", json!(100000.5), "f64"),
            ("0.0001", json!(0.0001), "f64"),
            (
                "12345678901234567890",
                json!(12345678901234567890u64),
                "u64",
            ),
            ("18446744073709551615", json!(u64::MAX), "u64"),
            ("9007199254740993", json!(9007199254740993i64), "i64"),
            ("9223372036854775807", json!(i64::MAX), "i64"),
            ("-9223372036854775808", json!(i64::MIN), "i64"),
            // kubectl: Go's strconv edge cases.
            ("08", json!(8.0), "f64"),
            ("09.5", json!(9.5), "f64"),
            ("1_", json!(1), "i64"),
            ("1__0", json!(10), "i64"),
            ("+0x1F", json!(31), "i64"),
            ("-0x1F", json!(-31), "i64"),
            ("0B101", json!(5), "i64"),
            ("0X1f", json!(31), "i64"),
            ("0O17", json!(15), "i64"),
            ("-0b101", json!(-5), "i64"),
            ("-0o17", json!(-15), "i64"),
            ("0x_1F", json!(31), "i64"),
            ("1.e3", json!(1000.0), "f64"),
            ("1.", json!(1.0), "f64"),
            (".5e3", json!(500.0), "f64"),
            ("+.5", json!(0.5), "f64"),
            ("1_000.5", json!(1000.5), "f64"),
            ("1e-400", json!(0.0), "f64"),
            ("-0.0", json!(-0.0), "f64"),
            ("18446744073709551616", json!(18446744073709551616.0), "f64"),
            ("-9223372036854775809", json!(-9223372036854775809.0), "f64"),
            // Not numbers.
            ("1e400", json!("1e400"), "-"),
            ("0b", json!("0b"), "-"),
            ("0x", json!("0x"), "-"),
            ("+", json!("+"), "-"),
            ("1e", json!("1e"), "-"),
            ("1,000", json!("1,000"), "-"),
            ("v1.2", json!("v1.2"), "-"),
            ("1.2.3", json!("1.2.3"), "-"),
            ("256MB", json!("256MB"), "-"),
            ("0x1FFFFFFFFFFFFFFFFF", json!("0x1FFFFFFFFFFFFFFFFF"), "-"),
            ("12:30", json!("12:30"), "-"),
            ("0/3000060", json!("0/3000060"), "-"),
        ],
    );
}

#[test]
fn kyaml_words_and_nulls() {
    check_table(
        Schema::Kyaml,
        &[
            ("true", json!(true), "-"),
            ("True", json!(true), "-"),
            ("TRUE", json!(true), "-"),
            ("false", json!(false), "-"),
            ("False", json!(false), "-"),
            ("FALSE", json!(false), "-"),
            ("tRUE", json!("tRUE"), "-"),
            ("yes", json!("yes"), "-"),
            ("Yes", json!("Yes"), "-"),
            ("no", json!("no"), "-"),
            ("on", json!("on"), "-"),
            ("off", json!("off"), "-"),
            ("ON", json!("ON"), "-"),
            ("y", json!("y"), "-"),
            ("n", json!("n"), "-"),
            ("null", Value::Null, "-"),
            ("Null", Value::Null, "-"),
            ("NULL", Value::Null, "-"),
            ("~", Value::Null, "-"),
            ("", Value::Null, "-"),
            ("nULL", json!("nULL"), "-"),
            ("<<", json!("<<"), "-"),
            ("\"true\"", json!("true"), "-"),
            ("'1'", json!("1"), "-"),
            ("\"null\"", json!("null"), "-"),
            ("\"\"", json!(""), "-"),
            ("|\n  1\n", json!("1\n"), "-"),
            (">-\n  true\n", json!("true"), "-"),
        ],
    );
}

#[test]
fn kyaml_timestamps() {
    check_table(
        Schema::Kyaml,
        &[
            // Cases 012 and 191.
            ("2024-01-02", json!("2024-01-02T00:00:00Z"), "-"),
            ("2024-01-02 10:00:00", json!("2024-01-02T10:00:00Z"), "-"),
            (
                "2024-01-02T10:00:00+02:00",
                json!("2024-01-02T10:00:00+02:00"),
                "-",
            ),
            (
                "2024-01-02T10:00:00.123456Z",
                json!("2024-01-02T10:00:00.123456Z"),
                "-",
            ),
            ("2024-03-04T05:06:07Z", json!("2024-03-04T05:06:07Z"), "-"),
            ("2024-11-05 08:30:00", json!("2024-11-05T08:30:00Z"), "-"),
            (
                "2024-01-02 10:00:00.000000+00",
                json!("2024-01-02 10:00:00.000000+00"),
                "-",
            ),
            (
                "\"2024-01-02T10:00:00Z\"",
                json!("2024-01-02T10:00:00Z"),
                "-",
            ),
            ("\"2024-01-02\"", json!("2024-01-02"), "-"),
            ("2024-01-02t10:00:00z", json!("2024-01-02t10:00:00z"), "-"),
        ],
    );
}

#[test]
fn yaml11_values() {
    check_table(
        Schema::Yaml11,
        &[
            // Case 140 and FINDINGS §1 (JSON 6902 values).
            ("yes", json!(true), "-"),
            ("off", json!(false), "-"),
            ("y", json!(true), "-"),
            ("0777", json!(511), "i64"),
            ("1_000", json!(1000), "i64"),
            ("2024-01-02", json!("2024-01-02"), "-"),
            ("1:30", json!("1:30"), "-"),
            // kubectl.
            ("Y", json!(true), "-"),
            ("Yes", json!(true), "-"),
            ("YES", json!(true), "-"),
            ("on", json!(true), "-"),
            ("On", json!(true), "-"),
            ("ON", json!(true), "-"),
            ("n", json!(false), "-"),
            ("N", json!(false), "-"),
            ("no", json!(false), "-"),
            ("No", json!(false), "-"),
            ("NO", json!(false), "-"),
            ("Off", json!(false), "-"),
            ("OFF", json!(false), "-"),
            ("oN", json!("oN"), "-"),
            ("True", json!(true), "-"),
            ("~", Value::Null, "-"),
            ("", Value::Null, "-"),
            ("08", json!(8.0), "f64"),
            ("+0x1F", json!(31), "i64"),
            ("0o17", json!(15), "i64"),
            ("0b101", json!(5), "i64"),
            ("1.e3", json!(1000.0), "f64"),
            ("1e400", json!("1e400"), "-"),
            ("-0", json!(0), "i64"),
            ("18446744073709551615", json!(u64::MAX), "u64"),
            (
                "123456789012345678901234567890",
                json!(1.2345678901234568e29),
                "f64",
            ),
            // kubectl: no big integers in the go-yaml v2 that kustomize uses.
            ("0x1FFFFFFFFFFFFFFFFF", json!("0x1FFFFFFFFFFFFFFFFF"), "-"),
            ("2024-01-02 10:00:00", json!("2024-01-02 10:00:00"), "-"),
            ("190:20:30.15", json!("190:20:30.15"), "-"),
            ("\"yes\"", json!("yes"), "-"),
        ],
    );
}

#[test]
fn explicit_tags() {
    // Case 022, then kubectl checks.
    let kyaml = [
        ("!!str 123", json!("123"), "-"),
        ("!!str true", json!("true"), "-"),
        ("!!int \"42\"", json!(42), "i64"),
        ("!!float 3", json!(3.0), "f64"),
        ("! 123", json!(123), "i64"),
        ("!foo 123", json!("123"), "-"),
        ("!!binary aGVsbG8=", json!("hello"), "-"),
        ("!!binary |\n  aGVs\n  bG8=\n", json!("hello"), "-"),
        ("!!str ~", json!("~"), "-"),
        (
            "!!timestamp \"2024-01-02\"",
            json!("2024-01-02T00:00:00Z"),
            "-",
        ),
        ("!!null \"\"", Value::Null, "-"),
        ("!!int 0x1F", json!(31), "i64"),
        ("!!float \"1e3\"", json!(1000.0), "f64"),
        ("!!bool \"true\"", json!(true), "-"),
        ("!!str 2024-01-01", json!("2024-01-01"), "-"),
        ("!<tag:yaml.org,2002:int> \"7\"", json!(7), "i64"),
        ("!!int \"-0b11\"", json!(-3), "i64"),
    ];
    check_table(Schema::Kyaml, &kyaml);
    check_table(
        Schema::Yaml11,
        &[
            ("! 123", json!("123"), "-"),
            ("!foo 123", json!("123"), "-"),
            ("!!timestamp 2024-01-02", json!("2024-01-02"), "-"),
            ("!!timestamp \"2024-01-02\"", json!("2024-01-02"), "-"),
            ("!!float 3", json!(3.0), "f64"),
            ("!!int \"-0b11\"", json!(-3), "i64"),
            ("!!binary aGVsbG8=", json!("hello"), "-"),
        ],
    );
}

#[test]
fn explicit_tag_errors() {
    // kubectl: "map[string]interface {}(nil): yaml: cannot decode ..."
    let rows = [
        ("!!int abc", "yaml: cannot decode !!str `abc` as a !!int"),
        ("!!int 1.5", "yaml: cannot decode !!float `1.5` as a !!int"),
        ("!!bool yes", "yaml: cannot decode !!str `yes` as a !!bool"),
        ("!!null x", "yaml: cannot decode !!str `x` as a !!null"),
        (
            "!!timestamp abc",
            "yaml: cannot decode !!str `abc` as a !!timestamp",
        ),
        (
            "!!float abc",
            "yaml: cannot decode !!str `abc` as a !!float",
        ),
        (
            "!!int 2024-01-01",
            "yaml: cannot decode !!str `2024-01-01` as a !!int",
        ),
        (
            "!!binary \"***\"",
            "yaml: !!binary value contains invalid base64 data",
        ),
    ];
    for (expr, go) in rows {
        let err = typed(expr, Schema::Kyaml).expect_err(expr);
        assert_eq!(err.go_message(), go, "{expr}");
        let shown = err.to_string();
        assert!(shown.starts_with("t.yaml:1:"), "{shown}");
        assert!(shown.contains(go.trim_start_matches("yaml: ")), "{shown}");
    }
}

#[test]
fn non_finite_floats_are_errors() {
    for (expr, go) in [
        (".inf", "json: unsupported value: +Inf"),
        ("+.Inf", "json: unsupported value: +Inf"),
        ("-.inf", "json: unsupported value: -Inf"),
        (".nan", "json: unsupported value: NaN"),
        (".NaN", "json: unsupported value: NaN"),
    ] {
        for schema in [Schema::Kyaml, Schema::Yaml11] {
            let err = typed(expr, schema).expect_err(expr);
            assert_eq!(err.go_message(), go);
            assert_eq!((err.span.line, err.span.column), (1, 4));
            let shown = err.to_string();
            assert!(shown.starts_with("t.yaml:1:4: "), "{shown}");
            assert!(
                shown.contains("not a finite number") && shown.contains(go),
                "{shown}"
            );
        }
    }
    // `.Inf` in another case, or `.infinity`, is just text.
    assert_eq!(typed(".iNf", Schema::Kyaml).ok(), Some(json!(".iNf")));
}

#[test]
fn case_011_infinity_error() {
    let d = doc(include_str!(
        "../../../../testdata/kustomize-conformance/cases/011-infinity-error/input/resource.yaml"
    ));
    let err = to_json(&d, Schema::Kyaml).expect_err("case 011 fails");
    assert_eq!(err.go_message(), "json: unsupported value: +Inf");
    assert_eq!((err.span.line, err.span.column), (6, 10));
}

#[test]
fn case_027_integer_map_key() {
    let d = doc(include_str!(
        "../../../../testdata/kustomize-conformance/cases/027-integer-map-key/input/resource.yaml"
    ));
    let err = to_json(&d, Schema::Kyaml).expect_err("case 027 fails");
    assert_eq!(
        err.go_message(),
        "json: unsupported type: map[interface {}]interface {}"
    );
    assert_eq!((err.span.line, err.span.column), (7, 5));
    let shown = err.to_string();
    assert!(
        shown.contains("mapping key `80` is not a string"),
        "{shown}"
    );
}

#[test]
fn kyaml_keys() {
    // kubectl: top-level keys are decoded into Go strings as written...
    let d = doc("apiVersion: v1\n80: http\ntrue: 1\n0x1F: c\n");
    assert_eq!(
        to_json(&d, Schema::Kyaml).ok(),
        Some(json!({"apiVersion": "v1", "80": "http", "true": 1, "0x1F": "c"}))
    );
    // ...but below the top, any non-string key fails the export.
    for key in [
        "2024-01-01",
        "true",
        "1.5",
        "null",
        "~",
        "!!binary aGk=",
        "!foo x",
    ] {
        let d = doc(&format!("spec:\n  m:\n    {key}: x\n"));
        let err = to_json(&d, Schema::Kyaml).expect_err(key);
        assert_eq!(
            err.go_message(),
            "json: unsupported type: map[interface {}]interface {}",
            "{key}"
        );
        assert_eq!((err.span.line, err.span.column), (3, 5));
    }
    // Quoted and `!!str` keys are strings.
    let d = doc("spec:\n  m:\n    \"80\": a\n    !!str 81: b\n    '<<': c\n");
    assert_eq!(
        to_json(&d, Schema::Kyaml).ok(),
        Some(json!({"spec": {"m": {"80": "a", "81": "b"}}})),
        "a quoted `<<` key is dropped, as kyaml's anchor expansion does"
    );
    let d = doc("spec:\n  ? [a]\n  : x\n");
    let err = to_json(&d, Schema::Kyaml).expect_err("sequence key");
    assert_eq!(err.go_message(), "yaml: invalid map key: sequence");
}

#[test]
fn yaml11_keys_become_strings() {
    // kubectl, as a JSON 6902 `value:` (sigs.k8s.io/yaml.YAMLToJSON).
    let d = doc(concat!(
        "0x1F: hex\n1.5: f\n123456789.0: bigf\n0.1: tenth\n1e3: e3\n",
        "2024-01-01: date\ny: yes\n!!binary aGk=: bin\n-0.0: negz\n.inf: inf\n",
        "0.00001: small\n1e20: big\n"
    ));
    assert_eq!(
        to_json(&d, Schema::Yaml11).ok(),
        Some(json!({
            "31": "hex", "1.5": "f", "1.2345679e+08": "bigf", "0.1": "tenth", "1000": "e3",
            "2024-01-01": "date", "true": true, "hi": "bin", "-0": "negz", ".inf": "inf",
            "1e-05": "small", "1e+20": "big"
        }))
    );
    for key in ["~", "18446744073709551615"] {
        let d = doc(&format!("k:\n  {key}: v\n"));
        let err = to_json(&d, Schema::Yaml11).expect_err(key);
        assert!(
            err.go_message().contains("unsupported map key of type"),
            "{err}"
        );
        assert_eq!((err.span.line, err.span.column), (2, 3));
    }
}

#[test]
fn duplicate_keys() {
    let text = "apiVersion: v1\nkind: X\nmetadata:\n  name: x\nspec:\n  a: 1\n  a: 2\n";
    let d = doc(text);
    // kubectl: `map[string]interface {}(nil): yaml: unmarshal errors:\n  line 7: ...`
    let err = to_json(&d, Schema::Kyaml).expect_err("duplicate key");
    assert_eq!(
        err.go_message(),
        "yaml: unmarshal errors:\n  line 7: mapping key \"a\" already defined at line 6"
    );
    assert_eq!((err.span.line, err.span.column), (7, 3));
    assert!(err.to_string().contains("`a` is written twice"), "{err}");
    // go-yaml v2 (kustomization files, JSON 6902 ops): the last one wins.
    assert_eq!(
        to_json(&d, Schema::Yaml11)
            .ok()
            .and_then(|v| v.pointer("/spec/a").cloned()),
        Some(json!(2))
    );
    // go-yaml v3 compares keys as written: `a` and `"a"` are the same key.
    let d = doc("m:\n  a: 1\n  \"a\": 2\n");
    assert!(to_json(&d, Schema::Kyaml).is_err());
}

#[test]
fn errors_come_in_go_order() {
    // A bad tag stops go-yaml before any JSON problem is seen.
    let d = doc("spec:\n  a: .inf\n  b: !!int x\n");
    let err = to_json(&d, Schema::Kyaml).expect_err("two problems");
    assert_eq!(err.go_message(), "yaml: cannot decode !!str `x` as a !!int");
    // Duplicate keys come before JSON encoding errors.
    let d = doc("spec:\n  a: .inf\n  b: 1\n  b: 2\n");
    let err = to_json(&d, Schema::Kyaml).expect_err("two problems");
    assert!(err.go_message().contains("mapping key \"b\""), "{err}");
}

#[test]
fn timestamp_offset_error() {
    let err = typed("2024-01-02T10:00:00+24:00", Schema::Kyaml).expect_err("offset");
    assert!(err
        .go_message()
        .ends_with("timezone hour outside of range [0,23]"));
    // go-yaml v2 keeps it as text.
    assert_eq!(
        typed("2024-01-02T10:00:00+24:00", Schema::Yaml11).ok(),
        Some(json!("2024-01-02T10:00:00+24:00"))
    );
}

fn case_docs(text: &str) -> Vec<Value> {
    load_str(
        text,
        Arc::from(Path::new("case.yaml")),
        &LoadLimits::default(),
    )
    .expect("case parses")
    .iter()
    .map(|d| to_json(d, Schema::Kyaml).expect("case exports"))
    .collect()
}

#[test]
fn case_010_unquoted_scalar_typing() {
    let docs = case_docs(include_str!("../../../../testdata/kustomize-conformance/cases/010-unquoted-scalar-typing/input/resource.yaml"));
    let spec = &docs[0]["spec"];
    let want = json!({
        "octal": 511, "octal12": 15, "hex": 31, "binary": 5, "underscore": 1000,
        "float1": 1.0, "float2": 1.5, "exp": 1000.0, "expUpper": 1000.0, "plusInt": 1,
        "negZero": 0, "dotFive": 0.5, "sexagesimal": "12:30",
        "bigInt": 12345678901234567890u64, "beyondDouble": 9007199254740993i64,
        "int64max": 9223372036854775807i64, "small": 0.000001, "tiny": 1e-7, "huge": 1e21,
        "boolTrue": true, "boolCap": true, "boolUpper": true, "yesWord": "yes",
        "onWord": "on", "yWord": "y", "nullWord": null, "nullCap": null, "tilde": null,
        "empty": null, "leadingZero": 7, "version": 1.1
    });
    assert_eq!(spec, &want);
    assert!(
        spec["float1"].is_f64() && spec["exp"].is_f64(),
        "integral floats stay floats"
    );
    assert!(spec["bigInt"].is_u64() && spec["beyondDouble"].is_i64());
}

#[test]
fn case_012_timestamps() {
    let docs = case_docs(include_str!(
        "../../../../testdata/kustomize-conformance/cases/012-timestamps/input/resource.yaml"
    ));
    let dates = &docs[0]["spec"]["x-dates"];
    assert_eq!(
        dates,
        &json!({
            "dateOnly": "2024-01-02T00:00:00Z",
            "spaceSeparated": "2024-01-02T10:00:00Z",
            "withOffset": "2024-01-02T10:00:00+02:00",
            "pgStyle": "2024-01-02 10:00:00.000000+00",
            "quoted": "2024-01-02T10:00:00Z",
            "fractional": "2024-01-02T10:00:00.123456Z"
        })
    );
    let recovery = &docs[0]["spec"]["bootstrap"]["recovery"]["recoveryTarget"];
    assert_eq!(
        recovery,
        &json!({"targetTime": "2024-03-04T05:06:07Z", "targetLSN": "0/3000060"})
    );
    assert_eq!(
        docs[1]["data"],
        json!({"unquotedDate": "2024-01-02T00:00:00Z", "unquotedStamp": "2024-01-02T10:00:00Z"})
    );
    assert_eq!(
        docs[1]["metadata"]["labels"]["day"],
        json!("2024-01-02T00:00:00Z")
    );
    // kustomize keeps annotation values as written; that is the renderer's
    // job (it treats them as strings before export), typing alone converts.
    assert_eq!(
        docs[0]["metadata"]["annotations"]["created"],
        json!("2024-01-02T00:00:00Z")
    );
}

#[test]
fn case_017_nulls_and_empties() {
    let docs = case_docs(include_str!("../../../../testdata/kustomize-conformance/cases/017-empty-and-null-values/input/resource.yaml"));
    assert_eq!(docs[0]["metadata"]["annotations"], Value::Null);
    assert_eq!(
        docs[0]["spec"],
        json!({
            "emptyMap": {}, "emptyList": [], "explicitNull": null, "tildeNull": null,
            "bare": null, "emptyString": "", "nested": {"inner": {}, "list": [{}, [], null, ""]}
        })
    );
}

#[test]
fn case_020_crlf_and_022_tags_and_046_json() {
    let crlf = case_docs(include_str!("../../../../testdata/kustomize-conformance/cases/020-crlf-line-endings/input/resource.yaml"));
    assert_eq!(crlf[0]["data"], json!({"a": "one", "b": "line1\nline2\n"}));
    let tags = case_docs(include_str!(
        "../../../../testdata/kustomize-conformance/cases/022-explicit-tags/input/resource.yaml"
    ));
    assert_eq!(
        tags[0]["spec"],
        json!({"strFromInt": "123", "strFromBool": "true", "intFromStr": 42, "floatTag": 3.0})
    );
    let js = case_docs(include_str!(
        "../../../../testdata/kustomize-conformance/cases/046-json-resource-file/input/cm.json"
    ));
    assert_eq!(js[0]["data"], json!({"n": "5", "flag": "true"}));
}

#[test]
fn case_111_and_201_words_in_patches_stay_strings() {
    let p = case_docs(include_str!("../../../../testdata/kustomize-conformance/cases/111-smp-patch-keeps-quoting-and-types/input/patch.yaml"));
    assert_eq!(
        p[0]["spec"]["postgresql"]["parameters"],
        json!({
            "max_connections": "300", "log_statement": "all", "wal_compression": "on",
            "autovacuum": "off", "random_page_cost": "1.1", "effective_io_concurrency": 200
        })
    );
    let c = case_docs(include_str!("../../../../testdata/kustomize-conformance/cases/201-cnpg-postgresql-parameters-types/input/base/cluster.yaml"));
    let params = &c[0]["spec"]["postgresql"]["parameters"];
    assert_eq!(
        (&params["jit"], &params["log_lock_waits"]),
        (&json!("off"), &json!("on"))
    );
    assert_eq!(
        c[0]["spec"]["managed"]["roles"][0]["connectionLimit"],
        json!(-1)
    );
}

#[test]
fn case_140_json6902_values_are_yaml11() {
    let k = doc(include_str!("../../../../testdata/kustomize-conformance/cases/140-json6902-yaml11-values/input/kustomization.yaml"));
    let kust = to_json(&k, Schema::Yaml11).expect("kustomization exports");
    let patch = kust["patches"][0]["patch"].as_str().expect("inline patch");
    let ops = to_json(&doc(patch), Schema::Yaml11).expect("ops export");
    let values: Vec<(&str, &Value)> = ops
        .as_array()
        .expect("op list")
        .iter()
        .map(|op| (op["path"].as_str().unwrap_or_default(), &op["value"]))
        .collect();
    let p = "/spec/postgresql/parameters/";
    assert_eq!(
        values,
        vec![
            (&*format!("{p}v_yes"), &json!(true)),
            (&*format!("{p}v_off"), &json!(false)),
            (&*format!("{p}v_y"), &json!(true)),
            (&*format!("{p}v_octal"), &json!(511)),
            (&*format!("{p}v_underscore"), &json!(1000)),
            (&*format!("{p}v_date"), &json!("2024-01-02")),
            (&*format!("{p}v_sexagesimal"), &json!("1:30")),
        ]
    );
}

#[test]
fn cases_189_and_191_target_time() {
    let quoted = case_docs(include_str!("../../../../testdata/kustomize-conformance/cases/189-cnpg-native-recovery-targettime/input/overlays/recovery/recovery.yaml"));
    assert_eq!(
        quoted[0]["spec"]["bootstrap"]["recovery"]["recoveryTarget"]["targetTime"],
        json!("2024-11-05 08:30:00.000000+00")
    );
    let unquoted = case_docs(include_str!("../../../../testdata/kustomize-conformance/cases/191-cnpg-native-recovery-unquoted-targettime/input/overlays/recovery/recovery.yaml"));
    assert_eq!(
        unquoted[0]["spec"]["bootstrap"]["recovery"]["recoveryTarget"],
        json!({"targetTime": "2024-11-05T08:30:00Z", "targetImmediate": false})
    );
}

#[test]
fn go_helpers() {
    assert_eq!(go_parse_int("-9223372036854775808"), Ok(i64::MIN));
    assert_eq!(go_parse_int("9223372036854775808"), Err(IntError::Range));
    assert_eq!(go_parse_uint("+1"), Err(IntError::Syntax));
    assert_eq!(go_parse_uint("0"), Ok(0));
    assert_eq!(go_parse_uint("0b"), Err(IntError::Syntax));
    assert_eq!(decode_base64("aGk="), Some(b"hi".to_vec()));
    assert_eq!(decode_base64("aGk"), None);
    assert_eq!(decode_base64("a=Gk"), None);
    assert_eq!(go_quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
    for (f, s) in [
        (1e3, "1000"),
        (0.1, "0.1"),
        (123456789.0, "1.2345679e+08"),
        (1e-5, "1e-05"),
        (-2.5, "-2.5"),
        (100000.0, "100000"),
        (1e6, "1e+06"),
    ] {
        assert_eq!(format_float_key(f), s);
    }
}
