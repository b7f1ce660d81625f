//! IDX files (the MNIST format) → [`Table`].
//!
//! An image file is the big-endian u32s magic `0x00000803`, n, rows, cols, then n·rows·cols
//! `u8` pixels in row-major order; a label file is magic `0x00000801`, n, then n `u8` labels.
//! Either may be gzipped: gzip is recognised by its magic bytes `1f 8b`, not by the file name.
//! Pixels are kept as `u8` until the split, which scales them to [0, 1] as it copies them into
//! the f32 matrices, so loading never holds two f32 copies of the images.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;

use super::error::{DataError, quoted_list};
use super::{Table, Values};

const IMAGES_MAGIC: u32 = 0x0000_0803;
const LABELS_MAGIC: u32 = 0x0000_0801;
/// Refuse headers that promise more than this many bytes (16 GiB) before allocating.
const MAX_BYTES: u64 = 16 << 30;
/// Bytes reserved up front for the body of a gzipped file (its header is not verified yet).
const PRESIZE: usize = 1 << 30;

/// The files of one IDX pair and the keys that named them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct IdxPair<'a> {
    pub(crate) images: &'a Path,
    pub(crate) images_key: &'static str,
    pub(crate) labels: &'a Path,
    pub(crate) labels_key: &'static str,
}

/// Reads a training pair: the classes are the distinct label values, sorted. Also returns the
/// image shape (rows, cols).
pub(crate) fn read_pair(pair: IdxPair) -> Result<(Table, (usize, usize)), DataError> {
    let (pixels, rows, cols) = read_images(pair.images, pair.images_key)?;
    let labels = read_labels(pair.labels, pair.labels_key)?;
    check_lengths(&pair, &pixels, rows * cols, &labels)?;
    if labels.is_empty() {
        return Err(DataError::IdxShape {
            path: pair.images.to_path_buf(),
            problem: "the file holds no images".into(),
            hint: "data.images must hold the training images",
        });
    }
    let mut index = [usize::MAX; 256];
    for &l in &labels {
        index[usize::from(l)] = 0;
    }
    let mut classes = Vec::new();
    for (value, slot) in index.iter_mut().enumerate() {
        if *slot == 0 {
            *slot = classes.len();
            classes.push(value.to_string());
        }
    }
    let y = labels.iter().map(|&l| index[usize::from(l)]).collect();
    Ok((table(pair, pixels, rows, cols, y, classes), (rows, cols)))
}

/// Reads a test pair: same image shape as the training images, and only their classes.
pub(crate) fn read_test_pair(
    pair: IdxPair,
    train: &Table,
    train_shape: (usize, usize),
) -> Result<Table, DataError> {
    let (pixels, rows, cols) = read_images(pair.images, pair.images_key)?;
    if (rows, cols) != train_shape {
        return Err(DataError::IdxShape {
            path: pair.images.to_path_buf(),
            problem: format!(
                "images of {rows}×{cols} pixels, but the training images are {}×{}",
                train_shape.0, train_shape.1
            ),
            hint: "the test images must have the training images' size",
        });
    }
    let labels = read_labels(pair.labels, pair.labels_key)?;
    check_lengths(&pair, &pixels, rows * cols, &labels)?;
    let y = labels
        .iter()
        .enumerate()
        .map(|(i, &l)| {
            let name = l.to_string();
            train
                .classes
                .iter()
                .position(|c| *c == name)
                .ok_or_else(|| DataError::UnknownTestClass {
                    at: format!("{}: label #{}", pair.labels.display(), i + 1),
                    class: name,
                    known: quoted_list(&train.classes),
                })
        })
        .collect::<Result<_, _>>()?;
    Ok(table(pair, pixels, rows, cols, y, train.classes.clone()))
}

fn table(
    pair: IdxPair,
    pixels: Vec<u8>,
    rows: usize,
    cols: usize,
    y: Vec<usize>,
    classes: Vec<String>,
) -> Table {
    let features = (0..rows)
        .flat_map(|r| (0..cols).map(move |c| format!("pixel_{r}_{c}")))
        .collect();
    Table {
        values: Values::Pixels(pixels),
        width: rows * cols,
        y,
        classes,
        features,
        label: "label".to_string(),
        origin: pair.images.display().to_string(),
    }
}

fn check_lengths(
    pair: &IdxPair,
    pixels: &[u8],
    width: usize,
    labels: &[u8],
) -> Result<(), DataError> {
    let n_images = pixels.len() / width;
    if n_images != labels.len() {
        return Err(DataError::IdxLengthMismatch {
            which: if pair.images_key == "images" {
                "training"
            } else {
                "test"
            },
            images_key: pair.images_key,
            labels_key: pair.labels_key,
            images: pair.images.to_path_buf(),
            labels: pair.labels.to_path_buf(),
            n_images: n_images as u64,
            n_labels: labels.len() as u64,
        });
    }
    Ok(())
}

/// Pixels (row-major, n·rows·cols), rows, cols.
pub(crate) fn read_images(
    path: &Path,
    key: &'static str,
) -> Result<(Vec<u8>, usize, usize), DataError> {
    let (mut input, raw_len) = open(path, key)?;
    let mut header = [0u8; 16];
    read_header(&mut input, &mut header, path, key)?;
    let magic = be_u32(&header[0..4]);
    if magic != IMAGES_MAGIC {
        return Err(magic_error(path, "image", magic, IMAGES_MAGIC));
    }
    let n = u64::from(be_u32(&header[4..8]));
    let rows = u64::from(be_u32(&header[8..12]));
    let cols = u64::from(be_u32(&header[12..16]));
    if rows == 0 || cols == 0 {
        return Err(DataError::IdxShape {
            path: path.to_path_buf(),
            problem: format!("the header gives images of {rows}×{cols} pixels"),
            hint: "the file is corrupt; fetch it again",
        });
    }
    let pixels = read_body(&mut input, raw_len, 16, n, rows * cols, path, key)?;
    // Both fit in usize: their product was allocated.
    Ok((pixels, rows as usize, cols as usize))
}

fn read_labels(path: &Path, key: &'static str) -> Result<Vec<u8>, DataError> {
    let (mut input, raw_len) = open(path, key)?;
    let mut header = [0u8; 8];
    read_header(&mut input, &mut header, path, key)?;
    let magic = be_u32(&header[0..4]);
    if magic != LABELS_MAGIC {
        return Err(magic_error(path, "label", magic, LABELS_MAGIC));
    }
    let n = u64::from(be_u32(&header[4..8]));
    read_body(&mut input, raw_len, 8, n, 1, path, key)
}

/// Opens `path`, through a gzip decoder when it starts with the gzip magic bytes. Also returns
/// the file's length when it is not compressed (so sizes can be checked before allocating).
fn open(path: &Path, key: &'static str) -> Result<(Box<dyn Read>, Option<u64>), DataError> {
    let unreadable = |source: io::Error| DataError::opening(key, path, source);
    let file = File::open(path).map_err(unreadable)?;
    let len = file.metadata().map_err(unreadable)?.len();
    let mut input = BufReader::with_capacity(1 << 16, file);
    let start = input.fill_buf().map_err(unreadable)?;
    if start.starts_with(&[0x1f, 0x8b]) {
        Ok((Box::new(MultiGzDecoder::new(input)), None))
    } else {
        Ok((Box::new(input), Some(len)))
    }
}

fn read_header(
    input: &mut dyn Read,
    header: &mut [u8],
    path: &Path,
    key: &'static str,
) -> Result<(), DataError> {
    input.read_exact(header).map_err(|source| {
        if source.kind() == io::ErrorKind::UnexpectedEof {
            DataError::IdxShape {
                path: path.to_path_buf(),
                problem: format!(
                    "the file is shorter than an IDX header ({} bytes)",
                    header.len()
                ),
                hint: "data.images needs an idx3-ubyte image file and data.labels an idx1-ubyte \
                       label file, raw or gzipped",
            }
        } else {
            DataError::Unreadable {
                key,
                path: path.to_path_buf(),
                error: source,
            }
        }
    })
}

/// Reads exactly `items · item_bytes` bytes, and checks that nothing follows.
fn read_body(
    input: &mut dyn Read,
    raw_len: Option<u64>,
    header_len: u64,
    items: u64,
    item_bytes: u64,
    path: &Path,
    key: &'static str,
) -> Result<Vec<u8>, DataError> {
    let size_error = |expected: u64, found: String| DataError::IdxSize {
        path: path.to_path_buf(),
        items,
        item_bytes,
        expected,
        found,
    };
    let Some(expected) = items.checked_mul(item_bytes) else {
        return Err(size_error(
            u64::MAX,
            "that is more than can be addressed".into(),
        ));
    };
    if let Some(len) = raw_len {
        let found = len.saturating_sub(header_len);
        if found != expected {
            return Err(size_error(expected, format!("the file holds {found}")));
        }
    }
    let Some(size) = usize::try_from(expected)
        .ok()
        .filter(|_| expected <= MAX_BYTES)
    else {
        return Err(size_error(
            expected,
            format!("that is more than the {MAX_BYTES}-byte limit"),
        ));
    };
    // A raw file's size was checked above, so it is read into a vector sized once. A gzipped
    // file's header is not trusted that far: at most PRESIZE bytes are reserved up front.
    let mut body: Vec<u8> = Vec::new();
    let reserve = if raw_len.is_some() {
        size
    } else {
        size.min(PRESIZE)
    };
    body.try_reserve_exact(reserve)
        .map_err(|e| DataError::Unreadable {
            key,
            path: path.to_path_buf(),
            error: io::Error::new(io::ErrorKind::OutOfMemory, e.to_string()),
        })?;
    input
        .take(expected)
        .read_to_end(&mut body)
        .map_err(|source| DataError::Unreadable {
            key,
            path: path.to_path_buf(),
            error: source,
        })?;
    if body.len() != size {
        return Err(size_error(
            expected,
            format!("the data ends after {} bytes", body.len()),
        ));
    }
    let mut probe = [0u8; 1];
    match input.read(&mut probe) {
        Ok(0) => Ok(body),
        Ok(_) => Err(size_error(expected, "more bytes follow the data".into())),
        Err(source) => Err(DataError::Unreadable {
            key,
            path: path.to_path_buf(),
            error: source,
        }),
    }
}

fn magic_error(path: &Path, kind: &'static str, found: u32, expected: u32) -> DataError {
    let swapped = match found {
        IMAGES_MAGIC => "; it is an IDX image file (did you swap data.images and data.labels?)",
        LABELS_MAGIC => "; it is an IDX label file (did you swap data.images and data.labels?)",
        _ => "",
    };
    DataError::IdxMagic {
        path: path.to_path_buf(),
        kind,
        found,
        expected,
        swapped: swapped.to_string(),
    }
}

fn be_u32(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .take(4)
        .fold(0u32, |acc, &b| (acc << 8) | u32::from(b))
}
