//! Rows to predict: a CSV file whose columns are matched to the model's features by name (in
//! any order, extra columns ignored, the label column optional), or an IDX images file; then
//! prepared as the training rows were ([`Preprocessing`]).

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use ndarray::Array2;

use super::csv::{self, ClassLookup, LineEnds, csv_error, looks_like, parse_feature, text};
use super::error::{DataError, quoted_list};
use super::idx;
use super::{DataError as E, Preprocessing};

/// Rows ready for the network, and their classes when the file has the label column.
#[derive(Clone, Debug, PartialEq)]
pub struct Inputs {
    /// The prepared features.
    ///
    /// # Shapes
    /// (rows, features).
    pub x: Array2<f32>,
    /// The class index of each row, when the file has labels.
    pub y: Option<Vec<usize>>,
}

const KEY: &str = "DATA";

/// Reads `path` for a model with `features` (in input order), `classes` and `prep`.
///
/// # Errors
/// An unreadable file, a missing feature column, a value that is not a number, a label the
/// model does not know, no rows, or (IDX) images of another size than the model's inputs.
pub fn read_inputs(
    path: &Path,
    features: &[String],
    classes: &[String],
    prep: &Preprocessing,
) -> Result<Inputs, DataError> {
    let mut inputs = if prep.pixels {
        read_images(path, features.len())?
    } else {
        read_csv(path, features, classes, &prep.label)?
    };
    prep.apply(&mut inputs.x);
    Ok(inputs)
}

fn read_images(path: &Path, width: usize) -> Result<Inputs, DataError> {
    let (pixels, rows, cols) = idx::read_images(path, KEY)?;
    if rows * cols != width {
        return Err(E::WrongInput {
            path: path.to_path_buf(),
            problem: format!(
                "images of {rows}×{cols} = {} pixels; the model takes {width} inputs",
                rows * cols
            ),
            hint: "give images of the size the model was trained on",
        });
    }
    if pixels.is_empty() {
        return Err(E::WrongInput {
            path: path.to_path_buf(),
            problem: "the file holds no images".to_string(),
            hint: "give at least one image",
        });
    }
    let n = pixels.len() / width;
    let x = pixels.iter().map(|&p| f32::from(p) / 255.0).collect();
    let x = Array2::from_shape_vec((n, width), x).expect("n × width pixels");
    Ok(Inputs { x, y: None })
}

fn read_csv(
    path: &Path,
    features: &[String],
    classes: &[String],
    label: &str,
) -> Result<Inputs, DataError> {
    let file = File::open(path).map_err(|e| DataError::opening(KEY, path, e))?;
    let mut input = BufReader::with_capacity(1 << 16, file);
    let start = input.fill_buf().map_err(|error| DataError::Unreadable {
        key: KEY,
        path: path.to_path_buf(),
        error,
    })?;
    let kind = looks_like(start);
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(LineEnds::new(input));
    let header = csv::header(&mut reader, path, KEY)?;
    let columns = csv::columns(&header, path, KEY, kind)?;
    let index: HashMap<&str, usize> = columns.iter().enumerate().map(|(i, c)| (*c, i)).collect();
    let picked: Vec<usize> = features
        .iter()
        .map(|f| {
            index
                .get(f.as_str())
                .copied()
                .ok_or_else(|| E::MissingInput {
                    path: path.to_path_buf(),
                    column: f.clone(),
                    columns: quoted_list(&columns),
                })
        })
        .collect::<Result<_, _>>()?;
    let label_col = index.get(label).copied();
    let lookup = ClassLookup::new(classes);

    let (mut values, mut y) = (Vec::new(), Vec::new());
    let mut record = ::csv::ByteRecord::new();
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(e, path, KEY))?
    {
        let line = record.position().map_or(0, ::csv::Position::line);
        if record.len() != columns.len() {
            return Err(DataError::RaggedRow {
                path: path.to_path_buf(),
                line,
                expected: columns.len(),
                found: record.len(),
                delimiter: ',',
            });
        }
        for &c in &picked {
            values.push(parse_feature(
                &record[c], path, line, columns[c], KEY, kind,
            )?);
        }
        if let Some(c) = label_col {
            let class = text(record[c].trim_ascii(), path, KEY, line, kind)?;
            y.push(lookup.get(class).ok_or_else(|| E::UnknownClass {
                at: format!("{}:{line}", path.display()),
                class: class.to_string(),
                known: quoted_list(classes),
            })?);
        }
    }
    let rows = values.len() / features.len().max(1);
    if rows == 0 {
        return Err(DataError::HeaderOnly {
            path: path.to_path_buf(),
        });
    }
    let x = Array2::from_shape_vec((rows, features.len()), values).expect("rows × features");
    Ok(Inputs {
        x,
        y: label_col.map(|_| y),
    })
}
