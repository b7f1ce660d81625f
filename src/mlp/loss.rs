//! Softmax and cross-entropy, computed stably by log-sum-exp.
//!
//! For logits z of one sample with true class c: log ŷ_c = z_c − (m + ln Σ_k e^(z_k − m)) with
//! m = max_k z_k, so no exponential overflows. The per-sample losses are summed in f64.

use super::Float;
use super::metric::ClassCounts;

/// Training pass over a batch: adds `bias` to each row of `logits`, adds each row's
/// cross-entropy to the returned f64 sum, and overwrites the row with the gradient of the
/// *mean* loss over the whole batch, (softmax(z) − onehot(c)) · `scale`, where `scale` = 1/B.
///
/// # Shapes
/// `logits`: (rows × classes) row-major; `bias`: (classes); `labels`: (rows), each < classes.
#[inline(always)]
pub(crate) fn softmax_cross_entropy_grad(
    logits: &mut [Float],
    bias: &[Float],
    labels: &[usize],
    scale: Float,
) -> f64 {
    let classes = bias.len();
    let mut sum = 0.0f64;
    for (row, &label) in logits.chunks_exact_mut(classes).zip(labels) {
        let mut max = Float::NEG_INFINITY;
        for (z, &b) in row.iter_mut().zip(bias) {
            *z += b;
            max = max.max(*z);
        }
        let z_true = row[label];
        let mut total = 0.0;
        for z in row.iter_mut() {
            *z = (*z - max).exp();
            total += *z;
        }
        sum += f64::from(max) + f64::from(total).ln() - f64::from(z_true);
        let factor = scale / total;
        for p in row.iter_mut() {
            *p *= factor;
        }
        row[label] -= scale;
    }
    sum
}

/// Evaluation pass: adds `bias` to each row of `logits` (in place), returns the f64 sum of the
/// rows' cross-entropies, and counts each row's true class against its largest logit (the
/// first on ties) in `counts`.
///
/// # Shapes
/// `logits`: (rows × classes) row-major; `bias`: (classes); `labels`: (rows), each < classes.
pub(crate) fn cross_entropy_and_counts(
    logits: &mut [Float],
    bias: &[Float],
    labels: &[usize],
    counts: &mut ClassCounts,
) -> f64 {
    let classes = bias.len();
    let mut sum = 0.0f64;
    for (row, &label) in logits.chunks_exact_mut(classes).zip(labels) {
        let (mut max, mut arg) = (Float::NEG_INFINITY, 0);
        for (k, (z, &b)) in row.iter_mut().zip(bias).enumerate() {
            *z += b;
            if *z > max {
                (max, arg) = (*z, k);
            }
        }
        let total: f64 = row.iter().map(|&z| f64::from((z - max).exp())).sum();
        sum += f64::from(max) + total.ln() - f64::from(row[label]);
        counts.add(label, arg);
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_logits_do_not_overflow() {
        let mut z = [1000.0f32, 0.0, -1000.0];
        let mut counts = ClassCounts::new(3);
        let loss = cross_entropy_and_counts(&mut z, &[0.0; 3], &[0], &mut counts);
        assert!(loss.abs() < 1e-12 && counts.hits() == 1);
        let mut z = [1000.0f32, 0.0, -1000.0];
        let loss = softmax_cross_entropy_grad(&mut z, &[0.0; 3], &[1], 1.0);
        assert!((loss - 1000.0).abs() < 1e-9, "{loss}");
        assert_eq!(z, [1.0, -1.0, 0.0]);
    }

    #[test]
    fn uniform_logits_cost_ln_classes_and_gradient_sums_to_zero() {
        let mut z = [0.5f32; 8];
        let loss = softmax_cross_entropy_grad(&mut z, &[0.0; 4], &[2, 3], 0.5);
        assert!((loss - 2.0 * 4f64.ln()).abs() < 1e-6);
        for row in z.chunks(4) {
            assert!(row.iter().sum::<f32>().abs() < 1e-7);
        }
        assert!((z[2] - (0.25 - 1.0) * 0.5).abs() < 1e-7);
    }
}
