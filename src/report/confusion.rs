//! confusion.csv: the winner's confusion matrix, `actual,<class names…>`, one row per actual
//! class, in the data's class order.

use std::io::{self, Write};

use crate::objective::ConfusionMatrix;

/// Writes `matrix` with the class names `classes`.
pub fn write_confusion(
    out: &mut dyn Write,
    classes: &[String],
    matrix: &ConfusionMatrix,
) -> io::Result<()> {
    let mut csv = ::csv::Writer::from_writer(out);
    csv.write_record(std::iter::once("actual").chain(classes.iter().map(String::as_str)))?;
    for (class, row) in classes.iter().zip(matrix.counts()) {
        csv.write_record(std::iter::once(class.clone()).chain(row.iter().map(u64::to_string)))?;
    }
    csv.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_then_one_row_per_actual_class() {
        let m = ConfusionMatrix::new(2, &[0, 0, 1], &[0, 1, 1]);
        let mut out = Vec::new();
        write_confusion(&mut out, &["no".into(), "yes".into()], &m).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "actual,no,yes\nno,1,1\nyes,0,1\n"
        );
    }
}
