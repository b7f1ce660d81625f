//! CSV | IDX | builtin → Dataset: loading, stratified splits, standardization.

pub mod spec;

use ndarray::Array2;

pub use spec::DataSpec;

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
    /// Class names in index order (sorted labels from the file).
    pub classes: Vec<String>,
    /// Feature names in column order.
    pub features: Vec<String>,
}

use std::path::Path;

/// Loads, splits (stratified, with `seed`) and standardizes the data `spec` describes; relative
/// paths are resolved against `base_dir`. (Skeleton: issue 4 fills it in.)
pub fn load(_spec: &DataSpec, _base_dir: &Path, _seed: u64) -> Result<Dataset, DataError> {
    todo!("issue 4")
}

/// Checks `spec` without reading the data: one source, legal fractions, files present.
pub fn check(_spec: &DataSpec, _base_dir: &Path) -> Result<(), DataError> {
    todo!("issue 4")
}

/// A data problem (skeleton).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct DataError(pub String);

/// `spec` with every relative path made absolute against `base_dir`. (Skeleton: issue 4.)
pub fn rebased(_spec: &DataSpec, _base_dir: &Path) -> DataSpec {
    todo!("issue 4")
}
