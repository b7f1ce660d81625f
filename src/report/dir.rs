//! The one owner of the results directory: creates it before the first trial, refuses to
//! overwrite another sweep, and writes whole files atomically.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::ReportError;

/// A results directory, created (or checked for `--resume`) before anything runs.
#[derive(Debug, Clone)]
pub struct ResultsDir {
    path: PathBuf,
}

impl ResultsDir {
    /// Creates `path` (and its parents). Without `resume`, a folder that already holds files is
    /// refused; with `resume`, it must hold a `trials.csv`.
    pub fn create(path: &Path, resume: bool) -> Result<Self, ReportError> {
        if resume {
            return Self::open(path).map_err(|_| ReportError::NothingToResume {
                path: path.to_path_buf(),
            });
        }
        fs::create_dir_all(path).map_err(ReportError::io(path))?;
        let mut entries = fs::read_dir(path).map_err(ReportError::io(path))?;
        if entries.next().is_some() {
            return Err(ReportError::Exists {
                path: path.to_path_buf(),
            });
        }
        Ok(ResultsDir {
            path: path.to_path_buf(),
        })
    }

    /// Opens an existing results directory holding a `trials.csv` (resume, `hpsearch report`).
    pub fn open(path: &Path) -> Result<Self, ReportError> {
        let dir = ResultsDir {
            path: path.to_path_buf(),
        };
        if !dir.file("trials.csv").is_file() {
            return Err(ReportError::NotResults { path: dir.path });
        }
        Ok(dir)
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A file in the folder.
    pub fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// Writes `name` atomically: `write` fills a temporary file, which then replaces `name`, so
    /// a reader never sees half a file and a crash leaves the old one.
    pub fn write_atomic(
        &self,
        name: &str,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<PathBuf, ReportError> {
        let target = self.file(name);
        let temp = self.file(&format!(".{name}.tmp"));
        let result = (|| {
            let mut out = BufWriter::new(fs::File::create(&temp)?);
            write(&mut out)?;
            out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            fs::rename(&temp, &target)
        })();
        result.map_err(ReportError::io(&target))?;
        Ok(target)
    }
}
