//! The trials journal, `trials.csv`: one row per finished job (a trial, or one rung of it),
//! appended and flushed as each finishes, so a killed sweep loses at most the jobs that were
//! running; and its reading back (records, finished jobs, typed trials). Its per-epoch
//! companion is [`super::curves`]; both append and scan rows with [`super::rows`].

use std::collections::HashSet;
use std::fs::File;
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::rows::{append_rows, corrupt, for_each_row, truncate, write_line};
use super::{RankKey, ReportError, ResultsDir, dir};
use crate::objective::{TrialOutcome, TrialStatus};
use crate::search::{Told, TrialConfig};
use crate::space::schema::ParamSpec;
use crate::space::value::Params;

/// The fixed columns of trials.csv and ranked.csv, after `trial` and before the parameters.
/// `score` ranks (the metric as a loss); `score_std` and `val_loss_std` are the spread across a
/// trial's runs (folds, repeats), empty with one run; `seed` is the trial's training seed;
/// `bracket` and `rung` are empty outside halving and Hyperband.
pub(super) const SCORE_COLUMNS: [&str; 14] = [
    "status",
    "score",
    "score_std",
    "val_loss",
    "val_loss_std",
    "best_epoch",
    "val_accuracy",
    "val_f1",
    "train_loss",
    "epochs_run",
    "seconds",
    "seed",
    "bracket",
    "rung",
];

/// Where the parameters start in a trials.csv row.
const PARAMS_AT: usize = 1 + SCORE_COLUMNS.len();

/// The column after the parameters: each run's score, space-separated (empty with one run).
const SCORES: &str = "scores";

/// The last column: why a trial failed or diverged.
const MESSAGE: &str = "message";

/// One finished job (a trial, or one rung of it) as the journal stores it; parameters are
/// kept as their CSV text.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// Trial id.
    pub trial: u64,
    /// The trial's training seed.
    pub seed: u64,
    /// Halving and Hyperband: the bracket (0-based, in running order).
    pub bracket: Option<u32>,
    /// Halving and Hyperband: the rung this row completes (0-based).
    pub rung: Option<u32>,
    /// How it ended.
    pub status: TrialStatus,
    /// What ranks it: the metric at the best epoch as a loss (NaN when none).
    pub score: f64,
    /// The standard deviation of `scores` (NaN with one run).
    pub score_std: f64,
    /// Each run's score at the best epoch (empty with one run).
    pub scores: Vec<f64>,
    /// Validation loss at the best epoch (NaN when none).
    pub val_loss: f64,
    /// Its standard deviation across runs (NaN with one run).
    pub val_loss_std: f64,
    /// The best epoch (0-based).
    pub best_epoch: Option<usize>,
    /// Validation accuracy at the best epoch.
    pub val_accuracy: f64,
    /// Validation macro F1 at the best epoch.
    pub val_f1: f64,
    /// Training loss of the best epoch.
    pub train_loss: f64,
    /// Epochs run.
    pub epochs_run: usize,
    /// Wall seconds of training.
    pub seconds: f64,
    /// Why it failed or diverged.
    pub message: String,
    /// Parameter values in column order, empty when inactive.
    pub params: Vec<String>,
}

impl Record {
    /// The record of `trial`'s `outcome`, with parameters in `columns` order.
    pub fn new(trial: &TrialConfig, outcome: &TrialOutcome, columns: &[String]) -> Self {
        Record {
            trial: trial.id,
            seed: trial.seed,
            bracket: trial.rung.map(|r| r.bracket),
            rung: trial.rung.map(|r| r.index),
            status: outcome.status,
            score: outcome.score,
            score_std: outcome.score_std,
            scores: outcome.scores.clone(),
            val_loss: outcome.best_val_loss,
            val_loss_std: outcome.val_loss_std,
            best_epoch: outcome.best_epoch,
            val_accuracy: outcome.val_accuracy,
            val_f1: outcome.val_f1,
            train_loss: outcome.train_loss,
            epochs_run: outcome.epochs_run,
            seconds: outcome.seconds,
            message: outcome.message.clone(),
            params: columns
                .iter()
                .map(|c| {
                    trial
                        .params
                        .get(c)
                        .map(|v| v.to_string())
                        .unwrap_or_default()
                })
                .collect(),
        }
    }

    /// What this row tells a study that is restored from the journal.
    pub fn told(&self) -> Told {
        Told {
            id: self.trial,
            rung: self.rung,
            status: self.status,
            score: self.score,
        }
    }

    /// The trial this row ran, read back with its seed and typed parameters: `columns` names
    /// the parameter columns, `schema` gives their kinds (parameters without a column are
    /// `None`, as they were inactive in every trial).
    pub fn trial(
        &self,
        columns: &[String],
        schema: &'static [ParamSpec],
    ) -> Result<TrialConfig, String> {
        let mut params = Params::new();
        for spec in schema {
            let text = columns
                .iter()
                .position(|c| c == spec.name)
                .map(|i| self.params[i].as_str())
                .filter(|t| !t.is_empty());
            let value = match text {
                None => None,
                Some(text) => Some(spec.kind.parse(text).ok_or_else(|| {
                    format!(
                        "trial {}: {} = {text:?} is not a legal value",
                        self.trial, spec.name
                    )
                })?),
            };
            params.set(spec.name, value);
        }
        Ok(TrialConfig::new(self.trial, self.seed, params))
    }

    /// The CSV fields, in header order.
    pub(super) fn fields(&self) -> Vec<String> {
        let mut fields = vec![
            self.trial.to_string(),
            self.status.name().to_string(),
            number(self.score),
            number(self.score_std),
            number(self.val_loss),
            number(self.val_loss_std),
            self.best_epoch.map(|e| e.to_string()).unwrap_or_default(),
            number(self.val_accuracy),
            number(self.val_f1),
            number(self.train_loss),
            self.epochs_run.to_string(),
            format!("{:.3}", self.seconds),
            self.seed.to_string(),
            self.bracket.map(|b| b.to_string()).unwrap_or_default(),
            self.rung.map(|r| r.to_string()).unwrap_or_default(),
        ];
        fields.extend(self.params.iter().cloned());
        let scores: Vec<String> = self.scores.iter().map(|&s| number(s)).collect();
        fields.push(scores.join(" "));
        fields.push(self.message.clone());
        fields
    }

    pub(super) fn parse(fields: &csv::StringRecord, params: usize) -> Result<Self, String> {
        let expected = PARAMS_AT + params + 2;
        if fields.len() != expected {
            return Err(format!(
                "expected {expected} fields, found {}",
                fields.len()
            ));
        }
        let f = |i: usize| fields.get(i).unwrap_or("");
        let int = |i: usize| {
            f(i).parse::<u64>()
                .map_err(|_| format!("bad integer {:?}", f(i)))
        };
        let small = |i: usize| match f(i) {
            "" => Ok(None),
            s => s
                .parse::<u32>()
                .map(Some)
                .map_err(|_| format!("bad integer {s:?}")),
        };
        let real = |i: usize| match f(i) {
            "" => Ok(f64::NAN),
            s => s.parse::<f64>().map_err(|_| format!("bad number {s:?}")),
        };
        let scores = f(PARAMS_AT + params)
            .split_whitespace()
            .map(|s| {
                s.parse::<f64>()
                    .map_err(|_| format!("bad number {s:?} in scores"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Record {
            trial: int(0)?,
            status: TrialStatus::from_name(f(1)).ok_or_else(|| format!("bad status {:?}", f(1)))?,
            score: real(2)?,
            score_std: real(3)?,
            val_loss: real(4)?,
            val_loss_std: real(5)?,
            best_epoch: if f(6).is_empty() {
                None
            } else {
                Some(int(6)? as usize)
            },
            val_accuracy: real(7)?,
            val_f1: real(8)?,
            train_loss: real(9)?,
            epochs_run: int(10)? as usize,
            seconds: real(11)?,
            seed: int(12)?,
            bracket: small(13)?,
            rung: small(14)?,
            params: (PARAMS_AT..PARAMS_AT + params)
                .map(|i| f(i).to_string())
                .collect(),
            scores,
            message: f(PARAMS_AT + params + 1).to_string(),
        })
    }
}

/// A number as the CSV files write it: shortest round-trip form, empty when not finite.
pub fn number(x: f64) -> String {
    if x.is_finite() {
        x.to_string()
    } else {
        String::new()
    }
}

/// What a journal holds.
#[derive(Debug, Clone)]
pub struct JournalContents {
    /// The parameter columns of its header.
    pub params: Vec<String>,
    /// Its complete rows, first occurrence of each (trial, rung).
    pub records: Vec<Record>,
}

/// The trials journal, open for appending.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
}

impl Journal {
    /// Opens `trials.csv` in `dir`. New sweep: writes the header. Resume: reads the finished
    /// rows (dropping a torn last line), checks the header has these `params`, and appends;
    /// returns the finished jobs (first row of each (trial, rung), in file order).
    pub fn open(
        dir: &ResultsDir,
        params: &[String],
        resume: bool,
    ) -> Result<(Journal, Vec<Done>), ReportError> {
        let path = dir.file("trials.csv");
        let header = trials_header(params);
        let done = if resume {
            let mut seen = HashSet::new();
            let mut done = Vec::new();
            let (columns, valid) = scan(&path, |record, _, line| {
                if seen.insert((record.trial, record.rung)) {
                    done.push(Done {
                        line,
                        key: RankKey::of(&record),
                        rung: record.rung,
                    });
                }
            })?;
            if columns != params {
                return Err(ReportError::DifferentSpace {
                    path: dir.path().to_path_buf(),
                });
            }
            truncate(&path, valid)?;
            done
        } else {
            write_line(&path, &header, true)?;
            Vec::new()
        };
        let file = dir::open_for_write(&path, true)?;
        Ok((Journal { path, file }, done))
    }

    /// Appends one row and flushes it to the file.
    pub fn append(&mut self, record: &Record) -> Result<(), ReportError> {
        append_rows(&mut self.file, &self.path, std::iter::once(record.fields()))
    }
}

/// A job a journal records as finished.
#[derive(Clone, Copy, Debug)]
pub struct Done {
    /// Its 1-based line in trials.csv.
    pub line: u64,
    /// Its place in the ranking.
    pub key: RankKey,
    /// The rung it completed (halving, Hyperband).
    pub rung: Option<u32>,
}

impl Done {
    /// What this job tells a study that is restored from the journal.
    pub fn told(&self) -> Told {
        Told {
            id: self.key.trial,
            rung: self.rung,
            status: self.key.status,
            score: self.key.score,
        }
    }
}

/// Reads a whole `trials.csv` into memory: its complete lines, first row of each (trial,
/// rung). (For tools and tests: a sweep ranks without it, see
/// [`write_reports`](super::write_reports).)
pub fn read(path: &Path) -> Result<JournalContents, ReportError> {
    let mut seen = HashSet::new();
    let mut records = Vec::new();
    let (params, _) = scan(path, |record, _, _| {
        if seen.insert((record.trial, record.rung)) {
            records.push(record);
        }
    })?;
    Ok(JournalContents { params, records })
}

/// trials.csv's header: trial, the score columns, the parameters, scores, message.
pub(super) fn trials_header(params: &[String]) -> Vec<String> {
    std::iter::once("trial")
        .chain(SCORE_COLUMNS)
        .map(String::from)
        .chain(params.iter().cloned())
        .chain([SCORES, MESSAGE].map(String::from))
        .collect()
}

/// Streams the complete rows of a journal: checks its header, then calls `visit` with each
/// row's record, byte range and line (duplicates included, in file order), holding one row at
/// a time. Returns the parameter columns and the byte length of the complete lines.
pub(super) fn scan(
    path: &Path,
    mut visit: impl FnMut(Record, Range<u64>, u64),
) -> Result<(Vec<String>, u64), ReportError> {
    let mut params: Option<Vec<String>> = None;
    let valid = for_each_row(path, |line, row, bytes| {
        let Some(params) = &params else {
            params = Some(header_params(path, row)?);
            return Ok(());
        };
        let record = Record::parse(row, params.len()).map_err(|m| corrupt(path, line, &m))?;
        visit(record, bytes, line);
        Ok(())
    })?;
    let params = params.ok_or_else(|| corrupt(path, 1, "the header line is missing"))?;
    Ok((params, valid))
}

/// The parameter columns of a trials.csv header, or why it is not one.
fn header_params(path: &Path, header: &csv::StringRecord) -> Result<Vec<String>, ReportError> {
    let fixed = PARAMS_AT;
    let is_ours = header.len() > fixed + 1
        && header.get(header.len() - 1) == Some(MESSAGE)
        && header.get(header.len() - 2) == Some(SCORES)
        && trials_header(&[])
            .iter()
            .zip(header)
            .take(fixed)
            .all(|(a, b)| a == b);
    if !is_ours {
        // Before `score` and the run columns, the journal went trial, status, val_loss, ….
        let earlier = header.get(2) == Some("val_loss") && header.get(3) == Some("best_epoch");
        return Err(corrupt(
            path,
            1,
            if earlier {
                "written by an earlier hpsearch, whose journal has no score columns: run the sweep into a new --out"
            } else {
                "this is not an hpsearch trials.csv header"
            },
        ));
    }
    Ok(header
        .iter()
        .skip(fixed)
        .take(header.len() - fixed - 2)
        .map(String::from)
        .collect())
}
