//! Rows of the append-only CSV journals: appended whole and flushed, scanned back one at a time
//! up to the last complete line (a torn tail, left by a kill, is ignored), and read again on
//! demand by byte range, so reports never hold a journal in memory.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::Path;

use super::journal::Record;
use super::{ReportError, dir};

/// Calls `visit` with each row of the newline-terminated prefix of a CSV file, its 1-based line
/// number and its byte range, one row at a time; returns the prefix's length. A last line
/// without its newline is torn (the writer was killed) and is left out.
pub(super) fn for_each_row(
    path: &Path,
    mut visit: impl FnMut(u64, &csv::StringRecord, Range<u64>) -> Result<(), ReportError>,
) -> Result<u64, ReportError> {
    let mut file = File::open(path).map_err(ReportError::io(path))?;
    let valid = complete_len(&mut file).map_err(ReportError::io(path))?;
    file.seek(SeekFrom::Start(0))
        .map_err(ReportError::io(path))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(file.take(valid));
    let mut row = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut row) {
            Ok(true) => {}
            Ok(false) => return Ok(valid),
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                return Err(corrupt(path, line, &e.to_string()));
            }
        }
        let (line, start) = row.position().map_or((0, 0), |p| (p.line(), p.byte()));
        visit(line, &row, start..reader.position().byte())?;
    }
}

/// The length of the newline-terminated prefix of `file`, read in blocks.
fn complete_len(file: &mut File) -> io::Result<u64> {
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let (mut read, mut valid) = (0u64, 0u64);
    loop {
        let block = reader.fill_buf()?;
        if block.is_empty() {
            return Ok(valid);
        }
        if let Some(i) = block.iter().rposition(|&b| b == b'\n') {
            valid = read + i as u64 + 1;
        }
        let n = block.len();
        read += n as u64;
        reader.consume(n);
    }
}

/// Reads rows of a journal (found by `journal::scan` or `curves::complete_runs`) on demand, by byte range.
#[derive(Debug)]
pub(super) struct RowReader {
    csv: csv::Reader<File>,
    row: csv::StringRecord,
    buf: Vec<u8>,
}

impl RowReader {
    /// Opens the journal at `path`.
    pub(super) fn open(path: &Path) -> Result<Self, ReportError> {
        let file = File::open(path).map_err(ReportError::io(path))?;
        let csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(file);
        Ok(RowReader {
            csv,
            row: csv::StringRecord::new(),
            buf: Vec::new(),
        })
    }

    /// The bytes of `range`, as they are in the file.
    pub(super) fn bytes(&mut self, range: Range<u64>) -> io::Result<&[u8]> {
        let len = usize::try_from(range.end - range.start).map_err(io::Error::other)?;
        self.buf.resize(len, 0);
        let file = self.csv.get_mut();
        file.seek(SeekFrom::Start(range.start))?;
        file.read_exact(&mut self.buf)?;
        Ok(&self.buf)
    }

    /// The record of the trials.csv row starting at byte `start`, which has `params`
    /// parameter columns.
    pub(super) fn record(&mut self, start: u64, params: usize) -> io::Result<Record> {
        let mut position = csv::Position::new();
        position.set_byte(start);
        // Clears the reader's buffer, so reading raw bytes in between is harmless.
        self.csv.seek(position)?;
        if !self.csv.read_record(&mut self.row)? {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "a journal row vanished",
            ));
        }
        Record::parse(&self.row, params).map_err(|m| io::Error::new(io::ErrorKind::InvalidData, m))
    }
}

pub(super) fn corrupt(path: &Path, line: u64, message: &str) -> ReportError {
    ReportError::Corrupt {
        path: path.to_path_buf(),
        line,
        message: message.to_string(),
    }
}

pub(super) fn truncate(path: &Path, len: u64) -> Result<(), ReportError> {
    let file = dir::open_for_write(path, false)?;
    file.set_len(len).map_err(ReportError::io(path))
}

pub(super) fn write_line(path: &Path, fields: &[String], create: bool) -> Result<(), ReportError> {
    let mut file = if create {
        dir::create_new(path)
    } else {
        dir::open_for_write(path, true)
    }?;
    append_rows(&mut file, path, std::iter::once(fields.to_vec()))
}

/// Writes whole rows with one `write_all`, then flushes: a kill leaves at most a torn tail.
pub(super) fn append_rows(
    file: &mut File,
    path: &Path,
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<(), ReportError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer
            .write_record(&row)
            .map_err(|e| ReportError::io(path)(e.into()))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| ReportError::io(path)(e.into_error()))?;
    file.write_all(&bytes)
        .and_then(|()| file.flush())
        .map_err(ReportError::io(path))
}
