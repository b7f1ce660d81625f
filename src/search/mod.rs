//! SearchSpace → trials: the strategies behind one ask/tell interface ([`Study`]). Samplers
//! propose configurations (grid, random, TPE); halving and Hyperband schedule rungs over a
//! sampler ([`brackets`]); [`seed`] is the only place seeds are derived.

pub mod brackets;
pub mod grid;
pub mod random;
pub mod seed;
mod study;
pub mod tpe;

use std::borrow::Borrow;

pub use crate::objective::{Rung, TrialConfig};
use crate::space::value::Params;
use crate::space::{SearchSpace, SpaceError, Strategy};
pub use study::{Job, Study, StudyError, Told};

/// Number of configurations the space's strategy tries, computed without building them.
pub fn count(space: &SearchSpace) -> Result<u64, SpaceError> {
    Ok(match space.strategy() {
        Strategy::Hyperband { rungs, budget, .. } => brackets::hyperband(rungs, budget)
            .iter()
            .map(brackets::BracketPlan::configurations)
            .sum(),
        _ => space.trial_count(),
    })
}

/// Trial `id` of a grid or random space (`id` < [`count`]), built on demand: a sweep never
/// needs to hold more than the trials it is running. Other strategies' configurations depend
/// on the trials before them: ask a [`Study`].
pub fn trial(space: &SearchSpace, id: u64) -> TrialConfig {
    let params = match space.strategy() {
        Strategy::Grid { .. } => grid::assignment(space, id),
        _ => random::assignment(space, id),
    };
    TrialConfig::new(id, trial_seed_of(space, id), params)
}

/// Every trial of a grid or random space, in id order, each built when the iterator reaches
/// it (for the others: the random draws, which are their first configurations' candidates).
pub fn iter(space: &SearchSpace) -> impl Iterator<Item = TrialConfig> + '_ {
    (0..count(space).unwrap_or(0)).map(|id| trial(space, id))
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

/// The parameter columns of a sweep's reports, in schema order. Grid and random search: the
/// parameters active in some trial ([`active_params`] over every trial). TPE, halving and
/// Hyperband propose as they go, so a column is kept for every parameter that some values of
/// the parameters it depends on make active (its column may stay empty).
pub fn columns(space: &SearchSpace) -> Vec<String> {
    if matches!(
        space.strategy(),
        Strategy::Grid { .. } | Strategy::Random { .. }
    ) {
        return active_params(iter(space));
    }
    let params = space.params();
    params
        .iter()
        .filter(|p| p.domain().is_some() && can_be_active(space, p))
        .map(|p| p.name().to_string())
        .collect()
}

/// Whether some combination of the values of the parameters `p` depends on makes it active
/// (parents' own conditions ignored: a column too many, never one too few).
fn can_be_active(space: &SearchSpace, p: &crate::space::ParamDomain) -> bool {
    let Some(active) = p.spec().active else {
        return true;
    };
    let parents: Vec<Vec<Option<crate::space::value::Value>>> = space
        .params()
        .iter()
        .filter(|q| p.spec().depends_on.contains(&q.name()))
        .map(|q| match q.domain() {
            None => vec![None],
            Some(d) => match d.grid_size() {
                Some(n) if n <= 64 => (0..n).map(|k| d.grid_value(k)).collect(),
                // A continuous or large parent: assume it can take an activating value.
                _ => vec![],
            },
        })
        .collect();
    if parents.iter().any(Vec::is_empty) {
        return true;
    }
    let names: Vec<&'static str> = space
        .params()
        .iter()
        .filter(|q| p.spec().depends_on.contains(&q.name()))
        .map(|q| q.name())
        .collect();
    let mut index = vec![0usize; parents.len()];
    loop {
        let mut assignment = Params::new();
        for (k, name) in names.iter().enumerate() {
            assignment.set(name, parents[k][index[k]].clone());
        }
        if active(&assignment) {
            return true;
        }
        // The next combination, like an odometer.
        let mut k = 0;
        loop {
            let Some(i) = index.get_mut(k) else {
                return false;
            };
            *i += 1;
            if *i < parents[k].len() {
                break;
            }
            *i = 0;
            k += 1;
        }
    }
}

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
