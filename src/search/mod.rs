//! SearchSpace → TrialConfig*: grid and random samplers; the only place seeds are derived
//! ([`seed`]).

pub mod grid;
pub mod random;
pub mod seed;
pub mod tpe;

use std::borrow::Borrow;

use crate::space::value::Params;

/// One trial to run: a stable id, its own seed and a full parameter assignment.
#[derive(Clone, Debug, PartialEq)]
pub struct TrialConfig {
    /// Grid index or random draw index; stable across runs of the same space.
    pub id: u64,
    /// The seed for the trial's own RNG (weight init, shuffling, dropout):
    /// `seed::trial_seed(sweep seed, id)`, or `[search] trial_seed` when the file fixes it.
    pub seed: u64,
    /// Every schema parameter, `None` where inactive.
    pub params: Params,
}

use crate::space::{SearchSpace, SpaceError, Strategy};

/// Number of trials the space describes, computed without building them.
pub fn count(space: &SearchSpace) -> Result<u64, SpaceError> {
    Ok(space.trial_count())
}

/// Trial `id` of `space` (`id` < [`count`]), built on demand: a sweep never needs to hold more
/// than the trials it is running.
pub fn trial(space: &SearchSpace, id: u64) -> TrialConfig {
    let params = match space.strategy() {
        Strategy::Grid { .. } => grid::assignment(space, id),
        Strategy::Random { .. } => random::assignment(space, id),
    };
    TrialConfig {
        id,
        seed: trial_seed_of(space, id),
        params,
    }
}

/// Every trial of the space, in id order, each built when the iterator reaches it.
pub fn iter(space: &SearchSpace) -> impl Iterator<Item = TrialConfig> + '_ {
    (0..space.trial_count()).map(|id| trial(space, id))
}

/// The trials of the space, in id order, all in memory (listings and tests; a sweep uses
/// [`trial`] or [`iter`]).
pub fn trials(space: &SearchSpace) -> Result<Vec<TrialConfig>, SpaceError> {
    Ok(iter(space).collect())
}

/// The training seed of trial `id` of `space`.
pub fn trial_seed_of(space: &SearchSpace, id: u64) -> u64 {
    space
        .fixed_trial_seed()
        .unwrap_or_else(|| seed::trial_seed(space.seed(), id))
}

#[cfg(test)]
mod tests;

/// The parameters worth a column in a listing or a report: those active in at least one of
/// `trials`, in schema order. Takes one pass and holds one trial at a time.
pub fn active_params<T: Borrow<TrialConfig>>(trials: impl IntoIterator<Item = T>) -> Vec<String> {
    // Every trial lists every schema parameter, in schema order.
    let mut columns: Vec<(&'static str, bool)> = Vec::new();
    for trial in trials {
        let params = &trial.borrow().params;
        if columns.is_empty() {
            columns = params.iter().map(|(name, _)| (name, false)).collect();
        }
        for (name, active) in &mut columns {
            *active |= params.get(name).is_some();
        }
    }
    columns
        .into_iter()
        .filter(|&(_, active)| active)
        .map(|(name, _)| name.to_string())
        .collect()
}
