//! The journals as a sweep observer, and the final reports rebuilt from them.

use std::collections::HashSet;
use std::sync::Mutex;

use super::journal::{self, read_curves};
use super::{CurveJournal, Journal, JournalContents, Record, ReportError, ResultsDir};
use crate::objective::TrialOutcome;
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
    /// records of trials already finished (empty unless `resume`).
    pub fn open(
        dir: &ResultsDir,
        params: Vec<String>,
        resume: bool,
    ) -> Result<(Recorder, Vec<Record>), ReportError> {
        let (journal, done) = Journal::open(dir, &params, resume)?;
        let ids: HashSet<u64> = done.iter().map(|r| r.trial).collect();
        let curves = CurveJournal::open(dir, &ids, resume)?;
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
/// returns the journal's contents with records in rank order.
pub fn write_reports(dir: &ResultsDir) -> Result<JournalContents, ReportError> {
    let mut contents = journal::read(&dir.file("trials.csv"))?;
    super::rank(&mut contents.records);
    dir.write_atomic("ranked.csv", |w| {
        super::write_ranked(w, &contents.params, &contents.records)
    })?;
    let curve_file = dir.file(CurveJournal::FILE);
    if curve_file.is_file() {
        let ids: HashSet<u64> = contents.records.iter().map(|r| r.trial).collect();
        let rows = read_curves(&curve_file, Some(&ids))?;
        dir.write_atomic("curves.csv", |w| super::write_curves(w, rows))?;
    }
    Ok(contents)
}
