//! The journals: `trials.csv` (one row per finished trial) and `curves.journal.csv` (its
//! per-epoch rows), appended and flushed as each trial finishes, so a killed sweep loses at most
//! the trials that were running. Curve rows are written before the trial row: a trial counts as
//! finished only once its row is in trials.csv.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::{RankKey, ReportError, ResultsDir, dir};
use crate::objective::{TrialOutcome, TrialStatus};
use crate::search::TrialConfig;
use crate::space::schema::ParamSpec;
use crate::space::value::Params;

/// The fixed columns of trials.csv and ranked.csv, after `trial` and before the parameters.
/// `seed` is the trial's training seed; `bracket` and `rung` are empty outside halving and
/// Hyperband.
pub(super) const SCORE_COLUMNS: [&str; 10] = [
    "status",
    "val_loss",
    "best_epoch",
    "val_accuracy",
    "train_loss",
    "epochs_run",
    "seconds",
    "seed",
    "bracket",
    "rung",
];

/// Where the parameters start in a trials.csv row.
const PARAMS_AT: usize = 1 + SCORE_COLUMNS.len();

/// The last column: why a trial failed or diverged.
const MESSAGE: &str = "message";

pub(super) const CURVE_HEADER: [&str; 6] = [
    "trial",
    "epoch",
    "learning_rate",
    "train_loss",
    "val_loss",
    "val_accuracy",
];

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
    /// The score: lowest validation loss reached (NaN when none).
    pub val_loss: f64,
    /// Epoch of the lowest validation loss.
    pub best_epoch: Option<usize>,
    /// Validation accuracy after the last epoch.
    pub val_accuracy: f64,
    /// Training loss of the last epoch.
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
            val_loss: outcome.best_val_loss,
            best_epoch: outcome.best_epoch,
            val_accuracy: outcome.val_accuracy,
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
            number(self.val_loss),
            self.best_epoch.map(|e| e.to_string()).unwrap_or_default(),
            number(self.val_accuracy),
            number(self.train_loss),
            self.epochs_run.to_string(),
            format!("{:.3}", self.seconds),
            self.seed.to_string(),
            self.bracket.map(|b| b.to_string()).unwrap_or_default(),
            self.rung.map(|r| r.to_string()).unwrap_or_default(),
        ];
        fields.extend(self.params.iter().cloned());
        fields.push(self.message.clone());
        fields
    }

    fn parse(fields: &csv::StringRecord, params: usize) -> Result<Self, String> {
        let expected = PARAMS_AT + params + 1;
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
        Ok(Record {
            trial: int(0)?,
            status: TrialStatus::from_name(f(1)).ok_or_else(|| format!("bad status {:?}", f(1)))?,
            val_loss: real(2)?,
            best_epoch: if f(3).is_empty() {
                None
            } else {
                Some(int(3)? as usize)
            },
            val_accuracy: real(4)?,
            train_loss: real(5)?,
            epochs_run: int(6)? as usize,
            seconds: real(7)?,
            seed: int(8)?,
            bracket: small(9)?,
            rung: small(10)?,
            params: (PARAMS_AT..PARAMS_AT + params)
                .map(|i| f(i).to_string())
                .collect(),
            message: f(PARAMS_AT + params).to_string(),
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

/// trials.csv's header: trial, the score columns, the parameters, message.
pub(super) fn trials_header(params: &[String]) -> Vec<String> {
    std::iter::once("trial")
        .chain(SCORE_COLUMNS)
        .map(String::from)
        .chain(params.iter().cloned())
        .chain(std::iter::once(MESSAGE.to_string()))
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
    let is_ours = header.len() > fixed
        && header.get(header.len() - 1) == Some(MESSAGE)
        && trials_header(&[])
            .iter()
            .zip(header)
            .take(fixed)
            .all(|(a, b)| a == b);
    if !is_ours {
        return Err(corrupt(
            path,
            1,
            "this is not an hpsearch trials.csv header",
        ));
    }
    Ok(header
        .iter()
        .skip(fixed)
        .take(header.len() - fixed - 1)
        .map(String::from)
        .collect())
}

/// Calls `visit` with each row of the newline-terminated prefix of a CSV file, its 1-based line
/// number and its byte range, one row at a time; returns the prefix's length. A last line
/// without its newline is torn (the writer was killed) and is left out.
fn for_each_row(
    path: &Path,
    mut visit: impl FnMut(u64, &csv::StringRecord, Range<u64>) -> Result<(), ReportError>,
) -> Result<u64, ReportError> {
    let mut file = File::open(path).map_err(ReportError::io(path))?;
    let valid = complete_len(&mut file).map_err(ReportError::io(path))?;
    file.seek(SeekFrom::Start(0))
        .map_err(ReportError::io(path))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(file.take(valid));
    let mut row = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut row) {
            Ok(true) => {}
            Ok(false) => return Ok(valid),
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                return Err(corrupt(path, line, &e.to_string()));
            }
        }
        let (line, start) = row.position().map_or((0, 0), |p| (p.line(), p.byte()));
        visit(line, &row, start..reader.position().byte())?;
    }
}

/// The length of the newline-terminated prefix of `file`, read in blocks.
fn complete_len(file: &mut File) -> io::Result<u64> {
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let (mut read, mut valid) = (0u64, 0u64);
    loop {
        let block = reader.fill_buf()?;
        if block.is_empty() {
            return Ok(valid);
        }
        if let Some(i) = block.iter().rposition(|&b| b == b'\n') {
            valid = read + i as u64 + 1;
        }
        let n = block.len();
        read += n as u64;
        reader.consume(n);
    }
}

/// Reads rows of a journal (found by [`scan`] or [`scan_curves`]) on demand, by byte range.
#[derive(Debug)]
pub(super) struct RowReader {
    csv: csv::Reader<File>,
    row: csv::StringRecord,
    buf: Vec<u8>,
}

impl RowReader {
    /// Opens the journal at `path`.
    pub(super) fn open(path: &Path) -> Result<Self, ReportError> {
        let file = File::open(path).map_err(ReportError::io(path))?;
        let csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(file);
        Ok(RowReader {
            csv,
            row: csv::StringRecord::new(),
            buf: Vec::new(),
        })
    }

    /// The bytes of `range`, as they are in the file.
    pub(super) fn bytes(&mut self, range: Range<u64>) -> io::Result<&[u8]> {
        let len = usize::try_from(range.end - range.start).map_err(io::Error::other)?;
        self.buf.resize(len, 0);
        let file = self.csv.get_mut();
        file.seek(SeekFrom::Start(range.start))?;
        file.read_exact(&mut self.buf)?;
        Ok(&self.buf)
    }

    /// The record of the trials.csv row starting at byte `start`, which has `params`
    /// parameter columns.
    pub(super) fn record(&mut self, start: u64, params: usize) -> io::Result<Record> {
        let mut position = csv::Position::new();
        position.set_byte(start);
        // Clears the reader's buffer, so reading raw bytes in between is harmless.
        self.csv.seek(position)?;
        if !self.csv.read_record(&mut self.row)? {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "a journal row vanished",
            ));
        }
        Record::parse(&self.row, params).map_err(|m| io::Error::new(io::ErrorKind::InvalidData, m))
    }
}

fn corrupt(path: &Path, line: u64, message: &str) -> ReportError {
    ReportError::Corrupt {
        path: path.to_path_buf(),
        line,
        message: message.to_string(),
    }
}

fn truncate(path: &Path, len: u64) -> Result<(), ReportError> {
    let file = dir::open_for_write(path, false)?;
    file.set_len(len).map_err(ReportError::io(path))
}

fn write_line(path: &Path, fields: &[String], create: bool) -> Result<(), ReportError> {
    let mut file = if create {
        dir::create_new(path)
    } else {
        dir::open_for_write(path, true)
    }?;
    append_rows(&mut file, path, std::iter::once(fields.to_vec()))
}

/// Writes whole rows with one `write_all`, then flushes: a kill leaves at most a torn tail.
fn append_rows(
    file: &mut File,
    path: &Path,
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<(), ReportError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer
            .write_record(&row)
            .map_err(|e| ReportError::io(path)(e.into()))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| ReportError::io(path)(e.into_error()))?;
    file.write_all(&bytes)
        .and_then(|()| file.flush())
        .map_err(ReportError::io(path))
}

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
                number(r.learning_rate),
                number(r.train_loss),
                number(r.val_loss),
                number(r.val_accuracy),
            ]
        });
        append_rows(&mut self.file, &self.path, rows)
    }
}

/// Where the rows of the recorded epochs are in a curve journal: one (trial, byte range) per
/// run of consecutive kept rows of a trial, in file order. `recorded` maps a trial to its
/// epoch count; rows of other trials and of later epochs are left out, and a trial with fewer
/// rows than epochs is refused, so curves.csv is never silently short.
pub(super) fn complete_runs(
    path: &Path,
    recorded: &HashMap<u64, usize>,
) -> Result<Vec<(u64, Range<u64>)>, ReportError> {
    let mut runs: Vec<(u64, Range<u64>)> = Vec::new();
    let mut seen: HashMap<u64, usize> = HashMap::with_capacity(recorded.len());
    scan_curves(path, |id, epoch, bytes| {
        let Some(&epochs) = recorded.get(&id) else {
            return;
        };
        if epoch >= epochs as u64 {
            return;
        }
        *seen.entry(id).or_default() += 1;
        match runs.last_mut() {
            Some((trial, run)) if *trial == id && run.end == bytes.start => run.end = bytes.end,
            _ => runs.push((id, bytes)),
        }
    })?;
    let mut short: Vec<(u64, usize, usize)> = recorded
        .iter()
        .filter_map(|(&id, &epochs)| {
            let have = seen.get(&id).copied().unwrap_or(0);
            (have != epochs).then_some((id, have, epochs))
        })
        .collect();
    short.sort_unstable();
    if let Some(&(id, have, epochs)) = short.first() {
        return Err(ReportError::Incomplete {
            path: path.to_path_buf(),
            message: format!(
                "trial {id} has {have} epoch rows but trials.csv records {epochs} epochs ({} trial{} affected)",
                short.len(),
                if short.len() == 1 { "" } else { "s" }
            ),
        });
    }
    Ok(runs)
}

/// Streams the curve rows of a journal (header skipped) in file order: calls `visit` with each
/// row's trial id, epoch and byte range, one row at a time.
fn scan_curves(
    path: &Path,
    mut visit: impl FnMut(u64, u64, Range<u64>),
) -> Result<(), ReportError> {
    let mut header = true;
    for_each_row(path, |line, row, bytes| {
        if std::mem::take(&mut header) {
            return Ok(());
        }
        let id = row.get(0).and_then(|s| s.parse::<u64>().ok());
        let epoch = row.get(1).and_then(|s| s.parse::<u64>().ok());
        let (Some(id), Some(epoch), true) = (id, epoch, row.len() == CURVE_HEADER.len()) else {
            return Err(corrupt(
                path,
                line,
                "expected trial,epoch,learning_rate,train_loss,val_loss,val_accuracy",
            ));
        };
        visit(id, epoch, bytes);
        Ok(())
    })?;
    Ok(())
}
