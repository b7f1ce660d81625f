//! CSV with a header line → [`Table`], streamed record by record into one `Vec<f32>`.
//!
//! Rules: the first line names the columns; the label column is `label = "…"`, else a column
//! named `label`, else the last column; the features are `features = [...]` in the order given,
//! else every other column in file order. Fields are trimmed; a UTF-8 BOM and CRLF (or CR) line
//! endings are accepted. Labels may be any text: when every label is an integer the classes sort
//! numerically ("9" before "10") and are named in canonical form ("07" → "7"), otherwise they
//! sort as text.
//!
//! Files are read whole; a clean file (no quotes, nothing to report) is parsed in parallel by
//! [`super::csv_fast`], anything else streams through the `csv` crate here, which owns every
//! error message.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use super::csv_fast;
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
    let bytes = read_bytes(path, key)?;
    if let Some(table) = read_fast(&bytes, path, options, None) {
        return Ok(table);
    }
    read(&bytes[..], path, key, options, None)
}

/// Reads a test file: same columns (by name) as the training file, and only its classes.
pub(crate) fn read_test_file(
    path: &Path,
    key: &'static str,
    options: &CsvOptions,
    train: &Table,
) -> Result<Table, DataError> {
    let bytes = read_bytes(path, key)?;
    let lookup = ClassLookup::new(&train.classes);
    let options = CsvOptions {
        features: Some(&train.features),
        ..*options
    };
    if let Some(table) = read_fast(&bytes, path, &options, Some(&lookup)) {
        return Ok(table);
    }
    read(&bytes[..], path, key, &options, Some(&lookup))
}

/// The whole file.
fn read_bytes(path: &Path, key: &'static str) -> Result<Vec<u8>, DataError> {
    let mut bytes = Vec::new();
    open(path, key)?
        .read_to_end(&mut bytes)
        .map_err(|error| DataError::Unreadable {
            key,
            path: path.to_path_buf(),
            error,
        })?;
    Ok(bytes)
}

/// The table by the parallel fast path, or `None` when the file needs the streaming reader
/// (which then also reports any error).
fn read_fast(
    bytes: &[u8],
    path: &Path,
    options: &CsvOptions,
    known_classes: Option<&ClassLookup>,
) -> Option<Table> {
    let (columns, body) = csv_fast::split_header(bytes, options.delimiter)?;
    distinct(&columns, path).ok()?;
    let (label_col, feature_cols) = pick_columns(&columns, options, path).ok()?;
    let parsed = csv_fast::parse_body(
        body,
        options.delimiter,
        columns.len(),
        label_col,
        &feature_cols,
    )?;
    if parsed.labels.is_empty() {
        return None;
    }
    let (y, classes) = match known_classes {
        Some(lookup) => (
            parsed
                .labels
                .iter()
                .map(|l| lookup.get(l))
                .collect::<Option<Vec<usize>>>()?,
            lookup.names.clone(),
        ),
        None => {
            let (ids, seen) = csv_fast::first_appearance(&parsed.labels);
            sort_classes(ids, seen)
        }
    };
    Some(Table {
        values: Values::F32(parsed.values),
        width: feature_cols.len(),
        y,
        classes,
        features: feature_cols
            .iter()
            .map(|&c| columns[c].to_string())
            .collect(),
        label: columns[label_col].to_string(),
        origin: path.display().to_string(),
    })
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
pub(crate) struct ClassLookup {
    names: Vec<String>,
    by_name: HashMap<String, usize>,
    /// Set when every class name is an integer: "07" in a test file is class "7".
    by_number: Option<HashMap<i64, usize>>,
}

impl ClassLookup {
    pub(crate) fn new(classes: &[String]) -> ClassLookup {
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

    pub(crate) fn get(&self, label: &str) -> Option<usize> {
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
    let mut input = BufReader::with_capacity(1 << 16, input);
    let start = input.fill_buf().map_err(|error| DataError::Unreadable {
        key,
        path: path.to_path_buf(),
        error,
    })?;
    let looks_like = looks_like(start);
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(options.delimiter)
        .has_headers(true)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(LineEnds::new(input));

    let header = header(&mut reader, path, key)?;
    let columns = columns(&header, path, key, looks_like)?;
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
            values.push(parse_feature(
                &record[c], path, line, columns[c], key, looks_like,
            )?);
        }
        let label = text(record[label_col].trim_ascii(), path, key, line, looks_like)?;
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
        label: columns[label_col].to_string(),
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

pub(crate) fn parse_feature(
    field: &[u8],
    path: &Path,
    line: u64,
    column: &str,
    key: &'static str,
    looks_like: Kind,
) -> Result<f32, DataError> {
    let text = text(field.trim_ascii(), path, key, line, looks_like)?;
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

/// The header's column names are distinct: a repeated name would let `label` or `features`
/// pick one of two columns silently.
/// The header record of a CSV file; an empty file (or an empty first line) is refused.
pub(crate) fn header<R: io::Read>(
    reader: &mut ::csv::Reader<R>,
    path: &Path,
    key: &'static str,
) -> Result<::csv::ByteRecord, DataError> {
    let header = reader
        .byte_headers()
        .map_err(|e| csv_error(e, path, key))?
        .clone();
    if header.is_empty() || (header.len() == 1 && header[0].is_empty()) {
        return Err(DataError::EmptyFile {
            path: path.to_path_buf(),
        });
    }
    Ok(header)
}

/// The column names of `header`, trimmed, as UTF-8 text and each named once.
pub(crate) fn columns<'h>(
    header: &'h ::csv::ByteRecord,
    path: &Path,
    key: &'static str,
    looks_like: Kind,
) -> Result<Vec<&'h str>, DataError> {
    let columns: Vec<&str> = header
        .iter()
        .map(|field| text(field, path, key, 1, looks_like).map(str::trim))
        .collect::<Result<_, _>>()?;
    distinct(&columns, path)?;
    Ok(columns)
}

pub(crate) fn distinct(columns: &[&str], path: &Path) -> Result<(), DataError> {
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(columns.len());
    for (i, name) in columns.iter().enumerate() {
        if let Some(first) = seen.insert(name, i) {
            return Err(DataError::DuplicateColumn {
                path: path.to_path_buf(),
                name: name.to_string(),
                first: first + 1,
                second: i + 1,
            });
        }
    }
    Ok(())
}

/// A field as text: UTF-8 without NUL bytes (which only binary files hold).
pub(crate) fn text<'a>(
    field: &'a [u8],
    path: &Path,
    key: &'static str,
    line: u64,
    looks_like: Kind,
) -> Result<&'a str, DataError> {
    let problem = match std::str::from_utf8(field) {
        Ok(text) if !text.contains('\0') => return Ok(text),
        Ok(_) => "the line holds NUL bytes, as binary files do".to_string(),
        Err(e) => format!(
            "the line is not UTF-8 text (byte 0x{:02x} in a field)",
            field[e.valid_up_to()]
        ),
    };
    Err(DataError::NotText {
        path: path.to_path_buf(),
        line: Some(line),
        problem,
        hint: looks_like.hint(key),
    })
}

/// What a data file looks like from its first bytes, to say what to do with one that is not
/// CSV text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Gzip,
    Idx,
    Other,
}

pub(crate) fn looks_like(start: &[u8]) -> Kind {
    match start {
        [0x1f, 0x8b, ..] => Kind::Gzip,
        [0, 0, 0x08, 0x01 | 0x03, ..] => Kind::Idx,
        _ => Kind::Other,
    }
}

impl Kind {
    fn hint(self, key: &str) -> String {
        match self {
            Kind::Gzip => format!(
                "the file is gzip-compressed: decompress it (gunzip) and point data.{key} at the \
                 CSV; gzipped MNIST files go to data.images and data.labels"
            ),
            Kind::Idx => format!(
                "the file is an IDX (MNIST-format) file: give it as data.images or data.labels \
                 instead of data.{key}"
            ),
            Kind::Other => format!(
                "data.{key} must name a CSV text file encoded as UTF-8; re-save it as UTF-8 CSV \
                 (in a spreadsheet: \"CSV UTF-8\")"
            ),
        }
    }
}

/// A reader that turns every line ending (CRLF, or a lone CR) into LF.
///
/// Hand-written because the csv crate numbers lines by LF only and, with CRLF endings, gives
/// each record the line of the one before (BurntSushi/rust-csv#395, open): errors would point
/// one line too high. Quoted fields are affected alike (a CRLF inside quotes becomes LF); every
/// field is trimmed anyway.
pub(crate) struct LineEnds<R> {
    inner: R,
    /// The last byte read was a CR: an LF right after it is the same line ending.
    after_cr: bool,
}

impl<R> LineEnds<R> {
    pub(crate) fn new(inner: R) -> Self {
        LineEnds {
            inner,
            after_cr: false,
        }
    }
}

impl<R: Read> Read for LineEnds<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.inner.read(buf)?;
            if n == 0 {
                return Ok(0);
            }
            // Rewritten in place: the output never outruns the input.
            let mut out = 0;
            for i in 0..n {
                let b = buf[i];
                if b == b'\n' && self.after_cr {
                    self.after_cr = false;
                    continue;
                }
                self.after_cr = b == b'\r';
                buf[out] = if self.after_cr { b'\n' } else { b };
                out += 1;
            }
            // A buffer that held only the LF of a CRLF: read on rather than signal the end.
            if out > 0 {
                return Ok(out);
            }
        }
    }
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

pub(crate) fn csv_error(error: ::csv::Error, path: &Path, key: &'static str) -> DataError {
    let line = error.position().map(::csv::Position::line);
    match error.into_kind() {
        ::csv::ErrorKind::Io(source) => DataError::Unreadable {
            key,
            path: path.to_path_buf(),
            error: source,
        },
        ::csv::ErrorKind::Utf8 { err, .. } => DataError::NotText {
            path: path.to_path_buf(),
            line,
            problem: format!("field {} of the line is not UTF-8 text", err.field() + 1),
            hint: Kind::Other.hint(key),
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

    fn parts(t: &Table) -> (Vec<u32>, usize, &[usize], &[String], &[String]) {
        let Values::F32(v) = &t.values else {
            panic!("CSV values are f32")
        };
        let bits = v.iter().map(|x| x.to_bits()).collect();
        (bits, t.width, &t.y, &t.classes, &t.features)
    }

    /// The parallel fast path reads a clean file exactly as the streaming reader does (BOM,
    /// CRLF, chosen and reordered features, text labels, a test file mapped onto the classes).
    #[test]
    fn the_fast_path_reads_what_the_streaming_reader_reads() {
        let mut text = String::from("\u{feff}b ,label, a\r\n");
        for i in 0..50_000 {
            let label = ["cat", "dog", "ant"][i % 3];
            text.push_str(&format!(
                "{}.{i}e-3, {label} ,{}\r\n",
                i % 97,
                -(i as f64) / 7.0
            ));
        }
        let path = Path::new("mem.csv");
        let features = vec!["a".to_string(), "b".to_string()];
        let options = CsvOptions {
            features: Some(&features),
            ..CsvOptions::default()
        };
        let fast = read_fast(text.as_bytes(), path, &options, None).expect("a clean file");
        let slow = read(text.as_bytes(), path, "path", &options, None).unwrap();
        assert_eq!(parts(&fast), parts(&slow));
        assert_eq!(fast.classes, ["ant", "cat", "dog"]);
        let lookup = ClassLookup::new(&slow.classes);
        let fast = read_fast(text.as_bytes(), path, &options, Some(&lookup)).unwrap();
        let slow = read(text.as_bytes(), path, "path", &options, Some(&lookup)).unwrap();
        assert_eq!(parts(&fast), parts(&slow));
    }

    #[test]
    fn text_labels_sort_as_text() {
        let seen = vec!["b".to_string(), "a".into(), "c".into()];
        let (y, names) = sort_classes(vec![0, 1, 2, 0], seen);
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(y, [1, 0, 2, 1]);
    }
}
