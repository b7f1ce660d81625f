//! The fast path of CSV loading: a whole file in memory, split at line ends into blocks that
//! are parsed in parallel on rayon's pool (idle while data loads), floats by `fast-float2`.
//!
//! It takes only files it can read exactly as [`super::csv`]'s streaming reader would: no quote
//! character anywhere, valid UTF-8 without NUL bytes, LF or CRLF line ends, no blank line inside,
//! and every field clean (right number of fields, finite features, a label). On anything else —
//! every error included — it steps aside and the streaming reader reads the file, so every error
//! message and line number stays exactly as it was; the fast path only has to be right about
//! files that load.

use std::collections::HashMap;

use rayon::prelude::*;

/// Bytes per block handed to one rayon task.
const BLOCK_BYTES: usize = 1 << 20;

/// The parsed body of a file: features row-major and each row's label text.
pub(super) struct Body<'a> {
    /// Row-major feature values, `feature_cols.len()` per row.
    pub(super) values: Vec<f32>,
    /// Each row's label, trimmed, non-empty.
    pub(super) labels: Vec<&'a str>,
}

/// The header line's column names (BOM dropped, trimmed) and the body after it, or `None` when
/// the file is not one the fast path takes.
pub(super) fn split_header(bytes: &[u8], delimiter: u8) -> Option<(Vec<&str>, &str)> {
    if memchr::memchr(b'"', bytes).is_some() || memchr::memchr(0, bytes).is_some() {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let end = memchr::memchr(b'\n', text.as_bytes())?;
    let header = text[..end].strip_suffix('\r').unwrap_or(&text[..end]);
    if header.contains('\r') || header.is_empty() {
        return None;
    }
    let columns = header.split(char::from(delimiter)).map(str::trim).collect();
    Some((columns, &text[end + 1..]))
}

/// Parses `body` (the lines after the header) into features `feature_cols` and the label in
/// `label_col`, each line holding exactly `n_columns` fields; `None` when any line is not clean.
pub(super) fn parse_body<'a>(
    body: &'a str,
    delimiter: u8,
    n_columns: usize,
    label_col: usize,
    feature_cols: &[usize],
) -> Option<Body<'a>> {
    let blocks = blocks(body.as_bytes());
    let parsed: Vec<Option<Body<'a>>> = blocks
        .par_iter()
        .map(|&(start, end)| {
            parse_block(
                &body[start..end],
                delimiter,
                n_columns,
                label_col,
                feature_cols,
            )
        })
        .collect();
    let mut out = Body {
        values: Vec::with_capacity(parsed.iter().flatten().map(|b| b.values.len()).sum()),
        labels: Vec::with_capacity(parsed.iter().flatten().map(|b| b.labels.len()).sum()),
    };
    for block in parsed {
        let block = block?;
        out.values.extend_from_slice(&block.values);
        out.labels.extend_from_slice(&block.labels);
    }
    // The last line may end without a line end; a blank last line is the file's final LF.
    Some(out)
}

/// Byte ranges of about [`BLOCK_BYTES`] each, cut just after an LF.
fn blocks(body: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < body.len() {
        let target = (start + BLOCK_BYTES).min(body.len());
        let end = match memchr::memchr(b'\n', &body[target..]) {
            Some(i) if target < body.len() => target + i + 1,
            _ => body.len(),
        };
        out.push((start, end));
        start = end;
    }
    out
}

fn parse_block<'a>(
    block: &'a str,
    delimiter: u8,
    n_columns: usize,
    label_col: usize,
    feature_cols: &[usize],
) -> Option<Body<'a>> {
    let mut values = Vec::with_capacity(block.len() / 4);
    let mut labels = Vec::new();
    // Fields of one line, reused.
    let mut fields: Vec<&str> = Vec::with_capacity(n_columns);
    let lines = block.strip_suffix('\n').unwrap_or(block);
    for line in lines.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() || line.contains('\r') {
            return None;
        }
        fields.clear();
        fields.extend(line.split(char::from(delimiter)));
        if fields.len() != n_columns {
            return None;
        }
        for &c in feature_cols {
            let v: f32 = fast_float2::parse(fields[c].trim_ascii()).ok()?;
            if !v.is_finite() {
                return None;
            }
            values.push(v);
        }
        let label = fields[label_col].trim_ascii();
        if label.is_empty() {
            return None;
        }
        labels.push(label);
    }
    Some(Body { values, labels })
}

/// Class ids in order of first appearance and the labels in that order (as the streaming
/// reader numbers them before sorting).
pub(super) fn first_appearance(labels: &[&str]) -> (Vec<usize>, Vec<String>) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut order = Vec::new();
    let ids = labels
        .iter()
        .map(|&l| {
            *seen.entry(l).or_insert_with(|| {
                order.push(l.to_string());
                order.len() - 1
            })
        })
        .collect();
    (ids, order)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// fast-float2 reads what `str::parse::<f32>` reads, to the same bits, on the spellings a
    /// CSV holds; what it refuses goes to the streaming reader anyway.
    #[test]
    fn floats_parse_as_the_standard_library_does() {
        for s in [
            "0",
            "-0",
            "1",
            "+1",
            "1.5",
            ".5",
            "5.",
            "-.25",
            "1e5",
            "1E-5",
            "1e+5",
            "3.4028235e38",
            "1e-45",
            "1e-50",
            "0.1",
            "123456789012345678901234567890",
            "7.006492e-46",
            "0.30000000000000004",
            "255",
        ] {
            let want: f32 = s.parse().unwrap();
            let got: f32 = fast_float2::parse(s).unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "{s}");
        }
        for s in ["", "1,5", "1e", "e5", "--1", "1.2.3", "0x10", "1_000", " 1"] {
            assert!(s.parse::<f32>().is_err(), "{s}");
            assert!(fast_float2::parse::<f32, _>(s).is_err(), "{s}");
        }
    }

    #[test]
    fn blocks_cut_after_line_ends_and_cover_everything() {
        let line = "1,2,3\n";
        let body = line.repeat(BLOCK_BYTES / line.len() * 3 + 7);
        let blocks = blocks(body.as_bytes());
        assert!(blocks.len() >= 3);
        assert_eq!(blocks[0].0, 0);
        assert_eq!(blocks.last().unwrap().1, body.len());
        for w in blocks.windows(2) {
            assert_eq!(w[0].1, w[1].0);
            assert_eq!(body.as_bytes()[w[0].1 - 1], b'\n');
        }
        let parsed = parse_body(&body, b',', 3, 2, &[0, 1]).unwrap();
        assert_eq!(parsed.labels.len(), BLOCK_BYTES / line.len() * 3 + 7);
    }

    #[test]
    fn anything_unusual_steps_aside() {
        for body in [
            "1,a\n\n2,b\n",
            "1,a\r3,b\n",
            "1,a,x\n",
            "x,a\n",
            "inf,a\n",
            "1,\n",
        ] {
            assert!(parse_body(body, b',', 2, 1, &[0]).is_none(), "{body:?}");
        }
        assert!(split_header(b"a,\"b\"\n1,2\n", b',').is_none());
        let (columns, body) = split_header("\u{feff}a , b\r\n1,2\r\n".as_bytes(), b',').unwrap();
        assert_eq!(columns, ["a", "b"]);
        let parsed = parse_body(body, b',', 2, 1, &[0]).unwrap();
        assert_eq!((parsed.values, parsed.labels), (vec![1.0], vec!["2"]));
    }
}
