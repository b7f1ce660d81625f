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
//! use std::sync::{Arc, atomic::AtomicBool};
//!
//! use hpsearch::objective::{mlp::MlpObjective, params::MLP_PARAMS};
//! use hpsearch::runner::{self, Observers};
//!
//! let text = r#"
//!     [data]
//!     builtin = "iris"
//!     [params]
//!     learning_rate = [0.05, 0.2]
//!     epochs = 10
//! "#;
//! let space = hpsearch::space::parse(text, Path::new("example.toml"), MLP_PARAMS)?;
//! let trials = hpsearch::search::trials(&space)?;
//! let data = hpsearch::data::load(space.data(), space.base_dir(), space.seed())?;
//! let objective = MlpObjective::new(Arc::new(data));
//!
//! let summary = runner::run(&objective, &trials, 2, &Observers(vec![]), &AtomicBool::new(false))?;
//! assert_eq!(summary.finished.len(), 2);
//! let (id, best) = summary
//!     .finished
//!     .iter()
//!     .min_by(|a, b| a.1.best_val_loss.total_cmp(&b.1.best_val_loss))
//!     .unwrap();
//! println!("trial {id}: validation loss {:.3}", best.best_val_loss);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod data;
pub mod mlp;
pub mod objective;
pub mod report;
pub mod runner;
pub mod search;
pub mod space;
