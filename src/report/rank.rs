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
    /// Its score, lower is better (compared only for scored trials).
    pub score: f64,
    /// Its validation loss, which breaks ties of scores (accuracy and F1 tie often).
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
            score: record.score,
            val_loss: record.val_loss,
            trial: record.trial,
            epochs: record.epochs_run,
        }
    }

    /// The ranked.csv order: trials that ran to their end (completed, stopped early) by
    /// score, ties by validation loss, then by trial id; then trials pruned by a rung, the ones
    /// that trained longest first, each budget by score; then diverged, then failed trials, by
    /// id.
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
                0 => (self.score.total_cmp(&other.score))
                    .then(self.val_loss.total_cmp(&other.val_loss)),
                1 => (other.epochs.cmp(&self.epochs)).then(self.score.total_cmp(&other.score)),
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

/// Where ranked.csv puts `within_one_se`: after `rank, trial, status, score, score_std`.
const ONE_SE_AT: usize = 5;

/// Writes ranked.csv: `rank`, then trials.csv's columns with `within_one_se` after
/// `score_std`, for each of `ranked` (read one at a time, in rank order).
///
/// `within_one_se` applies the one-standard-error rule when trials have several runs (folds,
/// repeats): `yes` for a trial that ran to its end with a score at most the best's score plus
/// the best's standard error (its `score_std` / √runs), else `no`; empty with one run per
/// trial, where there is no spread to judge by.
pub fn write_ranked(
    out: &mut dyn Write,
    params: &[String],
    ranked: impl IntoIterator<Item = io::Result<Record>>,
) -> io::Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    let mut header: Vec<String> = std::iter::once("rank".to_string())
        .chain(trials_header(params))
        .collect();
    header.insert(ONE_SE_AT, "within_one_se".to_string());
    csv.write_record(header)?;
    let mut bound = None;
    for (i, record) in ranked.into_iter().enumerate() {
        let record = record?;
        if i == 0 && record.status.is_ranked() && record.scores.len() > 1 {
            let se = record.score_std / (record.scores.len() as f64).sqrt();
            bound = Some(record.score + se);
        }
        let within = match bound {
            Some(b) if record.scores.len() > 1 => {
                match record.status.is_ranked() && record.score <= b {
                    true => "yes",
                    false => "no",
                }
            }
            _ => "",
        };
        let mut fields: Vec<String> = std::iter::once((i + 1).to_string())
            .chain(record.fields())
            .collect();
        fields.insert(ONE_SE_AT, within.to_string());
        csv.write_record(fields)?;
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
