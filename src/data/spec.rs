//! The `[data]` table of a search space, as written in the file.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Where a sweep's data comes from and how it is split. Exactly one source: `builtin`, `path`
/// (CSV), or `images` + `labels` (IDX).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DataSpec {
    /// A data set compiled into the binary: "iris", "digits", or a generator: "blobs",
    /// "moons", "circles", "spirals".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub builtin: Option<String>,
    /// Generators: number of samples (default 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples: Option<usize>,
    /// Generators: number of classes (default 3; moons and circles: 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classes: Option<usize>,
    /// Generators: number of features (blobs only, default 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<usize>,
    /// Generators: noise standard deviation (default depends on the generator).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noise: Option<f64>,

    /// A CSV file with a header, relative to the space file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    /// CSV: the label column (default: a column named `label`, else the last one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// CSV: the feature columns to use (default: every column but the label).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<Vec<String>>,
    /// CSV: the field delimiter, one ASCII character (default `,`).
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
    /// Fraction held out as a test split, in [0, 1); 0 = none. Default 0. Ignored when a
    /// separate test file is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<f64>,
    /// z-score features with training-split statistics. Default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standardize: Option<bool>,
}
