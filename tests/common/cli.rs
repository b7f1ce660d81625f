//! Helpers shared by the command-line tests: run the binary, write a space file, read the
//! journals and reports back.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::cargo_bin;

/// The `hpsearch` binary as an assert_cmd command.
pub fn hpsearch() -> assert_cmd::Command {
    assert_cmd::Command::new(cargo_bin("hpsearch"))
}

/// `hpsearch run -q [extra…] --out OUT SPACE`, asserted by the caller.
pub fn run(out: &Path, space: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    hpsearch()
        .args(["run", "-q"])
        .args(extra)
        .arg("--out")
        .arg(out)
        .arg(space)
        .assert()
}

/// Writes `text` as a space file in `dir` and returns its path.
pub fn space(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

/// ranked.csv without the `seconds` column (the only one that depends on timing).
pub fn ranked_without_timing(dir: &Path) -> String {
    let text = fs::read_to_string(dir.join("ranked.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let seconds = headers.iter().position(|h| h == "seconds").unwrap();
    let mut out = String::new();
    for row in std::iter::once(headers).chain(reader.records().map(Result::unwrap)) {
        let fields: Vec<&str> = row
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != seconds)
            .map(|(_, f)| f)
            .collect();
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

/// The rows of a CSV file in `dir` as header → value maps, in file order.
pub fn rows(dir: &Path, file: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(dir.join(file)).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// The trial ids in trials.csv, sorted (a trial appears once per row).
pub fn journal_ids(dir: &Path) -> Vec<u64> {
    let mut reader = csv::Reader::from_path(dir.join("trials.csv")).unwrap();
    let mut ids: Vec<u64> = reader
        .records()
        .map(|r| r.unwrap()[0].parse().unwrap())
        .collect();
    ids.sort();
    ids
}

/// Data rows in trials.csv (0 when absent).
pub fn journal_len(dir: &Path) -> usize {
    fs::read_to_string(dir.join("trials.csv")).map_or(0, |t| t.lines().count().saturating_sub(1))
}

/// Starts `hpsearch run -q -j 1` in the background and returns once trials.csv has `rows` rows
/// (or two minutes passed); stderr is captured (read it with `wait_with_output`), stdout
/// discarded.
pub fn run_until_rows(out: &Path, space: &Path, rows: usize) -> Child {
    let child = Command::new(cargo_bin("hpsearch"))
        .args(["run", "-q", "-j", "1", "--out"])
        .arg(out)
        .arg(space)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while journal_len(out) < rows && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    child
}
