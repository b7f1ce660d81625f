//! [`Summary`]: what a loaded data set holds, for `hpsearch plan` and the results directory.

use std::fmt;

use serde::Serialize;

use super::error::quoted_list;
use super::{DataSpec, Dataset};

/// The size and shape of a loaded [`Dataset`]: where it came from, how many samples, features
/// and classes it has, and how many samples each split holds. `Display` gives one line for a
/// person; `Serialize` gives the same fields for a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// The source as the space file gives it: `builtin "iris"`, `builtin "blobs" (samples =
    /// 1000, …)`, `CSV data/iris.csv`, `IDX train-images…, train-labels…`.
    pub source: String,
    /// Samples in all splits together.
    pub samples: usize,
    /// Features per sample (input width of the network).
    pub features: usize,
    /// Class names in index order.
    pub classes: Vec<String>,
    /// Samples in the training split.
    pub train: usize,
    /// Samples in the validation split.
    pub validation: usize,
    /// Samples in the test split (0 when there is none).
    pub test: usize,
    /// Cross-validation folds that cut the training rows (0: none).
    #[serde(skip_serializing_if = "is_zero")]
    pub folds: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Dataset {
    /// This data set's [`Summary`]; `spec` is the `[data]` table it was loaded from (it names
    /// the source).
    pub fn summary(&self, spec: &DataSpec) -> Summary {
        let train = self.train.y.len();
        let validation = self.validation.y.len();
        let test = self.test.as_ref().map_or(0, |t| t.y.len());
        Summary {
            source: describe(spec),
            samples: train + validation + test,
            features: self.features.len(),
            classes: self.classes.clone(),
            train,
            validation,
            test,
            folds: self.folds.len(),
        }
    }
}

/// The source of `spec` in words, paths as written in the space file.
fn describe(spec: &DataSpec) -> String {
    if let Some(name) = &spec.builtin {
        let settings: Vec<String> = [
            ("samples", spec.samples.map(|v| v.to_string())),
            ("classes", spec.classes.map(|v| v.to_string())),
            ("dimensions", spec.dimensions.map(|v| v.to_string())),
            ("noise", spec.noise.map(|v| v.to_string())),
        ]
        .into_iter()
        .filter_map(|(key, value)| Some(format!("{key} = {}", value?)))
        .collect();
        return if settings.is_empty() {
            format!("builtin {name:?}")
        } else {
            format!("builtin {name:?} ({})", settings.join(", "))
        };
    }
    let files = |kind: &str, paths: &[&Option<std::path::PathBuf>]| {
        let names: Vec<String> = paths
            .iter()
            .filter_map(|p| p.as_ref().map(|p| p.display().to_string()))
            .collect();
        format!("{kind} {}", names.join(", "))
    };
    if spec.path.is_some() {
        files("CSV", &[&spec.path, &spec.test_path])
    } else {
        files(
            "IDX",
            &[
                &spec.images,
                &spec.labels,
                &spec.test_images,
                &spec.test_labels,
            ],
        )
    }
}

/// `iris.csv: 150 samples × 4 features, 3 classes ("setosa", …); split: 120 train,
/// 30 validation, no test`.
impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let k = self.classes.len();
        write!(
            f,
            "{}: {} samples × {} features, {k} classes ({}); split: ",
            self.source,
            self.samples,
            self.features,
            quoted_list(&self.classes),
        )?;
        match self.folds {
            0 => write!(f, "{} train, {} validation, ", self.train, self.validation)?,
            k => write!(f, "{} train in {k} cross-validation folds, ", self.train)?,
        }
        if self.test == 0 {
            f.write_str("no test")
        } else {
            write!(f, "{} test", self.test)
        }
    }
}
