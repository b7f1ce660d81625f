//! The set of values one parameter may take in a sweep: a fixed value, a choice, or a range.
//!
//! | File form                                   | Grid search                 | Random search            |
//! |---------------------------------------------|-----------------------------|--------------------------|
//! | `x = 0.1`                                   | 1 value                     | always 0.1               |
//! | `x = [a, b, c]`                             | each, in order              | one, uniformly           |
//! | `x = { uniform = [lo, hi] }`                | refused (add `num`)         | uniform in [lo, hi]      |
//! | `x = { log_uniform = [lo, hi] }`            | refused (add `num`)         | uniform in log space     |
//! | `x = { int = [lo, hi] }`                    | every integer lo..=hi       | uniform integer          |
//! | `x = { int = [lo, hi], log = true }`        | every integer lo..=hi       | log-uniform, rounded     |
//! | any range with `num = K`                    | K points, endpoints included, evenly (geometrically with log) spaced | one of those K points |

use rand::{Rng, RngExt};

use super::error::{ErrorKind, Problem, did_you_mean};
use super::raw::RawRange;
use super::schema::{Kind, ParamSpec};
use super::value::Value;

/// The most points a `num` may ask for, and the most trials any sweep may have.
pub const MAX_POINTS: u64 = 1_000_000;

/// The values one parameter may take. Built only by validation, so it is never empty, its
/// bounds are ordered and legal for the parameter, and its grid points are distinct.
#[derive(Clone, Debug, PartialEq)]
pub struct Domain(Inner);

#[derive(Clone, Debug, PartialEq)]
enum Inner {
    Fixed(Value),
    Choice(Vec<Value>),
    Uniform {
        lo: f64,
        hi: f64,
        num: Option<u64>,
    },
    LogUniform {
        lo: f64,
        hi: f64,
        num: Option<u64>,
    },
    Int {
        lo: i64,
        hi: i64,
        log: bool,
        num: Option<u64>,
    },
}

impl Domain {
    /// A single value (used for schema defaults).
    pub(crate) fn fixed(value: Value) -> Self {
        Domain(Inner::Fixed(value))
    }

    /// Number of grid points; `None` for a continuous range without `num`.
    pub fn grid_size(&self) -> Option<u64> {
        match &self.0 {
            Inner::Fixed(_) => Some(1),
            Inner::Choice(values) => Some(values.len() as u64),
            Inner::Uniform { num, .. } | Inner::LogUniform { num, .. } => *num,
            Inner::Int { lo, hi, num, .. } => num.or(Some(int_count(*lo, *hi))),
        }
    }

    /// Grid point `k` (0-based, ascending for ranges); `None` when `k` is out of range or the
    /// domain is continuous.
    pub fn grid_value(&self, k: u64) -> Option<Value> {
        if k >= self.grid_size()? {
            return None;
        }
        Some(match &self.0 {
            Inner::Fixed(v) => v.clone(),
            Inner::Choice(values) => values[k as usize].clone(),
            Inner::Uniform { lo, hi, num } => Value::Float(linear(*lo, *hi, k, num.unwrap_or(2))),
            Inner::LogUniform { lo, hi, num } => {
                Value::Float(geometric(*lo, *hi, k, num.unwrap_or(2)))
            }
            Inner::Int { lo, num: None, .. } => Value::Int(lo + k as i64),
            Inner::Int {
                lo,
                hi,
                log,
                num: Some(n),
            } => Value::Int(int_point(*lo, *hi, *log, k, *n)),
        })
    }

    /// One random draw: choices and `num` points uniformly, ranges uniformly (in log space for
    /// log ranges), integers inclusive of both bounds.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Value {
        if let Some(n) = self.points() {
            let k = rng.random_range(0..n);
            if let Some(v) = self.grid_value(k) {
                return v;
            }
        }
        match &self.0 {
            Inner::Fixed(v) => v.clone(),
            Inner::Choice(values) => values[rng.random_range(0..values.len())].clone(),
            Inner::Uniform { lo, hi, .. } => {
                let u: f64 = rng.random();
                Value::Float((lo + (hi - lo) * u).clamp(*lo, *hi))
            }
            Inner::LogUniform { lo, hi, .. } => {
                let u: f64 = rng.random();
                Value::Float((lo.ln() + (hi.ln() - lo.ln()) * u).exp().clamp(*lo, *hi))
            }
            Inner::Int {
                lo, hi, log: false, ..
            } => Value::Int(rng.random_range(*lo..=*hi)),
            Inner::Int {
                lo, hi, log: true, ..
            } => {
                // Uniform in log space over [lo − ½, hi + ½], rounded: each integer gets the
                // log-width of its rounding interval.
                let (a, b) = ((*lo as f64 - 0.5).ln(), (*hi as f64 + 0.5).ln());
                let u: f64 = rng.random();
                let x = (a + (b - a) * u).exp().round() as i64;
                Value::Int(x.clamp(*lo, *hi))
            }
        }
    }

    /// The value when the domain is a single fixed value.
    pub fn as_fixed(&self) -> Option<&Value> {
        match &self.0 {
            Inner::Fixed(v) => Some(v),
            _ => None,
        }
    }

    /// A short description for messages, e.g. `log_uniform [0.001, 0.3]`.
    pub fn describe(&self) -> String {
        let num = |n: &Option<u64>| n.map(|n| format!(", num = {n}")).unwrap_or_default();
        match &self.0 {
            Inner::Fixed(v) => format!("fixed {v}"),
            Inner::Choice(values) => format!("choice of {}", values.len()),
            Inner::Uniform { lo, hi, num: n } => format!("uniform [{lo}, {hi}]{}", num(n)),
            Inner::LogUniform { lo, hi, num: n } => format!("log_uniform [{lo}, {hi}]{}", num(n)),
            Inner::Int {
                lo,
                hi,
                log,
                num: n,
            } => {
                let log = if *log { ", log" } else { "" };
                format!("int [{lo}, {hi}]{log}{}", num(n))
            }
        }
    }

    /// The number of discrete points when random search should draw among them (ranges with
    /// `num`), else `None`.
    fn points(&self) -> Option<u64> {
        match &self.0 {
            Inner::Uniform { num, .. } | Inner::LogUniform { num, .. } | Inner::Int { num, .. } => {
                *num
            }
            _ => None,
        }
    }
}

fn int_count(lo: i64, hi: i64) -> u64 {
    (i128::from(hi) - i128::from(lo) + 1).clamp(0, i128::from(u64::MAX)) as u64
}

fn fraction(k: u64, n: u64) -> f64 {
    if n <= 1 {
        0.0
    } else {
        k as f64 / (n - 1) as f64
    }
}

fn linear(lo: f64, hi: f64, k: u64, n: u64) -> f64 {
    if k + 1 >= n {
        return hi;
    }
    (lo + (hi - lo) * fraction(k, n)).clamp(lo, hi)
}

fn geometric(lo: f64, hi: f64, k: u64, n: u64) -> f64 {
    if k + 1 >= n {
        return hi;
    }
    if k == 0 {
        return lo;
    }
    (lo.ln() + (hi.ln() - lo.ln()) * fraction(k, n))
        .exp()
        .clamp(lo, hi)
}

fn int_point(lo: i64, hi: i64, log: bool, k: u64, n: u64) -> i64 {
    let x = if log {
        geometric(lo as f64, hi as f64, k, n)
    } else {
        linear(lo as f64, hi as f64, k, n)
    };
    (x.round() as i64).clamp(lo, hi)
}

/// Turns the TOML value of parameter `spec` (at key path `key`) into its domain.
pub(crate) fn parse(spec: &ParamSpec, key: &str, value: &toml::Value) -> Result<Domain, Problem> {
    match (value, spec.kind) {
        (toml::Value::Table(table), _) => parse_range(spec, key, table),
        (toml::Value::Array(items), Kind::IntList { .. }) => {
            let nested = items.iter().filter(|v| v.is_array()).count();
            if items.is_empty() {
                Err(empty_choice(spec, key))
            } else if nested == items.len() {
                choice(spec, key, items)
            } else if nested == 0 {
                Ok(Domain(Inner::Fixed(scalar(spec, key, value)?)))
            } else {
                Err(Problem::new(
                    ErrorKind::WrongType,
                    key,
                    format!("mixes lists and numbers: {value}"),
                )
                .hint(format!(
                    "one list of widths is a fixed value ({} = [128, 64]); a list of lists is a choice ({} = [[128, 64], [64]])",
                    spec.name, spec.name
                )))
            }
        }
        (toml::Value::Array(items), _) if items.is_empty() => Err(empty_choice(spec, key)),
        (toml::Value::Array(items), _) => choice(spec, key, items),
        _ => Ok(Domain(Inner::Fixed(scalar(spec, key, value)?))),
    }
}

fn empty_choice(spec: &ParamSpec, key: &str) -> Problem {
    Problem::new(
        ErrorKind::EmptyChoice,
        key,
        "empty choice list: there is nothing to choose from",
    )
    .hint(format!(
        "give at least one value, or remove {} to use its default",
        spec.name
    ))
}

fn choice(spec: &ParamSpec, key: &str, items: &[toml::Value]) -> Result<Domain, Problem> {
    let mut values: Vec<Value> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let element = format!("{key}[{i}]");
        let value = scalar(spec, &element, item)?;
        if values.contains(&value) {
            return Err(Problem::new(
                ErrorKind::Duplicate,
                element,
                format!("{value} is listed twice in the choice"),
            )
            .hint("remove the repeated value; a grid would run it twice"));
        }
        values.push(value);
    }
    Ok(Domain(Inner::Choice(values)))
}

/// Checks one concrete value against the parameter's kind and returns it as a trial value
/// (integers become reals for real parameters).
pub(crate) fn scalar(spec: &ParamSpec, key: &str, value: &toml::Value) -> Result<Value, Problem> {
    let wrong_type = |expected: &str| {
        Problem::new(
            ErrorKind::WrongType,
            key,
            format!(
                "expected {expected}, got {} {value}",
                article(value.type_str())
            ),
        )
        .hint(spec.help)
    };
    match spec.kind {
        Kind::Float { .. } => {
            let x = match value {
                toml::Value::Integer(i) => *i as f64,
                toml::Value::Float(f) => *f,
                _ => return Err(wrong_type("a number")),
            };
            let x = Value::Float(x);
            in_kind(spec, key, &x, value)?;
            Ok(x)
        }
        Kind::Int { .. } => match value {
            toml::Value::Integer(i) => {
                let x = Value::Int(*i);
                in_kind(spec, key, &x, value)?;
                Ok(x)
            }
            toml::Value::Float(f) => Err(Problem::new(
                ErrorKind::WrongType,
                key,
                format!("expected an integer, got the real number {value}"),
            )
            .hint(if f.fract() == 0.0 {
                format!("write it without a decimal point: {}", *f as i64)
            } else {
                format!("{} takes whole numbers: {}", spec.name, spec.help)
            })),
            _ => Err(wrong_type("an integer")),
        },
        Kind::Choice(names) => match value {
            toml::Value::String(s) => {
                let x = Value::Text(s.clone());
                in_kind(spec, key, &x, value)?;
                Ok(x)
            }
            _ => Err(wrong_type(&format!("one of {}", quoted(names)))),
        },
        Kind::IntOrName { names, .. } => match value {
            toml::Value::Integer(i) => {
                let x = Value::Int(*i);
                in_kind(spec, key, &x, value)?;
                Ok(x)
            }
            toml::Value::String(s) => {
                let x = Value::Text(s.clone());
                in_kind(spec, key, &x, value)?;
                Ok(x)
            }
            _ => Err(wrong_type(&format!("an integer or {}", quoted(names)))),
        },
        Kind::IntList { .. } => match value {
            toml::Value::Array(items) => {
                let mut list = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match item {
                        toml::Value::Integer(n) => list.push(*n),
                        _ => {
                            return Err(Problem::new(
                                ErrorKind::WrongType,
                                format!("{key}[{i}]"),
                                format!(
                                    "expected an integer layer width, got {} {item}",
                                    article(item.type_str())
                                ),
                            )
                            .hint(spec.help));
                        }
                    }
                }
                let x = Value::List(list);
                in_kind(spec, key, &x, value)?;
                Ok(x)
            }
            _ => Err(wrong_type("a list of integers such as [128, 64]")),
        },
    }
}

/// Refuses a value of the right type outside the parameter's legal range.
fn in_kind(spec: &ParamSpec, key: &str, x: &Value, found: &toml::Value) -> Result<(), Problem> {
    if kind_contains(&spec.kind, x) {
        return Ok(());
    }
    let problem = match (spec.kind, x) {
        (Kind::Choice(names), Value::Text(s)) | (Kind::IntOrName { names, .. }, Value::Text(s)) => {
            let legal = match spec.kind {
                Kind::IntOrName { lo, .. } => {
                    format!("an integer ≥ {lo} or one of {}", quoted(names))
                }
                _ => format!("one of {}", quoted(names)),
            };
            let hint = match did_you_mean(s, names.iter().copied()) {
                Some(dym) => format!("{dym} ({} is {legal})", spec.name),
                None => format!("{} is {legal}", spec.name),
            };
            return Err(Problem::new(
                ErrorKind::UnknownName,
                key,
                format!("unknown {} {found}", spec.name),
            )
            .hint(hint));
        }
        _ => Problem::new(
            ErrorKind::OutOfRange,
            key,
            format!("must be {}, got {found}", describe_kind(&spec.kind)),
        ),
    };
    Err(problem.hint(spec.help))
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

fn quoted(names: &[&str]) -> String {
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

fn parse_range(spec: &ParamSpec, key: &str, table: &toml::Table) -> Result<Domain, Problem> {
    let raw = RawRange::deserialize_from(table).map_err(|message| {
        Problem::new(ErrorKind::UnknownKey, key, message)
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
                format!("expected true or false, got {v}"),
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

    let logarithmic = form == Form::LogUniform || log;
    if logarithmic && lo <= 0.0 {
        return Err(Problem::new(
            ErrorKind::BadRange,
            form_key,
            format!(
                "{} bounds must be > 0, got {bounds}",
                if form == Form::Int {
                    "log int"
                } else {
                    "log_uniform"
                }
            ),
        )
        .hint(if form == Form::Int {
            "a log scale cannot reach 0; start the range at 1".to_string()
        } else {
            "a log scale cannot reach 0; start the range at a small positive value such as 1e-6"
                .to_string()
        }));
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
                format!("expected an integer, got {v}"),
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
    check_points_distinct(&domain, key)?;
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

/// A range bound as a real number (integer ranges keep integer bounds).
fn bound(spec: &ParamSpec, key: &str, value: &toml::Value) -> Result<f64, Problem> {
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
        _ => Err(Problem::new(
            ErrorKind::WrongType,
            key,
            format!(
                "expected a number, got {} {value}",
                article(value.type_str())
            ),
        )
        .hint(spec.help)),
    }
}

/// `num` points must be distinct: rounding can merge integer points, and float points can
/// collide in a very narrow range.
fn check_points_distinct(domain: &Domain, key: &str) -> Result<(), Problem> {
    let Some(n) = domain.points() else {
        return Ok(());
    };
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

impl RawRange {
    /// Deserializes a range table, denying unknown keys.
    fn deserialize_from(table: &toml::Table) -> Result<RawRange, String> {
        use serde::Deserialize;
        RawRange::deserialize(toml::Value::Table(table.clone())).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objective::params::MLP_PARAMS;
    use crate::space::schema::find;

    fn spec(name: &str) -> &'static ParamSpec {
        find(MLP_PARAMS, name).expect("schema parameter")
    }

    fn domain(name: &str, text: &str) -> Result<Domain, Problem> {
        let value: toml::Table = toml::from_str(&format!("x = {text}")).expect("valid toml");
        parse(spec(name), &format!("params.{name}"), &value["x"])
    }

    fn points(d: &Domain) -> Vec<Value> {
        (0..d.grid_size().unwrap_or(0))
            .filter_map(|k| d.grid_value(k))
            .collect()
    }

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

    #[test]
    fn one_list_of_widths_is_fixed_and_a_list_of_lists_is_a_choice() {
        assert_eq!(
            domain("hidden", "[128, 64]").expect("fixed").as_fixed(),
            Some(&Value::List(vec![128, 64]))
        );
        let choice = domain("hidden", "[[128, 64], [64]]").expect("choice");
        assert_eq!(
            points(&choice),
            [Value::List(vec![128, 64]), Value::List(vec![64])]
        );
    }

    #[test]
    fn batch_size_choice_may_mix_numbers_and_full() {
        let d = domain("batch_size", "[1, 32, \"full\"]").expect("valid");
        assert_eq!(
            points(&d),
            [Value::Int(1), Value::Int(32), Value::Text("full".into())]
        );
    }

    #[test]
    fn linear_num_includes_both_endpoints() {
        let d = domain("dropout", "{ uniform = [0, 0.5], num = 3 }").expect("valid");
        assert_eq!(
            points(&d),
            [Value::Float(0.0), Value::Float(0.25), Value::Float(0.5)]
        );
    }

    #[test]
    fn log_num_is_geometric() {
        let d = domain("learning_rate", "{ log_uniform = [0.001, 0.1], num = 3 }").expect("valid");
        let xs: Vec<f64> = points(&d).iter().filter_map(Value::as_f64).collect();
        assert_eq!(xs[0], 0.001);
        assert!((xs[1] - 0.01).abs() < 1e-12);
        assert_eq!(xs[2], 0.1);
    }

    #[test]
    fn int_range_without_num_enumerates_every_integer() {
        let d = domain("hidden_layers", "{ int = [1, 3] }").expect("valid");
        assert_eq!(points(&d), [Value::Int(1), Value::Int(2), Value::Int(3)]);
    }

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

    #[test]
    fn samples_stay_inside_their_ranges() {
        use rand::SeedableRng;
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(1);
        let log_int = domain("neurons", "{ int = [4, 9], log = true }").expect("valid");
        let log_real = domain("alpha", "{ log_uniform = [1e-6, 1e-2] }").expect("valid");
        for _ in 0..2000 {
            let i = log_int.sample(&mut rng).as_i64().unwrap_or(-1);
            assert!((4..=9).contains(&i), "{i}");
            let x = log_real.sample(&mut rng).as_f64().unwrap_or(-1.0);
            assert!((1e-6..=1e-2).contains(&x), "{x}");
        }
    }
}
