//! Synthetic classification data, generated from the sweep seed.
//!
//! Samples are spread over the classes as evenly as possible (the first `samples mod classes`
//! classes get one more). Classes are named "0", "1", …; features "x0", "x1", ….
//!
//! | generator | shape | classes (default) | features | noise (default) |
//! | --- | --- | --- | --- | --- |
//! | `blobs` | Gaussian clusters, centres uniform in [−10, 10]^d | any ≥ 2 (3) | `dimensions` (2) | std of each cluster (1.0) |
//! | `moons` | two interleaved half circles | exactly 2 (2) | 2 | std added to each coordinate (0.1) |
//! | `circles` | concentric rings of radius (c+1)/k | any ≥ 2 (2) | 2 | std added to each coordinate (0.05) |
//! | `spirals` | k arms of one turn each, radius 0 → 1 | any ≥ 2 (3) | 2 | std added to each coordinate (0.05) |

use std::f64::consts::PI;

use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};
use rand_pcg::Pcg64Mcg;

use super::{Table, Values};

/// Default number of samples of a generator.
pub const DEFAULT_SAMPLES: usize = 1000;
/// Default number of features of `blobs`.
pub const DEFAULT_DIMENSIONS: usize = 2;

/// A synthetic data set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Generator {
    Blobs,
    Moons,
    Circles,
    Spirals,
}

impl Generator {
    /// The name in `builtin = "…"`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Generator::Blobs => "blobs",
            Generator::Moons => "moons",
            Generator::Circles => "circles",
            Generator::Spirals => "spirals",
        }
    }

    /// Classes when `classes` is not given.
    pub(crate) fn default_classes(self) -> usize {
        match self {
            Generator::Blobs | Generator::Spirals => 3,
            Generator::Moons | Generator::Circles => 2,
        }
    }

    /// Noise when `noise` is not given.
    pub(crate) fn default_noise(self) -> f64 {
        match self {
            Generator::Blobs => 1.0,
            Generator::Moons => 0.1,
            Generator::Circles | Generator::Spirals => 0.05,
        }
    }
}

/// A generator's parameters, defaults applied (checked by `spec::check`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct GeneratorParams {
    pub(crate) samples: usize,
    pub(crate) classes: usize,
    pub(crate) dimensions: usize,
    pub(crate) noise: f64,
}

/// Generates the whole data set (before splitting) from `seed`.
pub(crate) fn generate(generator: Generator, p: &GeneratorParams, seed: u64) -> Table {
    let mut rng = super::rng(seed, super::STREAM_GENERATOR);
    let width = match generator {
        Generator::Blobs => p.dimensions,
        _ => 2,
    };
    let k = p.classes.max(1);
    let mut values = Vec::with_capacity(p.samples * width);
    let mut y = Vec::with_capacity(p.samples);
    let centres: Vec<f64> = match generator {
        Generator::Blobs => (0..k * width)
            .map(|_| rng.random_range(-10.0..10.0))
            .collect(),
        _ => Vec::new(),
    };
    for class in 0..k {
        let n = p.samples / k + usize::from(class < p.samples % k);
        for i in 0..n {
            // Position along the class's curve, in [0, 1).
            let s = i as f64 / n as f64;
            let point: [f64; 2];
            let coords: &[f64] = match generator {
                Generator::Blobs => &centres[class * width..(class + 1) * width],
                Generator::Moons => {
                    let t = PI * s;
                    point = if class == 0 {
                        [t.cos(), t.sin()]
                    } else {
                        [1.0 - t.cos(), 0.5 - t.sin()]
                    };
                    &point
                }
                Generator::Circles => {
                    let r = (class + 1) as f64 / k as f64;
                    let t = 2.0 * PI * s;
                    point = [r * t.cos(), r * t.sin()];
                    &point
                }
                Generator::Spirals => {
                    let r = (i + 1) as f64 / n as f64;
                    let t = 2.0 * PI * (class as f64 / k as f64 + r);
                    point = [r * t.cos(), r * t.sin()];
                    &point
                }
            };
            for &c in coords {
                values.push((c + p.noise * gaussian(&mut rng)) as f32);
            }
            y.push(class);
        }
    }
    Table {
        values: Values::F32(values),
        width,
        y,
        classes: (0..k).map(|c| c.to_string()).collect(),
        features: (0..width).map(|d| format!("x{d}")).collect(),
        label: "label".to_string(),
        origin: format!("builtin \"{}\"", generator.name()),
    }
}

fn gaussian(rng: &mut Pcg64Mcg) -> f64 {
    StandardNormal.sample(rng)
}
