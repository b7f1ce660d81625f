//! The bridge from a trial's parameters to the embedded MLP trainer.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::{
    ConfusionMatrix, EpochReport, Objective, TestScore, TrialConfig, TrialOutcome, TrialStatus,
};
use crate::data::{Dataset, Split};
use crate::mlp::{
    Activation, BatchSize, EpochStats, LrSchedule, Metric, MlpConfig, MlpParams, Network,
    Optimizer, Penalty, Predictor, Samples, Status, Trainer,
};
use crate::space::Scoring;
use crate::space::schema::ParamSpec;
use crate::space::value::{Params, Value};

/// Trains the embedded MLP on a shared data set: fits on `train`, scores on `validation` (or on
/// each cross-validation fold in turn, and `repeats` times with different seeds: a trial is
/// then several runs, scored on their mean curve), and evaluates only the winner on `test`.
/// Keeps the trainers of trials paused between rungs (halving, Hyperband) within
/// [`PAUSED_BYTES`]; a trial whose trainers were not kept (over the budget, or a resumed sweep)
/// is replayed from its seeds to where it paused, which gives the same weights at the cost of
/// training those epochs again.
///
/// With one run per trial, keeps the best-epoch weights of the best trial that ran to its end
/// so far, in the ranking's order (lowest score, ties by lowest id, as the report's `RankKey`
/// orders them): whatever the scheduling, once the sweep is over that is the winner's model,
/// and scoring or saving it trains nothing again ([`MlpObjective::winner`]). With several runs
/// the winner's model is trained once more, for its best epoch count (`refit`).
pub struct MlpObjective {
    data: Arc<Dataset>,
    scoring: Scoring,
    paused: Mutex<Paused>,
    best: Mutex<Option<Kept>>,
    epochs_trained: AtomicU64,
}

/// The best-epoch weights of one trial.
struct Kept {
    id: u64,
    score: f64,
    val_loss: f64,
    network: Network,
}

/// Where the winner's model came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelSource {
    /// Its best epoch's weights, kept while the sweep ran.
    Kept,
    /// Retrained from its seed to the same weights: it ran in an earlier process (a resumed
    /// sweep).
    Retrained,
    /// Trained once more for its best epoch count (`epochs`) on `samples` rows: every non-test
    /// row with folds, the training split with repeats (`refit`).
    Refit {
        /// Epochs trained: the trial's best epoch + 1.
        epochs: usize,
        /// Training rows.
        samples: usize,
    },
}

/// The winner's model.
#[derive(Clone, Debug)]
pub struct WinnerModel {
    /// The weights.
    pub network: Network,
    /// How they were obtained.
    pub source: ModelSource,
}

/// The memory paused trials may hold: 256 MiB.
pub const PAUSED_BYTES: u64 = 256 << 20;

/// Trials waiting for their next rung (the state of each of their runs), and the bytes they
/// hold (estimated).
#[derive(Default)]
struct Paused {
    trials: HashMap<u64, (Vec<RunState>, u64)>,
    bytes: u64,
}

/// One training run of a trial: the data it trains on and its seed.
#[derive(Clone, Copy, Debug)]
struct Run {
    /// The fold held out for validation (`None`: the validation split).
    fold: Option<usize>,
    /// The repeat, when there are several.
    repeat: Option<usize>,
    /// The training seed.
    seed: u64,
}

/// A run's trainer and its curve over the trial's whole life (earlier rungs included).
struct RunState {
    trainer: Trainer,
    curve: Vec<EpochStats>,
}

impl MlpObjective {
    /// An objective over `data`, scored by validation loss, one run per fold.
    pub fn new(data: Arc<Dataset>) -> Self {
        MlpObjective {
            data,
            scoring: Scoring::default(),
            paused: Mutex::new(Paused::default()),
            best: Mutex::new(None),
            epochs_trained: AtomicU64::new(0),
        }
    }

    /// This objective with the sweep's `scoring` (metric, repeats, refit).
    pub fn with_scoring(mut self, scoring: Scoring) -> Self {
        self.scoring = scoring;
        self
    }

    /// Epochs trained so far by every call, replays, retraining and refits included (each run
    /// of a trial counts): the cost of the sweep in epochs.
    pub fn epochs_trained(&self) -> u64 {
        self.epochs_trained.load(Ordering::Relaxed)
    }

    fn count(&self, epochs: usize) {
        self.epochs_trained
            .fetch_add(epochs as u64, Ordering::Relaxed);
    }

    /// The data set trials train on.
    pub fn data(&self) -> &Dataset {
        &self.data
    }

    /// The training runs of one trial: each repeat (different seeds), each fold within it.
    fn runs(&self, trial: &TrialConfig) -> Vec<Run> {
        let folds: Vec<Option<usize>> = match self.data.folds.len() {
            0 => vec![None],
            k => (0..k).map(Some).collect(),
        };
        let repeats = self.scoring.repeats.max(1);
        (0..repeats)
            .flat_map(|r| {
                folds.iter().map(move |&fold| Run {
                    fold,
                    repeat: (repeats > 1).then_some(r),
                    seed: trial.repeat_seed(r),
                })
            })
            .collect()
    }

    /// Runs per trial: folds × repeats.
    pub fn runs_per_trial(&self) -> usize {
        self.data.folds.len().max(1) * self.scoring.repeats.max(1)
    }

    /// The (training, validation) samples of a run on `fold`.
    fn splits(&self, fold: Option<usize>) -> (Samples<'_>, Samples<'_>) {
        match fold {
            Some(k) => {
                let f = &self.data.folds[k];
                (samples(&f.train), samples(&f.validation))
            }
            None => (samples(&self.data.train), samples(&self.data.validation)),
        }
    }

    /// Keeps `trainer`'s best-epoch weights if trial `id` (with `score` and `val_loss`) ranks
    /// before the one kept so far: by score, then validation loss, then id, as ranked.csv.
    fn offer(&self, id: u64, score: f64, val_loss: f64, trainer: &Trainer) {
        let mut best = self.best.lock().unwrap_or_else(|e| e.into_inner());
        let before = |k: &Kept| {
            (score.total_cmp(&k.score))
                .then(val_loss.total_cmp(&k.val_loss))
                .then(id.cmp(&k.id))
                .is_lt()
        };
        if best.as_ref().is_none_or(before) {
            *best = Some(Kept {
                id,
                score,
                val_loss,
                network: trainer.best_network().clone(),
            });
        }
    }

    /// The model of `trial`, the sweep's winner, whose best epoch was `best_epoch`.
    ///
    /// With one run per trial: its best-epoch weights, the ones kept when it ran in this
    /// process, else (a resumed sweep) retrained from its seed as [`Objective::run`] trained
    /// it. With folds or repeats: trained again for `best_epoch + 1` epochs with the trial's
    /// seed, on every non-test row (folds) or on the training split (repeats); `None` when
    /// `refit = false`.
    pub fn winner(
        &self,
        trial: &TrialConfig,
        best_epoch: Option<usize>,
    ) -> Result<Option<WinnerModel>, String> {
        if self.runs_per_trial() > 1 {
            return match self.scoring.refit {
                true => self.refit(trial, best_epoch).map(Some),
                false => Ok(None),
            };
        }
        let kept = self.best.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(k) = kept.as_ref().filter(|k| k.id == trial.id) {
            return Ok(Some(WinnerModel {
                network: k.network.clone(),
                source: ModelSource::Kept,
            }));
        }
        drop(kept);
        let mut trainer = self.trainer(trial, trial.seed)?;
        let (train, val) = self.splits(None);
        let outcome = trainer
            .train(train, val, trainer.config().epochs(), &mut |_| {
                ControlFlow::Continue(())
            })
            .map_err(|e| e.to_string())?;
        self.count(outcome.curve.len());
        if let Status::Diverged { .. } = outcome.status {
            return Err(format!("cannot retrain the winner: {}", outcome.status));
        }
        Ok(Some(WinnerModel {
            network: trainer.best_network().clone(),
            source: ModelSource::Retrained,
        }))
    }

    /// Trains `trial` with its seed for `best_epoch + 1` epochs on `data.train` (every
    /// non-test row with folds) and returns the final weights.
    fn refit(&self, trial: &TrialConfig, best_epoch: Option<usize>) -> Result<WinnerModel, String> {
        let epochs = best_epoch.ok_or("cannot refit the winner: it has no best epoch")? + 1;
        let mut trainer = self.trainer(trial, trial.seed)?;
        let train = samples(&self.data.train);
        for epoch in 0..epochs {
            let loss = trainer.train_epoch(train).map_err(|e| e.to_string())?;
            self.count(1);
            if !loss.is_finite() || !trainer.network().is_finite() {
                return Err(format!(
                    "refitting the winner on all {} rows diverged in epoch {epoch}",
                    train.len()
                ));
            }
        }
        Ok(WinnerModel {
            network: trainer.network().clone(),
            source: ModelSource::Refit {
                epochs,
                samples: train.len(),
            },
        })
    }

    fn paused(&self) -> std::sync::MutexGuard<'_, Paused> {
        self.paused.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps the runs of trial `id` for its next rung, unless that would pass
    /// [`PAUSED_BYTES`].
    fn pause(&self, id: u64, runs: Vec<RunState>) {
        let inputs = self.data.train.x.ncols();
        let bytes: u64 = runs
            .iter()
            .map(|r| {
                let weights = r
                    .trainer
                    .config()
                    .weight_count(inputs, self.data.classes.len());
                // Weights, the best epoch's copy, gradients and optimizer state, the shuffling
                // order, the curve, a MiB of buffers.
                weights * 20 + self.data.train.y.len() as u64 * 8 + (1 << 20)
            })
            .sum();
        let mut paused = self.paused();
        if paused.bytes + bytes <= PAUSED_BYTES {
            paused.bytes += bytes;
            paused.trials.insert(id, (runs, bytes));
        }
    }

    /// The kept runs of trial `id`, if any.
    fn resume(&self, id: u64) -> Option<Vec<RunState>> {
        let mut paused = self.paused();
        let (runs, bytes) = paused.trials.remove(&id)?;
        paused.bytes -= bytes;
        Some(runs)
    }

    /// The trial's checked trainer configuration, with the sweep's metric. With several runs
    /// per trial, early stopping is the objective's, on the runs' mean curve, not each
    /// trainer's.
    fn config(&self, trial: &TrialConfig) -> Result<MlpConfig, String> {
        let mut params = mlp_params(&trial.params)?;
        params.metric = self.scoring.metric;
        if self.runs_per_trial() > 1 {
            params.patience = None;
        }
        params.validate().map_err(|e| e.to_string())
    }

    /// A new trainer for `trial`'s network, initialized from `seed`.
    fn trainer(&self, trial: &TrialConfig, seed: u64) -> Result<Trainer, String> {
        let (inputs, classes) = (self.data.train.x.ncols(), self.data.classes.len());
        Trainer::new(&self.config(trial)?, inputs, classes, seed).map_err(|e| e.to_string())
    }

    /// A new trainer for `run`, trained (replayed) to `trial.start` epochs; adds the replay's
    /// seconds to `seconds`.
    fn start(&self, trial: &TrialConfig, run: &Run, seconds: &mut f64) -> Result<RunState, String> {
        let mut trainer = self.trainer(trial, run.seed)?;
        let mut curve = Vec::new();
        if trial.start > 0 {
            let (train, val) = self.splits(run.fold);
            let replay = trainer
                .train(train, val, trial.start, &mut |_| ControlFlow::Continue(()))
                .map_err(|e| e.to_string())?;
            self.count(replay.curve.len());
            *seconds += replay.seconds;
            curve = replay.curve;
        }
        Ok(RunState { trainer, curve })
    }
}

impl Objective for MlpObjective {
    fn schema(&self) -> &'static [ParamSpec] {
        super::params::MLP_PARAMS
    }

    fn run(
        &self,
        trial: &TrialConfig,
        on_epoch: &mut dyn FnMut(&EpochReport) -> ControlFlow<()>,
    ) -> Result<TrialOutcome, String> {
        let runs = self.runs(trial);
        let kept = self
            .resume(trial.id)
            .filter(|states| states.iter().all(|s| s.trainer.epoch() == trial.start));
        let mut seconds = 0.0;
        let mut states = match kept {
            Some(states) => states,
            None => runs
                .iter()
                .map(|run| self.start(trial, run, &mut seconds))
                .collect::<Result<Vec<_>, _>>()?,
        };
        let all = states[0].trainer.config().epochs();
        let target = trial.epochs.map_or(all, |e| e.min(all));
        let mut curve = Vec::new();
        // Trains `run` for up to `epochs` more epochs; how that call ended.
        let mut step = |run: &Run, state: &mut RunState, epochs: usize| {
            let (train, val) = self.splits(run.fold);
            let mut report = |s: &EpochStats| on_epoch(&epoch_report(s, run));
            let outcome = state
                .trainer
                .train(train, val, epochs, &mut report)
                .map_err(|e| e.to_string())?;
            self.count(outcome.curve.len());
            seconds += outcome.seconds;
            curve.extend(outcome.curve.iter().map(|s| epoch_report(s, run)));
            state.curve.extend_from_slice(&outcome.curve);
            Ok::<_, String>(outcome.status)
        };
        let mut ended = (Status::Completed, String::new());
        if let [state] = &mut states[..] {
            // One run: one call, the trainer's own early stopping.
            let more = target.saturating_sub(state.trainer.epoch());
            ended.0 = step(&runs[0], state, more)?;
        } else {
            // Several runs: epoch by epoch in step, early stopping judged on the mean curve.
            let patience = mlp_config(&trial.params)?.patience();
            'epochs: for epoch in states[0].trainer.epoch()..target {
                for (run, state) in runs.iter().zip(&mut states) {
                    let status = step(run, state, 1)?;
                    if status != Status::Completed {
                        ended = (status, run_name(run, runs.len()));
                        break 'epochs;
                    }
                }
                let since = epochs_since_best(&states, self.scoring.metric);
                if patience.is_some_and(|p| since >= p) && epoch + 1 < all {
                    ended.0 = Status::StoppedEarly;
                    break;
                }
            }
        }
        let mut outcome = summarize(&states, self.scoring.metric, ended);
        outcome.seconds = seconds;
        outcome.curve = curve;
        let goes_on =
            trial.rung.is_some_and(|r| !r.last) && outcome.status == TrialStatus::Completed;
        if goes_on {
            self.pause(trial.id, states);
        } else if outcome.status.is_ranked() && states.len() == 1 {
            self.offer(
                trial.id,
                outcome.score,
                outcome.best_val_loss,
                &states[0].trainer,
            );
        }
        Ok(outcome)
    }

    fn release(&self, id: u64) {
        drop(self.resume(id));
    }

    /// Epoch reports of this call at most: each run's epochs still to train.
    fn epochs(&self, trial: &TrialConfig) -> Option<usize> {
        let all = mlp_config(&trial.params).ok()?.epochs();
        let target = trial.epochs.map_or(all, |e| e.min(all));
        Some(target.saturating_sub(trial.start) * self.runs_per_trial())
    }

    /// Epochs to train × training samples × weights × runs: proportional to the multiply-adds.
    fn cost(&self, trial: &TrialConfig) -> f64 {
        match mlp_config(&trial.params) {
            Ok(config) => {
                let weights =
                    config.weight_count(self.data.train.x.ncols(), self.data.classes.len());
                let epochs = trial.epochs.unwrap_or(config.epochs()).min(config.epochs());
                let epochs = epochs.saturating_sub(trial.start);
                epochs as f64
                    * self.data.train.x.nrows() as f64
                    * weights as f64
                    * self.runs_per_trial() as f64
            }
            Err(_) => 0.0,
        }
    }
}

impl MlpObjective {
    /// The score of `network` on the test split; `None` without one.
    pub fn test_score(&self, network: &Network) -> Option<Result<TestScore, String>> {
        let test = self.data.test.as_ref()?;
        let mut predictor = Predictor::new(network.clone());
        let mut score = || -> Result<TestScore, String> {
            let eval = predictor
                .evaluate(samples(test))
                .map_err(|e| e.to_string())?;
            Ok(TestScore {
                loss: eval.loss,
                accuracy: eval.accuracy,
                f1: eval.f1,
                samples: test.y.len(),
            })
        };
        Some(score())
    }

    /// The confusion matrix of `network` on the test split, else on the validation split, and
    /// the split's name (`"test"`, `"validation"`); `None` when neither has rows
    /// (cross-validation without a test split).
    pub fn confusion(
        &self,
        network: &Network,
    ) -> Result<Option<(ConfusionMatrix, &'static str)>, String> {
        let (split, name) = match &self.data.test {
            Some(test) => (test, "test"),
            None => (&self.data.validation, "validation"),
        };
        if split.y.is_empty() {
            return Ok(None);
        }
        let predicted = Predictor::new(network.clone())
            .predict(split.x.view())
            .map_err(|e| e.to_string())?;
        let matrix = ConfusionMatrix::new(self.data.classes.len(), &split.y, &predicted.classes);
        Ok(Some((matrix, name)))
    }
}

fn samples(split: &Split) -> Samples<'_> {
    Samples::new(split.x.view(), &split.y)
}

fn epoch_report(s: &EpochStats, run: &Run) -> EpochReport {
    EpochReport {
        epoch: s.epoch,
        learning_rate: s.learning_rate,
        train_loss: s.train_loss,
        val_loss: s.val_loss,
        val_accuracy: s.val_accuracy,
        val_f1: s.val_f1,
        fold: run.fold,
        repeat: run.repeat,
    }
}

/// How a run is named in messages (`"fold 2: "`, `"repeat 1, fold 0: "`), empty for the
/// only run of a trial.
fn run_name(run: &Run, runs: usize) -> String {
    let parts: Vec<String> = [("repeat", run.repeat), ("fold", run.fold)]
        .into_iter()
        .filter_map(|(what, i)| Some(format!("{what} {}", i?)))
        .collect();
    match runs {
        1 => String::new(),
        _ => format!("{}: ", parts.join(", ")),
    }
}

/// The outcome of a trial from its runs' whole-life curves: the mean curve over the epochs
/// every run reached, its best epoch by `metric` (ties by validation loss, then the first, as
/// the trainer picks it), and the figures there. `ended` is how training ended, with the run it concerns.
fn summarize(states: &[RunState], metric: Metric, ended: (Status, String)) -> TrialOutcome {
    let (status, message) = match ended.0 {
        Status::Completed => (TrialStatus::Completed, String::new()),
        Status::StoppedEarly => (TrialStatus::StoppedEarly, String::new()),
        Status::Interrupted => (TrialStatus::Interrupted, String::new()),
        s @ Status::Diverged { .. } => (TrialStatus::Diverged, format!("{}{s}", ended.1)),
    };
    let n = states.len();
    let epochs = states.iter().map(|s| s.curve.len()).min().unwrap_or(0);
    let mean = |e: usize, f: fn(&EpochStats) -> f64| {
        states.iter().map(|s| f(&s.curve[e])).sum::<f64>() / n as f64
    };
    let figures = |e: usize| {
        (
            mean(e, |s| s.val_loss),
            mean(e, |s| s.val_accuracy),
            mean(e, |s| s.val_f1),
        )
    };
    let key = |e: usize| {
        let (loss, accuracy, f1) = figures(e);
        (metric.score(loss, accuracy, f1), loss)
    };
    let best = (0..epochs).fold(None, |best: Option<usize>, e| match best {
        Some(b) if !metric.better(key(e), key(b)) => Some(b),
        _ => Some(e),
    });
    let mut outcome = TrialOutcome::failed(message);
    outcome.status = status;
    outcome.epochs_run = match n {
        1 => states[0].trainer.epoch(),
        _ => epochs,
    };
    if let Some(e) = best {
        let (loss, accuracy, f1) = figures(e);
        let of_run = |s: &RunState| {
            let r = &s.curve[e];
            metric.score(r.val_loss, r.val_accuracy, r.val_f1)
        };
        outcome.score = metric.score(loss, accuracy, f1);
        outcome.best_epoch = Some(e);
        outcome.best_val_loss = loss;
        outcome.val_accuracy = accuracy;
        outcome.val_f1 = f1;
        outcome.train_loss = mean(e, |s| s.train_loss);
        if n > 1 {
            outcome.scores = states.iter().map(of_run).collect();
            outcome.score_std = std_dev(&outcome.scores);
            let losses: Vec<f64> = states.iter().map(|s| s.curve[e].val_loss).collect();
            outcome.val_loss_std = std_dev(&losses);
        }
    }
    outcome
}

/// Epochs of the runs' mean curve after its best one (by `metric`, as [`summarize`] picks it).
fn epochs_since_best(states: &[RunState], metric: Metric) -> usize {
    let outcome = summarize(states, metric, (Status::Completed, String::new()));
    let epochs = states.iter().map(|s| s.curve.len()).min().unwrap_or(0);
    outcome
        .best_epoch
        .map_or(0, |best| epochs.saturating_sub(best + 1))
}

/// The sample standard deviation (n − 1 in the denominator) of at least two values.
fn std_dev(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
}

/// Turns a trial's parameters (schema names, `None` when inactive) into a checked trainer
/// configuration. Absent parameters take the schema defaults of [`MlpParams::default`].
pub fn mlp_config(params: &Params) -> Result<MlpConfig, String> {
    mlp_params(params)?.validate().map_err(|e| e.to_string())
}

/// A trial's parameters as trainer hyper-parameters, not yet checked ([`mlp_config`]).
fn mlp_params(params: &Params) -> Result<MlpParams, String> {
    let defaults = MlpParams::default();
    let float = |name: &str, default: f64| -> Result<f64, String> {
        match params.get(name) {
            None => Ok(default),
            Some(v) => v.as_f64().ok_or_else(|| wrong_type(name, v, "a number")),
        }
    };
    let count = |name: &str| -> Result<Option<usize>, String> {
        match params.get(name) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .and_then(|i| usize::try_from(i).ok())
                .map(Some)
                .ok_or_else(|| wrong_type(name, v, "a whole number ≥ 0")),
        }
    };
    let name = |key: &str, default: &'static str| -> Result<String, String> {
        match params.get(key) {
            None => Ok(default.to_string()),
            Some(v) => v
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| wrong_type(key, v, "a name")),
        }
    };

    let hidden = match params.get("hidden") {
        Some(Value::List(widths)) => widths
            .iter()
            .map(|&w| {
                usize::try_from(w).map_err(|_| {
                    format!(
                        "hidden = {}: widths must be ≥ 1",
                        Value::List(widths.clone())
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?,
        Some(v) => return Err(wrong_type("hidden", v, "a list of widths")),
        None => {
            let layers = count("hidden_layers")?.unwrap_or(defaults.hidden.len());
            let neurons = count("neurons")?.unwrap_or(defaults.hidden[0]);
            vec![neurons; layers]
        }
    };
    let activation = name("activation", defaults.activation.name())?;
    let activation = Activation::from_name(&activation).ok_or_else(|| {
        format!(
            "activation = \"{activation}\": not one of relu, tanh, sigmoid, leaky_relu, elu, gelu"
        )
    })?;
    let decay = name("decay", "none")?;
    let rate = float("decay_rate", 0.1)?;
    let schedule = match decay.as_str() {
        "none" => LrSchedule::None,
        "inverse" => LrSchedule::Inverse { rate },
        "exponential" => LrSchedule::Exponential { rate },
        "step" => LrSchedule::Step {
            rate,
            every: count("decay_step")?.unwrap_or(10),
        },
        other => {
            return Err(format!(
                "decay = \"{other}\": not one of none, inverse, exponential, step"
            ));
        }
    };
    let regularization = name("regularization", defaults.penalty.name())?;
    let penalty = Penalty::from_name(&regularization)
        .ok_or_else(|| format!("regularization = \"{regularization}\": not one of none, l2, l1"))?;
    let batch_size = match params.get("batch_size") {
        None => defaults.batch_size,
        Some(Value::Text(t)) if t == "full" => BatchSize::Full,
        Some(v) => match v.as_i64().and_then(|i| usize::try_from(i).ok()) {
            Some(b) => BatchSize::MiniBatch(b),
            None => {
                return Err(wrong_type(
                    "batch_size",
                    v,
                    "a whole number ≥ 1 or \"full\"",
                ));
            }
        },
    };
    let optimizer = match name("optimizer", defaults.optimizer.name())?.as_str() {
        "sgd" => Optimizer::Sgd,
        "momentum" => Optimizer::Momentum {
            momentum: float("momentum", Optimizer::DEFAULT_MOMENTUM)?,
        },
        "nesterov" => Optimizer::Nesterov {
            momentum: float("momentum", Optimizer::DEFAULT_MOMENTUM)?,
        },
        "adam" => Optimizer::Adam {
            beta1: float("beta1", Optimizer::DEFAULT_BETA1)?,
            beta2: float("beta2", Optimizer::DEFAULT_BETA2)?,
            epsilon: float("epsilon", Optimizer::DEFAULT_EPSILON)?,
        },
        other => {
            return Err(format!(
                "optimizer = \"{other}\": not one of sgd, momentum, nesterov, adam"
            ));
        }
    };
    let clip_norm = match params.get("clip_norm") {
        None => None,
        Some(_) => Some(float("clip_norm", 0.0)?),
    };
    Ok(MlpParams {
        hidden,
        activation,
        learning_rate: float("learning_rate", defaults.learning_rate)?,
        schedule,
        penalty,
        alpha: if penalty == Penalty::None {
            0.0
        } else {
            float("alpha", defaults.alpha)?
        },
        dropout: float("dropout", defaults.dropout)?,
        batch_size,
        epochs: count("epochs")?.unwrap_or(defaults.epochs),
        patience: count("patience")?,
        metric: Metric::Loss,
        optimizer,
        clip_norm,
    })
}

fn wrong_type(name: &str, value: &Value, expected: &str) -> String {
    format!("{name} = {value}: expected {expected}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn params(entries: &[(&'static str, Value)]) -> Params {
        let mut p = Params::new();
        for (k, v) in entries {
            p.set(k, Some(v.clone()));
        }
        p
    }

    fn toy_data(test: bool) -> Arc<Dataset> {
        let split = |n: usize| Split {
            x: Array2::from_shape_fn((n, 3), |(i, j)| ((i % 3) as f32 - 1.0) * (j as f32 + 1.0)),
            y: (0..n).map(|i| i % 3).collect(),
        };
        Arc::new(Dataset {
            train: split(30),
            validation: split(9),
            test: test.then(|| split(6)),
            classes: vec!["a".into(), "b".into(), "c".into()],
            features: vec!["f0".into(), "f1".into(), "f2".into()],
            preprocessing: Default::default(),
            folds: Vec::new(),
        })
    }

    #[test]
    fn hidden_layers_times_neurons_or_an_explicit_list() {
        let c = mlp_config(&params(&[
            ("hidden_layers", Value::Int(2)),
            ("neurons", Value::Int(8)),
        ]))
        .unwrap();
        assert_eq!(c.hidden(), [8, 8]);
        let c = mlp_config(&params(&[("hidden", Value::List(vec![16, 4]))])).unwrap();
        assert_eq!(c.hidden(), [16, 4]);
        let c = mlp_config(&params(&[("hidden_layers", Value::Int(0))])).unwrap();
        assert!(c.hidden().is_empty());
    }

    #[test]
    fn batch_size_full_and_schedules() {
        let c = mlp_config(&params(&[
            ("batch_size", Value::Text("full".into())),
            ("decay", Value::Text("step".into())),
            ("decay_rate", Value::Float(0.5)),
            ("decay_step", Value::Int(3)),
        ]))
        .unwrap();
        assert_eq!(c.batch_size(), BatchSize::Full);
        assert_eq!(
            c.schedule(),
            LrSchedule::Step {
                rate: 0.5,
                every: 3
            }
        );
    }

    #[test]
    fn optimizer_parameters_map_to_the_rule() {
        let c = mlp_config(&params(&[
            ("optimizer", Value::Text("nesterov".into())),
            ("momentum", Value::Float(0.5)),
            ("clip_norm", Value::Int(2)),
        ]))
        .unwrap();
        assert_eq!(c.optimizer(), Optimizer::Nesterov { momentum: 0.5 });
        assert_eq!(c.clip_norm(), Some(2.0));
        let c = mlp_config(&params(&[
            ("optimizer", Value::Text("adam".into())),
            ("beta2", Value::Float(0.99)),
        ]))
        .unwrap();
        assert_eq!(
            c.optimizer(),
            Optimizer::Adam {
                beta1: 0.9,
                beta2: 0.99,
                epsilon: 1e-8
            }
        );
        assert_eq!(c.clip_norm(), None);
        let e = mlp_config(&params(&[("optimizer", Value::Text("rmsprop".into()))])).unwrap_err();
        assert_eq!(
            e,
            "optimizer = \"rmsprop\": not one of sgd, momentum, nesterov, adam"
        );
    }

    #[test]
    fn config_errors_are_messages() {
        let e = mlp_config(&params(&[("learning_rate", Value::Float(-1.0))])).unwrap_err();
        assert_eq!(
            e,
            "learning_rate = -1: the learning rate η0 must be a finite number > 0"
        );
        let e = mlp_config(&params(&[("epochs", Value::Text("x".into()))])).unwrap_err();
        assert_eq!(e, "epochs = x: expected a whole number ≥ 0");
    }

    #[test]
    fn run_maps_the_best_epoch_and_test_scores_its_weights_without_retraining() {
        let objective = MlpObjective::new(toy_data(true));
        let trial = TrialConfig::new(
            0,
            5,
            params(&[
                ("learning_rate", Value::Float(10.0)),
                ("epochs", Value::Int(6)),
                ("neurons", Value::Int(5)),
            ]),
        );
        let mut seen = 0;
        let outcome = objective
            .run(&trial, &mut |_| {
                seen += 1;
                ControlFlow::Continue(())
            })
            .unwrap();
        assert_eq!(outcome.status, TrialStatus::Completed);
        assert_eq!((seen, outcome.epochs_run, outcome.curve.len()), (6, 6, 6));
        let best = outcome.best_epoch.unwrap();
        let at_best = &outcome.curve[best];
        assert_eq!(
            (
                outcome.best_val_loss,
                outcome.val_accuracy,
                outcome.train_loss
            ),
            (at_best.val_loss, at_best.val_accuracy, at_best.train_loss)
        );
        // The rate overshoots: the best epoch is the first, not the last.
        let last = &outcome.curve[5];
        assert_eq!(best, 0);
        assert_ne!(outcome.val_accuracy, last.val_accuracy);
        assert_eq!(objective.epochs_trained(), 6);
        let test = |o: &MlpObjective| {
            let model = o.winner(&trial, outcome.best_epoch).unwrap().unwrap();
            o.test_score(&model.network)
        };
        let score = test(&objective).unwrap().unwrap();
        assert_eq!(objective.epochs_trained(), 6, "the winner is not retrained");
        assert_eq!(score.samples, 6);
        // The test split is a copy of the validation rows' pattern: the best epoch's weights
        // give the best epoch's loss.
        assert!(
            (score.loss - outcome.best_val_loss).abs() < 1e-9,
            "{} vs {}",
            score.loss,
            outcome.best_val_loss
        );
        // A trial that ran in another process (a resumed sweep) is retrained to the same
        // weights.
        let fresh = MlpObjective::new(toy_data(true));
        let winner = |o: &MlpObjective| o.winner(&trial, None).unwrap().unwrap();
        let model = winner(&fresh);
        assert_eq!(model.source, ModelSource::Retrained);
        assert_eq!(winner(&objective).source, ModelSource::Kept);
        assert_eq!(model.network, winner(&objective).network);
        assert_eq!(test(&fresh).unwrap().unwrap(), score);
        assert!(objective.cost(&trial) > 0.0);
        assert!(test(&MlpObjective::new(toy_data(false))).is_none());
    }

    #[test]
    fn the_kept_model_is_the_first_in_ranking_order_whatever_the_run_order() {
        let objective = MlpObjective::new(toy_data(true));
        let trial = |id| {
            TrialConfig::new(
                id,
                5,
                params(&[("epochs", Value::Int(2)), ("neurons", Value::Int(3))]),
            )
        };
        // Same seed, same parameters: equal scores, so the lowest id must win.
        for id in [4, 2, 7] {
            objective
                .run(&trial(id), &mut |_| ControlFlow::Continue(()))
                .unwrap();
        }
        let source = |id| objective.winner(&trial(id), None).unwrap().unwrap().source;
        assert_eq!(source(2), ModelSource::Kept);
        assert_eq!(source(4), ModelSource::Retrained);
    }

    /// The curve of a trial trained to 3 epochs, paused, then promoted to 9, with its state
    /// kept or replayed.
    fn promoted(objective: &MlpObjective, trial: &TrialConfig, replay: bool) -> Vec<EpochReport> {
        use crate::objective::Rung;
        let rung = |index, last| {
            Some(Rung {
                bracket: 0,
                index,
                last,
            })
        };
        let first = TrialConfig {
            epochs: Some(3),
            rung: rung(0, false),
            ..trial.clone()
        };
        let second = TrialConfig {
            epochs: Some(9),
            start: 3,
            rung: rung(1, true),
            ..trial.clone()
        };
        let go = |t: &TrialConfig| {
            objective
                .run(t, &mut |_| ControlFlow::Continue(()))
                .unwrap()
        };
        let a = go(&first);
        assert_eq!((a.status, a.epochs_run), (TrialStatus::Completed, 3));
        if replay {
            objective.release(trial.id);
        }
        let b = go(&second);
        assert_eq!((b.epochs_run, b.curve.len()), (9, 6));
        a.curve.into_iter().chain(b.curve).collect()
    }

    #[test]
    fn a_promoted_trial_continues_exactly_as_one_run() {
        let objective = MlpObjective::new(toy_data(false));
        let trial = TrialConfig::new(
            3,
            11,
            params(&[
                ("learning_rate", Value::Float(0.1)),
                ("epochs", Value::Int(9)),
                ("neurons", Value::Int(4)),
                ("decay", Value::Text("exponential".into())),
                ("dropout", Value::Float(0.2)),
            ]),
        );
        let straight = objective
            .run(&trial, &mut |_| ControlFlow::Continue(()))
            .unwrap()
            .curve;
        assert_eq!(straight.len(), 9);
        let strip = |c: Vec<EpochReport>| {
            c.into_iter()
                .map(|r| {
                    (
                        r.epoch,
                        r.learning_rate,
                        r.train_loss,
                        r.val_loss,
                        r.val_accuracy,
                    )
                })
                .collect::<Vec<_>>()
        };
        let straight = strip(straight);
        assert_eq!(strip(promoted(&objective, &trial, false)), straight);
        assert_eq!(strip(promoted(&objective, &trial, true)), straight);
    }

    #[test]
    fn break_interrupts_and_bad_config_fails() {
        let objective = MlpObjective::new(toy_data(false));
        let trial = TrialConfig::new(1, 1, params(&[("epochs", Value::Int(5))]));
        let outcome = objective
            .run(&trial, &mut |_| ControlFlow::Break(()))
            .unwrap();
        assert_eq!(
            (outcome.status, outcome.epochs_run),
            (TrialStatus::Interrupted, 1)
        );
        let bad = TrialConfig::new(2, 1, params(&[("dropout", Value::Float(1.0))]));
        let err = objective
            .run(&bad, &mut |_| ControlFlow::Continue(()))
            .unwrap_err();
        assert_eq!(
            err,
            "dropout = 1: the dropout probability p must be in [0, 1)"
        );
    }
}
