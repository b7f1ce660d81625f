//! report.html and `hpsearch report --json`: the page is well-formed, self-contained, has its
//! sections, thins large sweeps, and is rebuilt byte for byte from the results directory.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin;
use hpsearch::objective::params::MLP_PARAMS;
use hpsearch::report::html;

fn hpsearch() -> assert_cmd::Command {
    assert_cmd::Command::new(cargo_bin("hpsearch"))
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/report")
        .join(name)
}

/// A copy of fixture `name` in a fresh temporary directory.
fn copy(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(name);
    fs::create_dir(&dir).unwrap();
    for entry in fs::read_dir(fixture(name)).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    (tmp, dir)
}

/// The page for results directory `dir`, built by the library.
fn page(dir: &Path) -> String {
    let input = html::read(dir, MLP_PARAMS).unwrap();
    let mut out = Vec::new();
    html::write(&input, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Parses `html` as XML and each `<svg>` in it on its own; returns the number of SVGs.
fn assert_well_formed(html: &str) -> usize {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(html, options)
        .unwrap_or_else(|e| panic!("report.html is not well-formed: {e}"));
    let svgs: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("svg"))
        .collect();
    for svg in &svgs {
        let text = &html[svg.range()];
        roxmltree::Document::parse(text)
            .unwrap_or_else(|e| panic!("an SVG is not well-formed XML: {e}\n{text:.300}"));
    }
    svgs.len()
}

fn assert_self_contained(html: &str) {
    for bad in ["http:", "https:", "//", "src=", "@import", "url("] {
        assert!(
            !html.contains(bad),
            "report.html refers outside itself ({bad:?} at byte {})",
            html.find(bad).unwrap()
        );
    }
}

fn section_ids(html: &str) -> Vec<&str> {
    html.match_indices("<section id=\"")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

#[test]
fn quickstart_report_is_well_formed_self_contained_and_complete() {
    let html = page(&fixture("quickstart"));
    // History, curves, 3 slices (learning_rate, neurons, activation), parallel, importance.
    assert_eq!(assert_well_formed(&html), 7);
    assert_self_contained(&html);
    assert_eq!(
        section_ids(&html),
        [
            "summary",
            "history",
            "curves",
            "slices",
            "parallel",
            "importance",
            "heldout",
            "ranking"
        ]
    );
    assert!(html.contains("grid search, 12 trials in the space"));
    assert!(html.contains("12 finished: 12 completed"));
    assert!(html.contains("summed over trials"));
    assert!(html.contains("trial 8: validation loss 0.08658"));
    assert!(html.contains("learning_rate (log scale)"), "log axis named");
    assert!(html.contains("neurons (choice)"));
    assert!(html.contains("The confusion matrix is not available"));
    assert!(!html.contains("Thinned"), "12 trials are all drawn");
    // No data.toml: no data line.
    assert!(!html.contains("<dt>data</dt>"));
    // The top 10 learning curves, each a validation, training and learning-rate line.
    let curves = &html[html.find("id=\"curves\"").unwrap()..html.find("id=\"slices\"").unwrap()];
    assert_eq!(curves.matches("<polyline").count(), 30);
}

#[test]
fn halving_report_has_rungs_and_marks_pruned_trials() {
    let html = page(&fixture("halving"));
    assert_well_formed(&html);
    assert_self_contained(&html);
    assert_eq!(
        section_ids(&html),
        [
            "summary",
            "history",
            "curves",
            "slices",
            "parallel",
            "importance",
            "rungs",
            "heldout",
            "ranking"
        ]
    );
    assert!(html.contains("<h2>7. Rungs</h2>"));
    assert!(html.contains("<h2>9. Ranking</h2>"));
    // Bracket 0: 16 trials at rung 0, 8 promoted; bracket 1: 8 at rung 0, 4 promoted.
    assert!(
        html.contains("<tr><td>0</td><td>0</td><td>16</td>"),
        "{html}"
    );
    assert!(html.contains("<td>8</td><td class=\"t\">0, 1, 8, 9, 11, 13, 14, 15</td>"));
    assert!(html.contains("<tr><td>1</td><td>0</td><td>8</td>"));
    assert!(html.contains("pruned (score at its last rung)"));
    assert!(html.contains("(pruned): validation loss"));
    assert!(html.contains("7 completed, 1 stopped_early, 14 pruned, 1 diverged, 1 failed"));
    assert!(html.contains("<th>bracket</th><th>rung</th>"));
    // Cross-validated scores show their spread.
    assert!(html.contains("<th>val_loss</th><th>val_loss_std</th>"));
    assert!(html.contains("<td data-v=\"0.0157\">0.0157</td>"));
}

#[test]
fn curves_are_averaged_over_folds() {
    let input = html::read(&fixture("halving"), MLP_PARAMS).unwrap();
    // Fold 1 is fold 0 × 1.2 in the fixture, so the mean is 1.1 × fold 0.
    let quick = html::read(&fixture("iris-heldout"), MLP_PARAMS).unwrap();
    let (id, points) = &input.curves[0];
    let (qid, qpoints) = &quick.curves[0];
    assert_eq!((id, qid), (&20, &20));
    assert_eq!(points.len(), 39);
    for (a, b) in points.iter().zip(qpoints) {
        assert_eq!(a.epoch, b.epoch);
        let (va, vb) = (a.val_loss.unwrap(), b.val_loss.unwrap());
        assert!(
            (va - 1.1 * vb).abs() < 1e-12,
            "epoch {}: {va} vs {vb}",
            a.epoch
        );
        assert_eq!(a.learning_rate, b.learning_rate);
    }
}

#[test]
fn heldout_report_shows_data_test_scores_and_the_confusion_matrix() {
    let html = page(&fixture("iris-heldout"));
    assert_well_formed(&html);
    assert_self_contained(&html);
    assert!(html.contains(
        "<dt>data</dt><dd>builtin iris; 150 samples × 4 features; 3 classes (setosa, versicolor, virginica); split: train 75 / validation 45 / test 30</dd>"
    ));
    assert!(html.contains("test loss 0.2873, test accuracy 0.9 (30 samples, winner only)"));
    assert!(html.contains("on the test split (30 samples, accuracy 0.9)"));
    assert!(html.contains("actual versicolor, predicted virginica: 1 (10% of the row)"));
    assert!(html.contains("1 diverged, 1 failed"));
    assert!(!html.contains("val_loss_std"));
    // A failure message is escaped, not markup.
    assert!(html.contains("panicked: &lt;injected&gt; failure &amp; &quot;quotes&quot;"));
    // Parameters that apply to some trials only say so in their slice.
    assert!(html.contains("applies to"));
}

#[test]
fn importance_is_not_shown_for_fewer_than_ten_scored_trials() {
    let (_tmp, dir) = copy("quickstart");
    let ranked = fs::read_to_string(dir.join("ranked.csv")).unwrap();
    let nine: Vec<&str> = ranked.lines().take(10).collect();
    fs::write(dir.join("ranked.csv"), nine.join("\n") + "\n").unwrap();
    let html = page(&dir);
    assert!(html.contains("Not shown: it needs at least 10 scored trials, and this sweep has 9."));
    let full = page(&fixture("quickstart"));
    assert!(full.contains("parameter importance\""));
}

/// A ranked.csv of `n` trials whose score is a known function of the learning rate.
fn synthetic(dir: &Path, n: usize) {
    let mut text = String::from(
        "rank,trial,status,val_loss,best_epoch,val_accuracy,train_loss,epochs_run,seconds,learning_rate,activation,message\n",
    );
    let mut rows: Vec<(f64, usize, f64, &str)> = (0..n)
        .map(|i| {
            let lr = 10f64.powf(-3.0 + 3.0 * ((i * 7919) % n) as f64 / n as f64);
            let act = ["relu", "tanh", "sigmoid"][i % 3];
            ((lr.log10() + 1.5).powi(2) + 0.05, i, lr, act)
        })
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    for (rank, (loss, id, lr, act)) in rows.iter().enumerate() {
        writeln!(
            text,
            "{},{id},completed,{loss},9,0.9,{loss},10,0.01,{lr},{act},",
            rank + 1
        )
        .unwrap();
    }
    fs::write(dir.join("ranked.csv"), text).unwrap();
}

#[test]
fn ten_thousand_trials_are_thinned_and_say_so() {
    let tmp = tempfile::tempdir().unwrap();
    synthetic(tmp.path(), 10_000);
    let html = page(tmp.path());
    assert_well_formed(&html);
    assert!(html.len() < 5_000_000, "{} bytes", html.len());
    assert!(html.contains("Thinned for size and speed: 2000 of 10,000 trials are drawn"));
    let history = &html[html.find("id=\"history\"").unwrap()..html.find("id=\"curves\"").unwrap()];
    assert_eq!(
        history.matches("(completed): validation loss").count(),
        2000
    );
    assert_eq!(html.matches("<tr><td data-v=").count(), 50, "top 50 rows");
    // The score depends on the learning rate only.
    let importance = &html[html.find("id=\"importance\"").unwrap()..];
    let lr = importance.find(">learning_rate<").unwrap();
    let act = importance.find(">activation<").unwrap();
    assert!(lr < act, "learning_rate ranks first");
}

#[test]
fn the_page_is_deterministic() {
    let a = page(&fixture("halving"));
    let b = page(&fixture("halving"));
    assert_eq!(a, b);
}

#[test]
fn run_and_report_write_the_same_page() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("q");
    let space = Path::new(env!("CARGO_MANIFEST_DIR")).join("search-spaces/quickstart.toml");
    hpsearch()
        .args(["run", "-q", "-j", "2", "--out"])
        .arg(&out)
        .arg(&space)
        .assert()
        .success();
    let first = fs::read(out.join("report.html")).unwrap();
    assert_self_contained(std::str::from_utf8(&first).unwrap());
    hpsearch().arg("report").arg(&out).assert().success();
    let second = fs::read(out.join("report.html")).unwrap();
    assert!(first == second, "report rebuilt a different page");
}

#[test]
fn report_rebuilds_the_page_of_a_fixture() {
    let (_tmp, dir) = copy("iris-heldout");
    hpsearch()
        .arg("report")
        .arg(&dir)
        .assert()
        .success()
        .stdout(predicates::str::contains("report.html"));
    let written = fs::read_to_string(dir.join("report.html")).unwrap();
    assert_eq!(written, page(&fixture("iris-heldout")));
}

#[test]
fn report_json_prints_typed_rows_in_rank_order() {
    let (_tmp, dir) = copy("iris-heldout");
    let output = hpsearch()
        .args(["report", "--json"])
        .arg(&dir)
        .assert()
        .success()
        .get_output()
        .clone();
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(rows.len(), 24);
    let first = &rows[0];
    assert_eq!(first["rank"], 1);
    assert_eq!(first["trial"], 20);
    assert_eq!(first["status"], "stopped_early");
    assert!(first["val_loss"].as_f64().unwrap() > 0.15);
    assert_eq!(first["epochs"], 40);
    assert!(first["hidden"].is_array(), "{first}");
    let failed = &rows[23];
    assert_eq!(failed["status"], "failed");
    assert!(failed["val_loss"].is_null());
    assert_eq!(
        failed["message"],
        "panicked: <injected> failure & \"quotes\""
    );
    // Keys keep ranked.csv's column order.
    let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
    assert_eq!(keys[..4], ["rank", "trial", "status", "score"]);
    assert!(dir.join("report.html").is_file());
}

#[test]
fn a_malformed_ranking_is_named_with_its_line() {
    let (_tmp, dir) = copy("quickstart");
    let ranked = fs::read_to_string(dir.join("ranked.csv")).unwrap();
    fs::write(
        dir.join("ranked.csv"),
        ranked.replacen(",,,0.08657777800570324", ",,,abc", 1),
    )
    .unwrap();
    let error = html::read(&dir, MLP_PARAMS).unwrap_err().to_string();
    assert!(
        error.contains("ranked.csv:2: column `val_loss`: expected a number, got \"abc\""),
        "{error}"
    );
}

/// Writes the pages docs/screenshots.sh photographs: `cargo test --test report_html --
/// --ignored doc_pages` (into target/doc-pages/).
#[test]
#[ignore = "writes the pages for docs/screenshots.sh"]
fn doc_pages() {
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/doc-pages");
    fs::create_dir_all(&out).unwrap();
    for name in ["iris-heldout", "halving", "quickstart"] {
        fs::write(out.join(format!("{name}.html")), page(&fixture(name))).unwrap();
    }
}

#[test]
fn a_sweep_without_a_score_still_gets_a_page() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("ranked.csv"),
        "rank,trial,status,val_loss,best_epoch,val_accuracy,train_loss,epochs_run,seconds,learning_rate,message\n1,0,diverged,,,,,3,0.1,10,\n2,1,failed,,,,,0,0.0,20,boom\n",
    )
    .unwrap();
    let html = page(tmp.path());
    assert_well_formed(&html);
    assert!(html.contains("none: no trial produced a score"));
    assert!(html.contains("No learning curves"));
    assert!(html.contains("Not shown: it needs at least 10 scored trials, and this sweep has 0."));
    assert!(html.contains("space.toml is missing"));
    let empty = tempfile::tempdir().unwrap();
    fs::write(
        empty.path().join("ranked.csv"),
        "rank,trial,status,val_loss\n",
    )
    .unwrap();
    assert_well_formed(&page(empty.path()));
}

#[test]
fn ctrl_c_still_writes_the_page_of_what_finished() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let tmp = tempfile::tempdir().unwrap();
    let space = tmp.path().join("s.toml");
    fs::write(
        &space,
        "name = \"int\"\n[data]\nbuiltin = \"digits\"\n[search]\nstrategy = \"random\"\ntrials = 40\n[params]\nneurons = 32\nepochs = 10\nlearning_rate = { log_uniform = [0.001, 0.3] }\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let child = Command::new(cargo_bin("hpsearch"))
        .args(["run", "-q", "-j", "1", "--out"])
        .arg(&out)
        .arg(&space)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let rows = || fs::read_to_string(out.join("trials.csv")).map_or(0, |t| t.lines().count());
    let deadline = Instant::now() + Duration::from_secs(120);
    while rows() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130));
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let done = rows() - 1;
    assert!((1..40).contains(&done), "{done} trials");
    assert!(
        html.contains(&format!("<dd>{done} finished: ")),
        "{html:.2000}"
    );
    assert!(html.contains("random search, 40 trials in the space"));
}

#[test]
fn a_space_this_version_cannot_validate_keeps_its_log_axes() {
    let (_tmp, dir) = copy("quickstart");
    let space = fs::read_to_string(dir.join("space.toml")).unwrap();
    // A strategy this version does not know (a results directory from a newer version).
    let newer = space.replace("strategy = \"grid\"", "strategy = \"tpe\"");
    fs::write(dir.join("space.toml"), newer).unwrap();
    let html = page(&dir);
    assert!(
        html.contains("space.toml does not validate here"),
        "{html:.3000}"
    );
    assert!(html.contains("tpe"));
    assert!(html.contains("learning_rate (log scale)"));
}

#[test]
fn the_confusion_matrix_is_of_validation_without_a_test_split_and_capped() {
    let (_tmp, dir) = copy("quickstart");
    let names: Vec<String> = (0..61).map(|i| format!("c{i}")).collect();
    let mut text = format!("actual,{}\n", names.join(","));
    for name in &names {
        writeln!(text, "{name},{}", vec!["1"; 61].join(",")).unwrap();
    }
    fs::write(dir.join("confusion.csv"), text).unwrap();
    let html = page(&dir);
    assert!(html.contains("61 classes are too many to draw as a matrix here (at most 60)"));
    assert!(
        html.contains("validation"),
        "no test.csv: the validation split"
    );
}
