//! The curve journal, `curves.journal.csv`: every epoch of every finished job, appended before
//! the job's trials.csv row (a job counts as finished only once that row is written), and read
//! back into curves.csv — each trial's whole curve once, refused when it is short.

use std::collections::HashMap;
use std::fs::File;
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::journal::number;
use super::rows::{RowReader, append_rows, corrupt, for_each_row};
use super::{ReportError, ResultsDir, dir};
use crate::objective::TrialOutcome;

/// curves.csv's columns. `fold` and `repeat` say which run of the trial an epoch belongs to
/// (empty without folds, without repeats).
pub(super) const CURVE_HEADER: [&str; 9] = [
    "trial",
    "epoch",
    "fold",
    "repeat",
    "learning_rate",
    "train_loss",
    "val_loss",
    "val_accuracy",
    "val_f1",
];

/// The per-epoch journal behind curves.csv.
#[derive(Debug)]
pub struct CurveJournal {
    path: PathBuf,
    file: File,
}

impl CurveJournal {
    /// The journal's file name.
    pub const FILE: &'static str = "curves.journal.csv";

    /// Opens the curve journal. On resume, keeps only the rows of recorded epochs: `recorded`
    /// maps each trial in trials.csv to the epochs its rows account for (a job killed after its
    /// curve but before its trials.csv row runs again), copied as they are; a recorded trial
    /// whose epochs are not all there is refused.
    pub fn open(
        dir: &ResultsDir,
        recorded: &HashMap<u64, usize>,
        resume: bool,
    ) -> Result<CurveJournal, ReportError> {
        let path = dir.file(Self::FILE);
        let kept = if resume && path.is_file() {
            complete_runs(&path, recorded)?
        } else if resume && !recorded.is_empty() {
            return Err(corrupt(
                &path,
                0,
                "the file is missing, but trials.csv records trials",
            ));
        } else {
            Vec::new()
        };
        let mut rows = match kept.is_empty() {
            true => None,
            false => Some(RowReader::open(&path)?),
        };
        dir.write_atomic(Self::FILE, |w| {
            let mut csv = csv::Writer::from_writer(&mut *w);
            csv.write_record(CURVE_HEADER)?;
            csv.flush()?;
            drop(csv);
            if let Some(rows) = &mut rows {
                for (_, run) in &kept {
                    w.write_all(rows.bytes(run.clone())?)?;
                }
            }
            Ok(())
        })?;
        let file = dir::open_for_write(&path, true)?;
        Ok(CurveJournal { path, file })
    }

    /// Appends every epoch of `trial`'s outcome and flushes.
    pub fn append(&mut self, trial: u64, outcome: &TrialOutcome) -> Result<(), ReportError> {
        let rows = outcome.curve.iter().map(|r| {
            vec![
                trial.to_string(),
                r.epoch.to_string(),
                r.fold.map(|f| f.to_string()).unwrap_or_default(),
                r.repeat.map(|f| f.to_string()).unwrap_or_default(),
                number(r.learning_rate),
                number(r.train_loss),
                number(r.val_loss),
                number(r.val_accuracy),
                number(r.val_f1),
            ]
        });
        append_rows(&mut self.file, &self.path, rows)
    }
}

/// Where the rows of the recorded epochs are in a curve journal: one (trial, byte range) per
/// run of consecutive kept rows of a trial, in file order. `recorded` maps a trial to its
/// epoch count; rows of other trials and of later epochs are left out, and a trial with fewer
/// rows than epochs (times its runs: folds × repeats, as its rows number them) is refused, so
/// curves.csv is never silently short.
pub(super) fn complete_runs(
    path: &Path,
    recorded: &HashMap<u64, usize>,
) -> Result<Vec<(u64, Range<u64>)>, ReportError> {
    let mut runs: Vec<(u64, Range<u64>)> = Vec::new();
    // Per trial: rows kept, and the largest fold and repeat seen (+1).
    let mut seen: HashMap<u64, (usize, u64, u64)> = HashMap::with_capacity(recorded.len());
    scan_curves(path, |id, epoch, (fold, repeat), bytes| {
        let Some(&epochs) = recorded.get(&id) else {
            return;
        };
        if epoch >= epochs as u64 {
            return;
        }
        let s = seen.entry(id).or_insert((0, 1, 1));
        s.0 += 1;
        s.1 = s.1.max(fold.map_or(1, |f| f + 1));
        s.2 = s.2.max(repeat.map_or(1, |r| r + 1));
        match runs.last_mut() {
            Some((trial, run)) if *trial == id && run.end == bytes.start => run.end = bytes.end,
            _ => runs.push((id, bytes)),
        }
    })?;
    let mut short: Vec<(u64, usize, usize)> = recorded
        .iter()
        .filter_map(|(&id, &epochs)| {
            let (have, folds, repeats) = seen.get(&id).copied().unwrap_or((0, 1, 1));
            let want = epochs * (folds * repeats) as usize;
            (have != want).then_some((id, have, want))
        })
        .collect();
    short.sort_unstable();
    if let Some(&(id, have, epochs)) = short.first() {
        return Err(ReportError::Incomplete {
            path: path.to_path_buf(),
            message: format!(
                "trial {id} has {have} epoch rows but trials.csv records {epochs} ({} trial{} affected)",
                short.len(),
                if short.len() == 1 { "" } else { "s" }
            ),
        });
    }
    Ok(runs)
}

/// Streams the curve rows of a journal (header skipped) in file order: calls `visit` with each
/// row's trial id, epoch, (fold, repeat) and byte range, one row at a time.
fn scan_curves(
    path: &Path,
    mut visit: impl FnMut(u64, u64, (Option<u64>, Option<u64>), Range<u64>),
) -> Result<(), ReportError> {
    let mut header = true;
    for_each_row(path, |line, row, bytes| {
        if std::mem::take(&mut header) {
            return Ok(());
        }
        let id = row.get(0).and_then(|s| s.parse::<u64>().ok());
        let epoch = row.get(1).and_then(|s| s.parse::<u64>().ok());
        let index = |i: usize| match row.get(i) {
            Some("") => Some(None),
            Some(s) => s.parse::<u64>().ok().map(Some),
            None => None,
        };
        let (Some(id), Some(epoch), Some(fold), Some(repeat), true) = (
            id,
            epoch,
            index(2),
            index(3),
            row.len() == CURVE_HEADER.len(),
        ) else {
            return Err(corrupt(
                path,
                line,
                &format!("expected {}", CURVE_HEADER.join(",")),
            ));
        };
        visit(id, epoch, (fold, repeat), bytes);
        Ok(())
    })?;
    Ok(())
}
