//! The one owner of the results directory: creates it before the first trial, holds an
//! exclusive lock on it while a sweep runs, refuses to overwrite another sweep, writes whole
//! files atomically, never writes through a symbolic link, and removes what a run wrote when it
//! recorded no trial.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::ReportError;

/// The lock file: held (an advisory `flock`) by the one `hpsearch run` using the directory.
/// It stays when the run ends: deleting it would let two later runs lock different files.
const LOCK: &str = ".lock";

/// The files a sweep writes, removed by [`ResultsDir::discard_if_empty`].
const WRITTEN: [&str; 10] = [
    "space.toml",
    "data.toml",
    "report.html",
    "trials.csv",
    "curves.journal.csv",
    "ranked.csv",
    "curves.csv",
    "best.toml",
    "test.csv",
    LOCK,
];

/// A results directory, created (or checked for `--resume`) before anything runs.
#[derive(Debug, Clone)]
pub struct ResultsDir {
    path: PathBuf,
    /// The lock file, locked for as long as any clone lives (`None`: opened to read).
    lock: Option<Arc<File>>,
    /// Whether the sweep starts here (no journal yet), as opposed to resuming one.
    fresh: bool,
    /// The folders this process created for it, outermost first.
    created: Vec<PathBuf>,
}

/// What a folder holds, for deciding whether a sweep may use it.
#[derive(PartialEq)]
enum Contents {
    /// Nothing, or only the lock file.
    Empty,
    /// A journal to resume.
    Journal,
    /// Other files.
    Other,
}

impl ResultsDir {
    /// Creates `path` (and its parents) and locks it for this process (another `hpsearch run`
    /// using it is refused at once). An empty folder starts a new sweep; without `resume`, a
    /// folder that holds files is refused; with `resume`, it must hold a `trials.csv`.
    pub fn create(path: &Path, resume: bool) -> Result<Self, ReportError> {
        if fs::metadata(path).is_ok_and(|m| !m.is_dir()) {
            return Err(ReportError::NotADirectory {
                path: path.to_path_buf(),
            });
        }
        let created = create_dirs(path)?;
        let locked = Self::claim(path, resume);
        if locked.is_err() {
            remove_dirs(&created);
        }
        let (lock, contents) = locked?;
        Ok(ResultsDir {
            path: path.to_path_buf(),
            lock: Some(Arc::new(lock)),
            fresh: contents == Contents::Empty,
            created,
        })
    }

    /// Takes the lock of `path` and checks what it holds. A folder that cannot be used is
    /// refused before a lock file is put into it.
    fn claim(path: &Path, resume: bool) -> Result<(File, Contents), ReportError> {
        let file = path.join(LOCK);
        let exists = fs::symlink_metadata(&file).is_ok();
        if !exists {
            usable(path, resume)?;
        }
        let lock = lock_file(path, &file)?;
        // Again under the lock: another run may have written here since.
        Ok((lock, usable(path, resume)?))
    }

    /// Opens an existing results directory holding a `trials.csv` (`hpsearch report`), without
    /// taking its lock: reading a sweep while it runs is fine.
    pub fn open(path: &Path) -> Result<Self, ReportError> {
        let dir = ResultsDir {
            path: path.to_path_buf(),
            lock: None,
            fresh: false,
            created: Vec::new(),
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

    /// Whether it holds a sweep to go on with (its journal), as opposed to starting one.
    pub fn resumes(&self) -> bool {
        !self.fresh
    }

    /// Writes `name` atomically: `write` fills a new temporary file (created exclusively, with
    /// a name of its own, removed if anything fails), which then replaces `name`, so a reader
    /// never sees half a file and a crash leaves the old one. A symbolic link at `name` is
    /// refused (the rename would never follow it, but it is not what a sweep wrote).
    pub fn write_atomic(
        &self,
        name: &str,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<PathBuf, ReportError> {
        let target = self.file(name);
        if is_link(&target) {
            return Err(ReportError::Symlink { path: target });
        }
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // Like any new file (the umask applies), not tempfile's owner-only default.
            builder.permissions(fs::Permissions::from_mode(0o666));
        }
        let result = (|| {
            let mut temp = builder.tempfile_in(&self.path)?;
            let mut out = BufWriter::new(temp.as_file_mut());
            write(&mut out)?;
            out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            // On failure the temporary file is dropped, which removes it.
            temp.persist(&target).map_err(|e| e.error)?;
            Ok(())
        })();
        result.map_err(ReportError::io(&target))?;
        Ok(target)
    }

    /// Removes what was written here and the folders this process created, when the sweep
    /// started here and its journal has no row: a run that trained nothing leaves nothing
    /// behind, so that a failed start never blocks the same command run again. Returns whether
    /// it did. Does nothing for a resumed sweep or one that recorded a trial.
    pub fn discard_if_empty(&self) -> bool {
        if !self.fresh || self.lock.is_none() || has_a_row(&self.file("trials.csv")) {
            return false;
        }
        for name in WRITTEN {
            let _ = fs::remove_file(self.file(name));
        }
        remove_dirs(&self.created);
        true
    }
}

/// What `path` holds, or why a sweep (`resume` or not) may not use it.
fn usable(path: &Path, resume: bool) -> Result<Contents, ReportError> {
    let mut contents = Contents::Empty;
    for entry in fs::read_dir(path).map_err(ReportError::io(path))? {
        let entry = entry.map_err(ReportError::io(path))?;
        match entry.file_name().to_str() {
            Some(LOCK) => {}
            Some("trials.csv") => contents = Contents::Journal,
            _ if contents == Contents::Empty => contents = Contents::Other,
            _ => {}
        }
    }
    let path = path.to_path_buf();
    match contents {
        Contents::Empty => Ok(contents),
        Contents::Journal if resume => Ok(contents),
        _ if resume => Err(ReportError::NothingToResume { path }),
        _ => Err(ReportError::Exists { path }),
    }
}

/// Opens (creating it if needed) and locks the lock file `file` of the folder `dir`.
fn lock_file(dir: &Path, file: &Path) -> Result<File, ReportError> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(false);
    no_follow(&mut options);
    let lock = options.open(file).map_err(|e| refusal(file, e))?;
    match lock.try_lock() {
        Ok(()) => Ok(lock),
        Err(TryLockError::WouldBlock) => Err(ReportError::Busy {
            path: dir.to_path_buf(),
        }),
        Err(TryLockError::Error(e)) => Err(ReportError::io(file)(e)),
    }
}

/// Creates `path` and its missing parents; returns the folders it created, outermost first.
fn create_dirs(path: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let missing: Vec<&Path> = path
        .ancestors()
        .take_while(|p| !p.as_os_str().is_empty() && fs::symlink_metadata(p).is_err())
        .collect();
    let mut created = Vec::new();
    for dir in missing.into_iter().rev() {
        match fs::create_dir(dir) {
            Ok(()) => created.push(dir.to_path_buf()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => {}
            Err(e) => {
                remove_dirs(&created);
                return Err(ReportError::io(dir)(e));
            }
        }
    }
    Ok(created)
}

/// Removes the (empty) folders `created`, innermost first; a folder that is not empty stays.
fn remove_dirs(created: &[PathBuf]) {
    for dir in created.iter().rev() {
        let _ = fs::remove_dir(dir);
    }
}

/// Whether the CSV file at `path` has a complete line after its header (true when it cannot
/// be read: then it is kept).
fn has_a_row(path: &Path) -> bool {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) => return e.kind() != io::ErrorKind::NotFound,
    };
    let mut reader = BufReader::new(file);
    let mut line = Vec::new();
    for _ in 0..2 {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(_) if line.last() == Some(&b'\n') => {}
            Ok(_) => return false,
            Err(_) => return true,
        }
    }
    true
}

/// Opens the existing file `path` of a results directory for writing (`append`: at its end),
/// never through a symbolic link: a link planted in place of a journal is refused.
pub(super) fn open_for_write(path: &Path, append: bool) -> Result<File, ReportError> {
    let mut options = OpenOptions::new();
    options.write(true).append(append);
    no_follow(&mut options);
    options.open(path).map_err(|e| refusal(path, e))
}

/// Creates the file `path` of a results directory, which must not exist yet (not even as a
/// link).
pub(super) fn create_new(path: &Path) -> Result<File, ReportError> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| refusal(path, e))
}

/// Whether `path` is a symbolic link.
fn is_link(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// The error for a failed open of `path`: a symbolic link is named as such.
fn refusal(path: &Path, error: io::Error) -> ReportError {
    if is_link(path) {
        ReportError::Symlink {
            path: path.to_path_buf(),
        }
    } else {
        ReportError::io(path)(error)
    }
}

/// Makes `options` fail on a symbolic link (the last component) instead of following it.
#[cfg(unix)]
fn no_follow(options: &mut OpenOptions) {
    use std::os::unix::fs::OpenOptionsExt;
    options.custom_flags(libc::O_NOFOLLOW);
}

/// Elsewhere the check after a failed open is all there is.
#[cfg(not(unix))]
fn no_follow(_: &mut OpenOptions) {}
