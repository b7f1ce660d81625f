//! hpsearch's side of the MNIST optimizer comparison of issue 12 (`benches/optim_mnist.py`
//! runs it next to PyTorch): one training run, its MNIST test accuracy as a `RESULT {json}` line.
//!
//!     cargo bench --bench optim_mnist -- --data DIR --optimizer adam --lr 0.001 --seed 0
//!
//! Settings of the issue: [256, 128] relu, batch 64, 15 epochs, step decay 0.5 every 5 epochs,
//! L2 "1e-5" in PyTorch's weight-decay convention (gradient 1e-5·w, i.e. α = 5e-6 for our
//! R = ‖w‖², whose gradient is 2αw; weights only). Momentum μ = 0.9; Adam β = (0.9, 0.999),
//! ε = 1e-8. Data: `DIR/train-*-idx*-ubyte.gz` split 80/20 (stratified, by `seed`), pixels
//! scaled to [0, 1] and z-scored with training statistics; the test split is `DIR/t10k-*`. The
//! trainer's weights and shuffling come from `seed` as well.

use std::path::PathBuf;
use std::time::Instant;

use hpsearch::data::{self, DataSpec};
use hpsearch::mlp::{
    BatchSize, LrSchedule, MlpParams, Optimizer, Penalty, Samples, Status, Trainer,
};

fn main() {
    let (mut dir, mut optimizer, mut lr, mut seed) = (None, None, None, 0u64);
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--data" => dir = it.next().map(PathBuf::from),
            "--optimizer" => optimizer = it.next(),
            "--lr" => lr = it.next().and_then(|v| v.parse::<f64>().ok()),
            "--seed" => seed = it.next().and_then(|v| v.parse().ok()).expect("--seed N"),
            _ => {} // `cargo bench` passes `--bench`.
        }
    }
    let dir = dir.expect("--data DIR (the folder of the MNIST idx files)");
    let name = optimizer.expect("--optimizer sgd|momentum|nesterov|adam");
    let optimizer = match name.as_str() {
        "sgd" => Optimizer::Sgd,
        "momentum" => Optimizer::Momentum { momentum: 0.9 },
        "nesterov" => Optimizer::Nesterov { momentum: 0.9 },
        "adam" => Optimizer::Adam {
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
        },
        other => panic!("unknown optimizer {other:?}"),
    };
    let spec = DataSpec {
        images: Some(dir.join("train-images-idx3-ubyte.gz")),
        labels: Some(dir.join("train-labels-idx1-ubyte.gz")),
        test_images: Some(dir.join("t10k-images-idx3-ubyte.gz")),
        test_labels: Some(dir.join("t10k-labels-idx1-ubyte.gz")),
        validation: Some(0.2),
        ..DataSpec::default()
    };
    let set = data::load(&spec, &dir, seed).unwrap_or_else(|e| panic!("{e}"));
    let test = set.test.as_ref().expect("a test split");
    let config = MlpParams {
        hidden: vec![256, 128],
        learning_rate: lr.expect("--lr η0"),
        schedule: LrSchedule::Step {
            rate: 0.5,
            every: 5,
        },
        penalty: Penalty::L2,
        alpha: 5e-6,
        batch_size: BatchSize::MiniBatch(64),
        epochs: 15,
        optimizer,
        ..MlpParams::default()
    }
    .validate()
    .expect("valid settings");
    let start = Instant::now();
    let mut trainer =
        Trainer::new(&config, set.train.x.ncols(), set.classes.len(), seed).expect("valid data");
    let train = Samples::new(set.train.x.view(), &set.train.y);
    let val = Samples::new(set.validation.x.view(), &set.validation.y);
    let outcome = trainer
        .train(train, val, config.epochs(), &mut |_| {
            std::ops::ControlFlow::Continue(())
        })
        .expect("valid data");
    assert_eq!(outcome.status, Status::Completed);
    let seconds = start.elapsed().as_secs_f64();
    let eval = trainer
        .evaluate(Samples::new(test.x.view(), &test.y))
        .expect("valid data");
    let last = outcome.curve.last().expect("15 epochs");
    println!(
        "RESULT {{\"tool\":\"hpsearch\",\"optimizer\":\"{name}\",\"seed\":{seed},\
         \"train_samples\":{},\"test_accuracy\":{:.5},\"test_loss\":{:.5},\
         \"val_accuracy\":{:.5},\"seconds\":{seconds:.2}}}",
        set.train.y.len(),
        eval.accuracy,
        eval.loss,
        last.val_accuracy
    );
}
