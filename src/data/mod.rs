//! CSV | IDX | builtin → Dataset: loading, stratified splits, standardization.
//!
//! ```text
//! DataSpec ─check─▶ Plan ─read─▶ Table (all rows) ─stratify(seed)─▶ train | validation | test
//!                                                  ─standardize(train μ, σ)─▶ Dataset
//! with `folds = K`: Table ─hold out test─▶ train (every other row) ─standardize─▶ K folds
//! ```
//!
//! With folds, the standardization's mean and σ come from every non-test row (features only,
//! never labels), so each fold's validation rows took part in them.
//!
//! - [`check`] validates a `[data]` table without reading any data (for `hpsearch plan`).
//! - [`load`] checks, reads (CSV, IDX, built-in), splits and standardizes (for `hpsearch run`).
//! - [`rebased`] makes a spec's paths absolute (for a `best.toml` written elsewhere).
//!
//! Files: `builtin.rs` (iris, digits: compiled in), `synthetic.rs` (blobs, moons, circles,
//! spirals), `csv.rs`, `idx.rs` (MNIST format), `split.rs` (stratified hold-out),
//! `standardize.rs` (z-score), `spec.rs` (the `[data]` table and its checks), `error.rs`.

mod builtin;
mod csv;
mod csv_fast;
mod error;
mod identity;
mod idx;
mod inputs;
pub mod spec;
mod split;
mod standardize;
mod summary;
mod synthetic;

use std::path::Path;

use ndarray::Array2;
use rand::SeedableRng;
use rand_pcg::Pcg64Mcg;

pub use builtin::BUILTIN_NAMES;
pub use error::DataError;
pub(crate) use error::{clip, quoted};
pub use identity::{DataChange, DataIdentity, SourceDigest, identity};
pub use inputs::{Inputs, read_inputs};
pub use spec::{DEFAULT_STANDARDIZE, DEFAULT_TEST, DEFAULT_VALIDATION, DataSpec};
pub use summary::Summary;
pub use synthetic::{DEFAULT_DIMENSIONS, DEFAULT_SAMPLES};

use idx::IdxPair;
use spec::Source;
use standardize::Standardizer;

/// Samples and their class indices.
///
/// # Shapes
/// `x`: (samples, features), row-major; `y`: (samples,), each `< classes.len()`.
#[derive(Clone, Debug, PartialEq)]
pub struct Split {
    /// Feature matrix.
    pub x: Array2<f32>,
    /// Class index of each row.
    pub y: Vec<usize>,
}

/// A loaded, split and standardized data set, shared read-only by all trials.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// Used to fit the weights (and the standardization).
    pub train: Split,
    /// Used to rank trials.
    pub validation: Split,
    /// Used only to score the winner, never to rank.
    pub test: Option<Split>,
    /// Cross-validation (`folds = K`): K (training, validation) pairs that cut `train`, which
    /// then holds every non-test row (and `validation` none); empty without.
    pub folds: Vec<Fold>,
    /// Class names in index order (sorted labels from the file).
    pub classes: Vec<String>,
    /// Feature names in column order.
    pub features: Vec<String>,
    /// How raw rows became the network's inputs, for predicting new rows.
    pub preprocessing: Preprocessing,
}

/// One cross-validation fold: the rows it holds out for validation, and the other rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Fold {
    /// Every non-test row outside this fold.
    pub train: Split,
    /// This fold's rows.
    pub validation: Split,
}

/// What predicting new rows must repeat of the preparation of the training rows: x' =
/// (x − mean) / std per feature, after dividing IDX pixels by 255.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Preprocessing {
    /// The label column of the training CSV (`label` for IDX and generated data).
    pub label: String,
    /// Whether the inputs are IDX pixels (bytes divided by 255).
    pub pixels: bool,
    /// Per-feature mean subtracted (0 without standardization).
    pub mean: Vec<f64>,
    /// Per-feature standard deviation divided by (1 without standardization).
    pub std: Vec<f64>,
}

impl Preprocessing {
    /// Standardizes `x` in place exactly as training rows were (same arithmetic).
    ///
    /// # Shapes
    /// `x`: (samples, features) with `mean.len()` features.
    pub fn apply(&self, x: &mut Array2<f32>) {
        Standardizer::new(self.mean.clone(), self.std.clone()).apply(x);
    }
}

/// Loads the data `spec` describes, splits it (stratified, with `seed`) and standardizes it
/// (with training-split statistics) unless `standardize = false`.
///
/// Relative paths are resolved against `base_dir` (the space file's folder). Calls [`check`]
/// first. The same spec, files and seed always give the same [`Dataset`].
///
/// # Errors
/// Every problem of [`check`], plus unreadable or malformed files (each error names the file,
/// line and column), a single class, and classes too small to keep a sample in both training
/// and validation.
pub fn load(spec: &DataSpec, base_dir: &Path, seed: u64) -> Result<Dataset, DataError> {
    let plan = spec::plan(spec, base_dir)?;
    let (table, test_table) = match &plan.source {
        Source::Builtin(builtin, params) => (builtin.table(params, seed)?, None),
        Source::Csv {
            path,
            test_path,
            delimiter,
        } => {
            let options = csv::CsvOptions {
                label: spec.label.as_deref(),
                features: spec.features.as_deref(),
                delimiter: *delimiter,
            };
            let table = csv::read_file(path, "path", &options)?;
            let test = match test_path {
                Some(p) => Some(csv::read_test_file(p, "test_path", &options, &table)?),
                None => None,
            };
            (table, test)
        }
        Source::Idx {
            images,
            labels,
            test,
        } => {
            let (table, shape) = idx::read_pair(IdxPair {
                images,
                images_key: "images",
                labels,
                labels_key: "labels",
            })?;
            let test = match test {
                Some((images, labels)) => Some(idx::read_test_pair(
                    IdxPair {
                        images,
                        images_key: "test_images",
                        labels,
                        labels_key: "test_labels",
                    },
                    &table,
                    shape,
                )?),
                None => None,
            };
            (table, test)
        }
    };
    if table.classes.len() < 2 {
        let hint = match &plan.source {
            Source::Idx { .. } => {
                "check that data.labels names the label file that belongs to data.images; a \
                 classifier needs a label file with at least two distinct labels"
            }
            _ => "check that data.label names the column that holds the class",
        };
        return Err(DataError::SingleClass {
            origin: table.origin,
            class: table.classes.first().cloned().unwrap_or_default(),
            hint,
        });
    }
    let test_fraction = if test_table.is_some() { 0.0 } else { plan.test };
    let parts = match plan.folds {
        None => split::stratify(
            &table.y,
            &table.classes,
            plan.validation,
            test_fraction,
            seed,
            &table.origin,
        )?,
        // Cross-validation: only the test rows are held out here; the folds cut the rest.
        Some(_) if test_fraction > 0.0 => {
            let held = split::stratify(
                &table.y,
                &table.classes,
                test_fraction,
                0.0,
                seed,
                &table.origin,
            )?;
            split::Parts {
                train: held.train,
                validation: Vec::new(),
                test: held.validation,
            }
        }
        Some(_) => split::Parts {
            train: (0..table.y.len()).collect(),
            validation: Vec::new(),
            test: Vec::new(),
        },
    };
    if test_fraction > 0.0 && parts.test.is_empty() {
        return Err(split::empty_test(
            &table.origin,
            table.y.len(),
            plan.validation,
            test_fraction,
        ));
    }
    let classes = table.classes.clone();
    let features = table.features.clone();
    let table_origin = table.origin.clone();
    let mut preprocessing = Preprocessing {
        label: table.label.clone(),
        pixels: matches!(table.values, Values::Pixels(_)),
        mean: vec![0.0; features.len()],
        std: vec![1.0; features.len()],
    };
    let (mut train, mut validation, mut test) = split::cut(table, &parts);
    if let Some(t) = test_table {
        test = Some(split::whole(t));
    }
    if plan.standardize {
        let scaler = Standardizer::fit(&train.x);
        (preprocessing.mean, preprocessing.std) = (scaler.mean().to_vec(), scaler.scale().to_vec());
        scaler.apply(&mut train.x);
        scaler.apply(&mut validation.x);
        if let Some(t) = &mut test {
            scaler.apply(&mut t.x);
        }
    }
    let folds = match plan.folds {
        None => Vec::new(),
        Some(k) => split::folds(&train.y, &classes, k, seed, &table_origin)?
            .iter()
            .map(|rows| {
                let mut outside = vec![true; train.y.len()];
                rows.iter().for_each(|&r| outside[r] = false);
                let others: Vec<usize> = (0..train.y.len()).filter(|&r| outside[r]).collect();
                Fold {
                    train: split::select(&train, &others),
                    validation: split::select(&train, rows),
                }
            })
            .collect(),
    };
    Ok(Dataset {
        train,
        validation,
        test,
        folds,
        classes,
        features,
        preprocessing,
    })
}

/// Checks `spec` without reading the data: exactly one source (`builtin`, `path`, or `images` +
/// `labels`), a known built-in name, keys that apply to that source, legal fractions and
/// generator parameters, and referenced files that exist (resolved against `base_dir`).
///
/// # Errors
/// The first problem found, as a [`DataError`] whose message says what to do.
pub fn check(spec: &DataSpec, base_dir: &Path) -> Result<(), DataError> {
    spec::plan(spec, base_dir).map(|_| ())
}

/// `spec` with every relative path made absolute against `base_dir`; see
/// [`DataSpec::rebased`].
pub fn rebased(spec: &DataSpec, base_dir: &Path) -> DataSpec {
    spec.rebased(base_dir)
}

/// All rows of a data set as read, before splitting.
pub(crate) struct Table {
    /// Row-major values, `y.len() × width`.
    values: Values,
    /// Features per row.
    width: usize,
    /// Class index of each row.
    y: Vec<usize>,
    /// Class names in index order.
    classes: Vec<String>,
    /// Feature names.
    features: Vec<String>,
    /// The label column's name.
    label: String,
    /// The file or built-in name, for messages.
    origin: String,
}

/// A table's values: f32 features, or raw IDX pixels converted to [0, 1] at the split.
pub(crate) enum Values {
    F32(Vec<f32>),
    Pixels(Vec<u8>),
}

/// Random streams derived from the sweep seed, one per use.
const STREAM_GENERATOR: u64 = 0x9e37_79b9_7f4a_7c15;
const STREAM_SPLIT: u64 = 0xbf58_476d_1ce4_e5b9;
const STREAM_FOLDS: u64 = 0x94d0_49bb_1331_11eb;

fn rng(seed: u64, stream: u64) -> Pcg64Mcg {
    Pcg64Mcg::seed_from_u64(seed.rotate_left(17) ^ stream)
}
