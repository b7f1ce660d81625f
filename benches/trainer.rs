//! Trainer throughput on the peer workloads W1, W2, W3 of `../shared/bench` (issue 6): samples
//! per second of a complete training run (trainer construction + every epoch with shuffling, no
//! evaluation), median of `--reps` runs (default 5) after one warm-up, single thread.
//!
//!     cargo bench --bench trainer                          # all three, synthetic data
//!     cargo bench --bench trainer -- W3                    # one
//!     cargo bench --bench trainer -- --data DIR --reps 3   # the peers' exact samples
//!     cargo bench --bench trainer -- W2 --optimizers sgd,momentum,adam --reps 7
//!
//! `--optimizers` (issue 12) times each listed update rule in turn within every round (default:
//! `sgd` alone), so their ratios to the first are measured side by side; momentum and Nesterov
//! use μ = 0.9, Adam β1 = 0.9, β2 = 0.999, ε = 1e-8, all at the same η.
//!
//! Data: with `--data DIR` (or `HPSEARCH_BENCH_DATA=DIR`), workload Wk reads `DIR/wk.csv` as
//! written by `python3 ../shared/bench/export_workload.py Wk DIR/wk.csv` (columns
//! f0..f{d-1},label, already standardized), so hpsearch trains on exactly the samples the peers
//! train on. A workload whose file is absent falls back to synthetic data drawn like
//! `common.make_data` (10 Gaussian class centres with entries ~ N(0, (3/√d)²) plus N(0, 1)
//! noise; not the same samples). `benches/compare.py` runs this next to the peers.
//!
//! Hyper-parameters as the peers: ReLU, plain SGD η = 0.01 (no momentum), L2 weight decay 1e-4
//! (α = 5e-5 in our R = ‖w‖² convention, whose gradient is 2αw).
//!
//! Output: a human-readable table and, per workload, one `RESULT {json}` line for scripts.

use std::path::{Path, PathBuf};
use std::time::Instant;

use hpsearch::mlp::{BatchSize, MlpConfig, MlpParams, Optimizer, Penalty, Samples, Trainer};
use ndarray::Array2;
use rand::SeedableRng;
use rand_distr::{Distribution, Normal};
use rand_pcg::Pcg64Mcg;

/// Timed runs per workload unless `--reps N` says otherwise.
const DEFAULT_REPS: usize = 5;
/// Classes of every workload.
const CLASSES: usize = 10;

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

/// Synthetic data of the workload's shape, drawn like `common.make_data` (not the same samples).
fn make_data(n: usize, d: usize) -> (Array2<f32>, Vec<usize>) {
    let mut rng = Pcg64Mcg::seed_from_u64(0);
    let centre = Normal::new(0.0, 3.0 / (d as f64).sqrt()).expect("valid normal");
    let centres: Vec<f64> = (0..CLASSES * d).map(|_| centre.sample(&mut rng)).collect();
    let noise = Normal::new(0.0, 1.0).expect("valid normal");
    let y: Vec<usize> = (0..n).map(|i| (i * 7919) % CLASSES).collect();
    let x = Array2::from_shape_fn((n, d), |(i, j)| {
        (centres[y[i] * d + j] + noise.sample(&mut rng)) as f32
    });
    (x, y)
}

/// Reads an `export_workload.py` CSV: a header, then `d` float columns and an integer label.
fn read_csv(path: &Path, d: usize) -> Result<(Array2<f32>, Vec<usize>), String> {
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("{}: {e}", path.display()))?;
        if record.len() != d + 1 {
            return Err(format!(
                "{}: row {} has {} columns, expected {} features and a label",
                path.display(),
                i + 1,
                record.len(),
                d
            ));
        }
        for field in record.iter().take(d) {
            x.push(
                field
                    .parse::<f32>()
                    .map_err(|e| format!("{}: row {}: {field:?}: {e}", path.display(), i + 1))?,
            );
        }
        let label = &record[d];
        y.push(
            label
                .parse::<usize>()
                .map_err(|e| format!("{}: row {}: label {label:?}: {e}", path.display(), i + 1))?,
        );
    }
    let x = Array2::from_shape_vec((y.len(), d), x).map_err(|e| e.to_string())?;
    Ok((x, y))
}

struct Args {
    filter: Vec<String>,
    data: Option<PathBuf>,
    reps: usize,
    optimizers: Vec<Optimizer>,
}

fn optimizer(name: &str) -> Optimizer {
    match name {
        "sgd" => Optimizer::Sgd,
        "momentum" => Optimizer::Momentum { momentum: 0.9 },
        "nesterov" => Optimizer::Nesterov { momentum: 0.9 },
        "adam" => Optimizer::Adam {
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
        },
        other => {
            panic!("--optimizers: unknown optimizer {other:?} (sgd, momentum, nesterov, adam)")
        }
    }
}

fn parse_args() -> Args {
    let mut args = Args {
        filter: Vec::new(),
        data: std::env::var_os("HPSEARCH_BENCH_DATA").map(PathBuf::from),
        reps: DEFAULT_REPS,
        optimizers: vec![Optimizer::Sgd],
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--data" => args.data = it.next().map(PathBuf::from),
            "--reps" => {
                args.reps = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n >= 1)
                    .expect("--reps takes an integer ≥ 1");
            }
            "--optimizers" => {
                args.optimizers = it
                    .next()
                    .expect("--optimizers takes a list such as sgd,adam")
                    .split(',')
                    .map(optimizer)
                    .collect();
            }
            // `cargo bench` passes `--bench`; other flags are ignored likewise.
            _ if a.starts_with('-') => {}
            _ => args.filter.push(a),
        }
    }
    args
}

fn main() {
    let args = parse_args();
    println!(
        "workload  data       samples/s   GFLOP/s(6×weights)  median s  min s    optimizer \
         time/first (median of per-round ratios)"
    );
    for w in WORKLOADS
        .iter()
        .filter(|w| args.filter.is_empty() || args.filter.iter().any(|f| f == w.name))
    {
        let file = args
            .data
            .as_ref()
            .map(|dir| dir.join(format!("{}.csv", w.name.to_lowercase())))
            .filter(|p| p.is_file());
        let (source, (x, y)) = match &file {
            Some(path) => (
                "csv",
                read_csv(path, w.inputs).unwrap_or_else(|e| panic!("{e}")),
            ),
            None => ("synthetic", make_data(w.samples, w.inputs)),
        };
        let configs: Vec<MlpConfig> = args
            .optimizers
            .iter()
            .map(|&optimizer| {
                MlpParams {
                    hidden: w.hidden.to_vec(),
                    learning_rate: 0.01,
                    penalty: Penalty::L2,
                    alpha: 5e-5,
                    batch_size: BatchSize::MiniBatch(w.batch),
                    epochs: w.epochs,
                    optimizer,
                    ..MlpParams::default()
                }
                .validate()
                .expect("valid workload")
            })
            .collect();
        // times[k][r]: optimizer k in round r; the rules alternate within each round.
        let mut times = vec![Vec::with_capacity(args.reps); configs.len()];
        let mut last_loss = vec![f64::NAN; configs.len()];
        for rep in 0..=args.reps {
            for (k, config) in configs.iter().enumerate() {
                let start = Instant::now();
                let mut trainer =
                    Trainer::new(config, w.inputs, CLASSES, rep as u64).expect("valid data");
                for _ in 0..w.epochs {
                    last_loss[k] = trainer
                        .train_epoch(Samples::new(x.view(), &y))
                        .expect("valid data");
                }
                if rep > 0 {
                    times[k].push(start.elapsed().as_secs_f64());
                }
            }
        }
        for (k, config) in configs.iter().enumerate() {
            let name = config.optimizer().name();
            let mut sorted = times[k].clone();
            sorted.sort_by(f64::total_cmp);
            let median = sorted[sorted.len() / 2];
            let per_second = (x.nrows() * w.epochs) as f64 / median;
            let weights = config.weight_count(w.inputs, CLASSES);
            let gflops = 6.0 * weights as f64 * per_second / 1e9;
            let mut ratios: Vec<f64> = times[k].iter().zip(&times[0]).map(|(t, s)| t / s).collect();
            ratios.sort_by(f64::total_cmp);
            let ratio = ratios[ratios.len() / 2];
            println!(
                "{:8}  {:9}  {:>9.0}   {:>18.1}  {:>8.4}  {:.4}  {:8}  {:.3}",
                w.name, source, per_second, gflops, median, sorted[0], name, ratio
            );
            println!(
                "RESULT {{\"workload\":\"{}\",\"data\":\"{}\",\"optimizer\":\"{}\",\
                 \"samples_per_s\":{:.1},\"weights\":{},\"median_s\":{:.5},\"min_s\":{:.5},\
                 \"time_ratio_to_first\":{:.4},\"last_epoch_loss\":{:.4}}}",
                w.name, source, name, per_second, weights, median, sorted[0], ratio, last_loss[k]
            );
        }
    }
}
