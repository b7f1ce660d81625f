//! What `--resume` refuses and what it accepts: changed data, journal rows that cannot belong to
//! the space, a curve journal short of a recorded trial's epochs, and a random search extended
//! by raising `trials`.

mod common;

use std::fs;

use common::cli::{hpsearch, ranked_without_timing, rows, run, space};
use predicates::prelude::*;
use predicates::str::contains;

const CSV_SPACE: &str = r#"
name = "csv"
seed = 4
[data]
path = "data.csv"
validation = 0.3
[search]
strategy = "random"
trials = 4
[params]
learning_rate = { log_uniform = [0.05, 0.5] }
epochs = 3
"#;

fn write_data(dir: &std::path::Path, flip: bool) {
    let mut text = String::from("a,b,label\n");
    for i in 0..40 {
        let label = if (i % 2 == 0) != flip { "x" } else { "y" };
        text.push_str(&format!("{},{},{label}\n", i % 7, i % 5));
    }
    fs::write(dir.join("data.csv"), text).unwrap();
}

#[test]
fn resume_refuses_changed_data_and_names_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    write_data(tmp.path(), false);
    let file = space(tmp.path(), "s.toml", CSV_SPACE);
    let out = tmp.path().join("out");
    run(&out, &file, &[]).success();
    let before = fs::read_to_string(out.join("trials.csv")).unwrap();
    write_data(tmp.path(), true);
    run(&out, &file, &["--resume"])
        .code(1)
        .stderr(contains("data.csv").and(contains("has changed")));
    assert_eq!(fs::read_to_string(out.join("trials.csv")).unwrap(), before);
}

#[test]
fn resume_refuses_a_journal_row_that_cannot_belong_to_the_space() {
    let tmp = tempfile::tempdir().unwrap();
    write_data(tmp.path(), false);
    let file = space(tmp.path(), "s.toml", CSV_SPACE);
    let out = tmp.path().join("out");
    run(&out, &file, &[]).success();
    let journal = out.join("trials.csv");
    let text = fs::read_to_string(&journal).unwrap();
    let last = text.lines().last().unwrap();
    let foreign = last.replacen(last.split(',').next().unwrap(), "99", 1);
    fs::write(&journal, format!("{text}{foreign}\n")).unwrap();
    run(&out, &file, &["--resume"]).code(1).stderr(
        contains("trials.csv:6")
            .and(contains("trial 99"))
            .and(contains("numbered 0 to 3")),
    );
}

#[test]
fn a_curve_journal_short_of_a_recorded_trial_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    write_data(tmp.path(), false);
    let file = space(tmp.path(), "s.toml", CSV_SPACE);
    let out = tmp.path().join("out");
    run(&out, &file, &[]).success();
    let curves = out.join("curves.journal.csv");
    let text = fs::read_to_string(&curves).unwrap();
    let kept: Vec<&str> = text.lines().filter(|l| !l.starts_with("2,1,")).collect();
    fs::write(&curves, kept.join("\n") + "\n").unwrap();
    for args in [&["--resume"][..], &[]] {
        let assert = if args.is_empty() {
            hpsearch().arg("report").arg(&out).assert()
        } else {
            run(&out, &file, args)
        };
        assert.code(1).stderr(contains(
            "curves.journal.csv: trial 2 has 2 epoch rows but trials.csv records 3 (",
        ));
    }
}

#[test]
fn raising_a_random_search_trials_runs_only_the_new_draws() {
    let tmp = tempfile::tempdir().unwrap();
    write_data(tmp.path(), false);
    let file = space(tmp.path(), "s.toml", CSV_SPACE);
    let out = tmp.path().join("out");
    run(&out, &file, &[]).success();
    let bigger = CSV_SPACE.replace("trials = 4", "trials = 7");
    fs::write(&file, &bigger).unwrap();
    run(&out, &file, &["--resume"]).success();
    assert_eq!(rows(&out, "trials.csv").len(), 7, "4 kept, 3 new");
    let fresh = tmp.path().join("fresh");
    run(&fresh, &file, &[]).success();
    assert_eq!(ranked_without_timing(&out), ranked_without_timing(&fresh));
    // Anything else changed is still refused.
    fs::write(&file, bigger.replace("epochs = 3", "epochs = 4")).unwrap();
    run(&out, &file, &["--resume"])
        .code(1)
        .stderr(contains("different search space"));
}

#[test]
fn a_journal_of_an_earlier_version_is_named_as_such() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    fs::create_dir_all(&out).unwrap();
    let quickstart = std::path::Path::new("search-spaces/quickstart.toml");
    fs::copy(quickstart, out.join("space.toml")).unwrap();
    // The header hpsearch wrote before the score columns existed.
    fs::write(
        out.join("trials.csv"),
        "trial,status,val_loss,best_epoch,val_accuracy,train_loss,epochs_run,seconds,seed,bracket,rung,learning_rate,message\n",
    )
    .unwrap();
    run(&out, quickstart, &["--resume"]).code(1).stderr(
        contains("trials.csv:1: written by an earlier hpsearch").and(contains("new --out")),
    );
}
