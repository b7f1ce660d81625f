//! The single-core float32 ceiling of this machine, measured rather than taken from a data sheet
//! (issue 6 asks for W2 at ≥ 60% of it).
//!
//!     cargo bench --bench ceiling
//!
//! 1. **FMA peak**: 12 independent chains of 8-lane AVX2 FMAs (`vfmadd231ps`), enough to cover
//!    the FMA latency on two FMA pipes, so the loop runs at the core's FMA throughput:
//!    GFLOP/s = FMAs × 8 lanes × 2 flops / s. On a CPU without AVX2 + FMA it prints a notice.
//! 2. **GEMM**: `ndarray`'s `general_mat_mul` (matrixmultiply, the kernel behind the trainer) on
//!    the W2 products of one mini-batch of 64: forward 64×784·784×256, weight gradient
//!    784×64·64×256 (transposed operand), back-propagation 64×256·256×128ᵀ.
//!
//! Best of 7 runs each (the ceiling is what the core can do when nothing else runs).
//! Output: a table and one `RESULT {json}` line per figure.

use std::hint::black_box;
use std::time::Instant;

use ndarray::Array2;
use ndarray::linalg::general_mat_mul;

const RUNS: usize = 7;

fn best_of<F: FnMut() -> f64>(mut f: F) -> f64 {
    (0..RUNS).map(|_| f()).fold(0.0, f64::max)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx,avx2,fma")]
fn fma_gflops(iters: usize) -> f64 {
    use std::arch::x86_64::*;
    const CHAINS: usize = 12;
    let mut acc = [_mm256_set1_ps(0.0); CHAINS];
    let a = _mm256_set1_ps(black_box(0.999_999));
    let b = _mm256_set1_ps(black_box(1e-7));
    let start = Instant::now();
    for _ in 0..iters {
        for v in acc.iter_mut() {
            *v = _mm256_fmadd_ps(*v, a, b);
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    black_box(acc);
    (iters * CHAINS * 8 * 2) as f64 / seconds / 1e9
}

fn gemm_gflops(m: usize, k: usize, n: usize, transpose_a: bool) -> f64 {
    let a = Array2::<f32>::from_shape_fn(if transpose_a { (k, m) } else { (m, k) }, |(i, j)| {
        ((i * 31 + j * 17) % 13) as f32 * 0.01
    });
    let b = Array2::<f32>::from_shape_fn((k, n), |(i, j)| ((i * 7 + j * 3) % 11) as f32 * 0.01);
    let mut c = Array2::<f32>::zeros((m, n));
    let reps = (2_000_000_000 / (2 * m * k * n)).max(1);
    let start = Instant::now();
    for _ in 0..reps {
        if transpose_a {
            general_mat_mul(1.0, &a.t(), &b, 0.0, &mut c);
        } else {
            general_mat_mul(1.0, &a, &b, 0.0, &mut c);
        }
        black_box(&mut c);
    }
    (reps * 2 * m * k * n) as f64 / start.elapsed().as_secs_f64() / 1e9
}

fn main() {
    println!("what                                    GFLOP/s (best of {RUNS})");
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
        // SAFETY: AVX2 and FMA are present, checked just above.
        let peak = best_of(|| unsafe { fma_gflops(50_000_000) });
        println!("AVX2 FMA peak (12 chains × 8 lanes)     {peak:>7.1}");
        println!("RESULT {{\"what\":\"fma_peak\",\"gflops\":{peak:.2}}}");
    } else {
        println!("AVX2 FMA peak: this CPU has no AVX2 + FMA");
    }
    for (what, m, k, n, t) in [
        ("gemm 64×784·784×256 (W2 forward)", 64, 784, 256, false),
        ("gemm 784×64ᵀ·64×256 (W2 weight grad)", 784, 64, 256, true),
        ("gemm 64×256·256×128 (W2 layer 2)", 64, 256, 128, false),
        ("gemm 32×64·64×64 (W1 forward)", 32, 64, 64, false),
    ] {
        let g = best_of(|| gemm_gflops(m, k, n, t));
        println!("{what:40}{g:>7.1}");
        println!(
            "RESULT {{\"what\":\"gemm_{m}x{k}x{n}{}\",\"gflops\":{g:.2}}}",
            if t { "_at" } else { "" }
        );
    }
}
