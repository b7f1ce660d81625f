//! Outcomes → files: the results directory, the journals (trials.csv and the curve journal),
//! the ranking, ranked.csv, curves.csv, best.toml and test.csv. Exporters take an
//! `impl io::Write`; only [`ResultsDir`] touches the file system.

mod best;
mod dir;
mod error;
mod journal;
mod rank;
mod recorder;

pub use best::best_toml;
pub use dir::ResultsDir;
pub use error::ReportError;
pub use journal::{
    CurveJournal, Done, Journal, JournalContents, Record, number, read as read_journal,
};
pub use rank::{RankKey, Ranking, rank_order, write_curves, write_ranked, write_test};
pub use recorder::{Recorder, write_reports};
