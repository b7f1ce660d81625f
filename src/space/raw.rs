//! The serde image of a space file, before any rule is checked, and an index of where every key
//! and value sits in the text (for line:column in errors).
//!
//! Every table denies unknown fields; the tests below prove it table by table (serde's
//! `flatten` and internally tagged enums would silently turn that off).

use std::ops::Range;

use serde::Deserialize;
use serde::de::{self, Visitor};
use toml::de::{DeTable, DeValue};

use crate::data::DataSpec;

/// The whole file. See `search-spaces/quickstart.toml` for a commented example.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSpace {
    /// Sweep name; default: the file stem.
    pub name: Option<String>,
    /// Sweep seed; default [`super::DEFAULT_SEED`].
    pub seed: Option<i64>,
    /// The `[data]` table, passed through to the data loader (required).
    pub data: Option<DataSpec>,
    /// The `[search]` table; default: a grid.
    pub search: Option<RawSearch>,
    /// The `[params]` table: parameter name → scalar, array or range table.
    pub params: Option<toml::Table>,
}

/// The `[search]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSearch {
    /// `"grid"` (default) or `"random"`.
    pub strategy: Option<String>,
    /// Random search: the number of trials (required, ≥ 1).
    pub trials: Option<i64>,
    /// Grid search: refuse grids larger than this (default [`super::DEFAULT_MAX_TRIALS`]).
    pub max_trials: Option<i64>,
    /// Every trial trains with this seed instead of `trial_seed(seed, id)`.
    pub trial_seed: Option<i64>,
    /// Halving, Hyperband: r, the smallest budget in epochs (default 1).
    pub min_epochs: Option<i64>,
    /// Halving, Hyperband: η, each rung keeps the best 1/η (default 3).
    pub reduction: Option<i64>,
    /// Hyperband: the total epochs; brackets repeat while a whole bracket fits.
    pub budget: Option<i64>,
    /// Halving, Hyperband: `"random"` (default) or `"tpe"`.
    pub sampler: Option<String>,
    /// TPE: random draws before the model is used (default 10).
    pub startup: Option<i64>,
    /// TPE: proposals per round (default 4).
    pub batch: Option<i64>,
    /// TPE: the fraction of trials counted as good.
    pub gamma: Option<f64>,
    /// What ranks trials: `"val_loss"` (default), `"val_accuracy"`, `"val_f1"`.
    pub metric: Option<String>,
    /// Trainings per configuration (and fold) with different seeds (default 1).
    pub repeats: Option<i64>,
    /// With folds or repeats: retrain the winner for its best epoch count (default true).
    pub refit: Option<bool>,
}

/// A range table such as `{ log_uniform = [1e-4, 1e-1], num = 4 }`. Exactly one of `uniform`,
/// `log_uniform`, `int`; the values stay TOML values so that range.rs can name what it found.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRange {
    /// `[lo, hi]`, sampled uniformly.
    pub uniform: Option<toml::Value>,
    /// `[lo, hi]`, both > 0, sampled uniformly in log space.
    pub log_uniform: Option<toml::Value>,
    /// `[lo, hi]`, integers, inclusive.
    pub int: Option<toml::Value>,
    /// With `int`: space the integers geometrically.
    pub log: Option<toml::Value>,
    /// Makes the range a set of `num` points, endpoints included (needed by grid search).
    pub num: Option<toml::Value>,
}

/// The field names of a serde struct, read from its `Deserialize` impl (so a list of legal keys
/// can never drift from the struct that enforces it).
pub fn fields_of<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    let mut fields = None;
    let _ = T::deserialize(FieldsOf(&mut fields));
    fields.unwrap_or(&[])
}

struct FieldsOf<'a>(&'a mut Option<&'static [&'static str]>);

impl<'de> de::Deserializer<'de> for FieldsOf<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("not a struct"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = Some(fields);
        Err(de::Error::custom("fields read"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// Where one key (or array element) and its value sit in the text, as byte ranges.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Dotted path: `params.alpha`, `params.alpha.log_uniform`, `params.activation[2]`.
    pub path: String,
    /// The key's span; `None` for array elements.
    pub key: Option<Range<usize>>,
    /// The value's span.
    pub value: Range<usize>,
}

/// Every key and array element of a parsed file, in file order.
#[derive(Clone, Debug, Default)]
pub struct SpanIndex {
    entries: Vec<Entry>,
}

impl SpanIndex {
    /// Indexes a parsed document.
    pub fn build(root: &DeTable<'_>) -> Self {
        let mut entries = Vec::new();
        walk_table("", root, &mut entries);
        entries.sort_by_key(|e| e.key.as_ref().unwrap_or(&e.value).start);
        SpanIndex { entries }
    }

    /// The entry of `path`, or of its nearest indexed ancestor.
    pub fn find(&self, path: &str) -> Option<&Entry> {
        let mut path = path;
        loop {
            if let Some(entry) = self.entries.iter().find(|e| e.path == path) {
                return Some(entry);
            }
            path = &path[..path.rfind(['.', '['])?];
        }
    }

    /// The keys directly inside table `path` (`""` for the top level), in file order.
    pub fn children<'a>(
        &'a self,
        path: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a Entry)> + 'a {
        self.entries
            .iter()
            .filter(|e| e.key.is_some())
            .filter_map(move |e| {
                let rest = if path.is_empty() {
                    e.path.as_str()
                } else {
                    e.path.strip_prefix(path)?.strip_prefix('.')?
                };
                (!rest.contains(['.', '['])).then_some((rest, e))
            })
    }

    /// The innermost entry whose key or value contains byte `offset`.
    pub fn at(&self, offset: usize) -> Option<&Entry> {
        self.entries
            .iter()
            .filter(|e| {
                e.value.contains(&offset) || e.key.as_ref().is_some_and(|k| k.contains(&offset))
            })
            .max_by_key(|e| e.path.len())
    }
}

fn walk_table(prefix: &str, table: &DeTable<'_>, out: &mut Vec<Entry>) {
    for (key, value) in table.iter() {
        let path = if prefix.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{prefix}.{}", key.get_ref())
        };
        out.push(Entry {
            path: path.clone(),
            key: Some(key.span()),
            value: value.span(),
        });
        walk_value(&path, value.get_ref(), out);
    }
}

fn walk_value(path: &str, value: &DeValue<'_>, out: &mut Vec<Entry>) {
    match value {
        DeValue::Table(table) => walk_table(path, table, out),
        DeValue::Array(array) => {
            for (i, element) in array.iter().enumerate() {
                let path = format!("{path}[{i}]");
                out.push(Entry {
                    path: path.clone(),
                    key: None,
                    value: element.span(),
                });
                walk_value(&path, element.get_ref(), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejects<'de, T: Deserialize<'de> + std::fmt::Debug>(text: &'de str, typo: &str) {
        let err = toml::from_str::<T>(text).expect_err("a misspelled key must be rejected");
        assert!(err.message().contains(typo), "{}", err.message());
    }

    #[test]
    fn top_level_rejects_a_misspelled_key() {
        rejects::<RawSpace>("nmae = \"x\"\n", "nmae");
    }

    #[test]
    fn data_table_rejects_a_misspelled_key() {
        rejects::<RawSpace>("[data]\nbuiltin = \"iris\"\nvalidaton = 0.2\n", "validaton");
    }

    #[test]
    fn search_table_rejects_a_misspelled_key() {
        rejects::<RawSearch>("strategy = \"grid\"\ntrails = 3\n", "trails");
    }

    #[test]
    fn range_table_rejects_a_misspelled_key() {
        rejects::<RawRange>("uniform = [0, 1]\nnmu = 3\n", "nmu");
    }

    #[test]
    fn fields_are_read_from_the_structs() {
        assert_eq!(
            fields_of::<RawSearch>(),
            &[
                "strategy",
                "trials",
                "max_trials",
                "trial_seed",
                "min_epochs",
                "reduction",
                "budget",
                "sampler",
                "startup",
                "batch",
                "gamma",
                "metric",
                "repeats",
                "refit"
            ]
        );
        assert!(fields_of::<DataSpec>().contains(&"validation"));
        assert_eq!(
            fields_of::<RawSpace>(),
            &["name", "seed", "data", "search", "params"]
        );
    }

    #[test]
    fn index_finds_keys_elements_and_ancestors_in_file_order() {
        let text =
            "seed = 1\n[params]\nactivation = [\"relu\", \"tanh\"]\nalpha = { uniform = [0, 1] }\n";
        let root = DeTable::parse(text).expect("valid");
        let index = SpanIndex::build(root.get_ref());
        let element = index.find("params.activation[1]").expect("element");
        assert_eq!(&text[element.value.clone()], "\"tanh\"");
        let key = index
            .find("params.alpha.uniform")
            .and_then(|e| e.key.clone())
            .expect("key");
        assert_eq!(&text[key], "uniform");
        assert_eq!(
            index.find("params.alpha.num").map(|e| e.path.as_str()),
            Some("params.alpha")
        );
        let names: Vec<&str> = index.children("params").map(|(k, _)| k).collect();
        assert_eq!(names, ["activation", "alpha"]);
        let top: Vec<&str> = index.children("").map(|(k, _)| k).collect();
        assert_eq!(top, ["seed", "params"]);
        let offset = text.find("[0, 1]").unwrap_or(0) + 1;
        assert_eq!(
            index.at(offset).map(|e| e.path.as_str()),
            Some("params.alpha.uniform[0]")
        );
    }
}
