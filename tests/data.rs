//! Behaviour of `hpsearch::data`: built-in, CSV and IDX loading, splits, standardization, and
//! one test per error, each checking that the message names the place and the value.

use std::io::Write;
use std::path::{Path, PathBuf};

use hpsearch::data::{self, DataError, DataSpec, Dataset, Split};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/data")
}

fn spec(toml: &str) -> DataSpec {
    match toml::from_str(toml) {
        Ok(spec) => spec,
        Err(e) => panic!("test spec does not parse: {e}\n{toml}"),
    }
}

fn load_in(dir: &Path, toml: &str, seed: u64) -> Result<Dataset, DataError> {
    data::load(&spec(toml), dir, seed)
}

fn load(toml: &str) -> Dataset {
    match load_in(&fixtures(), toml, 7) {
        Ok(d) => d,
        Err(e) => panic!("{toml}\nfailed to load: {e}"),
    }
}

/// The message of the error `load` must give (it must fail).
fn load_error_in(dir: &Path, toml: &str) -> String {
    match load_in(dir, toml, 7) {
        Ok(_) => panic!("{toml}\nloaded, but an error was expected"),
        Err(e) => e.to_string(),
    }
}

fn load_error(toml: &str) -> String {
    load_error_in(&fixtures(), toml)
}

fn check_error(toml: &str) -> String {
    match data::check(&spec(toml), &fixtures()) {
        Ok(()) => panic!("{toml}\npassed the check, but an error was expected"),
        Err(e) => e.to_string(),
    }
}

#[track_caller]
fn assert_mentions(message: &str, parts: &[&str]) {
    for part in parts {
        assert!(message.contains(part), "message lacks {part:?}:\n{message}");
    }
    assert!(
        message.contains("hint: "),
        "message lacks a hint:\n{message}"
    );
}

fn splits(d: &Dataset) -> Vec<&Split> {
    [Some(&d.train), Some(&d.validation), d.test.as_ref()]
        .into_iter()
        .flatten()
        .collect()
}

fn counts(y: &[usize], classes: usize) -> Vec<usize> {
    let mut n = vec![0; classes];
    for &c in y {
        n[c] += 1;
    }
    n
}

fn total_counts(d: &Dataset) -> Vec<usize> {
    let mut n = vec![0; d.classes.len()];
    for s in splits(d) {
        for (total, c) in n.iter_mut().zip(counts(&s.y, d.classes.len())) {
            *total += c;
        }
    }
    n
}

fn rows(d: &Dataset) -> usize {
    splits(d).iter().map(|s| s.x.nrows()).sum()
}

// ---------------------------------------------------------------- built-in data

#[test]
fn iris_is_150_by_4_with_50_per_class() {
    let d = load(r#"builtin = "iris""#);
    assert_eq!(rows(&d), 150);
    assert!(splits(&d).iter().all(|s| s.x.ncols() == 4));
    assert_eq!(d.features.len(), 4);
    assert_eq!(d.features[0], "sepal length (cm)");
    assert_eq!(d.classes, ["setosa", "versicolor", "virginica"]);
    assert_eq!(total_counts(&d), [50, 50, 50]);
    assert_eq!(d.validation.y.len(), 30, "validation = 0.2 by default");
    assert_eq!(counts(&d.validation.y, 3), [10, 10, 10]);
    assert!(d.test.is_none(), "test = 0 by default");
}

#[test]
fn digits_is_1797_by_64_with_the_readme_counts() {
    let d = load(r#"builtin = "digits""#);
    assert_eq!(rows(&d), 1797);
    assert!(splits(&d).iter().all(|s| s.x.ncols() == 64));
    assert_eq!(d.features[0], "pixel_0_0");
    assert_eq!(
        d.classes,
        ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]
    );
    assert_eq!(
        total_counts(&d),
        [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    );
}

#[test]
fn standardize_false_keeps_the_values_as_written() {
    let d = load("builtin = \"iris\"\nstandardize = false");
    let all: Vec<f32> = splits(&d)
        .iter()
        .flat_map(|s| s.x.iter().copied())
        .collect();
    assert!(all.contains(&5.1) && all.contains(&7.9), "raw iris values");
    assert!(all.iter().all(|&v| (0.1..=7.9).contains(&v)));
}

#[test]
fn generators_make_the_requested_shape_from_the_seed() {
    for (name, classes, width) in [
        ("blobs", 4, 5),
        ("moons", 2, 2),
        ("circles", 3, 2),
        ("spirals", 5, 2),
    ] {
        let dims = if name == "blobs" {
            "dimensions = 5\n"
        } else {
            ""
        };
        let classes_key = if name == "moons" {
            String::new()
        } else {
            format!("classes = {classes}\n")
        };
        let toml = format!("builtin = \"{name}\"\nsamples = 203\n{classes_key}{dims}noise = 0.1");
        let a = load(&toml);
        assert_eq!(rows(&a), 203, "{name}");
        assert!(splits(&a).iter().all(|s| s.x.ncols() == width), "{name}");
        assert_eq!(a.classes.len(), classes, "{name}");
        let n = total_counts(&a);
        assert!(
            n.iter().max().unwrap() - n.iter().min().unwrap() <= 1,
            "{name}: {n:?}"
        );
        let b = load_in(&fixtures(), &toml, 7).unwrap();
        assert_eq!(a, b, "{name}: same seed, same data");
        let c = load_in(&fixtures(), &toml, 8).unwrap();
        assert_ne!(a.train.x, c.train.x, "{name}: another seed, other data");
    }
}

#[test]
fn generator_defaults_are_1000_samples_in_2_dimensions() {
    let d = load(r#"builtin = "spirals""#);
    assert_eq!(rows(&d), 1000);
    assert_eq!(d.classes.len(), 3);
    assert_eq!(d.features, ["x0", "x1"]);
    let d = load(r#"builtin = "moons""#);
    assert_eq!(d.classes.len(), 2);
}

#[test]
fn bad_generator_parameters_are_rejected() {
    let msg = check_error("builtin = \"moons\"\nclasses = 3");
    assert_mentions(
        &msg,
        &["data.classes", "moons has exactly 2 classes", "got 3"],
    );
    let msg = check_error("builtin = \"blobs\"\nclasses = 6\nsamples = 11");
    assert_mentions(&msg, &["data.samples", "got 11", "12"]);
    let msg = check_error("builtin = \"blobs\"\nnoise = -0.5");
    assert_mentions(&msg, &["data.noise", "got -0.5"]);
    let msg = check_error("builtin = \"circles\"\ndimensions = 3");
    assert_mentions(&msg, &["data.dimensions", "blobs"]);
    let msg = check_error("builtin = \"blobs\"\nsamples = 10000000\ndimensions = 100");
    assert_mentions(
        &msg,
        &["data.dimensions", "got 100", "samples × dimensions"],
    );
}

// ---------------------------------------------------------------- CSV

#[test]
fn string_labels_in_the_first_column_with_crlf_and_bom_load_with_sorted_classes() {
    // The BOM sits right before the label column's name: it must not hide it.
    let d = load("path = \"animals_crlf_bom.csv\"\nlabel = \"species\"");
    assert_eq!(d.classes, ["cat", "dog", "emu"]);
    assert_eq!(d.features, ["weight", "height"]);
    assert_eq!(rows(&d), 36);
    assert_eq!(total_counts(&d), [12, 12, 12]);
    let raw = load("path = \"animals_crlf_bom.csv\"\nlabel = \"species\"\nstandardize = false");
    for s in splits(&raw) {
        for (row, &class) in s.x.rows().into_iter().zip(&s.y) {
            let expected_weight = [4.0, 20.0, 40.0][class];
            assert!(
                (row[0] - expected_weight).abs() <= 3.0,
                "weight {} for {}",
                row[0],
                raw.classes[class]
            );
        }
    }
}

#[test]
fn integer_labels_sort_numerically() {
    let d = load("path = \"numbered_semicolon.csv\"\ndelimiter = \";\"\nvalidation = 0.3");
    let expected: Vec<String> = (1..=10).map(|c| c.to_string()).collect();
    assert_eq!(d.classes, expected, "9 before 10");
    assert_eq!(d.features, ["id", "a", "b", "const"]);
}

#[test]
fn features_pick_and_order_the_columns() {
    let d = load(
        "path = \"numbered_semicolon.csv\"\ndelimiter = \";\"\nvalidation = 0.34\n\
         features = [\"b\", \"a\"]\nstandardize = false",
    );
    assert_eq!(d.features, ["b", "a"]);
    for s in splits(&d) {
        for (row, &class) in s.x.rows().into_iter().zip(&s.y) {
            let label: f32 = d.classes[class].parse().unwrap();
            assert_eq!(row[0], -label);
            assert_eq!(row[1], label + 0.5);
        }
    }
}

#[test]
fn a_test_file_becomes_the_test_split_matched_by_column_name() {
    let d = load(
        "path = \"animals_crlf_bom.csv\"\nlabel = \"species\"\ntest_path = \"animals_test.csv\"\n\
         standardize = false",
    );
    let test = d.test.expect("a test split from test_path");
    assert_eq!(
        test.y,
        [2, 0, 1],
        "emu, cat, dog in the classes of the training file"
    );
    assert_eq!(
        test.x.row(0).to_vec(),
        [40.0, 170.0],
        "weight, height despite the other column order"
    );
    assert_eq!(
        rows(&load(
            "path = \"animals_crlf_bom.csv\"\nlabel = \"species\""
        )),
        36
    );
}

#[test]
fn a_test_file_with_an_unknown_class_names_its_line() {
    let msg = load_error(
        "path = \"animals_crlf_bom.csv\"\nlabel = \"species\"\n\
         test_path = \"animals_test_unknown_class.csv\"",
    );
    assert_mentions(
        &msg,
        &[
            "animals_test_unknown_class.csv:3:",
            "\"cow\"",
            "\"cat\", \"dog\", \"emu\"",
        ],
    );
}

#[test]
fn a_test_fraction_and_a_test_file_together_are_rejected() {
    let msg = check_error(
        "path = \"animals_crlf_bom.csv\"\nlabel = \"species\"\ntest_path = \"animals_test.csv\"\ntest = 0.1",
    );
    assert_mentions(&msg, &["data.test", "data.test_path"]);
}

// ---------------------------------------------------------------- splits and scaling

#[test]
fn validation_keeps_the_class_proportions_within_one_sample() {
    for (toml, seed) in [
        ("builtin = \"digits\"\nvalidation = 0.3\ntest = 0.1", 1),
        ("builtin = \"iris\"\nvalidation = 0.15", 2),
        (
            "builtin = \"blobs\"\nclasses = 7\nsamples = 333\nvalidation = 0.25\ntest = 0.25",
            3,
        ),
        (
            "path = \"animals_crlf_bom.csv\"\nlabel = \"species\"\nvalidation = 0.3",
            4,
        ),
    ] {
        let d = load_in(&fixtures(), toml, seed).unwrap();
        let k = d.classes.len();
        let total = total_counts(&d);
        let n: usize = total.iter().sum();
        let val = counts(&d.validation.y, k);
        let n_val = d.validation.y.len();
        for c in 0..k {
            let ideal = n_val as f64 * total[c] as f64 / n as f64;
            assert!(
                (val[c] as f64 - ideal).abs() <= 1.0,
                "{toml}: class {c}: {} in validation, proportional share {ideal:.2}",
                val[c]
            );
            assert!(
                val[c] >= 1 && counts(&d.train.y, k)[c] >= 1,
                "{toml}: class {c}"
            );
        }
    }
}

#[test]
fn the_split_sizes_follow_the_fractions() {
    let d = load("builtin = \"digits\"\nvalidation = 0.3\ntest = 0.1");
    assert_eq!(d.validation.y.len(), 539, "round(0.3 × 1797)");
    assert_eq!(
        d.test.as_ref().map(|t| t.y.len()),
        Some(180),
        "round(0.1 × 1797)"
    );
    assert_eq!(d.train.y.len(), 1797 - 539 - 180);
}

#[test]
fn same_seed_same_split_other_seed_other_split() {
    let toml = "builtin = \"iris\"\ntest = 0.2";
    let a = load_in(&fixtures(), toml, 11).unwrap();
    let b = load_in(&fixtures(), toml, 11).unwrap();
    let c = load_in(&fixtures(), toml, 12).unwrap();
    assert_eq!(a, b);
    assert_ne!(a.validation.x, c.validation.x);
}

#[test]
fn training_columns_are_z_scored_and_constant_columns_stay_finite() {
    let d = load("path = \"numbered_semicolon.csv\"\ndelimiter = \";\"\nvalidation = 0.34");
    let n = d.train.x.nrows() as f64;
    for (j, col) in d.train.x.columns().into_iter().enumerate() {
        let mean = col.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
        let var = col
            .iter()
            .map(|&v| (f64::from(v) - mean).powi(2))
            .sum::<f64>()
            / n;
        assert!(mean.abs() < 1e-5, "column {j}: mean {mean}");
        if d.features[j] == "const" {
            assert!(col.iter().all(|&v| v == 0.0), "a constant column becomes 0");
        } else {
            assert!((var - 1.0).abs() < 1e-4, "column {j}: variance {var}");
        }
    }
    for s in splits(&d) {
        assert!(s.x.iter().all(|v| v.is_finite()));
    }
}

// ---------------------------------------------------------------- the spec

#[test]
fn check_does_not_read_the_data() {
    let spec = spec(r#"path = "garbage.csv""#);
    assert!(data::check(&spec, &fixtures()).is_ok());
    assert!(data::load(&spec, &fixtures(), 1).is_err());
}

#[test]
fn a_misspelled_data_key_is_rejected() {
    let err = toml::from_str::<DataSpec>("builtin = \"iris\"\nvalidaton = 0.2").unwrap_err();
    assert!(err.to_string().contains("validaton"), "{err}");
}

#[test]
fn rebased_makes_relative_paths_absolute() {
    let s = spec("path = \"a.csv\"\ntest_path = \"/abs/b.csv\"\nvalidation = 0.3");
    let r = data::rebased(&s, Path::new("spaces/x"));
    let path = r.path.clone().unwrap();
    assert!(
        path.is_absolute() && path.ends_with("spaces/x/a.csv"),
        "{path:?}"
    );
    assert_eq!(r.test_path.as_deref(), Some(Path::new("/abs/b.csv")));
    assert_eq!(r.validation, Some(0.3));
    let b = spec(r#"builtin = "iris""#);
    assert_eq!(data::rebased(&b, Path::new("/x")), b);
}

#[test]
fn defaults_are_validation_0_2_test_0_standardize_true() {
    let s = spec(r#"builtin = "iris""#);
    assert_eq!(s.validation_fraction(), 0.2);
    assert_eq!(s.test_fraction(), 0.0);
    assert!(s.standardizes());
}

// ---------------------------------------------------------------- errors: the spec

#[test]
fn no_source_is_an_error() {
    assert_mentions(
        &check_error("validation = 0.2"),
        &["no data source", "builtin", "path", "images"],
    );
}

#[test]
fn two_sources_are_an_error() {
    let msg = check_error("builtin = \"iris\"\npath = \"x.csv\"");
    assert_mentions(&msg, &["data.builtin", "data.path", "exactly one source"]);
    let msg = check_error("path = \"x.csv\"\nlabels = \"l.idx\"");
    assert_mentions(&msg, &["data.path", "data.labels"]);
}

#[test]
fn images_without_labels_is_an_error() {
    let msg = check_error("images = \"i.idx\"");
    assert_mentions(&msg, &["data.images", "without data.labels"]);
}

#[test]
fn an_unknown_builtin_is_an_error_with_a_suggestion() {
    let msg = check_error(r#"builtin = "irsi""#);
    assert_mentions(
        &msg,
        &[
            "\"irsi\"",
            "did you mean \"iris\"?",
            "\"digits\"",
            "\"spirals\"",
        ],
    );
}

#[test]
fn a_key_of_another_source_is_an_error() {
    let msg = check_error("builtin = \"iris\"\nlabel = \"species\"");
    assert_mentions(&msg, &["data.label", "CSV", "builtin \"iris\""]);
    let msg = check_error("builtin = \"iris\"\nsamples = 100");
    assert_mentions(&msg, &["data.samples", "generators"]);
}

#[test]
fn fractions_out_of_range_are_errors() {
    let msg = check_error("builtin = \"iris\"\nvalidation = 0.0");
    assert_mentions(&msg, &["data.validation", "(0, 1)", "got 0"]);
    let msg = check_error("builtin = \"iris\"\nvalidation = 1.0");
    assert_mentions(&msg, &["data.validation", "got 1"]);
    let msg = check_error("builtin = \"iris\"\ntest = -0.1");
    assert_mentions(&msg, &["data.test", "[0, 1)", "got -0.1"]);
}

#[test]
fn fractions_summing_to_one_are_an_error() {
    let msg = check_error("builtin = \"iris\"\nvalidation = 0.5\ntest = 0.5");
    assert_mentions(
        &msg,
        &["validation + test = 0.5 + 0.5 = 1", "no data for training"],
    );
}

#[test]
fn fractions_leaving_a_class_out_of_a_split_are_an_error() {
    let msg = load_error("path = \"tiny_class.csv\"\ntest = 0.5");
    assert_mentions(
        &msg,
        &[
            "tiny_class.csv",
            "class \"rare\" has 1 sample(s)",
            "data.validation",
        ],
    );
    // A large fraction still leaves every class one training sample.
    let d = load("builtin = \"iris\"\nvalidation = 0.99");
    assert_eq!(counts(&d.train.y, 3), [1, 1, 1]);
}

#[test]
fn a_bad_delimiter_is_an_error() {
    let msg = check_error("path = \"ragged.csv\"\ndelimiter = \";;\"");
    assert_mentions(&msg, &["data.delimiter", "\";;\"", "one ASCII character"]);
}

#[test]
fn repeated_or_label_features_are_errors() {
    let msg = check_error("path = \"ragged.csv\"\nfeatures = [\"a\", \"a\"]");
    assert_mentions(&msg, &["data.features", "\"a\" twice"]);
}

// ---------------------------------------------------------------- errors: CSV files

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let msg = check_error(r#"path = "nowhere.csv""#);
    assert_mentions(&msg, &["nowhere.csv", "file not found", "data.path"]);
    let msg = load_error(r#"path = "nowhere.csv""#);
    assert_mentions(&msg, &["nowhere.csv", "file not found"]);
}

#[test]
fn a_folder_is_not_a_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("data.csv")).unwrap();
    let msg = load_error_in(dir.path(), r#"path = "data.csv""#);
    assert_mentions(&msg, &["data.csv", "names a folder, not a regular file"]);
}

#[test]
fn an_empty_file_is_an_error() {
    assert_mentions(
        &load_error(r#"path = "empty.csv""#),
        &["empty.csv", "the file is empty", "header"],
    );
}

#[test]
fn a_header_without_rows_is_an_error() {
    assert_mentions(
        &load_error(r#"path = "header_only.csv""#),
        &["header_only.csv:1:", "no data rows"],
    );
}

#[test]
fn a_ragged_row_names_its_line() {
    let msg = load_error(r#"path = "ragged.csv""#);
    assert_mentions(
        &msg,
        &["ragged.csv:4:", "2 fields", "header (line 1) has 3"],
    );
}

#[test]
fn a_non_numeric_feature_names_line_column_and_value() {
    let msg = load_error(r#"path = "non_numeric.csv""#);
    assert_mentions(
        &msg,
        &[
            "non_numeric.csv:3:",
            "column \"petal\"",
            "\"abc\" is not a number",
        ],
    );
}

#[test]
fn a_non_finite_feature_names_line_column_and_value() {
    let msg = load_error(r#"path = "non_finite.csv""#);
    assert_mentions(
        &msg,
        &[
            "non_finite.csv:3:",
            "column \"sepal\"",
            "\"NaN\" is not a finite number",
        ],
    );
}

#[test]
fn a_missing_label_column_lists_the_columns() {
    let msg = load_error("path = \"no_label.csv\"\nlabel = \"class\"");
    assert_mentions(
        &msg,
        &[
            "no_label.csv:1:",
            "no label column \"class\"",
            "\"a\", \"b\", \"kind\"",
            "data.label",
        ],
    );
}

#[test]
fn an_unknown_feature_column_lists_the_columns() {
    let msg = load_error("path = \"no_label.csv\"\nfeatures = [\"a\", \"c\"]");
    assert_mentions(
        &msg,
        &[
            "no_label.csv:1:",
            "\"c\"",
            "not in the header",
            "\"a\", \"b\", \"kind\"",
        ],
    );
}

#[test]
fn a_single_class_is_an_error() {
    let msg = load_error(r#"path = "single_class.csv""#);
    assert_mentions(
        &msg,
        &["single_class.csv", "class \"x\"", "at least two classes"],
    );
}

// ---------------------------------------------------------------- IDX

fn idx_images(n: u32, rows: u32, cols: u32, pixels: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for v in [0x803, n, rows, cols] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    out.extend_from_slice(pixels);
    out
}

fn idx_labels(labels: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for v in [0x801, labels.len() as u32] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    out.extend_from_slice(labels);
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// 12 images of 2×3 pixels, pixel value = 10 · image + position; labels 0, 1, 2 repeating.
fn small_idx() -> (Vec<u8>, Vec<u8>) {
    let pixels: Vec<u8> = (0..12u8)
        .flat_map(|i| (0..6u8).map(move |p| 10 * i + p))
        .collect();
    let labels: Vec<u8> = (0..12u8).map(|i| i % 3).collect();
    (idx_images(12, 2, 3, &pixels), idx_labels(&labels))
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

#[test]
fn idx_gzip_is_detected_by_content_not_name_and_pixels_are_scaled() {
    let dir = tempfile::tempdir().unwrap();
    let (images, labels) = small_idx();
    // Gzipped data without .gz, raw data with .gz: the magic bytes decide.
    write(dir.path(), "images.idx3-ubyte", &gzip(&images));
    write(dir.path(), "labels.gz", &labels);
    let d = load_in(
        dir.path(),
        "images = \"images.idx3-ubyte\"\nlabels = \"labels.gz\"\nvalidation = 0.25\nstandardize = false",
        3,
    )
    .unwrap();
    assert_eq!(rows(&d), 12);
    assert_eq!(d.classes, ["0", "1", "2"]);
    assert_eq!(
        d.features,
        [
            "pixel_0_0",
            "pixel_0_1",
            "pixel_0_2",
            "pixel_1_0",
            "pixel_1_1",
            "pixel_1_2"
        ]
    );
    for s in splits(&d) {
        for (row, &class) in s.x.rows().into_iter().zip(&s.y) {
            let image = (row[0] * 255.0).round() as usize / 10;
            assert_eq!(image % 3, class, "labels stay with their images");
            let expected: Vec<f32> = (0..6).map(|p| (10 * image + p) as f32 / 255.0).collect();
            assert_eq!(row.to_vec(), expected);
        }
    }
}

#[test]
fn idx_test_pair_becomes_the_test_split() {
    let dir = tempfile::tempdir().unwrap();
    let (images, labels) = small_idx();
    write(dir.path(), "i", &images);
    write(dir.path(), "l", &labels);
    write(dir.path(), "ti", &idx_images(2, 2, 3, &[255; 12]));
    write(dir.path(), "tl", &idx_labels(&[2, 0]));
    let toml = "images = \"i\"\nlabels = \"l\"\ntest_images = \"ti\"\ntest_labels = \"tl\"\nvalidation = 0.25\nstandardize = false";
    let d = load_in(dir.path(), toml, 3).unwrap();
    let test = d.test.expect("test pair");
    assert_eq!(test.y, [2, 0]);
    assert!(test.x.iter().all(|&v| v == 1.0));

    write(dir.path(), "ti", &idx_images(2, 3, 2, &[255; 12]));
    let msg = load_error_in(dir.path(), toml);
    assert_mentions(
        &msg,
        &["ti: images of 3×2 pixels", "training images are 2×3"],
    );
    write(dir.path(), "ti", &idx_images(1, 2, 3, &[255; 6]));
    write(dir.path(), "tl", &idx_labels(&[7]));
    let msg = load_error_in(dir.path(), toml);
    assert_mentions(&msg, &["tl: label #1", "class \"7\""]);
}

#[test]
fn idx_wrong_magic_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (images, labels) = small_idx();
    write(dir.path(), "i", &images);
    write(dir.path(), "l", &labels);
    let msg = load_error_in(dir.path(), "images = \"l\"\nlabels = \"i\"");
    assert_mentions(
        &msg,
        &["magic number 0x00000801, expected 0x00000803", "swap"],
    );
    write(dir.path(), "x", b"PK\x03\x04 this is a zip file....");
    let msg = load_error_in(dir.path(), "images = \"x\"\nlabels = \"l\"");
    assert_mentions(&msg, &["x: not an IDX image file", "0x504b0304"]);
}

#[test]
fn idx_size_mismatch_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (images, labels) = small_idx();
    write(dir.path(), "l", &labels);
    write(dir.path(), "raw", &images[..images.len() - 5]);
    let msg = load_error_in(dir.path(), "images = \"raw\"\nlabels = \"l\"");
    assert_mentions(
        &msg,
        &[
            "raw: the IDX header promises 12 item(s) of 6 byte(s) (72 bytes",
            "holds 67",
        ],
    );
    write(dir.path(), "gz", &gzip(&images[..images.len() - 5]));
    let msg = load_error_in(dir.path(), "images = \"gz\"\nlabels = \"l\"");
    assert_mentions(
        &msg,
        &["gz: the IDX header promises", "ends after 67 bytes"],
    );
    let mut longer = images.clone();
    longer.push(0);
    write(dir.path(), "gz", &gzip(&longer));
    let msg = load_error_in(dir.path(), "images = \"gz\"\nlabels = \"l\"");
    assert_mentions(&msg, &["gz: the IDX header promises", "more bytes follow"]);
    write(dir.path(), "short", &[0, 0, 8]);
    let msg = load_error_in(dir.path(), "images = \"short\"\nlabels = \"l\"");
    assert_mentions(&msg, &["short: ", "shorter than an IDX header"]);
}

#[test]
fn idx_images_and_labels_of_different_lengths_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (images, _) = small_idx();
    write(dir.path(), "i", &images);
    write(
        dir.path(),
        "l",
        &idx_labels(&[0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1]),
    );
    let msg = load_error_in(dir.path(), "images = \"i\"\nlabels = \"l\"");
    assert_mentions(&msg, &["i: 12 images, but", "l has 11 labels"]);
}

// ---------------------------------------------------------------- MNIST (shared folder)

/// The MNIST files: `HPSEARCH_MNIST_DIR`, else the shared folder beside the checkout. The tests
/// that need them are `#[ignore]`d with that reason (so a run without them says "ignored"
/// instead of passing silently); run them with `--ignored` — `.ci/run` does when the folder is
/// there — and a missing folder then fails them.
fn mnist_dir() -> PathBuf {
    let dir = std::env::var_os("HPSEARCH_MNIST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets/mnist"));
    assert!(
        dir.join("train-images-idx3-ubyte.gz").is_file(),
        "no MNIST in {}: set HPSEARCH_MNIST_DIR to the folder of the four IDX files",
        dir.display()
    );
    dir
}

const MNIST_TOML: &str = "images = \"train-images-idx3-ubyte.gz\"\nlabels = \"train-labels-idx1-ubyte.gz\"\n\
     test_images = \"t10k-images-idx3-ubyte.gz\"\ntest_labels = \"t10k-labels-idx1-ubyte.gz\"\n";

#[test]
#[ignore = "needs the MNIST files (HPSEARCH_MNIST_DIR or ../shared/datasets/mnist): run with --ignored"]
fn mnist_is_60000_by_784_plus_10000_test_with_the_readme_counts() {
    let dir = mnist_dir();
    let d = load_in(&dir, &format!("{MNIST_TOML}standardize = false"), 7).unwrap();
    assert_eq!(d.train.x.nrows() + d.validation.x.nrows(), 60_000);
    assert_eq!(d.validation.x.nrows(), 12_000);
    assert_eq!(d.features.len(), 784);
    let mut train = counts(&d.train.y, 10);
    for (t, v) in train.iter_mut().zip(counts(&d.validation.y, 10)) {
        *t += v;
    }
    assert_eq!(
        train,
        [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    );
    let test = d.test.as_ref().unwrap();
    assert_eq!(test.x.dim(), (10_000, 784));
    assert_eq!(
        counts(&test.y, 10),
        [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    );
    assert_eq!(&test.y[..10], [7, 2, 1, 0, 4, 1, 4, 9, 5, 9], "file order");
    assert!(d.train.x.iter().all(|&v| (0.0..=1.0).contains(&v)));
    assert_eq!(d.train.x.iter().copied().fold(0.0f32, f32::max), 1.0);
}

/// Load time and memory, for the issue note (not a timed test). Run in release mode under
/// `/usr/bin/time -v`; see the module's notes.
#[test]
#[ignore = "benchmark: run by hand with --ignored in release mode"]
fn mnist_load_benchmark() {
    let dir = mnist_dir();
    let start = std::time::Instant::now();
    let d = load_in(&dir, MNIST_TOML, 7).unwrap();
    eprintln!(
        "MNIST loaded, split and standardized in {:.2} s: train {:?}, validation {:?}, test {:?}",
        start.elapsed().as_secs_f64(),
        d.train.x.dim(),
        d.validation.x.dim(),
        d.test.as_ref().map(|t| t.x.dim())
    );
}

// ---------------------------------------------------------------- issue 9: messages

/// A CSV of `n` rows, two classes alternating, two features; `ending` between lines.
fn two_class_csv(n: usize, ending: &str) -> String {
    let mut text = format!("a,b,label{ending}");
    for i in 0..n {
        text.push_str(&format!("{i},{},{}{ending}", i * 2, i % 2));
    }
    text
}

#[test]
fn crlf_and_cr_files_report_the_line_an_editor_shows() {
    let dir = tempfile::tempdir().unwrap();
    for (name, ending) in [("lf.csv", "\n"), ("crlf.csv", "\r\n"), ("cr.csv", "\r")] {
        let mut lines: Vec<String> = two_class_csv(8, ending)
            .split(ending)
            .map(String::from)
            .collect();
        // Line 6 (the header is line 1) gets a missing value, as in the issue's repro.
        lines[5] = "NA,1,0".into();
        write(dir.path(), name, lines.join(ending).as_bytes());
        let msg = load_error_in(dir.path(), &format!("path = \"{name}\""));
        assert_mentions(&msg, &[&format!("{name}:6: column \"a\": \"NA\"")]);
    }
    // A ragged row and a test file's unknown class count lines the same way.
    let mut text = two_class_csv(8, "\r\n");
    text.push_str("1,2\r\n");
    write(dir.path(), "ragged.csv", text.as_bytes());
    let msg = load_error_in(dir.path(), "path = \"ragged.csv\"");
    assert_mentions(&msg, &["ragged.csv:10: this row has 2 fields"]);
}

#[test]
fn a_test_fraction_that_gives_no_sample_is_refused_with_the_count() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "small.csv", two_class_csv(20, "\n").as_bytes());
    let msg = load_error_in(dir.path(), "path = \"small.csv\"\ntest = 0.01");
    assert_mentions(
        &msg,
        &[
            "small.csv: data.test = 0.01 of 20 samples gives 0.20 test samples, which rounds to 0",
            "no test split",
            "hint: raise data.test to at least 0.025",
        ],
    );
    // The suggested fraction does give a test sample.
    let d = load_in(dir.path(), "path = \"small.csv\"\ntest = 0.025", 7).unwrap();
    assert_eq!(d.test.map(|t| t.y.len()), Some(1));
    // A share of one or more that no class can spare is refused too.
    write(dir.path(), "tiny.csv", two_class_csv(4, "\n").as_bytes());
    let msg = load_error_in(
        dir.path(),
        "path = \"tiny.csv\"\nvalidation = 0.5\ntest = 0.2",
    );
    assert_mentions(
        &msg,
        &["gives 1 test samples", "no class a sample to spare"],
    );
}

#[cfg(unix)]
#[test]
fn a_device_or_a_fifo_is_named_as_such() {
    let msg = check_error(r#"path = "/dev/null""#);
    assert_mentions(
        &msg,
        &["/dev/null: data.path names a character device, not a regular file"],
    );
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .map(|s| s.success());
    if made.unwrap_or(false) {
        let msg = load_error_in(dir.path(), "images = \"pipe.csv\"\nlabels = \"pipe.csv\"");
        assert_mentions(
            &msg,
            &["pipe.csv: data.images names a FIFO (named pipe), not a regular file"],
        );
    } else {
        eprintln!("skipped the FIFO case: mkfifo is not available");
    }
}

#[test]
fn an_empty_path_is_a_mistake_in_the_table() {
    for key in ["path", "test_path", "labels"] {
        let toml = match key {
            "path" => "path = \"\"".to_string(),
            "test_path" => "path = \"animals_test.csv\"\ntest_path = \"\"".to_string(),
            _ => "images = \"i\"\nlabels = \"\"".to_string(),
        };
        let msg = check_error(&toml);
        assert_mentions(
            &msg,
            &[
                &format!("data.{key}: must name a file, but the path is empty, got \"\""),
                "(relative to the space file)",
            ],
        );
        assert!(!msg.contains("file not found"), "{msg}");
    }
}

#[test]
fn a_huge_cell_is_echoed_cut_to_a_readable_length() {
    let dir = tempfile::tempdir().unwrap();
    let cell = "7".repeat(1 << 20) + "x";
    write(
        dir.path(),
        "huge.csv",
        format!("a,label\n1,0\n{cell},1\n").as_bytes(),
    );
    let msg = load_error_in(dir.path(), "path = \"huge.csv\"");
    assert!(msg.len() < 600, "{} bytes of message", msg.len());
    assert_mentions(
        &msg,
        &[
            "huge.csv:3: column \"a\": \"777",
            "… (1048577 bytes) is not a number",
        ],
    );
    // A huge column name in a list of columns, likewise.
    let name = "c".repeat(1 << 20);
    write(
        dir.path(),
        "wide.csv",
        format!("{name},label\n1,0\n").as_bytes(),
    );
    let msg = load_error_in(dir.path(), "path = \"wide.csv\"\nlabel = \"class\"");
    assert!(msg.len() < 600, "{} bytes of message", msg.len());
    assert_mentions(&msg, &["… (1048576 bytes)", "\"label\""]);
}

#[test]
fn a_binary_file_is_named_not_text_with_what_it_looks_like() {
    let dir = tempfile::tempdir().unwrap();
    let (images, labels) = small_idx();
    let csv = two_class_csv(10, "\n");
    for (name, bytes, expected) in [
        ("gz.csv", gzip(csv.as_bytes()), "gzip-compressed"),
        ("idx.csv", images, "an IDX (MNIST-format) file"),
        ("labels.csv", labels, "an IDX (MNIST-format) file"),
        (
            "latin1.csv",
            b"caf\xe9,label\n1,0\n2,1\n".to_vec(),
            "re-save it as UTF-8 CSV",
        ),
    ] {
        write(dir.path(), name, &bytes);
        let msg = load_error_in(dir.path(), &format!("path = \"{name}\""));
        assert!(msg.len() < 600, "{name}: {} bytes of message", msg.len());
        assert_mentions(&msg, &[&format!("{name}:1: not CSV text"), expected]);
    }
    // A label that is not UTF-8 is refused, not merged with others into U+FFFD.
    write(
        dir.path(),
        "labels_latin1.csv",
        b"a,label\n1,x\xe9\n2,y\xe8\n3,x\xe9\n".as_slice(),
    );
    let msg = load_error_in(dir.path(), "path = \"labels_latin1.csv\"");
    assert_mentions(
        &msg,
        &[
            "labels_latin1.csv:2: not CSV text",
            "not UTF-8 text (byte 0xe9",
        ],
    );
}

#[test]
fn a_repeated_column_name_is_refused_naming_both_positions() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "dup.csv", b"a,a,b\n1,2,0\n3,4,1\n");
    let msg = load_error_in(dir.path(), "path = \"dup.csv\"\nfeatures = [\"a\"]");
    assert_mentions(
        &msg,
        &["dup.csv:1: column \"a\" appears twice in the header, as column 1 and column 2"],
    );
    // Names are compared as trimmed, as they are used.
    write(dir.path(), "dup_space.csv", b"x, b,b \n1,2,0\n3,4,1\n");
    let msg = load_error_in(dir.path(), "path = \"dup_space.csv\"");
    assert_mentions(
        &msg,
        &["column \"b\" appears twice", "column 2 and column 3"],
    );
}

#[test]
fn one_class_idx_labels_get_a_hint_about_the_label_file() {
    let dir = tempfile::tempdir().unwrap();
    let (images, _) = small_idx();
    write(dir.path(), "i", &images);
    write(dir.path(), "l", &idx_labels(&[4; 12]));
    let msg = load_error_in(dir.path(), "images = \"i\"\nlabels = \"l\"");
    assert_mentions(&msg, &["class \"4\"", "data.labels names the label file"]);
    assert!(!msg.contains("data.label "), "IDX has no data.label: {msg}");
}

#[test]
fn a_count_mismatch_in_the_test_pair_says_it_is_the_test_pair() {
    let dir = tempfile::tempdir().unwrap();
    let (images, labels) = small_idx();
    write(dir.path(), "i", &images);
    write(dir.path(), "l", &labels);
    write(dir.path(), "ti", &idx_images(2, 2, 3, &[255; 12]));
    write(dir.path(), "tl", &idx_labels(&[2, 0, 1]));
    let toml = "images = \"i\"\nlabels = \"l\"\ntest_images = \"ti\"\ntest_labels = \"tl\"";
    let msg = load_error_in(dir.path(), toml);
    assert_mentions(
        &msg,
        &[
            "ti: 2 images, but",
            "tl has 3 labels (the test pair, data.test_images and data.test_labels)",
        ],
    );
    write(dir.path(), "l", &idx_labels(&[0, 1, 2]));
    let msg = load_error_in(dir.path(), toml);
    assert_mentions(&msg, &["(the training pair, data.images and data.labels)"]);
}

// ---------------------------------------------------------------- summary

#[test]
fn the_summary_counts_samples_features_classes_and_splits() {
    let spec = spec("builtin = \"iris\"\ntest = 0.2");
    let d = data::load(&spec, &fixtures(), 7).unwrap();
    let s = d.summary(&spec);
    assert_eq!(
        (s.samples, s.features, s.train, s.validation, s.test),
        (150, 4, 90, 30, 30)
    );
    assert_eq!(s.classes, ["setosa", "versicolor", "virginica"]);
    assert_eq!(
        s.to_string(),
        "builtin \"iris\": 150 samples × 4 features, 3 classes (\"setosa\", \"versicolor\", \
         \"virginica\"); split: 90 train, 30 validation, 30 test"
    );
    let spec = spec_blobs();
    let d = data::load(&spec, &fixtures(), 7).unwrap();
    let line = d.summary(&spec).to_string();
    assert!(
        line.starts_with("builtin \"blobs\" (samples = 40, classes = 4): 40 samples × 2 features")
            && line.ends_with("no test"),
        "{line}"
    );
}

fn spec_blobs() -> DataSpec {
    spec("builtin = \"blobs\"\nsamples = 40\nclasses = 4")
}

/// The rows of `split` as bit patterns, to compare rows across splits exactly.
fn row_keys(split: &Split) -> Vec<Vec<u32>> {
    split
        .x
        .rows()
        .into_iter()
        .map(|r| r.iter().map(|v| v.to_bits()).collect())
        .collect()
}

#[test]
fn folds_are_stratified_disjoint_cover_every_non_test_row_and_never_see_test_rows() {
    let d = load("builtin = \"blobs\"\nsamples = 300\nclasses = 3\nfolds = 4\ntest = 0.2");
    let test = d.test.as_ref().expect("a test split");
    assert_eq!((d.train.y.len(), test.y.len()), (240, 60));
    assert!(d.validation.y.is_empty());
    assert_eq!(d.folds.len(), 4);
    let pool = row_keys(&d.train);
    let test_rows: std::collections::HashSet<Vec<u32>> = row_keys(test).into_iter().collect();
    let mut held: Vec<Vec<u32>> = Vec::new();
    for fold in &d.folds {
        let (train, val) = (row_keys(&fold.train), row_keys(&fold.validation));
        assert_eq!(train.len() + val.len(), 240);
        assert!(
            train.iter().chain(&val).all(|r| !test_rows.contains(r)),
            "a test row in a fold"
        );
        assert!(
            val.iter().all(|r| !train.contains(r)),
            "a row on both sides of a fold"
        );
        // Stratified: 80 of each class in the pool, 20 in each fold.
        for c in 0..3 {
            assert_eq!(fold.validation.y.iter().filter(|&&y| y == c).count(), 20);
        }
        held.extend(val);
    }
    let (mut held, mut pool) = (held, pool);
    held.sort();
    pool.sort();
    assert_eq!(
        held, pool,
        "the folds' validation rows are every non-test row once"
    );
    let e = load_error("builtin = \"iris\"\nfolds = 5\nvalidation = 0.3");
    assert!(e.contains("cannot be combined with data.folds = 5"), "{e}");
}
