//! The confusion matrix of a classifier's predictions, and the macro F1 score it gives.

/// Counts of samples by actual class (rows) and predicted class (columns).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfusionMatrix {
    counts: Vec<Vec<u64>>,
}

impl ConfusionMatrix {
    /// The matrix of `classes` classes for `actual` and `predicted` class indices (each
    /// `< classes`, paired by position).
    pub fn new(classes: usize, actual: &[usize], predicted: &[usize]) -> Self {
        let mut counts = vec![vec![0; classes]; classes];
        for (&a, &p) in actual.iter().zip(predicted) {
            counts[a][p] += 1;
        }
        ConfusionMatrix { counts }
    }

    /// `counts()[i][j]`: samples of actual class i predicted as class j.
    pub fn counts(&self) -> &[Vec<u64>] {
        &self.counts
    }

    /// The macro F1 of the counts ([`crate::mlp::macro_f1`]).
    pub fn macro_f1(&self) -> f64 {
        let k = self.counts.len();
        let tp: Vec<u64> = (0..k).map(|c| self.counts[c][c]).collect();
        let actual: Vec<u64> = self.counts.iter().map(|row| row.iter().sum()).collect();
        let predicted: Vec<u64> = (0..k)
            .map(|c| self.counts.iter().map(|row| row[c]).sum())
            .collect();
        crate::mlp::macro_f1(&tp, &actual, &predicted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_macro_f1_by_hand() {
        // actual:    0 0 0 1 1 2
        // predicted: 0 0 1 1 2 2
        let m = ConfusionMatrix::new(3, &[0, 0, 0, 1, 1, 2], &[0, 0, 1, 1, 2, 2]);
        assert_eq!(m.counts(), [vec![2, 1, 0], vec![0, 1, 1], vec![0, 0, 1]]);
        // F1: class 0: 2·2/(3+2) = 0.8; class 1: 2·1/(2+2) = 0.5; class 2: 2·1/(1+2) = 2/3.
        let expected = (0.8 + 0.5 + 2.0 / 3.0) / 3.0;
        assert!((m.macro_f1() - expected).abs() < 1e-15);
        assert_eq!(ConfusionMatrix::new(2, &[0, 1], &[0, 1]).macro_f1(), 1.0);
        assert_eq!(
            ConfusionMatrix::new(3, &[0, 1], &[0, 1]).macro_f1(),
            2.0 / 3.0
        );
    }
}
