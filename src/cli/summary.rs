//! What `run` and `report` print on stdout once the files are written: the top of the
//! ranking, the winner, how the trials ended and where the files are.

use std::path::Path;

use hpsearch::objective::{TestScore, TrialStatus};
use hpsearch::report::{self, Record};
use hpsearch::search::TrialConfig;

use super::table;

/// The winner of a sweep: its journal record, its configuration and, when the data has a test
/// split, its test score.
pub struct Winner<'r> {
    /// Its row.
    pub record: &'r Record,
    /// Its parameters.
    pub config: TrialConfig,
    /// Its score on the test split.
    pub test: Option<TestScore>,
}

/// Prints the ranking, the winner and its test score, how the trials ended and the files.
pub fn print_results(
    ranked: &report::Ranking,
    best: Option<Winner>,
    total: usize,
    dir: &Path,
    top: usize,
) -> std::io::Result<()> {
    print_ranking(ranked, top)?;
    if let Some(best) = &best {
        outln!(
            "\nbest: trial {} (score {}, val_loss {})",
            best.record.trial,
            report::number(best.record.score),
            report::number(best.record.val_loss)
        )?;
        for (name, value) in best.config.params.iter() {
            if let Some(value) = value {
                outln!("  {name} = {value}")?;
            }
        }
    }
    if let Some(score) = best.and_then(|b| b.test) {
        outln!(
            "test ({} samples, winner only, never used for ranking): loss {:.4}, accuracy {:.4}",
            score.samples,
            score.loss,
            score.accuracy
        )?;
    }
    print_summary(ranked, total)?;
    let written = [
        "ranked.csv",
        "trials.csv",
        "curves.csv",
        "best.toml",
        "model.safetensors",
        "test.csv",
        "confusion.csv",
        "data.toml",
        "report.html",
    ]
    .into_iter()
    .filter(|f| dir.join(f).is_file())
    .collect::<Vec<_>>()
    .join(", ");
    outln!("results in {}/ ({written})", dir.display())
}

/// Prints the top `k` of the ranking as a table.
pub fn print_ranking(ranked: &report::Ranking, k: usize) -> std::io::Result<()> {
    // Parameters that are the same in every trial say nothing about the ranking.
    let varying: Vec<usize> = (0..ranked.params.len())
        .filter(|&i| ranked.varying[i])
        .collect();
    let top: Vec<&Record> = ranked.top.iter().take(k).collect();
    // The score column when it is not the validation loss (another metric), its spread when
    // trials have several runs (folds, repeats).
    let other_metric = top
        .iter()
        .any(|r| r.score.is_finite() && r.score != r.val_loss);
    let spread = top.iter().any(|r| r.score_std.is_finite());
    // The score (another metric's, else the validation loss), then its spread.
    let mut headers: Vec<String> = vec!["rank".into(), "trial".into(), "status".into()];
    if other_metric {
        headers.push("score".into());
    } else {
        headers.push("val_loss".into());
    }
    if spread {
        headers.push("± std".into());
    }
    if other_metric {
        headers.push("val_loss".into());
    }
    headers.extend(
        ["val_acc", "best_epoch", "epochs_run"]
            .map(String::from)
            .to_vec(),
    );
    headers.extend(varying.iter().map(|&i| ranked.params[i].clone()));
    let rows: Vec<Vec<String>> = top
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut row = vec![
                (i + 1).to_string(),
                r.trial.to_string(),
                r.status.name().to_string(),
            ];
            row.push(fixed(if other_metric { r.score } else { r.val_loss }));
            if spread {
                row.push(fixed(r.score_std));
            }
            if other_metric {
                row.push(fixed(r.val_loss));
            }
            row.extend([
                fixed(r.val_accuracy),
                r.best_epoch.map(|e| e.to_string()).unwrap_or_default(),
                r.epochs_run.to_string(),
            ]);
            row.extend(varying.iter().map(|&i| table::short(&r.params[i])));
            row
        })
        .collect();
    let by = match other_metric {
        true => "score (the ranking metric as a loss: 1 − accuracy or 1 − F1)",
        false => "validation loss",
    };
    outln!("top {} of {} trials by {by}:", rows.len(), ranked.trials)?;
    outln!("{}", table::render(&headers, &rows).trim_end())
}

fn fixed(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.4}")
    } else {
        "-".to_string()
    }
}

/// Prints how many trials ended each way.
pub fn print_summary(ranked: &report::Ranking, total: usize) -> std::io::Result<()> {
    let pruned = match ranked.count(TrialStatus::Pruned) {
        0 => String::new(),
        n => format!(", {n} pruned"),
    };
    outln!(
        "{} of {total} trials finished: {} completed, {} stopped early{pruned}, {} diverged, {} failed",
        ranked.trials,
        ranked.count(TrialStatus::Completed),
        ranked.count(TrialStatus::StoppedEarly),
        ranked.count(TrialStatus::Diverged),
        ranked.count(TrialStatus::Failed)
    )
}
