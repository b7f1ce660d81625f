//! hpsearch's side of the C4 MNIST comparison of issue 16 (`benches/mnist.py` runs it next to
//! PyTorch and the numpy loop): one training run, its training time and MNIST test accuracy.
//!
//!     cargo bench --bench mnist -- --data DIR --seed 0
//!
//! Settings: 784 → [256, 128] relu → 10, softmax cross-entropy, plain SGD η = 0.05 (no
//! momentum, no penalty, constant rate), batch 64 reshuffled each epoch (last partial batch
//! used), 15 epochs, 48,000 training images (the 60,000 of `DIR/train-*` split 80/20,
//! stratified by `seed`), pixels scaled to [0, 1] and z-scored with training statistics; test
//! accuracy on the 10,000 `DIR/t10k-*` images after the last epoch. Timed region: trainer
//! construction + 15 epochs (no evaluation), one thread.
//!
//! Output: one `RESULT {json}` line.

use std::path::PathBuf;
use std::time::Instant;

use hpsearch::data::{self, DataSpec};
use hpsearch::mlp::{BatchSize, MlpParams, Samples, Trainer};

const EPOCHS: usize = 15;

fn main() {
    let (mut dir, mut seed) = (None, 0u64);
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--data" => dir = it.next().map(PathBuf::from),
            "--seed" => seed = it.next().and_then(|v| v.parse().ok()).expect("--seed N"),
            _ => {} // `cargo bench` passes `--bench`.
        }
    }
    let dir = dir.expect("--data DIR (the folder of the MNIST idx files)");
    let file = |name: &str| format!("{:?}", dir.join(name).display().to_string());
    let toml = format!(
        "images = {}\nlabels = {}\ntest_images = {}\ntest_labels = {}\nvalidation = 0.2",
        file("train-images-idx3-ubyte.gz"),
        file("train-labels-idx1-ubyte.gz"),
        file("t10k-images-idx3-ubyte.gz"),
        file("t10k-labels-idx1-ubyte.gz"),
    );
    let spec: DataSpec = toml::from_str(&toml).expect("a valid spec");
    let d = data::load(&spec, &dir, seed).unwrap_or_else(|e| panic!("{e}"));
    let test = d.test.as_ref().expect("the t10k split");
    let params = MlpParams {
        hidden: vec![256, 128],
        learning_rate: 0.05,
        batch_size: BatchSize::MiniBatch(64),
        epochs: EPOCHS,
        ..MlpParams::default()
    };
    let config = params.validate().expect("valid settings");
    let train = Samples::new(d.train.x.view(), &d.train.y);
    let start = Instant::now();
    let mut trainer = Trainer::new(&config, 784, 10, seed).expect("valid data");
    let mut loss = f64::NAN;
    for _ in 0..EPOCHS {
        loss = trainer.train_epoch(train).expect("valid data");
    }
    let seconds = start.elapsed().as_secs_f64();
    let eval = trainer
        .evaluate(Samples::new(test.x.view(), &test.y))
        .expect("valid data");
    println!(
        "RESULT {{\"peer\":\"hpsearch\",\"seed\":{seed},\"train_samples\":{},\"seconds\":{seconds:.3},\
         \"last_epoch_loss\":{loss:.4},\"test_accuracy\":{:.4}}}",
        d.train.y.len(),
        eval.accuracy
    );
}
