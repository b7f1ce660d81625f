//! The `[search]` table: which strategy picks the trials, and its settings, checked into a
//! [`Strategy`] that cannot be invalid. The search itself (samplers, rungs, brackets) lives in
//! the search module; this file only says what the file asked for.

use super::domain::MAX_POINTS;
use super::error::{ErrorKind, Problem, did_you_mean};
use super::raw::RawSearch;
use super::{DEFAULT_MAX_TRIALS, ParamDomain};
use crate::data::quoted;

/// The strategy names of `[search] strategy`.
pub const STRATEGIES: &[&str] = &["grid", "random", "tpe", "halving", "hyperband"];

/// The parameter adaptive strategies (halving, Hyperband) use as the budget: its single value
/// is the largest budget R, in epochs.
pub const BUDGET_PARAM: &str = "epochs";

/// How trials are chosen from the space.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Strategy {
    /// Every combination of the parameters' values, in schema order (the first parameter varies
    /// slowest); inactive parameters do not multiply.
    Grid {
        /// The largest grid accepted (`[search] max_trials`, default [`DEFAULT_MAX_TRIALS`]).
        max_trials: u64,
    },
    /// `trials` independent draws; draw `i` uses its own RNG seeded from (seed, i).
    Random {
        /// Number of draws (`[search] trials`, required).
        trials: u64,
    },
    /// `trials` configurations proposed by the Tree-structured Parzen Estimator.
    Tpe {
        /// Number of configurations (`[search] trials`, required).
        trials: u64,
        /// The model's settings.
        tpe: TpeOptions,
    },
    /// Successive halving (Jamieson & Talwalkar 2016): `trials` configurations start at
    /// `min_epochs`; each rung keeps the best 1/η and trains them η times longer, up to R.
    Halving {
        /// Configurations in the first rung (`[search] trials`, required).
        trials: u64,
        /// r, η and R.
        rungs: Rungs,
        /// Who proposes the configurations.
        sampler: SamplerChoice,
    },
    /// Hyperband (Li et al. 2018): brackets of successive halving from aggressive to none.
    Hyperband {
        /// r, η and R.
        rungs: Rungs,
        /// Total epochs: brackets repeat while a whole bracket still fits (default: one pass).
        budget: Option<u64>,
        /// Who proposes the configurations.
        sampler: SamplerChoice,
    },
}

impl Strategy {
    /// The name as written in the file.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Grid { .. } => "grid",
            Strategy::Random { .. } => "random",
            Strategy::Tpe { .. } => "tpe",
            Strategy::Halving { .. } => "halving",
            Strategy::Hyperband { .. } => "hyperband",
        }
    }

    /// The rung settings of an adaptive strategy (halving, Hyperband).
    pub fn rungs(self) -> Option<Rungs> {
        match self {
            Strategy::Halving { rungs, .. } | Strategy::Hyperband { rungs, .. } => Some(rungs),
            _ => None,
        }
    }
}

/// The budgets of an adaptive strategy, in epochs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rungs {
    /// r: the smallest budget a configuration gets (`min_epochs`, default 1).
    pub min_epochs: u64,
    /// η: each rung keeps the best 1/η of its trials (`reduction`, default 3).
    pub reduction: u64,
    /// R: the largest budget, the single value of `params.epochs`.
    pub max_epochs: u64,
}

/// Who proposes configurations under halving or Hyperband (`[search] sampler`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SamplerChoice {
    /// Random search's draws (default).
    Random,
    /// TPE, fitted on the trials finished so far at the largest budget reached.
    Tpe(TpeOptions),
}

/// The user-facing settings of the TPE sampler.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TpeOptions {
    /// Random draws before the model is used (`startup`, default 10).
    pub startup: u64,
    /// Proposals per round (`batch`, default 4): a round sees only the trials of earlier rounds,
    /// so results never depend on `-j`.
    pub batch: u64,
    /// The fraction of trials counted as good (`gamma`); default min(⌈0.15·n⌉, 25) trials.
    pub gamma: Option<f64>,
}

/// Default `startup`.
pub const DEFAULT_STARTUP: u64 = 10;
/// Default `batch`.
pub const DEFAULT_BATCH: u64 = 4;
/// Default `reduction` (η).
pub const DEFAULT_REDUCTION: u64 = 3;

/// Which `[search]` keys each strategy takes (besides `strategy` and `trial_seed`).
fn allowed(name: &str) -> &'static [&'static str] {
    match name {
        "grid" => &["max_trials"],
        "random" => &["trials"],
        "tpe" => &["trials", "startup", "batch", "gamma"],
        "halving" => &[
            "trials",
            "min_epochs",
            "reduction",
            "sampler",
            "startup",
            "gamma",
        ],
        _ => &[
            "min_epochs",
            "reduction",
            "budget",
            "sampler",
            "startup",
            "gamma",
        ],
    }
}

/// `[search]` checked: a known strategy with only its own keys, each legal. `params` gives R
/// (`params.epochs`) to the adaptive strategies.
pub(crate) fn strategy(search: &RawSearch, params: &[ParamDomain]) -> Result<Strategy, Problem> {
    let name = search.strategy.as_deref().unwrap_or("grid");
    if !STRATEGIES.contains(&name) {
        let hint = match did_you_mean(name, STRATEGIES.iter().copied()) {
            Some(d) => format!("{d} (strategy is one of {})", STRATEGIES.join(", ")),
            None => format!("strategy is one of {}", STRATEGIES.join(", ")),
        };
        return Err(Problem::new(
            ErrorKind::UnknownName,
            "search.strategy",
            format!("unknown strategy {}", quoted(name)),
        )
        .hint(hint));
    }
    for (key, given) in given_keys(search) {
        if given && !allowed(name).contains(&key) {
            return Err(Problem::new(
                ErrorKind::Conflict,
                format!("search.{key}"),
                match (name, key) {
                    ("grid", "trials") => {
                        "trials applies to random search; a grid runs every combination".into()
                    }
                    _ => format!("{key} does not apply to strategy = \"{name}\""),
                },
            )
            .at_key()
            .hint(format!(
                "strategy \"{name}\" takes {}; remove {key} or change the strategy",
                allowed(name).join(", ")
            )));
        }
    }
    let sampler_tpe = search.sampler.as_deref() == Some("tpe");
    if (name == "halving" || name == "hyperband")
        && !sampler_tpe
        && let Some(key) = ["startup", "gamma"]
            .into_iter()
            .zip([search.startup.is_some(), search.gamma.is_some()])
            .find_map(|(k, g)| g.then_some(k))
    {
        return Err(Problem::new(
            ErrorKind::Conflict,
            format!("search.{key}"),
            format!("{key} applies to the TPE sampler"),
        )
        .at_key()
        .hint("add sampler = \"tpe\", or remove it"));
    }
    Ok(match name {
        "grid" => Strategy::Grid {
            max_trials: match search.max_trials {
                None => DEFAULT_MAX_TRIALS,
                Some(m) => in_range("search.max_trials", m, 1, MAX_POINTS).map_err(|p| {
                    p.hint(format!(
                        "the largest grid to accept; default {DEFAULT_MAX_TRIALS}"
                    ))
                })?,
            },
        },
        "random" => Strategy::Random {
            trials: trials(search, "random draws")?,
        },
        "tpe" => Strategy::Tpe {
            trials: trials(search, "configurations TPE proposes")?,
            tpe: tpe_options(search)?,
        },
        "halving" => Strategy::Halving {
            trials: trials(search, "configurations in the first rung")?,
            rungs: rungs(search, params)?,
            sampler: sampler(search)?,
        },
        _ => {
            let rungs = rungs(search, params)?;
            Strategy::Hyperband {
                rungs,
                budget: search
                    .budget
                    .map(|b| in_range("search.budget", b, rungs.max_epochs, u64::MAX >> 1))
                    .transpose()
                    .map_err(|p| {
                        p.hint(format!(
                            "the total epochs of all brackets; at least R = {} (params.epochs)",
                            rungs.max_epochs
                        ))
                    })?,
                sampler: sampler(search)?,
            }
        }
    })
}

fn given_keys(search: &RawSearch) -> Vec<(&'static str, bool)> {
    vec![
        ("trials", search.trials.is_some()),
        ("max_trials", search.max_trials.is_some()),
        ("min_epochs", search.min_epochs.is_some()),
        ("reduction", search.reduction.is_some()),
        ("budget", search.budget.is_some()),
        ("sampler", search.sampler.is_some()),
        ("startup", search.startup.is_some()),
        ("batch", search.batch.is_some()),
        ("gamma", search.gamma.is_some()),
    ]
}

fn trials(search: &RawSearch, what: &str) -> Result<u64, Problem> {
    let name = search.strategy.as_deref().unwrap_or("grid");
    match search.trials {
        None => Err(Problem::new(
            ErrorKind::MissingKey,
            "search",
            format!("{name} search needs trials = N (the number of {what})"),
        )
        .at_key()
        .hint("add trials = 20 under [search]")),
        Some(n) => in_range("search.trials", n, 1, MAX_POINTS)
            .map_err(|p| p.hint(format!("the number of {what}, e.g. trials = 20"))),
    }
}

fn rungs(search: &RawSearch, params: &[ParamDomain]) -> Result<Rungs, Problem> {
    let max_epochs = params
        .iter()
        .find(|p| p.name() == BUDGET_PARAM)
        .and_then(|p| p.domain()?.as_fixed()?.as_i64())
        .and_then(|e| u64::try_from(e).ok())
        .ok_or_else(|| {
            Problem::new(
                ErrorKind::Conflict,
                format!("params.{BUDGET_PARAM}"),
                "halving and Hyperband need params.epochs to be a single integer: the largest budget R",
            )
            .hint("set epochs = 27 (say); the rungs train fewer epochs, up to this many")
        })?;
    let min_epochs = search
        .min_epochs
        .map_or(Ok(1), |m| in_range("search.min_epochs", m, 1, max_epochs))
        .map_err(|p| {
            p.hint(format!(
                "r, the smallest budget in epochs, at most R = {max_epochs} (params.epochs)"
            ))
        })?;
    let reduction = search
        .reduction
        .map_or(Ok(DEFAULT_REDUCTION), |m| {
            in_range("search.reduction", m, 2, 1000)
        })
        .map_err(|p| p.hint("η: each rung keeps the best 1/η of its trials; 3 is usual"))?;
    Ok(Rungs {
        min_epochs,
        reduction,
        max_epochs,
    })
}

fn sampler(search: &RawSearch) -> Result<SamplerChoice, Problem> {
    match search.sampler.as_deref() {
        None | Some("random") => Ok(SamplerChoice::Random),
        Some("tpe") => Ok(SamplerChoice::Tpe(tpe_options(search)?)),
        Some(other) => Err(Problem::new(
            ErrorKind::UnknownName,
            "search.sampler",
            format!("unknown sampler {}", quoted(other)),
        )
        .hint("sampler is \"random\" (default) or \"tpe\"")),
    }
}

fn tpe_options(search: &RawSearch) -> Result<TpeOptions, Problem> {
    let startup = search
        .startup
        .map_or(Ok(DEFAULT_STARTUP), |s| {
            in_range("search.startup", s, 0, MAX_POINTS)
        })
        .map_err(|p| p.hint("random draws before the model is used, e.g. startup = 10"))?;
    let batch = search
        .batch
        .map_or(Ok(DEFAULT_BATCH), |b| in_range("search.batch", b, 1, 1024))
        .map_err(|p| p.hint("proposals per round, e.g. batch = 4"))?;
    let gamma = match search.gamma {
        Some(g) if !(g > 0.0 && g < 1.0) => {
            return Err(Problem::new(
                ErrorKind::OutOfRange,
                "search.gamma",
                format!("must be in (0, 1), got {g}"),
            )
            .hint("the fraction of trials counted as good, e.g. gamma = 0.15"));
        }
        g => g,
    };
    Ok(TpeOptions {
        startup,
        batch,
        gamma,
    })
}

/// `value` as a u64 in `[lo, hi]`, or an out-of-range problem at `key`.
fn in_range(key: &str, value: i64, lo: u64, hi: u64) -> Result<u64, Problem> {
    u64::try_from(value)
        .ok()
        .filter(|v| (lo..=hi).contains(v))
        .ok_or_else(|| {
            Problem::new(
                ErrorKind::OutOfRange,
                key,
                format!("must be in [{lo}, {hi}], got {value}"),
            )
        })
}
