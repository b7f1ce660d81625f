//! The rules a space file must obey, one function per rule. Each returns a `Problem` naming
//! the key; `mod.rs` locates it in the text.

use std::path::Path;

use super::domain::{self, Domain, MAX_POINTS};
use super::error::{ErrorKind, Problem, did_you_mean};
use super::raw::{RawRange, RawSearch, RawSpace, SpanIndex, fields_of};
use super::schema::{ParamSpec, find};
use super::value::Params;
use super::{ParamDomain, Strategy};
use crate::data::{DataSpec, quoted};

/// Pairs of parameters a file may not give together: an explicit layer list replaces the
/// uniform `hidden_layers` × `neurons` description. (Only applied when both are in the schema.)
const EXCLUSIVE: &[(&str, &str)] = &[("hidden", "hidden_layers"), ("hidden", "neurons")];

/// A file with no keys at all (empty, or only comments).
pub(crate) fn not_empty(index: &SpanIndex) -> Result<(), Problem> {
    if index.children("").next().is_none() {
        return Err(Problem::file(ErrorKind::Empty, "the file is empty").hint(
            "a space needs at least a data source, e.g.\n  [data]\n  builtin = \"iris\"\n\n  [params]\n  learning_rate = [0.01, 0.1]",
        ));
    }
    Ok(())
}

/// Every key of every table is one the format knows; otherwise `did you mean`.
pub(crate) fn known_keys(index: &SpanIndex, schema: &[ParamSpec]) -> Result<(), Problem> {
    let params: Vec<&str> = schema.iter().map(|p| p.name).collect();
    let tables: [(&str, &[&str]); 3] = [
        ("", fields_of::<RawSpace>()),
        ("data", fields_of::<DataSpec>()),
        ("search", fields_of::<RawSearch>()),
    ];
    for (table, known) in tables {
        keys_in(index, table, known, &params)?;
    }
    keys_in(index, "params", &params, &[])?;
    let range_keys = fields_of::<RawRange>();
    for (name, _) in index.children("params") {
        let path = format!("params.{name}");
        keys_in(index, &path, range_keys, &[])?;
    }
    Ok(())
}

fn keys_in(index: &SpanIndex, table: &str, known: &[&str], params: &[&str]) -> Result<(), Problem> {
    for (key, entry) in index.children(table) {
        if known.contains(&key) {
            continue;
        }
        let where_ = if table.is_empty() {
            "at the top level".to_string()
        } else {
            format!("in [{table}]")
        };
        let mut hint =
            did_you_mean(key, known.iter().copied()).map_or(String::new(), |d| format!("{d} "));
        if params.contains(&key) {
            hint = format!(
                "{key} is a parameter: put it under [params] (keys after a [table] header belong to that table) "
            );
        }
        hint.push_str(&format!("(known keys {where_}: {})", known.join(", ")));
        return Err(Problem::new(
            ErrorKind::UnknownKey,
            entry.path.clone(),
            format!("unknown key {} {where_}", quoted(key)),
        )
        .at_key()
        .hint(hint));
    }
    Ok(())
}

/// The sweep name: given, or the file stem; usable as a folder name.
pub(crate) fn name(given: Option<&str>, path: &Path) -> Result<String, Problem> {
    let name = match given {
        Some(name) => name.to_string(),
        None => path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    let bad = name.trim().is_empty()
        || name == "."
        || name == ".."
        || name
            .chars()
            .any(|c| c == '/' || c == '\\' || c.is_control());
    if bad {
        return Err(Problem::new(
            ErrorKind::OutOfRange,
            "name",
            format!("{} cannot name a results folder", quoted(&name)),
        )
        .hint("use letters, digits, '-', '_' or '.', e.g. name = \"digits-lr\""));
    }
    Ok(name)
}

/// The sweep seed: a non-negative integer.
pub(crate) fn seed(given: Option<i64>) -> Result<u64, Problem> {
    non_negative("seed", given.unwrap_or(super::DEFAULT_SEED as i64))
}

fn non_negative(key: &str, value: i64) -> Result<u64, Problem> {
    u64::try_from(value).map_err(|_| {
        Problem::new(
            ErrorKind::OutOfRange,
            key,
            format!("must be ≥ 0, got {value}"),
        )
        .hint("seeds are non-negative integers")
    })
}

/// `[data]` must be present.
pub(crate) fn data_present(data: Option<DataSpec>) -> Result<DataSpec, Problem> {
    data.ok_or_else(|| {
        Problem::file(ErrorKind::MissingKey, "missing [data] table: the sweep has nothing to train on").hint(
            "add a data source, e.g.\n  [data]\n  builtin = \"iris\"      # or: path = \"my.csv\", label = \"class\"",
        )
    })
}

/// The `[data]` table as the data loader would take it (one source, legal settings and
/// fractions), checked here so that its mistakes carry a line and column and exit code 2.
/// Files it names are not this function's business: loading reports those.
pub(crate) fn data_spec(data: &DataSpec, base_dir: &std::path::Path) -> Result<(), Problem> {
    let Err(error) = crate::data::check(data, base_dir) else {
        return Ok(());
    };
    let Some(key) = error.spec_key() else {
        return Ok(());
    };
    let text = error.to_string();
    let (message, hint) = text.split_once("\nhint: ").unwrap_or((&text, ""));
    let path = if key.is_empty() {
        "data".to_string()
    } else {
        format!("data.{key}")
    };
    let message = message
        .strip_prefix(&format!("{path}: "))
        .or_else(|| message.strip_prefix("data: "))
        .unwrap_or(message);
    let problem = Problem::new(ErrorKind::BadData, path, message);
    Err(if hint.is_empty() {
        problem
    } else {
        problem.hint(hint)
    })
}

/// `[search] trial_seed`, when given, is a non-negative integer.
pub(crate) fn trial_seed(search: &RawSearch) -> Result<Option<u64>, Problem> {
    search
        .trial_seed
        .map(|s| non_negative("search.trial_seed", s))
        .transpose()
}

/// Parameters that describe the same thing two ways are not given together.
pub(crate) fn exclusive(schema: &[ParamSpec], given: &[&str]) -> Result<(), Problem> {
    for &(a, b) in EXCLUSIVE {
        if find(schema, a).is_some() && given.contains(&a) && given.contains(&b) {
            return Err(Problem::new(
                ErrorKind::Conflict,
                format!("params.{b}"),
                format!("{a} and {b} describe the hidden layers two ways"),
            )
            .at_key()
            .hint(format!("pick one: {a} = [128, 64] lists the widths; hidden_layers and neurons describe equal layers")));
        }
    }
    Ok(())
}

/// Each given parameter's value is a legal domain for its kind; missing ones take defaults.
/// `order` is the file order of the given keys (so the first mistake in the file is reported).
pub(crate) fn params(
    schema: &'static [ParamSpec],
    table: &toml::Table,
    order: &[&str],
) -> Result<Vec<ParamDomain>, Problem> {
    let mut given: Vec<(&str, Domain)> = Vec::with_capacity(order.len());
    for &name in order {
        let (Some(spec), Some(value)) = (find(schema, name), table.get(name)) else {
            continue;
        };
        given.push((name, domain::parse(spec, &format!("params.{name}"), value)?));
    }
    Ok(schema
        .iter()
        .map(|spec| {
            let explicit = given.iter().position(|(n, _)| *n == spec.name);
            ParamDomain {
                spec,
                domain: match explicit {
                    Some(i) => Some(given[i].1.clone()),
                    None => spec.default.map(|d| Domain::fixed(d.value())),
                },
                given: explicit.is_some(),
            }
        })
        .collect())
}

/// A grid can only enumerate finite domains: continuous ranges need `num`.
pub(crate) fn gridable(strategy: Strategy, params: &[ParamDomain]) -> Result<(), Problem> {
    if !matches!(strategy, Strategy::Grid { .. }) {
        return Ok(());
    }
    for p in params {
        if let Some(domain) = &p.domain
            && domain.grid_size().is_none()
        {
            return Err(Problem::new(
                ErrorKind::NotGridable,
                format!("params.{}", p.spec.name),
                format!("grid search cannot enumerate the continuous range {}", domain.describe()),
            )
            .hint(format!(
                "add num = K for K evenly spaced points (e.g. {{ {}, num = 5 }}), list the values, or set strategy = \"random\"",
                domain.describe().replacen(' ', " = ", 1)
            )));
        }
    }
    Ok(())
}

/// The number of trials, refusing a grid larger than `max_trials` before anything is built.
pub(crate) fn trial_count(
    strategy: Strategy,
    params: &[ParamDomain],
    explicit_strategy: bool,
) -> Result<u64, Problem> {
    let max_trials = match strategy {
        Strategy::Grid { max_trials } => max_trials,
        Strategy::Random { trials }
        | Strategy::Tpe { trials, .. }
        | Strategy::Halving { trials, .. } => return Ok(trials),
        // Counted from its brackets by the search.
        Strategy::Hyperband { .. } => return Ok(0),
    };
    let size = grid_count(params, max_trials.saturating_mul(16).max(1 << 20));
    let exact = match size {
        GridCount::Exact(n) if n <= max_trials => return Ok(n),
        GridCount::Exact(n) => format!("{n}"),
        GridCount::MoreThan(n) => format!("more than {n}"),
    };
    let mut axes: Vec<(u64, &str)> = params
        .iter()
        .filter_map(|p| Some((p.domain.as_ref()?.grid_size()?, p.spec.name)))
        .filter(|(n, _)| *n > 1)
        .collect();
    axes.sort_by_key(|a| std::cmp::Reverse(a.0));
    let axes: Vec<String> = axes
        .iter()
        .take(4)
        .map(|(n, name)| format!("{name} {n}"))
        .collect();
    let key = if explicit_strategy {
        "search.strategy"
    } else {
        "params"
    };
    Err(Problem::new(
        ErrorKind::TooLarge,
        key,
        format!("the grid has {exact} trials, more than max_trials = {max_trials}"),
    )
    .hint(format!(
        "largest axes: {}; use fewer values, raise [search] max_trials (up to {MAX_POINTS}), or use strategy = \"random\"",
        axes.join(", ")
    )))
}

/// The size of a grid: exact, or a lower bound when it overflows or is too costly to count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GridCount {
    /// The grid has exactly this many trials.
    Exact(u64),
    /// The grid has more than this many trials.
    MoreThan(u64),
}

/// Counts grid trials without building them. Inactive parameters do not multiply; only the
/// parameters others depend on (`depends_on`) are branched over, the rest multiply by their
/// size. `budget` bounds the number of branches visited.
pub fn grid_count(params: &[ParamDomain], budget: u64) -> GridCount {
    let parents = grid_parents(params);
    let initial = budget;
    let mut budget = budget;
    let mut assignment = Params::new();
    match count_from(params, &parents, 0, &mut assignment, &mut budget) {
        Some(n) => GridCount::Exact(n),
        // Every leaf is a trial and a path has at most `params.len()` branches.
        None if budget == 0 => GridCount::MoreThan(initial / params.len().max(1) as u64),
        None => GridCount::MoreThan(u64::MAX),
    }
}

/// Which parameters another one depends on (`depends_on`): only those are branched over when
/// counting; the sub-grid after any other parameter has the same size whatever its value.
pub fn grid_parents(params: &[ParamDomain]) -> Vec<bool> {
    params
        .iter()
        .map(|p| {
            params
                .iter()
                .any(|q| q.spec.depends_on.contains(&p.spec.name))
        })
        .collect()
}

/// The number of grid trials of `params[i..]` given the values of `params[..i]` in
/// `assignment` (which it overwrites from `i` on); `parents` from [`grid_parents`]. `None`
/// when it overflows a `u64`, which a validated space's grid never does.
pub fn sub_grid_count(
    params: &[ParamDomain],
    parents: &[bool],
    i: usize,
    assignment: &mut Params,
) -> Option<u64> {
    let mut unbounded = u64::MAX;
    count_from(params, parents, i, assignment, &mut unbounded)
}

fn count_from(
    params: &[ParamDomain],
    parents: &[bool],
    i: usize,
    assignment: &mut Params,
    budget: &mut u64,
) -> Option<u64> {
    let Some(p) = params.get(i) else {
        return Some(1);
    };
    let active = p.spec.active.is_none_or(|f| f(assignment));
    let domain = p.domain.as_ref().filter(|_| active);
    let Some(domain) = domain else {
        assignment.set(p.spec.name, None);
        return count_from(params, parents, i + 1, assignment, budget);
    };
    let size = domain.grid_size()?;
    if !parents[i] {
        assignment.set(p.spec.name, domain.grid_value(0));
        return size.checked_mul(count_from(params, parents, i + 1, assignment, budget)?);
    }
    let mut total: u64 = 0;
    for k in 0..size {
        *budget = budget.checked_sub(1)?;
        assignment.set(p.spec.name, domain.grid_value(k));
        total = total.checked_add(count_from(params, parents, i + 1, assignment, budget)?)?;
    }
    Some(total)
}
