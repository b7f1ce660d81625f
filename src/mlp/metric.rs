//! Which validation figure picks a trial's best epoch, and the per-class counts behind
//! accuracy and macro F1.

/// The validation figure that picks a trial's best epoch and drives early stopping:
/// cross-entropy (the default), accuracy or macro F1.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Metric {
    /// Mean validation cross-entropy; lower is better.
    #[default]
    Loss,
    /// Fraction of validation samples classified correctly; higher is better.
    Accuracy,
    /// Macro F1 on the validation samples ([`macro_f1`]); higher is better.
    F1,
}

impl Metric {
    /// Every metric, in the order documentation lists them.
    pub const ALL: [Metric; 3] = [Metric::Loss, Metric::Accuracy, Metric::F1];

    /// The name in space files and reports: `val_loss`, `val_accuracy`, `val_f1`.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Loss => "val_loss",
            Metric::Accuracy => "val_accuracy",
            Metric::F1 => "val_f1",
        }
    }

    /// Parses [`Metric::name`].
    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The figure as a score where lower is better: the loss, 1 − accuracy or 1 − F1.
    pub fn score(self, loss: f64, accuracy: f64, f1: f64) -> f64 {
        match self {
            Metric::Loss => loss,
            Metric::Accuracy => 1.0 - accuracy,
            Metric::F1 => 1.0 - f1,
        }
    }

    /// Whether (score, validation loss) `a` is better than `b`: a lower score, ties broken by
    /// the lower loss (the same thing under [`Metric::Loss`]).
    pub fn better(self, a: (f64, f64), b: (f64, f64)) -> bool {
        a.0 < b.0 || (a.0 == b.0 && a.1 < b.1)
    }
}

/// The unweighted mean over classes of F1_c = 2·TP_c / (actual_c + predicted_c); a class that is
/// neither present nor predicted scores 0 (as scikit-learn's `f1_score(average="macro")` over
/// all classes).
///
/// # Shapes
/// `tp`, `actual`, `predicted`: (classes).
pub fn macro_f1(tp: &[u64], actual: &[u64], predicted: &[u64]) -> f64 {
    let f1 = |((&tp, &a), &p): ((&u64, &u64), &u64)| match a + p {
        0 => 0.0,
        d => 2.0 * tp as f64 / d as f64,
    };
    let sum: f64 = tp.iter().zip(actual).zip(predicted).map(f1).sum();
    sum / tp.len().max(1) as f64
}

/// Per-class counts of labelled predictions: true positives, actual and predicted samples.
/// Sized once per network; [`ClassCounts::clear`] reuses it without allocating.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ClassCounts {
    tp: Vec<u64>,
    actual: Vec<u64>,
    predicted: Vec<u64>,
}

impl ClassCounts {
    /// Zero counts for `classes` classes.
    pub(crate) fn new(classes: usize) -> Self {
        ClassCounts {
            tp: vec![0; classes],
            actual: vec![0; classes],
            predicted: vec![0; classes],
        }
    }

    /// Sets every count to 0.
    pub(crate) fn clear(&mut self) {
        for v in [&mut self.tp, &mut self.actual, &mut self.predicted] {
            v.iter_mut().for_each(|c| *c = 0);
        }
    }

    /// Counts one sample of class `actual` predicted as `predicted`.
    #[inline(always)]
    pub(crate) fn add(&mut self, actual: usize, predicted: usize) {
        self.actual[actual] += 1;
        self.predicted[predicted] += 1;
        self.tp[actual] += u64::from(actual == predicted);
    }

    /// Samples classified correctly.
    pub(crate) fn hits(&self) -> u64 {
        self.tp.iter().sum()
    }

    /// [`macro_f1`] of the counts.
    pub(crate) fn macro_f1(&self) -> f64 {
        macro_f1(&self.tp, &self.actual, &self.predicted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_lower_is_better_and_names_round_trip() {
        assert_eq!(Metric::Loss.score(0.3, 0.9, 0.8), 0.3);
        assert!((Metric::Accuracy.score(0.3, 0.9, 0.8) - 0.1).abs() < 1e-15);
        assert!((Metric::F1.score(0.3, 0.9, 0.8) - 0.2).abs() < 1e-15);
        for m in Metric::ALL {
            assert_eq!(Metric::from_name(m.name()), Some(m));
        }
        assert_eq!(Metric::from_name("loss"), None);
    }

    #[test]
    fn macro_f1_by_hand() {
        // actual:    0 0 0 1 1 2
        // predicted: 0 0 1 1 2 2
        let mut c = ClassCounts::new(3);
        for (a, p) in [(0, 0), (0, 0), (0, 1), (1, 1), (1, 2), (2, 2)] {
            c.add(a, p);
        }
        // F1: class 0: 2·2/(3+2) = 0.8; class 1: 2·1/(2+2) = 0.5; class 2: 2·1/(1+2) = 2/3.
        assert!((c.macro_f1() - (0.8 + 0.5 + 2.0 / 3.0) / 3.0).abs() < 1e-15);
        assert_eq!(c.hits(), 4);
        c.clear();
        assert_eq!((c.hits(), c.macro_f1()), (0, 0.0));
    }
}
