//! Outcomes → files: the results directory, the journals (trials.csv and the curve journal),
//! the ranking, ranked.csv, curves.csv, best.toml, test.csv, confusion.csv, report.html and the JSON
//! ranking. Exporters take an `impl io::Write`; only [`ResultsDir`] touches the file system
//! (and [`html::write_file`], which writes report.html the same atomic way).

mod best;
mod confusion;
mod data_file;
mod dir;
mod error;
pub mod html;
mod journal;
mod json;
mod predictions;
mod rank;
mod recorder;

pub use best::best_toml;
pub use confusion::write_confusion;
pub use data_file::{DATA_FILE, data_toml, read_identity};
pub use dir::ResultsDir;
pub use error::ReportError;
pub use journal::{
    CurveJournal, Done, Journal, JournalContents, Record, number, read as read_journal,
};
pub use json::write_json;
pub use predictions::write_predictions;
pub use rank::{RankKey, Ranking, rank_order, write_curves, write_ranked, write_test};
pub use recorder::{Recorder, write_reports};
