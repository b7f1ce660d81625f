//! The online-SGD fast path (batch size 1).
//!
//! Why a separate path: with one sample per step every product is a matrix–vector product, and a
//! matrix-product call per product pays tiling, dispatch and edge handling each time, which
//! costs more than the arithmetic on small layers. Here the same mathematics as
//! [`Network::forward`] / [`Network::backward`] / [`Network::step`] runs as plain slice loops:
//! forward as a sum of weight rows scaled by the inputs (skipping zero inputs, e.g. inactive
//! ReLUs), δ_{l−1} as dot products with the old weight rows, and the rank-one update
//! W ← W − η·(a ⊗ δ + α·∂R/∂W) fused, row by row, with no gradient buffer. For the other
//! optimizers (and clipping) it writes the gradient a ⊗ δ and δ into the gradient buffers
//! instead, for [`super::optimizer::OptimizerState::step`]. A unit test checks both against the
//! batched path.

use super::network::{Dropout, HiddenBuffers, Target, Workspace};
use super::regularization::Update;
use super::{Float, Layer, Network, Penalty, loss};

/// One online pass on sample `x` with class `label`; returns its cross-entropy (f64). With
/// [`Target::Descend`] it takes the SGD step; with [`Target::Gradients`] it writes the gradient
/// into `grads` (overwriting; `accumulate` is ignored) and changes no weight.
///
/// # Shapes
/// `x`: (n_inputs); `ws` sized for at least one row; `grads` shaped like the network.
#[inline(always)]
pub(crate) fn step(
    network: &mut Network,
    ws: &mut Workspace,
    grads: &mut [Layer],
    x: &[Float],
    label: usize,
    target: Target,
    dropout: &mut Dropout<'_>,
) -> f64 {
    let activation = network.activation();
    let layers = network.layers_mut();
    let last = layers.len() - 1;

    // Forward: z = b + Σ_i a_i · W[i, :], then f(z), f′(z) and the dropout mask.
    for (l, layer) in layers.iter().enumerate() {
        let (before, after) = ws.hidden.split_at_mut(l);
        let input = match before.last() {
            Some(prev) => &prev.a[..prev.width],
            None => x,
        };
        let width = layer.fan_out();
        let out = if l < last {
            &mut after[0].a[..width]
        } else {
            &mut ws.logits[..width]
        };
        out.fill(0.0);
        for (&a, w_row) in input.iter().zip(layer.w_flat().chunks_exact(width)) {
            if a != 0.0 {
                axpy(a, w_row, out);
            }
        }
        if l < last {
            let slope = &mut after[0].slope[..width];
            activation.forward_train(out, slope, layer.b_flat());
            dropout.apply(out, slope);
        }
    }
    let classes = layers[last].fan_out();
    let loss = loss::softmax_cross_entropy_grad(
        &mut ws.logits[..classes],
        layers[last].b_flat(),
        &[label],
        1.0,
    );
    if !loss.is_finite() {
        return loss;
    }

    // Backward and update, output layer first; δ_{l−1} uses W_l before W_l changes.
    for l in (0..=last).rev() {
        let (before, after) = ws.hidden.split_at_mut(l);
        let delta = if l == last {
            &ws.logits[..classes]
        } else {
            &after[0].delta[..after[0].width]
        };
        let layer = &mut layers[l];
        let width = layer.fan_out();
        if let Some(HiddenBuffers {
            slope,
            delta: delta_prev,
            ..
        }) = before.last_mut()
        {
            let rows = layer.w_flat().chunks_exact(width);
            for ((d, &s), w_row) in delta_prev.iter_mut().zip(slope.iter()).zip(rows) {
                *d = if s == 0.0 { 0.0 } else { s * dot(w_row, delta) };
            }
        }
        let input = match before.last() {
            Some(prev) => &prev.a[..prev.width],
            None => x,
        };
        let update = match target {
            Target::Descend(update) => update,
            Target::Gradients { .. } => {
                let g_rows = grads[l].w_flat_mut().chunks_exact_mut(width);
                for (&a, g_row) in input.iter().zip(g_rows) {
                    for (g, &d) in g_row.iter_mut().zip(delta) {
                        *g = a * d;
                    }
                }
                grads[l].b_flat_mut().copy_from_slice(delta);
                continue;
            }
        };
        let Update {
            eta,
            penalty,
            alpha,
        } = update;
        let w_rows = layer.w_flat_mut().chunks_exact_mut(width);
        match penalty {
            Penalty::None => {
                for (&a, w_row) in input.iter().zip(w_rows) {
                    if a != 0.0 {
                        axpy(-eta * a, delta, w_row);
                    }
                }
            }
            Penalty::L2 => {
                let keep = 1.0 - 2.0 * eta * alpha;
                for (&a, w_row) in input.iter().zip(w_rows) {
                    let c = eta * a;
                    for (w, &d) in w_row.iter_mut().zip(delta) {
                        *w = keep * *w - c * d;
                    }
                }
            }
            Penalty::L1 => {
                for (&a, w_row) in input.iter().zip(w_rows) {
                    let c = eta * a;
                    for (w, &d) in w_row.iter_mut().zip(delta) {
                        *w -= c * d + eta * penalty.slope(alpha, *w);
                    }
                }
            }
        }
        axpy(-eta, delta, layer.b_flat_mut());
    }
    loss
}

/// y ← y + c·x.
#[inline(always)]
fn axpy(c: Float, x: &[Float], y: &mut [Float]) {
    for (y, &x) in y.iter_mut().zip(x) {
        *y += c * x;
    }
}

/// Σ a_i·b_i with eight independent accumulators, so the loop vectorizes.
#[inline(always)]
fn dot(a: &[Float], b: &[Float]) -> Float {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let (a8, a_rest) = a.as_chunks::<8>();
    let (b8, b_rest) = b.as_chunks::<8>();
    let mut acc = [0.0 as Float; 8];
    for (x, y) in a8.iter().zip(b8) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let tail: Float = a_rest.iter().zip(b_rest).map(|(x, y)| x * y).sum();
    acc.iter().sum::<Float>() + tail
}

#[cfg(test)]
mod tests {
    use super::super::network::{Mode, Target, view};
    use super::super::{Activation, loss};
    use super::*;
    use ndarray::Array2;
    use rand::SeedableRng;
    use rand_pcg::Pcg64Mcg;

    /// The fast path and the batched path take the same step on one sample.
    #[test]
    fn online_step_matches_batched_step() {
        for activation in Activation::ALL {
            for penalty in [Penalty::None, Penalty::L2, Penalty::L1] {
                let mut rng = Pcg64Mcg::seed_from_u64(3);
                let net = Network::new(&[5, 7, 4, 3], activation, &mut rng);
                let x = Array2::from_shape_fn((1, 5), |(_, j)| j as f32 * 0.3 - 0.6);
                let update = Update {
                    eta: 0.1,
                    penalty,
                    alpha: 0.01,
                };

                let mut fast = net.clone();
                let mut ws = Workspace::new(&fast, 1);
                let mut d = Dropout::new(0.0, &mut rng);
                let x_row = x.as_slice().unwrap();
                let mut fast_grads = fast.zeros_like();
                let descend = Target::Descend(update);
                let fast_loss = step(
                    &mut fast,
                    &mut ws,
                    &mut fast_grads,
                    x_row,
                    2,
                    descend,
                    &mut d,
                );

                let mut unchanged = net.clone();
                let mut online_grads = net.zeros_like();
                let gradients = Target::Gradients { accumulate: false };
                let mut d = Dropout::new(0.0, &mut rng);
                step(
                    &mut unchanged,
                    &mut ws,
                    &mut online_grads,
                    x_row,
                    2,
                    gradients,
                    &mut d,
                );
                assert_eq!(unchanged, net);

                let mut slow = net.clone();
                let mut grads = slow.zeros_like();
                let mut ws = Workspace::new(&slow, 1);
                let input = view(x_row, 1, 5);
                slow.forward(input, &mut ws, Mode::Train(Dropout::new(0.0, &mut rng)));
                let bias = slow.layers()[2].b_flat();
                let slow_loss = loss::softmax_cross_entropy_grad(&mut ws.logits, bias, &[2], 1.0);
                slow.backward(
                    input,
                    &mut ws,
                    &mut grads,
                    Target::Gradients { accumulate: false },
                );
                slow.step(&grads, update);

                assert!((fast_loss - slow_loss).abs() < 1e-6);
                for (o, s) in online_grads.iter().zip(&grads) {
                    let pairs = o.w_flat().iter().zip(s.w_flat());
                    for (a, b) in pairs.chain(o.b_flat().iter().zip(s.b_flat())) {
                        assert!((a - b).abs() < 1e-6, "{activation:?}: gradient {a} vs {b}");
                    }
                }
                for (f, s) in fast.layers().iter().zip(slow.layers()) {
                    for (a, b) in f
                        .w_flat()
                        .iter()
                        .zip(s.w_flat())
                        .chain(f.b_flat().iter().zip(s.b_flat()))
                    {
                        assert!(
                            (a - b).abs() < 1e-6,
                            "{activation:?} {penalty:?}: {a} vs {b}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn dot_handles_tails() {
        let a: Vec<f32> = (0..19).map(|i| i as f32).collect();
        assert_eq!(dot(&a, &a), (0..19).map(|i| (i * i) as f32).sum::<f32>());
    }
}
