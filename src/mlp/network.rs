//! The network's parameters and the batched forward and backward passes.
//!
//! Layer l computes z = a_{l−1}·W_l + b_l with W_l of shape (fan_in, fan_out), so a batch is a
//! row-major (rows × width) matrix and every product is one [`gemm::mat_mul`] into a buffer of
//! the [`Workspace`], sized once per trial. Transposes are strided views; only the transposed
//! weights of back-propagation are copied, into the workspace's packing buffer.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2};
use rand::Rng;
use rand_pcg::Pcg64Mcg;

use super::regularization::Update;
use super::{Activation, Float, gemm, init};

/// One fully connected layer: weights W (fan_in × fan_out) and biases b (fan_out).
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    w: Array2<Float>,
    b: Array1<Float>,
}

impl Layer {
    fn zeros(fan_in: usize, fan_out: usize) -> Layer {
        Layer {
            w: Array2::zeros((fan_in, fan_out)),
            b: Array1::zeros(fan_out),
        }
    }

    /// The weights.
    ///
    /// # Shapes
    /// (fan_in, fan_out).
    pub fn weights(&self) -> ArrayView2<'_, Float> {
        self.w.view()
    }

    /// The weights, writable (the shape is fixed).
    ///
    /// # Shapes
    /// (fan_in, fan_out).
    pub fn weights_mut(&mut self) -> ArrayViewMut2<'_, Float> {
        self.w.view_mut()
    }

    /// The biases.
    ///
    /// # Shapes
    /// (fan_out).
    pub fn biases(&self) -> ArrayView1<'_, Float> {
        self.b.view()
    }

    /// The biases, writable (the shape is fixed).
    ///
    /// # Shapes
    /// (fan_out).
    pub fn biases_mut(&mut self) -> ArrayViewMut1<'_, Float> {
        self.b.view_mut()
    }

    pub(crate) fn w_flat(&self) -> &[Float] {
        self.w
            .as_slice()
            .expect("layer weights are owned and row-major")
    }

    pub(crate) fn w_flat_mut(&mut self) -> &mut [Float] {
        self.w
            .as_slice_mut()
            .expect("layer weights are owned and row-major")
    }

    pub(crate) fn b_flat(&self) -> &[Float] {
        self.b
            .as_slice()
            .expect("layer biases are owned and contiguous")
    }

    pub(crate) fn b_flat_mut(&mut self) -> &mut [Float] {
        self.b
            .as_slice_mut()
            .expect("layer biases are owned and contiguous")
    }

    /// Weights and biases, both writable at once.
    pub(crate) fn flats_mut(&mut self) -> (&mut [Float], &mut [Float]) {
        let w = self
            .w
            .as_slice_mut()
            .expect("layer weights are owned and row-major");
        let b = self
            .b
            .as_slice_mut()
            .expect("layer biases are owned and contiguous");
        (w, b)
    }

    pub(crate) fn fan_in(&self) -> usize {
        self.w.nrows()
    }

    pub(crate) fn fan_out(&self) -> usize {
        self.w.ncols()
    }
}

/// A multi-layer perceptron: hidden layers with one nonlinearity, then a linear output layer
/// whose logits feed a softmax.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    layers: Vec<Layer>,
    activation: Activation,
}

impl Network {
    /// A freshly initialized network with layer widths `sizes` = [inputs, hidden…, classes]
    /// (see [`super::init`] for the initialization rule); biases are zero.
    pub(crate) fn new(sizes: &[usize], activation: Activation, rng: &mut impl Rng) -> Network {
        let last = sizes.len() - 2;
        let layers = sizes
            .windows(2)
            .enumerate()
            .map(|(l, w)| Layer {
                w: init::weights(w[0], w[1], (l < last).then_some(activation), rng),
                b: Array1::zeros(w[1]),
            })
            .collect();
        Network { layers, activation }
    }

    /// A network from its layers' weights (fan_in × fan_out) and biases (fan_out), input side
    /// first; `None` unless there is a layer and each one's fan_in is the previous fan_out.
    pub fn from_parts(
        layers: Vec<(Array2<Float>, Array1<Float>)>,
        activation: Activation,
    ) -> Option<Network> {
        let chains = layers.windows(2).all(|p| p[0].0.ncols() == p[1].0.nrows());
        let fits = layers.iter().all(|(w, b)| w.ncols() == b.len());
        if layers.is_empty() || !chains || !fits {
            return None;
        }
        let layers = layers
            .into_iter()
            .map(|(w, b)| Layer {
                w: w.as_standard_layout().into_owned(),
                b,
            })
            .collect();
        Some(Network { layers, activation })
    }

    /// All layers, input side first; the last is the output layer.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// All layers, writable (shapes are fixed).
    pub fn layers_mut(&mut self) -> &mut [Layer] {
        &mut self.layers
    }

    /// Nonlinearity of the hidden layers.
    pub fn activation(&self) -> Activation {
        self.activation
    }

    /// Overwrites every weight and bias with `other`'s, which has the same shapes.
    pub(crate) fn copy_from(&mut self, other: &Network) {
        for (to, from) in self.layers.iter_mut().zip(&other.layers) {
            to.w_flat_mut().copy_from_slice(from.w_flat());
            to.b_flat_mut().copy_from_slice(from.b_flat());
        }
    }

    /// Whether every weight and bias is finite.
    pub fn is_finite(&self) -> bool {
        self.layers.iter().all(|l| {
            l.w_flat().iter().all(|v| v.is_finite()) && l.b_flat().iter().all(|v| v.is_finite())
        })
    }

    /// A gradient buffer of the network's shape, zeroed.
    pub(crate) fn zeros_like(&self) -> Vec<Layer> {
        self.layers
            .iter()
            .map(|l| Layer::zeros(l.fan_in(), l.fan_out()))
            .collect()
    }

    /// Forward pass of `input` through the network into `ws` (logits in `ws.logits`, without
    /// softmax). In training mode the hidden slopes f′(z)·mask are stored for the backward pass
    /// and `dropout` (if any) zeroes activations with probability p and scales the rest by
    /// 1/(1−p) (inverted dropout).
    ///
    /// # Shapes
    /// `input`: (rows, n_inputs) with rows ≤ `ws.rows`.
    #[inline(always)]
    pub(crate) fn forward(&self, input: ArrayView2<'_, Float>, ws: &mut Workspace, mode: Mode<'_>) {
        let rows = input.nrows();
        let (hidden_layers, output) = self.layers.split_at(self.layers.len() - 1);
        let mut dropout = match mode {
            Mode::Train(d) => Some(d),
            Mode::Eval => None,
        };
        for (l, layer) in hidden_layers.iter().enumerate() {
            let (before, after) = ws.hidden.split_at_mut(l);
            let out = &mut after[0];
            let width = layer.fan_out();
            let a_in = match before.last() {
                Some(prev) => view(&prev.a, rows, prev.width),
                None => input.view(),
            };
            let a = &mut out.a[..rows * width];
            gemm::mat_mul(a_in, layer.w.view(), a, false, &mut []);
            match &mut dropout {
                Some(d) => {
                    let slope = &mut out.slope[..rows * width];
                    self.activation.forward_train(a, slope, layer.b_flat());
                    d.apply(a, slope);
                }
                None => self.activation.forward_eval(a, layer.b_flat()),
            }
        }
        let a_in = match ws.hidden.last() {
            Some(prev) => view(&prev.a, rows, prev.width),
            None => input.view(),
        };
        let classes = output[0].fan_out();
        let logits = &mut ws.logits[..rows * classes];
        gemm::mat_mul(a_in, output[0].w.view(), logits, false, &mut []);
    }

    /// Backward pass after a training-mode [`Network::forward`] on the same `input`, whose
    /// logits the loss has replaced by ∂L/∂z of the output layer. With [`Target::Gradients`] it
    /// writes ∂L/∂W and ∂L/∂b into `grads` (or adds to them, for chunks of one large batch);
    /// with [`Target::Descend`] it also takes the descent step, fusing each weight update into
    /// the product that computes the gradient (W ← β·W − η·a_{l−1}ᵀ·δ_l), so the weight
    /// gradient is never stored; then `grads` only holds bias gradients.
    ///
    /// # Shapes
    /// `input`: (rows, n_inputs); `grads`: one [`Layer`] per layer, shaped like the network's.
    #[inline(always)]
    pub(crate) fn backward(
        &mut self,
        input: ArrayView2<'_, Float>,
        ws: &mut Workspace,
        grads: &mut [Layer],
        target: Target,
    ) {
        let rows = input.nrows();
        let accumulate = matches!(target, Target::Gradients { accumulate: true });
        let last = self.layers.len() - 1;
        // Bias gradient of the output layer: column sums of the output δ.
        let classes = self.layers[last].fan_out();
        add_column_sums(
            &ws.logits[..rows * classes],
            grads[last].b_flat_mut(),
            accumulate,
        );
        for l in (0..=last).rev() {
            let (before, after) = ws.hidden.split_at_mut(l);
            let delta = if l == last {
                view(&ws.logits, rows, classes)
            } else {
                view(&after[0].delta, rows, after[0].width)
            };
            if let Some(prev) = before.last_mut() {
                // δ_{l−1} = (δ_l · W_lᵀ) ⊙ f′(z_{l−1})·mask, with the weights before this step;
                // its column sums are ∂L/∂b_{l−1}.
                let width = prev.width;
                let delta_prev = &mut prev.delta[..rows * width];
                let w_t = self.layers[l].w.t();
                gemm::mat_mul(delta, w_t, delta_prev, false, &mut ws.pack);
                let slope = &prev.slope[..rows * width];
                let gb = grads[l - 1].b_flat_mut();
                if !accumulate {
                    gb.fill(0.0);
                }
                for (d_row, s_row) in delta_prev
                    .chunks_exact_mut(width)
                    .zip(slope.chunks_exact(width))
                {
                    for ((d, &s), g) in d_row.iter_mut().zip(s_row).zip(gb.iter_mut()) {
                        *d *= s;
                        *g += *d;
                    }
                }
            }
            let a_in = match before.last() {
                Some(prev) => view(&prev.a, rows, prev.width),
                None => input.view(),
            };
            match target {
                Target::Gradients { accumulate } => {
                    let g = grads[l].w_flat_mut();
                    gemm::mat_mul(a_in.t(), delta, g, accumulate, &mut []);
                }
                Target::Descend(update) => {
                    let layer = &mut self.layers[l];
                    update.descend_product(&mut layer.w, a_in, delta);
                    update.biases(layer.b_flat_mut(), grads[l].b_flat());
                }
            }
        }
    }

    /// One descent step: W ← W − η·(∂L/∂W + α·∂R/∂W), b ← b − η·∂L/∂b.
    #[inline(always)]
    pub(crate) fn step(&mut self, grads: &[Layer], update: Update) {
        for (layer, grad) in self.layers.iter_mut().zip(grads) {
            update.weights(layer.w_flat_mut(), grad.w_flat());
            update.biases(layer.b_flat_mut(), grad.b_flat());
        }
    }
}

/// Writes (or adds, when `accumulate`) the column sums of `m` into `sums`.
///
/// # Shapes
/// `m`: (rows × sums.len()) row-major.
#[inline(always)]
fn add_column_sums(m: &[Float], sums: &mut [Float], accumulate: bool) {
    if !accumulate {
        sums.fill(0.0);
    }
    for row in m.chunks_exact(sums.len()) {
        for (s, &v) in sums.iter_mut().zip(row) {
            *s += v;
        }
    }
}

/// What a backward pass produces.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Target {
    /// Gradients into the gradient buffers; `accumulate` adds to them instead of overwriting.
    Gradients {
        /// Add to the buffers (later chunks of one batch).
        accumulate: bool,
    },
    /// The descent step itself, fused into the weight-gradient products.
    Descend(Update),
}

/// Training or evaluation mode of a forward pass.
pub(crate) enum Mode<'r> {
    /// Keep slopes for the backward pass; apply dropout.
    Train(Dropout<'r>),
    /// Activations only, no dropout.
    Eval,
}

/// Inverted dropout with probability p, drawing from the trial's RNG.
pub(crate) struct Dropout<'r> {
    /// Drop when a uniform u32 draw is below this (p·2³²); 0 means no dropout and no draws.
    threshold: u32,
    /// 1/(1−p).
    scale: Float,
    rng: &'r mut Pcg64Mcg,
}

impl<'r> Dropout<'r> {
    /// Dropout with probability `p` ∈ [0, 1).
    pub(crate) fn new(p: f64, rng: &'r mut Pcg64Mcg) -> Self {
        Dropout {
            threshold: (p * 4_294_967_296.0) as u32,
            scale: (1.0 / (1.0 - p)) as Float,
            rng,
        }
    }

    /// Multiplies each activation and its slope by the same mask value, 0 or 1/(1−p).
    ///
    /// # Shapes
    /// `a`, `slope`: the same length.
    #[inline(always)]
    pub(crate) fn apply(&mut self, a: &mut [Float], slope: &mut [Float]) {
        if self.threshold == 0 {
            return;
        }
        for (a, s) in a.iter_mut().zip(slope) {
            let m = if self.rng.next_u32() < self.threshold {
                0.0
            } else {
                self.scale
            };
            *a *= m;
            *s *= m;
        }
    }
}

/// Per-hidden-layer buffers: activations a, slopes f′(z)·mask, and back-propagated δ.
pub(crate) struct HiddenBuffers {
    pub(crate) width: usize,
    pub(crate) a: Vec<Float>,
    pub(crate) slope: Vec<Float>,
    pub(crate) delta: Vec<Float>,
}

/// Every buffer a forward and backward pass needs, for batches of up to `rows` samples.
pub(crate) struct Workspace {
    pub(crate) rows: usize,
    pub(crate) hidden: Vec<HiddenBuffers>,
    /// Output logits, then the output δ.
    pub(crate) logits: Vec<Float>,
    /// Room for the largest transposed weight matrix back-propagation multiplies by.
    pub(crate) pack: Vec<Float>,
}

impl Workspace {
    /// Buffers for `network` and batches of up to `rows` samples.
    pub(crate) fn new(network: &Network, rows: usize) -> Workspace {
        let layers = network.layers();
        let hidden = layers[..layers.len() - 1]
            .iter()
            .map(|l| {
                let n = rows * l.fan_out();
                HiddenBuffers {
                    width: l.fan_out(),
                    a: vec![0.0; n],
                    slope: vec![0.0; n],
                    delta: vec![0.0; n],
                }
            })
            .collect();
        let classes = layers[layers.len() - 1].fan_out();
        let pack = layers[1..]
            .iter()
            .map(|l| l.fan_in() * l.fan_out())
            .max()
            .unwrap_or(0);
        Workspace {
            rows,
            hidden,
            logits: vec![0.0; rows * classes],
            pack: vec![0.0; pack],
        }
    }
}

/// The first `rows` rows of a row-major buffer as a matrix.
pub(crate) fn view(buf: &[Float], rows: usize, cols: usize) -> ArrayView2<'_, Float> {
    ArrayView2::from_shape((rows, cols), &buf[..rows * cols]).expect("buffer holds rows × cols")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mlp::{Penalty, loss};
    use rand::{RngExt, SeedableRng};

    /// The fused update inside the backward pass equals gradients followed by a step.
    #[test]
    fn fused_descent_matches_gradient_then_step() {
        for activation in Activation::ALL {
            for penalty in [Penalty::None, Penalty::L2, Penalty::L1] {
                let mut rng = Pcg64Mcg::seed_from_u64(5);
                let net = Network::new(&[6, 5, 4, 3], activation, &mut rng);
                let x = Array2::from_shape_simple_fn((7, 6), || rng.random_range(-1.0f32..1.0));
                let labels = [0, 1, 2, 2, 1, 0, 1];
                let update = Update {
                    eta: 0.3,
                    penalty,
                    alpha: 0.05,
                };
                let run = |target: Target| {
                    let mut net = net.clone();
                    let mut ws = Workspace::new(&net, 7);
                    let mut grads = net.zeros_like();
                    let mut rng = Pcg64Mcg::seed_from_u64(0);
                    net.forward(x.view(), &mut ws, Mode::Train(Dropout::new(0.0, &mut rng)));
                    let bias = net.layers()[2].b_flat();
                    loss::softmax_cross_entropy_grad(&mut ws.logits, bias, &labels, 1.0 / 7.0);
                    net.backward(x.view(), &mut ws, &mut grads, target);
                    if let Target::Gradients { .. } = target {
                        net.step(&grads, update);
                    }
                    net
                };
                let fused = run(Target::Descend(update));
                let stepped = run(Target::Gradients { accumulate: false });
                assert_ne!(fused, net);
                for (f, s) in fused.layers().iter().zip(stepped.layers()) {
                    let pairs = f.w_flat().iter().zip(s.w_flat());
                    for (a, b) in pairs.chain(f.b_flat().iter().zip(s.b_flat())) {
                        assert!(
                            (a - b).abs() < 1e-6,
                            "{activation:?} {penalty:?}: {a} vs {b}"
                        );
                    }
                }
            }
        }
    }
}
