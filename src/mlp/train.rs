//! The training state and loop: epochs, mini-batches, evaluation, early stopping, divergence.

use std::fmt;
use std::ops::ControlFlow;
use std::time::Instant;

use ndarray::{ArrayView2, s};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_pcg::Pcg64Mcg;

use super::metric::{ClassCounts, Metric};
use super::network::{Dropout, Mode, Target, Workspace, view};
use super::optimizer::{self, OptimizerState};
use super::regularization::Update;
use super::{Float, Layer, MlpConfig, Network, loss, online};

/// Largest number of rows pushed through the network at once. A larger batch (e.g. full-batch
/// descent) is processed in chunks of this size whose gradients are summed before one step, so
/// the buffers stay small whatever the batch or data size.
pub(crate) const CHUNK_ROWS: usize = 256;

/// The most `f32`s one trial may hold: weights (and the best epoch's copy), gradients and
/// batch buffers, 1 GiB in all.
/// A larger network is refused before anything is allocated (an allocation failure would abort
/// the whole sweep, which no `catch_unwind` can stop).
pub const MAX_TRIAL_FLOATS: u64 = 1 << 28;

/// Samples and their classes, borrowed.
///
/// # Shapes
/// `x`: (samples, features); `y`: (samples), each < the number of classes.
#[derive(Clone, Copy, Debug)]
pub struct Samples<'a> {
    /// Feature matrix, one row per sample.
    pub x: ArrayView2<'a, Float>,
    /// Class index of each row.
    pub y: &'a [usize],
}

impl<'a> Samples<'a> {
    /// Pairs features and classes (checked when a trainer uses them).
    pub fn new(x: ArrayView2<'a, Float>, y: &'a [usize]) -> Self {
        Samples { x, y }
    }

    /// Number of samples (rows of `x`).
    pub fn len(&self) -> usize {
        self.x.nrows()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Data that does not fit the network: an error value, never a panic.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// No feature columns.
    #[error("the data has no feature columns: the network needs at least 1 input")]
    ZeroInputs,
    /// Fewer than two classes.
    #[error("the data has {classes} class(es): classification needs at least 2")]
    TooFewClasses {
        /// Number of classes given.
        classes: usize,
    },
    /// A split without samples.
    #[error("the {split} split has no samples")]
    Empty {
        /// "training", "validation", …
        split: &'static str,
    },
    /// A split whose feature count differs from the network's inputs.
    #[error("the {split} split has {found} feature columns, the network has {expected} inputs")]
    Features {
        /// The split.
        split: &'static str,
        /// The network's inputs.
        expected: usize,
        /// The split's columns.
        found: usize,
    },
    /// Rows and labels of different lengths.
    #[error("the {split} split has {rows} rows but {labels} labels")]
    Labels {
        /// The split.
        split: &'static str,
        /// Rows of `x`.
        rows: usize,
        /// Length of `y`.
        labels: usize,
    },
    /// A network too large for one trial's memory budget.
    #[error(
        "the network needs {floats} floats for its weights, gradients and batch buffers, more than \
         the {limit} one trial may use (1 GiB); use fewer or narrower hidden layers"
    )]
    TooLarge {
        /// Floats the trial would allocate.
        floats: u64,
        /// [`MAX_TRIAL_FLOATS`].
        limit: u64,
    },
    /// A class index out of range.
    #[error(
        "the {split} split has class {label} in row {row}, but there are only {classes} classes"
    )]
    Label {
        /// The split.
        split: &'static str,
        /// 0-based row.
        row: usize,
        /// The offending class index.
        label: usize,
        /// The network's classes.
        classes: usize,
    },
}

/// What one epoch measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EpochStats {
    /// 0-based absolute epoch t.
    pub epoch: usize,
    /// η_t used during the epoch.
    pub learning_rate: f64,
    /// Mean of the epoch's mini-batch cross-entropies (no penalty; dropout as trained).
    pub train_loss: f64,
    /// Mean cross-entropy on the validation samples after the epoch (no penalty, no dropout).
    pub val_loss: f64,
    /// Fraction of validation samples classified correctly, in [0, 1].
    pub val_accuracy: f64,
    /// Macro F1 on the validation samples, in [0, 1].
    pub val_f1: f64,
}

/// Mean cross-entropy, accuracy and macro F1 of the current weights on some samples (no
/// dropout).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation {
    /// Mean cross-entropy.
    pub loss: f64,
    /// Fraction classified correctly (largest logit, first on ties).
    pub accuracy: f64,
    /// Macro F1 of those predictions ([`crate::mlp::macro_f1`]).
    pub f1: f64,
}

impl Evaluation {
    /// The figures of `n` samples whose cross-entropies sum to `sum`, counted in `counts`.
    pub(crate) fn of(sum: f64, n: usize, counts: &ClassCounts) -> Self {
        Evaluation {
            loss: sum / n as f64,
            accuracy: counts.hits() as f64 / n as f64,
            f1: counts.macro_f1(),
        }
    }
}

/// The best epoch so far by the configuration's [`Metric`] (the first on ties), and its
/// figures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Best {
    /// 0-based epoch.
    pub epoch: usize,
    /// The validation loss.
    pub val_loss: f64,
    /// The validation accuracy of that epoch.
    pub val_accuracy: f64,
    /// The validation macro F1 of that epoch.
    pub val_f1: f64,
    /// The training loss of that epoch.
    pub train_loss: f64,
}

impl Best {
    /// The epoch's figure under `metric`, lower is better ([`Metric::score`]).
    pub fn score(&self, metric: Metric) -> f64 {
        metric.score(self.val_loss, self.val_accuracy, self.val_f1)
    }

    /// Whether this epoch is better than `other` under `metric`: a lower score, or the same
    /// score and a lower validation loss (accuracy and F1 tie often, and the first of tied
    /// epochs is usually the least trained).
    pub fn beats(&self, other: &Best, metric: Metric) -> bool {
        metric.better(
            (self.score(metric), self.val_loss),
            (other.score(metric), other.val_loss),
        )
    }
}

/// What became NaN or infinite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Divergence {
    /// A mini-batch's training loss.
    TrainingLoss,
    /// A weight or bias.
    Weights,
    /// The validation loss.
    ValidationLoss,
}

/// How a call of [`Trainer::train`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// Ran every epoch asked for.
    Completed,
    /// Early stopping: the validation metric did not improve for `patience` epochs.
    StoppedEarly,
    /// Training stopped at once in epoch `epoch` (0-based) because something became non-finite;
    /// the trainer will not train again.
    Diverged {
        /// The epoch that diverged (not in the curve).
        epoch: usize,
        /// What became non-finite.
        cause: Divergence,
    },
    /// The per-epoch callback returned `ControlFlow::Break`.
    Interrupted,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Completed => f.write_str("completed"),
            Status::StoppedEarly => f.write_str("stopped early"),
            Status::Interrupted => f.write_str("interrupted"),
            Status::Diverged { epoch, cause } => {
                let what = match cause {
                    Divergence::TrainingLoss => "the training loss",
                    Divergence::Weights => "a weight",
                    Divergence::ValidationLoss => "the validation loss",
                };
                write!(
                    f,
                    "diverged: {what} became NaN or infinite in epoch {epoch}"
                )
            }
        }
    }
}

/// The result of one call of [`Trainer::train`].
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// How it ended.
    pub status: Status,
    /// One entry per epoch completed in this call (a diverged epoch is not included).
    pub curve: Vec<EpochStats>,
    /// The best epoch by the configuration's metric over the trainer's whole life, `None`
    /// before any epoch.
    pub best: Option<Best>,
    /// Wall-clock seconds of this call.
    pub seconds: f64,
}

/// The minimized objective L_CE + α·R(w) at the current weights and its gradient.
#[derive(Clone, Debug, PartialEq)]
pub struct Gradient {
    /// L_CE + α·R(w), mean over the samples, without dropout.
    pub objective: f64,
    /// ∂/∂W and ∂/∂b of the objective, one entry per layer, shaped like the network's.
    pub layers: Vec<Layer>,
}

/// One trial's training state: weights, the optimizer's state (momentum or Adam's moments and
/// step count), the trial's RNG (initialization, shuffling, dropout), the absolute epoch counter,
/// the best epoch by the configured metric with a copy of the weights that reached it, and every buffer
/// training needs. [`Trainer::train`] can be called again to continue; the schedule goes on from the absolute
/// epoch.
pub struct Trainer {
    config: MlpConfig,
    network: Network,
    /// The weights at the best epoch: sized once, overwritten when the metric improves.
    best_network: Network,
    grads: Vec<Layer>,
    optimizer: OptimizerState,
    ws: Workspace,
    /// Per-class counts of an evaluation, sized once.
    counts: ClassCounts,
    batch_x: Vec<Float>,
    batch_y: Vec<usize>,
    order: Vec<usize>,
    rng: Pcg64Mcg,
    n_inputs: usize,
    n_classes: usize,
    epoch: usize,
    best: Option<Best>,
    since_best: usize,
    diverged: Option<Status>,
}

impl Trainer {
    /// A network for `n_inputs` features and `n_classes` classes, initialized from the trial's
    /// RNG seeded with `seed`.
    pub fn new(
        config: &MlpConfig,
        n_inputs: usize,
        n_classes: usize,
        seed: u64,
    ) -> Result<Trainer, InputError> {
        if n_inputs == 0 {
            return Err(InputError::ZeroInputs);
        }
        if n_classes < 2 {
            return Err(InputError::TooFewClasses { classes: n_classes });
        }
        let weights = config.weight_count(n_inputs, n_classes);
        let widths: u64 = config.hidden().iter().map(|&w| w as u64).sum();
        // Weights, the best epoch's copy, gradients, the optimizer's state.
        let floats = weights
            .saturating_mul(3 + optimizer::state_arrays(config.optimizer()))
            .saturating_add((CHUNK_ROWS as u64).saturating_mul(3).saturating_mul(widths));
        if floats > MAX_TRIAL_FLOATS {
            return Err(InputError::TooLarge {
                floats,
                limit: MAX_TRIAL_FLOATS,
            });
        }
        let mut rng = Pcg64Mcg::seed_from_u64(seed);
        let network = Network::new(
            &config.layer_sizes(n_inputs, n_classes),
            config.activation(),
            &mut rng,
        );
        let optimizer = OptimizerState::new(
            config.optimizer(),
            config.clip_norm(),
            config.penalty(),
            config.alpha(),
            &network,
        );
        Ok(Trainer {
            config: config.clone(),
            grads: network.zeros_like(),
            optimizer,
            ws: Workspace::new(&network, 0),
            counts: ClassCounts::new(n_classes),
            best_network: network.clone(),
            network,
            batch_x: Vec::new(),
            batch_y: Vec::new(),
            order: Vec::new(),
            rng,
            n_inputs,
            n_classes,
            epoch: 0,
            best: None,
            since_best: 0,
            diverged: None,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &MlpConfig {
        &self.config
    }

    /// The network's current weights.
    pub fn network(&self) -> &Network {
        &self.network
    }

    /// The network, writable (e.g. to perturb a weight in a gradient check).
    pub fn network_mut(&mut self) -> &mut Network {
        &mut self.network
    }

    /// Epochs trained so far: the absolute epoch t of the next one.
    pub fn epoch(&self) -> usize {
        self.epoch
    }

    /// The best epoch so far by the configuration's metric.
    pub fn best(&self) -> Option<Best> {
        self.best
    }

    /// The weights of the best epoch ([`Trainer::best`]), as Keras' `restore_best_weights`
    /// keeps them; the initial weights before any epoch.
    pub fn best_network(&self) -> &Network {
        &self.best_network
    }

    /// η_t for the 0-based absolute epoch t.
    pub fn learning_rate_at(&self, epoch: usize) -> f64 {
        self.config
            .schedule()
            .learning_rate(self.config.learning_rate(), epoch)
    }

    /// Trains for up to `epochs` more epochs, evaluating on `val` after each and calling
    /// `on_epoch` with the epoch's figures; `ControlFlow::Break` stops at once
    /// ([`Status::Interrupted`]). Stops early after `patience` epochs without a better epoch by
    /// the configuration's [`Metric`], and at once when a loss or weight becomes non-finite.
    pub fn train(
        &mut self,
        train: Samples<'_>,
        val: Samples<'_>,
        epochs: usize,
        on_epoch: &mut dyn FnMut(&EpochStats) -> ControlFlow<()>,
    ) -> Result<Outcome, InputError> {
        self.check(train, "training")?;
        self.check(val, "validation")?;
        self.reserve(train.len(), val.len());
        let start = Instant::now();
        let mut curve = Vec::with_capacity(epochs);
        let mut status = self.diverged.unwrap_or(Status::Completed);
        for _ in 0..epochs {
            if self.diverged.is_some() {
                break;
            }
            let epoch = self.epoch;
            let learning_rate = self.learning_rate_at(epoch);
            let train_loss = self.run_epoch(train, learning_rate as Float);
            let eval = match self.evaluate_epoch(train_loss, val) {
                Ok(eval) => eval,
                Err(cause) => {
                    status = Status::Diverged { epoch, cause };
                    self.diverged = Some(status);
                    break;
                }
            };
            self.epoch += 1;
            let now = Best {
                epoch,
                val_loss: eval.loss,
                val_accuracy: eval.accuracy,
                val_f1: eval.f1,
                train_loss,
            };
            let metric = self.config.metric();
            if self
                .best
                .is_none_or(|b| now.score(metric) < b.score(metric))
            {
                self.best = Some(now);
                // Same shapes: a copy into the buffers sized at construction, no allocation.
                self.best_network.copy_from(&self.network);
                self.since_best = 0;
            } else {
                self.since_best += 1;
            }
            let stats = EpochStats {
                epoch,
                learning_rate,
                train_loss,
                val_loss: eval.loss,
                val_accuracy: eval.accuracy,
                val_f1: eval.f1,
            };
            curve.push(stats);
            if on_epoch(&stats).is_break() {
                status = Status::Interrupted;
                break;
            }
            // Early stopping is judged against the trial's whole life, not this call, so that
            // training in several calls (rungs) stops exactly where one call would.
            let patience_over = self.config.patience().is_some_and(|p| self.since_best >= p);
            if patience_over && self.epoch < self.config.epochs() {
                status = Status::StoppedEarly;
                break;
            }
        }
        Ok(Outcome {
            status,
            curve,
            best: self.best,
            seconds: start.elapsed().as_secs_f64(),
        })
    }

    /// One epoch of training only (no evaluation, no callback, no early stopping), for
    /// throughput measurements; advances the epoch counter. Returns the mean mini-batch
    /// cross-entropy, non-finite when training diverged (it then stops at that batch).
    pub fn train_epoch(&mut self, train: Samples<'_>) -> Result<f64, InputError> {
        self.check(train, "training")?;
        self.reserve(train.len(), 0);
        let eta = self.learning_rate_at(self.epoch) as Float;
        let loss = self.run_epoch(train, eta);
        self.epoch += 1;
        Ok(loss)
    }

    /// Mean cross-entropy and accuracy of the current weights on `data`, without dropout.
    /// Changes no weights and draws nothing from the RNG.
    pub fn evaluate(&mut self, data: Samples<'_>) -> Result<Evaluation, InputError> {
        self.check(data, "evaluation")?;
        self.reserve(0, data.len());
        Ok(self.evaluate_checked(data))
    }

    /// The minimized objective (mean cross-entropy + α·R(w), no dropout) on `data` and its
    /// gradient, by the same forward and backward passes training uses. Allocates the result;
    /// meant for gradient checks, not for training.
    pub fn gradient(&mut self, data: Samples<'_>) -> Result<Gradient, InputError> {
        self.check(data, "gradient")?;
        self.reserve(0, data.len());
        let n = data.len();
        let all: Vec<usize> = (0..n).collect();
        let mut sum = 0.0;
        for (k, chunk) in all.chunks(self.ws.rows).enumerate() {
            let target = Target::Gradients { accumulate: k > 0 };
            sum += self.chunk_pass(data, chunk, 1.0 / n as Float, 0.0, target);
        }
        let (penalty, alpha) = (self.config.penalty(), self.config.alpha());
        let mut layers = self.grads.clone();
        let mut penalty_sum = 0.0;
        for (grad, layer) in layers.iter_mut().zip(self.network.layers()) {
            penalty_sum += penalty.value(layer.w_flat());
            for (g, &w) in grad.w_flat_mut().iter_mut().zip(layer.w_flat()) {
                *g += penalty.slope(alpha as Float, w);
            }
        }
        Ok(Gradient {
            objective: sum / n as f64 + alpha * penalty_sum,
            layers,
        })
    }

    fn check(&self, data: Samples<'_>, split: &'static str) -> Result<(), InputError> {
        if data.is_empty() {
            return Err(InputError::Empty { split });
        }
        if data.x.ncols() != self.n_inputs {
            return Err(InputError::Features {
                split,
                expected: self.n_inputs,
                found: data.x.ncols(),
            });
        }
        if data.y.len() != data.len() {
            return Err(InputError::Labels {
                split,
                rows: data.len(),
                labels: data.y.len(),
            });
        }
        if let Some((row, &label)) = data
            .y
            .iter()
            .enumerate()
            .find(|(_, c)| **c >= self.n_classes)
        {
            return Err(InputError::Label {
                split,
                row,
                label,
                classes: self.n_classes,
            });
        }
        Ok(())
    }

    /// Sizes the buffers (once per trial) for training on `n_train` and evaluating on `n_eval`
    /// samples.
    fn reserve(&mut self, n_train: usize, n_eval: usize) {
        let train_rows = if n_train == 0 {
            0
        } else {
            self.config.batch_size().rows(n_train)
        };
        let rows = train_rows.max(n_eval).clamp(1, CHUNK_ROWS);
        if self.ws.rows < rows {
            self.ws = Workspace::new(&self.network, rows);
            self.batch_x = vec![0.0; rows * self.n_inputs];
            self.batch_y = vec![0; rows];
        }
    }

    /// One shuffled pass over `train` at learning rate `eta`; the mean mini-batch loss.
    ///
    /// The one place that picks a compiled version of the hot loop: the crate is built for
    /// baseline x86-64 (SSE2), so the whole epoch (every element-wise pass and the online path
    /// are inlined into it) is compiled a second time with AVX2 and FMA and chosen at run time
    /// when the CPU has them; this roughly doubles the width of every vectorized loop. Results
    /// are bit-identical: Rust never contracts a·b + c into an FMA or reorders float sums.
    fn run_epoch(&mut self, train: Samples<'_>, eta: Float) -> f64 {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU supports AVX2 and FMA, checked just above.
            return unsafe { self.run_epoch_avx2(train, eta) };
        }
        self.run_epoch_portable(train, eta)
    }

    /// [`Trainer::run_epoch_portable`] compiled for AVX2 and FMA.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx,avx2,fma")]
    fn run_epoch_avx2(&mut self, train: Samples<'_>, eta: Float) -> f64 {
        self.run_epoch_portable(train, eta)
    }

    #[inline(always)]
    fn run_epoch_portable(&mut self, train: Samples<'_>, eta: Float) -> f64 {
        let n = train.len();
        if self.order.len() != n {
            self.order = (0..n).collect();
        }
        self.order.shuffle(&mut self.rng);
        let order = std::mem::take(&mut self.order);
        let batch = self.config.batch_size().rows(n);
        let (mut sum, mut batches) = (0.0, 0usize);
        for idx in order.chunks(batch) {
            let loss = if batch == 1 {
                self.online_step(train, idx[0], eta)
            } else {
                self.batch_step(train, idx, eta)
            };
            sum += loss;
            batches += 1;
            if !loss.is_finite() {
                break;
            }
        }
        self.order = order;
        sum / batches as f64
    }

    /// One mini-batch step on the samples `idx`; the batch's mean cross-entropy.
    #[inline(always)]
    fn batch_step(&mut self, train: Samples<'_>, idx: &[usize], eta: Float) -> f64 {
        let scale = 1.0 / idx.len() as Float;
        let update = self.update(eta);
        // With plain SGD and no clipping, a batch that fits in one chunk takes its step inside
        // the backward pass (no stored weight gradient, no extra pass over the weights); a
        // larger one sums its chunks' gradients first, since every chunk must see the same
        // weights. The other optimizers, and clipping, need the whole gradient first.
        let fuses = self.optimizer.fuses();
        let fused = fuses && idx.len() <= self.ws.rows;
        let dropout = self.config.dropout();
        let mut sum = 0.0;
        for (k, chunk) in idx.chunks(self.ws.rows).enumerate() {
            let target = if fused {
                Target::Descend(update)
            } else {
                Target::Gradients { accumulate: k > 0 }
            };
            sum += self.chunk_pass(train, chunk, scale, dropout, target);
        }
        if !fused && sum.is_finite() {
            if fuses {
                self.network.step(&self.grads, update);
            } else {
                self.optimizer.step(&mut self.network, &self.grads, eta);
            }
        }
        sum / idx.len() as f64
    }

    /// One online step on sample `i` (see [`online`] for why it has its own path).
    #[inline(always)]
    fn online_step(&mut self, train: Samples<'_>, i: usize, eta: Float) -> f64 {
        let row = train.x.row(i);
        let x = match row.as_slice() {
            Some(x) => x,
            None => {
                gather(train, &[i], &mut self.batch_x, &mut self.batch_y);
                &self.batch_x[..self.n_inputs]
            }
        };
        let fuses = self.optimizer.fuses();
        let target = if fuses {
            Target::Descend(self.update(eta))
        } else {
            Target::Gradients { accumulate: false }
        };
        let mut dropout = Dropout::new(self.config.dropout(), &mut self.rng);
        let loss = online::step(
            &mut self.network,
            &mut self.ws,
            &mut self.grads,
            x,
            train.y[i],
            target,
            &mut dropout,
        );
        if !fuses && loss.is_finite() {
            self.optimizer.step(&mut self.network, &self.grads, eta);
        }
        loss
    }

    fn update(&self, eta: Float) -> Update {
        Update {
            eta,
            penalty: self.config.penalty(),
            alpha: self.config.alpha() as Float,
        }
    }

    /// Forward pass, loss and backward pass on the samples `chunk` (at most `ws.rows`) of
    /// `data`, with dropout probability `dropout`; the f64 sum of their losses. `scale` is
    /// 1/(samples in the whole batch).
    #[inline(always)]
    fn chunk_pass(
        &mut self,
        data: Samples<'_>,
        chunk: &[usize],
        scale: Float,
        dropout: f64,
        target: Target,
    ) -> f64 {
        let rows = chunk.len();
        gather(data, chunk, &mut self.batch_x, &mut self.batch_y);
        let input = view(&self.batch_x, rows, self.n_inputs);
        let dropout = Dropout::new(dropout, &mut self.rng);
        self.network
            .forward(input, &mut self.ws, Mode::Train(dropout));
        let bias = self.network.layers()[self.network.layers().len() - 1].b_flat();
        let logits = &mut self.ws.logits[..rows * self.n_classes];
        let sum = loss::softmax_cross_entropy_grad(logits, bias, &self.batch_y[..rows], scale);
        self.network
            .backward(input, &mut self.ws, &mut self.grads, target);
        sum
    }

    /// After an epoch: what became non-finite, or the validation figures.
    fn evaluate_epoch(
        &mut self,
        train_loss: f64,
        val: Samples<'_>,
    ) -> Result<Evaluation, Divergence> {
        if !train_loss.is_finite() {
            return Err(Divergence::TrainingLoss);
        }
        if !self.network.is_finite() {
            return Err(Divergence::Weights);
        }
        let eval = self.evaluate_checked(val);
        if !eval.loss.is_finite() {
            return Err(Divergence::ValidationLoss);
        }
        Ok(eval)
    }

    fn evaluate_checked(&mut self, data: Samples<'_>) -> Evaluation {
        let n = data.len();
        let mut sum = 0.0;
        self.counts.clear();
        for start in (0..n).step_by(self.ws.rows) {
            let end = (start + self.ws.rows).min(n);
            let input = data.x.slice(s![start..end, ..]);
            self.network.forward(input, &mut self.ws, Mode::Eval);
            let bias = self.network.layers()[self.network.layers().len() - 1].b_flat();
            let logits = &mut self.ws.logits[..(end - start) * self.n_classes];
            sum +=
                loss::cross_entropy_and_counts(logits, bias, &data.y[start..end], &mut self.counts);
        }
        Evaluation::of(sum, n, &self.counts)
    }
}

/// Copies the rows `idx` of `data` into the batch buffers.
///
/// # Shapes
/// `x`: (≥ idx.len() × features) row-major; `y`: (≥ idx.len()).
#[inline(always)]
fn gather(data: Samples<'_>, idx: &[usize], x: &mut [Float], y: &mut [usize]) {
    let width = data.x.ncols();
    for ((x_row, label), &i) in x.chunks_exact_mut(width).zip(y.iter_mut()).zip(idx) {
        let row = data.x.row(i);
        match row.as_slice() {
            Some(src) => x_row.copy_from_slice(src),
            None => x_row.iter_mut().zip(row).for_each(|(d, &v)| *d = v),
        }
        *label = data.y[i];
    }
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;
    use crate::mlp::{Activation, BatchSize, MlpParams, Optimizer, Penalty};
    use ndarray::Array2;
    use rand::RngExt;

    /// The AVX2 build of the epoch loop computes exactly what the portable one does.
    #[test]
    fn avx2_and_portable_epochs_are_bit_identical() {
        if !(is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")) {
            return;
        }
        let mut rng = Pcg64Mcg::seed_from_u64(2);
        let x = Array2::from_shape_simple_fn((50, 6), || rng.random_range(-2.0f32..2.0));
        let y: Vec<usize> = (0..50).map(|i| i % 3).collect();
        let data = Samples::new(x.view(), &y);
        let adam = Optimizer::Adam {
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
        };
        let nesterov = Optimizer::Nesterov { momentum: 0.9 };
        for (batch_size, activation, optimizer, clip_norm) in [
            (BatchSize::Online, Activation::Gelu, Optimizer::Sgd, None),
            (
                BatchSize::MiniBatch(8),
                Activation::Tanh,
                Optimizer::Sgd,
                None,
            ),
            (BatchSize::Full, Activation::Elu, Optimizer::Sgd, None),
            (BatchSize::Online, Activation::Relu, adam, Some(0.5)),
            (BatchSize::MiniBatch(8), Activation::Tanh, nesterov, None),
            (BatchSize::Full, Activation::Sigmoid, adam, None),
            (
                BatchSize::MiniBatch(8),
                Activation::Gelu,
                Optimizer::Sgd,
                Some(0.5),
            ),
        ] {
            let params = MlpParams {
                hidden: vec![9, 5],
                activation,
                batch_size,
                dropout: 0.2,
                penalty: Penalty::L1,
                alpha: 1e-3,
                optimizer,
                clip_norm,
                ..MlpParams::default()
            };
            let config = params.validate().unwrap();
            let mut portable = Trainer::new(&config, 6, 3, 1).unwrap();
            let mut avx2 = Trainer::new(&config, 6, 3, 1).unwrap();
            portable.reserve(50, 0);
            avx2.reserve(50, 0);
            for _ in 0..3 {
                let a = portable.run_epoch_portable(data, 0.1);
                // SAFETY: the CPU supports AVX2 and FMA, checked above.
                let b = unsafe { avx2.run_epoch_avx2(data, 0.1) };
                assert_eq!(a.to_bits(), b.to_bits(), "{batch_size:?}");
            }
            assert_eq!(portable.network, avx2.network, "{batch_size:?}");
            assert_eq!(portable.optimizer, avx2.optimizer, "{batch_size:?}");
        }
    }
}
