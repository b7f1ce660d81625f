//! The update rules of [`Optimizer`], gradient clipping, and the optimizer's state.
//!
//! A step takes the gradient of the mean cross-entropy over a mini-batch (weights and biases, as
//! the backward pass leaves it), adds the penalty's α·∂R/∂w on weights, scales everything by
//! c/‖g‖ when clipping is on and the global norm exceeds c, and applies the rule, element by
//! element, in one pass per layer over w, g and the state. The state is sized once per trial;
//! nothing allocates per step.
//!
//! Plain SGD without clipping never comes here: the trainer fuses that step into the backward
//! pass (see [`super::network::Network::backward`] and [`super::online`]).

use super::network::Layer;
use super::{Float, Network, Optimizer, Penalty};

/// The optimizer's running state for one trial: v (momentum, Nesterov) or m and s (Adam), each
/// shaped like the network, zero at the start, and the number of steps taken.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct OptimizerState {
    optimizer: Optimizer,
    clip_norm: Option<f64>,
    penalty: Penalty,
    alpha: Float,
    /// v or m, one entry per layer; empty for SGD.
    first: Vec<Layer>,
    /// s, one entry per layer; empty unless Adam.
    second: Vec<Layer>,
    /// Steps taken: Adam's t after the next step is `steps + 1`.
    steps: u64,
}

/// One step's coefficients, in f32, computed once per step.
#[derive(Clone, Copy, Debug)]
enum Rule {
    Sgd {
        eta: Float,
    },
    Momentum {
        eta: Float,
        mu: Float,
    },
    Nesterov {
        eta: Float,
        mu: Float,
    },
    Adam {
        beta1: Float,
        one_minus_beta1: Float,
        beta2: Float,
        one_minus_beta2: Float,
        /// η_t / (1 − β1^t).
        step_size: Float,
        /// 1 / √(1 − β2^t).
        inv_correction2: Float,
        epsilon: Float,
    },
}

impl OptimizerState {
    /// Zero state for `network` under `optimizer`, with the penalty α·R(w) and clipping bound.
    pub(crate) fn new(
        optimizer: Optimizer,
        clip_norm: Option<f64>,
        penalty: Penalty,
        alpha: f64,
        network: &Network,
    ) -> OptimizerState {
        let arrays = state_arrays(optimizer);
        let zeros = |k: u64| {
            if arrays > k {
                network.zeros_like()
            } else {
                Vec::new()
            }
        };
        OptimizerState {
            optimizer,
            clip_norm,
            penalty,
            alpha: alpha as Float,
            first: zeros(0),
            second: zeros(1),
            steps: 0,
        }
    }

    /// Whether the step is plain SGD without clipping, which the trainer fuses into the
    /// backward pass instead of calling [`OptimizerState::step`].
    pub(crate) fn fuses(&self) -> bool {
        self.optimizer == Optimizer::Sgd && self.clip_norm.is_none()
    }

    /// One step at learning rate `eta` (η_t) from the cross-entropy gradient `grads` (weights
    /// and biases, without the penalty).
    ///
    /// # Shapes
    /// `grads`: one [`Layer`] per layer, shaped like the network's.
    #[inline(always)]
    pub(crate) fn step(&mut self, network: &mut Network, grads: &[Layer], eta: Float) {
        let (penalty, alpha) = (self.penalty, self.alpha);
        let scale = match self.clip_norm {
            Some(c) => {
                let norm = global_norm(network, grads, penalty, alpha);
                if norm > c { (c / norm) as Float } else { 1.0 }
            }
            None => 1.0,
        };
        self.steps += 1;
        let rule = self.rule(eta);
        for (l, (layer, grad)) in network.layers_mut().iter_mut().zip(grads).enumerate() {
            let (first_w, first_b) = match self.first.get_mut(l) {
                Some(v) => v.flats_mut(),
                None => (&mut [][..], &mut [][..]),
            };
            let (second_w, second_b) = match self.second.get_mut(l) {
                Some(s) => s.flats_mut(),
                None => (&mut [][..], &mut [][..]),
            };
            let (w, g) = (layer.w_flat_mut(), grad.w_flat());
            match penalty {
                Penalty::None => apply(rule, w, g, first_w, second_w, |_, g| scale * g),
                Penalty::L2 => apply(rule, w, g, first_w, second_w, |w, g| {
                    scale * (g + Penalty::L2.slope(alpha, w))
                }),
                Penalty::L1 => apply(rule, w, g, first_w, second_w, |w, g| {
                    scale * (g + Penalty::L1.slope(alpha, w))
                }),
            }
            let (b, g) = (layer.b_flat_mut(), grad.b_flat());
            apply(rule, b, g, first_b, second_b, |_, g| scale * g);
        }
    }

    /// The coefficients of step number `self.steps` (≥ 1) at learning rate `eta`.
    fn rule(&self, eta: Float) -> Rule {
        match self.optimizer {
            Optimizer::Sgd => Rule::Sgd { eta },
            Optimizer::Momentum { momentum } => Rule::Momentum {
                eta,
                mu: momentum as Float,
            },
            Optimizer::Nesterov { momentum } => Rule::Nesterov {
                eta,
                mu: momentum as Float,
            },
            Optimizer::Adam {
                beta1,
                beta2,
                epsilon,
            } => {
                let t = self.steps as f64;
                Rule::Adam {
                    beta1: beta1 as Float,
                    one_minus_beta1: (1.0 - beta1) as Float,
                    beta2: beta2 as Float,
                    one_minus_beta2: (1.0 - beta2) as Float,
                    step_size: (f64::from(eta) / (1.0 - beta1.powf(t))) as Float,
                    inv_correction2: (1.0 / (1.0 - beta2.powf(t)).sqrt()) as Float,
                    epsilon: epsilon as Float,
                }
            }
        }
    }
}

/// Arrays of network size the optimizer keeps: 0 (SGD), 1 (v) or 2 (m and s).
pub(crate) fn state_arrays(optimizer: Optimizer) -> u64 {
    match optimizer {
        Optimizer::Sgd => 0,
        Optimizer::Momentum { .. } | Optimizer::Nesterov { .. } => 1,
        Optimizer::Adam { .. } => 2,
    }
}

/// ‖g‖ over every weight and bias, g including the penalty on weights; summed in f64.
fn global_norm(network: &Network, grads: &[Layer], penalty: Penalty, alpha: Float) -> f64 {
    let mut sum = 0.0f64;
    for (layer, grad) in network.layers().iter().zip(grads) {
        for (&w, &g) in layer.w_flat().iter().zip(grad.w_flat()) {
            let g = f64::from(g + penalty.slope(alpha, w));
            sum += g * g;
        }
        sum += grad
            .b_flat()
            .iter()
            .map(|&g| f64::from(g) * f64::from(g))
            .sum::<f64>();
    }
    sum.sqrt()
}

/// The rule on one block of parameters `w` with raw gradients `g` and state `first`, `second`
/// (empty when the rule keeps none); `grad(w, g)` is the gradient the rule sees (penalty added,
/// clipped).
///
/// # Shapes
/// `w`, `g`: the same length; `first`, `second`: that length when the rule keeps them.
#[inline(always)]
fn apply(
    rule: Rule,
    w: &mut [Float],
    g: &[Float],
    first: &mut [Float],
    second: &mut [Float],
    grad: impl Fn(Float, Float) -> Float,
) {
    match rule {
        Rule::Sgd { eta } => {
            for (w, &g) in w.iter_mut().zip(g) {
                *w -= eta * grad(*w, g);
            }
        }
        Rule::Momentum { eta, mu } => {
            for ((w, &g), v) in w.iter_mut().zip(g).zip(first) {
                *v = mu * *v + grad(*w, g);
                *w -= eta * *v;
            }
        }
        Rule::Nesterov { eta, mu } => {
            for ((w, &g), v) in w.iter_mut().zip(g).zip(first) {
                let g = grad(*w, g);
                *v = mu * *v + g;
                *w -= eta * (g + mu * *v);
            }
        }
        Rule::Adam {
            beta1,
            one_minus_beta1,
            beta2,
            one_minus_beta2,
            step_size,
            inv_correction2,
            epsilon,
        } => {
            for (((w, &g), m), s) in w.iter_mut().zip(g).zip(first).zip(second) {
                let g = grad(*w, g);
                *m = beta1 * *m + one_minus_beta1 * g;
                *s = beta2 * *s + one_minus_beta2 * (g * g);
                *w -= step_size * *m / (s.sqrt() * inv_correction2 + epsilon);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mlp::Activation;
    use rand::SeedableRng;
    use rand_pcg::Pcg64Mcg;

    /// A one-layer network (2 inputs, 2 outputs: 4 weights, 2 biases) with the given values.
    fn network(w: [Float; 4], b: [Float; 2]) -> Network {
        let mut net = Network::new(&[2, 2], Activation::Relu, &mut Pcg64Mcg::seed_from_u64(0));
        let layer = &mut net.layers_mut()[0];
        layer.w_flat_mut().copy_from_slice(&w);
        layer.b_flat_mut().copy_from_slice(&b);
        net
    }

    fn grads(w: [Float; 4], b: [Float; 2]) -> Vec<Layer> {
        let mut g = network(w, b).zeros_like();
        g[0].w_flat_mut().copy_from_slice(&w);
        g[0].b_flat_mut().copy_from_slice(&b);
        g
    }

    #[test]
    fn state_is_sized_by_the_rule_and_sgd_without_clipping_fuses() {
        let net = network([0.0; 4], [0.0; 2]);
        let state = |o, c| OptimizerState::new(o, c, Penalty::None, 0.0, &net);
        let adam = Optimizer::Adam {
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
        };
        assert!(state(Optimizer::Sgd, None).fuses());
        assert!(!state(Optimizer::Sgd, Some(1.0)).fuses());
        assert!(!state(Optimizer::Momentum { momentum: 0.9 }, None).fuses());
        let s = state(adam, None);
        assert_eq!((s.first.len(), s.second.len()), (1, 1));
        assert!(s.first[0].w_flat().iter().all(|&v| v == 0.0));
        let s = state(Optimizer::Nesterov { momentum: 0.5 }, None);
        assert_eq!((s.first.len(), s.second.len()), (1, 0));
    }

    /// The two-weight problem: a 1 → 2 layer, w = (1, −2), biases 0 with zero gradients, and
    /// the cross-entropy gradients g1 = (0.5, −1), g2 = (0.3, 0.2), g3 = (−0.4, 0.1), η = 0.1.
    /// Returns w after each step.
    fn three_steps(optimizer: Optimizer, penalty: Penalty, alpha: f64) -> Vec<[Float; 2]> {
        let mut net = Network::new(&[1, 2], Activation::Relu, &mut Pcg64Mcg::seed_from_u64(0));
        net.layers_mut()[0]
            .w_flat_mut()
            .copy_from_slice(&[1.0, -2.0]);
        net.layers_mut()[0].b_flat_mut().fill(0.0);
        let mut state = OptimizerState::new(optimizer, None, penalty, alpha, &net);
        let mut after = Vec::new();
        for g in [[0.5, -1.0], [0.3, 0.2], [-0.4, 0.1]] {
            let mut grads = net.zeros_like();
            grads[0].w_flat_mut().copy_from_slice(&g);
            state.step(&mut net, &grads, 0.1);
            assert_eq!(
                net.layers()[0].b_flat(),
                [0.0, 0.0],
                "biases take no penalty"
            );
            let w = net.layers()[0].w_flat();
            after.push([w[0], w[1]]);
        }
        after
    }

    fn assert_table(got: &[[Float; 2]], expected: &[[f64; 2]]) {
        for (step, (g, e)) in got.iter().zip(expected).enumerate() {
            for k in 0..2 {
                assert!(
                    (f64::from(g[k]) - e[k]).abs() < 1e-6,
                    "step {}: w{k} = {} expected {}",
                    step + 1,
                    g[k],
                    e[k]
                );
            }
        }
    }

    /// With L2 α = 0.25 the rule sees g + 2αw = g + 0.5·w.
    #[test]
    fn momentum_steps_by_hand() {
        // 1: g = (0.5 + 0.5, −1 − 1) = (1, −2); v = (1, −2); w = (0.9, −1.8).
        // 2: g = (0.3 + 0.45, 0.2 − 0.9) = (0.75, −0.7); v = (0.9 + 0.75, −1.8 − 0.7) =
        //    (1.65, −2.5); w = (0.9 − 0.165, −1.8 + 0.25) = (0.735, −1.55).
        // 3: g = (−0.4 + 0.3675, 0.1 − 0.775) = (−0.0325, −0.675); v = (1.485 − 0.0325,
        //    −2.25 − 0.675) = (1.4525, −2.925); w = (0.735 − 0.14525, −1.55 + 0.2925).
        let got = three_steps(Optimizer::Momentum { momentum: 0.9 }, Penalty::L2, 0.25);
        assert_table(&got, &[[0.9, -1.8], [0.735, -1.55], [0.58975, -1.2575]]);
    }

    #[test]
    fn nesterov_steps_by_hand() {
        // 1: g = (1, −2); v = (1, −2); w −= 0.1·(g + 0.9·v) = 0.1·(1.9, −3.8): (0.81, −1.62).
        // 2: g = (0.3 + 0.405, 0.2 − 0.81) = (0.705, −0.61); v = (0.9 + 0.705, −1.8 − 0.61) =
        //    (1.605, −2.41); g + 0.9·v = (2.1495, −2.779); w = (0.59505, −1.3421).
        // 3: g = (−0.4 + 0.297525, 0.1 − 0.67105) = (−0.102475, −0.57105); v = (1.4445 −
        //    0.102475, −2.169 − 0.57105) = (1.342025, −2.74005); g + 0.9·v = (1.1053475,
        //    −3.037095); w = (0.59505 − 0.11053475, −1.3421 + 0.3037095).
        let got = three_steps(Optimizer::Nesterov { momentum: 0.9 }, Penalty::L2, 0.25);
        assert_table(
            &got,
            &[[0.81, -1.62], [0.59505, -1.3421], [0.48451525, -1.0383905]],
        );
    }

    #[test]
    fn adam_steps_by_hand() {
        // 1: m = 0.1·g1, s = 0.001·g1², m̂ = g1, ŝ = g1²: the step is η·sign(g1) (ε aside):
        //    w = (0.9, −1.9).
        // 2: m = (0.045 + 0.03, −0.09 + 0.02) = (0.075, −0.07); s = (0.00024975 + 0.00009,
        //    0.000999 + 0.00004) = (0.00033975, 0.001039); m̂ = m/0.19 = (0.394737, −0.368421);
        //    ŝ = s/0.001999 = (0.169960, 0.519760); step = 0.1·m̂/√ŝ = (0.095749, −0.051103):
        //    w = (0.804251, −1.848897).
        // 3: m = (0.0675 − 0.04, −0.063 + 0.01) = (0.0275, −0.053); s = (0.000339410 + 0.00016,
        //    0.001037961 + 0.00001) = (0.000499410, 0.001047961); m̂ = m/0.271 = (0.101476,
        //    −0.195572); ŝ = s/0.002997001 = (0.166637, 0.349670); step = (0.024859, −0.033073).
        let adam = Optimizer::Adam {
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
        };
        let got = three_steps(adam, Penalty::None, 0.0);
        assert_table(
            &got,
            &[
                [0.9, -1.9],
                [0.804_250_987, -1.848_897_394],
                [0.779_392_304, -1.815_824_100],
            ],
        );
    }

    #[test]
    fn clipping_scales_the_whole_gradient_to_the_bound() {
        // g = (3, 0, 0, 0 | 4, 0): ‖g‖ = 5; clipped to 1 it is (0.6, …, 0.8, 0).
        let mut net = network([0.0; 4], [0.0; 2]);
        let g = grads([3.0, 0.0, 0.0, 0.0], [4.0, 0.0]);
        let mut s = OptimizerState::new(Optimizer::Sgd, Some(1.0), Penalty::None, 0.0, &net);
        s.step(&mut net, &g, 1.0);
        assert_eq!(net.layers()[0].w_flat(), [-0.6, 0.0, 0.0, 0.0]);
        assert_eq!(net.layers()[0].b_flat(), [-0.8, 0.0]);
        // Below the bound nothing changes.
        let mut net = network([0.0; 4], [0.0; 2]);
        let mut s = OptimizerState::new(Optimizer::Sgd, Some(10.0), Penalty::None, 0.0, &net);
        s.step(&mut net, &g, 1.0);
        assert_eq!(net.layers()[0].w_flat(), [-3.0, 0.0, 0.0, 0.0]);
    }
}
