//! What an objective publishes about its parameters: names, kinds, legal ranges, defaults and
//! when each applies. The space validates a file against it; it knows nothing else of the model.

use super::value::{Params, Value};

/// One tunable parameter of an objective.
#[derive(Clone, Copy, Debug)]
pub struct ParamSpec {
    /// The key in `[params]`.
    pub name: &'static str,
    /// Its type and legal range.
    pub kind: Kind,
    /// The value used when the file does not give it; `None`: absent unless given.
    pub default: Option<DefaultValue>,
    /// Parameters that decide whether this one applies (they come earlier in the schema).
    pub depends_on: &'static [&'static str],
    /// Whether the parameter applies, given the parameters before it in the schema
    /// (`None`: always). An inactive parameter is left empty and never multiplies a grid.
    pub active: Option<fn(&Params) -> bool>,
    /// One line for error hints and docs, e.g. "applies when decay is not \"none\"".
    pub help: &'static str,
}

/// A default value that can live in a `const` schema.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DefaultValue {
    /// An integer default.
    Int(i64),
    /// A real default.
    Float(f64),
    /// A name default.
    Text(&'static str),
}

impl DefaultValue {
    /// The default as a trial value.
    pub fn value(self) -> Value {
        match self {
            DefaultValue::Int(i) => Value::Int(i),
            DefaultValue::Float(f) => Value::Float(f),
            DefaultValue::Text(s) => Value::Text(s.to_string()),
        }
    }
}

/// The type and legal range of a parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// A real number in a range; an open end excludes the bound.
    Float {
        /// Lower bound.
        lo: f64,
        /// Upper bound (may be `f64::INFINITY`).
        hi: f64,
        /// Whether `lo` itself is excluded.
        lo_open: bool,
        /// Whether `hi` itself is excluded.
        hi_open: bool,
    },
    /// An integer in `[lo, hi]`.
    Int {
        /// Smallest legal value.
        lo: i64,
        /// Largest legal value.
        hi: i64,
    },
    /// One of a fixed list of names.
    Choice(&'static [&'static str]),
    /// An integer in `[lo, hi]` or one of a few names (batch size: a number or `"full"`).
    IntOrName {
        /// Smallest legal integer.
        lo: i64,
        /// Largest legal integer.
        hi: i64,
        /// The legal names.
        names: &'static [&'static str],
    },
    /// A non-empty list of integers, each in `[lo, hi]` (explicit layer widths).
    IntList {
        /// Smallest legal element.
        lo: i64,
        /// Largest legal element.
        hi: i64,
        /// Longest legal list.
        max_len: usize,
    },
}

/// Finds a parameter by name.
pub fn find<'a>(schema: &'a [ParamSpec], name: &str) -> Option<&'a ParamSpec> {
    schema.iter().find(|p| p.name == name)
}
