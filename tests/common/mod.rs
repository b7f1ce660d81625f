//! Test helpers: the built-in data sets for the trainer's tests, loaded through the data module
//! (80/20 stratified split, standardized with training statistics), and [`cli`] for the
//! command-line tests.
#![allow(dead_code)]

pub mod cli;

use std::path::Path;

use hpsearch::data::{self, DataSpec, Split};
use hpsearch::mlp::Samples;
use ndarray::Array2;

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
}

impl From<Split> for Data {
    fn from(split: Split) -> Self {
        Data {
            x: split.x,
            y: split.y,
        }
    }
}

/// The built-in data set `name` as (train, validation), 20% stratified validation, seed 0.
pub fn builtin(name: &str) -> (Data, Data) {
    let spec = DataSpec {
        builtin: Some(name.to_string()),
        validation: Some(0.2),
        ..DataSpec::default()
    };
    let set = data::load(&spec, Path::new("."), 0).expect("built-in data loads");
    (set.train.into(), set.validation.into())
}

/// digits: 1,797 × 64, 10 classes.
pub fn digits() -> (Data, Data) {
    builtin("digits")
}

/// iris: 150 × 4, 3 classes.
pub fn iris() -> (Data, Data) {
    builtin("iris")
}
