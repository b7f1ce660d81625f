//! CSV with a header line → [`Table`], streamed record by record into one `Vec<f32>`.
//!
//! Rules: the first line names the columns; the label column is `label = "…"`, else a column
//! named `label`, else the last column; the features are `features = [...]` in the order given,
//! else every other column in file order. Fields are trimmed; a UTF-8 BOM and CRLF (or CR) line
//! endings are accepted. Labels may be any text: when every label is an integer the classes sort
//! numerically ("9" before "10") and are named in canonical form ("07" → "7"), otherwise they
//! sort as text.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use super::error::{DataError, quoted_list};
use super::{Table, Values};

/// How to read a CSV file (from the `[data]` table).
#[derive(Clone, Copy, Debug)]
pub(crate) struct CsvOptions<'a> {
    /// The label column, if named.
    pub(crate) label: Option<&'a str>,
    /// The feature columns, if chosen.
    pub(crate) features: Option<&'a [String]>,
    /// The field delimiter.
    pub(crate) delimiter: u8,
}

impl Default for CsvOptions<'_> {
    fn default() -> Self {
        CsvOptions {
            label: None,
            features: None,
            delimiter: b',',
        }
    }
}

/// Reads a training file: the classes are the labels found in it.
pub(crate) fn read_file(
    path: &Path,
    key: &'static str,
    options: &CsvOptions,
) -> Result<Table, DataError> {
    let file = open(path, key)?;
    read(file, path, key, options, None)
}

/// Reads a test file: same columns (by name) as the training file, and only its classes.
pub(crate) fn read_test_file(
    path: &Path,
    key: &'static str,
    options: &CsvOptions,
    train: &Table,
) -> Result<Table, DataError> {
    let file = open(path, key)?;
    let lookup = ClassLookup::new(&train.classes);
    let options = CsvOptions {
        features: Some(&train.features),
        ..*options
    };
    read(file, path, key, &options, Some(&lookup))
}

/// Reads a compiled-in CSV text with default options; `origin` stands for the file name.
pub(crate) fn read_str(text: &str, origin: &str) -> Result<Table, DataError> {
    read(
        text.as_bytes(),
        Path::new(origin),
        "builtin",
        &CsvOptions::default(),
        None,
    )
}

fn open(path: &Path, key: &'static str) -> Result<File, DataError> {
    File::open(path).map_err(|source| DataError::opening(key, path, source))
}

/// The training classes, to map a test file's labels onto.
struct ClassLookup {
    names: Vec<String>,
    by_name: HashMap<String, usize>,
    /// Set when every class name is an integer: "07" in a test file is class "7".
    by_number: Option<HashMap<i64, usize>>,
}

impl ClassLookup {
    fn new(classes: &[String]) -> ClassLookup {
        let by_name = classes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.clone(), i))
            .collect();
        let by_number = classes
            .iter()
            .enumerate()
            .map(|(i, c)| c.parse::<i64>().ok().map(|n| (n, i)))
            .collect();
        ClassLookup {
            names: classes.to_vec(),
            by_name,
            by_number,
        }
    }

    fn get(&self, label: &str) -> Option<usize> {
        match &self.by_number {
            Some(by_number) => label
                .parse::<i64>()
                .ok()
                .and_then(|n| by_number.get(&n).copied()),
            None => self.by_name.get(label).copied(),
        }
    }
}

fn read<R: Read>(
    input: R,
    path: &Path,
    key: &'static str,
    options: &CsvOptions,
    known_classes: Option<&ClassLookup>,
) -> Result<Table, DataError> {
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(options.delimiter)
        .has_headers(true)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(input);

    let header = reader
        .headers()
        .map_err(|e| csv_error(e, path, key))?
        .clone();
    if header.is_empty() || (header.len() == 1 && header[0].is_empty()) {
        return Err(DataError::EmptyFile {
            path: path.to_path_buf(),
        });
    }
    let columns: Vec<&str> = header.iter().map(str::trim).collect();
    let (label_col, feature_cols) = pick_columns(&columns, options, path)?;
    let width = feature_cols.len();
    let feature_names: Vec<String> = feature_cols
        .iter()
        .map(|&c| columns[c].to_string())
        .collect();

    let mut values: Vec<f32> = Vec::new();
    let mut ids: Vec<usize> = Vec::new();
    // Labels in order of first appearance, before sorting (training files only).
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut seen_order: Vec<String> = Vec::new();

    // Byte records, trimmed field by field: no UTF-8 check or trimming of the whole row.
    let mut record = ::csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(e, path, key)),
        }
        let line = record.position().map_or(0, ::csv::Position::line);
        if record.len() != columns.len() {
            return Err(DataError::RaggedRow {
                path: path.to_path_buf(),
                line,
                expected: columns.len(),
                found: record.len(),
                delimiter: char::from(options.delimiter),
            });
        }
        for &c in &feature_cols {
            values.push(parse_feature(&record[c], path, line, columns[c])?);
        }
        let label = String::from_utf8_lossy(record[label_col].trim_ascii());
        let label = label.as_ref();
        if label.is_empty() {
            return Err(DataError::EmptyLabel {
                path: path.to_path_buf(),
                line,
                column: columns[label_col].to_string(),
            });
        }
        let id = match known_classes {
            Some(lookup) => lookup
                .get(label)
                .ok_or_else(|| DataError::UnknownTestClass {
                    at: format!("{}:{line}", path.display()),
                    class: label.to_string(),
                    known: quoted_list(&lookup.names),
                })?,
            None => match seen.get(label) {
                Some(&id) => id,
                None => {
                    seen.insert(label.to_string(), seen_order.len());
                    seen_order.push(label.to_string());
                    seen_order.len() - 1
                }
            },
        };
        ids.push(id);
    }
    if ids.is_empty() {
        return Err(DataError::HeaderOnly {
            path: path.to_path_buf(),
        });
    }

    let (y, classes) = match known_classes {
        Some(lookup) => (ids, lookup.names.clone()),
        None => sort_classes(ids, seen_order),
    };
    Ok(Table {
        values: Values::F32(values),
        width,
        y,
        classes,
        features: feature_names,
        origin: path.display().to_string(),
    })
}

/// The label column and the feature columns, by index into the header.
fn pick_columns(
    columns: &[&str],
    options: &CsvOptions,
    path: &Path,
) -> Result<(usize, Vec<usize>), DataError> {
    let label_col = match options.label {
        Some(name) => {
            columns
                .iter()
                .position(|c| *c == name)
                .ok_or_else(|| DataError::LabelNotFound {
                    path: path.to_path_buf(),
                    label: name.to_string(),
                    columns: quoted_list(columns),
                })?
        }
        None => columns
            .iter()
            .position(|c| *c == "label")
            .unwrap_or(columns.len() - 1),
    };
    let feature_cols: Vec<usize> = match options.features {
        Some(names) => names
            .iter()
            .map(|name| match columns.iter().position(|c| c == name) {
                Some(c) if c == label_col => Err(DataError::FeatureNotFound {
                    path: path.to_path_buf(),
                    feature: name.clone(),
                    problem: "which is the label column",
                    columns: quoted_list(columns),
                }),
                Some(c) => Ok(c),
                None => Err(DataError::FeatureNotFound {
                    path: path.to_path_buf(),
                    feature: name.clone(),
                    problem: "which is not in the header",
                    columns: quoted_list(columns),
                }),
            })
            .collect::<Result<_, _>>()?,
        None => (0..columns.len()).filter(|&c| c != label_col).collect(),
    };
    if feature_cols.is_empty() {
        return Err(DataError::NoFeatures {
            path: path.to_path_buf(),
            label: columns[label_col].to_string(),
        });
    }
    Ok((label_col, feature_cols))
}

fn parse_feature(field: &[u8], path: &Path, line: u64, column: &str) -> Result<f32, DataError> {
    let field = field.trim_ascii();
    // `from_utf8` is the fast check; the lossy copy only serves the message of a bad value.
    let lossy;
    let text = match std::str::from_utf8(field) {
        Ok(text) => text,
        Err(_) => {
            lossy = String::from_utf8_lossy(field);
            lossy.as_ref()
        }
    };
    let problem = match text.parse::<f32>() {
        Ok(v) if v.is_finite() => return Ok(v),
        Ok(_) if text.parse::<f64>().is_ok_and(f64::is_finite) => {
            "outside the range of f32 (about ±3.4e38)"
        }
        Ok(_) => "not a finite number",
        Err(_) if text.is_empty() => "empty (a missing value)",
        Err(_) => "not a number",
    };
    Err(DataError::BadFeature {
        path: path.to_path_buf(),
        line,
        column: column.to_string(),
        value: text.to_string(),
        problem,
    })
}

/// Sorts the classes (numerically when all are integers) and renumbers `ids` to match.
fn sort_classes(ids: Vec<usize>, seen: Vec<String>) -> (Vec<usize>, Vec<String>) {
    let numbers: Option<Vec<i64>> = seen.iter().map(|s| s.parse::<i64>().ok()).collect();
    let (names, new_id): (Vec<String>, Vec<usize>) = match numbers {
        Some(numbers) => {
            let mut distinct = numbers.clone();
            distinct.sort_unstable();
            distinct.dedup();
            let new_id = numbers
                .iter()
                .map(|n| distinct.binary_search(n).unwrap_or_default())
                .collect();
            (distinct.iter().map(i64::to_string).collect(), new_id)
        }
        None => {
            let mut order: Vec<usize> = (0..seen.len()).collect();
            order.sort_by(|&a, &b| seen[a].cmp(&seen[b]));
            let mut new_id = vec![0; seen.len()];
            for (rank, &old) in order.iter().enumerate() {
                new_id[old] = rank;
            }
            (order.iter().map(|&i| seen[i].clone()).collect(), new_id)
        }
    };
    let y = ids.into_iter().map(|id| new_id[id]).collect();
    (y, names)
}

fn csv_error(error: ::csv::Error, path: &Path, key: &'static str) -> DataError {
    let line = error.position().map(::csv::Position::line);
    match error.into_kind() {
        ::csv::ErrorKind::Io(source) => DataError::Unreadable {
            key,
            path: path.to_path_buf(),
            error: source,
        },
        ::csv::ErrorKind::Utf8 { err, .. } => DataError::Csv {
            path: path.to_path_buf(),
            line,
            message: format!("invalid UTF-8 in field {}", err.field() + 1),
        },
        other => DataError::Csv {
            path: path.to_path_buf(),
            line,
            message: format!("{other:?}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_labels_sort_numerically_and_merge_spellings() {
        let seen = vec!["10".to_string(), "9".into(), "09".into(), "-1".into()];
        let (y, names) = sort_classes(vec![0, 1, 2, 3, 0], seen);
        assert_eq!(names, ["-1", "9", "10"]);
        assert_eq!(y, [2, 1, 1, 0, 2]);
    }

    #[test]
    fn text_labels_sort_as_text() {
        let seen = vec!["b".to_string(), "a".into(), "c".into()];
        let (y, names) = sort_classes(vec![0, 1, 2, 0], seen);
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(y, [1, 0, 2, 1]);
    }
}
