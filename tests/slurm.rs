//! On a real Slurm cluster (`.ci/run` brings one up with `.ci/slurm-ci.sh`): `hpsearch slurm
//! --tasks 4 --submit` runs a random and a Hyperband sweep as job arrays whose merged reports
//! equal one machine's; an array task cancelled mid-run (scancel) and resubmitted loses and
//! duplicates nothing. Skipped, with the reason printed, when no cluster is reachable
//! (`sbatch` missing or `SLURM_CONF` unset).

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::cli::{hpsearch, ranked_without_timing, rows, run, space};

/// A random search whose trials take about a second each in a debug build, so that a task can
/// be cancelled while it runs.
const RANDOM: &str = r#"
name = "slurm-random"
seed = 9
[data]
builtin = "digits"
test = 0.2
[search]
strategy = "random"
trials = 16
[params]
learning_rate = { log_uniform = [0.01, 0.3] }
neurons = [48, 64]
batch_size = 16
epochs = 8
"#;

/// Hyperband on digits: two brackets (3 and 2 rungs), five chained arrays.
const HYPERBAND: &str = r#"
name = "slurm-hyperband"
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

/// Why the cluster cannot be used, if it cannot.
fn no_cluster() -> Option<String> {
    if std::env::var_os("SLURM_CONF").is_none() {
        return Some("SLURM_CONF is not set (`.ci/slurm-ci.sh up` sets up a cluster)".into());
    }
    match Command::new("sbatch").arg("--version").output() {
        Ok(out) if out.status.success() => None,
        Ok(out) => Some(format!("sbatch --version failed: {}", out.status)),
        Err(e) => Some(format!("sbatch is not available: {e}")),
    }
}

macro_rules! require_cluster {
    () => {
        if let Some(reason) = no_cluster() {
            eprintln!("skipped: {reason}");
            return;
        }
    };
}

/// Runs a Slurm client command and returns its stdout.
fn slurm(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The states of every record of job `id` (one per array task or pending task range).
fn states(id: &str) -> Vec<String> {
    slurm("scontrol", &["-o", "show", "job", id])
        .lines()
        .filter_map(|l| {
            l.split_whitespace()
                .find_map(|w| w.strip_prefix("JobState="))
        })
        .map(String::from)
        .collect()
}

const ACTIVE: [&str; 7] = [
    "PENDING",
    "CONFIGURING",
    "RUNNING",
    "COMPLETING",
    "SUSPENDED",
    "REQUEUED",
    "RESIZING",
];

/// Waits until every record of each job is in a final state; returns the states by job.
fn wait(ids: &[String]) -> Vec<Vec<String>> {
    let start = Instant::now();
    loop {
        let all: Vec<Vec<String>> = ids.iter().map(|id| states(id)).collect();
        if all.iter().flatten().all(|s| !ACTIVE.contains(&s.as_str())) {
            return all;
        }
        assert!(
            start.elapsed() < Duration::from_secs(600),
            "jobs {ids:?} still running: {all:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `hpsearch slurm --tasks 4 --submit` into `out`: the arrays' job ids, then the report's.
fn submit(file: &Path, out: &Path) -> (Vec<String>, String) {
    let output = hpsearch()
        .args(["slurm", "--tasks", "4", "--submit", "--out"])
        .arg(out)
        .arg(file)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&output.get_output().stdout).into_owned();
    let id = |line: &str, kind: &str| {
        line.strip_prefix(kind)
            .map(|rest| rest.split_whitespace().next().unwrap().to_string())
    };
    let arrays: Vec<String> = stdout.lines().filter_map(|l| id(l, "array ")).collect();
    let report = stdout.lines().find_map(|l| id(l, "report ")).unwrap();
    assert!(
        stdout.contains(&format!("squeue -j {},{report}", arrays.join(","))),
        "{stdout}"
    );
    (arrays, report)
}

/// ranked.csv (timing aside), curves.csv, best.toml and test.csv of `a` and `b` are equal.
fn assert_same_reports(a: &Path, b: &Path) {
    assert_eq!(ranked_without_timing(a), ranked_without_timing(b));
    for file in ["curves.csv", "best.toml", "test.csv"] {
        let read = |d: &Path| fs::read_to_string(d.join(file)).unwrap();
        assert_eq!(read(a), read(b), "{file}");
    }
}

/// The trial ids of a journal's rows, in file order (duplicates kept).
fn journal_trials(dir: &Path) -> Vec<String> {
    rows(dir, "trials.csv")
        .into_iter()
        .map(|r| format!("{}:{}", r["trial"], r["rung"]))
        .collect()
}

#[test]
fn hyperband_job_arrays_merge_into_the_single_machine_reports() {
    require_cluster!();
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "hb.toml", HYPERBAND);
    let single = tmp.path().join("single");
    run(&single, &file, &[]).success();
    let out = tmp.path().join("cluster");
    let (arrays, report) = submit(&file, &out);
    assert_eq!(arrays.len(), 5, "one array per rung");
    let ids: Vec<String> = arrays.iter().chain([&report]).cloned().collect();
    for (id, states) in ids.iter().zip(wait(&ids)) {
        assert!(
            states.iter().all(|s| s == "COMPLETED"),
            "job {id}: {states:?}"
        );
    }
    assert_same_reports(&single, &out);
    let logs = fs::read_dir(out.join("slurm/logs")).unwrap().count();
    assert_eq!(logs, 5 * 4 + 1, "a log per task and one for the report");
}

#[test]
fn a_cancelled_task_resubmitted_loses_and_duplicates_nothing() {
    require_cluster!();
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "r.toml", RANDOM);
    let single = tmp.path().join("single");
    run(&single, &file, &[]).success();
    let out = tmp.path().join("cluster");
    let (arrays, report) = submit(&file, &out);
    assert_eq!(arrays.len(), 1, "one batch: one array");
    let array = &arrays[0];

    // Cancel task 2 once it has recorded a trial, before it has recorded its four.
    let shard = out.join("shards/2-of-4");
    let start = Instant::now();
    let recorded = loop {
        let n = if shard.join("trials.csv").is_file() {
            journal_trials(&shard).len()
        } else {
            0
        };
        if n >= 1 {
            break n;
        }
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "task 2 never recorded a trial"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(recorded < 4, "task 2 ended before it could be cancelled");
    slurm("scancel", &[&format!("{array}_2")]);
    let ended = wait(&[array.clone(), report.clone()]);
    assert!(ended[0].contains(&"CANCELLED".to_string()), "{ended:?}");
    assert_eq!(
        ended[1],
        ["CANCELLED"],
        "the report waits for every task (afterok)"
    );
    let kept = journal_trials(&shard).len();
    assert!(kept < 4, "the cancelled task stopped partway ({kept} of 4)");

    // Resubmit task 2 alone, then the report after it.
    let script = out.join("slurm/shard.sbatch");
    let task = slurm(
        "sbatch",
        &["--parsable", "--array=2", script.to_str().unwrap()],
    );
    let task = task.trim().split(';').next().unwrap().to_string();
    let report_script = out.join("slurm/report.sbatch");
    let report = slurm(
        "sbatch",
        &[
            "--parsable",
            &format!("--dependency=afterok:{task}"),
            report_script.to_str().unwrap(),
        ],
    );
    let report = report.trim().split(';').next().unwrap().to_string();
    for states in wait(&[task, report]) {
        assert!(states.iter().all(|s| s == "COMPLETED"), "{states:?}");
    }

    // Nothing lost, nothing run twice: each shard's journal holds each of its trials once,
    // and the merge equals one machine's sweep.
    let mut all = Vec::new();
    for i in 0..4 {
        let trials = journal_trials(&out.join(format!("shards/{i}-of-4")));
        assert_eq!(trials.len(), 4, "shard {i}: {trials:?}");
        all.extend(trials);
    }
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 16);
    assert_same_reports(&single, &out);
}
