//! The bridge from a trial's parameters to the embedded MLP trainer.

use std::ops::ControlFlow;
use std::sync::Arc;

use super::{EpochReport, Objective, TrialOutcome};
use crate::data::Dataset;
use crate::search::TrialConfig;
use crate::space::schema::ParamSpec;

/// Trains the embedded MLP on a shared data set. (Skeleton: issue 2 fills it in.)
pub struct MlpObjective {
    #[allow(dead_code)]
    data: Arc<Dataset>,
}

impl MlpObjective {
    /// An objective over `data`.
    pub fn new(data: Arc<Dataset>) -> Self {
        MlpObjective { data }
    }
}

impl Objective for MlpObjective {
    fn schema(&self) -> &'static [ParamSpec] {
        super::params::MLP_PARAMS
    }

    fn run(
        &self,
        _trial: &TrialConfig,
        _on_epoch: &mut dyn FnMut(&EpochReport) -> ControlFlow<()>,
    ) -> Result<TrialOutcome, String> {
        todo!("issue 2")
    }
}
