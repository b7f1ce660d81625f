//! `[search] metric`, `repeats` and `refit`: how a trial is scored and how the winner's model
//! is made, checked into a [`Scoring`]. Cross-validation folds are a data setting
//! (`[data] folds`); they are read here only to check `refit`.

use super::error::{ErrorKind, Problem, did_you_mean};
use super::raw::RawSearch;
use crate::data::{DataSpec, quoted};
use crate::mlp::Metric;

/// The most repeats `repeats` takes.
pub const MAX_REPEATS: u64 = 100;

/// How trials are scored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scoring {
    /// What ranks trials and picks each trial's best epoch (`metric`, default `val_loss`).
    pub metric: Metric,
    /// Trainings per configuration and fold, with different seeds (`repeats`, default 1).
    pub repeats: usize,
    /// With folds or repeats: retrain the winner for its best epoch count and save that model
    /// (`refit`, default true).
    pub refit: bool,
}

impl Default for Scoring {
    fn default() -> Self {
        Scoring {
            metric: Metric::Loss,
            repeats: 1,
            refit: true,
        }
    }
}

/// `[search] metric`, `repeats`, `refit` checked; `data` tells whether there are folds.
pub(crate) fn scoring(search: &RawSearch, data: &DataSpec) -> Result<Scoring, Problem> {
    let metric = match search.metric.as_deref() {
        None => Metric::Loss,
        Some(name) => Metric::from_name(name).ok_or_else(|| {
            let names = Metric::ALL.map(Metric::name);
            let hint = match did_you_mean(name, names.iter().copied()) {
                Some(d) => format!("{d} (metric is one of {})", names.join(", ")),
                None => format!("metric is one of {}", names.join(", ")),
            };
            Problem::new(
                ErrorKind::UnknownName,
                "search.metric",
                format!("unknown metric {}", quoted(name)),
            )
            .hint(hint)
        })?,
    };
    let repeats = match search.repeats {
        None => 1,
        Some(r) => u64::try_from(r)
            .ok()
            .filter(|r| (1..=MAX_REPEATS).contains(r))
            .ok_or_else(|| {
                Problem::new(
                    ErrorKind::OutOfRange,
                    "search.repeats",
                    format!("must be in [1, {MAX_REPEATS}], got {r}"),
                )
                .hint("trainings per configuration with different seeds, e.g. repeats = 3")
            })? as usize,
    };
    if search.refit.is_some() && data.folds.is_none() && repeats == 1 {
        return Err(Problem::new(
            ErrorKind::Conflict,
            "search.refit",
            "refit applies to cross-validation ([data] folds) or repeats",
        )
        .at_key()
        .hint("without them the winner's model is its best epoch's weights: remove refit"));
    }
    Ok(Scoring {
        metric,
        repeats,
        refit: search.refit.unwrap_or(true),
    })
}
