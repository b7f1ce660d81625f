//! PLACEHOLDER until the `tpe` branch is merged: the interface the study calls.

use crate::space::value::Params;
use crate::space::{SearchSpace, TpeOptions};

/// One finished configuration as a sampler learns from it.
pub struct Observation<'a> {
    /// Its parameters.
    pub params: &'a Params,
    /// Its score (lower is better); `None` for a failed or diverged trial.
    pub score: Option<f64>,
}

/// TPE settings.
#[derive(Clone, Copy, Debug)]
pub struct TpeSettings {
    /// Random draws before the model is used.
    pub startup: u64,
}

impl TpeSettings {
    /// From the `[search]` table.
    pub fn from_options(o: TpeOptions) -> Self {
        TpeSettings { startup: o.startup }
    }
}

/// Placeholder: random search's draw.
pub fn propose(
    space: &SearchSpace,
    _settings: &TpeSettings,
    index: u64,
    _history: &[Observation<'_>],
) -> Params {
    super::random::assignment(space, index)
}
