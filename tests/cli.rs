//! End-to-end behaviours of `hpsearch run` and `hpsearch report`, on real (small) sweeps.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use assert_cmd::cargo::cargo_bin;

use common::cli::{
    hpsearch, journal_ids, journal_len, ranked_without_timing, run, run_until_rows, space,
};
use predicates::prelude::*;
use predicates::str::contains;

const IRIS_GRID: &str = r#"
name = "iris-grid"
seed = 3
[data]
builtin = "iris"
validation = 0.3
[search]
strategy = "grid"
[params]
learning_rate = [0.05, 0.2]
batch_size = [8, "full"]
neurons = [4, 16]
epochs = 8
"#;

#[test]
fn quickstart_runs_and_writes_every_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("quick");
    hpsearch()
        .args(["run", "search-spaces/quickstart.toml", "-q", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(contains("rank").and(contains("best: trial")));
    for file in [
        "trials.csv",
        "ranked.csv",
        "curves.csv",
        "space.toml",
        "best.toml",
    ] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    let ranked = fs::read_to_string(out.join("ranked.csv")).unwrap();
    assert!(ranked.starts_with(
        "rank,trial,status,score,score_std,within_one_se,val_loss,val_loss_std,best_epoch,val_accuracy,val_f1,train_loss,epochs_run,seconds,"
    ));
}

#[test]
fn jobs_do_not_change_the_ranking() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "s.toml", IRIS_GRID);
    for jobs in ["1", "2"] {
        run(&tmp.path().join(jobs), &file, &["-j", jobs]).success();
    }
    assert_eq!(
        ranked_without_timing(&tmp.path().join("1")),
        ranked_without_timing(&tmp.path().join("2"))
    );
    assert_eq!(
        fs::read_to_string(tmp.path().join("1/curves.csv")).unwrap(),
        fs::read_to_string(tmp.path().join("2/curves.csv")).unwrap()
    );
    assert_eq!(
        journal_ids(&tmp.path().join("2")),
        (0..8).collect::<Vec<_>>()
    );
}

#[test]
fn an_existing_results_directory_is_refused_without_resume() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "s.toml", IRIS_GRID);
    let out = tmp.path().join("out");
    run(&out, &file, &[]).success();
    let before = fs::read_to_string(out.join("trials.csv")).unwrap();
    run(&out, &file, &[])
        .code(1)
        .stderr(contains("already holds results").and(contains("--resume")));
    assert_eq!(
        fs::read_to_string(out.join("trials.csv")).unwrap(),
        before,
        "nothing overwritten"
    );
}

#[test]
fn an_unusable_out_directory_fails_before_training() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "s.toml", IRIS_GRID);
    let blocker = tmp.path().join("a-file");
    fs::write(&blocker, "").unwrap();
    run(&blocker.join("sub"), &file, &[])
        .code(1)
        .stderr(contains("a-file"));
}

#[test]
fn a_killed_sweep_resumes_to_the_same_ranking_with_every_trial_once() {
    let tmp = tempfile::tempdir().unwrap();
    let text = r#"
name = "kill"
seed = 11
[data]
builtin = "digits"
[search]
strategy = "random"
trials = 24
[params]
learning_rate = { log_uniform = [0.01, 0.3] }
neurons = [16, 32]
epochs = 6
"#;
    let file = space(tmp.path(), "s.toml", text);
    let killed = tmp.path().join("killed");
    let mut child = run_until_rows(&killed, &file, 3);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let at_kill = journal_len(&killed);
    assert!(
        (3..24).contains(&at_kill),
        "killed with {at_kill} trials done: not partway"
    );

    run(&killed, &file, &["--resume"]).success();
    assert_eq!(
        journal_ids(&killed),
        (0..24).collect::<Vec<_>>(),
        "every trial exactly once"
    );

    let whole = tmp.path().join("whole");
    run(&whole, &file, &[]).success();
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
fn resume_refuses_a_different_space() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "s.toml", IRIS_GRID);
    let out = tmp.path().join("out");
    run(&out, &file, &[]).success();
    let other = space(
        tmp.path(),
        "t.toml",
        &IRIS_GRID.replace("epochs = 8", "epochs = 9"),
    );
    run(&out, &other, &["--resume"])
        .code(1)
        .stderr(contains("different search space"));
}

#[test]
fn a_diverging_trial_is_recorded_last_and_the_sweep_finishes() {
    let tmp = tempfile::tempdir().unwrap();
    let text = IRIS_GRID.replace(
        "learning_rate = [0.05, 0.2]",
        "learning_rate = [0.05, 10000.0]",
    );
    let file = space(tmp.path(), "s.toml", &text);
    let out = tmp.path().join("out");
    run(&out, &file, &[]).success();
    let ranked = fs::read_to_string(out.join("ranked.csv")).unwrap();
    let statuses: Vec<&str> = ranked
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap())
        .collect();
    assert_eq!(statuses.len(), 8);
    assert!(statuses[..4].iter().all(|s| *s == "completed"), "{ranked}");
    assert!(statuses[4..].iter().all(|s| *s == "diverged"), "{ranked}");
}

#[test]
fn a_sweep_where_no_trial_scores_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    let text = IRIS_GRID.replace("learning_rate = [0.05, 0.2]", "learning_rate = 10000.0");
    let file = space(tmp.path(), "s.toml", &text);
    run(&tmp.path().join("out"), &file, &[])
        .code(1)
        .stderr(contains("no trial produced a score"));
}

#[test]
fn best_toml_retrains_the_winner_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "s.toml", IRIS_GRID);
    let out = tmp.path().join("out");
    run(&out, &file, &[]).success();
    let again = tmp.path().join("again");
    run(&again, &out.join("best.toml"), &[]).success();
    let first_row = |dir: &Path| {
        let mut reader = csv::Reader::from_path(dir.join("ranked.csv")).unwrap();
        let row = reader.records().next().unwrap().unwrap();
        (row[3].to_string(), row[4].to_string(), row[5].to_string())
    };
    assert_eq!(
        first_row(&out),
        first_row(&again),
        "same val_loss, best_epoch, val_accuracy"
    );
}

#[test]
fn report_rebuilds_the_ranking_from_the_journal() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "s.toml", IRIS_GRID);
    let out = tmp.path().join("out");
    run(&out, &file, &[]).success();
    let ranked = fs::read_to_string(out.join("ranked.csv")).unwrap();
    fs::remove_file(out.join("ranked.csv")).unwrap();
    hpsearch()
        .arg("report")
        .arg(&out)
        .args(["--top", "3"])
        .assert()
        .success()
        .stdout(contains("top 3 of 8"));
    assert_eq!(fs::read_to_string(out.join("ranked.csv")).unwrap(), ranked);
}

#[test]
fn only_the_winner_is_scored_on_the_test_split() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(
        tmp.path(),
        "s.toml",
        &IRIS_GRID.replace("validation = 0.3", "validation = 0.2\ntest = 0.2"),
    );
    let out = tmp.path().join("out");
    run(&out, &file, &[])
        .success()
        .stdout(contains("winner only"));
    let test = fs::read_to_string(out.join("test.csv")).unwrap();
    let lines: Vec<&str> = test.lines().collect();
    assert_eq!(lines[0], "trial,test_loss,test_accuracy,test_f1,samples");
    assert_eq!(lines.len(), 2, "one row: the winner");
    let winner = csv::Reader::from_path(out.join("ranked.csv"))
        .unwrap()
        .records()
        .next()
        .unwrap()
        .unwrap()[1]
        .to_string();
    assert!(lines[1].starts_with(&format!("{winner},")));
}

#[test]
fn ctrl_c_keeps_finished_trials_and_says_how_to_resume() {
    let tmp = tempfile::tempdir().unwrap();
    let text = r#"
name = "int"
[data]
builtin = "digits"
[search]
strategy = "random"
trials = 40
[params]
neurons = 32
epochs = 10
"#;
    let file = space(tmp.path(), "s.toml", text);
    let out = tmp.path().join("out");
    let child = run_until_rows(&out, &file, 1);
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("--resume"), "{stderr}");
    let done = journal_len(&out);
    assert!((1..40).contains(&done), "{done} trials kept");
    run(&out, &file, &["--resume"]).success();
    assert_eq!(journal_ids(&out), (0..40).collect::<Vec<_>>());
}

#[test]
fn a_data_error_exits_1_and_leaves_no_results_directory() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("bad.csv"), "a,b,label\n1,2,x\n3,oops,y\n").unwrap();
    let file = space(
        tmp.path(),
        "s.toml",
        &IRIS_GRID.replace("builtin = \"iris\"", "path = \"bad.csv\""),
    );
    let out = tmp.path().join("out");
    run(&out, &file, &[])
        .code(1)
        .stderr(contains("bad.csv").and(contains("oops")));
    assert!(!out.exists(), "a failed start must not block the next run");
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    let text = "[data]\nbuiltin = \"iris\"\n[search]\nstrategy = \"random\"\ntrials = 200000\n\
                [params]\nlearning_rate = { log_uniform = [0.001, 0.1] }\n";
    let file = space(tmp.path(), "s.toml", text);
    let script = format!(
        "set -o pipefail; {} plan {} | head -n 1",
        cargo_bin("hpsearch").display(),
        file.display()
    );
    let output = Command::new("bash").args(["-c", &script]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("error"),
        "{stderr}"
    );
}

#[test]
fn report_on_a_folder_that_is_not_a_results_directory_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    hpsearch()
        .arg("report")
        .arg(tmp.path())
        .assert()
        .code(1)
        .stderr(contains("is not a results directory"));
}

#[test]
fn a_parameter_that_applies_to_no_trial_is_warned_about() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(
        tmp.path(),
        "s.toml",
        "[data]\nbuiltin = \"iris\"\n[params]\nalpha = 0.01\n",
    );
    hpsearch()
        .arg("plan")
        .arg(&file)
        .assert()
        .success()
        .stderr(contains("warning").and(contains("params.alpha is given but applies to no trial")));
}

#[test]
fn more_workers_than_trials_start_only_as_many_as_there_are_trials() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(
        tmp.path(),
        "s.toml",
        "[data]\nbuiltin = \"iris\"\n[params]\nlearning_rate = [0.1, 0.2]\nepochs = 2\n",
    );
    // 5,000 workers for 2 trials used to start 5,003 threads and never finish.
    let started = Instant::now();
    run(&tmp.path().join("out"), &file, &["-j", "5000"]).success();
    assert_eq!(journal_ids(&tmp.path().join("out")), [0, 1]);
    assert!(started.elapsed() < Duration::from_secs(60), "it finished");
}
