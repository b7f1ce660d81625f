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
        let known = ["(grid)", "(random)", "(tpe", "(halving)", "(hyperband)"];
        assert!(known.iter().any(|k| strategy.contains(k)), "{first}");
        // TPE lists only its random start: "…; the first N are random draws, …".
        let listed = first
            .split_once("the first ")
            .and_then(|(_, rest)| rest.split(' ').next()?.parse().ok())
            .unwrap_or(count);
        // The summary (and halving's or Hyperband's rung lines), the header, a line per trial.
        let header = stdout
            .lines()
            .position(|h| h.starts_with("trial  "))
            .unwrap_or_else(|| panic!("{}: no header", path.display()));
        assert_eq!(
            stdout.lines().count(),
            header + 1 + listed,
            "{}",
            path.display()
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
