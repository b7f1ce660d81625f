//! The `[data]` table of a search space, as written in the file.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::builtin::{self, BUILTIN_NAMES, Builtin};
use super::error::{DataError, quoted_list};
use super::synthetic::{DEFAULT_DIMENSIONS, DEFAULT_SAMPLES, Generator, GeneratorParams};

/// The fewest cross-validation folds `folds` takes.
pub const MIN_FOLDS: usize = 2;
/// The most cross-validation folds `folds` takes.
pub const MAX_FOLDS: usize = 20;

/// Default `validation` fraction.
pub const DEFAULT_VALIDATION: f64 = 0.2;
/// Default `test` fraction.
pub const DEFAULT_TEST: f64 = 0.0;
/// Default `standardize`.
pub const DEFAULT_STANDARDIZE: bool = true;

/// Largest `samples` a generator accepts.
const MAX_SAMPLES: usize = 10_000_000;
/// Largest `samples · dimensions` a generator accepts (400 MB of f32).
const MAX_VALUES: usize = 100_000_000;
/// Largest `classes` a generator accepts.
const MAX_CLASSES: usize = 1000;
/// Largest `dimensions` of blobs.
const MAX_DIMENSIONS: usize = 100_000;

/// The legal range of an integer key of `[data]`, in words (`"an integer from 2 to 1000"`),
/// for a message about a value too large to read; `None` for a key that is not an integer.
pub(crate) fn integer_rule(key: &str) -> Option<String> {
    Some(match key {
        "samples" => format!("an integer from 2 × classes to {MAX_SAMPLES}"),
        "classes" => format!("an integer from 2 to {MAX_CLASSES}"),
        "dimensions" => format!("an integer from 1 to {MAX_DIMENSIONS}"),
        _ => return None,
    })
}

/// Where a sweep's data comes from and how it is split. Exactly one source: `builtin`, `path`
/// (CSV), or `images` + `labels` (IDX).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DataSpec {
    /// A data set compiled into the binary: "iris", "digits", or a generator: "blobs",
    /// "moons", "circles", "spirals".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub builtin: Option<String>,
    /// Generators: number of samples (default 1000), at least 2 per class, at most 10,000,000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples: Option<usize>,
    /// Generators: number of classes, at least 2 (default 3 for blobs and spirals, 2 for
    /// circles; moons has exactly 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classes: Option<usize>,
    /// Generators: number of features (blobs only, default 2; the others are 2-D).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<usize>,
    /// Generators: noise standard deviation, ≥ 0: the spread of each blob (default 1.0), or the
    /// Gaussian noise added to each coordinate of moons (0.1), circles (0.05), spirals (0.05).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noise: Option<f64>,

    /// A CSV file with a header line, relative to the space file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    /// CSV: the label column (default: a column named `label`, else the last one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// CSV: the feature columns to use (default: every column but the label).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<Vec<String>>,
    /// CSV: the field delimiter, one ASCII character such as `";"` or `"\t"` (default `,`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// CSV: a separate test file with the same columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_path: Option<PathBuf>,

    /// IDX: the image file (`.idx3-ubyte`, optionally gzipped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub images: Option<PathBuf>,
    /// IDX: the label file (`.idx1-ubyte`, optionally gzipped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<PathBuf>,
    /// IDX: a separate test image file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_images: Option<PathBuf>,
    /// IDX: a separate test label file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_labels: Option<PathBuf>,

    /// Fraction of the data held out for validation (ranking), in (0, 1). Default 0.2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation: Option<f64>,
    /// Cross-validation: split every non-test row into this many stratified folds (2 … 20);
    /// each trial trains once per fold, validated on the fold left out. Not together with
    /// `validation`. Default: none (one validation split).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folds: Option<usize>,
    /// Fraction held out as a test split, in [0, 1); 0 = none. Default 0. With a separate test
    /// file (`test_path`, `test_images`) it must be 0 or absent. `validation + test < 1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<f64>,
    /// z-score features with training-split mean and standard deviation, applied to every
    /// split. Default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standardize: Option<bool>,
}

impl DataSpec {
    /// The validation fraction, default applied.
    pub fn validation_fraction(&self) -> f64 {
        self.validation.unwrap_or(DEFAULT_VALIDATION)
    }

    /// The test fraction, default applied.
    pub fn test_fraction(&self) -> f64 {
        self.test.unwrap_or(DEFAULT_TEST)
    }

    /// Whether features are standardized, default applied.
    pub fn standardizes(&self) -> bool {
        self.standardize.unwrap_or(DEFAULT_STANDARDIZE)
    }

    /// This spec with every relative path (`path`, `test_path`, `images`, `labels`,
    /// `test_images`, `test_labels`) joined to `base_dir` and made absolute, so that it finds
    /// the same files from any folder (e.g. in a `best.toml` written next to the results).
    pub fn rebased(&self, base_dir: &Path) -> DataSpec {
        let fix = |p: &Option<PathBuf>| p.as_deref().map(|p| absolute(base_dir, p));
        DataSpec {
            path: fix(&self.path),
            test_path: fix(&self.test_path),
            images: fix(&self.images),
            labels: fix(&self.labels),
            test_images: fix(&self.test_images),
            test_labels: fix(&self.test_labels),
            ..self.clone()
        }
    }
}

fn absolute(base_dir: &Path, path: &Path) -> PathBuf {
    let joined = base_dir.join(path);
    std::path::absolute(&joined).unwrap_or(joined)
}

/// Where the data comes from, paths resolved against the space file's folder.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Source {
    Builtin(Builtin, GeneratorParams),
    Csv {
        path: PathBuf,
        test_path: Option<PathBuf>,
        delimiter: u8,
    },
    Idx {
        images: PathBuf,
        labels: PathBuf,
        test: Option<(PathBuf, PathBuf)>,
    },
}

/// A checked spec: one source, legal fractions and parameters, files present.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Plan {
    pub(crate) source: Source,
    pub(crate) validation: f64,
    pub(crate) test: f64,
    pub(crate) standardize: bool,
    /// Cross-validation folds, when `folds` is set.
    pub(crate) folds: Option<usize>,
}

/// Checks `spec` (without reading any data) and resolves its paths against `base_dir`.
pub(crate) fn plan(spec: &DataSpec, base_dir: &Path) -> Result<Plan, DataError> {
    let source = source(spec, base_dir)?;
    let (validation, test) = fractions(spec)?;
    let has_test_file = match &source {
        Source::Csv { test_path, .. } => test_path.is_some(),
        Source::Idx { test, .. } => test.is_some(),
        Source::Builtin(..) => false,
    };
    if has_test_file && test > 0.0 {
        let key = if spec.test_path.is_some() {
            "test_path"
        } else {
            "test_images"
        };
        return Err(DataError::BadSetting {
            key: "test",
            value: test.to_string(),
            rule: format!("a test fraction cannot be combined with a test file (data.{key})"),
            hint: format!("remove data.test to use data.{key}, or remove data.{key}"),
        });
    }
    match &source {
        Source::Builtin(..) => {}
        Source::Csv {
            path, test_path, ..
        } => {
            present(path, "path")?;
            if let Some(p) = test_path {
                present(p, "test_path")?;
            }
        }
        Source::Idx {
            images,
            labels,
            test,
        } => {
            present(images, "images")?;
            present(labels, "labels")?;
            if let Some((i, l)) = test {
                present(i, "test_images")?;
                present(l, "test_labels")?;
            }
        }
    }
    if let Some(k) = spec.folds {
        if !(MIN_FOLDS..=MAX_FOLDS).contains(&k) {
            return Err(DataError::BadSetting {
                key: "folds",
                value: k.to_string(),
                rule: format!("must be a whole number of folds from {MIN_FOLDS} to {MAX_FOLDS}"),
                hint: "use e.g. folds = 5, or remove it for one validation split".into(),
            });
        }
        if let Some(v) = spec.validation {
            return Err(DataError::BadSetting {
                key: "validation",
                value: v.to_string(),
                rule: format!(
                    "a validation fraction cannot be combined with data.folds = {k}: each fold \
                     is validated on in turn"
                ),
                hint: "remove data.validation to cross-validate, or remove data.folds".into(),
            });
        }
    }
    Ok(Plan {
        source,
        validation,
        test,
        standardize: spec.standardizes(),
        folds: spec.folds,
    })
}

fn source(spec: &DataSpec, base_dir: &Path) -> Result<Source, DataError> {
    let idx_key = if spec.images.is_some() || spec.labels.is_none() {
        "images"
    } else {
        "labels"
    };
    let given: Vec<&'static str> = [
        ("builtin", spec.builtin.is_some()),
        ("path", spec.path.is_some()),
        (idx_key, spec.images.is_some() || spec.labels.is_some()),
    ]
    .iter()
    .filter(|(_, given)| *given)
    .map(|(key, _)| *key)
    .collect();
    match given[..] {
        [] => return Err(DataError::NoSource),
        [_] => {}
        [first, second, ..] => return Err(DataError::TwoSources { first, second }),
    }
    paths_named(spec)?;
    let resolve = |p: &PathBuf| base_dir.join(p);

    let generator = match &spec.builtin {
        Some(name) => match Builtin::from_name(name) {
            Some(Builtin::Generated(g)) => Some(g),
            Some(_) => None,
            None => {
                return Err(DataError::UnknownBuiltin {
                    name: name.clone(),
                    suggestion: builtin::suggestion(name),
                    known: quoted_list(&BUILTIN_NAMES),
                });
            }
        },
        None => None,
    };
    let source_desc = || match (&spec.builtin, &spec.path) {
        (Some(name), _) => format!("builtin \"{name}\""),
        (None, Some(_)) => "a CSV file (data.path)".to_string(),
        (None, None) => "IDX files (data.images, data.labels)".to_string(),
    };
    let not_applicable = |key: &'static str, applies_to: &'static str| {
        Err(DataError::NotApplicable {
            key,
            applies_to,
            source_desc: source_desc(),
        })
    };
    if generator.is_none() {
        for (key, given) in [
            ("samples", spec.samples.is_some()),
            ("classes", spec.classes.is_some()),
            ("noise", spec.noise.is_some()),
            ("dimensions", spec.dimensions.is_some()),
        ] {
            if given {
                return not_applicable(key, "the generators blobs, moons, circles and spirals");
            }
        }
    }
    if spec.path.is_none() {
        for (key, given) in [
            ("label", spec.label.is_some()),
            ("features", spec.features.is_some()),
            ("delimiter", spec.delimiter.is_some()),
            ("test_path", spec.test_path.is_some()),
        ] {
            if given {
                return not_applicable(key, "a CSV file (data.path)");
            }
        }
    }
    let is_idx = spec.images.is_some() || spec.labels.is_some();
    if !is_idx {
        for (key, given) in [
            ("test_images", spec.test_images.is_some()),
            ("test_labels", spec.test_labels.is_some()),
        ] {
            if given {
                return not_applicable(key, "IDX files (data.images, data.labels)");
            }
        }
    }

    if let Some(name) = &spec.builtin {
        let builtin = Builtin::from_name(name).ok_or(DataError::NoSource)?;
        let params = match generator {
            Some(g) => generator_params(spec, g)?,
            None => GeneratorParams {
                samples: 0,
                classes: 0,
                dimensions: 0,
                noise: 0.0,
            },
        };
        return Ok(Source::Builtin(builtin, params));
    }
    if let Some(path) = &spec.path {
        let delimiter = delimiter(spec.delimiter.as_deref())?;
        if let Some(features) = &spec.features {
            check_features(features, spec.label.as_deref())?;
        }
        return Ok(Source::Csv {
            path: resolve(path),
            test_path: spec.test_path.as_ref().map(resolve),
            delimiter,
        });
    }
    let pair = |a: &Option<PathBuf>, a_key, b: &Option<PathBuf>, b_key| match (a, b) {
        (Some(a), Some(b)) => Ok(Some((resolve(a), resolve(b)))),
        (None, None) => Ok(None),
        (Some(_), None) => Err(DataError::MissingPartner {
            key: a_key,
            missing: b_key,
        }),
        (None, Some(_)) => Err(DataError::MissingPartner {
            key: b_key,
            missing: a_key,
        }),
    };
    let (images, labels) =
        pair(&spec.images, "images", &spec.labels, "labels")?.ok_or(DataError::NoSource)?;
    let test = pair(
        &spec.test_images,
        "test_images",
        &spec.test_labels,
        "test_labels",
    )?;
    Ok(Source::Idx {
        images,
        labels,
        test,
    })
}

fn generator_params(spec: &DataSpec, g: Generator) -> Result<GeneratorParams, DataError> {
    let bad = |key: &'static str, value: String, rule: String, hint: &str| {
        Err(DataError::BadSetting {
            key,
            value,
            rule,
            hint: hint.to_string(),
        })
    };
    let classes = spec.classes.unwrap_or(g.default_classes());
    if g == Generator::Moons && classes != 2 {
        return bad(
            "classes",
            classes.to_string(),
            "moons has exactly 2 classes".into(),
            "remove data.classes, or use circles or spirals for more classes",
        );
    }
    if !(2..=MAX_CLASSES).contains(&classes) {
        return bad(
            "classes",
            classes.to_string(),
            format!("must be from 2 to {MAX_CLASSES}"),
            "a classifier needs at least two classes",
        );
    }
    let samples = spec.samples.unwrap_or(DEFAULT_SAMPLES);
    if samples < 2 * classes || samples > MAX_SAMPLES {
        return bad(
            "samples",
            samples.to_string(),
            format!(
                "must be from 2 × classes = {} (one training and one validation sample per \
                 class) to {MAX_SAMPLES}",
                2 * classes
            ),
            "use more samples or fewer classes",
        );
    }
    if g != Generator::Blobs && spec.dimensions.is_some() {
        return Err(DataError::NotApplicable {
            key: "dimensions",
            applies_to: "the blobs generator (the others are 2-D)",
            source_desc: format!("builtin \"{}\"", g.name()),
        });
    }
    let dimensions = spec.dimensions.unwrap_or(DEFAULT_DIMENSIONS);
    if !(1..=MAX_DIMENSIONS).contains(&dimensions)
        || samples.saturating_mul(dimensions) > MAX_VALUES
    {
        return bad(
            "dimensions",
            dimensions.to_string(),
            format!(
                "must be from 1 to {MAX_DIMENSIONS}, with samples × dimensions at most \
                 {MAX_VALUES}"
            ),
            "use fewer dimensions or samples",
        );
    }
    let noise = spec.noise.unwrap_or(g.default_noise());
    if !(noise.is_finite() && noise >= 0.0) {
        return bad(
            "noise",
            noise.to_string(),
            "must be a finite standard deviation ≥ 0".into(),
            "use e.g. noise = 0.1",
        );
    }
    Ok(GeneratorParams {
        samples,
        classes,
        dimensions,
        noise,
    })
}

fn fractions(spec: &DataSpec) -> Result<(f64, f64), DataError> {
    let validation = spec.validation_fraction();
    if !(validation > 0.0 && validation < 1.0) {
        return Err(DataError::BadSetting {
            key: "validation",
            value: validation.to_string(),
            rule: "must be a fraction in (0, 1); validation ranks the trials and cannot be \
                   empty"
                .into(),
            hint: "use e.g. validation = 0.2".into(),
        });
    }
    let test = spec.test_fraction();
    if !(0.0..1.0).contains(&test) {
        return Err(DataError::BadSetting {
            key: "test",
            value: test.to_string(),
            rule: "must be a fraction in [0, 1)".into(),
            hint: "use e.g. test = 0.1, or 0 for no test split".into(),
        });
    }
    if validation + test >= 1.0 {
        return Err(DataError::FractionsSum {
            validation,
            test,
            sum: validation + test,
        });
    }
    Ok((validation, test))
}

fn delimiter(text: Option<&str>) -> Result<u8, DataError> {
    let Some(text) = text else {
        return Ok(b',');
    };
    match text.as_bytes() {
        [b] if b.is_ascii() && !matches!(b, b'"' | b'\n' | b'\r') => Ok(*b),
        _ => Err(DataError::BadSetting {
            key: "delimiter",
            value: format!("{text:?}"),
            rule: "must be one ASCII character other than a quote or a line break".into(),
            hint: "use e.g. delimiter = \";\" or delimiter = \"\\t\"".into(),
        }),
    }
}

fn check_features(features: &[String], label: Option<&str>) -> Result<(), DataError> {
    let bad = |value: String, rule: &str| {
        Err(DataError::BadSetting {
            key: "features",
            value,
            rule: rule.to_string(),
            hint: "list each feature column once, and not the label column".into(),
        })
    };
    if features.is_empty() {
        return bad("[]".into(), "must name at least one column");
    }
    let mut seen = HashSet::new();
    for f in features {
        if !seen.insert(f.as_str()) {
            return bad(format!("{f:?} twice"), "must not repeat a column");
        }
        if Some(f.as_str()) == label {
            return bad(format!("{f:?}"), "must not include the label column");
        }
    }
    Ok(())
}

/// The file exists and is a regular file (its content is not read).
fn present(path: &Path, key: &'static str) -> Result<(), DataError> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => Ok(()),
        Ok(meta) => Err(DataError::NotAFile {
            key,
            path: path.to_path_buf(),
            what: file_kind(&meta.file_type()),
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(DataError::FileNotFound {
            key,
            path: path.to_path_buf(),
        }),
        Err(source) => Err(DataError::Unreadable {
            key,
            path: path.to_path_buf(),
            error: source,
        }),
    }
}

/// What a path that is not a regular file is, in words.
fn file_kind(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a folder"
    } else {
        "something other than a file"
    }
}

/// Every path the spec gives names something: `path = ""` is a mistake in the table.
fn paths_named(spec: &DataSpec) -> Result<(), DataError> {
    for (key, path) in [
        ("path", &spec.path),
        ("test_path", &spec.test_path),
        ("images", &spec.images),
        ("labels", &spec.labels),
        ("test_images", &spec.test_images),
        ("test_labels", &spec.test_labels),
    ] {
        if path.as_ref().is_some_and(|p| p.as_os_str().is_empty()) {
            return Err(DataError::BadSetting {
                key,
                value: "\"\"".into(),
                rule: "must name a file, but the path is empty".into(),
                hint: format!(
                    "give the file, e.g. data.{key} = \"{}\" (relative to the space file), or \
                     remove data.{key}",
                    example_file(key)
                ),
            });
        }
    }
    Ok(())
}

fn example_file(key: &str) -> &'static str {
    match key {
        "path" => "train.csv",
        "test_path" => "test.csv",
        "images" => "train-images-idx3-ubyte.gz",
        "labels" => "train-labels-idx1-ubyte.gz",
        "test_images" => "t10k-images-idx3-ubyte.gz",
        _ => "t10k-labels-idx1-ubyte.gz",
    }
}
