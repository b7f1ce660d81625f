//! Weight penalties R(w), on weights only (never biases).

use ndarray::{Array2, ArrayView2};

use super::{Float, gemm};

/// The weight penalty R(w) added, times α, to the minimized objective. Biases are never
/// penalized, and reported losses never include it. Default: [`Penalty::None`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Penalty {
    /// R = 0.
    #[default]
    None,
    /// R = ‖w‖² = Σ w², gradient 2αw (weight decay).
    L2,
    /// R = ‖w‖₁ = Σ |w|, subgradient α·sign(w) with sign(0) = 0.
    L1,
}

impl Penalty {
    /// The name used in search-space files (`regularization = "l2"`, …).
    pub fn name(self) -> &'static str {
        match self {
            Penalty::None => "none",
            Penalty::L2 => "l2",
            Penalty::L1 => "l1",
        }
    }

    /// Parses [`Penalty::name`].
    pub fn from_name(name: &str) -> Option<Penalty> {
        [Penalty::None, Penalty::L2, Penalty::L1]
            .into_iter()
            .find(|p| p.name() == name)
    }

    /// R(w) over `weights`, summed in f64.
    pub fn value(self, weights: &[Float]) -> f64 {
        match self {
            Penalty::None => 0.0,
            Penalty::L2 => weights.iter().map(|&w| f64::from(w) * f64::from(w)).sum(),
            Penalty::L1 => weights.iter().map(|&w| f64::from(w).abs()).sum(),
        }
    }

    /// α·∂R/∂w at one weight.
    #[inline(always)]
    pub fn slope(self, alpha: Float, w: Float) -> Float {
        match self {
            Penalty::None => 0.0,
            Penalty::L2 => 2.0 * alpha * w,
            Penalty::L1 => alpha * sign(w),
        }
    }

    /// One descent step on a block of weights: w ← w − η·(g + α·∂R/∂w).
    ///
    /// # Shapes
    /// `weights`, `grads`: the same length.
    #[inline(always)]
    pub(crate) fn descend(self, weights: &mut [Float], grads: &[Float], eta: Float, alpha: Float) {
        match self {
            Penalty::None => {
                for (w, &g) in weights.iter_mut().zip(grads) {
                    *w -= eta * g;
                }
            }
            Penalty::L2 => {
                let keep = 1.0 - 2.0 * eta * alpha;
                for (w, &g) in weights.iter_mut().zip(grads) {
                    *w = keep * *w - eta * g;
                }
            }
            Penalty::L1 => {
                for (w, &g) in weights.iter_mut().zip(grads) {
                    *w -= eta * (g + alpha * sign(*w));
                }
            }
        }
    }
}

/// One gradient-descent update rule: learning rate η_t, penalty R and strength α.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Update {
    /// η_t.
    pub(crate) eta: Float,
    /// R.
    pub(crate) penalty: Penalty,
    /// α.
    pub(crate) alpha: Float,
}

impl Update {
    /// w ← w − η·(g + α·∂R/∂w) on a block of weights.
    ///
    /// # Shapes
    /// `weights`, `grads`: the same length.
    #[inline(always)]
    pub(crate) fn weights(self, weights: &mut [Float], grads: &[Float]) {
        self.penalty.descend(weights, grads, self.eta, self.alpha);
    }

    /// W ← W − η·(aᵀ·δ + α·∂R/∂W) with the gradient product computed inside the matrix
    /// multiplication (C ← β·C + α·A·B with β = 1 − 2ηα for L2), so it is never stored.
    ///
    /// # Shapes
    /// `weights`: (fan_in, fan_out); `a`: (rows, fan_in); `delta`: (rows, fan_out).
    #[inline(always)]
    pub(crate) fn descend_product(
        self,
        weights: &mut Array2<Float>,
        a: ArrayView2<'_, Float>,
        delta: ArrayView2<'_, Float>,
    ) {
        let keep = match self.penalty {
            Penalty::None => 1.0,
            Penalty::L2 => 1.0 - 2.0 * self.eta * self.alpha,
            Penalty::L1 => {
                let step = self.eta * self.alpha;
                weights.mapv_inplace(|w| w - step * sign(w));
                1.0
            }
        };
        let weights = weights
            .as_slice_mut()
            .expect("weights are owned and row-major");
        gemm::mat_mul_update(keep, -self.eta, a.t(), delta, weights);
    }

    /// b ← b − η·g on a block of biases (never penalized).
    ///
    /// # Shapes
    /// `biases`, `grads`: the same length.
    #[inline(always)]
    pub(crate) fn biases(self, biases: &mut [Float], grads: &[Float]) {
        Penalty::None.descend(biases, grads, self.eta, 0.0);
    }
}

/// sign(w) with sign(0) = 0 (unlike `f32::signum`).
#[inline(always)]
fn sign(w: Float) -> Float {
    if w > 0.0 {
        1.0
    } else if w < 0.0 {
        -1.0
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_slopes() {
        let w = [1.0f32, -2.0, 0.0];
        assert_eq!(Penalty::L2.value(&w), 5.0);
        assert_eq!(Penalty::L1.value(&w), 3.0);
        assert_eq!(Penalty::None.value(&w), 0.0);
        assert_eq!(Penalty::L2.slope(0.5, -2.0), -2.0);
        assert_eq!(Penalty::L1.slope(0.5, -2.0), -0.5);
        assert_eq!(Penalty::L1.slope(0.5, 0.0), 0.0);
    }

    #[test]
    fn descent_matches_slope() {
        for p in [Penalty::None, Penalty::L2, Penalty::L1] {
            let mut w = [0.3f32, -0.7, 0.0];
            let g = [0.1f32, 0.2, -0.3];
            let expected: Vec<f32> = w
                .iter()
                .zip(&g)
                .map(|(&w, &g)| w - 0.1 * (g + p.slope(0.01, w)))
                .collect();
            p.descend(&mut w, &g, 0.1, 0.01);
            for (a, b) in w.iter().zip(&expected) {
                assert!((a - b).abs() < 1e-7, "{p:?}: {w:?} vs {expected:?}");
            }
        }
    }
}
