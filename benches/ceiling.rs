//! The single-core float32 ceiling of this machine, measured rather than taken from a data sheet
//! (issue 6 asks for W2 at ≥ 60% of it).
//!
//!     cargo bench --bench ceiling
//!
//! 1. **FMA peak**: 12 independent chains of 8-lane AVX2 FMAs (`vfmadd231ps`), enough to cover
//!    the FMA latency on two FMA pipes, so the loop runs at the core's FMA throughput:
//!    GFLOP/s = FMAs × 8 lanes × 2 flops / s. On a CPU without AVX2 + FMA it prints a notice.
//!    Likewise 12 chains of 16-lane AVX-512 FMAs when the CPU has AVX-512F (on Zen 4 a zmm FMA
//!    occupies both 256-bit pipes, so both peaks are equal there; on Intel server cores with two
//!    512-bit FMA units the AVX-512 peak is twice the AVX2 one).
//! 2. **GEMM**: the trainer's own kernel (`hpsearch::mlp::gemm`, the one chosen at run time)
//!    next to `ndarray`'s `general_mat_mul` (matrixmultiply) on the products of one mini-batch
//!    of 64 of W2 — forward 64×784·784×256, weight gradient 784×64ᵀ·64×256 (transposed A),
//!    back-propagation 64×256·(128×256)ᵀ (transposed B), layer 2 64×256·256×128 — and W1's
//!    32×64·64×64.
//!
//! Best of 7 runs each (the ceiling is what the core can do when nothing else runs).
//! Output: a table and one `RESULT {json}` line per figure.

use std::hint::black_box;
use std::time::Instant;

use hpsearch::mlp::gemm;
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

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn fma512_gflops(iters: usize) -> f64 {
    use std::arch::x86_64::*;
    const CHAINS: usize = 12;
    let mut acc = [_mm512_set1_ps(0.0); CHAINS];
    let a = _mm512_set1_ps(black_box(0.999_999));
    let b = _mm512_set1_ps(black_box(1e-7));
    let start = Instant::now();
    for _ in 0..iters {
        for v in acc.iter_mut() {
            *v = _mm512_fmadd_ps(*v, a, b);
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    black_box(acc);
    (iters * CHAINS * 16 * 2) as f64 / seconds / 1e9
}

/// GFLOP/s of C = op(A)·op(B) with (m, k, n), A or B transposed, by our kernel or ndarray's.
fn gemm_gflops(
    m: usize,
    k: usize,
    n: usize,
    ta: bool,
    tb: bool,
    ours: Option<gemm::Kernel>,
) -> f64 {
    let a = Array2::<f32>::from_shape_fn(if ta { (k, m) } else { (m, k) }, |(i, j)| {
        ((i * 31 + j * 17) % 13) as f32 * 0.01
    });
    let b = Array2::<f32>::from_shape_fn(if tb { (n, k) } else { (k, n) }, |(i, j)| {
        ((i * 7 + j * 3) % 11) as f32 * 0.01
    });
    let (a, b) = (
        if ta { a.t() } else { a.view() },
        if tb { b.t() } else { b.view() },
    );
    let mut c = Array2::<f32>::zeros((m, n));
    let mut pack = vec![0.0f32; k * n];
    let reps = (2_000_000_000 / (2 * m * k * n)).max(1);
    let start = Instant::now();
    for _ in 0..reps {
        if let Some(kernel) = ours {
            let c = c.as_slice_mut().expect("contiguous");
            gemm::mat_mul_with(kernel, a, b, c, false, &mut pack);
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
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("avx512f") {
        // SAFETY: AVX-512F is present, checked just above.
        let peak = best_of(|| unsafe { fma512_gflops(25_000_000) });
        println!("AVX-512 FMA peak (12 chains × 16 lanes) {peak:>7.1}");
        println!("RESULT {{\"what\":\"fma512_peak\",\"gflops\":{peak:.2}}}");
    }
    println!(
        "trainer kernel: {:?} (AVX2 for products at most 16 wide when that is AVX-512)",
        gemm::Kernel::detect()
    );
    let kernels: Vec<gemm::Kernel> = gemm::Kernel::available()
        .into_iter()
        .filter(|&k| k != gemm::Kernel::Portable)
        .collect();
    print!("{:44}", "product");
    for k in &kernels {
        print!("{:>9}", format!("{k:?}"));
    }
    println!("{:>9}", "ndarray");
    for (what, m, k, n, ta, tb) in [
        ("64×784·784×256 (W2 forward)", 64, 784, 256, false, false),
        ("784×64ᵀ·64×256 (W2 weight grad)", 784, 64, 256, true, false),
        (
            "64×256·(128×256)ᵀ (W2 back-prop)",
            64,
            256,
            128,
            false,
            true,
        ),
        ("64×256·256×128 (W2 layer 2)", 64, 256, 128, false, false),
        ("64×128·128×10 (W2 output)", 64, 128, 10, false, false),
        ("32×64·64×64 (W1 forward)", 32, 64, 64, false, false),
    ] {
        print!("{what:44}");
        let ours = best_of(|| gemm_gflops(m, k, n, ta, tb, Some(gemm::Kernel::for_width(n))));
        for &kernel in &kernels {
            let g = if kernel == gemm::Kernel::for_width(n) {
                ours
            } else {
                best_of(|| gemm_gflops(m, k, n, ta, tb, Some(kernel)))
            };
            print!("{g:>9.1}");
        }
        let theirs = best_of(|| gemm_gflops(m, k, n, ta, tb, None));
        println!("{theirs:>9.1}");
        let tag = format!(
            "gemm_{m}x{k}x{n}{}{}",
            if ta { "_at" } else { "" },
            if tb { "_bt" } else { "" }
        );
        println!(
            "RESULT {{\"what\":\"{tag}\",\"trainer_gflops\":{ours:.2},\"ndarray_gflops\":{theirs:.2}}}"
        );
    }
}
