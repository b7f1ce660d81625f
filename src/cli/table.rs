//! Plain-text tables for the terminal: left-aligned columns separated by two spaces.

/// Renders `rows` under `headers`, each column as wide as its widest cell.
pub fn render(headers: &[String], rows: &[Vec<String>]) -> String {
    let widths = widths(headers, rows.iter().map(Vec::as_slice));
    let mut out = String::new();
    for row in std::iter::once(headers).chain(rows.iter().map(Vec::as_slice)) {
        out.push_str(&line(row, &widths));
        out.push('\n');
    }
    out
}

/// The width of each column: its widest cell, header included (rows streamed twice are
/// measured with this, then printed with [`line`]).
pub fn widths<'a>(headers: &[String], rows: impl IntoIterator<Item = &'a [String]>) -> Vec<usize> {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    widths
}

/// One row padded to `widths`, without trailing spaces or newline.
pub fn line(row: &[String], widths: &[usize]) -> String {
    let cells: Vec<String> = row
        .iter()
        .zip(widths)
        .map(|(c, &w)| format!("{c:<w$}"))
        .collect();
    cells.join("  ").trim_end().to_string()
}

/// A CSV cell made short for a terminal: a real number keeps 4 significant digits (exact
/// values stay in the CSV files); anything else is unchanged.
pub fn short(cell: &str) -> String {
    match cell.parse::<f64>() {
        Ok(x) if cell.contains(['.', 'e']) && x.is_finite() && x != 0.0 => {
            let magnitude = x.abs().log10().floor() as i32;
            if (-3..6).contains(&magnitude) {
                let decimals = (3 - magnitude).max(0) as usize;
                let text = format!("{x:.decimals$}");
                if text.contains('.') {
                    text.trim_end_matches('0').trim_end_matches('.').to_string()
                } else {
                    text
                }
            } else {
                format!("{x:.3e}")
            }
        }
        _ => cell.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_keeps_four_significant_digits_of_reals_only() {
        assert_eq!(short("0.05477225575051663"), "0.05477");
        assert_eq!(short("0.3"), "0.3");
        assert_eq!(short("123.456789"), "123.5");
        assert_eq!(short("0.000056837741076959806"), "5.684e-5");
        assert_eq!(short("32"), "32");
        assert_eq!(short("relu"), "relu");
        assert_eq!(short("[128, 64]"), "[128, 64]");
        assert_eq!(short(""), "");
    }

    #[test]
    fn columns_align_to_the_widest_cell() {
        let table = render(
            &["a".into(), "bb".into()],
            &[vec!["long".into(), "x".into()]],
        );
        assert_eq!(table, "a     bb\nlong  x\n");
    }
}
