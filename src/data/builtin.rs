//! Data sets compiled into the binary, so a quickstart runs on a fresh machine with no files.
//!
//! - `iris`: Fisher's iris, 150 samples × 4 features, 3 classes of 50 (setosa, versicolor,
//!   virginica). From scikit-learn 1.9.1 `sklearn/datasets/data/iris.csv`; data CC BY 4.0 (UCI).
//!   R. A. Fisher, "The use of multiple measurements in taxonomic problems", 1936.
//! - `digits`: UCI optical handwritten digits (test set), 1,797 samples × 64 pixels (8×8, values
//!   0–16), 10 classes. From scikit-learn 1.9.1 `digits.csv.gz`; data CC BY 4.0 (UCI).
//!   E. Alpaydin, C. Kaynak, "Cascading Classifiers", Kybernetika, 1998.
//! - generators `blobs`, `moons`, `circles`, `spirals`: see [`super::synthetic`].

use super::Table;
use super::csv;
use super::error::DataError;
use super::synthetic::{self, Generator, GeneratorParams};

const IRIS_CSV: &str = include_str!("../../data/iris.csv");
const DIGITS_CSV: &str = include_str!("../../data/digits.csv");

/// The names `builtin = "…"` accepts.
pub const BUILTIN_NAMES: [&str; 6] = ["iris", "digits", "blobs", "moons", "circles", "spirals"];

/// A built-in data set: a compiled-in file or a generator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Builtin {
    Iris,
    Digits,
    Generated(Generator),
}

impl Builtin {
    /// The data set called `name`, if there is one.
    pub(crate) fn from_name(name: &str) -> Option<Builtin> {
        Some(match name {
            "iris" => Builtin::Iris,
            "digits" => Builtin::Digits,
            "blobs" => Builtin::Generated(Generator::Blobs),
            "moons" => Builtin::Generated(Generator::Moons),
            "circles" => Builtin::Generated(Generator::Circles),
            "spirals" => Builtin::Generated(Generator::Spirals),
            _ => return None,
        })
    }

    /// The compiled-in text of a data set that is a file (`None` for a generator).
    pub(crate) fn embedded(self) -> Option<&'static str> {
        match self {
            Builtin::Iris => Some(IRIS_CSV),
            Builtin::Digits => Some(DIGITS_CSV),
            Builtin::Generated(_) => None,
        }
    }

    /// Loads or generates the data (all of it, before splitting).
    pub(crate) fn table(self, params: &GeneratorParams, seed: u64) -> Result<Table, DataError> {
        match self {
            Builtin::Iris => {
                let mut table = csv::read_str(IRIS_CSV, "builtin \"iris\"")?;
                // The file labels the species 0, 1, 2 in this order (see the datasets README).
                if table.classes == ["0", "1", "2"] {
                    table.classes = vec!["setosa".into(), "versicolor".into(), "virginica".into()];
                }
                Ok(table)
            }
            Builtin::Digits => csv::read_str(DIGITS_CSV, "builtin \"digits\""),
            Builtin::Generated(generator) => Ok(synthetic::generate(generator, params, seed)),
        }
    }
}

/// `; did you mean "…"?` when `name` is one or two edits from a known name.
pub(crate) fn suggestion(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    BUILTIN_NAMES
        .iter()
        .map(|known| (strsim::osa_distance(&lower, known), known))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, known)| format!("; did you mean \"{known}\"?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_get_a_suggestion() {
        assert_eq!(suggestion("irsi"), "; did you mean \"iris\"?");
        assert_eq!(suggestion("Digit"), "; did you mean \"digits\"?");
        assert_eq!(suggestion("mnist"), "");
    }
}
