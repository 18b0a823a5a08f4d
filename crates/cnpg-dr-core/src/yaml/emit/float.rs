//! Numbers: Go's `strconv.FormatFloat(f, 'g', -1, 64)` and the round trip a
//! JSON number makes through Go's `encoding/json` and go-yaml v2's resolver.

/// `f`'s decimal digits as Rust's `{:e}` / `{:.N e}` print them: the
/// significant digits without trailing zeros and the point position `dp`
/// (`|f| = 0.DIGITS × 10^dp`).
fn digits_of(text: &str) -> (Vec<u8>, i32) {
    let (mantissa, exponent) = text.split_once('e').unwrap_or((text, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    (digits, exponent + 1)
}

/// Whether `0.DIGITS × 10^dp` reads back as `abs`.
fn round_trips(digits: &[u8], dp: i32, abs: f64) -> bool {
    let text = format!("0.{}e{dp}", String::from_utf8_lossy(digits));
    text.parse::<f64>() == Ok(abs)
}

/// Shortest decimal digits that round-trip to `f` (finite, any sign), as
/// Go's Ryū implementation picks them: the digits without leading or
/// trailing zeros and the decimal point position, so that
/// `|f| = 0.DIGITS × 10^dp`. Zero gives no digits and `dp = 0`.
fn shortest_decimal(f: f64) -> (Vec<u8>, i32) {
    if f == 0.0 {
        return (Vec::new(), 0);
    }
    let abs = f.abs();
    // Rust's `{:e}` prints the shortest round-trip digits, as Go does; the
    // two differ only when the value lies exactly halfway between two
    // shortest candidates: Rust rounds up, Go to the even digit.
    let (digits, dp) = digits_of(&format!("{abs:e}"));
    // Every f64 has an exact decimal expansion of at most 767 significant
    // digits; print it.
    let (exact, exact_dp) = digits_of(&format!("{abs:.800e}"));
    if exact.len() == digits.len() + 1 && exact.last() == Some(&b'5') {
        let lower = exact[..digits.len()].to_vec();
        let lower_is_even = lower.last().is_some_and(|d| (d - b'0') % 2 == 0);
        let (mut even, even_dp) = if lower_is_even {
            (lower, exact_dp)
        } else {
            increment(lower, exact_dp)
        };
        while even.len() > 1 && even.last() == Some(&b'0') {
            even.pop();
        }
        if (even.as_slice(), even_dp) != (digits.as_slice(), dp) && round_trips(&even, even_dp, abs)
        {
            return (even, even_dp);
        }
    }
    (digits, dp)
}

/// `0.DIGITS × 10^dp` plus one unit in the last digit.
fn increment(mut digits: Vec<u8>, dp: i32) -> (Vec<u8>, i32) {
    for d in digits.iter_mut().rev() {
        if *d == b'9' {
            *d = b'0';
        } else {
            *d += 1;
            return (digits, dp);
        }
    }
    digits.insert(0, b'1');
    (digits, dp + 1)
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`: shortest digits, `%e` form
/// when the decimal exponent is < -4 or >= 6 (two exponent digits at least),
/// `%f` form otherwise.
///
/// `1000000.5` → `1.0000005e+06`, `0.00001` → `1e-05`, `1e20` → `1e+20`,
/// `100000.5` and `0.0001` unchanged, `1.0` → `1`.
pub fn format_go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    let (digits, dp) = shortest_decimal(f);
    let mut out = String::new();
    if f.is_sign_negative() {
        out.push('-');
    }
    let nd = digits.len() as i32;
    let exp = dp - 1;
    if !(-4..6).contains(&exp) {
        // %e with precision nd-1.
        out.push(char::from(digits.first().copied().unwrap_or(b'0')));
        if nd > 1 {
            out.push('.');
            out.extend(digits[1..].iter().map(|&d| char::from(d)));
        }
        out.push('e');
        let exp = if nd == 0 { 0 } else { exp };
        out.push(if exp < 0 { '-' } else { '+' });
        let abs = exp.unsigned_abs();
        if abs < 10 {
            out.push('0');
        }
        out.push_str(&abs.to_string());
    } else {
        push_fixed(&mut out, &digits, dp);
    }
    out
}

/// The `%f` form with just enough fraction digits (Go's `fmtF` with
/// precision `max(nd - dp, 0)`).
fn push_fixed(out: &mut String, digits: &[u8], dp: i32) {
    let nd = digits.len() as i32;
    if dp > 0 {
        let m = dp.min(nd) as usize;
        out.extend(digits[..m].iter().map(|&d| char::from(d)));
        for _ in nd..dp {
            out.push('0');
        }
    } else {
        out.push('0');
    }
    let prec = (nd - dp).max(0);
    if prec > 0 {
        out.push('.');
        for i in 0..prec {
            let j = dp + i;
            let d = if j < 0 || j >= nd {
                b'0'
            } else {
                digits[j as usize]
            };
            out.push(char::from(d));
        }
    }
}

/// What go-yaml v2 holds after reading a JSON number back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum GoNumber {
    Int(i64),
    Uint(u64),
    Float(f64),
}

/// A float written by Go's `encoding/json` and re-read by go-yaml v2's
/// resolver. `encoding/json` writes `%f` (shortest digits) unless the
/// magnitude is below 1e-6 or at least 1e21, where it writes `%e`. v2 then
/// reads integer text as an int (or uint64, or float64 when even that
/// overflows) and anything else as a float64.
pub(super) fn resolve_json_float(f: f64) -> GoNumber {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        return GoNumber::Float(f);
    }
    let (digits, dp) = shortest_decimal(f);
    if (digits.len() as i32) > dp {
        // There is a fraction: the text has a '.'.
        return GoNumber::Float(f);
    }
    let mut text = String::new();
    if f.is_sign_negative() {
        text.push('-');
    }
    if digits.is_empty() {
        text.push('0');
    } else {
        push_fixed(&mut text, &digits, dp);
    }
    if let Ok(i) = text.parse::<i64>() {
        GoNumber::Int(i)
    } else if let Ok(u) = text.parse::<u64>() {
        GoNumber::Uint(u)
    } else {
        GoNumber::Float(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The tie cases are written with all their (exact) digits on purpose.
    #[allow(clippy::excessive_precision)]
    #[test]
    fn go_g_format_table() {
        let table: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (-1.0, "-1"),
            (1.5, "1.5"),
            (1.1, "1.1"),
            (0.5, "0.5"),
            (100000.5, "100000.5"),
            (999999.0, "999999"),
            (1000000.0, "1e+06"),
            (1000000.5, "1.0000005e+06"),
            (123456789.0, "1.23456789e+08"),
            (0.0001, "0.0001"),
            (0.00012345, "0.00012345"),
            (0.00001, "1e-05"),
            (0.000001, "1e-06"),
            (1e-7, "1e-07"),
            (1.5e-10, "1.5e-10"),
            (1e20, "1e+20"),
            (1e21, "1e+21"),
            (1e100, "1e+100"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (2.2250738585072014e-308, "2.2250738585072014e-308"),
            (0.1 + 0.2, "0.30000000000000004"),
            (-2.5e-5, "-2.5e-05"),
            // Exactly halfway between two shortest candidates: Go picks the
            // even last digit (Rust's `{:e}` rounds these up).
            (-639806999177545.25, "-6.398069991775452e+14"),
            (713525981429837.25, "7.135259814298372e+14"),
            (893244921873155.25, "8.932449218731552e+14"),
            (-1572663138734489.25, "-1.5726631387344892e+15"),
            (0.5, "0.5"),
            (2.5, "2.5"),
            (123456.789, "123456.789"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
        ];
        for &(f, want) in table {
            assert_eq!(format_go_float(f), want, "formatting {f:?}");
        }
    }

    #[test]
    fn json_floats_come_back_as_go_yaml_reads_them() {
        assert_eq!(resolve_json_float(1.0), GoNumber::Int(1));
        assert_eq!(resolve_json_float(-0.0), GoNumber::Int(0));
        assert_eq!(resolve_json_float(1000.0), GoNumber::Int(1000));
        assert_eq!(resolve_json_float(1.5), GoNumber::Float(1.5));
        // %f of 1.2345678901234568e17 is integer text with padded zeros.
        assert_eq!(
            resolve_json_float(123456789012345678.0),
            GoNumber::Int(123456789012345680)
        );
        assert_eq!(
            resolve_json_float(1.8446744073709552e19),
            GoNumber::Float(1.8446744073709552e19)
        );
        assert_eq!(
            resolve_json_float(1e19),
            GoNumber::Uint(10_000_000_000_000_000_000)
        );
        assert_eq!(resolve_json_float(1e20), GoNumber::Float(1e20));
        assert_eq!(resolve_json_float(1e21), GoNumber::Float(1e21));
        assert_eq!(resolve_json_float(1e-7), GoNumber::Float(1e-7));
        // -9223372036854776000 is below i64::MIN: v2 falls back to float64.
        assert_eq!(
            resolve_json_float(-9.223372036854776e18),
            GoNumber::Float(-9.223372036854776e18)
        );
        assert_eq!(
            resolve_json_float(-4611686018427387904.0),
            GoNumber::Int(-4611686018427388000)
        );
    }
}
