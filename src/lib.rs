//! hpsearch: hyper-parameter search for neural networks.
//!
//! ```text
//! space.toml ──parse+validate──▶ SearchSpace ──Sampler (grid | random)──▶ TrialConfig*
//! data (CSV | IDX | builtin) ──load+split+standardize──▶ Dataset {train, validation, test}
//! TrialConfig + Dataset ──Objective (embedded MLP trainer)──▶ TrialOutcome {metrics, curve, status}
//! TrialOutcome* ──journal (append, flushed)──▶ trials.csv ──rank──▶ ranked.csv, curves.csv, best.toml
//! ```
//!
//! Each module has one job and imports only from upstream: [`space`] (TOML → SearchSpace),
//! [`search`] (→ trials, and the only place seeds are derived), [`data`] (→ Dataset),
//! [`objective`] (the trait a model implements; [`mlp`] is the trainer behind it, unaware of
//! searches), [`runner`] (trials → outcomes on a local rayon pool), [`report`] (outcomes →
//! files). The `hpsearch` binary wires them together and is the only code that prints.
//!
//! # Example: a sweep without the command line
//!
//! ```
//! use std::path::Path;
//! use std::sync::{Arc, Mutex, atomic::AtomicBool};
//!
//! use hpsearch::objective::{TrialOutcome, mlp::MlpObjective, params::MLP_PARAMS};
//! use hpsearch::runner::{self, TrialObserver};
//! use hpsearch::search::TrialConfig;
//!
//! /// Keeps the best (validation loss, trial id) seen.
//! #[derive(Default)]
//! struct Best(Mutex<Option<(f64, u64)>>);
//!
//! impl TrialObserver for Best {
//!     fn finished(&self, trial: &TrialConfig, outcome: &TrialOutcome) -> Result<(), String> {
//!         let mut best = self.0.lock().unwrap();
//!         if best.is_none_or(|(loss, _)| outcome.score < loss) {
//!             *best = Some((outcome.score, trial.id));
//!         }
//!         Ok(())
//!     }
//! }
//!
//! let text = r#"
//!     [data]
//!     builtin = "iris"
//!     [params]
//!     learning_rate = [0.05, 0.2]
//!     epochs = 10
//! "#;
//! let space = hpsearch::space::parse(text, Path::new("example.toml"), MLP_PARAMS)?;
//! let data = hpsearch::data::load(space.data(), space.base_dir(), space.seed())?;
//! let objective = MlpObjective::new(Arc::new(data));
//!
//! let best = Best::default();
//! let ids = 0..hpsearch::search::count(&space)?;
//! let trial = |id| hpsearch::search::trial(&space, id);
//! let summary = runner::run(&objective, ids, &trial, 2, &best, &AtomicBool::new(false))?;
//! assert_eq!(summary.finished, 2);
//! let (loss, id) = best.0.into_inner()?.unwrap();
//! println!("trial {id}: validation loss {loss:.3}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod data;
pub mod mlp;
pub mod model;
pub mod objective;
pub mod report;
pub mod runner;
pub mod search;
pub mod space;
