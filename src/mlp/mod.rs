//! The embedded multi-layer-perceptron trainer; it knows nothing of searches.
//!
//! A network maps `n_inputs` features through hidden layers (each a fully connected layer and a
//! nonlinearity) to `n_classes` logits, followed by a softmax. It is trained by gradient descent
//! on the mean cross-entropy L_CE = −(1/N) Σ log ŷ_{c*,i} plus an optional weight penalty α·R(w),
//! with an optional learning-rate schedule η_t and inverted dropout on hidden activations; the
//! step is plain SGD, momentum, Nesterov or Adam ([`Optimizer`]), optionally with the gradient's
//! global norm clipped.
//!
//! The flow is: [`MlpParams`] (unchecked, public fields, documented defaults)
//! ─[`MlpParams::validate`]─▶ [`MlpConfig`] (cannot be invalid) ─[`Trainer::new`]─▶ a
//! [`Trainer`] that owns the weights, the trial's RNG and the epoch counter, and can be trained
//! further at any time ([`Trainer::train`]), the schedule going on from the absolute epoch.
//!
//! ```
//! use std::ops::ControlFlow;
//! use hpsearch::mlp::{MlpParams, Samples, Trainer};
//! use ndarray::array;
//!
//! let x = array![[0.0f32, 1.0], [1.0, 0.0], [0.0, 0.9], [0.9, 0.1]];
//! let y = [0, 1, 0, 1];
//! let config = MlpParams { hidden: vec![4], learning_rate: 0.5, epochs: 5, ..MlpParams::default() }
//!     .validate()?;
//! let mut trainer = Trainer::new(&config, 2, 2, 7)?;
//! let data = Samples::new(x.view(), &y);
//! let outcome = trainer.train(data, data, config.epochs(), &mut |_| ControlFlow::Continue(()))?;
//! assert_eq!(outcome.curve.len(), 5);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Numbers: parameters and activations are [`Float`] (`f32`); sums that decide a reported loss
//! are accumulated in `f64`.

mod activation;
mod config;
pub mod gemm;
mod init;
mod loss;
mod metric;
mod network;
mod online;
mod optimizer;
mod predict;
mod regularization;
mod schedule;
mod train;

pub use activation::Activation;
pub use config::{BatchSize, ConfigError, MlpConfig, MlpParams, Optimizer};
pub use metric::{Metric, macro_f1};
pub use network::{Layer, Network};
pub use predict::{Predictions, Predictor};
pub use regularization::Penalty;
pub use schedule::LrSchedule;
pub use train::{
    Best, Divergence, EpochStats, Evaluation, Gradient, InputError, MAX_TRIAL_FLOATS, Outcome,
    Samples, Status, Trainer,
};

/// The one floating-point type of parameters and activations.
pub type Float = f32;
