//! Errors of the results directory and its files.

use std::path::PathBuf;

/// A problem with the results directory or one of its files.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Reading or writing a file failed.
    #[error("{path}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A journal line could not be read.
    #[error(
        "{path}:{line}: {message}\nhint: the journal was edited or written by another version; move it aside to start over"
    )]
    Corrupt {
        /// The journal.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// The results directory holds another sweep's files.
    #[error(
        "{path} already holds results\nhint: pass --resume to finish that sweep, or --out DIR to write elsewhere"
    )]
    Exists {
        /// The folder.
        path: PathBuf,
    },
    /// `--resume` on a directory written from a different space.
    #[error(
        "{path} was written by a different search space (its trials.csv columns or space.toml differ)\nhint: resume with the space it was started with, or pass --out DIR to start a new sweep"
    )]
    DifferentSpace {
        /// The folder.
        path: PathBuf,
    },
    /// A folder without a journal where a results directory was expected.
    #[error(
        "{path} is not a results directory: it has no trials.csv\nhint: give the folder `hpsearch run` wrote (by default results/NAME)"
    )]
    NotResults {
        /// The folder.
        path: PathBuf,
    },
    /// `--resume` on a directory without a journal.
    #[error(
        "{path} has no trials.csv to resume from\nhint: run without --resume to start the sweep"
    )]
    NothingToResume {
        /// The folder.
        path: PathBuf,
    },
}

impl ReportError {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> ReportError {
        let path = path.into();
        move |source| ReportError::Io { path, source }
    }
}
