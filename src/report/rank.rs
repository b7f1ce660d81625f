//! Ranking and the exporters of ranked.csv, curves.csv and test.csv. Exporters are pure: they
//! take results and an `impl io::Write`.

use std::cmp::Ordering;
use std::io::{self, Write};

use super::journal::{CURVE_HEADER, Record, number, trials_header};
use crate::objective::{TestScore, TrialStatus};

/// The ranked.csv order: scored trials (completed, stopped early) by validation loss, ties by
/// trial id; then diverged, then failed trials, each by id.
pub fn rank_order(a: &Record, b: &Record) -> Ordering {
    let group = |s: TrialStatus| match s {
        TrialStatus::Completed | TrialStatus::StoppedEarly => 0,
        TrialStatus::Diverged => 1,
        TrialStatus::Interrupted | TrialStatus::Failed => 2,
    };
    let scored = |r: &Record| group(r.status) == 0;
    group(a.status)
        .cmp(&group(b.status))
        .then_with(|| match scored(a) {
            true => a.val_loss.total_cmp(&b.val_loss),
            false => Ordering::Equal,
        })
        .then(a.trial.cmp(&b.trial))
}

/// Sorts `records` into the ranked.csv order ([`rank_order`]).
pub fn rank(records: &mut [Record]) {
    records.sort_by(rank_order);
}

/// Writes ranked.csv: `rank`, then trials.csv's columns, in `ranked` order.
pub fn write_ranked(out: &mut dyn Write, params: &[String], ranked: &[Record]) -> io::Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    let header = std::iter::once("rank".to_string()).chain(trials_header(params));
    csv.write_record(header)?;
    for (i, record) in ranked.iter().enumerate() {
        csv.write_record(std::iter::once((i + 1).to_string()).chain(record.fields()))?;
    }
    csv.flush()
}

/// Writes curves.csv from journal rows, sorted by trial id (epochs in journal order).
pub fn write_curves(out: &mut dyn Write, mut rows: Vec<csv::StringRecord>) -> io::Result<()> {
    rows.sort_by_key(|r| r.get(0).and_then(|s| s.parse::<u64>().ok()));
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(CURVE_HEADER)?;
    for row in &rows {
        csv.write_record(row)?;
    }
    csv.flush()
}

/// Writes test.csv: the winner's score on the test split.
pub fn write_test(out: &mut dyn Write, trial: u64, score: &TestScore) -> io::Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(["trial", "test_loss", "test_accuracy", "samples"])?;
    csv.write_record([
        trial.to_string(),
        number(score.loss),
        number(score.accuracy),
        score.samples.to_string(),
    ])?;
    csv.flush()
}
