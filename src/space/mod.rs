//! TOML → SearchSpace: parsing, validation against an objective's parameter schema.
//!
//! ```text
//! text ──toml──▶ SpanIndex (where each key is) + RawSpace (raw.rs, serde, unknown keys denied)
//!      ──validate.rs, domain.rs──▶ SearchSpace (private fields: cannot be invalid)
//!        (domain.rs reads range tables with range.rs and checks values with kind.rs)
//! ```
//!
//! The file format is documented in README.md ("The search-space file") and, by example, in
//! `search-spaces/quickstart.toml`. Every mistake becomes one [`SpaceError`].

pub mod domain;
pub mod error;
pub mod kind;
mod range;
pub mod raw;
pub mod schema;
pub mod scoring;
pub mod strategy;
pub mod validate;
pub mod value;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use toml::de::DeTable;

use crate::data::DataSpec;
pub use domain::Domain;
use error::{ErrorKind, Problem};
pub use error::{Location, SpaceError};
use raw::{RawSpace, SpanIndex};
use schema::ParamSpec;
pub use scoring::Scoring;
pub use strategy::{Rungs, SamplerChoice, Strategy, TpeOptions};

/// The sweep seed when the file gives none.
pub const DEFAULT_SEED: u64 = 0;
/// The largest grid accepted when `[search] max_trials` is not given.
pub const DEFAULT_MAX_TRIALS: u64 = 100_000;

/// One schema parameter with the values the file allows it.
#[derive(Clone, Debug)]
pub struct ParamDomain {
    spec: &'static ParamSpec,
    domain: Option<Domain>,
    given: bool,
}

impl ParamDomain {
    /// The schema entry (name, kind, when it applies).
    pub fn spec(&self) -> &'static ParamSpec {
        self.spec
    }
    /// The parameter's name.
    pub fn name(&self) -> &'static str {
        self.spec.name
    }
    /// Its values; `None` when the file omits it and the schema has no default (absent).
    pub fn domain(&self) -> Option<&Domain> {
        self.domain.as_ref()
    }
    /// Whether the file gave it (otherwise it holds the schema default).
    pub fn is_given(&self) -> bool {
        self.given
    }
}

/// A validated search space.
#[derive(Clone, Debug)]
pub struct SearchSpace {
    name: String,
    seed: u64,
    data: DataSpec,
    path: PathBuf,
    text: String,
    strategy: Strategy,
    scoring: Scoring,
    trial_seed: Option<u64>,
    params: Vec<ParamDomain>,
    trial_count: u64,
    fingerprint: String,
}

impl SearchSpace {
    /// The sweep's name (default output folder `results/NAME/`); default: the file stem.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The sweep seed (default [`DEFAULT_SEED`]).
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// The `[data]` table.
    pub fn data(&self) -> &DataSpec {
        &self.data
    }
    /// The file it was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }
    /// The folder relative data paths are resolved against.
    pub fn base_dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }
    /// The file's text as read.
    pub fn text(&self) -> &str {
        &self.text
    }
    /// A hex SHA-256 of the normalized content (comments, layout and key order ignored), to
    /// refuse resuming a sweep whose space has changed.
    pub fn fingerprint(&self) -> String {
        self.fingerprint.clone()
    }
    /// Whether resuming a sweep of `earlier` with this space only adds trials: the two differ
    /// at most in `[search] trials`, raised here, and the strategy (random or TPE) keeps the
    /// first trials of a longer run the same.
    pub fn extends(&self, earlier: &SearchSpace) -> bool {
        let trials = |s: &SearchSpace| match s.strategy {
            Strategy::Random { trials } | Strategy::Tpe { trials, .. } => Some(trials),
            _ => None,
        };
        match (trials(self), trials(earlier)) {
            (Some(now), Some(before)) => {
                now >= before
                    && fingerprint_without_trials(&self.text)
                        == fingerprint_without_trials(&earlier.text)
            }
            _ => false,
        }
    }

    /// How trials are chosen (`[search]`).
    pub fn strategy(&self) -> Strategy {
        self.strategy
    }
    /// How trials are scored (`[search] metric`, `repeats`, `refit`).
    pub fn scoring(&self) -> Scoring {
        self.scoring
    }
    /// `[search] trial_seed`: when set, every trial trains with this seed instead of
    /// `trial_seed(seed, id)` (how `best.toml` retrains the winner exactly).
    pub fn fixed_trial_seed(&self) -> Option<u64> {
        self.trial_seed
    }
    /// Every schema parameter, in schema (dependency) order, with its domain.
    pub fn params(&self) -> &[ParamDomain] {
        &self.params
    }
    /// The number of configurations of a grid, random, TPE or halving search, known since
    /// validation (Hyperband's comes from its brackets, which the search computes: 0 here).
    pub fn trial_count(&self) -> u64 {
        self.trial_count
    }
}

/// Reads and validates a space file against `schema`.
pub fn load(path: &Path, schema: &'static [ParamSpec]) -> Result<SearchSpace, SpaceError> {
    let text = std::fs::read_to_string(path).map_err(|e| SpaceError::io(path, &e))?;
    parse(&text, path, schema)
}

/// Validates the text of a space file; `path` names it in errors and anchors relative data
/// paths.
pub fn parse(
    text: &str,
    path: &Path,
    schema: &'static [ParamSpec],
) -> Result<SearchSpace, SpaceError> {
    let root = DeTable::parse(text).map_err(|e| syntax(&e).locate(path, text, None))?;
    let index = SpanIndex::build(root.get_ref());
    build(text, path, schema, &index).map_err(|p| p.locate(path, text, Some(&index)))
}

fn syntax(error: &toml::de::Error) -> Problem {
    let problem = Problem::file(ErrorKind::Syntax, format!("TOML syntax error: {}", error.message().trim()))
        .hint("see https://toml.io; strings need quotes, tables are [name], each key = value on its own line");
    match error.span() {
        Some(span) => problem.at_span(span),
        None => problem,
    }
}

fn build(
    text: &str,
    path: &Path,
    schema: &'static [ParamSpec],
    index: &SpanIndex,
) -> Result<SearchSpace, Problem> {
    validate::not_empty(index)?;
    validate::known_keys(index, schema)?;
    let raw: RawSpace = toml::from_str(text).map_err(|e| serde_problem(&e, index, schema))?;

    let name = validate::name(raw.name.as_deref(), path)?;
    let seed = validate::seed(raw.seed)?;
    let data = validate::data_present(raw.data)?;
    validate::data_spec(&data, path.parent().unwrap_or(Path::new(".")))?;
    let explicit_strategy = raw.search.as_ref().is_some_and(|s| s.strategy.is_some());
    let search = raw.search.unwrap_or_default();
    let trial_seed = validate::trial_seed(&search)?;

    let table = raw.params.unwrap_or_default();
    let order: Vec<&str> = index.children("params").map(|(k, _)| k).collect();
    validate::exclusive(schema, &order)?;
    let params = validate::params(schema, &table, &order)?;
    let strategy = strategy::strategy(&search, &params)?;
    let scoring = scoring::scoring(&search, &data)?;
    validate::gridable(strategy, &params)?;
    let trial_count = validate::trial_count(strategy, &params, explicit_strategy)?;

    Ok(SearchSpace {
        name,
        seed,
        data,
        path: path.to_path_buf(),
        text: text.to_string(),
        strategy,
        scoring,
        trial_seed,
        params,
        trial_count,
        fingerprint: fingerprint(text),
    })
}

/// A serde error (a wrong type, mostly) as a problem at the key it concerns.
fn serde_problem(error: &toml::de::Error, index: &SpanIndex, schema: &[ParamSpec]) -> Problem {
    let key = error
        .span()
        .and_then(|s| index.at(s.start))
        .map(|e| e.path.clone());
    if let Some(problem) = out_of_range(error, key.as_deref(), schema) {
        return problem;
    }
    let mut message = error.message().trim().to_string();
    for (serde_words, ours) in [
        ("expected i64", "expected an integer"),
        ("expected u64", "expected a non-negative integer"),
        ("expected usize", "expected a non-negative integer"),
        ("expected f64", "expected a number"),
        ("expected a boolean", "expected true or false"),
        ("expected struct DataSpec", "expected a table ([data])"),
        ("expected struct RawSearch", "expected a table ([search])"),
        ("expected a map", "expected a table"),
    ] {
        message = message.replace(serde_words, ours);
    }
    let kind = if message.starts_with("unknown field") {
        ErrorKind::UnknownKey
    } else if message.starts_with("missing field") {
        ErrorKind::MissingKey
    } else {
        ErrorKind::WrongType
    };
    let mut problem = match key {
        Some(key) => Problem::new(kind, key, message),
        None => Problem::file(kind, message),
    };
    if let Some(span) = error.span() {
        problem = problem.at_span(span);
    }
    problem.hint("see search-spaces/quickstart.toml for every key with its type")
}

/// An integer too large (or too small) for the key that holds it, which serde words as
/// ``invalid value: integer `N`, expected i64`` or ``invalid type: integer `N` as i128, …``:
/// said as out of range, with the key's legal range.
fn out_of_range(
    error: &toml::de::Error,
    key: Option<&str>,
    schema: &[ParamSpec],
) -> Option<Problem> {
    let message = error.message();
    let (_, rest) = message.split_once("integer `")?;
    let (number, rest) = rest.split_once('`')?;
    if !(rest.starts_with(" as i128") || message.starts_with("invalid value: integer")) {
        return None;
    }
    let key = key?;
    let param = key
        .strip_prefix("params.")
        .map(|p| p.split(['.', '[']).next().unwrap_or(p));
    let rule = match key {
        "seed" | "search.trial_seed" => format!("an integer from 0 to {}", i64::MAX),
        "search.trials" | "search.max_trials" => {
            format!("an integer from 1 to {}", domain::MAX_POINTS)
        }
        _ => match (key.strip_prefix("data."), param) {
            (Some(data_key), _) => crate::data::spec::integer_rule(data_key)?,
            (None, Some(name)) => match schema::find(schema, name) {
                Some(spec) => kind::describe_kind(&spec.kind),
                None => format!("an integer from {} to {}", i64::MIN, i64::MAX),
            },
            (None, None) => format!("an integer from {} to {}", i64::MIN, i64::MAX),
        },
    };
    let problem = Problem::new(
        ErrorKind::OutOfRange,
        key,
        format!(
            "{} is out of range: must be {rule}",
            crate::data::clip(number)
        ),
    )
    .hint("see search-spaces/quickstart.toml for every key with its legal values");
    Some(match error.span() {
        Some(span) => problem.at_span(span),
        None => problem,
    })
}

/// SHA-256 of a canonical rendering: tables with sorted keys, values in TOML notation.
fn fingerprint(text: &str) -> String {
    digest_of(toml::from_str::<toml::Table>(text).ok())
}

/// The fingerprint with `[search] trials` left out.
fn fingerprint_without_trials(text: &str) -> String {
    let mut table = toml::from_str::<toml::Table>(text).ok();
    if let Some(search) = table
        .as_mut()
        .and_then(|t| t.get_mut("search"))
        .and_then(toml::Value::as_table_mut)
    {
        search.remove("trials");
    }
    digest_of(table)
}

fn digest_of(table: Option<toml::Table>) -> String {
    let mut canonical = String::new();
    if let Some(table) = table {
        canon(&toml::Value::Table(table), &mut canonical);
    }
    Sha256::digest(canonical.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn canon(value: &toml::Value, out: &mut String) {
    match value {
        toml::Value::Table(table) => {
            let mut keys: Vec<&String> = table.keys().collect();
            keys.sort();
            out.push('{');
            for key in keys {
                out.push_str(&toml::Value::String(key.clone()).to_string());
                out.push('=');
                canon(&table[key.as_str()], out);
                out.push(',');
            }
            out.push('}');
        }
        toml::Value::Array(items) => {
            out.push('[');
            for item in items {
                canon(item, out);
                out.push(',');
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests;
