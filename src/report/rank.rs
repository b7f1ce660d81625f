//! Ranking and the exporters of ranked.csv, curves.csv and test.csv. Exporters are pure: they
//! take results and an `impl io::Write`.

use std::cmp::Ordering;
use std::io::{self, Write};

use super::curves::CURVE_HEADER;
use super::journal::{Record, number, trials_header};
use crate::objective::{TestScore, TrialStatus};

/// What places a trial in the ranking, without its parameters.
#[derive(Clone, Copy, Debug)]
pub struct RankKey {
    /// How the trial ended.
    pub status: TrialStatus,
    /// Its score (compared only for scored trials).
    pub val_loss: f64,
    /// Its id, which breaks ties.
    pub trial: u64,
    /// Epochs it trained (pruned trials that got further rank first).
    pub epochs: usize,
}

impl RankKey {
    /// The key of `record`.
    pub fn of(record: &Record) -> Self {
        RankKey {
            status: record.status,
            val_loss: record.val_loss,
            trial: record.trial,
            epochs: record.epochs_run,
        }
    }

    /// The ranked.csv order: trials that ran to their end (completed, stopped early) by
    /// validation loss, ties by trial id; then trials pruned by a rung, the ones that trained
    /// longest first, each budget by validation loss; then diverged, then failed trials, by id.
    pub fn order(&self, other: &Self) -> Ordering {
        let group = |s: TrialStatus| match s {
            TrialStatus::Completed | TrialStatus::StoppedEarly => 0,
            TrialStatus::Pruned => 1,
            TrialStatus::Diverged => 2,
            TrialStatus::Interrupted | TrialStatus::Failed => 3,
        };
        group(self.status)
            .cmp(&group(other.status))
            .then_with(|| match group(self.status) {
                0 => self.val_loss.total_cmp(&other.val_loss),
                1 => {
                    (other.epochs.cmp(&self.epochs)).then(self.val_loss.total_cmp(&other.val_loss))
                }
                _ => Ordering::Equal,
            })
            .then(self.trial.cmp(&other.trial))
    }
}

/// The ranked.csv order of two records ([`RankKey::order`]).
pub fn rank_order(a: &Record, b: &Record) -> Ordering {
    RankKey::of(a).order(&RankKey::of(b))
}

/// A ranked journal summarised for printing, without holding every row.
#[derive(Clone, Debug)]
pub struct Ranking {
    /// The parameter columns of trials.csv.
    pub params: Vec<String>,
    /// For each parameter column, whether it takes more than one value across the trials.
    pub varying: Vec<bool>,
    /// The first records in rank order: as many as asked for, and at least the first.
    pub top: Vec<Record>,
    /// How many trials the journal holds (each id once).
    pub trials: usize,
    /// How many trials ended each way.
    pub(super) counts: Vec<(TrialStatus, usize)>,
}

impl Ranking {
    /// How many trials ended with `status`.
    pub fn count(&self, status: TrialStatus) -> usize {
        self.counts
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(0, |&(_, n)| n)
    }
}

/// Writes ranked.csv: `rank`, then trials.csv's columns, for each of `ranked` (read one at a
/// time, in rank order).
pub fn write_ranked(
    out: &mut dyn Write,
    params: &[String],
    ranked: impl IntoIterator<Item = io::Result<Record>>,
) -> io::Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    let header = std::iter::once("rank".to_string()).chain(trials_header(params));
    csv.write_record(header)?;
    for (i, record) in ranked.into_iter().enumerate() {
        csv.write_record(std::iter::once((i + 1).to_string()).chain(record?.fields()))?;
    }
    csv.flush()
}

/// Writes curves.csv: the header, then `rows`, each a trial's journal rows as CSV text, in
/// trial order (epochs in journal order).
pub fn write_curves(
    out: &mut dyn Write,
    rows: impl IntoIterator<Item = io::Result<Vec<u8>>>,
) -> io::Result<()> {
    let mut csv = csv::Writer::from_writer(&mut *out);
    csv.write_record(CURVE_HEADER)?;
    csv.flush()?;
    drop(csv);
    for bytes in rows {
        out.write_all(&bytes?)?;
    }
    Ok(())
}

/// Writes test.csv: the winner's score on the test split.
pub fn write_test(out: &mut dyn Write, trial: u64, score: &TestScore) -> io::Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(["trial", "test_loss", "test_accuracy", "test_f1", "samples"])?;
    csv.write_record([
        trial.to_string(),
        number(score.loss),
        number(score.accuracy),
        number(score.f1),
        score.samples.to_string(),
    ])?;
    csv.flush()
}
