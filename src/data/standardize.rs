//! z-scoring with training-split statistics: x' = (x − μ) / σ per feature, where μ and σ are
//! the mean and population standard deviation of the training split (accumulated in f64, two
//! passes). A constant column (σ = 0, or σ negligible next to |μ|) keeps σ = 1, so it becomes
//! all zeros instead of NaN.

use ndarray::Array2;

/// Per-feature mean and scale fitted on a training matrix.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Standardizer {
    mean: Vec<f64>,
    scale: Vec<f64>,
}

impl Standardizer {
    /// A standardizer with the given μ and σ, one per feature.
    pub(crate) fn new(mean: Vec<f64>, scale: Vec<f64>) -> Standardizer {
        Standardizer { mean, scale }
    }

    /// μ per feature.
    pub(crate) fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// σ per feature (1 for a constant column).
    pub(crate) fn scale(&self) -> &[f64] {
        &self.scale
    }

    /// Fits μ and σ on `x`.
    ///
    /// # Shapes
    /// `x`: (samples, features).
    pub(crate) fn fit(x: &Array2<f32>) -> Standardizer {
        let (n, width) = x.dim();
        let mut mean = vec![0.0f64; width];
        let mut var = vec![0.0f64; width];
        if n > 0 {
            for row in x.rows() {
                for (m, &v) in mean.iter_mut().zip(row) {
                    *m += f64::from(v);
                }
            }
            mean.iter_mut().for_each(|m| *m /= n as f64);
            for row in x.rows() {
                for ((s, &m), &v) in var.iter_mut().zip(&mean).zip(row) {
                    let d = f64::from(v) - m;
                    *s += d * d;
                }
            }
        }
        let scale = var
            .iter()
            .zip(&mean)
            .map(|(&s, &m)| {
                let sd = (s / n.max(1) as f64).sqrt();
                if sd > 1e-12 * m.abs().max(1.0) {
                    sd
                } else {
                    1.0
                }
            })
            .collect();
        Standardizer { mean, scale }
    }

    /// Replaces every value of `x` by its z-score.
    ///
    /// # Shapes
    /// `x`: (samples, features) with the fitted number of features.
    pub(crate) fn apply(&self, x: &mut Array2<f32>) {
        for mut row in x.rows_mut() {
            for ((v, &m), &s) in row.iter_mut().zip(&self.mean).zip(&self.scale) {
                *v = ((f64::from(*v) - m) / s) as f32;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn train_columns_get_mean_zero_and_std_one() {
        let mut x = array![[1.0f32, 10.0], [2.0, 20.0], [3.0, 60.0]];
        let s = Standardizer::fit(&x);
        s.apply(&mut x);
        for col in x.columns() {
            let mean: f64 = col.iter().map(|&v| f64::from(v)).sum::<f64>() / 3.0;
            let var: f64 = col
                .iter()
                .map(|&v| (f64::from(v) - mean).powi(2))
                .sum::<f64>()
                / 3.0;
            assert!(mean.abs() < 1e-6, "mean {mean}");
            assert!((var - 1.0).abs() < 1e-5, "var {var}");
        }
    }

    #[test]
    fn constant_columns_become_zero_not_nan() {
        let mut x = array![[5.0f32, 1.0], [5.0, 2.0]];
        let s = Standardizer::fit(&x);
        s.apply(&mut x);
        assert_eq!(x.column(0).to_vec(), vec![0.0, 0.0]);
        let mut other = array![[7.0f32, 1.5]];
        s.apply(&mut other);
        assert_eq!(other[[0, 0]], 2.0, "(7 − 5) / 1");
    }
}
