//! The trainer's configuration: [`MlpParams`] as given, [`MlpConfig`] once checked.

use super::{Activation, LrSchedule, Metric, Penalty};

/// Samples per gradient step. Default: `MiniBatch(32)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BatchSize {
    /// One sample per step (online stochastic gradient descent, B = 1).
    Online,
    /// B samples per step; the last, partial batch of an epoch is used, not dropped. B larger
    /// than the training set means full batch. B = 1 is the same as [`BatchSize::Online`].
    MiniBatch(usize),
    /// The whole training set per step (full-gradient descent).
    Full,
}

impl Default for BatchSize {
    fn default() -> Self {
        BatchSize::MiniBatch(32)
    }
}

impl BatchSize {
    /// Samples per step on a training set of `n` samples (at least 1).
    pub fn rows(self, n: usize) -> usize {
        match self {
            BatchSize::Online => 1,
            BatchSize::MiniBatch(b) => b.min(n).max(1),
            BatchSize::Full => n.max(1),
        }
    }
}

/// The rule that turns each mini-batch gradient g into a step. g is the gradient of the
/// minimized objective L_CE + α·R(w) (so it includes 2αw for L2, α·sign(w) for L1, on weights
/// only), after clipping when `clip_norm` is set; η_t is the scheduled learning rate. The state
/// (v, or m and s, and Adam's step count) starts at zero, lives in the [`super::Trainer`], and
/// goes on when the trainer trains further. Default: [`Optimizer::Sgd`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Optimizer {
    /// Plain gradient descent, the lecture's rule: w ← w − η_t·g.
    #[default]
    Sgd,
    /// Heavy-ball momentum, as `torch.optim.SGD(momentum=μ)`: v ← μ·v + g, w ← w − η_t·v.
    Momentum {
        /// μ ∈ [0, 1). Schema default 0.9.
        momentum: f64,
    },
    /// Nesterov momentum, as `torch.optim.SGD(momentum=μ, nesterov=True)`:
    /// v ← μ·v + g, w ← w − η_t·(g + μ·v).
    Nesterov {
        /// μ ∈ [0, 1). Schema default 0.9.
        momentum: f64,
    },
    /// Adam, as `torch.optim.Adam`: m ← β1·m + (1−β1)·g, s ← β2·s + (1−β2)·g², and with the
    /// step count t ≥ 1, m̂ = m/(1−β1^t), ŝ = s/(1−β2^t), w ← w − η_t·m̂/(√ŝ + ε).
    Adam {
        /// β1 ∈ [0, 1). Schema default 0.9.
        beta1: f64,
        /// β2 ∈ [0, 1). Schema default 0.999.
        beta2: f64,
        /// ε > 0. Schema default 1e-8.
        epsilon: f64,
    },
}

impl Optimizer {
    /// μ when a search space gives none.
    pub const DEFAULT_MOMENTUM: f64 = 0.9;

    /// Adam's β1 when a search space gives none (as `torch.optim.Adam`).
    pub const DEFAULT_BETA1: f64 = 0.9;
    /// Adam's β2 when a search space gives none (as `torch.optim.Adam`).
    pub const DEFAULT_BETA2: f64 = 0.999;
    /// Adam's ε when a search space gives none (as `torch.optim.Adam`).
    pub const DEFAULT_EPSILON: f64 = 1e-8;

    /// Every optimizer name, as in search-space files.
    pub const NAMES: [&'static str; 4] = ["sgd", "momentum", "nesterov", "adam"];

    /// The name used in search-space files (`optimizer = "adam"`, …).
    pub fn name(self) -> &'static str {
        match self {
            Optimizer::Sgd => "sgd",
            Optimizer::Momentum { .. } => "momentum",
            Optimizer::Nesterov { .. } => "nesterov",
            Optimizer::Adam { .. } => "adam",
        }
    }
}

/// The trainer's hyper-parameters as given: public fields, anything goes until
/// [`MlpParams::validate`] turns them into an [`MlpConfig`]. Defaults match the parameter schema
/// (`objective::params`).
#[derive(Clone, Debug, PartialEq)]
pub struct MlpParams {
    /// Widths of the hidden layers, input side first; empty = multinomial logistic regression.
    /// Default: `[64]`.
    pub hidden: Vec<usize>,
    /// Nonlinearity of every hidden layer. Default: relu.
    pub activation: Activation,
    /// Initial learning rate η0 > 0. Default: 0.01.
    pub learning_rate: f64,
    /// Learning-rate schedule by epoch. Default: none.
    pub schedule: LrSchedule,
    /// Weight penalty R(w). Default: none.
    pub penalty: Penalty,
    /// Penalty strength α ≥ 0 (ignored when `penalty` is none). Default: 1e-4.
    pub alpha: f64,
    /// Probability p ∈ [0, 1) of dropping a hidden activation during training. Default: 0.
    pub dropout: f64,
    /// Samples per gradient step. Default: mini-batches of 32.
    pub batch_size: BatchSize,
    /// Epochs a trial runs, ≥ 1. Default: 20.
    pub epochs: usize,
    /// Early stopping: stop when the validation metric has not improved for this many epochs
    /// (≥ 1). Default: `None` (off).
    pub patience: Option<usize>,
    /// The validation figure that picks the best epoch (whose weights are kept) and drives
    /// early stopping. Default: the validation loss.
    pub metric: Metric,
    /// The update rule. Default: plain SGD.
    pub optimizer: Optimizer,
    /// Gradient clipping: when the global L2 norm ‖g‖ over every weight and bias gradient
    /// (penalty included) exceeds this c > 0, g is scaled by c/‖g‖ before the update rule.
    /// Default: `None` (off).
    pub clip_norm: Option<f64>,
}

impl Default for MlpParams {
    fn default() -> Self {
        MlpParams {
            hidden: vec![64],
            activation: Activation::Relu,
            learning_rate: 0.01,
            schedule: LrSchedule::None,
            penalty: Penalty::None,
            alpha: 1e-4,
            dropout: 0.0,
            batch_size: BatchSize::default(),
            epochs: 20,
            patience: None,
            metric: Metric::Loss,
            optimizer: Optimizer::Sgd,
            clip_norm: None,
        }
    }
}

/// A hyper-parameter that cannot be trained with: names the parameter, the value and the rule.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// η0 ≤ 0 or not finite.
    #[error("learning_rate = {0}: the learning rate η0 must be a finite number > 0")]
    LearningRate(f64),
    /// η0 > 0 but below the smallest normal f32: the f32 updates would use 0.
    #[error("learning_rate = {0:e}: too small for f32 parameters, the smallest is about 1.2e-38")]
    LearningRateTooSmall(f64),
    /// α < 0 or not finite.
    #[error("alpha = {0}: the penalty strength α must be a finite number ≥ 0")]
    Alpha(f64),
    /// p outside [0, 1).
    #[error("dropout = {0}: the dropout probability p must be in [0, 1)")]
    Dropout(f64),
    /// Zero epochs.
    #[error("epochs = 0: training needs at least 1 epoch")]
    ZeroEpochs,
    /// A hidden layer of width 0 (`layer` is 1-based).
    #[error("neurons = 0 in hidden layer {layer}: every hidden layer needs at least 1 neuron")]
    ZeroNeurons {
        /// 1-based index of the hidden layer.
        layer: usize,
    },
    /// A decay rate r or λ ≤ 0 or not finite.
    #[error("decay_rate = {rate}: the rate of decay = \"{decay}\" must be a finite number > 0")]
    DecayRate {
        /// The schedule's name.
        decay: &'static str,
        /// The rejected rate.
        rate: f64,
    },
    /// Step decay with t_u = 0.
    #[error("decay_step = 0: the step length t_u must be at least 1 epoch")]
    ZeroDecayStep,
    /// A batch of zero samples.
    #[error("batch_size = 0: a batch needs at least 1 sample (or use \"full\")")]
    ZeroBatch,
    /// Patience of zero epochs.
    #[error("patience = 0: must be at least 1 epoch (leave it out to turn early stopping off)")]
    ZeroPatience,
    /// A momentum μ, β1 or β2 outside [0, 1).
    #[error("{name} = {value}: must be in [0, 1)")]
    Decay {
        /// "momentum", "beta1" or "beta2".
        name: &'static str,
        /// The rejected value.
        value: f64,
    },
    /// Adam's ε ≤ 0 or not finite.
    #[error("epsilon = {0}: Adam's ε must be a finite number > 0")]
    Epsilon(f64),
    /// A clipping norm ≤ 0 or not finite.
    #[error(
        "clip_norm = {0}: the gradient norm bound must be a finite number > 0 (leave it out to turn clipping off)"
    )]
    ClipNorm(f64),
}

impl MlpParams {
    /// Checks every rule and returns a configuration that cannot be invalid.
    pub fn validate(self) -> Result<MlpConfig, ConfigError> {
        let positive = |v: f64| v.is_finite() && v > 0.0;
        if !positive(self.learning_rate) {
            return Err(ConfigError::LearningRate(self.learning_rate));
        }
        if (self.learning_rate as f32) < f32::MIN_POSITIVE {
            return Err(ConfigError::LearningRateTooSmall(self.learning_rate));
        }
        match self.schedule {
            LrSchedule::None => {}
            LrSchedule::Inverse { rate } | LrSchedule::Exponential { rate } => {
                if !positive(rate) {
                    return Err(ConfigError::DecayRate {
                        decay: self.schedule.name(),
                        rate,
                    });
                }
            }
            LrSchedule::Step { rate, every } => {
                if !positive(rate) {
                    return Err(ConfigError::DecayRate {
                        decay: self.schedule.name(),
                        rate,
                    });
                }
                if every == 0 {
                    return Err(ConfigError::ZeroDecayStep);
                }
            }
        }
        if !(self.alpha.is_finite() && self.alpha >= 0.0) {
            return Err(ConfigError::Alpha(self.alpha));
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(ConfigError::Dropout(self.dropout));
        }
        if self.epochs == 0 {
            return Err(ConfigError::ZeroEpochs);
        }
        if let Some(k) = self.hidden.iter().position(|&w| w == 0) {
            return Err(ConfigError::ZeroNeurons { layer: k + 1 });
        }
        let batch_size = match self.batch_size {
            BatchSize::MiniBatch(0) => return Err(ConfigError::ZeroBatch),
            BatchSize::MiniBatch(1) => BatchSize::Online,
            b => b,
        };
        if self.patience == Some(0) {
            return Err(ConfigError::ZeroPatience);
        }
        let fraction = |name: &'static str, value: f64| {
            if (0.0..1.0).contains(&value) {
                Ok(())
            } else {
                Err(ConfigError::Decay { name, value })
            }
        };
        match self.optimizer {
            Optimizer::Sgd => {}
            Optimizer::Momentum { momentum } | Optimizer::Nesterov { momentum } => {
                fraction("momentum", momentum)?
            }
            Optimizer::Adam {
                beta1,
                beta2,
                epsilon,
            } => {
                fraction("beta1", beta1)?;
                fraction("beta2", beta2)?;
                if !positive(epsilon) {
                    return Err(ConfigError::Epsilon(epsilon));
                }
            }
        }
        if let Some(c) = self.clip_norm.filter(|&c| !positive(c)) {
            return Err(ConfigError::ClipNorm(c));
        }
        let penalty = if self.alpha == 0.0 {
            Penalty::None
        } else {
            self.penalty
        };
        Ok(MlpConfig {
            params: MlpParams {
                batch_size,
                penalty,
                ..self
            },
        })
    }
}

/// Checked hyper-parameters: η0 > 0, α ≥ 0, p ∈ [0, 1), epochs ≥ 1, no empty hidden layer,
/// decay rates > 0, t_u ≥ 1, batch ≥ 1, patience ≥ 1, μ, β1, β2 ∈ [0, 1), ε > 0, clip norm > 0.
/// Build it with [`MlpParams::validate`].
#[derive(Clone, Debug, PartialEq)]
pub struct MlpConfig {
    params: MlpParams,
}

impl MlpConfig {
    /// Hidden-layer widths, input side first (empty: logistic regression).
    pub fn hidden(&self) -> &[usize] {
        &self.params.hidden
    }

    /// Nonlinearity of the hidden layers.
    pub fn activation(&self) -> Activation {
        self.params.activation
    }

    /// Initial learning rate η0.
    pub fn learning_rate(&self) -> f64 {
        self.params.learning_rate
    }

    /// Learning-rate schedule.
    pub fn schedule(&self) -> LrSchedule {
        self.params.schedule
    }

    /// Weight penalty ([`Penalty::None`] when α = 0).
    pub fn penalty(&self) -> Penalty {
        self.params.penalty
    }

    /// Penalty strength α.
    pub fn alpha(&self) -> f64 {
        self.params.alpha
    }

    /// Dropout probability p on hidden activations during training.
    pub fn dropout(&self) -> f64 {
        self.params.dropout
    }

    /// Samples per step (`MiniBatch(1)` is normalized to [`BatchSize::Online`]).
    pub fn batch_size(&self) -> BatchSize {
        self.params.batch_size
    }

    /// Epochs a trial runs.
    pub fn epochs(&self) -> usize {
        self.params.epochs
    }

    /// Early-stopping patience in epochs, `None` when off.
    pub fn patience(&self) -> Option<usize> {
        self.params.patience
    }

    /// The validation figure that picks the best epoch and drives early stopping.
    pub fn metric(&self) -> Metric {
        self.params.metric
    }

    /// The update rule.
    pub fn optimizer(&self) -> Optimizer {
        self.params.optimizer
    }

    /// The gradient-norm bound, `None` when clipping is off.
    pub fn clip_norm(&self) -> Option<f64> {
        self.params.clip_norm
    }

    /// Layer widths from input to output: `[n_inputs, hidden…, n_classes]`.
    pub fn layer_sizes(&self, n_inputs: usize, n_classes: usize) -> Vec<usize> {
        let mut sizes = Vec::with_capacity(self.params.hidden.len() + 2);
        sizes.push(n_inputs);
        sizes.extend_from_slice(&self.params.hidden);
        sizes.push(n_classes);
        sizes
    }

    /// Number of weights (biases excluded) of the network for these data dimensions.
    pub fn weight_count(&self, n_inputs: usize, n_classes: usize) -> u64 {
        let sizes = self.layer_sizes(n_inputs, n_classes);
        sizes.windows(2).map(|w| w[0] as u64 * w[1] as u64).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        let c = MlpParams::default().validate().unwrap();
        assert_eq!(c.hidden(), [64]);
        assert_eq!(c.batch_size(), BatchSize::MiniBatch(32));
        assert_eq!(c.weight_count(64, 10), 64 * 64 + 64 * 10);
    }

    #[test]
    fn batch_of_one_is_online_and_zero_alpha_is_no_penalty() {
        let c = MlpParams {
            batch_size: BatchSize::MiniBatch(1),
            penalty: Penalty::L2,
            alpha: 0.0,
            ..MlpParams::default()
        }
        .validate()
        .unwrap();
        assert_eq!(c.batch_size(), BatchSize::Online);
        assert_eq!(c.penalty(), Penalty::None);
    }

    #[test]
    fn optimizer_settings_outside_their_range_are_rejected() {
        let with = |optimizer, clip_norm| {
            MlpParams {
                optimizer,
                clip_norm,
                ..MlpParams::default()
            }
            .validate()
        };
        let adam = |beta1, beta2, epsilon| Optimizer::Adam {
            beta1,
            beta2,
            epsilon,
        };
        assert!(with(Optimizer::Momentum { momentum: 0.0 }, Some(1.0)).is_ok());
        assert!(with(adam(0.0, 0.999, 1e-8), None).is_ok());
        let cases = [
            (
                with(Optimizer::Momentum { momentum: 1.0 }, None),
                "momentum = 1: must be in [0, 1)",
            ),
            (
                with(Optimizer::Nesterov { momentum: -0.1 }, None),
                "momentum = -0.1: must be in [0, 1)",
            ),
            (
                with(adam(1.5, 0.999, 1e-8), None),
                "beta1 = 1.5: must be in [0, 1)",
            ),
            (
                with(adam(0.9, f64::NAN, 1e-8), None),
                "beta2 = NaN: must be in [0, 1)",
            ),
            (
                with(adam(0.9, 0.999, 0.0), None),
                "epsilon = 0: Adam's ε must be a finite number > 0",
            ),
            (
                with(Optimizer::Sgd, Some(0.0)),
                "clip_norm = 0: the gradient norm bound must be a finite number > 0 (leave it out \
                 to turn clipping off)",
            ),
        ];
        for (result, message) in cases {
            assert_eq!(result.unwrap_err().to_string(), message);
        }
    }

    #[test]
    fn batch_rows_clamp_to_the_training_set() {
        assert_eq!(BatchSize::MiniBatch(500).rows(120), 120);
        assert_eq!(BatchSize::MiniBatch(32).rows(120), 32);
        assert_eq!(BatchSize::Full.rows(120), 120);
        assert_eq!(BatchSize::Online.rows(120), 1);
    }
}
