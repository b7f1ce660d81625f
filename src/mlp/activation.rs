//! Hidden-layer nonlinearities f and their slopes f′, fused with the bias addition.

use super::Float;

/// The nonlinearity of every hidden layer. Default: [`Activation::Relu`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Activation {
    /// max(0, z).
    #[default]
    Relu,
    /// tanh(z).
    Tanh,
    /// The logistic function 1 / (1 + e^(−z)).
    Sigmoid,
    /// z for z > 0, 0.01·z otherwise.
    LeakyRelu,
    /// z for z > 0, e^z − 1 otherwise (ELU with α = 1).
    Elu,
    /// GELU, tanh approximation: ½·z·(1 + tanh(√(2/π)·(z + 0.044715·z³))) (Hendrycks & Gimpel).
    Gelu,
}

/// Slope of leaky ReLU for negative inputs.
const LEAKY_SLOPE: Float = 0.01;
/// √(2/π), for GELU.
const GELU_C: Float = 0.797_884_6;
/// The cubic coefficient of the GELU tanh approximation.
const GELU_K: Float = 0.044_715;

impl Activation {
    /// Every activation, in the order of the parameter schema.
    pub const ALL: [Activation; 6] = [
        Activation::Relu,
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::LeakyRelu,
        Activation::Elu,
        Activation::Gelu,
    ];

    /// The name used in search-space files (`"relu"`, `"leaky_relu"`, …).
    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::LeakyRelu => "leaky_relu",
            Activation::Elu => "elu",
            Activation::Gelu => "gelu",
        }
    }

    /// Parses [`Activation::name`].
    pub fn from_name(name: &str) -> Option<Activation> {
        Activation::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Whether He initialization suits it (the ReLU family) rather than Glorot (tanh, sigmoid).
    pub fn is_relu_family(self) -> bool {
        !matches!(self, Activation::Tanh | Activation::Sigmoid)
    }

    /// f(z) and f′(z) at one point.
    pub fn value_and_slope(self, z: Float) -> (Float, Float) {
        match self {
            Activation::Relu => relu(z),
            Activation::Tanh => tanh(z),
            Activation::Sigmoid => sigmoid(z),
            Activation::LeakyRelu => leaky_relu(z),
            Activation::Elu => elu(z),
            Activation::Gelu => gelu(z),
        }
    }

    /// Training pass: adds `bias` to every row of `z`, replaces it by f(z) and writes f′(z) to
    /// `slope`. One pass, one monomorphized loop per activation.
    ///
    /// # Shapes
    /// `z`, `slope`: (rows × width) row-major; `bias`: (width).
    #[inline(always)]
    pub(crate) fn forward_train(self, z: &mut [Float], slope: &mut [Float], bias: &[Float]) {
        match self {
            Activation::Relu => fused(z, slope, bias, relu),
            Activation::Tanh => fused(z, slope, bias, tanh),
            Activation::Sigmoid => fused(z, slope, bias, sigmoid),
            Activation::LeakyRelu => fused(z, slope, bias, leaky_relu),
            Activation::Elu => fused(z, slope, bias, elu),
            Activation::Gelu => fused(z, slope, bias, gelu),
        }
    }

    /// Evaluation pass: adds `bias` to every row of `z` and replaces it by f(z).
    ///
    /// # Shapes
    /// `z`: (rows × width) row-major; `bias`: (width).
    pub(crate) fn forward_eval(self, z: &mut [Float], bias: &[Float]) {
        match self {
            Activation::Relu => apply(z, bias, relu),
            Activation::Tanh => apply(z, bias, tanh),
            Activation::Sigmoid => apply(z, bias, sigmoid),
            Activation::LeakyRelu => apply(z, bias, leaky_relu),
            Activation::Elu => apply(z, bias, elu),
            Activation::Gelu => apply(z, bias, gelu),
        }
    }
}

#[inline(always)]
fn fused(z: &mut [Float], slope: &mut [Float], bias: &[Float], f: fn(Float) -> (Float, Float)) {
    let width = bias.len();
    for (z_row, s_row) in z.chunks_exact_mut(width).zip(slope.chunks_exact_mut(width)) {
        for ((z, s), &b) in z_row.iter_mut().zip(s_row).zip(bias) {
            (*z, *s) = f(*z + b);
        }
    }
}

#[inline(always)]
fn apply(z: &mut [Float], bias: &[Float], f: fn(Float) -> (Float, Float)) {
    let width = bias.len();
    for z_row in z.chunks_exact_mut(width) {
        for (z, &b) in z_row.iter_mut().zip(bias) {
            *z = f(*z + b).0;
        }
    }
}

#[inline(always)]
fn relu(z: Float) -> (Float, Float) {
    if z > 0.0 { (z, 1.0) } else { (0.0, 0.0) }
}

#[inline(always)]
fn leaky_relu(z: Float) -> (Float, Float) {
    if z > 0.0 {
        (z, 1.0)
    } else {
        (LEAKY_SLOPE * z, LEAKY_SLOPE)
    }
}

#[inline(always)]
fn elu(z: Float) -> (Float, Float) {
    if z > 0.0 {
        (z, 1.0)
    } else {
        let e = z.exp();
        (e - 1.0, e)
    }
}

#[inline(always)]
fn tanh(z: Float) -> (Float, Float) {
    let a = z.tanh();
    (a, 1.0 - a * a)
}

#[inline(always)]
fn sigmoid(z: Float) -> (Float, Float) {
    let a = 1.0 / (1.0 + (-z).exp());
    (a, a * (1.0 - a))
}

#[inline(always)]
fn gelu(z: Float) -> (Float, Float) {
    // Beyond |z| = 10 GELU equals ReLU to f32 precision, and z³ could overflow.
    if z.abs() > 10.0 {
        return relu(z);
    }
    let t = (GELU_C * (z + GELU_K * z * z * z)).tanh();
    let value = 0.5 * z * (1.0 + t);
    let slope = 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * GELU_K * z * z);
    (value, slope)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for a in Activation::ALL {
            assert_eq!(Activation::from_name(a.name()), Some(a));
        }
        assert_eq!(Activation::from_name("swish"), None);
    }

    #[test]
    fn slopes_match_central_differences() {
        for a in Activation::ALL {
            for &z in &[-2.5f32, -0.7, -0.1, 0.2, 0.9, 3.0] {
                let h = 1e-3;
                let numeric = (a.value_and_slope(z + h).0 - a.value_and_slope(z - h).0) / (2.0 * h);
                let (_, slope) = a.value_and_slope(z);
                assert!(
                    (numeric - slope).abs() < 2e-3,
                    "{a:?} at {z}: {numeric} vs {slope}"
                );
            }
        }
    }

    #[test]
    fn extreme_inputs_stay_finite() {
        for a in [
            Activation::Sigmoid,
            Activation::Tanh,
            Activation::Elu,
            Activation::Gelu,
        ] {
            for z in [-1e30f32, 1e30] {
                let (v, s) = a.value_and_slope(z);
                assert!(v.is_finite() && s.is_finite(), "{a:?} at {z}: {v} {s}");
            }
        }
    }
}
