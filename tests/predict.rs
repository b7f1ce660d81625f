//! `hpsearch predict` and model.safetensors (issue 11): the winner's saved best-epoch weights
//! reproduce its test score exactly; every bad input exits 1 with a message naming it.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::cli::{hpsearch, run, space};
use predicates::str::contains;

/// Rows of 3 noisy clusters: `a, b, c, d, species` (species: cat, dog, eel).
fn rows(n: usize, salt: u64) -> Vec<[String; 5]> {
    let mut state = 0x2545_f491_4f6c_dd1d ^ salt;
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % 2000) as f64 / 1000.0 - 1.0
    };
    (0..n)
        .map(|i| {
            let k = i % 3;
            let v = |scale: f64, noise: f64| format!("{:.3}", k as f64 * scale + noise);
            [
                v(1.0, noise()),
                v(-0.5, noise()),
                v(2.0, 3.0 * noise()),
                v(0.0, noise()),
                ["cat", "dog", "eel"][k].to_string(),
            ]
        })
        .collect()
}

fn write_csv(path: &Path, header: &[&str], order: &[usize], rows: &[[String; 5]]) {
    let mut text = header.join(",") + "\n";
    for r in rows {
        let fields: Vec<&str> = order.iter().map(|&i| r[i].as_str()).collect();
        text += &(fields.join(",") + "\n");
    }
    fs::write(path, text).unwrap();
}

/// A sweep over train.csv with test.csv as its test split; returns (results dir, test.csv).
fn sweep(dir: &Path) -> (PathBuf, PathBuf) {
    let header = ["a", "b", "c", "d", "species"];
    write_csv(
        &dir.join("train.csv"),
        &header,
        &[0, 1, 2, 3, 4],
        &rows(150, 1),
    );
    write_csv(
        &dir.join("test.csv"),
        &header,
        &[0, 1, 2, 3, 4],
        &rows(60, 2),
    );
    let file = space(
        dir,
        "s.toml",
        r#"
name = "animals"
seed = 2
[data]
path = "train.csv"
label = "species"
test_path = "test.csv"
[search]
strategy = "grid"
[params]
learning_rate = [0.02, 0.3]
neurons = 6
epochs = 12
"#,
    );
    let out = dir.join("out");
    run(&out, &file, &[]).success();
    (out, dir.join("test.csv"))
}

#[test]
fn predict_reproduces_the_winners_test_score_from_the_model_file() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, _) = sweep(tmp.path());
    let test = common::cli::rows(&out, "test.csv").remove(0);
    // The test rows again, columns shuffled, an extra column, the label in the middle.
    let shuffled = tmp.path().join("shuffled.csv");
    let mut extra = rows(60, 2);
    for r in &mut extra {
        r.swap(0, 3);
    }
    write_csv(
        &shuffled,
        &["d", "species", "c", "note", "b", "a"],
        &[0, 4, 2, 4, 1, 3],
        &extra,
    );
    let predictions = tmp.path().join("p.csv");
    let assert = hpsearch()
        .arg("predict")
        .arg(&out)
        .arg(&shuffled)
        .arg("--out")
        .arg(&predictions)
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert_eq!(
        stderr.trim(),
        format!(
            "60 rows: accuracy {}, loss {}",
            test["test_accuracy"], test["test_loss"]
        )
    );
    let text = fs::read_to_string(&predictions).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("row,predicted,p_cat,p_dog,p_eel"));
    assert_eq!(lines.count(), 60);
    // The model file itself, and stdout without --out.
    hpsearch()
        .arg("predict")
        .arg(out.join("model.safetensors"))
        .arg(&shuffled)
        .assert()
        .success()
        .stdout(text);
}

fn predict_fails(model: &Path, data: &Path, message: &str) {
    hpsearch()
        .arg("predict")
        .arg(model)
        .arg(data)
        .assert()
        .code(1)
        .stderr(contains(message));
}

#[test]
fn bad_inputs_exit_1_naming_the_problem() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, test) = sweep(tmp.path());
    let file = |name: &str, text: &str| {
        let path = tmp.path().join(name);
        fs::write(&path, text).unwrap();
        path
    };
    let missing = file("missing.csv", "a,b,d\n1,2,3\n");
    predict_fails(
        &out,
        &missing,
        "missing.csv:1: no column \"c\", which the model takes as input; the columns are \"a\", \"b\", \"d\"",
    );
    let unknown = file("unknown.csv", "a,b,c,d,species\n1,2,3,4,cat\n1,2,3,4,fox\n");
    predict_fails(
        &out,
        &unknown,
        "unknown.csv:3: class \"fox\" is not one of the model's classes \"cat\", \"dog\", \"eel\"",
    );
    let empty = file("empty.csv", "");
    predict_fails(&out, &empty, "empty.csv: the file is empty");
    let header_only = file("header.csv", "a,b,c,d\n");
    predict_fails(
        &out,
        &header_only,
        "header.csv:1: the file has a header line but no data rows",
    );
    let not_a_number = file("nan.csv", "a,b,c,d\n1,x,3,4\n");
    predict_fails(&out, &not_a_number, "nan.csv:2");
    // Not a model: a CSV, a directory without model.safetensors.
    predict_fails(&test, &test, "test.csv: not a safetensors file");
    predict_fails(tmp.path(), &test, "model.safetensors: cannot read it");
}

/// An IDX file of `n` images of `rows × cols` pixels, or their labels (`rows == 0`).
fn idx(path: &Path, n: usize, rows: usize, cols: usize) {
    let mut bytes = Vec::new();
    if rows == 0 {
        bytes.extend(0x0801u32.to_be_bytes());
        bytes.extend((n as u32).to_be_bytes());
        bytes.extend((0..n).map(|i| (i % 2) as u8));
    } else {
        bytes.extend(0x0803u32.to_be_bytes());
        bytes.extend(
            [n as u32, rows as u32, cols as u32]
                .iter()
                .flat_map(|v| v.to_be_bytes()),
        );
        for i in 0..n {
            bytes.extend((0..rows * cols).map(|p| ((i % 2) * 200 + p * 7 + i % 5) as u8));
        }
    }
    fs::write(path, bytes).unwrap();
}

#[test]
fn an_image_model_predicts_idx_images_of_its_size_only() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    idx(&dir.join("images.idx"), 40, 2, 3);
    idx(&dir.join("labels.idx"), 40, 0, 0);
    idx(&dir.join("new.idx"), 5, 2, 3);
    idx(&dir.join("wide.idx"), 5, 3, 3);
    let file = space(
        dir,
        "s.toml",
        "name = \"img\"\n[data]\nimages = \"images.idx\"\nlabels = \"labels.idx\"\n[params]\nepochs = 3\nneurons = 4\n",
    );
    let out = dir.join("out");
    run(&out, &file, &[]).success();
    hpsearch()
        .arg("predict")
        .arg(&out)
        .arg(dir.join("new.idx"))
        .assert()
        .success()
        .stdout(contains("row,predicted,p_0,p_1\n0,"));
    predict_fails(
        &out,
        &dir.join("wide.idx"),
        "wide.idx: images of 3×3 = 9 pixels; the model takes 6 inputs",
    );
}
