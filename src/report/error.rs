//! Errors of the results directory and its files.

use std::path::PathBuf;

/// A problem with the results directory or one of its files.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Reading or writing a file failed.
    #[error("{path}: {cause}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause, shown in the message (not as an error source: a journal error reaches the
        /// user as one line, through the runner's observer, and must keep its cause, e.g. "No
        /// space left on device").
        cause: std::io::Error,
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
    /// A journal lacks rows another journal says it has.
    #[error(
        "{path}: {message}\nhint: the journal was edited or truncated: restore it, or run the sweep again into a new --out"
    )]
    Incomplete {
        /// The journal.
        path: PathBuf,
        /// What is missing.
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
    /// `--resume` on a directory that holds files but no journal.
    #[error(
        "{path} has no trials.csv to resume from, and it holds other files\nhint: pass --out DIR to start the sweep in a new or empty folder"
    )]
    NothingToResume {
        /// The folder.
        path: PathBuf,
    },
    /// Another hpsearch holds the results directory's lock.
    #[error(
        "{path} is in use by another hpsearch, which holds its lock {path}/.lock\nhint: wait for that run to end, or pass --out DIR to write elsewhere"
    )]
    Busy {
        /// The folder.
        path: PathBuf,
    },
    /// `--out` names something that is not a folder.
    #[error(
        "{path} is a file, not a directory\nhint: --out takes a folder (created if missing); choose another name"
    )]
    NotADirectory {
        /// The path given.
        path: PathBuf,
    },
    /// A file of the results directory is a symbolic link, which hpsearch never writes through.
    #[error(
        "{path} is a symbolic link; hpsearch does not write through links in a results directory\nhint: replace the link with a copy of the file it points to, or pass --out DIR to start a new sweep"
    )]
    Symlink {
        /// The link.
        path: PathBuf,
    },
    /// The shard folders of a results directory do not make one sweep.
    #[error("{path}: {message}")]
    Shards {
        /// The shard folder (or the shards/ folder).
        path: PathBuf,
        /// What is wrong, and what to do.
        message: String,
    },
}

impl ReportError {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> ReportError {
        let path = path.into();
        move |cause| ReportError::Io { path, cause }
    }
}
