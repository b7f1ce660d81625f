//! The journals as a sweep observer, and the final reports rebuilt from them.

use std::collections::HashMap;
use std::sync::Mutex;

use super::curves::{self, CurveJournal};
use super::journal::{self, Done};
use super::rows::RowReader;
use super::{Journal, RankKey, Ranking, Record, ReportError, ResultsDir};
use crate::objective::{TrialOutcome, TrialStatus};
use crate::runner::TrialObserver;
use crate::search::TrialConfig;

/// Appends each finished trial to the curve journal, then to trials.csv.
#[derive(Debug)]
pub struct Recorder {
    params: Vec<String>,
    journals: Mutex<(Journal, CurveJournal)>,
}

impl Recorder {
    /// Opens both journals in `dir` (see [`Journal::open`]); returns the recorder and the
    /// jobs already finished (empty unless `resume`).
    ///
    /// `check` sees each finished job first, before the curve journal is read, so that a row
    /// that cannot belong to the sweep is refused as such.
    pub fn open(
        dir: &ResultsDir,
        params: Vec<String>,
        resume: bool,
        check: impl FnMut(&Done) -> Result<(), ReportError>,
    ) -> Result<(Recorder, Vec<Done>), ReportError> {
        let (journal, done) = Journal::open(dir, &params, resume)?;
        done.iter().try_for_each(check)?;
        let curves = CurveJournal::open(dir, &epochs_recorded(done.iter().map(|d| d.key)), resume)?;
        Ok((
            Recorder {
                params,
                journals: Mutex::new((journal, curves)),
            },
            done,
        ))
    }
}

impl TrialObserver for Recorder {
    fn finished(&self, trial: &TrialConfig, outcome: &TrialOutcome) -> Result<(), String> {
        let mut guard = self.journals.lock().unwrap_or_else(|e| e.into_inner());
        let (journal, curves) = &mut *guard;
        curves
            .append(trial.id, outcome)
            .map_err(|e| e.to_string())?;
        journal
            .append(&Record::new(trial, outcome, &self.params))
            .map_err(|e| e.to_string())
    }
}

/// Rebuilds ranked.csv and curves.csv (both written atomically) from the journals in `dir`;
/// returns the ranking summarised, with its first `top` records (at least one).
///
/// Holds a few dozen bytes per trial, never every row: it ranks (key, byte offset) pairs, then
/// reads the rows back one at a time in rank order; curves.csv copies each trial's rows (kept
/// together in the curve journal) in trial order.
pub fn write_reports(dir: &ResultsDir, top: usize) -> Result<Ranking, ReportError> {
    let journal = dir.file("trials.csv");
    let mut rows: Vec<Row> = Vec::new();
    let (params, _) = journal::scan(&journal, |record, bytes, _| {
        rows.push(Row::new(&record, bytes.start));
    })?;
    // Epochs recorded per trial, over all its rows (a rung's row covers the rungs before it).
    let recorded = epochs_recorded(rows.iter().map(Row::key));
    // Each trial once: its last rung, and the first row of that rung, as resuming takes it.
    rows.sort_by_key(|r| (r.key.trial, std::cmp::Reverse(r.rung), r.start));
    rows.dedup_by_key(|r| r.key.trial);
    rows.sort_by(|a, b| a.key().order(&b.key()));

    let mut counts: Vec<(TrialStatus, usize)> = Vec::new();
    for row in &rows {
        match counts.iter_mut().find(|(s, _)| *s == row.key.status) {
            Some((_, n)) => *n += 1,
            None => counts.push((row.key.status, 1)),
        }
    }
    let mut first: Option<Vec<String>> = None;
    let mut varying = vec![false; params.len()];
    let mut best = Vec::new();
    let mut reader = RowReader::open(&journal)?;
    dir.write_atomic("ranked.csv", |w| {
        let records = rows.iter().map(|row| {
            let record = reader.record(row.start, params.len())?;
            match &first {
                None => first = Some(record.params.clone()),
                Some(first) => {
                    for (v, (a, b)) in varying.iter_mut().zip(first.iter().zip(&record.params)) {
                        *v |= a != b;
                    }
                }
            }
            if best.len() < top.max(1) {
                best.push(record.clone());
            }
            Ok(record)
        });
        super::write_ranked(w, &params, records)
    })?;

    let curve_file = dir.file(CurveJournal::FILE);
    if curve_file.is_file() {
        let mut runs = curves::complete_runs(&curve_file, &recorded)?;
        // Stable: a trial's rows keep their journal order.
        runs.sort_by_key(|(trial, _)| *trial);
        let mut reader = RowReader::open(&curve_file)?;
        dir.write_atomic("curves.csv", |w| {
            let rows = runs
                .iter()
                .map(|(_, run)| reader.bytes(run.clone()).map(<[u8]>::to_vec));
            super::write_curves(w, rows)
        })?;
    }
    Ok(Ranking {
        params,
        varying,
        top: best,
        trials: rows.len(),
        counts,
    })
}

/// A journal row as the ranking holds it: its key and where it starts (32 bytes).
#[derive(Clone, Copy, Debug)]
struct Row {
    key: RankKey,
    rung: Option<u32>,
    start: u64,
}

impl Row {
    fn new(record: &Record, start: u64) -> Self {
        Row {
            key: RankKey::of(record),
            rung: record.rung,
            start,
        }
    }

    fn key(&self) -> RankKey {
        self.key
    }
}

/// The epochs each trial's rows account for: the most any of its rows records.
fn epochs_recorded(keys: impl Iterator<Item = RankKey>) -> HashMap<u64, usize> {
    let mut epochs: HashMap<u64, usize> = HashMap::new();
    for key in keys {
        let e = epochs.entry(key.trial).or_default();
        *e = (*e).max(key.epochs);
    }
    epochs
}
