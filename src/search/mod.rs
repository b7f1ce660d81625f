//! SearchSpace → TrialConfig*: grid and random samplers; the only place seeds are derived.

use crate::space::value::Params;

/// One trial to run: a stable id, its own seed and a full parameter assignment.
#[derive(Clone, Debug, PartialEq)]
pub struct TrialConfig {
    /// Grid index or random draw index; stable across runs of the same space.
    pub id: u64,
    /// The seed for the trial's own RNG (weight init, shuffling, dropout).
    pub seed: u64,
    /// Every schema parameter, `None` where inactive.
    pub params: Params,
}

use crate::space::{SearchSpace, SpaceError};

/// Number of trials the space describes, computed without building them.
pub fn count(_space: &SearchSpace) -> Result<u64, SpaceError> {
    todo!("issue 3")
}

/// The trials of the space, in id order.
pub fn trials(_space: &SearchSpace) -> Result<Vec<TrialConfig>, SpaceError> {
    todo!("issue 3")
}
