//! `hpsearch plan` checks the data as `run` would (issue 9, item 18): it loads the data,
//! reports samples, features, classes and split sizes, and fails exactly as `run` fails.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin;

fn hpsearch() -> assert_cmd::Command {
    assert_cmd::Command::new(cargo_bin("hpsearch"))
}

/// Writes `csv` as `data.csv` and a space reading it with `data_keys` as `space.toml` in `dir`.
fn csv_space(dir: &Path, csv: &str, data_keys: &str) -> PathBuf {
    fs::write(dir.join("data.csv"), csv).unwrap();
    let space = dir.join("space.toml");
    fs::write(
        &space,
        format!("[data]\npath = \"data.csv\"\n{data_keys}\n[params]\nepochs = 1\nneurons = 2\n"),
    )
    .unwrap();
    space
}

/// 20 rows, two features, classes "a" and "b" alternating.
fn two_class_csv() -> String {
    let mut text = String::from("x,y,kind\n");
    for i in 0..20 {
        text.push_str(&format!("{i},{},{}\n", 20 - i, ["a", "b"][i % 2]));
    }
    text
}

/// (exit code, stdout, stderr) of `hpsearch ARGS` in `dir`.
fn output(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = hpsearch().current_dir(dir).args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn plan_reports_samples_features_classes_and_split_sizes() {
    let dir = tempfile::tempdir().unwrap();
    csv_space(dir.path(), &two_class_csv(), "validation = 0.2\ntest = 0.2");
    let (code, stdout, stderr) = output(dir.path(), &["plan", "space.toml"]);
    assert_eq!(code, Some(0), "{stderr}");
    // On stderr: stdout keeps its format, the count and then the trials.
    assert_eq!(
        stderr,
        "data: CSV data.csv: 20 samples × 2 features, 2 classes (\"a\", \"b\"); split: 12 \
         train, 4 validation, 4 test\n"
    );
    assert!(stdout.starts_with("1 trial (grid)\ntrial  "), "{stdout}");
    let (code, stdout, stderr) = output(dir.path(), &["plan", "--csv", "space.toml"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("data: CSV data.csv: 20 samples"),
        "{stderr}"
    );
    assert!(stdout.starts_with("trial,"), "{stdout}");
}

/// Each broken data set fails `plan` with `run`'s exit code and `run`'s message, word for
/// word; `run` leaves no results directory behind.
#[test]
fn plan_fails_exactly_as_run_on_bad_data() {
    let dir = tempfile::tempdir().unwrap();
    let csv = two_class_csv();
    let cases = [
        ("a wrong label column", csv.clone(), "label = \"class\""),
        ("a bad cell", csv.replace("3,17,b", "3,oops,b"), ""),
        ("an empty test split", csv.clone(), "test = 0.01"),
        ("a single class", csv.replace(",b\n", ",a\n"), ""),
        ("a repeated column name", csv.replace("x,y,", "x,x,"), ""),
    ];
    for (what, csv, keys) in cases {
        csv_space(dir.path(), &csv, keys);
        let (plan_code, plan_out, plan_err) = output(dir.path(), &["plan", "space.toml"]);
        let out = dir.path().join("results");
        let out_arg = out.to_string_lossy().into_owned();
        let (run_code, _, run_err) =
            output(dir.path(), &["run", "-q", "--out", &out_arg, "space.toml"]);
        assert_eq!(
            plan_code,
            Some(1),
            "{what}: plan's exit code; stderr:\n{plan_err}"
        );
        assert_eq!(
            run_code,
            Some(1),
            "{what}: run's exit code; stderr:\n{run_err}"
        );
        assert!(
            plan_err.starts_with("error: data.csv"),
            "{what}: {plan_err}"
        );
        assert_eq!(plan_err, run_err, "{what}: plan and run say the same");
        assert!(
            plan_out.is_empty(),
            "{what}: plan lists no trials: {plan_out}"
        );
        assert!(!out.exists(), "{what}: run left {out_arg} behind");
    }
}
