//! The value of one parameter in one trial, and a trial's full assignment.

use std::fmt;

/// One concrete parameter value, as a trial receives it.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// An integer (epochs, neurons, a batch size).
    Int(i64),
    /// A real number (learning rate, α, dropout).
    Float(f64),
    /// A name from a fixed list (`"relu"`, `"step"`, `"full"`).
    Text(String),
    /// A list of integers (explicit hidden-layer widths).
    List(Vec<i64>),
}

impl Value {
    /// The value as a real number, if it is a number.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => None,
        }
    }

    /// The value as an integer, if it is one.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Int(i) => Some(i),
            _ => None,
        }
    }

    /// The value as text, if it is a name.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The value as a TOML value (for `best.toml`).
    pub fn to_toml(&self) -> toml::Value {
        match self {
            Value::Int(i) => toml::Value::Integer(*i),
            Value::Float(f) => toml::Value::Float(*f),
            Value::Text(s) => toml::Value::String(s.clone()),
            Value::List(l) => {
                toml::Value::Array(l.iter().map(|&i| toml::Value::Integer(i)).collect())
            }
        }
    }
}

/// CSV rendering: numbers in shortest round-trip form, names bare, lists as `[128, 64]`.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Text(s) => f.write_str(s),
            Value::List(l) => {
                f.write_str("[")?;
                for (k, i) in l.iter().enumerate() {
                    if k > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{i}")?;
                }
                f.write_str("]")
            }
        }
    }
}

/// A trial's assignment: every schema parameter in schema order, `None` where it is inactive
/// (e.g. `decay_rate` when `decay = "none"`) or absent without a default (e.g. `patience`).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Params {
    entries: Vec<(&'static str, Option<Value>)>,
}

impl Params {
    /// An empty assignment.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `name` (appending it if new, keeping first-insertion order).
    pub fn set(&mut self, name: &'static str, value: Option<Value>) {
        match self.entries.iter_mut().find(|(n, _)| *n == name) {
            Some(entry) => entry.1 = value,
            None => self.entries.push((name, value)),
        }
    }

    /// The value of `name`, `None` when inactive, absent or unknown.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.entries
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| v.as_ref())
    }

    /// Every parameter in order, with its value or `None`.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, Option<&Value>)> + '_ {
        self.entries.iter().map(|(n, v)| (*n, v.as_ref()))
    }
}
