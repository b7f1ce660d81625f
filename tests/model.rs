//! The winner's model (issue 11): every figure of a trial comes from its best epoch, and the
//! winner's test score is that epoch's weights, trained once.

mod common;

use std::fs;

use common::cli::{rows, run, space};
use predicates::str::contains;

const IRIS: &str = r#"
name = "iris-model"
seed = 5
[data]
builtin = "iris"
validation = 0.3
test = 0.2
[search]
strategy = "grid"
[params]
learning_rate = [0.05, 0.5, 1.0, 3.0]
batch_size = [8, 4]
neurons = 8
epochs = 15
"#;

#[test]
fn ranked_figures_are_the_best_epochs_of_curves_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "s.toml", IRIS);
    let out = tmp.path().join("out");
    run(&out, &file, &["-j", "2"]).success();
    let curves = rows(&out, "curves.csv");
    let mut before_last = 0;
    for trial in rows(&out, "ranked.csv") {
        let best = &trial["best_epoch"];
        let epochs: Vec<_> = curves
            .iter()
            .filter(|c| c["trial"] == trial["trial"])
            .collect();
        let at_best = epochs.iter().find(|c| &c["epoch"] == best).unwrap();
        for column in ["val_loss", "val_accuracy", "train_loss"] {
            assert_eq!(trial[column], at_best[column], "trial {}", trial["trial"]);
        }
        let last = epochs.last().unwrap();
        if last["epoch"] != *best && last["val_accuracy"] != at_best["val_accuracy"] {
            before_last += 1;
        }
    }
    assert!(
        before_last > 0,
        "some trial's best epoch must differ from its last for this test to mean anything"
    );
}

#[test]
fn a_one_trial_run_trains_once_and_a_resume_retrains_to_the_same_score() {
    let tmp = tempfile::tempdir().unwrap();
    let one = IRIS
        .replace("[0.05, 0.5, 1.0, 3.0]", "0.05")
        .replace("[8, 4]", "8");
    let file = space(tmp.path(), "s.toml", &one);
    let out = tmp.path().join("out");
    let first = run(&out, &file, &[]).success();
    let stderr = String::from_utf8_lossy(&first.get_output().stderr).to_string();
    assert!(!stderr.contains("retrained"), "{stderr}");
    // One training: 15 epochs in the curve journal, and nothing trained after it (the
    // objective counts every epoch it trains, retraining included: see src/objective/mlp.rs).
    let trained = fs::read_to_string(out.join("curves.journal.csv")).unwrap();
    assert_eq!(trained.lines().count() - 1, 15);
    let test = fs::read_to_string(out.join("test.csv")).unwrap();
    // Resuming a finished sweep runs no trial: the winner is retrained, and says so.
    run(&out, &file, &["--resume"])
        .success()
        .stderr(contains("retrained it from its seed"));
    assert_eq!(fs::read_to_string(out.join("test.csv")).unwrap(), test);
}

#[test]
fn confusion_csv_counts_the_test_split_and_agrees_with_test_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "s.toml", IRIS);
    let out = tmp.path().join("out");
    run(&out, &file, &[]).success();
    let text = fs::read_to_string(out.join("confusion.csv")).unwrap();
    assert!(
        text.starts_with("actual,setosa,versicolor,virginica\n"),
        "{text}"
    );
    let matrix: Vec<Vec<u64>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').skip(1).map(|c| c.parse().unwrap()).collect())
        .collect();
    assert_eq!(matrix.len(), 3);
    let test = &rows(&out, "test.csv")[0];
    let total: u64 = matrix.iter().flatten().sum();
    assert_eq!(total.to_string(), test["samples"]);
    let hits: u64 = (0..3).map(|i| matrix[i][i]).sum();
    let accuracy: f64 = test["test_accuracy"].parse().unwrap();
    assert_eq!(hits as f64 / total as f64, accuracy);
    // Macro F1 from the matrix, by hand.
    let f1: f64 = (0..3)
        .map(|c| {
            let actual: u64 = matrix[c].iter().sum();
            let predicted: u64 = matrix.iter().map(|r| r[c]).sum();
            2.0 * matrix[c][c] as f64 / (actual + predicted) as f64
        })
        .sum::<f64>()
        / 3.0;
    let reported: f64 = test["test_f1"].parse().unwrap();
    assert!((reported - f1).abs() < 1e-12, "{reported} vs {f1}");

    // Without a test split: the validation split (30% of 150 iris rows).
    let no_test = IRIS.replace("test = 0.2\n", "");
    let file = space(tmp.path(), "v.toml", &no_test);
    let out = tmp.path().join("v");
    run(&out, &file, &[]).success();
    assert!(!out.join("test.csv").exists());
    let text = fs::read_to_string(out.join("confusion.csv")).unwrap();
    let total: u64 = text
        .lines()
        .skip(1)
        .flat_map(|l| l.split(',').skip(1).map(|c| c.parse::<u64>().unwrap()))
        .sum();
    assert_eq!(total, 45);
}
