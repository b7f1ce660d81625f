//! The predictions CSV of `hpsearch predict`: `row, predicted, p_<class>…`.

use std::io::{self, Write};

use crate::mlp::Predictions;

/// Writes one line per row: its 0-based index, the predicted class name and the probability
/// of each class (`p_` + class name, in the model's class order).
pub fn write_predictions(
    mut w: impl Write,
    classes: &[String],
    predictions: &Predictions,
) -> io::Result<()> {
    let mut out = ::csv::Writer::from_writer(&mut w);
    let header = ["row".to_string(), "predicted".to_string()]
        .into_iter()
        .chain(classes.iter().map(|c| format!("p_{c}")));
    out.write_record(header)?;
    for (i, (&class, p)) in predictions
        .classes
        .iter()
        .zip(predictions.probabilities.rows())
        .enumerate()
    {
        let row = [i.to_string(), classes[class].clone()]
            .into_iter()
            .chain(p.iter().map(|v| v.to_string()));
        out.write_record(row)?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn one_line_per_row_with_class_names() {
        let p = Predictions {
            classes: vec![1, 0],
            probabilities: array![[0.25, 0.75], [1.0, 0.0]],
        };
        let mut out = Vec::new();
        write_predictions(&mut out, &["setosa".into(), "a,b".into()], &p).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "row,predicted,p_setosa,\"p_a,b\"\n0,\"a,b\",0.25,0.75\n1,setosa,1,0\n"
        );
    }
}
