//! Reads what the HTML report shows from the files of a results directory (never from a
//! running sweep), so `run` and `hpsearch report` build the same page. Columns are read by
//! name; columns it does not know are ignored, so later additions do not break it.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufReader};
use std::path::{Path, PathBuf};

use crate::space::{self, schema::ParamSpec};

/// How many of the top trials get learning curves.
pub(crate) const CURVE_TRIALS: usize = 10;

/// Something in the results directory could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// A file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// A file's content is not what `hpsearch run` writes.
    #[error(
        "{path}:{line}: {message}\nhint: the file was edited or written by another version; `hpsearch report DIR` rebuilds ranked.csv and curves.csv from the journals"
    )]
    Malformed {
        /// The file.
        path: PathBuf,
        /// 1-based line (1 = header).
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// report.html could not be written.
    #[error(transparent)]
    Write(#[from] super::super::ReportError),
}

/// One row of ranked.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct TrialRow {
    /// 1-based rank.
    pub rank: u64,
    /// Trial id.
    pub trial: u64,
    /// How it ended: `completed`, `stopped_early`, `pruned`, `diverged`, `failed`, ….
    pub status: String,
    /// What ranks it (`score`: the ranking metric as a loss), when ranked.csv has it.
    pub score: Option<f64>,
    /// Validation loss (cross-entropy, nats) at the best epoch; `None` when it has none.
    pub val_loss: Option<f64>,
    /// Its standard deviation across folds, when the sweep cross-validates.
    pub val_loss_std: Option<f64>,
    /// 0-based epoch of `val_loss`.
    pub best_epoch: Option<u64>,
    /// Validation accuracy at the last epoch run.
    pub val_accuracy: Option<f64>,
    /// Training loss at the last epoch run.
    pub train_loss: Option<f64>,
    /// Epochs trained.
    pub epochs_run: Option<u64>,
    /// Training wall time, seconds.
    pub seconds: Option<f64>,
    /// Parameter values as CSV text ("" where the parameter does not apply), in the order of
    /// [`HtmlInput::params`].
    pub params: Vec<String>,
    /// The failure reason, if any.
    pub message: String,
    /// Hyperband bracket, when the sweep had rungs.
    pub bracket: Option<u64>,
    /// The highest rung the trial reached, when the sweep had rungs.
    pub rung: Option<u64>,
}

impl TrialRow {
    /// Whether the trial has a score that takes part in the ranking (completed or stopped
    /// early with a finite validation loss).
    pub fn is_scored(&self) -> bool {
        matches!(self.status.as_str(), "completed" | "stopped_early")
            && self.val_loss.is_some_and(f64::is_finite)
    }
}

/// One epoch of a trial's learning curve (averaged over folds when curves.csv has a `fold`
/// column).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CurvePoint {
    /// 0-based epoch.
    pub epoch: u64,
    /// η_t used in that epoch.
    pub learning_rate: Option<f64>,
    /// Mean training cross-entropy of the epoch.
    pub train_loss: Option<f64>,
    /// Validation cross-entropy after the epoch.
    pub val_loss: Option<f64>,
    /// Validation accuracy after the epoch.
    pub val_accuracy: Option<f64>,
}

/// test.csv: the winner on the test split.
#[derive(Clone, Debug, PartialEq)]
pub struct TestRow {
    /// The trial tested.
    pub trial: u64,
    /// Test cross-entropy.
    pub test_loss: Option<f64>,
    /// Test accuracy.
    pub test_accuracy: Option<f64>,
    /// Test samples.
    pub samples: Option<u64>,
}

/// confusion.csv: counts by actual (rows) and predicted (columns) class.
#[derive(Clone, Debug, PartialEq)]
pub struct Confusion {
    /// Predicted class names (columns).
    pub predicted: Vec<String>,
    /// Actual class names (rows).
    pub actual: Vec<String>,
    /// `counts[i][j]`: samples of actual class i predicted as class j.
    pub counts: Vec<Vec<u64>>,
}

/// data.toml: the data set as the sweep loaded it.
#[derive(Clone, Debug, Default, PartialEq, serde::Deserialize)]
pub struct DataInfo {
    /// Where it came from (a built-in name or a file).
    pub source: Option<String>,
    /// Samples before the split.
    pub samples: Option<u64>,
    /// Features per sample.
    pub features: Option<u64>,
    /// Training-split size.
    pub train: Option<u64>,
    /// Validation-split size.
    pub validation: Option<u64>,
    /// Test-split size.
    pub test: Option<u64>,
    /// Class names.
    pub classes: Option<Vec<String>>,
}

/// What the space file says about the sweep, when it validates where it now lies.
#[derive(Clone, Debug, PartialEq)]
pub struct SpaceSummary {
    /// `grid` or `random`.
    pub strategy: String,
    /// Trials the space defines.
    pub trials: u64,
    /// Each parameter the file gives, with its domain described (`log_uniform [0.01, 0.3]`).
    pub domains: Vec<(String, String)>,
}

/// How a parameter's axis is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamScale {
    /// A linear numeric axis.
    Linear,
    /// A log axis (`log_uniform`, or `int` with `log = true`).
    Log,
    /// One column per value (a choice, or any non-numeric value).
    Categories,
}

/// Everything the HTML report shows, read from a results directory.
#[derive(Clone, Debug, PartialEq)]
pub struct HtmlInput {
    /// The sweep's name (space file `name`, else the folder name).
    pub name: String,
    /// space.toml as run, if present.
    pub space_text: Option<String>,
    /// The validated space, or why it does not validate here (e.g. a data file that moved).
    pub space: Result<SpaceSummary, String>,
    /// Axis kind of each parameter, from the space file's forms.
    pub scales: BTreeMap<String, ParamScale>,
    /// data.toml, if present.
    pub data: Option<DataInfo>,
    /// The parameter columns of ranked.csv, in file order.
    pub params: Vec<String>,
    /// ranked.csv in rank order.
    pub trials: Vec<TrialRow>,
    /// Whether ranked.csv has `bracket` or `rung` values (successive halving, Hyperband).
    pub has_rungs: bool,
    /// Learning curves of the best scored trials (at most ten), in rank order.
    pub curves: Vec<(u64, Vec<CurvePoint>)>,
    /// test.csv, if present.
    pub test: Option<TestRow>,
    /// confusion.csv, if present.
    pub confusion: Option<Confusion>,
}

impl HtmlInput {
    /// How parameter `name` is drawn: its space-file form, overridden to categories when a
    /// value is not a number, and to linear when a log axis would meet a value ≤ 0.
    pub fn scale(&self, index: usize) -> ParamScale {
        let name = &self.params[index];
        let values = || {
            self.trials
                .iter()
                .map(|t| t.params[index].as_str())
                .filter(|v| !v.is_empty())
        };
        if values().any(|v| v.parse::<f64>().is_err()) {
            return ParamScale::Categories;
        }
        match self.scales.get(name) {
            Some(ParamScale::Log) if values().any(|v| v.parse::<f64>().is_ok_and(|x| x <= 0.0)) => {
                ParamScale::Linear
            }
            Some(scale) => *scale,
            None => ParamScale::Linear,
        }
    }
}

/// Reads the report's input from `dir`: ranked.csv (required), space.toml, curves.csv,
/// test.csv, confusion.csv and data.toml (each optional). `schema` names the parameter
/// columns and validates space.toml.
pub fn read(dir: &Path, schema: &'static [ParamSpec]) -> Result<HtmlInput, InputError> {
    let space_path = dir.join("space.toml");
    let space_text = optional_text(&space_path)?;
    let raw: Option<toml::Table> = space_text.as_deref().and_then(|t| t.parse().ok());
    let space = match &space_text {
        None => Err("space.toml is missing".to_string()),
        Some(text) => space::parse(text, &space_path, schema)
            .map(|s| SpaceSummary {
                strategy: s.strategy().name().to_string(),
                trials: s.trial_count(),
                domains: s
                    .params()
                    .iter()
                    .filter(|p| p.is_given())
                    .filter_map(|p| Some((p.name().to_string(), p.domain()?.describe())))
                    .collect(),
            })
            .map_err(|e| e.to_string().lines().next().unwrap_or_default().to_string()),
    };
    let name = raw
        .as_ref()
        .and_then(|t| t.get("name")?.as_str().map(String::from))
        .or_else(|| Some(dir.file_name()?.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "sweep".to_string());
    let scales = raw.as_ref().map(scales_of).unwrap_or_default();

    let (params, trials, has_rungs) = read_ranked(&dir.join("ranked.csv"), schema)?;
    let wanted: Vec<u64> = trials
        .iter()
        .filter(|t| t.is_scored())
        .take(CURVE_TRIALS)
        .map(|t| t.trial)
        .collect();
    let curves_path = dir.join("curves.csv");
    let curves = if curves_path.is_file() {
        read_curves(&curves_path, &wanted)?
    } else {
        Vec::new()
    };
    let test_path = dir.join("test.csv");
    let test = if test_path.is_file() {
        read_test(&test_path)?
    } else {
        None
    };
    let confusion_path = dir.join("confusion.csv");
    let confusion = if confusion_path.is_file() {
        Some(read_confusion(&confusion_path)?)
    } else {
        None
    };
    let data_path = dir.join("data.toml");
    let data = match optional_text(&data_path)? {
        None => None,
        Some(text) => Some(toml::from_str(&text).map_err(|e| InputError::Malformed {
            line: toml_line(&text, e.span()),
            path: data_path,
            message: e.message().trim().to_string(),
        })?),
    };
    Ok(HtmlInput {
        name,
        space_text,
        space,
        scales,
        data,
        params,
        trials,
        has_rungs,
        curves,
        test,
        confusion,
    })
}

/// The axis kind of each parameter from the raw space file: an array is a choice, a table
/// with `log_uniform` or `log = true` is logarithmic. Read from the text rather than the
/// validated space: the space's domains do not say whether they are logarithmic (only in
/// their description), and this keeps working for a space this version cannot validate.
fn scales_of(raw: &toml::Table) -> BTreeMap<String, ParamScale> {
    let Some(params) = raw.get("params").and_then(|p| p.as_table()) else {
        return BTreeMap::new();
    };
    params
        .iter()
        .map(|(name, value)| {
            let scale = match value {
                toml::Value::Array(_) => ParamScale::Categories,
                toml::Value::Table(t)
                    if t.contains_key("log_uniform")
                        || t.get("log").and_then(toml::Value::as_bool) == Some(true) =>
                {
                    ParamScale::Log
                }
                _ => ParamScale::Linear,
            };
            (name.clone(), scale)
        })
        .collect()
}

fn optional_text(path: &Path) -> Result<Option<String>, InputError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(InputError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn toml_line(text: &str, span: Option<std::ops::Range<usize>>) -> u64 {
    let at = span.map_or(0, |s| s.start.min(text.len()));
    1 + text.as_bytes()[..at]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
}

/// A CSV file read by column name.
struct Table {
    path: PathBuf,
    header: Vec<String>,
    reader: csv::Reader<BufReader<File>>,
}

impl Table {
    fn open(path: &Path) -> Result<Table, InputError> {
        let file = File::open(path).map_err(|source| InputError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut reader = csv::ReaderBuilder::new().from_reader(BufReader::new(file));
        let header = reader
            .headers()
            .map_err(|e| csv_error(path, e))?
            .iter()
            .map(String::from)
            .collect();
        Ok(Table {
            path: path.to_path_buf(),
            header,
            reader,
        })
    }

    fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    fn require(&self, name: &str) -> Result<usize, InputError> {
        self.column(name).ok_or_else(|| InputError::Malformed {
            path: self.path.clone(),
            line: 1,
            message: format!("the header has no `{name}` column"),
        })
    }

    /// Calls `row` with each record and its 1-based line.
    fn rows(
        &mut self,
        mut row: impl FnMut(&Cells) -> Result<(), InputError>,
    ) -> Result<(), InputError> {
        let mut record = csv::StringRecord::new();
        loop {
            match self.reader.read_record(&mut record) {
                Ok(false) => return Ok(()),
                Ok(true) => row(&Cells {
                    path: &self.path,
                    header: &self.header,
                    line: record.position().map_or(0, |p| p.line()),
                    record: &record,
                })?,
                Err(e) => return Err(csv_error(&self.path, e)),
            }
        }
    }
}

fn csv_error(path: &Path, e: csv::Error) -> InputError {
    let line = e.position().map_or(0, |p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(source) => InputError::Io {
            path: path.to_path_buf(),
            source,
        },
        kind => InputError::Malformed {
            path: path.to_path_buf(),
            line,
            message: format!("{kind:?}"),
        },
    }
}

/// One CSV record with typed access by column index.
struct Cells<'a> {
    path: &'a Path,
    header: &'a [String],
    line: u64,
    record: &'a csv::StringRecord,
}

impl Cells<'_> {
    fn text(&self, col: Option<usize>) -> &str {
        col.and_then(|c| self.record.get(c)).unwrap_or("")
    }

    fn parse<T: std::str::FromStr>(
        &self,
        col: Option<usize>,
        what: &str,
    ) -> Result<Option<T>, InputError> {
        let text = self.text(col).trim();
        if text.is_empty() {
            return Ok(None);
        }
        text.parse().map(Some).map_err(|_| InputError::Malformed {
            path: self.path.to_path_buf(),
            line: self.line,
            message: format!(
                "column `{}`: expected {what}, got {text:?}",
                col.map_or("?", |c| self.header[c].as_str())
            ),
        })
    }

    fn real(&self, col: Option<usize>) -> Result<Option<f64>, InputError> {
        self.parse(col, "a number")
    }

    fn count(&self, col: Option<usize>) -> Result<Option<u64>, InputError> {
        self.parse(col, "a whole number ≥ 0")
    }

    fn id(&self, col: usize) -> Result<u64, InputError> {
        self.count(Some(col))?.ok_or_else(|| InputError::Malformed {
            path: self.path.to_path_buf(),
            line: self.line,
            message: format!("column `{}` is empty", self.header[col]),
        })
    }
}

fn read_ranked(
    path: &Path,
    schema: &'static [ParamSpec],
) -> Result<(Vec<String>, Vec<TrialRow>, bool), InputError> {
    let mut table = Table::open(path)?;
    let trial = table.require("trial")?;
    let status = table.require("status")?;
    let val_loss = Some(table.require("val_loss")?);
    let col = |name: &str| table.column(name);
    let score = col("score");
    let (rank, val_loss_std, best_epoch, val_accuracy) = (
        col("rank"),
        col("val_loss_std"),
        col("best_epoch"),
        col("val_accuracy"),
    );
    let (train_loss, epochs_run, seconds, message) = (
        col("train_loss"),
        col("epochs_run"),
        col("seconds"),
        col("message"),
    );
    let (bracket, rung) = (col("bracket"), col("rung"));
    let param_cols: Vec<(String, usize)> = table
        .header
        .iter()
        .enumerate()
        .filter(|(_, h)| schema.iter().any(|s| s.name == h.as_str()))
        .map(|(i, h)| (h.clone(), i))
        .collect();
    let mut trials = Vec::new();
    table.rows(|cells| {
        trials.push(TrialRow {
            rank: cells.count(rank)?.unwrap_or(trials.len() as u64 + 1),
            trial: cells.id(trial)?,
            status: cells.text(Some(status)).to_string(),
            score: cells.real(score)?,
            val_loss: cells.real(val_loss)?,
            val_loss_std: cells.real(val_loss_std)?,
            best_epoch: cells.count(best_epoch)?,
            val_accuracy: cells.real(val_accuracy)?,
            train_loss: cells.real(train_loss)?,
            epochs_run: cells.count(epochs_run)?,
            seconds: cells.real(seconds)?,
            params: param_cols
                .iter()
                .map(|(_, c)| cells.text(Some(*c)).to_string())
                .collect(),
            message: cells.text(message).to_string(),
            bracket: cells.count(bracket)?,
            rung: cells.count(rung)?,
        });
        Ok(())
    })?;
    let params = param_cols.into_iter().map(|(name, _)| name).collect();
    // The columns are always there; they hold values only under halving and Hyperband.
    let has_rungs = trials
        .iter()
        .any(|t: &TrialRow| t.bracket.is_some() || t.rung.is_some());
    Ok((params, trials, has_rungs))
}

/// Reads the curves of `wanted` trials (in that order), one point per epoch: rows of the same
/// (trial, epoch), one per fold, are averaged.
fn read_curves(path: &Path, wanted: &[u64]) -> Result<Vec<(u64, Vec<CurvePoint>)>, InputError> {
    let mut table = Table::open(path)?;
    let trial = table.require("trial")?;
    let epoch = table.require("epoch")?;
    let fields =
        ["learning_rate", "train_loss", "val_loss", "val_accuracy"].map(|n| table.column(n));
    // (trial, epoch) → per field (sum, count).
    let mut sums: BTreeMap<(u64, u64), [(f64, u32); 4]> = BTreeMap::new();
    table.rows(|cells| {
        let id = cells.id(trial)?;
        if !wanted.contains(&id) {
            return Ok(());
        }
        let entry = sums.entry((id, cells.id(epoch)?)).or_default();
        for (slot, col) in entry.iter_mut().zip(fields) {
            if let Some(v) = cells.real(col)?.filter(|v| v.is_finite()) {
                slot.0 += v;
                slot.1 += 1;
            }
        }
        Ok(())
    })?;
    let mean = |(sum, n): (f64, u32)| (n > 0).then(|| sum / f64::from(n));
    Ok(wanted
        .iter()
        .map(|&id| {
            let points = sums
                .range((id, 0)..=(id, u64::MAX))
                .map(|(&(_, epoch), s)| CurvePoint {
                    epoch,
                    learning_rate: mean(s[0]),
                    train_loss: mean(s[1]),
                    val_loss: mean(s[2]),
                    val_accuracy: mean(s[3]),
                })
                .collect();
            (id, points)
        })
        .collect())
}

fn read_test(path: &Path) -> Result<Option<TestRow>, InputError> {
    let mut table = Table::open(path)?;
    let trial = table.require("trial")?;
    let (loss, accuracy, samples) = (
        table.column("test_loss"),
        table.column("test_accuracy"),
        table.column("samples"),
    );
    let mut first = None;
    table.rows(|cells| {
        if first.is_none() {
            first = Some(TestRow {
                trial: cells.id(trial)?,
                test_loss: cells.real(loss)?,
                test_accuracy: cells.real(accuracy)?,
                samples: cells.count(samples)?,
            });
        }
        Ok(())
    })?;
    Ok(first)
}

fn read_confusion(path: &Path) -> Result<Confusion, InputError> {
    let mut table = Table::open(path)?;
    let actual_col = table.require("actual")?;
    let predicted: Vec<(usize, String)> = table
        .header
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != actual_col)
        .map(|(i, h)| (i, h.clone()))
        .collect();
    let (mut actual, mut counts) = (Vec::new(), Vec::new());
    table.rows(|cells| {
        actual.push(cells.text(Some(actual_col)).to_string());
        counts.push(
            predicted
                .iter()
                .map(|&(c, _)| cells.count(Some(c)).map(Option::unwrap_or_default))
                .collect::<Result<Vec<u64>, _>>()?,
        );
        Ok(())
    })?;
    Ok(Confusion {
        predicted: predicted.into_iter().map(|(_, h)| h).collect(),
        actual,
        counts,
    })
}
