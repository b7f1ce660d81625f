//! The backward pass against central finite differences of an independent f64 forward pass.

use hpsearch::mlp::{Activation, BatchSize, MlpParams, Network, Penalty, Samples, Trainer};
use ndarray::Array2;
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;

const INPUTS: usize = 4;
const CLASSES: usize = 3;
const ALPHA: f64 = 0.05;

/// The network's parameters in f64: per layer (weights row-major (fan_in × fan_out), biases).
type Params64 = Vec<(Vec<f64>, Vec<f64>)>;

fn params64(network: &Network) -> Params64 {
    network
        .layers()
        .iter()
        .map(|l| {
            (
                l.weights().iter().map(|&w| f64::from(w)).collect(),
                l.biases().iter().map(|&b| f64::from(b)).collect(),
            )
        })
        .collect()
}

fn act64(a: Activation, z: f64) -> f64 {
    match a {
        Activation::Relu => z.max(0.0),
        Activation::Tanh => z.tanh(),
        Activation::Sigmoid => 1.0 / (1.0 + (-z).exp()),
        Activation::LeakyRelu => {
            if z > 0.0 {
                z
            } else {
                0.01 * z
            }
        }
        Activation::Elu => {
            if z > 0.0 {
                z
            } else {
                z.exp_m1()
            }
        }
        Activation::Gelu => {
            let c = (2.0 / std::f64::consts::PI).sqrt();
            0.5 * z * (1.0 + (c * (z + 0.044715 * z.powi(3))).tanh())
        }
    }
}

/// Mean cross-entropy + α·R(w) in f64, written independently of the trainer.
fn objective64(p: &Params64, a: Activation, penalty: Penalty, x: &Array2<f32>, y: &[usize]) -> f64 {
    let mut total = 0.0;
    for (row, &label) in x.rows().into_iter().zip(y) {
        let mut act: Vec<f64> = row.iter().map(|&v| f64::from(v)).collect();
        for (l, (w, b)) in p.iter().enumerate() {
            let out = b.len();
            let mut z = b.clone();
            for (i, &ai) in act.iter().enumerate() {
                for j in 0..out {
                    z[j] += ai * w[i * out + j];
                }
            }
            act = if l + 1 < p.len() {
                z.iter().map(|&v| act64(a, v)).collect()
            } else {
                z
            };
        }
        let m = act.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let lse = m + act.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
        total += lse - act[label];
    }
    let r: f64 = p
        .iter()
        .flat_map(|(w, _)| w.iter())
        .map(|&w| match penalty {
            Penalty::None => 0.0,
            Penalty::L2 => w * w,
            Penalty::L1 => w.abs(),
        })
        .sum();
    total / y.len() as f64
        + if penalty == Penalty::None {
            0.0
        } else {
            ALPHA * r
        }
}

/// Largest per-element relative error |g − g_fd| / max(|g|, |g_fd|, 1e-4) over all parameters.
fn max_gradient_error(activation: Activation, penalty: Penalty, hidden: Vec<usize>) -> f64 {
    let config = MlpParams {
        hidden,
        activation,
        penalty,
        alpha: ALPHA,
        batch_size: BatchSize::Full,
        ..MlpParams::default()
    }
    .validate()
    .unwrap();
    let mut rng = Pcg64Mcg::seed_from_u64(11);
    let x = Array2::from_shape_simple_fn((7, INPUTS), || rng.random_range(-1.5f32..1.5));
    let y = [0, 1, 2, 1, 0, 2, 2];
    let mut trainer = Trainer::new(&config, INPUTS, CLASSES, 3).unwrap();
    for layer in trainer.network_mut().layers_mut() {
        layer
            .biases_mut()
            .mapv_inplace(|_| rng.random_range(-0.3f32..0.3));
    }
    let grad = trainer.gradient(Samples::new(x.view(), &y)).unwrap();
    let base = params64(trainer.network());
    let reference = objective64(&base, activation, penalty, &x, &y);
    assert!(
        (grad.objective - reference).abs() < 1e-5 * reference.abs().max(1.0),
        "{activation:?} {penalty:?}: objective {} vs f64 reference {reference}",
        grad.objective
    );

    let h = 1e-6;
    let mut worst = 0.0f64;
    let mut check = |analytic: f32, plus: f64, minus: f64| {
        let numeric = (plus - minus) / (2.0 * h);
        let analytic = f64::from(analytic);
        let err = (analytic - numeric).abs() / analytic.abs().max(numeric.abs()).max(1e-4);
        worst = worst.max(err);
    };
    for (l, g) in grad.layers.iter().enumerate() {
        for (k, &gw) in g.weights().iter().enumerate() {
            let (mut plus, mut minus) = (base.clone(), base.clone());
            plus[l].0[k] += h;
            minus[l].0[k] -= h;
            let f = |p: &Params64| objective64(p, activation, penalty, &x, &y);
            check(gw, f(&plus), f(&minus));
        }
        for (k, &gb) in g.biases().iter().enumerate() {
            let (mut plus, mut minus) = (base.clone(), base.clone());
            plus[l].1[k] += h;
            minus[l].1[k] -= h;
            let f = |p: &Params64| objective64(p, activation, penalty, &x, &y);
            check(gb, f(&plus), f(&minus));
        }
    }
    worst
}

fn assert_gradients(penalty: Penalty) {
    for activation in Activation::ALL {
        for hidden in [vec![5, 4], vec![6]] {
            let err = max_gradient_error(activation, penalty, hidden.clone());
            assert!(
                err < 1e-3,
                "{activation:?}, {penalty:?}, hidden {hidden:?}: relative error {err:e}"
            );
        }
    }
}

#[test]
fn gradient_matches_finite_differences_without_penalty() {
    assert_gradients(Penalty::None);
}

#[test]
fn gradient_matches_finite_differences_with_l2() {
    assert_gradients(Penalty::L2);
}

#[test]
fn gradient_matches_finite_differences_with_l1() {
    assert_gradients(Penalty::L1);
}

#[test]
fn logistic_regression_gradient_matches_finite_differences() {
    for penalty in [Penalty::None, Penalty::L2, Penalty::L1] {
        let err = max_gradient_error(Activation::Relu, penalty, vec![]);
        assert!(err < 1e-3, "{penalty:?}: relative error {err:e}");
    }
}
