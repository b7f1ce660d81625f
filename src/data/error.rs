//! Everything that can go wrong while checking or loading data.
//!
//! Each message names the place (file, 1-based line as an editor shows it, column name), the
//! offending value and the rule, then a `hint:` line saying what to do.

use std::borrow::Cow;
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
        "data.builtin: unknown data set {}{suggestion}\nhint: the built-in data sets are {known}",
        quoted(name)
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
    #[error("data.{key}: {rule}, got {}\nhint: {hint}", clip(value))]
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

    /// A referenced path that exists but is not a regular file (a folder, a device, a FIFO, …).
    #[error(
        "{}: data.{key} names {what}, not a regular file\nhint: data.{key} must name a data file \
         (relative paths are resolved against the folder of the space file)",
        path.display()
    )]
    NotAFile {
        /// The key that names it.
        key: &'static str,
        /// The path, resolved.
        path: PathBuf,
        /// What it is: `"a folder"`, `"a character device"`, `"a FIFO (named pipe)"`, ….
        what: &'static str,
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

    /// Two columns of a CSV header with the same name.
    #[error(
        "{}:1: column {} appears twice in the header, as column {first} and column {second}\n\
         hint: give every column its own name, so that data.label and data.features pick one \
         column each",
        path.display(),
        quoted(name)
    )]
    DuplicateColumn {
        /// The file.
        path: PathBuf,
        /// The repeated name.
        name: String,
        /// 1-based position of its first occurrence.
        first: usize,
        /// 1-based position of its second occurrence.
        second: usize,
    },

    /// A data file that is not text (binary, or not UTF-8) where text is expected.
    #[error(
        "{}{}: not CSV text: {problem}\nhint: {hint}",
        path.display(),
        line.map(|l| format!(":{l}")).unwrap_or_default()
    )]
    NotText {
        /// The file.
        path: PathBuf,
        /// 1-based line, when known.
        line: Option<u64>,
        /// What was found.
        problem: String,
        /// What to do (it depends on what the file looks like).
        hint: String,
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
        "{}:{line}: column {}: {} is {problem}\nhint: feature columns must hold finite numbers; \
         fix the value, or choose the numeric columns with data.features = [...]",
        path.display(),
        quoted(column),
        quoted(value)
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
        "{}:{line}: column {}: the label is empty\nhint: every row needs a class in the label \
         column",
        path.display(),
        quoted(column)
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
        "{}:1: no label column {}; the columns are {columns}\nhint: set data.label to the \
         column that holds the class",
        path.display(),
        quoted(label)
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
        "{}:1: data.features names {}, {problem}; the columns are {columns}\n\
         hint: list feature columns from the header, other than the label",
        path.display(),
        quoted(feature)
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
        "{}:1: the only column is the label {}; there are no features\nhint: a CSV needs at \
         least one feature column besides the label",
        path.display(),
        quoted(label)
    )]
    NoFeatures {
        /// The file.
        path: PathBuf,
        /// The label column.
        label: String,
    },

    /// The CSV reader failed (an unexpected parser error).
    #[error("{}{}: {message}\nhint: save the file as UTF-8 CSV text", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
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
        "{at}: class {} does not occur in the training data, whose classes are {known}\n\
         hint: the test file must use the training file's classes",
        quoted(class)
    )]
    UnknownTestClass {
        /// `file:line` or `file: label #i`.
        at: String,
        /// The class as written.
        class: String,
        /// The training classes, listed.
        known: String,
    },

    /// A column the model needs is not in the file to predict.
    #[error(
        "{}:1: no column {}, which the model takes as input; the columns are {columns}\n\
         hint: give the file every feature column the model was trained on (by name, in any order)",
        path.display(),
        quoted(column)
    )]
    MissingInput {
        /// The file.
        path: PathBuf,
        /// The missing column.
        column: String,
        /// The header's columns, listed.
        columns: String,
    },

    /// A label the model does not know in the file to predict.
    #[error(
        "{at}: class {} is not one of the model's classes {known}\nhint: drop the label column to \
         predict without scoring, or fix the label",
        quoted(class)
    )]
    UnknownClass {
        /// `file:line`.
        at: String,
        /// The class as written.
        class: String,
        /// The model's classes, listed.
        known: String,
    },

    /// An input of the wrong kind or size for the model.
    #[error("{}: {problem}\nhint: {hint}", path.display())]
    WrongInput {
        /// The file.
        path: PathBuf,
        /// What does not fit.
        problem: String,
        /// What to give instead.
        hint: &'static str,
    },

    /// Only one class in the data.
    #[error(
        "{origin}: every sample has the class {}; a classifier needs at least two classes\n\
         hint: {hint}",
        quoted(class)
    )]
    SingleClass {
        /// The data's origin (file or built-in name).
        origin: String,
        /// The one class.
        class: String,
        /// What to check, which depends on the source (a CSV's label column, an IDX label file).
        hint: &'static str,
    },

    /// A class too small to appear in every split.
    #[error(
        "{origin}: class {} has {count} sample(s), which leaves {train} for training \
         and {validation} for validation with validation = {validation_fraction}, test = \
         {test_fraction}; training and validation each need at least one of every class\n\
         hint: add samples of this class, remove it from the data, or change data.validation \
         and data.test",
        quoted(class)
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

    /// A class with fewer samples than cross-validation folds.
    #[error(
        "{origin}: class {class:?} has {count} sample{s} outside the test split, fewer than \
         data.folds = {folds}: stratified folds need one sample of every class per fold\n\
         hint: lower data.folds to at most {count}, or add samples of this class",
        s = if *count == 1 { "" } else { "s" }
    )]
    FoldClassTooSmall {
        /// The data's origin.
        origin: String,
        /// The class name.
        class: String,
        /// Its samples outside the test split.
        count: usize,
        /// The number of folds asked for.
        folds: usize,
    },

    /// A test fraction that gives no test sample (e.g. `test = 0.01` of 40 samples).
    #[error(
        "{origin}: data.test = {fraction} of {samples} samples gives {reason}, so there would \
         be no test split\nhint: {hint}"
    )]
    EmptyTestSplit {
        /// The data's origin.
        origin: String,
        /// The test fraction.
        fraction: f64,
        /// Samples in the data.
        samples: usize,
        /// Why the split is empty, e.g. `0.4 test samples, which rounds to 0`.
        reason: String,
        /// What to do, e.g. the smallest fraction that gives one sample.
        hint: String,
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
        "{}: {n_images} images, but {} has {n_labels} labels (the {which} pair, \
         data.{images_key} and data.{labels_key})\nhint: images and labels must come from the \
         same set (train-images with train-labels, t10k-images with t10k-labels)",
        images.display(),
        labels.display()
    )]
    IdxLengthMismatch {
        /// `"training"` or `"test"`.
        which: &'static str,
        /// The key naming the image file (`images`, `test_images`).
        images_key: &'static str,
        /// The key naming the label file (`labels`, `test_labels`).
        labels_key: &'static str,
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

/// Longest text (in characters) a message echoes whole; longer values are cut by [`clip`].
pub(crate) const ECHO_CHARS: usize = 80;

/// `text` as a message echoes it: whole when it has at most [`ECHO_CHARS`] characters, else
/// its start and its length, `0.1,0.2,0.3… (1048576 bytes)`, so that a 1 MB cell or a binary
/// file's first line gives a readable message, not a megabyte of stderr.
pub(crate) fn clip(text: &str) -> Cow<'_, str> {
    match head(text) {
        None => Cow::Borrowed(text),
        Some(head) => Cow::Owned(format!("{head}… ({} bytes)", text.len())),
    }
}

/// `"text"` with Rust's escapes (`{:?}`), cut like [`clip`]; the length stays outside the quotes.
pub(crate) fn quoted(text: &str) -> String {
    match head(text) {
        None => format!("{text:?}"),
        Some(head) => format!("{head:?}… ({} bytes)", text.len()),
    }
}

/// The first characters of `text` when it is too long to echo whole.
fn head(text: &str) -> Option<&str> {
    text.char_indices().nth(ECHO_CHARS)?;
    let end = text
        .char_indices()
        .nth(ECHO_CHARS - 20)
        .map_or(text.len(), |(i, _)| i);
    Some(&text[..end])
}

/// `"a", "b", "c"` — for messages that list names.
pub(crate) fn quoted_list<S: AsRef<str>>(names: &[S]) -> String {
    const MAX: usize = 20;
    let mut out: Vec<String> = names.iter().take(MAX).map(|n| quoted(n.as_ref())).collect();
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
