//! The seam between searches and models: a [`TrialConfig`] goes in, an [`Objective`] trains it
//! and reports per epoch, a [`TrialOutcome`] comes out; the runner and the samplers know nothing
//! else of the model.

pub mod confusion;
pub mod mlp;
pub mod params;

use std::ops::ControlFlow;

pub use confusion::ConfusionMatrix;

use crate::space::schema::ParamSpec;
use crate::space::value::Params;

/// Where a trial is in an adaptive schedule (successive halving, Hyperband).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rung {
    /// The bracket's position in running order (0-based; halving has one bracket).
    pub bracket: u32,
    /// The rung within the bracket (0-based).
    pub index: u32,
    /// Whether it is the bracket's last rung (a trial that completes it is done).
    pub last: bool,
}

/// One trial to run: a stable id, its own seed, a full parameter assignment and, under
/// halving or Hyperband, the rung it is in.
#[derive(Clone, Debug, PartialEq)]
pub struct TrialConfig {
    /// Grid index, random draw index or configuration index; stable across runs of the space.
    pub id: u64,
    /// The seed for the trial's own RNG (weight init, shuffling, dropout):
    /// `seed::trial_seed(sweep seed, id)`, or `[search] trial_seed` when the file fixes it.
    pub seed: u64,
    /// Every schema parameter, `None` where inactive.
    pub params: Params,
    /// Train until this many epochs in all (a rung's budget); `None`: the trial's own epochs.
    pub epochs: Option<usize>,
    /// Epochs the trial trained in earlier rungs (0 for a new trial): the objective continues
    /// from there, from its paused state or by replaying them (they are deterministic).
    pub start: usize,
    /// The rung, under halving or Hyperband.
    pub rung: Option<Rung>,
}

/// SplitMix64's finalizer (Steele, Lea & Flood 2014): a bijective 64-bit mixer whose every
/// output bit depends on every input bit. Every seed of a sweep is derived with it (the
/// search's `seed` module; [`TrialConfig::repeat_seed`]).
pub fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl TrialConfig {
    /// A trial that trains all its epochs from scratch (grid, random, TPE, best.toml).
    pub fn new(id: u64, seed: u64, params: Params) -> Self {
        TrialConfig {
            id,
            seed,
            params,
            epochs: None,
            start: 0,
            rung: None,
        }
    }

    /// The training seed of repeat `r` (`[search] repeats`): the trial's own seed for the
    /// first, a seed mixed from (seed, r) for the others, so one repeat is the plain trial.
    pub fn repeat_seed(&self, r: usize) -> u64 {
        match r {
            0 => self.seed,
            r => splitmix64(splitmix64(self.seed) ^ splitmix64(r as u64)) >> 1,
        }
    }
}

/// What one epoch of one trial measured.
#[derive(Clone, Debug, PartialEq)]
pub struct EpochReport {
    /// 0-based epoch index t.
    pub epoch: usize,
    /// The learning rate η_t used during this epoch.
    pub learning_rate: f64,
    /// Mean cross-entropy over this epoch's training mini-batches (no penalty term).
    pub train_loss: f64,
    /// Mean cross-entropy on the validation split after this epoch (no penalty, no dropout).
    pub val_loss: f64,
    /// Fraction of validation samples classified correctly, in [0, 1].
    pub val_accuracy: f64,
    /// Macro F1 on the validation split, in [0, 1].
    pub val_f1: f64,
    /// The cross-validation fold this epoch belongs to (`[data] folds`), else `None`.
    pub fold: Option<usize>,
    /// The repeat this epoch belongs to (`[search] repeats` > 1), else `None`.
    pub repeat: Option<usize>,
}

/// How a trial ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrialStatus {
    /// Ran every epoch.
    Completed,
    /// Early stopping ended it (`patience`).
    StoppedEarly,
    /// Loss or weights became NaN or infinite; ranks last.
    Diverged,
    /// The caller asked it to stop (Ctrl-C); a runner does not record such a trial.
    Interrupted,
    /// It could not run (bad configuration, panic); ranks last.
    Failed,
    /// It completed a rung of successive halving or Hyperband that was not its bracket's last;
    /// in the ranking, a trial whose last row says so was stopped by a rung.
    Pruned,
}

impl TrialStatus {
    /// The lower-case name used in CSV files.
    pub fn name(self) -> &'static str {
        match self {
            TrialStatus::Completed => "completed",
            TrialStatus::StoppedEarly => "stopped_early",
            TrialStatus::Diverged => "diverged",
            TrialStatus::Interrupted => "interrupted",
            TrialStatus::Failed => "failed",
            TrialStatus::Pruned => "pruned",
        }
    }

    /// Parses [`TrialStatus::name`].
    pub fn from_name(name: &str) -> Option<Self> {
        [
            TrialStatus::Completed,
            TrialStatus::StoppedEarly,
            TrialStatus::Diverged,
            TrialStatus::Interrupted,
            TrialStatus::Failed,
            TrialStatus::Pruned,
        ]
        .into_iter()
        .find(|s| s.name() == name)
    }

    /// Whether the trial ran to its end with a score that may win (completed or stopped
    /// early).
    pub fn is_ranked(self) -> bool {
        matches!(self, TrialStatus::Completed | TrialStatus::StoppedEarly)
    }

    /// Whether the trial has a meaningful score (ranked, or pruned by a rung).
    pub fn is_scored(self) -> bool {
        self.is_ranked() || self == TrialStatus::Pruned
    }
}

/// The result of one trial. With cross-validation folds or repeats, a trial is several training
/// runs; every figure below is then the mean over the runs at the best epoch of the mean curve.
#[derive(Clone, Debug, PartialEq)]
pub struct TrialOutcome {
    /// How it ended.
    pub status: TrialStatus,
    /// Why it failed or diverged (empty otherwise).
    pub message: String,
    /// What ranks the trial, lower is better: the ranking metric at the best epoch as a loss
    /// (validation loss, 1 − accuracy or 1 − macro F1); `f64::INFINITY` if none.
    pub score: f64,
    /// The sample standard deviation of `scores` (NaN with one run).
    pub score_std: f64,
    /// Each run's score at the best epoch, runs in order (repeat, then fold); empty with one
    /// run.
    pub scores: Vec<f64>,
    /// The 0-based epoch of the best `score`.
    pub best_epoch: Option<usize>,
    /// Validation loss at `best_epoch` (NaN if none).
    pub best_val_loss: f64,
    /// The sample standard deviation of the runs' validation losses at `best_epoch` (NaN with
    /// one run).
    pub val_loss_std: f64,
    /// Validation accuracy at `best_epoch`.
    pub val_accuracy: f64,
    /// Validation macro F1 at `best_epoch`.
    pub val_f1: f64,
    /// Training loss of `best_epoch`.
    pub train_loss: f64,
    /// Epochs actually run (with several runs: the epochs every run reached).
    pub epochs_run: usize,
    /// Wall-clock seconds spent training.
    pub seconds: f64,
    /// One report per epoch run (and per run: `fold`, `repeat`).
    pub curve: Vec<EpochReport>,
}

impl TrialOutcome {
    /// An outcome for a trial that could not run at all.
    pub fn failed(message: impl Into<String>) -> Self {
        TrialOutcome {
            status: TrialStatus::Failed,
            message: message.into(),
            score: f64::INFINITY,
            score_std: f64::NAN,
            scores: Vec::new(),
            best_epoch: None,
            best_val_loss: f64::NAN,
            val_loss_std: f64::NAN,
            val_accuracy: f64::NAN,
            val_f1: f64::NAN,
            train_loss: f64::NAN,
            epochs_run: 0,
            seconds: 0.0,
            curve: Vec::new(),
        }
    }
}

/// The winner's score on the held-out test split.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TestScore {
    /// Mean cross-entropy on the test split.
    pub loss: f64,
    /// Fraction of test samples classified correctly.
    pub accuracy: f64,
    /// Macro F1 on the test split ([`ConfusionMatrix::macro_f1`]).
    pub f1: f64,
    /// Number of test samples.
    pub samples: usize,
}

/// Something a search can tune: configuration in, per-epoch reports and an outcome out.
///
/// Implementations must be deterministic in `(trial.params, trial.seed)` and single-threaded:
/// parallelism is across trials.
pub trait Objective: Sync {
    /// The parameters this objective accepts, in dependency order.
    fn schema(&self) -> &'static [ParamSpec];

    /// Runs one trial up to `trial.epochs` epochs in all (its own epochs when `None`),
    /// continuing from `trial.start` epochs already trained (from kept state, or by replaying
    /// them: either gives the same curve), and calls `on_epoch` after every epoch trained in
    /// this call (never for replayed ones); `ControlFlow::Break` stops the trial at once with
    /// status [`TrialStatus::Interrupted`]. The outcome's curve holds this call's epochs; its
    /// score and `epochs_run` cover the trial's whole life. An `Err` is a failed trial.
    fn run(
        &self,
        trial: &TrialConfig,
        on_epoch: &mut dyn FnMut(&EpochReport) -> ControlFlow<()>,
    ) -> Result<TrialOutcome, String>;

    /// How many epochs `trial` will run at most, for progress displays (default: unknown).
    fn epochs(&self, _trial: &TrialConfig) -> Option<usize> {
        None
    }

    /// A relative cost estimate, used to start long trials first (default: all equal).
    fn cost(&self, _trial: &TrialConfig) -> f64 {
        1.0
    }

    /// The search will not continue trial `id` (pruned, or its bracket is over): drop whatever
    /// was kept to continue it (default: nothing kept).
    fn release(&self, _id: u64) {}
}
