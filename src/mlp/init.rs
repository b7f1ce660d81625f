//! Weight initialization suited to the nonlinearity; biases start at zero.

use ndarray::Array2;
use rand::{Rng, RngExt};

use super::{Activation, Float};

/// Draws a (fan_in × fan_out) weight matrix.
///
/// Hidden layers with a ReLU-family activation use He uniform, U(−√(6/n_in), √(6/n_in)), whose
/// variance is 2/n_in; tanh and sigmoid hidden layers and the output layer (no nonlinearity
/// before the softmax) use Glorot uniform, U(−√(6/(n_in+n_out)), √(6/(n_in+n_out))). Uniform
/// draws use no transcendental functions, so the weights are identical on every platform.
///
/// # Shapes
/// Returns (fan_in, fan_out), row-major.
pub(crate) fn weights(
    fan_in: usize,
    fan_out: usize,
    activation: Option<Activation>,
    rng: &mut impl Rng,
) -> Array2<Float> {
    let he = activation.is_some_and(Activation::is_relu_family);
    let limit = if he {
        (6.0 / fan_in as f64).sqrt()
    } else {
        (6.0 / (fan_in + fan_out) as f64).sqrt()
    } as Float;
    Array2::from_shape_simple_fn((fan_in, fan_out), || rng.random_range(-limit..limit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_pcg::Pcg64Mcg;

    #[test]
    fn he_and_glorot_bounds_and_spread() {
        let mut rng = Pcg64Mcg::seed_from_u64(1);
        let he = weights(100, 50, Some(Activation::Relu), &mut rng);
        let glorot = weights(100, 50, Some(Activation::Tanh), &mut rng);
        let he_limit = (6.0f32 / 100.0).sqrt();
        let glorot_limit = (6.0f32 / 150.0).sqrt();
        assert!(he.iter().all(|w| w.abs() < he_limit));
        assert!(glorot.iter().all(|w| w.abs() < glorot_limit));
        let var = |a: &Array2<f32>| a.iter().map(|w| w * w).sum::<f32>() / a.len() as f32;
        assert!(
            (var(&he) - 2.0 / 100.0).abs() < 0.002,
            "He variance {}",
            var(&he)
        );
        assert!((var(&glorot) - 2.0 / 150.0).abs() < 0.002);
    }
}
