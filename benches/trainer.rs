//! Trainer throughput on the peer workloads W1, W2, W3 of `../shared/bench` (issue 6): samples
//! per second of a complete training run (trainer construction + every epoch with shuffling, no
//! evaluation), median of 5 runs after one warm-up, single thread.
//!
//!     cargo bench --bench trainer            # all three
//!     cargo bench --bench trainer -- W3      # one
//!
//! Data: 10 Gaussian class centres with entries ~ N(0, (3/√d)²) plus N(0, 1) noise, as
//! `common.make_data` draws it (not the same samples; throughput does not depend on them).
//! Hyper-parameters as the peers: ReLU, plain SGD η = 0.01, L2 weight decay 1e-4 (α = 5e-5 in
//! our R = ‖w‖² convention, whose gradient is 2αw).

use std::time::Instant;

use hpsearch::mlp::{BatchSize, MlpParams, Penalty, Samples, Trainer};
use ndarray::Array2;
use rand::SeedableRng;
use rand_distr::{Distribution, Normal};
use rand_pcg::Pcg64Mcg;

const REPS: usize = 5;

struct Workload {
    name: &'static str,
    inputs: usize,
    hidden: &'static [usize],
    samples: usize,
    batch: usize,
    epochs: usize,
}

const WORKLOADS: [Workload; 3] = [
    Workload {
        name: "W1",
        inputs: 64,
        hidden: &[64],
        samples: 8000,
        batch: 32,
        epochs: 10,
    },
    Workload {
        name: "W2",
        inputs: 784,
        hidden: &[256, 128],
        samples: 20000,
        batch: 64,
        epochs: 3,
    },
    Workload {
        name: "W3",
        inputs: 64,
        hidden: &[32],
        samples: 2000,
        batch: 1,
        epochs: 3,
    },
];

fn make_data(n: usize, d: usize) -> (Array2<f32>, Vec<usize>) {
    let mut rng = Pcg64Mcg::seed_from_u64(0);
    let centre = Normal::new(0.0, 3.0 / (d as f64).sqrt()).expect("valid normal");
    let centres: Vec<f64> = (0..10 * d).map(|_| centre.sample(&mut rng)).collect();
    let noise = Normal::new(0.0, 1.0).expect("valid normal");
    let y: Vec<usize> = (0..n).map(|i| (i * 7919) % 10).collect();
    let x = Array2::from_shape_fn((n, d), |(i, j)| {
        (centres[y[i] * d + j] + noise.sample(&mut rng)) as f32
    });
    (x, y)
}

fn main() {
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    println!("workload  samples/s   GFLOP/s(6×weights)  median s  min s");
    for w in WORKLOADS
        .iter()
        .filter(|w| filter.is_empty() || filter.iter().any(|f| f == w.name))
    {
        let (x, y) = make_data(w.samples, w.inputs);
        let params = MlpParams {
            hidden: w.hidden.to_vec(),
            learning_rate: 0.01,
            penalty: Penalty::L2,
            alpha: 5e-5,
            batch_size: BatchSize::MiniBatch(w.batch),
            epochs: w.epochs,
            ..MlpParams::default()
        };
        let config = params.validate().expect("valid workload");
        let mut times = Vec::with_capacity(REPS);
        for rep in 0..=REPS {
            let start = Instant::now();
            let mut trainer = Trainer::new(&config, w.inputs, 10, rep as u64).expect("valid data");
            for _ in 0..w.epochs {
                trainer
                    .train_epoch(Samples::new(x.view(), &y))
                    .expect("valid data");
            }
            if rep > 0 {
                times.push(start.elapsed().as_secs_f64());
            }
        }
        times.sort_by(f64::total_cmp);
        let median = times[REPS / 2];
        let per_second = (w.samples * w.epochs) as f64 / median;
        let gflops = 6.0 * config.weight_count(w.inputs, 10) as f64 * per_second / 1e9;
        println!(
            "{:8}  {:>9.0}   {:>18.1}  {:>8.4}  {:.4}",
            w.name, per_second, gflops, median, times[0]
        );
    }
}
