//! Scoring a trial beyond one split: `[search] metric`, `[data] folds`, `[search] repeats`,
//! the one-standard-error column and `refit`, end to end through the command line.

mod common;

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use common::cli::{hpsearch, journal_len, ranked_without_timing, rows, run, run_until_rows, space};

/// Iris, 4 folds and a test split, 2 repeats: 8 runs per trial.
const IRIS_CV: &str = r#"
name = "iris-cv"
seed = 3
[data]
builtin = "iris"
folds = 4
test = 0.2
[search]
strategy = "random"
trials = 6
repeats = 2
[params]
learning_rate = { log_uniform = [0.01, 0.3] }
neurons = [4, 8]
epochs = 12
"#;

fn number(row: &HashMap<String, String>, key: &str) -> f64 {
    row[key]
        .parse()
        .unwrap_or_else(|_| panic!("{key} = {:?}", row[key]))
}

/// curves.csv's rows of `trial` at `epoch`, one per run.
fn curve_rows<'a>(
    curves: &'a [HashMap<String, String>],
    trial: &str,
    epoch: &str,
) -> Vec<&'a HashMap<String, String>> {
    curves
        .iter()
        .filter(|r| r["trial"] == trial && r["epoch"] == epoch)
        .collect()
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let v: Vec<f64> = values.collect();
    v.iter().sum::<f64>() / v.len() as f64
}

#[test]
fn folds_and_repeats_score_the_mean_curve_at_one_best_epoch() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "cv.toml", IRIS_CV);
    let out = tmp.path().join("out");
    run(&out, &file, &[])
        .success()
        .stderr(predicates::str::contains("refit: trained trial"));
    let ranked = rows(&out, "ranked.csv");
    let curves = rows(&out, "curves.csv");
    assert_eq!(ranked.len(), 6);
    for r in &ranked {
        let trial = r["trial"].as_str();
        // Every epoch of every trial has one row per (fold, repeat).
        let epoch0 = curve_rows(&curves, trial, "0");
        let runs: std::collections::HashSet<(String, String)> = epoch0
            .iter()
            .map(|c| (c["fold"].clone(), c["repeat"].clone()))
            .collect();
        assert_eq!(runs.len(), 8, "trial {trial}: {runs:?}");
        // The figures ranked.csv shows are the mean over the runs at best_epoch, and that
        // epoch has the lowest mean validation loss.
        let best = &r["best_epoch"];
        let at = curve_rows(&curves, trial, best);
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12 * (1.0 + b.abs());
        let mean_of =
            |rows: &[&HashMap<String, String>], key| mean(rows.iter().map(|c| number(c, key)));
        assert!(
            close(number(r, "val_loss"), mean_of(&at, "val_loss")),
            "{r:?}"
        );
        assert!(close(
            number(r, "val_accuracy"),
            mean_of(&at, "val_accuracy")
        ));
        assert!(close(number(r, "val_f1"), mean_of(&at, "val_f1")));
        assert_eq!(number(r, "score"), number(r, "val_loss"), "default metric");
        for epoch in 0..12 {
            let rows = curve_rows(&curves, trial, &epoch.to_string());
            assert!(mean_of(&rows, "val_loss") >= number(r, "val_loss") - 1e-12);
        }
        // The spread across runs: each run's score, and their sample standard deviation.
        let scores: Vec<f64> = r["scores"].split(' ').map(|s| s.parse().unwrap()).collect();
        assert_eq!(scores.len(), 8);
        let m = mean(scores.iter().copied());
        let sd = (scores.iter().map(|s| (s - m).powi(2)).sum::<f64>() / 7.0).sqrt();
        assert!(close(number(r, "score_std"), sd) && close(number(r, "score"), m));
        assert!(close(number(r, "val_loss_std"), sd));
    }
    // The one-standard-error rule: the best is within its own band, and a trial is marked yes
    // exactly when its score is at most best + best's standard error.
    let best = &ranked[0];
    let bound = number(best, "score") + number(best, "score_std") / 8f64.sqrt();
    for r in &ranked {
        let within = number(r, "score") <= bound;
        assert_eq!(
            r["within_one_se"],
            if within { "yes" } else { "no" },
            "{r:?}"
        );
    }
    assert_eq!(best["within_one_se"], "yes");
    assert!(
        ranked.iter().any(|r| r["within_one_se"] == "no"),
        "{ranked:?}"
    );
    // The refit model is the one saved and tested.
    assert!(out.join("model.safetensors").is_file());
    let test = rows(&out, "test.csv");
    assert_eq!(test[0]["trial"], best["trial"]);
    assert_eq!(test[0]["samples"], "30");
    // best.toml keeps the folds and the repeats: it reproduces the winner's figures exactly.
    let again = tmp.path().join("again");
    run(&again, &out.join("best.toml"), &[]).success();
    let rerun = &rows(&again, "ranked.csv")[0];
    for key in ["score", "score_std", "val_loss", "best_epoch", "scores"] {
        assert_eq!(rerun[key], best[key], "{key}");
    }
    assert_eq!(
        rows(&again, "test.csv")[0]["test_loss"],
        test[0]["test_loss"]
    );
}

#[test]
fn refit_false_saves_no_model_and_scores_no_test() {
    let tmp = tempfile::tempdir().unwrap();
    let text = IRIS_CV.replace("repeats = 2", "refit = false");
    let file = space(tmp.path(), "cv.toml", &text);
    let out = tmp.path().join("out");
    run(&out, &file, &[])
        .success()
        .stderr(predicates::str::contains(
            "refit = false: no model is saved",
        ));
    assert!(!out.join("model.safetensors").exists());
    assert!(!out.join("test.csv").exists());
    assert_eq!(rows(&out, "ranked.csv")[0]["scores"].split(' ').count(), 4);
}

#[test]
fn folds_and_repeats_do_not_depend_on_jobs() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "cv.toml", IRIS_CV);
    let (one, two) = (tmp.path().join("j1"), tmp.path().join("j2"));
    run(&one, &file, &["-j", "1"]).success();
    run(&two, &file, &["-j", "2"]).success();
    assert_eq!(ranked_without_timing(&one), ranked_without_timing(&two));
    for file in ["curves.csv", "test.csv"] {
        assert_eq!(
            fs::read_to_string(one.join(file)).unwrap(),
            fs::read_to_string(two.join(file)).unwrap(),
            "{file}"
        );
    }
    // The same weights (the header's metadata is a map whose order safetensors does not fix).
    let tensors = |dir: &Path| {
        let bytes = fs::read(dir.join("model.safetensors")).unwrap();
        let header = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        bytes[8 + header..].to_vec()
    };
    assert_eq!(tensors(&one), tensors(&two));
}

#[test]
fn a_killed_cross_validated_sweep_resumes_to_the_same_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let text = r#"
name = "digits-cv"
seed = 5
[data]
builtin = "digits"
folds = 3
[search]
strategy = "random"
trials = 8
repeats = 2
metric = "val_f1"
[params]
learning_rate = { log_uniform = [0.01, 0.2] }
neurons = [16, 32]
batch_size = 8
epochs = 6
"#;
    let file = space(tmp.path(), "cv.toml", text);
    let whole = tmp.path().join("whole");
    run(&whole, &file, &[]).success();
    let killed = tmp.path().join("killed");
    let mut child = run_until_rows(&killed, &file, 3);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(journal_len(&killed) < 8, "killed after the end");
    run(&killed, &file, &["--resume"]).success();
    assert_eq!(
        ranked_without_timing(&killed),
        ranked_without_timing(&whole)
    );
    assert_eq!(
        fs::read_to_string(killed.join("curves.csv")).unwrap(),
        fs::read_to_string(whole.join("curves.csv")).unwrap()
    );
    // metric = val_f1: score is 1 − F1, and trials rank by it.
    let ranked = rows(&whole, "ranked.csv");
    for r in &ranked {
        assert!((number(r, "score") - (1.0 - number(r, "val_f1"))).abs() < 1e-12);
    }
    let scores: Vec<f64> = ranked.iter().map(|r| number(r, "score")).collect();
    assert!(scores.windows(2).all(|w| w[0] <= w[1]), "{scores:?}");
}

#[test]
fn the_metric_picks_the_best_epoch() {
    let tmp = tempfile::tempdir().unwrap();
    // Accuracy on 30 validation rows reaches its top early and stays there while the loss
    // goes on falling: the tie is broken by the loss, not by the first epoch.
    let text = r#"
seed = 1
[data]
builtin = "iris"
[search]
metric = "val_accuracy"
[params]
learning_rate = 0.1
neurons = 16
batch_size = 8
epochs = 30
"#;
    let file = space(tmp.path(), "acc.toml", text);
    let out = tmp.path().join("out");
    run(&out, &file, &[]).success();
    let r = &rows(&out, "ranked.csv")[0];
    let curve = rows(&out, "curves.csv");
    let accuracy: Vec<f64> = curve.iter().map(|c| number(c, "val_accuracy")).collect();
    let best = number(r, "best_epoch") as usize;
    let top = accuracy.iter().cloned().fold(f64::MIN, f64::max);
    // Of the epochs with the highest accuracy, the one with the lowest validation loss.
    let loss = |e: usize| number(&curve[e], "val_loss");
    let tied: Vec<usize> = (0..accuracy.len())
        .filter(|&e| accuracy[e] == top)
        .collect();
    let expected = *tied
        .iter()
        .min_by(|&&a, &&b| loss(a).total_cmp(&loss(b)).then(a.cmp(&b)))
        .unwrap();
    assert_eq!(best, expected, "tied epochs {tied:?}");
    assert!(
        tied.len() > 1 && best != tied[0],
        "the tie-break is exercised: {tied:?}"
    );
    assert_eq!(number(r, "val_accuracy"), accuracy[best]);
    assert_eq!(number(r, "val_loss"), number(&curve[best], "val_loss"));
    assert!((number(r, "score") - (1.0 - top)).abs() < 1e-12);
}

fn fails(dir: &Path, text: &str, needle: &str) {
    let file = space(dir, "bad.toml", text);
    let assert = hpsearch().args(["plan"]).arg(&file).assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains(needle), "{stderr}");
}

#[test]
fn bad_scoring_settings_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let with = |data: &str, search: &str| {
        format!("[data]\nbuiltin = \"iris\"\n{data}\n[search]\n{search}\n[params]\nepochs = 2\n")
    };
    fails(
        tmp.path(),
        &with("", "metric = \"accuracy\""),
        "unknown metric \"accuracy\"",
    );
    fails(
        tmp.path(),
        &with("", "metric = \"accuracy\""),
        "val_accuracy",
    );
    fails(tmp.path(), &with("", "repeats = 0"), "search.repeats");
    fails(
        tmp.path(),
        &with("", "refit = true"),
        "refit applies to cross-validation",
    );
    fails(
        tmp.path(),
        &with("folds = 1", ""),
        "data.folds: must be a whole number of folds from 2 to 20, got 1",
    );
    fails(tmp.path(), &with("folds = 21", ""), "from 2 to 20");
    fails(
        tmp.path(),
        &with("folds = 5\nvalidation = 0.2", ""),
        "cannot be combined with data.folds = 5",
    );
}

#[test]
fn hyperband_continues_every_fold_of_a_promoted_trial() {
    let tmp = tempfile::tempdir().unwrap();
    let text = r#"
name = "hb-cv"
seed = 4
[data]
builtin = "iris"
folds = 3
[search]
strategy = "hyperband"
reduction = 3
[params]
learning_rate = { log_uniform = [0.01, 0.5] }
neurons = [4, 16]
epochs = 9
"#;
    let file = space(tmp.path(), "hb.toml", text);
    let (one, two) = (tmp.path().join("j1"), tmp.path().join("j2"));
    run(&one, &file, &["-j", "1"]).success();
    run(&two, &file, &["-j", "2"]).success();
    assert_eq!(ranked_without_timing(&one), ranked_without_timing(&two));
    let curves = rows(&one, "curves.csv");
    for r in rows(&one, "ranked.csv") {
        let epochs: usize = r["epochs_run"].parse().unwrap();
        let trial_rows = curves.iter().filter(|c| c["trial"] == r["trial"]).count();
        // Every epoch of a trial, earlier rungs included, once per fold.
        assert_eq!(trial_rows, 3 * epochs, "trial {}", r["trial"]);
        assert_eq!(r["scores"].split(' ').count(), 3);
    }
    // A promoted trial's curve continues its rungs: epochs 0..9 for each fold.
    let full = rows(&one, "ranked.csv")
        .into_iter()
        .find(|r| r["epochs_run"] == "9")
        .expect("a trial that reached R");
    for fold in ["0", "1", "2"] {
        let e: Vec<String> = curves
            .iter()
            .filter(|c| c["trial"] == full["trial"] && c["fold"] == fold)
            .map(|c| c["epoch"].clone())
            .collect();
        assert_eq!(e, (0..9).map(|i| i.to_string()).collect::<Vec<_>>());
    }
}

#[test]
fn halving_promotes_by_the_metric_not_by_validation_loss() {
    let tmp = tempfile::tempdir().unwrap();
    let text = r#"
name = "hvi"
seed = 5
[data]
builtin = "iris"
[search]
strategy = "halving"
trials = 27
min_epochs = 2
reduction = 3
metric = "val_accuracy"
[params]
learning_rate  = { log_uniform = [0.0005, 2.0] }
neurons        = { int = [4, 64], log = true }
dropout        = { uniform = [0.0, 0.6] }
epochs         = 18
batch_size     = 32
"#;
    let file = space(tmp.path(), "hvi.toml", text);
    let out = tmp.path().join("out");
    run(&out, &file, &[]).success();
    let trials = rows(&out, "trials.csv");
    let mut promoted: Vec<u64> = trials
        .iter()
        .filter(|r| r["rung"] == "1")
        .map(|r| r["trial"].parse().unwrap())
        .collect();
    promoted.sort_unstable();
    let mut rung0: Vec<(f64, u64)> = trials
        .iter()
        .filter(|r| r["rung"] == "0")
        .map(|r| (r["score"].parse().unwrap(), r["trial"].parse().unwrap()))
        .collect();
    rung0.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut best: Vec<u64> = rung0.iter().take(promoted.len()).map(|p| p.1).collect();
    best.sort_unstable();
    assert_eq!(promoted, best, "rung 0 promotes the best by score");
}

#[test]
fn early_stopping_with_folds_is_judged_on_the_mean_curve() {
    let tmp = tempfile::tempdir().unwrap();
    let text = r#"
name = "cv-patience"
seed = 2
[data]
builtin = "iris"
folds = 3
[search]
strategy = "random"
trials = 6
repeats = 2
[params]
learning_rate = { log_uniform = [0.3, 3.0] }
neurons = 16
epochs = 60
patience = 3
"#;
    let file = space(tmp.path(), "p.toml", text);
    let out = tmp.path().join("out");
    run(&out, &file, &[]).success();
    let curves = rows(&out, "curves.csv");
    let ranked = rows(&out, "ranked.csv");
    let mut stopped = 0;
    for r in &ranked {
        let epochs: usize = r["epochs_run"].parse().unwrap();
        // Every run stops at the same epoch: no run's epochs are dropped.
        let trial_rows = curves.iter().filter(|c| c["trial"] == r["trial"]).count();
        assert_eq!(trial_rows, 6 * epochs, "trial {}", r["trial"]);
        if r["status"] == "stopped_early" {
            stopped += 1;
            let best: usize = r["best_epoch"].parse().unwrap();
            assert_eq!(
                epochs,
                best + 1 + 3,
                "stops 3 epochs after the mean curve's best"
            );
        }
    }
    assert!(stopped > 0, "{ranked:?}");
}
