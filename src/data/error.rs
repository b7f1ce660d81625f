//! Everything that can go wrong while checking or loading data.
//!
//! Each message names the place (file, 1-based line as an editor shows it, column name), the
//! offending value and the rule, then a `hint:` line saying what to do.

use std::path::PathBuf;

/// A data problem: a bad `[data]` table, a missing or malformed file, or data that cannot be
/// split. `Display` gives the full message, hint included.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// The `[data]` table names no source.
    #[error(
        "data: no data source is given\n\
         hint: set one of builtin = \"iris\", path = \"file.csv\", or images = \"…idx3-ubyte.gz\" \
         with labels = \"…idx1-ubyte.gz\""
    )]
    NoSource,

    /// The `[data]` table names two sources.
    #[error(
        "data: both data.{first} and data.{second} are given, but the data must come from \
         exactly one source\nhint: keep one of them"
    )]
    TwoSources {
        /// The first key found.
        first: &'static str,
        /// The second key found.
        second: &'static str,
    },

    /// A key that needs a partner is given alone (`images` without `labels`, …).
    #[error("data.{key} is given without data.{missing}\nhint: give both, or neither")]
    MissingPartner {
        /// The key given.
        key: &'static str,
        /// The key that is missing.
        missing: &'static str,
    },

    /// A key that does not apply to the chosen source.
    #[error(
        "data.{key} applies only to {applies_to}, but the data comes from {source_desc}\nhint: remove data.{key}"
    )]
    NotApplicable {
        /// The key.
        key: &'static str,
        /// What the key applies to.
        applies_to: &'static str,
        /// The source actually chosen.
        source_desc: String,
    },

    /// `builtin` names no known data set.
    #[error(
        "data.builtin: unknown data set \"{name}\"{suggestion}\nhint: the built-in data sets are {known}"
    )]
    UnknownBuiltin {
        /// The name given.
        name: String,
        /// `; did you mean "…"?`, or empty.
        suggestion: String,
        /// The known names, listed.
        known: String,
    },

    /// A setting outside its legal range (fractions, generator parameters, delimiter, …).
    #[error("data.{key}: {rule}, got {value}\nhint: {hint}")]
    BadSetting {
        /// The key.
        key: &'static str,
        /// The value given, as written.
        value: String,
        /// The rule it breaks.
        rule: String,
        /// What to do.
        hint: String,
    },

    /// `validation + test ≥ 1`: nothing left to train on.
    #[error(
        "data: validation + test = {validation} + {test} = {sum}, which leaves no data for \
         training\nhint: keep the sum below 1, e.g. validation = 0.2 and test = 0.1"
    )]
    FractionsSum {
        /// The validation fraction.
        validation: f64,
        /// The test fraction.
        test: f64,
        /// Their sum.
        sum: f64,
    },

    /// A referenced file does not exist.
    #[error(
        "{}: file not found (data.{key})\nhint: check the name; relative paths are resolved \
         against the folder of the space file",
        path.display()
    )]
    FileNotFound {
        /// The key that names the file.
        key: &'static str,
        /// The path, resolved.
        path: PathBuf,
    },

    /// A referenced file cannot be read (permissions, a folder, corrupt gzip, …).
    #[error(
        "{}: cannot read (data.{key}): {error}\nhint: data.{key} must name a readable file",
        path.display()
    )]
    Unreadable {
        /// The key that names the file.
        key: &'static str,
        /// The path, resolved.
        path: PathBuf,
        /// The I/O error.
        error: std::io::Error,
    },

    /// A CSV file with no content at all.
    #[error(
        "{}: the file is empty\nhint: a CSV file needs a header line naming the columns, then \
         one line per sample",
        path.display()
    )]
    EmptyFile {
        /// The file.
        path: PathBuf,
    },

    /// A CSV file with a header and no rows.
    #[error(
        "{}:1: the file has a header line but no data rows\nhint: add one line per sample \
         below the header",
        path.display()
    )]
    HeaderOnly {
        /// The file.
        path: PathBuf,
    },

    /// A CSV row with a different number of fields than the header.
    #[error(
        "{}:{line}: this row has {found} fields, but the header (line 1) has {expected}\n\
         hint: every row needs one value per column; look for a missing or extra \
         delimiter ({delimiter:?})",
        path.display()
    )]
    RaggedRow {
        /// The file.
        path: PathBuf,
        /// 1-based line of the row.
        line: u64,
        /// Fields in the header.
        expected: usize,
        /// Fields in this row.
        found: usize,
        /// The delimiter in use.
        delimiter: char,
    },

    /// A feature value that is not a finite number.
    #[error(
        "{}:{line}: column \"{column}\": {value:?} is {problem}\nhint: feature columns must hold \
         finite numbers; fix the value, or choose the numeric columns with data.features = [...]",
        path.display()
    )]
    BadFeature {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// The column name.
        column: String,
        /// The value as written.
        value: String,
        /// What is wrong with it.
        problem: &'static str,
    },

    /// A row with an empty label.
    #[error(
        "{}:{line}: column \"{column}\": the label is empty\nhint: every row needs a class in \
         the label column",
        path.display()
    )]
    EmptyLabel {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// The label column.
        column: String,
    },

    /// The label column is not in the header.
    #[error(
        "{}:1: no label column \"{label}\"; the columns are {columns}\nhint: set data.label to \
         the column that holds the class",
        path.display()
    )]
    LabelNotFound {
        /// The file.
        path: PathBuf,
        /// The name looked for.
        label: String,
        /// The header's columns, listed.
        columns: String,
    },

    /// A column named in `features` is not in the header, or is the label.
    #[error(
        "{}:1: data.features names \"{feature}\", {problem}; the columns are {columns}\n\
         hint: list feature columns from the header, other than the label",
        path.display()
    )]
    FeatureNotFound {
        /// The file.
        path: PathBuf,
        /// The name looked for.
        feature: String,
        /// Why it cannot be used.
        problem: &'static str,
        /// The header's columns, listed.
        columns: String,
    },

    /// The header has no column besides the label.
    #[error(
        "{}:1: the only column is the label \"{label}\"; there are no features\nhint: a CSV needs \
         at least one feature column besides the label",
        path.display()
    )]
    NoFeatures {
        /// The file.
        path: PathBuf,
        /// The label column.
        label: String,
    },

    /// The CSV reader failed (invalid UTF-8, …).
    #[error("{}{}: {message}\nhint: save the file as UTF-8 text", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Csv {
        /// The file.
        path: PathBuf,
        /// 1-based line, when known.
        line: Option<u64>,
        /// The reader's message.
        message: String,
    },

    /// The test data holds a class the training data does not.
    #[error(
        "{at}: class \"{class}\" does not occur in the training data, whose classes are \
         {known}\nhint: the test file must use the training file's classes"
    )]
    UnknownTestClass {
        /// `file:line` or `file: label #i`.
        at: String,
        /// The class as written.
        class: String,
        /// The training classes, listed.
        known: String,
    },

    /// Only one class in the data.
    #[error(
        "{origin}: every sample has the class \"{class}\"; a classifier needs at least two \
         classes\nhint: check that data.label names the column that holds the class"
    )]
    SingleClass {
        /// The data's origin (file or built-in name).
        origin: String,
        /// The one class.
        class: String,
    },

    /// A class too small to appear in every split.
    #[error(
        "{origin}: class \"{class}\" has {count} sample(s), which leaves {train} for training \
         and {validation} for validation with validation = {validation_fraction}, test = \
         {test_fraction}; training and validation each need at least one of every class\n\
         hint: add samples of this class, remove it from the data, or change data.validation \
         and data.test"
    )]
    ClassTooSmall {
        /// The data's origin.
        origin: String,
        /// The class name.
        class: String,
        /// Its number of samples.
        count: usize,
        /// Samples left for training.
        train: usize,
        /// Samples left for validation.
        validation: usize,
        /// The validation fraction.
        validation_fraction: f64,
        /// The test fraction.
        test_fraction: f64,
    },

    /// An IDX file with the wrong magic number.
    #[error(
        "{}: not an IDX {kind} file: magic number 0x{found:08x}, expected 0x{expected:08x}{swapped}\n\
         hint: data.images needs an idx3-ubyte image file and data.labels an idx1-ubyte label \
         file, raw or gzipped",
        path.display()
    )]
    IdxMagic {
        /// The file.
        path: PathBuf,
        /// "image" or "label".
        kind: &'static str,
        /// Magic number read.
        found: u32,
        /// Magic number expected.
        expected: u32,
        /// `; it looks like …`, or empty.
        swapped: String,
    },

    /// An IDX file whose length disagrees with its header.
    #[error(
        "{}: the IDX header promises {items} item(s) of {item_bytes} byte(s) ({expected} bytes \
         after the header), but {found}\nhint: the file is truncated or corrupt; fetch it again",
        path.display()
    )]
    IdxSize {
        /// The file.
        path: PathBuf,
        /// Items the header promises.
        items: u64,
        /// Bytes per item.
        item_bytes: u64,
        /// Bytes of data expected after the header.
        expected: u64,
        /// What was found instead.
        found: String,
    },

    /// IDX images whose shape is unusable or differs from the training images.
    #[error("{}: {problem}\nhint: {hint}", path.display())]
    IdxShape {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
        /// What to do.
        hint: &'static str,
    },

    /// IDX image and label files of different lengths.
    #[error(
        "{}: {n_images} images, but {} has {n_labels} labels\nhint: images and labels must come \
         from the same set (train-images with train-labels, t10k-images with t10k-labels)",
        images.display(),
        labels.display()
    )]
    IdxLengthMismatch {
        /// The image file.
        images: PathBuf,
        /// The label file.
        labels: PathBuf,
        /// Images in it.
        n_images: u64,
        /// Labels in it.
        n_labels: u64,
    },
}

/// `"a", "b", "c"` — for messages that list names.
pub(crate) fn quoted_list<S: AsRef<str>>(names: &[S]) -> String {
    const MAX: usize = 20;
    let mut out: Vec<String> = names
        .iter()
        .take(MAX)
        .map(|n| format!("{:?}", n.as_ref()))
        .collect();
    if names.len() > MAX {
        out.push(format!("… ({} in all)", names.len()));
    }
    out.join(", ")
}

impl DataError {
    /// For a mistake in the `[data]` table itself (not in a file it names): the key to point
    /// at (`"builtin"`, `"validation"`, …), or `""` for the table as a whole.
    pub fn spec_key(&self) -> Option<&'static str> {
        match self {
            DataError::NoSource => Some(""),
            DataError::TwoSources { second, .. } => Some(second),
            DataError::MissingPartner { key, .. }
            | DataError::NotApplicable { key, .. }
            | DataError::BadSetting { key, .. } => Some(key),
            DataError::UnknownBuiltin { .. } => Some("builtin"),
            DataError::FractionsSum { .. } => Some("validation"),
            _ => None,
        }
    }

    /// The error of opening `path` (named by `data.{key}`): not found, or unreadable.
    pub(crate) fn opening(
        key: &'static str,
        path: &std::path::Path,
        source: std::io::Error,
    ) -> Self {
        let path = path.to_path_buf();
        if source.kind() == std::io::ErrorKind::NotFound {
            DataError::FileNotFound { key, path }
        } else {
            DataError::Unreadable {
                key,
                path,
                error: source,
            }
        }
    }
}
