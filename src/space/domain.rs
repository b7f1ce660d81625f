//! The set of values one parameter may take in a sweep — a fixed value, a choice, or a range:
//! how each is written in the file, its grid points and its random draws. Range tables are read
//! by `range.rs`; each value is checked against the parameter's kind by [`kind`](super::kind).
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

use std::collections::HashMap;

use rand::{Rng, RngExt};

use super::error::{ErrorKind, Problem};
use super::kind::scalar;
use super::range;
use super::schema::{Kind, ParamSpec};
use super::value::Value;
use crate::data::clip;

/// The most points a `num` may ask for, and the most trials any sweep may have.
pub const MAX_POINTS: u64 = 1_000_000;

/// The values one parameter may take. Built only by validation, so it is never empty, its
/// bounds are ordered and legal for the parameter, and its grid points are distinct.
#[derive(Clone, Debug, PartialEq)]
pub struct Domain(pub(super) Inner);

/// What a domain is, read-only (see the table in the module docs). Validation guarantees
/// `lo < hi` for every range, `lo > 0` for log ranges (`lo ≥ 1` for log integers), `num ≥ 2`,
/// and a non-empty choice of distinct values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DomainView<'a> {
    /// Always this value.
    Fixed(&'a Value),
    /// One of these values, in file order.
    Choice(&'a [Value]),
    /// A real in `[lo, hi]`; with `num`, one of `num` evenly spaced points.
    Uniform {
        /// Lower bound.
        lo: f64,
        /// Upper bound.
        hi: f64,
        /// Number of grid points, both bounds included.
        num: Option<u64>,
    },
    /// A real in `[lo, hi]`, uniform in log space; with `num`, one of `num` geometric points.
    LogUniform {
        /// Lower bound (> 0).
        lo: f64,
        /// Upper bound.
        hi: f64,
        /// Number of grid points, both bounds included.
        num: Option<u64>,
    },
    /// An integer in `[lo, hi]` (log-uniform when `log`); with `num`, one of `num` rounded
    /// points (geometric when `log`).
    Int {
        /// Smallest value.
        lo: i64,
        /// Largest value.
        hi: i64,
        /// Whether draws are log-uniform.
        log: bool,
        /// Number of grid points, both bounds included.
        num: Option<u64>,
    },
}

/// The forms a domain takes; range.rs builds the ranges.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Inner {
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

    /// A read-only view of the domain's form, for samplers that model the values (TPE).
    pub fn view(&self) -> DomainView<'_> {
        match &self.0 {
            Inner::Fixed(v) => DomainView::Fixed(v),
            Inner::Choice(values) => DomainView::Choice(values),
            Inner::Uniform { lo, hi, num } => DomainView::Uniform {
                lo: *lo,
                hi: *hi,
                num: *num,
            },
            Inner::LogUniform { lo, hi, num } => DomainView::LogUniform {
                lo: *lo,
                hi: *hi,
                num: *num,
            },
            Inner::Int { lo, hi, log, num } => DomainView::Int {
                lo: *lo,
                hi: *hi,
                log: *log,
                num: *num,
            },
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

/// How many integers `lo..=hi` holds (0 when `hi < lo`).
pub(super) fn int_count(lo: i64, hi: i64) -> u64 {
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
        (toml::Value::Table(table), _) => range::parse(spec, key, table),
        (toml::Value::Array(items), _) if items.is_empty() => Err(Problem::new(
            ErrorKind::EmptyChoice,
            key,
            "empty choice list: there is nothing to choose from",
        )
        .hint(format!(
            "give at least one value, or remove {} to use its default",
            spec.name
        ))),
        (toml::Value::Array(items), Kind::IntList { .. }) => {
            let nested = items.iter().filter(|v| v.is_array()).count();
            if nested == items.len() {
                choice(spec, key, items)
            } else if nested == 0 {
                Ok(Domain::fixed(scalar(spec, key, value)?))
            } else {
                Err(Problem::new(
                    ErrorKind::WrongType,
                    key,
                    format!("mixes lists and numbers: {}", clip(&value.to_string())),
                )
                .hint(format!(
                    "one list of widths is a fixed value ({} = [128, 64]); a list of lists is a choice ({} = [[128, 64], [64]])",
                    spec.name, spec.name
                )))
            }
        }
        (toml::Value::Array(items), _) => choice(spec, key, items),
        _ => Ok(Domain::fixed(scalar(spec, key, value)?)),
    }
}

/// A choice list: every element legal for the parameter, none repeated. Linear in the list's
/// length (a hash map of the values seen), so a list of a million values parses at once.
fn choice(spec: &ParamSpec, key: &str, items: &[toml::Value]) -> Result<Domain, Problem> {
    let mut values: Vec<Value> = Vec::with_capacity(items.len());
    let mut seen: HashMap<Identity, usize> = HashMap::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let element = format!("{key}[{i}]");
        let value = scalar(spec, &element, item)?;
        if let Some(first) = seen.insert(Identity::of(&value), i) {
            return Err(Problem::new(
                ErrorKind::Duplicate,
                element,
                format!(
                    "{} is listed twice in the choice, at [{first}] and [{i}]",
                    clip(&value.to_string())
                ),
            )
            .hint("remove the repeated value; a grid would run it twice"));
        }
        values.push(value);
    }
    Ok(Domain(Inner::Choice(values)))
}

/// What makes two choice values equal, as a hashable key: [`Value`]'s equality, with a real
/// number compared by its bits (0.0 and −0.0 made one; values are finite, so there is no NaN).
#[derive(PartialEq, Eq, Hash)]
enum Identity {
    Int(i64),
    Float(u64),
    Text(String),
    List(Vec<i64>),
}

impl Identity {
    fn of(value: &Value) -> Self {
        match value {
            Value::Int(i) => Identity::Int(*i),
            Value::Float(x) if *x == 0.0 => Identity::Float(0.0f64.to_bits()),
            Value::Float(x) => Identity::Float(x.to_bits()),
            Value::Text(s) => Identity::Text(s.clone()),
            Value::List(l) => Identity::List(l.clone()),
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::objective::params::MLP_PARAMS;
    use crate::space::schema::find;

    /// Parses `text` as the value of the schema parameter `name` (shared by kind.rs and
    /// range.rs tests).
    pub(in crate::space) fn domain(name: &str, text: &str) -> Result<Domain, Problem> {
        let spec = find(MLP_PARAMS, name).expect("schema parameter");
        let value: toml::Table = toml::from_str(&format!("x = {text}")).expect("valid toml");
        parse(spec, &format!("params.{name}"), &value["x"])
    }

    /// Every grid point, in order.
    pub(in crate::space) fn points(d: &Domain) -> Vec<Value> {
        (0..d.grid_size().unwrap_or(0))
            .filter_map(|k| d.grid_value(k))
            .collect()
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
