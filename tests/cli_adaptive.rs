//! Successive halving and Hyperband end to end: rungs in the reports, promoted trials that
//! continue exactly, and results that depend neither on `-j` nor on a SIGKILL and `--resume`.

mod common;

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use common::cli::{journal_len, ranked_without_timing, rows, run, run_until_rows, space};
use predicates::prelude::*;

const HALVING: &str = r#"
name = "halving"
seed = 5
[data]
builtin = "iris"
validation = 0.3
[search]
strategy = "halving"
trials = 9
reduction = 3
[params]
learning_rate = { log_uniform = [0.01, 0.5] }
neurons = [4, 16]
decay = ["none", "exponential"]
epochs = 9
"#;

const HYPERBAND: &str = r#"
name = "hyperband"
seed = 8
[data]
builtin = "iris"
validation = 0.3
[search]
strategy = "hyperband"
reduction = 3
[params]
learning_rate = { log_uniform = [0.01, 0.5] }
neurons = [4, 16]
epochs = 9
"#;

/// A slower Hyperband on digits, long enough to be killed partway.
const HYPERBAND_DIGITS: &str = r#"
name = "hb-digits"
seed = 2
[data]
builtin = "digits"
[search]
strategy = "hyperband"
reduction = 3
budget = 60
[params]
learning_rate = { log_uniform = [0.01, 0.3] }
neurons = [32, 64]
batch_size = 4
epochs = 9
"#;

fn by_trial(dir: &Path) -> HashMap<String, HashMap<String, String>> {
    rows(dir, "ranked.csv")
        .into_iter()
        .map(|r| (r["trial"].clone(), r))
        .collect()
}

#[test]
fn halving_prunes_by_rung_and_records_bracket_rung_and_epochs() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "h.toml", HALVING);
    let out = tmp.path().join("out");
    run(&out, &file, &[]).success();
    let ranked = rows(&out, "ranked.csv");
    assert_eq!(ranked.len(), 9, "every configuration once");
    // Rungs (9 trials, 1 epoch), (3, 3), (1, 9): one finishes, two stop at 3, six at 1.
    let mut epochs: Vec<(String, String, String)> = ranked
        .iter()
        .map(|r| {
            (
                r["status"].clone(),
                r["rung"].clone(),
                r["epochs_run"].clone(),
            )
        })
        .collect();
    epochs.sort();
    let count = |s: &str, rung: &str, e: &str| {
        epochs
            .iter()
            .filter(|x| (x.0.as_str(), x.1.as_str(), x.2.as_str()) == (s, rung, e))
            .count()
    };
    assert_eq!(count("completed", "2", "9"), 1, "{epochs:?}");
    assert_eq!(count("pruned", "1", "3"), 2, "{epochs:?}");
    assert_eq!(count("pruned", "0", "1"), 6, "{epochs:?}");
    assert_eq!(ranked[0]["status"], "completed", "the winner trained to R");
    assert!(ranked.iter().all(|r| r["bracket"] == "0"));
    // The journal has a row per (trial, rung): 9 + 3 + 1.
    assert_eq!(rows(&out, "trials.csv").len(), 13);
    // curves.csv: each trial's whole curve once, epochs 0 .. epochs_run.
    let ranked = by_trial(&out);
    let mut curve: HashMap<String, Vec<usize>> = HashMap::new();
    for row in rows(&out, "curves.csv") {
        curve
            .entry(row["trial"].clone())
            .or_default()
            .push(row["epoch"].parse().unwrap());
    }
    for (trial, epochs) in &curve {
        let n: usize = ranked[trial]["epochs_run"].parse().unwrap();
        assert_eq!(*epochs, (0..n).collect::<Vec<_>>(), "trial {trial}");
    }
    assert_eq!(curve.len(), 9);
}

#[test]
fn a_promoted_trial_has_the_curve_of_the_same_trial_run_straight() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "h.toml", HALVING);
    let out = tmp.path().join("out");
    run(&out, &file, &[]).success();
    // best.toml is the winner with its seed pinned: a straight 9-epoch run of it.
    let straight = tmp.path().join("straight");
    run(&straight, &out.join("best.toml"), &[]).success();
    let winner = rows(&out, "ranked.csv")[0]["trial"].clone();
    let curve = |dir: &Path, trial: &str| -> Vec<String> {
        rows(dir, "curves.csv")
            .into_iter()
            .filter(|r| r["trial"] == trial)
            .map(|r| {
                format!(
                    "{} {} {} {} {}",
                    r["epoch"],
                    r["learning_rate"],
                    r["train_loss"],
                    r["val_loss"],
                    r["val_accuracy"]
                )
            })
            .collect()
    };
    let promoted = curve(&out, &winner);
    assert_eq!(promoted.len(), 9, "trained 1, then 3, then 9 epochs");
    assert_eq!(promoted, curve(&straight, "0"));
}

#[test]
fn jobs_do_not_change_halving_or_hyperband() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, text) in [("h", HALVING), ("hb", HYPERBAND)] {
        let file = space(tmp.path(), &format!("{name}.toml"), text);
        let one = tmp.path().join(format!("{name}1"));
        let two = tmp.path().join(format!("{name}2"));
        run(&one, &file, &["-j", "1"]).success();
        run(&two, &file, &["-j", "2"]).success();
        assert_eq!(
            ranked_without_timing(&one),
            ranked_without_timing(&two),
            "{name}"
        );
        assert_eq!(
            fs::read_to_string(one.join("curves.csv")).unwrap(),
            fs::read_to_string(two.join("curves.csv")).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn hyperband_runs_every_bracket() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "hb.toml", HYPERBAND);
    let out = tmp.path().join("out");
    run(&out, &file, &[]).success();
    // R = 9, η = 3: brackets s = 2 (9 at 1, 3 at 3, 1 at 9), s = 1 (5 at 3, 1 at 9), s = 0 (3 at 9).
    let ranked = rows(&out, "ranked.csv");
    assert_eq!(ranked.len(), 9 + 5 + 3);
    let in_bracket = |b: &str| ranked.iter().filter(|r| r["bracket"] == b).count();
    assert_eq!(
        (in_bracket("0"), in_bracket("1"), in_bracket("2")),
        (9, 5, 3)
    );
    let completed = ranked.iter().filter(|r| r["epochs_run"] == "9").count();
    assert_eq!(completed, 1 + 1 + 3);
}

#[test]
fn a_killed_hyperband_resumes_to_the_same_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "hb.toml", HYPERBAND_DIGITS);
    let whole = tmp.path().join("whole");
    run(&whole, &file, &[]).success();
    let total = rows(&whole, "trials.csv").len();
    // Kill at several points: inside the first rung, and later, between rungs.
    for at in [2, total / 2, total - 2] {
        let killed = tmp.path().join(format!("killed{at}"));
        let mut child = run_until_rows(&killed, &file, at);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let rows_at_kill = journal_len(&killed);
        assert!(
            rows_at_kill < total,
            "killed after the end ({rows_at_kill} rows)"
        );
        run(&killed, &file, &["--resume"]).success();
        assert_eq!(
            ranked_without_timing(&killed),
            ranked_without_timing(&whole),
            "killed at {at} rows"
        );
        assert_eq!(
            fs::read_to_string(killed.join("curves.csv")).unwrap(),
            fs::read_to_string(whole.join("curves.csv")).unwrap(),
            "killed at {at} rows"
        );
        assert_eq!(
            rows(&killed, "trials.csv").len(),
            total,
            "each (trial, rung) once"
        );
    }
}

#[test]
fn a_killed_halving_resumes_to_the_same_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let text = HYPERBAND_DIGITS
        .replace(
            "strategy = \"hyperband\"",
            "strategy = \"halving\"\ntrials = 12",
        )
        .replace("budget = 60\n", "");
    let file = space(tmp.path(), "h.toml", &text);
    let whole = tmp.path().join("whole");
    run(&whole, &file, &[]).success();
    let killed = tmp.path().join("killed");
    let mut child = run_until_rows(&killed, &file, 13);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        journal_len(&killed) < rows(&whole, "trials.csv").len(),
        "killed partway"
    );
    run(&killed, &file, &["--resume"]).success();
    assert_eq!(
        ranked_without_timing(&killed),
        ranked_without_timing(&whole)
    );
    assert_eq!(
        fs::read_to_string(killed.join("curves.csv")).unwrap(),
        fs::read_to_string(whole.join("curves.csv")).unwrap()
    );
}

#[test]
fn a_budget_below_the_first_bracket_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let text = HYPERBAND.replace("reduction = 3\n", "reduction = 3\nbudget = 20\n");
    let file = space(tmp.path(), "hb.toml", &text);
    for command in ["plan", "run"] {
        let mut cmd = common::cli::hpsearch();
        cmd.arg(command).arg(&file);
        if command == "run" {
            cmd.arg("--out").arg(tmp.path().join("out"));
        }
        cmd.assert().code(2).stderr(predicates::str::contains(
            "search.budget is smaller than Hyperband's first bracket (21 epochs)",
        ));
    }
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn report_of_an_unfinished_hyperband_says_pruned_trials_may_still_be_promoted() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "hb.toml", HYPERBAND_DIGITS);
    let out = tmp.path().join("out");
    let mut child = run_until_rows(&out, &file, 10);
    child.kill().unwrap();
    child.wait().unwrap();
    common::cli::hpsearch()
        .arg("report")
        .arg(&out)
        .assert()
        .success()
        .stderr(predicates::str::contains("the sweep has not finished").and(
            predicates::str::contains("trials shown as pruned may still be promoted"),
        ));
    run(&out, &file, &["--resume"]).success();
    common::cli::hpsearch()
        .arg("report")
        .arg(&out)
        .assert()
        .success()
        .stderr(predicates::str::contains("has not finished").not());
}
