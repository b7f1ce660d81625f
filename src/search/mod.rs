//! SearchSpace → TrialConfig*: grid and random samplers; the only place seeds are derived
//! ([`seed`]).

pub mod grid;
pub mod random;
pub mod seed;

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

/// The trials of the space, in id order.
pub fn trials(space: &SearchSpace) -> Result<Vec<TrialConfig>, SpaceError> {
    let assignments = match space.strategy() {
        Strategy::Grid { .. } => grid::assignments(space)?,
        Strategy::Random { trials } => (0..trials)
            .map(|id| random::assignment(space, id))
            .collect(),
    };
    Ok(assignments
        .into_iter()
        .zip(0u64..)
        .map(|(params, id)| TrialConfig {
            id,
            seed: trial_seed_of(space, id),
            params,
        })
        .collect())
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
/// `trials`, in schema order.
pub fn active_params(trials: &[TrialConfig]) -> Vec<String> {
    let Some(first) = trials.first() else {
        return Vec::new();
    };
    // Every trial lists every schema parameter, in schema order.
    first
        .params
        .iter()
        .map(|(name, _)| name)
        .filter(|name| trials.iter().any(|t| t.params.get(name).is_some()))
        .map(String::from)
        .collect()
}
