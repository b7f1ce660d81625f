//! Reads a range table — `{ uniform = [lo, hi] }`, `{ log_uniform = [lo, hi] }`,
//! `{ int = [lo, hi], log = true }`, each with an optional `num = K` — into a [`Domain`].

use serde::Deserialize;

use super::domain::{Domain, Inner, MAX_POINTS, int_count};
use super::error::{ErrorKind, Problem};
use super::kind::{bound, describe_kind, quoted, scalar};
use super::raw::RawRange;
use super::schema::{Kind, ParamSpec};
use super::value::Value;
use crate::data::clip;

/// The three range forms.
#[derive(Clone, Copy, PartialEq)]
enum Form {
    Uniform,
    LogUniform,
    Int,
}

impl Form {
    fn name(self) -> &'static str {
        match self {
            Form::Uniform => "uniform",
            Form::LogUniform => "log_uniform",
            Form::Int => "int",
        }
    }
}

/// Turns the range table of parameter `spec` (at key path `key`) into its domain: one form,
/// legal for the parameter's kind, with ordered bounds that are legal values, and `num`
/// distinct points.
pub(super) fn parse(spec: &ParamSpec, key: &str, table: &toml::Table) -> Result<Domain, Problem> {
    let raw = RawRange::deserialize(toml::Value::Table(table.clone())).map_err(|e| {
        Problem::new(ErrorKind::UnknownKey, key, e.to_string())
            .hint("a range table holds uniform, log_uniform or int, and optionally log and num")
    })?;
    let forms: Vec<(Form, &toml::Value)> = [
        (Form::Uniform, raw.uniform.as_ref()),
        (Form::LogUniform, raw.log_uniform.as_ref()),
        (Form::Int, raw.int.as_ref()),
    ]
    .into_iter()
    .filter_map(|(form, v)| v.map(|v| (form, v)))
    .collect();
    let (form, bounds) = match forms.as_slice() {
        [one] => *one,
        [] => {
            return Err(Problem::new(
                ErrorKind::BadRange,
                key,
                "a range table needs uniform, log_uniform or int",
            )
            .hint(format!(
                "for example {} = {{ uniform = [0.1, 0.5] }}",
                spec.name
            )));
        }
        [a, b, ..] => {
            return Err(Problem::new(
                ErrorKind::Conflict,
                key,
                format!(
                    "a range is either {} or {}, not both",
                    a.0.name(),
                    b.0.name()
                ),
            )
            .hint("keep one of uniform, log_uniform, int"));
        }
    };
    let form_key = format!("{key}.{}", form.name());
    check_form_fits_kind(spec, key, form)?;

    let log = match (&raw.log, form) {
        (None, _) => false,
        (Some(toml::Value::Boolean(b)), Form::Int) => *b,
        (Some(v), Form::Int) => {
            return Err(Problem::new(
                ErrorKind::WrongType,
                format!("{key}.log"),
                format!("expected true or false, got {}", clip(&v.to_string())),
            ));
        }
        (Some(_), _) => {
            return Err(Problem::new(
                ErrorKind::Conflict,
                format!("{key}.log"),
                "log applies only to int ranges",
            )
            .hint("for a real-valued log scale write { log_uniform = [lo, hi] }"));
        }
    };

    let [lo_value, hi_value] = match bounds {
        toml::Value::Array(items) if items.len() == 2 => [&items[0], &items[1]],
        _ => {
            return Err(Problem::new(
                ErrorKind::BadRange,
                form_key,
                format!("expected two bounds [lo, hi], got {bounds}"),
            )
            .hint(format!(
                "for example {} = {{ {} = [lo, hi] }}",
                spec.name,
                form.name()
            )));
        }
    };
    let lo = bound(spec, &format!("{form_key}[0]"), lo_value)?;
    let hi = bound(spec, &format!("{form_key}[1]"), hi_value)?;

    if (form == Form::LogUniform || log) && lo <= 0.0 {
        let (what, start) = match form {
            Form::Int => ("log int", "1"),
            _ => ("log_uniform", "a small positive value such as 1e-6"),
        };
        return Err(Problem::new(
            ErrorKind::BadRange,
            form_key,
            format!("{what} bounds must be > 0, got {bounds}"),
        )
        .hint(format!(
            "a log scale cannot reach 0; start the range at {start}"
        )));
    }
    if lo >= hi {
        let hint = if lo == hi {
            format!(
                "for a single value write it as a fixed value: {} = {lo_value}",
                spec.name
            )
        } else {
            "swap the bounds: the lower one comes first".to_string()
        };
        return Err(Problem::new(
            ErrorKind::BadRange,
            form_key,
            format!("lower bound must be < upper bound, got {bounds}"),
        )
        .hint(hint));
    }
    // Bounds are legal values of the parameter (dropout's upper bound must be < 1, ...).
    scalar(spec, &format!("{form_key}[0]"), lo_value)?;
    scalar(spec, &format!("{form_key}[1]"), hi_value)?;

    let num = match &raw.num {
        None => None,
        Some(toml::Value::Integer(n)) if (2..=MAX_POINTS as i64).contains(n) => Some(*n as u64),
        Some(toml::Value::Integer(n)) => {
            return Err(Problem::new(
                ErrorKind::BadRange,
                format!("{key}.num"),
                format!("num must be in [2, {MAX_POINTS}], got {n}"),
            )
            .hint("num is the number of grid points, both bounds included; for one value use a fixed value"));
        }
        Some(v) => {
            return Err(Problem::new(
                ErrorKind::WrongType,
                format!("{key}.num"),
                format!("expected an integer, got {}", clip(&v.to_string())),
            ));
        }
    };
    let domain = Domain(match form {
        Form::Uniform => Inner::Uniform { lo, hi, num },
        Form::LogUniform => Inner::LogUniform { lo, hi, num },
        Form::Int => Inner::Int {
            lo: lo as i64,
            hi: hi as i64,
            log,
            num,
        },
    });
    if let Some(n) = num {
        check_points_distinct(&domain, n, key)?;
    }
    Ok(domain)
}

fn check_form_fits_kind(spec: &ParamSpec, key: &str, form: Form) -> Result<(), Problem> {
    let fits = matches!(
        (form, spec.kind),
        (Form::Uniform | Form::LogUniform, Kind::Float { .. })
            | (Form::Int, Kind::Int { .. } | Kind::IntOrName { .. })
    );
    if fits {
        return Ok(());
    }
    let hint = match spec.kind {
        Kind::Float { .. } => format!("{} is a real number: use uniform or log_uniform", spec.name),
        Kind::Int { .. } | Kind::IntOrName { .. } => {
            format!(
                "{} is an integer: use {{ int = [lo, hi] }} (add log = true for a log scale)",
                spec.name
            )
        }
        Kind::Choice(names) => format!(
            "list the names to choose from, e.g. {} = [{}]",
            spec.name,
            quoted(names)
        ),
        Kind::IntList { .. } => format!(
            "list the candidate lists, e.g. {} = [[128, 64], [64]]",
            spec.name
        ),
    };
    Err(Problem::new(
        ErrorKind::WrongType,
        format!("{key}.{}", form.name()),
        format!(
            "{} ranges do not apply to {}, which takes {}",
            form.name(),
            spec.name,
            describe_kind(&spec.kind)
        ),
    )
    .hint(hint))
}

/// The `n` points of `domain` must be distinct: rounding can merge integer points, and float
/// points can collide in a very narrow range.
fn check_points_distinct(domain: &Domain, n: u64, key: &str) -> Result<(), Problem> {
    if let Inner::Int { lo, hi, .. } = domain.0
        && n > int_count(lo, hi)
    {
        return Err(Problem::new(
            ErrorKind::BadRange,
            format!("{key}.num"),
            format!(
                "num = {n} asks for more points than the {} integers in [{lo}, {hi}]",
                int_count(lo, hi)
            ),
        )
        .hint("drop num to use every integer in the range"));
    }
    let mut previous: Option<Value> = None;
    for k in 0..n {
        let Some(value) = domain.grid_value(k) else {
            break;
        };
        let increasing = match (&previous, &value) {
            (Some(Value::Int(a)), Value::Int(b)) => a < b,
            (Some(Value::Float(a)), Value::Float(b)) => a < b,
            _ => true,
        };
        if !increasing {
            return Err(Problem::new(
                ErrorKind::Duplicate,
                format!("{key}.num"),
                format!(
                    "num = {n} repeats the point {value} ({})",
                    domain.describe()
                ),
            )
            .hint("lower num or widen the range so that every point is distinct"));
        }
        previous = Some(value);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::space::domain::tests::{domain, points};

    #[test]
    fn int_log_num_that_would_repeat_after_rounding_is_rejected() {
        let p =
            domain("neurons", "{ int = [1, 20], log = true, num = 15 }").expect_err("duplicates");
        assert_eq!(p.kind, ErrorKind::Duplicate);
        let ok = domain("neurons", "{ int = [8, 512], log = true, num = 4 }").expect("valid");
        assert_eq!(
            points(&ok),
            [
                Value::Int(8),
                Value::Int(32),
                Value::Int(128),
                Value::Int(512)
            ]
        );
    }

    #[test]
    fn range_bound_outside_the_kind_is_rejected() {
        let p = domain("dropout", "{ uniform = [0, 1] }").expect_err("dropout 1");
        assert_eq!(p.kind, ErrorKind::OutOfRange);
        assert_eq!(p.key.as_deref(), Some("params.dropout.uniform[1]"));
    }

    #[test]
    fn huge_num_is_refused_without_allocating() {
        let p = domain(
            "learning_rate",
            "{ uniform = [0.1, 0.2], num = 1000000000000 }",
        )
        .expect_err("huge");
        assert_eq!(p.kind, ErrorKind::BadRange);
    }

    #[test]
    fn uniform_range_on_an_integer_parameter_is_rejected() {
        let p = domain("epochs", "{ uniform = [1, 10] }").expect_err("uniform epochs");
        assert_eq!(p.kind, ErrorKind::WrongType);
    }
}
