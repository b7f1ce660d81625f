//! Every space in search-spaces/ is valid: `hpsearch plan` prints its trial count and trials.

use assert_cmd::Command;

#[test]
fn plan_accepts_every_example_and_prints_its_count() {
    let mut seen = 0;
    for entry in std::fs::read_dir("search-spaces").expect("search-spaces/") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        seen += 1;
        let output = Command::cargo_bin("hpsearch")
            .expect("binary")
            .arg("plan")
            .arg(&path)
            .output()
            .expect("run");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}:\n{stderr}",
            path.display()
        );
        let first = stdout.lines().next().unwrap_or_default();
        let (count, strategy) = first
            .split_once(" trial")
            .unwrap_or_else(|| panic!("{}: {first}", path.display()));
        let count: usize = count
            .parse()
            .unwrap_or_else(|_| panic!("{}: {first}", path.display()));
        assert!(
            strategy.ends_with("(grid)") || strategy.ends_with("(random)"),
            "{first}"
        );
        // The header, then one line per trial.
        assert_eq!(stdout.lines().count(), 2 + count, "{}", path.display());
        assert!(
            stdout
                .lines()
                .nth(1)
                .is_some_and(|h| h.starts_with("trial  "))
        );
    }
    assert!(seen >= 4, "expected the four example spaces, found {seen}");
}

#[test]
fn plan_csv_lists_the_same_trials() {
    let output = Command::cargo_bin("hpsearch")
        .expect("binary")
        .args(["plan", "search-spaces/quickstart.toml", "--csv"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0));
    let mut reader = csv::Reader::from_reader(output.stdout.as_slice());
    let headers = reader.headers().expect("header").clone();
    assert_eq!(&headers[0], "trial");
    assert!(headers.iter().any(|h| h == "learning_rate"));
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("rows");
    assert_eq!(rows.len(), 12);
    assert_eq!(&rows[11][0], "11");
}
