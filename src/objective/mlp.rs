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
    Activation, BatchSize, EpochStats, LrSchedule, MlpConfig, MlpParams, Network, Optimizer,
    Outcome, Penalty, Predictor, Samples, Status, Trainer,
};
use crate::space::schema::ParamSpec;
use crate::space::value::{Params, Value};

/// Trains the embedded MLP on a shared data set: fits on `train`, scores on `validation`, and
/// evaluates only the winner on `test`. Keeps the trainers of trials paused between rungs
/// (halving, Hyperband) within [`PAUSED_BYTES`]; a trial whose trainer was not kept (over the
/// budget, or a resumed sweep) is replayed from its seed to where it paused, which gives the
/// same weights at the cost of training those epochs again.
///
/// Keeps the best-epoch weights of the best trial that ran to its end so far, in the ranking's
/// order (lowest score, ties by lowest id, as the report's `RankKey` orders them): whatever
/// the scheduling, once the sweep is over that is the winner's model, and scoring or saving it
/// trains nothing again ([`MlpObjective::winner`]).
pub struct MlpObjective {
    data: Arc<Dataset>,
    paused: Mutex<Paused>,
    best: Mutex<Option<Kept>>,
    epochs_trained: AtomicU64,
}

/// The best-epoch weights of one trial.
struct Kept {
    id: u64,
    score: f64,
    network: Network,
}

/// The winner's model: its best epoch's weights.
#[derive(Clone, Debug)]
pub struct WinnerModel {
    /// The weights of the winner's best epoch.
    pub network: Network,
    /// Whether they had to be trained again: the winner ran in an earlier process (a resumed
    /// sweep), and was retrained from its seed, which gives the same weights.
    pub retrained: bool,
}

/// The memory paused trainers may hold: 256 MiB.
pub const PAUSED_BYTES: u64 = 256 << 20;

/// Trainers waiting for their next rung, and the bytes they hold (estimated).
#[derive(Default)]
struct Paused {
    trainers: HashMap<u64, (Trainer, u64)>,
    bytes: u64,
}

impl MlpObjective {
    /// An objective over `data`.
    pub fn new(data: Arc<Dataset>) -> Self {
        MlpObjective {
            data,
            paused: Mutex::new(Paused::default()),
            best: Mutex::new(None),
            epochs_trained: AtomicU64::new(0),
        }
    }

    /// Epochs trained so far by every call, replays and retraining included: the cost of the
    /// sweep in epochs.
    pub fn epochs_trained(&self) -> u64 {
        self.epochs_trained.load(Ordering::Relaxed)
    }

    fn count(&self, outcome: &Outcome) {
        let epochs = outcome.curve.len() as u64;
        self.epochs_trained.fetch_add(epochs, Ordering::Relaxed);
    }

    /// The data set trials train on.
    pub fn data(&self) -> &Dataset {
        &self.data
    }

    /// Keeps `trainer`'s best-epoch weights if trial `id` ranks before the one kept so far.
    fn offer(&self, id: u64, trainer: &Trainer) {
        let Some(score) = trainer.best().map(|b| b.val_loss) else {
            return;
        };
        let mut best = self.best.lock().unwrap_or_else(|e| e.into_inner());
        let before = |k: &Kept| score.total_cmp(&k.score).then(id.cmp(&k.id)).is_lt();
        if best.as_ref().is_none_or(before) {
            *best = Some(Kept {
                id,
                score,
                network: trainer.best_network().clone(),
            });
        }
    }

    /// The best-epoch weights of `trial`, the sweep's winner: the ones kept when it ran in
    /// this process, else (a resumed sweep) retrained from its seed as [`Objective::run`]
    /// trained it.
    pub fn winner(&self, trial: &TrialConfig) -> Result<WinnerModel, String> {
        let kept = self.best.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(k) = kept.as_ref().filter(|k| k.id == trial.id) {
            return Ok(WinnerModel {
                network: k.network.clone(),
                retrained: false,
            });
        }
        drop(kept);
        let (trainer, outcome) = self.train(trial, &mut |_| ControlFlow::Continue(()))?;
        if let Status::Diverged { .. } = outcome.status {
            return Err(format!("cannot retrain the winner: {}", outcome.status));
        }
        Ok(WinnerModel {
            network: trainer.best_network().clone(),
            retrained: true,
        })
    }

    fn paused(&self) -> std::sync::MutexGuard<'_, Paused> {
        self.paused.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps `trainer` for trial `id`'s next rung, unless that would pass [`PAUSED_BYTES`].
    fn pause(&self, id: u64, trainer: Trainer) {
        let config = trainer.config();
        let weights = config.weight_count(self.data.train.x.ncols(), self.data.classes.len());
        // Weights, the best epoch's copy, gradients and optimizer state, the shuffling order, a
        // MiB of buffers.
        let bytes = weights * 20 + self.data.train.y.len() as u64 * 8 + (1 << 20);
        let mut paused = self.paused();
        if paused.bytes + bytes <= PAUSED_BYTES {
            paused.bytes += bytes;
            paused.trainers.insert(id, (trainer, bytes));
        }
    }

    /// The kept trainer of trial `id`, if any.
    fn resume(&self, id: u64) -> Option<Trainer> {
        let mut paused = self.paused();
        let (trainer, bytes) = paused.trainers.remove(&id)?;
        paused.bytes -= bytes;
        Some(trainer)
    }

    /// Validates the trial's parameters and builds its trainer.
    fn trainer(&self, trial: &TrialConfig) -> Result<(MlpConfig, Trainer), String> {
        let config = mlp_config(&trial.params)?;
        let n_inputs = self.data.train.x.ncols();
        let trainer = Trainer::new(&config, n_inputs, self.data.classes.len(), trial.seed)
            .map_err(|e| e.to_string())?;
        Ok((config, trainer))
    }

    /// Trains `trial` for its configured epochs, reporting each epoch to `on_epoch`.
    fn train(
        &self,
        trial: &TrialConfig,
        on_epoch: &mut dyn FnMut(&EpochStats) -> ControlFlow<()>,
    ) -> Result<(Trainer, Outcome), String> {
        let (config, mut trainer) = self.trainer(trial)?;
        let outcome = trainer
            .train(
                samples(&self.data.train),
                samples(&self.data.validation),
                config.epochs(),
                on_epoch,
            )
            .map_err(|e| e.to_string())?;
        self.count(&outcome);
        Ok((trainer, outcome))
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
        let (train, val) = (samples(&self.data.train), samples(&self.data.validation));
        let kept = self.resume(trial.id).filter(|t| t.epoch() == trial.start);
        let mut replay_seconds = 0.0;
        let mut trainer = match kept {
            Some(trainer) => trainer,
            None => {
                let (_, mut trainer) = self.trainer(trial)?;
                if trial.start > 0 {
                    let replay = trainer
                        .train(train, val, trial.start, &mut |_| ControlFlow::Continue(()))
                        .map_err(|e| e.to_string())?;
                    self.count(&replay);
                    replay_seconds = replay.seconds;
                }
                trainer
            }
        };
        let target = trial.epochs.map_or(trainer.config().epochs(), |e| {
            e.min(trainer.config().epochs())
        });
        let mut report = |s: &EpochStats| on_epoch(&epoch_report(s));
        let more = target.saturating_sub(trainer.epoch());
        let mut outcome = trainer
            .train(train, val, more, &mut report)
            .map_err(|e| e.to_string())?;
        self.count(&outcome);
        outcome.seconds += replay_seconds;
        let epochs_run = trainer.epoch();
        let goes_on = trial.rung.is_some_and(|r| !r.last) && outcome.status == Status::Completed;
        if goes_on {
            self.pause(trial.id, trainer);
        } else if matches!(outcome.status, Status::Completed | Status::StoppedEarly) {
            self.offer(trial.id, &trainer);
        }
        Ok(trial_outcome(outcome, epochs_run))
    }

    fn release(&self, id: u64) {
        drop(self.resume(id));
    }

    fn epochs(&self, trial: &TrialConfig) -> Option<usize> {
        let all = mlp_config(&trial.params).ok()?.epochs();
        Some(trial.epochs.map_or(all, |e| e.min(all)))
    }

    /// Epochs to train × training samples × weights: proportional to the multiply-adds.
    fn cost(&self, trial: &TrialConfig) -> f64 {
        match mlp_config(&trial.params) {
            Ok(config) => {
                let weights =
                    config.weight_count(self.data.train.x.ncols(), self.data.classes.len());
                let epochs = trial.epochs.unwrap_or(config.epochs()).min(config.epochs());
                let epochs = epochs.saturating_sub(trial.start);
                epochs as f64 * self.data.train.x.nrows() as f64 * weights as f64
            }
            Err(_) => 0.0,
        }
    }

    /// Scores the best-epoch weights of `trial` ([`MlpObjective::winner`]) on the test split.
    fn test(&self, trial: &TrialConfig) -> Option<Result<TestScore, String>> {
        self.data.test.as_ref()?;
        Some(
            self.winner(trial)
                .and_then(|w| self.test_score(&w.network).expect("a test split")),
        )
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
            let predicted = predictor
                .predict(test.x.view())
                .map_err(|e| e.to_string())?;
            let matrix = ConfusionMatrix::new(self.data.classes.len(), &test.y, &predicted.classes);
            Ok(TestScore {
                loss: eval.loss,
                accuracy: eval.accuracy,
                f1: matrix.macro_f1(),
                samples: test.y.len(),
            })
        };
        Some(score())
    }

    /// The confusion matrix of `network` on the test split, else on the validation split, and
    /// the split's name (`"test"`, `"validation"`).
    pub fn confusion(&self, network: &Network) -> Result<(ConfusionMatrix, &'static str), String> {
        let (split, name) = match &self.data.test {
            Some(test) => (test, "test"),
            None => (&self.data.validation, "validation"),
        };
        let predicted = Predictor::new(network.clone())
            .predict(split.x.view())
            .map_err(|e| e.to_string())?;
        let matrix = ConfusionMatrix::new(self.data.classes.len(), &split.y, &predicted.classes);
        Ok((matrix, name))
    }
}

fn samples(split: &Split) -> Samples<'_> {
    Samples::new(split.x.view(), &split.y)
}

fn epoch_report(s: &EpochStats) -> EpochReport {
    EpochReport {
        epoch: s.epoch,
        learning_rate: s.learning_rate,
        train_loss: s.train_loss,
        val_loss: s.val_loss,
        val_accuracy: s.val_accuracy,
    }
}

/// The outcome of a call that left the trainer at `epochs_run` epochs in all.
fn trial_outcome(outcome: Outcome, epochs_run: usize) -> TrialOutcome {
    let (status, message) = match outcome.status {
        Status::Completed => (TrialStatus::Completed, String::new()),
        Status::StoppedEarly => (TrialStatus::StoppedEarly, String::new()),
        Status::Interrupted => (TrialStatus::Interrupted, String::new()),
        s @ Status::Diverged { .. } => (TrialStatus::Diverged, s.to_string()),
    };
    let last = outcome.curve.last();
    let best = outcome.best;
    TrialOutcome {
        status,
        message,
        best_val_loss: best.map_or(f64::INFINITY, |b| b.val_loss),
        best_epoch: best.map(|b| b.epoch),
        val_loss: last.map_or(f64::NAN, |s| s.val_loss),
        val_accuracy: best.map_or(f64::NAN, |b| b.val_accuracy),
        train_loss: best.map_or(f64::NAN, |b| b.train_loss),
        epochs_run,
        seconds: outcome.seconds,
        curve: outcome.curve.iter().map(epoch_report).collect(),
    }
}

/// Turns a trial's parameters (schema names, `None` when inactive) into a checked trainer
/// configuration. Absent parameters take the schema defaults of [`MlpParams::default`].
pub fn mlp_config(params: &Params) -> Result<MlpConfig, String> {
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
    MlpParams {
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
        optimizer,
        clip_norm,
    }
    .validate()
    .map_err(|e| e.to_string())
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
        let score = objective.test(&trial).unwrap().unwrap();
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
        let model = fresh.winner(&trial).unwrap();
        assert!(model.retrained && !objective.winner(&trial).unwrap().retrained);
        assert_eq!(model.network, objective.winner(&trial).unwrap().network);
        assert_eq!(fresh.test(&trial).unwrap().unwrap(), score);
        assert!(objective.cost(&trial) > 0.0);
        assert!(MlpObjective::new(toy_data(false)).test(&trial).is_none());
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
        assert!(!objective.winner(&trial(2)).unwrap().retrained);
        assert!(objective.winner(&trial(4)).unwrap().retrained);
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
