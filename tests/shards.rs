//! A sweep split into shards (`run --shard I/N`), each run by hand in any order, then merged by
//! `report`, gives the files one machine writes: the equality `hpsearch slurm` relies on.

mod common;

use std::fs;
use std::path::Path;

use common::cli::{hpsearch, ranked_without_timing, run, space};

/// A random search on digits, with a test split so that `report` scores the winner.
const RANDOM: &str = r#"
name = "shards-random"
seed = 4
[data]
builtin = "digits"
test = 0.2
[search]
strategy = "random"
trials = 7
[params]
learning_rate = { log_uniform = [0.01, 0.3] }
neurons = [8, 16]
decay = ["none", "inverse"]
decay_rate = { uniform = [0.01, 0.3] }
batch_size = 32
epochs = 3
"#;

/// Hyperband on digits: two brackets, promotions across shards.
const HYPERBAND: &str = r#"
name = "shards-hyperband"
seed = 2
[data]
builtin = "digits"
test = 0.2
[search]
strategy = "hyperband"
reduction = 3
budget = 50
[params]
learning_rate = { log_uniform = [0.01, 0.3] }
neurons = [8, 16]
batch_size = 32
epochs = 9
"#;

/// A file of `dir` as text.
fn read(dir: &Path, file: &str) -> String {
    fs::read_to_string(dir.join(file))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join(file).display()))
}

/// Runs shard `i` of `n` into `out`; returns its stderr.
fn shard(out: &Path, file: &Path, i: u32, n: u32) -> String {
    let shard = format!("{i}/{n}");
    let output = run(out, file, &["--resume", "--shard", &shard, "-j", "1"]).success();
    String::from_utf8_lossy(&output.get_output().stderr).into_owned()
}

/// Runs every shard of `n` in `order`, round after round, until each says the sweep is
/// complete; returns how many rounds that took.
fn run_shards(out: &Path, file: &Path, n: u32, order: &[u32]) -> usize {
    for round in 1..=20 {
        let complete = order
            .iter()
            .map(|&i| shard(out, file, i, n))
            .filter(|stderr| stderr.contains("the sweep is complete"))
            .count();
        if complete == order.len() {
            return round;
        }
    }
    panic!("the shards did not finish in 20 rounds");
}

/// Single machine vs sharded then merged: ranked.csv (timing aside), curves.csv, best.toml,
/// test.csv.
fn assert_same_reports(single: &Path, merged: &Path) {
    assert_eq!(ranked_without_timing(single), ranked_without_timing(merged));
    for file in ["curves.csv", "best.toml", "test.csv"] {
        assert_eq!(read(single, file), read(merged, file), "{file}");
    }
}

#[test]
fn random_shards_merge_into_the_single_machine_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "r.toml", RANDOM);
    let single = tmp.path().join("single");
    run(&single, &file, &[]).success();
    let out = tmp.path().join("sharded");
    // One batch: each shard runs its share at once, in any order, and is done.
    for i in [2, 0, 1] {
        shard(&out, &file, i, 3);
    }
    for (i, ids) in [
        (0, vec!["0", "3", "6"]),
        (1, vec!["1", "4"]),
        (2, vec!["2", "5"]),
    ] {
        let folder = out.join(format!("shards/{i}-of-3"));
        let mut trials: Vec<String> = common::cli::rows(&folder, "trials.csv")
            .into_iter()
            .map(|r| r["trial"].clone())
            .collect();
        trials.sort();
        assert_eq!(trials, ids, "shard {i} runs only its own trials");
    }
    hpsearch().arg("report").arg(&out).assert().success();
    assert_same_reports(&single, &out);
}

#[test]
fn hyperband_shards_merge_into_the_single_machine_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "hb.toml", HYPERBAND);
    let single = tmp.path().join("single");
    run(&single, &file, &[]).success();
    let out = tmp.path().join("sharded");
    // A shard stops where a rung needs the others' results: several rounds are needed.
    let first = shard(&out, &file, 1, 3);
    assert!(
        first.contains(
            "shard 1/3: done with its jobs of bracket 0 rung 0; waiting for the other shards"
        ),
        "{first}"
    );
    assert!(run_shards(&out, &file, 3, &[1, 2, 0]) > 1);
    hpsearch().arg("report").arg(&out).assert().success();
    assert_same_reports(&single, &out);
}

#[test]
fn report_of_unfinished_shards_ranks_what_ran_and_writes_no_test() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "r.toml", RANDOM);
    let out = tmp.path().join("sharded");
    shard(&out, &file, 0, 3);
    let output = hpsearch().arg("report").arg(&out).assert().success();
    let stderr = String::from_utf8_lossy(&output.get_output().stderr);
    assert!(
        stderr.contains("the shards have not finished the sweep"),
        "{stderr}"
    );
    assert_eq!(common::cli::rows(&out, "ranked.csv").len(), 3);
    assert!(!out.join("test.csv").exists());
}

#[test]
fn report_refuses_shards_of_different_spaces_naming_the_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let a = space(tmp.path(), "a.toml", RANDOM);
    let b = space(
        tmp.path(),
        "b.toml",
        &RANDOM.replace("seed = 4", "seed = 5"),
    );
    let out = tmp.path().join("sharded");
    shard(&out, &a, 0, 2);
    // Shard 1 of the other space: `run` already refuses to mix it with shard 0 …
    let refused = run(&out, &b, &["--resume", "--shard", "1/2"]).failure();
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr);
    assert!(
        stderr.contains("shards/0-of-2: shard 0/2 ran another search space than shard 1/2"),
        "{stderr}"
    );
    // … and `report` refuses it when it got there all the same.
    run(
        &tmp.path().join("other"),
        &b,
        &["--resume", "--shard", "1/2"],
    )
    .success();
    fs::rename(
        tmp.path().join("other/shards/1-of-2"),
        out.join("shards/1-of-2"),
    )
    .unwrap();
    let refused = hpsearch().arg("report").arg(&out).assert().failure();
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr);
    assert!(
        stderr.contains("shards/1-of-2: shard 1/2 ran another search space than shard 0/2"),
        "{stderr}"
    );
}

#[test]
fn shards_of_another_split_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "r.toml", RANDOM);
    let out = tmp.path().join("sharded");
    shard(&out, &file, 0, 2);
    let refused = run(&out, &file, &["--resume", "--shard", "0/3"]).failure();
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr);
    assert!(stderr.contains("it holds shards of 2"), "{stderr}");
    assert!(
        !out.join("shards/0-of-3").exists(),
        "a refused shard leaves nothing"
    );
}

#[test]
fn slurm_refuses_a_results_directory_of_another_split_or_space() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "r.toml", RANDOM);
    let other = space(
        tmp.path(),
        "o.toml",
        &RANDOM.replace("seed = 4", "seed = 5"),
    );
    let out = tmp.path().join("out");
    shard(&out, &file, 1, 3);
    let slurm = |file: &Path, tasks: &str| {
        let output = hpsearch()
            .args(["slurm", "--tasks", tasks, "--out"])
            .arg(&out)
            .arg(file)
            .assert()
            .failure();
        String::from_utf8_lossy(&output.get_output().stderr).into_owned()
    };
    let stderr = slurm(&file, "4");
    assert!(
        stderr.contains("split in 3 shards (shard 1/3 is there), not 4"),
        "{stderr}"
    );
    let stderr = slurm(&other, "3");
    assert!(
        stderr.contains("shard 1/3 ran another search space than"),
        "{stderr}"
    );
    // The same space and split: the scripts are written, to go on with the sweep.
    hpsearch()
        .args(["slurm", "--tasks", "3", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
}

#[test]
fn tpe_cannot_be_sharded() {
    let tmp = tempfile::tempdir().unwrap();
    let tpe = RANDOM.replace("strategy = \"random\"", "strategy = \"tpe\"");
    let file = space(tmp.path(), "t.toml", &tpe);
    let out = tmp.path().join("out");
    let refused = run(&out, &file, &["--shard", "0/2"]).code(2);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr);
    assert!(
        stderr.contains("a TPE search cannot be split into shards"),
        "{stderr}"
    );
    hpsearch()
        .args(["slurm", "--tasks", "2"])
        .arg(&file)
        .assert()
        .code(2);
    assert!(!out.exists());
}

#[test]
fn a_shard_that_does_not_exist_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "r.toml", RANDOM);
    let refused = hpsearch()
        .args(["plan", "--shard", "3/3"])
        .arg(&file)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr);
    assert!(stderr.contains("shards are numbered 0 to 2"), "{stderr}");
}

#[test]
fn slurm_writes_one_array_per_rung_then_the_report() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "hb.toml", HYPERBAND);
    let out = tmp.path().join("out");
    let output = hpsearch()
        .args([
            "slurm",
            "--tasks",
            "4",
            "--cpus-per-task",
            "2",
            "--time",
            "1:00:00",
        ])
        .arg("--out")
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&output.get_output().stdout);
    assert!(stdout.contains("submit with: sh "), "{stdout}");
    let shard = read(&out, "slurm/shard.sbatch");
    assert!(shard.contains("#SBATCH --array=0-3\n"), "{shard}");
    assert!(
        shard.contains("#SBATCH --cpus-per-task=2\n#SBATCH --time=1:00:00\n"),
        "{shard}"
    );
    assert!(
        shard.contains(
            r#"--shard "$SLURM_ARRAY_TASK_ID/4" -j "${SLURM_CPUS_PER_TASK:-1}" --resume"#
        ),
        "{shard}"
    );
    let submit = read(&out, "slurm/submit.sh");
    // Brackets of 3 rungs (9 × 1 → 3 × 3 → 1 × 9 epochs) and 2 (5 × 3 → 1 × 9): 5 arrays.
    let arrays = submit.matches("\nsubmit shard.sbatch").count();
    assert_eq!(arrays, 5, "one array per rung:\n{submit}");
    assert!(
        submit.ends_with("submit report.sbatch 'report:'\n"),
        "{submit}"
    );
}
