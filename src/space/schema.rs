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

impl Kind {
    /// Reads back a value of this kind from its CSV text ([`Value`]'s `Display`), as the
    /// journal stores it; `None` when the text is not such a value.
    pub fn parse(&self, text: &str) -> Option<Value> {
        let int = |t: &str| t.trim().parse::<i64>().ok();
        match *self {
            Kind::Float { .. } => text.parse::<f64>().ok().map(Value::Float),
            Kind::Int { .. } => int(text).map(Value::Int),
            Kind::Choice(names) => names.contains(&text).then(|| Value::Text(text.to_string())),
            Kind::IntOrName { names, .. } => match names.contains(&text) {
                true => Some(Value::Text(text.to_string())),
                false => int(text).map(Value::Int),
            },
            Kind::IntList { .. } => {
                let inner = text.strip_prefix('[')?.strip_suffix(']')?;
                inner
                    .split(',')
                    .map(int)
                    .collect::<Option<Vec<i64>>>()
                    .map(Value::List)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_what_it_writes() {
        let float = Kind::Float {
            lo: 0.0,
            hi: 1.0,
            lo_open: true,
            hi_open: false,
        };
        let cases = [
            (float, Value::Float(0.1 + 0.2)),
            (float, Value::Float(1.0)),
            (Kind::Int { lo: 1, hi: 9 }, Value::Int(7)),
            (Kind::Choice(&["relu", "tanh"]), Value::Text("tanh".into())),
            (
                Kind::IntOrName {
                    lo: 1,
                    hi: 9,
                    names: &["full"],
                },
                Value::Text("full".into()),
            ),
            (
                Kind::IntOrName {
                    lo: 1,
                    hi: 9,
                    names: &["full"],
                },
                Value::Int(32),
            ),
            (
                Kind::IntList {
                    lo: 1,
                    hi: 9,
                    max_len: 4,
                },
                Value::List(vec![128, 64]),
            ),
        ];
        for (kind, value) in cases {
            assert_eq!(kind.parse(&value.to_string()), Some(value));
        }
        assert_eq!(Kind::Choice(&["relu"]).parse("elu"), None);
    }
}
