//! Test-only data helpers: a tiny CSV loader, a stratified split and standardization.
//! (To be replaced by the data module once it lands.)
#![allow(dead_code)]

use std::path::Path;

use hpsearch::mlp::Samples;
use ndarray::{Array2, Axis};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_pcg::Pcg64Mcg;

/// Features and classes.
#[derive(Clone, Debug)]
pub struct Data {
    pub x: Array2<f32>,
    pub y: Vec<usize>,
}

impl Data {
    pub fn samples(&self) -> Samples<'_> {
        Samples::new(self.x.view(), &self.y)
    }

    pub fn classes(&self) -> usize {
        self.y.iter().max().map_or(0, |m| m + 1)
    }

    fn rows(&self, idx: &[usize]) -> Data {
        Data {
            x: self.x.select(Axis(0), idx),
            y: idx.iter().map(|&i| self.y[i]).collect(),
        }
    }
}

/// `data/NAME` of the crate: a header line, numeric features, the integer label last.
pub fn load(name: &str) -> Data {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("test data set is present");
    let mut values = Vec::new();
    let mut y = Vec::new();
    let mut width = 0;
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split(',').collect();
        width = fields.len() - 1;
        values.extend(
            fields[..width]
                .iter()
                .map(|f| f.trim().parse::<f32>().expect("number")),
        );
        y.push(fields[width].trim().parse::<f64>().expect("label") as usize);
    }
    Data {
        x: Array2::from_shape_vec((y.len(), width), values).expect("rectangular"),
        y,
    }
}

/// Splits off `fraction` of each class (rounded) as validation, shuffled with `seed`.
pub fn stratified_split(data: &Data, fraction: f64, seed: u64) -> (Data, Data) {
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let (mut train, mut val) = (Vec::new(), Vec::new());
    for class in 0..data.classes() {
        let mut idx: Vec<usize> = (0..data.y.len()).filter(|&i| data.y[i] == class).collect();
        idx.shuffle(&mut rng);
        let k = (idx.len() as f64 * fraction).round() as usize;
        val.extend_from_slice(&idx[..k]);
        train.extend_from_slice(&idx[k..]);
    }
    train.sort_unstable();
    val.sort_unstable();
    (data.rows(&train), data.rows(&val))
}

/// Z-scores both splits with the training split's mean and standard deviation (1 if constant).
pub fn standardize(train: &mut Data, val: &mut Data) {
    let mean = train.x.mean_axis(Axis(0)).expect("non-empty");
    let std = train
        .x
        .std_axis(Axis(0), 0.0)
        .mapv(|s| if s > 0.0 { s } else { 1.0 });
    for x in [&mut train.x, &mut val.x] {
        *x -= &mean;
        *x /= &std;
    }
}

/// digits.csv: 80/20 stratified, standardized.
pub fn digits() -> (Data, Data) {
    let (mut train, mut val) = stratified_split(&load("digits.csv"), 0.2, 0);
    standardize(&mut train, &mut val);
    (train, val)
}

/// iris.csv: 80/20 stratified, standardized.
pub fn iris() -> (Data, Data) {
    let (mut train, mut val) = stratified_split(&load("iris.csv"), 0.2, 0);
    standardize(&mut train, &mut val);
    (train, val)
}
