//! The README's five lines of Python load model.safetensors with the `safetensors` package and
//! numpy and reproduce `hpsearch predict`. Skipped, with the reason printed, when Python lacks
//! the packages, unless HPSEARCH_PYTHON names the interpreter to use (`.ci/run` sets it after
//! installing them): then a missing package fails the test.

mod common;

use std::fs;
use std::process::Command;

use common::cli::{hpsearch, run, space};

/// The ```python block of README.md's model section.
fn readme_snippet() -> String {
    let readme = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find("```python\n")
        .expect("README has a python block")
        + 10;
    let end = start + readme[start..].find("```").unwrap();
    readme[start..end].to_string()
}

#[test]
fn the_readme_python_reproduces_predict() {
    let (python, required) = match std::env::var("HPSEARCH_PYTHON") {
        Ok(p) => (p, true),
        Err(_) => ("python3".to_string(), false),
    };
    let ready = Command::new(&python)
        .args(["-c", "import numpy, safetensors"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ready {
        assert!(!required, "{python} cannot import numpy and safetensors");
        eprintln!("skipped: python3 lacks numpy or safetensors (pip install safetensors numpy)");
        return;
    }
    let snippet = readme_snippet();
    assert_eq!(snippet.lines().count(), 5, "five lines:\n{snippet}");
    let tmp = tempfile::tempdir().unwrap();
    let file = space(
        tmp.path(),
        "s.toml",
        "name = \"iris\"\nseed = 4\n[data]\nbuiltin = \"iris\"\n[params]\nepochs = 10\nhidden = [8, 5]\nlearning_rate = 0.1\n",
    );
    let out = tmp.path().join("results").join("iris");
    run(&out, &file, &[]).success();
    // New rows: iris-like measurements, columns in another order than training.
    let mut csv =
        String::from("petal width (cm),sepal length (cm),petal length (cm),sepal width (cm)\n");
    for i in 0..30 {
        let t = f64::from(i) / 29.0;
        csv += &format!(
            "{:.2},{:.2},{:.2},{:.2}\n",
            0.1 + 2.4 * t,
            4.5 + 3.0 * t,
            1.0 + 5.5 * t,
            3.6 - 1.2 * t
        );
    }
    fs::write(tmp.path().join("new.csv"), &csv).unwrap();
    let predicted = hpsearch()
        .current_dir(tmp.path())
        .args(["predict", "results/iris", "new.csv"])
        .assert()
        .success();
    let text = String::from_utf8(predicted.get_output().stdout.clone()).unwrap();
    let script = format!("{snippet}\nprint(json.dumps(p.tolist()))\n");
    let output = Command::new(&python)
        .current_dir(tmp.path())
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let python_p: Vec<Vec<f64>> = serde_json::from_slice(&output.stdout).unwrap();
    let rows: Vec<Vec<f64>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').skip(2).map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 30);
    assert_eq!(python_p.len(), 30);
    let mut classes = [0; 3];
    for (ours, theirs) in rows.iter().zip(&python_p) {
        for (a, b) in ours.iter().zip(theirs) {
            assert!((a - b).abs() < 1e-5, "{ours:?} vs {theirs:?}");
        }
        let argmax = |p: &[f64]| (0..3).max_by(|&i, &j| p[i].total_cmp(&p[j])).unwrap();
        classes[argmax(ours)] += 1;
    }
    assert!(
        classes.iter().filter(|&&c| c > 0).count() > 1,
        "the rows must not all get one class: {classes:?}"
    );
}
