//! Whether a TOML value is legal for a parameter's [`Kind`], and the message when it is not
//! (wrong type, out of range, unknown name).

use super::error::{ErrorKind, Problem, did_you_mean};
use super::schema::{Kind, ParamSpec};
use super::value::Value;
use crate::data::clip;

/// Checks one concrete value against the parameter's kind and returns it as a trial value
/// (integers become reals for real parameters).
pub(super) fn scalar(spec: &ParamSpec, key: &str, value: &toml::Value) -> Result<Value, Problem> {
    use toml::Value as T;
    let x = match (spec.kind, value) {
        (Kind::Float { .. }, T::Integer(i)) => Value::Float(*i as f64),
        (Kind::Float { .. }, T::Float(f)) => Value::Float(*f),
        (Kind::Float { .. }, _) => return Err(wrong_type(spec, key, "a number", value)),
        (Kind::Int { .. } | Kind::IntOrName { .. }, T::Integer(i)) => Value::Int(*i),
        (Kind::Int { .. }, T::Float(f)) => {
            return Err(Problem::new(
                ErrorKind::WrongType,
                key,
                format!("expected an integer, got the real number {value}"),
            )
            .hint(if f.fract() == 0.0 {
                format!("write it without a decimal point: {}", *f as i64)
            } else {
                format!("{} takes whole numbers: {}", spec.name, spec.help)
            }));
        }
        (Kind::Int { .. }, _) => return Err(wrong_type(spec, key, "an integer", value)),
        (Kind::Choice(_) | Kind::IntOrName { .. }, T::String(s)) => Value::Text(s.clone()),
        (Kind::Choice(names), _) => {
            let expected = format!("one of {}", quoted(names));
            return Err(wrong_type(spec, key, &expected, value));
        }
        (Kind::IntOrName { names, .. }, _) => {
            let expected = format!("an integer or {}", quoted(names));
            return Err(wrong_type(spec, key, &expected, value));
        }
        (Kind::IntList { .. }, T::Array(items)) => {
            let mut list = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match item {
                    T::Integer(n) => list.push(*n),
                    _ => {
                        let element = format!("{key}[{i}]");
                        return Err(wrong_type(spec, &element, "an integer layer width", item));
                    }
                }
            }
            Value::List(list)
        }
        (Kind::IntList { .. }, _) => {
            let expected = "a list of integers such as [128, 64]";
            return Err(wrong_type(spec, key, expected, value));
        }
    };
    in_kind(spec, key, &x, value)?;
    Ok(x)
}

/// A range bound as a real number (integer ranges keep integer bounds).
pub(super) fn bound(spec: &ParamSpec, key: &str, value: &toml::Value) -> Result<f64, Problem> {
    match (value, spec.kind) {
        (toml::Value::Integer(i), _) => Ok(*i as f64),
        (toml::Value::Float(f), Kind::Float { .. }) if f.is_finite() => Ok(*f),
        (toml::Value::Float(_), Kind::Float { .. }) => Err(Problem::new(
            ErrorKind::OutOfRange,
            key,
            format!("range bounds must be finite, got {value}"),
        )),
        (toml::Value::Float(_), _) => Err(Problem::new(
            ErrorKind::WrongType,
            key,
            format!("expected an integer bound, got the real number {value}"),
        )
        .hint(spec.help)),
        _ => Err(wrong_type(spec, key, "a number", value)),
    }
}

/// `expected {expected}, got a string "x"`, with the parameter's help as the hint.
fn wrong_type(spec: &ParamSpec, key: &str, expected: &str, found: &toml::Value) -> Problem {
    Problem::new(
        ErrorKind::WrongType,
        key,
        format!(
            "expected {expected}, got {} {}",
            article(found.type_str()),
            clip(&found.to_string())
        ),
    )
    .hint(spec.help)
}

/// Refuses a value of the right type outside the parameter's legal range.
fn in_kind(spec: &ParamSpec, key: &str, x: &Value, found: &toml::Value) -> Result<(), Problem> {
    if kind_contains(&spec.kind, x) {
        return Ok(());
    }
    let (given, names, legal) = match (spec.kind, x) {
        (Kind::Choice(names), Value::Text(s)) => (s, names, format!("one of {}", quoted(names))),
        (Kind::IntOrName { lo, names, .. }, Value::Text(s)) => (
            s,
            names,
            format!("an integer ≥ {lo} or one of {}", quoted(names)),
        ),
        _ => {
            return Err(Problem::new(
                ErrorKind::OutOfRange,
                key,
                format!(
                    "must be {}, got {}",
                    describe_kind(&spec.kind),
                    clip(&found.to_string())
                ),
            )
            .hint(spec.help));
        }
    };
    let hint = match did_you_mean(given, names.iter().copied()) {
        Some(dym) => format!("{dym} ({} is {legal})", spec.name),
        None => format!("{} is {legal}", spec.name),
    };
    Err(Problem::new(
        ErrorKind::UnknownName,
        key,
        format!("unknown {} {}", spec.name, clip(&found.to_string())),
    )
    .hint(hint))
}

/// Whether `x` is a legal value of `kind` (type and range).
pub fn kind_contains(kind: &Kind, x: &Value) -> bool {
    match (*kind, x) {
        (
            Kind::Float {
                lo,
                hi,
                lo_open,
                hi_open,
            },
            Value::Float(f),
        ) => {
            f.is_finite()
                && (if lo_open { *f > lo } else { *f >= lo })
                && (if hi_open { *f < hi } else { *f <= hi })
        }
        (Kind::Int { lo, hi }, Value::Int(i)) | (Kind::IntOrName { lo, hi, .. }, Value::Int(i)) => {
            (lo..=hi).contains(i)
        }
        (Kind::Choice(names), Value::Text(s)) | (Kind::IntOrName { names, .. }, Value::Text(s)) => {
            names.contains(&s.as_str())
        }
        (Kind::IntList { lo, hi, max_len }, Value::List(list)) => {
            !list.is_empty() && list.len() <= max_len && list.iter().all(|i| (lo..=hi).contains(i))
        }
        _ => false,
    }
}

/// The legal range in words: `a number > 0`, `a number in [0, 1)`, `an integer in [1, 64]`.
pub fn describe_kind(kind: &Kind) -> String {
    match *kind {
        Kind::Float {
            lo, hi, lo_open, ..
        } if hi == f64::INFINITY => {
            format!("a number {} {lo}", if lo_open { ">" } else { "≥" })
        }
        Kind::Float {
            lo,
            hi,
            lo_open,
            hi_open,
        } => format!(
            "a number in {}{lo}, {hi}{}",
            if lo_open { "(" } else { "[" },
            if hi_open { ")" } else { "]" }
        ),
        Kind::Int { lo, hi } => format!("an integer in [{lo}, {hi}]"),
        Kind::Choice(names) => format!("one of {}", quoted(names)),
        Kind::IntOrName { lo, hi, names } => {
            format!("an integer in [{lo}, {hi}] or {}", quoted(names))
        }
        Kind::IntList { lo, hi, max_len } => {
            format!("a list of 1 to {max_len} integers, each in [{lo}, {hi}]")
        }
    }
}

/// `"relu", "tanh"`: names in quotes, comma-separated.
pub(super) fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn article(type_name: &str) -> String {
    match type_name.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {type_name}"),
        _ => format!("a {type_name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objective::params::MLP_PARAMS;
    use crate::space::domain::tests::domain;

    #[test]
    fn every_schema_default_is_a_legal_value() {
        for p in MLP_PARAMS {
            if let Some(default) = p.default {
                assert!(kind_contains(&p.kind, &default.value()), "{}", p.name);
            }
        }
    }

    #[test]
    fn integer_given_for_a_real_becomes_a_real() {
        let d = domain("learning_rate", "1").expect("valid");
        assert_eq!(d.as_fixed(), Some(&Value::Float(1.0)));
    }

    #[test]
    fn real_given_for_an_integer_is_rejected() {
        let p = domain("epochs", "10.0").expect_err("float epochs");
        assert_eq!(p.kind, ErrorKind::WrongType);
        assert!(p.hint.unwrap_or_default().contains("10"));
    }
}
