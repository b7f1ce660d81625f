//! hpsearch: hyper-parameter search for neural networks.
//!
//! ```text
//! space.toml ──parse+validate──▶ SearchSpace ──Sampler (grid | random)──▶ TrialConfig*
//! data (CSV | IDX | builtin) ──load+split+standardize──▶ Dataset {train, validation, test}
//! TrialConfig + Dataset ──Objective (embedded MLP trainer)──▶ TrialOutcome {metrics, curve, status}
//! TrialOutcome* ──journal (append, flushed)──▶ trials.csv ──rank──▶ ranked.csv, curves.csv, best.toml
//! ```

pub mod data;
pub mod mlp;
pub mod objective;
pub mod report;
pub mod runner;
pub mod search;
pub mod space;
