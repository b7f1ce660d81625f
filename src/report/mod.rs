//! Outcomes → files: the results directory, the journals (trials.csv and the curve journal),
//! the ranking, ranked.csv, curves.csv, best.toml, test.csv, confusion.csv, report.html and
//! the JSON ranking. Exporters take an `impl io::Write`. Every write into a results directory goes
//! through [`ResultsDir`] (atomic files, journals opened without following links); the journal
//! readers and report.html's reader open files of the directory for reading only.

mod best;
mod confusion;
mod curves;
mod data_file;
mod dir;
mod error;
pub mod html;
mod journal;
mod json;
mod predictions;
mod rank;
mod recorder;
mod rows;
mod shards;

pub use best::best_toml;
pub use confusion::write_confusion;
pub use curves::CurveJournal;
pub use data_file::{DATA_FILE, data_toml, read_identity};
pub use dir::ResultsDir;
pub use error::ReportError;
pub use journal::{Done, Journal, JournalContents, Record, number, read as read_journal};
pub use json::write_json;
pub use predictions::write_predictions;
pub use rank::{RankKey, Ranking, rank_order, write_curves, write_ranked, write_test};
pub use recorder::{Recorder, write_reports};
pub use shards::{SHARDS, Shard, read_shards, shard_folders, write_merged};
