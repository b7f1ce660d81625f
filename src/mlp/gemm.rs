//! The trainer's matrix product C ← A·B (or C ← C + A·B), with kernels chosen at run time.
//!
//! Why hand-written: `matrixmultiply` (behind ndarray's `dot`) and the `gemm` crate both stop
//! at 60–72% of the FMA peak on the trainer's shapes (issue 16), have no AVX-512 f32 kernel
//! (`matrixmultiply`), and `matrixmultiply` allocates a packing buffer on every call, which a
//! hot loop that allocates nothing cannot hand it. The trainer's products are small and of few
//! shapes (a batch of 16–256 rows against a weight matrix), so a register-blocked kernel without
//! A-packing does well:
//!
//! - **AVX-512F** (when the CPU has it): a tile of 8 rows × 32 columns of C in 16 zmm
//!   accumulators; per step of k, two loads of B, eight broadcasts of A, sixteen FMAs.
//! - **AVX2 + FMA**: 6 rows × 16 columns in 12 ymm accumulators (the BLIS Haswell shape).
//! - **Portable** elsewhere: the same arithmetic as scalar `mul_add` loops.
//!
//! Both SIMD kernels keep 12–16 independent FMA chains in flight, enough to cover the FMA
//! latency on two pipes. B is walked in panels of 256 rows so that a panel stays in L1 while
//! every row block of A passes over it.
//!
//! **Every kernel computes exactly the same bits.** Each element of C is one chain of fused
//! multiply-adds over k in increasing order, started from 0 (or from C when accumulating):
//! c_ij = fma(a_i,k−1, b_k−1,j, … fma(a_i0, b_0j, c_ij⁰)). Blocking, tiling and vector width
//! only change which elements are computed together, never the order within one element, so
//! AVX-512, AVX2 and portable results are bit-identical (tested), and training results do not
//! depend on the machine's SIMD level. The price: on an x86-64 CPU without FMA (before 2013)
//! the portable path's `mul_add` is a slow library call.

use ndarray::ArrayView2;

use super::Float;

/// Rows of B (depth) per panel: 256 × 32 floats = 32 KiB for the AVX-512 panel, 16 KiB for AVX2.
const KC: usize = 256;

/// The kernels this build knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// Scalar `mul_add` loops; any CPU.
    Portable,
    /// 6 × 16 tiles of 8-lane FMAs (x86-64 with AVX2 and FMA).
    Avx2,
    /// 8 × 32 tiles of 16-lane FMAs (x86-64 with AVX-512F).
    Avx512,
}

impl Kernel {
    /// The fastest kernel this CPU runs.
    pub fn detect() -> Kernel {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return Kernel::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                return Kernel::Avx2;
            }
        }
        Kernel::Portable
    }

    /// The kernel for products with `n` columns: [`Kernel::detect`]'s, except that products at
    /// most 16 wide (e.g. a 10-class output layer) take the AVX2 kernel, whose 16-column tile
    /// wastes fewer lanes than AVX-512's 32-column one. Same bits either way.
    pub fn for_width(n: usize) -> Kernel {
        match Kernel::detect() {
            Kernel::Avx512 if n <= 16 && Kernel::Avx2.is_supported() => Kernel::Avx2,
            kernel => kernel,
        }
    }

    /// Every kernel this CPU runs, portable first.
    pub fn available() -> Vec<Kernel> {
        [Kernel::Portable, Kernel::Avx2, Kernel::Avx512]
            .into_iter()
            .filter(|k| k.is_supported())
            .collect()
    }

    /// Whether this CPU runs the kernel.
    pub fn is_supported(self) -> bool {
        match self {
            Kernel::Portable => true,
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => {
                std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
            }
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => std::arch::is_x86_feature_detected!("avx512f"),
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }
}

/// C ← A·B, or C ← C + A·B when `accumulate`, with the fastest kernel of this CPU
/// (see the module docs for the exact arithmetic).
///
/// `pack` is scratch space for a B whose columns are not contiguous (e.g. a transposed weight
/// matrix), which is first copied there row-major; it needs k·n floats in that case only.
///
/// # Shapes
/// `a`: (m, k), any strides; `b`: (k, n), any strides; `c`: (m × n) row-major, at least m·n.
///
/// # Panics
/// When the shapes disagree or `pack` is too short for a strided B: a bug of the caller.
pub fn mat_mul(
    a: ArrayView2<'_, Float>,
    b: ArrayView2<'_, Float>,
    c: &mut [Float],
    accumulate: bool,
    pack: &mut [Float],
) {
    mat_mul_with(Kernel::for_width(b.ncols()), a, b, c, accumulate, pack);
}

/// C ← keep·C + s·(A·B): a gradient-descent step W ← keep·W − η·aᵀ·δ fused into the product
/// that computes the gradient (s = −η), so the gradient is never stored. Each element is
/// fma(s, p_ij, keep·c_ij) where p_ij is the FMA chain of A·B from 0 over k in order, with the
/// same bits on every kernel.
///
/// # Shapes
/// As [`mat_mul`]; B must have contiguous columns (no packing buffer is taken).
///
/// # Panics
/// When the shapes disagree or B's columns are strided: a bug of the caller.
pub fn mat_mul_update(
    keep: Float,
    s: Float,
    a: ArrayView2<'_, Float>,
    b: ArrayView2<'_, Float>,
    c: &mut [Float],
) {
    assert!(
        b.ncols() == 1 || b.strides()[1] == 1,
        "B has contiguous columns"
    );
    run(
        Kernel::detect(),
        a,
        b,
        c,
        Epilogue::Update { keep, s },
        &mut [],
    );
}

/// What a tile does with its block of C.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Epilogue {
    /// C ← A·B.
    Overwrite,
    /// C ← C + A·B (the chain starts from C).
    Accumulate,
    /// C ← fma(s, A·B, keep·C), A·B summed from 0 over the whole depth at once.
    Update { keep: Float, s: Float },
}

/// [`mat_mul`] with a given kernel.
///
/// # Panics
/// As [`mat_mul`], and when this CPU does not run `kernel`.
pub fn mat_mul_with(
    kernel: Kernel,
    a: ArrayView2<'_, Float>,
    b: ArrayView2<'_, Float>,
    c: &mut [Float],
    accumulate: bool,
    pack: &mut [Float],
) {
    let epilogue = if accumulate {
        Epilogue::Accumulate
    } else {
        Epilogue::Overwrite
    };
    run(kernel, a, b, c, epilogue, pack);
}

fn run(
    kernel: Kernel,
    a: ArrayView2<'_, Float>,
    b: ArrayView2<'_, Float>,
    c: &mut [Float],
    epilogue: Epilogue,
    pack: &mut [Float],
) {
    let (m, k) = a.dim();
    let n = b.ncols();
    assert_eq!(b.nrows(), k, "inner dimensions of A and B");
    assert!(c.len() >= m * n, "C holds m × n");
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        match epilogue {
            Epilogue::Overwrite => c[..m * n].fill(0.0),
            Epilogue::Accumulate => {}
            Epilogue::Update { keep, .. } => c[..m * n].iter_mut().for_each(|c| *c *= keep),
        }
        return;
    }
    let b = if n == 1 || b.strides()[1] == 1 {
        Operand::of(b)
    } else {
        // Copied in column strips of 16, so that the 16 source lines being read stay in L1.
        let packed = &mut pack[..k * n];
        let src = Operand::of(b);
        for j0 in (0..n).step_by(16) {
            let j1 = (j0 + 16).min(n);
            for (p, dst) in packed.chunks_exact_mut(n).enumerate() {
                for (j, d) in dst[j0..j1].iter_mut().enumerate() {
                    // SAFETY: p < k, j0 + j < n: inside B.
                    *d = unsafe { src.at(p, j0 + j) };
                }
            }
        }
        Operand {
            ptr: packed.as_ptr(),
            rs: n as isize,
            cs: 1,
        }
    };
    let a = Operand::of(a);
    let c = &mut c[..m * n];
    assert!(
        kernel.is_supported(),
        "{kernel:?} is not supported by this CPU"
    );
    match kernel {
        Kernel::Portable => portable(m, n, k, a, b, c, epilogue),
        // SAFETY: the CPU runs the kernel (asserted above); A and B are views whose strides
        // address k columns / n columns of m / k rows, B's columns are contiguous, C holds m·n.
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx2 => unsafe { x86::drive_avx2(m, n, k, a, b, c.as_mut_ptr(), epilogue) },
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx512 => unsafe { x86::drive_avx512(m, n, k, a, b, c.as_mut_ptr(), epilogue) },
        #[cfg(not(target_arch = "x86_64"))]
        _ => unreachable!("only the portable kernel exists off x86-64"),
    }
}

/// A matrix as a pointer and element strides.
#[derive(Clone, Copy)]
struct Operand {
    ptr: *const Float,
    rs: isize,
    cs: isize,
}

impl Operand {
    fn of(v: ArrayView2<'_, Float>) -> Operand {
        Operand {
            ptr: v.as_ptr(),
            rs: v.strides()[0],
            cs: v.strides()[1],
        }
    }

    /// Element (i, j).
    ///
    /// # Safety
    /// (i, j) lies inside the matrix the operand was made from.
    #[inline(always)]
    unsafe fn at(self, i: usize, j: usize) -> Float {
        unsafe { *self.ptr.offset(i as isize * self.rs + j as isize * self.cs) }
    }
}

/// The portable kernel: for each row of C, c_i· ← fma(a_ik, b_k·, c_i·) for k in order (in
/// strips of 16 columns, so that a fused update can keep its sums on the stack).
fn portable(m: usize, n: usize, k: usize, a: Operand, b: Operand, c: &mut [Float], e: Epilogue) {
    for (i, c_row) in c.chunks_exact_mut(n).enumerate().take(m) {
        for (strip, c_strip) in c_row.chunks_mut(16).enumerate() {
            let j0 = strip * 16;
            let mut sums = [0.0; 16];
            let acc = &mut sums[..c_strip.len()];
            if e == Epilogue::Accumulate {
                acc.copy_from_slice(c_strip);
            }
            for p in 0..k {
                // SAFETY: i < m, p < k, j0 + j < n: inside A and B.
                let a_ip = unsafe { a.at(i, p) };
                for (j, s) in acc.iter_mut().enumerate() {
                    *s = a_ip.mul_add(unsafe { b.at(p, j0 + j) }, *s);
                }
            }
            match e {
                Epilogue::Update { keep, s } => {
                    for (c, &p) in c_strip.iter_mut().zip(acc.iter()) {
                        *c = s.mul_add(p, keep * *c);
                    }
                }
                _ => c_strip.copy_from_slice(acc),
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    //! The AVX2 and AVX-512 drivers and tiles. A driver walks the blocks of C in the order of
    //! [`for_each_tile`]; a tile keeps its block of C in registers for one depth block, loading
    //! it first when continuing a sum.

    use std::arch::x86_64::*;

    use super::{Epilogue, Float, KC, Operand};

    /// Calls `tile` on every block of C: `MR` rows × `NR` columns (fewer at the edges) over a
    /// depth block. With several depth blocks (k > [`KC`]), column panels go outside, so that a
    /// panel of B (KC × NR) stays in L1 while every row block passes over it. With one depth
    /// block, row blocks go outside: A's block stays in L1 while B streams, and C (the weights,
    /// in a fused update) is walked once, row block by row block.
    #[inline(always)]
    fn for_each_tile<const MR: usize, const NR: usize>(
        (m, n, k): (usize, usize, usize),
        a: Operand,
        b: Operand,
        c: *mut Float,
        epilogue: Epilogue,
        mut tile: impl FnMut(Tile, usize),
    ) {
        let depth = if matches!(epilogue, Epilogue::Update { .. }) {
            k
        } else {
            KC
        };
        let update = match epilogue {
            Epilogue::Update { keep, s } => Some((keep, s)),
            _ => None,
        };
        let mut at = |i0: usize, j0: usize, p0: usize| {
            let kc = depth.min(k - p0);
            let t = Tile {
                kc,
                // Offsets inside A, B and C: i0 < m, j0 < n, p0 < k.
                a: a.ptr
                    .wrapping_offset(i0 as isize * a.rs + p0 as isize * a.cs),
                rsa: a.rs,
                csa: a.cs,
                b: b.ptr.wrapping_offset(p0 as isize * b.rs + j0 as isize),
                ldb: b.rs,
                c: c.wrapping_add(i0 * n + j0),
                ldc: n,
                nr: NR.min(n - j0),
                init: epilogue == Epilogue::Accumulate || p0 > 0,
                update,
            };
            tile(t, MR.min(m - i0));
        };
        if k <= depth {
            for i0 in (0..m).step_by(MR) {
                for j0 in (0..n).step_by(NR) {
                    at(i0, j0, 0);
                }
            }
        } else {
            for j0 in (0..n).step_by(NR) {
                for p0 in (0..k).step_by(depth) {
                    for i0 in (0..m).step_by(MR) {
                        at(i0, j0, p0);
                    }
                }
            }
        }
    }

    /// # Safety
    /// AVX2 and FMA present; `a` is (m × k), `b` is (k × n) with unit column stride, `c`
    /// points to (m × n) row-major.
    #[target_feature(enable = "avx,avx2,fma")]
    pub(super) unsafe fn drive_avx2(
        m: usize,
        n: usize,
        k: usize,
        a: Operand,
        b: Operand,
        c: *mut Float,
        epilogue: Epilogue,
    ) {
        for_each_tile::<6, 16>((m, n, k), a, b, c, epilogue, |t, rows| {
            // SAFETY: the tile lies inside A, B and C (rows ≤ m − i0, nr ≤ n − j0,
            // kc ≤ k − p0), and the CPU has AVX2 and FMA.
            unsafe {
                match (rows, t.nr == 16) {
                    (6, true) => tile_avx2::<6, true>(t),
                    (6, false) => tile_avx2::<6, false>(t),
                    (5, _) => tile_avx2::<5, false>(t),
                    (4, _) => tile_avx2::<4, false>(t),
                    (3, _) => tile_avx2::<3, false>(t),
                    (2, _) => tile_avx2::<2, false>(t),
                    _ => tile_avx2::<1, false>(t),
                }
            }
        });
    }

    /// # Safety
    /// AVX-512F present; as [`drive_avx2`] otherwise.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn drive_avx512(
        m: usize,
        n: usize,
        k: usize,
        a: Operand,
        b: Operand,
        c: *mut Float,
        epilogue: Epilogue,
    ) {
        for_each_tile::<8, 32>((m, n, k), a, b, c, epilogue, |t, rows| {
            // SAFETY: as in drive_avx2, and the CPU has AVX-512F.
            unsafe {
                match (rows, t.nr == 32) {
                    (8, true) => tile_avx512::<8, true>(t),
                    (8, false) => tile_avx512::<8, false>(t),
                    (7, _) => tile_avx512::<7, false>(t),
                    (6, _) => tile_avx512::<6, false>(t),
                    (5, _) => tile_avx512::<5, false>(t),
                    (4, _) => tile_avx512::<4, false>(t),
                    (3, _) => tile_avx512::<3, false>(t),
                    (2, _) => tile_avx512::<2, false>(t),
                    _ => tile_avx512::<1, false>(t),
                }
            }
        });
    }

    /// One block of C: `MR` rows × `nr` columns over a depth block of `kc`.
    #[derive(Clone, Copy)]
    struct Tile {
        kc: usize,
        a: *const Float,
        rsa: isize,
        csa: isize,
        b: *const Float,
        ldb: isize,
        c: *mut Float,
        ldc: usize,
        nr: usize,
        init: bool,
        /// Store fma(s, sum, keep·C) instead of the sum.
        update: Option<(Float, Float)>,
    }

    /// `FULL`: all 16 columns are inside C (no masks).
    ///
    /// # Safety
    /// AVX2 and FMA present; the tile lies inside A, B and C.
    #[target_feature(enable = "avx,avx2,fma")]
    #[inline]
    unsafe fn tile_avx2<const MR: usize, const FULL: bool>(t: Tile) {
        let lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        let m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(t.nr as i32), lane);
        let m1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(t.nr as i32 - 8), lane);
        let mut acc = [[_mm256_setzero_ps(); 2]; MR];
        unsafe {
            if t.init {
                for (r, row) in acc.iter_mut().enumerate() {
                    let c = t.c.add(r * t.ldc);
                    if FULL {
                        row[0] = _mm256_loadu_ps(c);
                        row[1] = _mm256_loadu_ps(c.add(8));
                    } else {
                        row[0] = _mm256_maskload_ps(c, m0);
                        row[1] = _mm256_maskload_ps(c.add(8), m1);
                    }
                }
            }
            for p in 0..t.kc {
                let b = t.b.offset(p as isize * t.ldb);
                let (b0, b1) = if FULL {
                    (_mm256_loadu_ps(b), _mm256_loadu_ps(b.add(8)))
                } else {
                    (_mm256_maskload_ps(b, m0), _mm256_maskload_ps(b.add(8), m1))
                };
                let a = t.a.offset(p as isize * t.csa);
                for (r, row) in acc.iter_mut().enumerate() {
                    let x = _mm256_broadcast_ss(&*a.offset(r as isize * t.rsa));
                    row[0] = _mm256_fmadd_ps(x, b0, row[0]);
                    row[1] = _mm256_fmadd_ps(x, b1, row[1]);
                }
            }
            if let Some((keep, s)) = t.update {
                let (keep, s) = (_mm256_set1_ps(keep), _mm256_set1_ps(s));
                for (r, row) in acc.iter_mut().enumerate() {
                    let c = t.c.add(r * t.ldc);
                    let (c0, c1) = if FULL {
                        (_mm256_loadu_ps(c), _mm256_loadu_ps(c.add(8)))
                    } else {
                        (_mm256_maskload_ps(c, m0), _mm256_maskload_ps(c.add(8), m1))
                    };
                    row[0] = _mm256_fmadd_ps(s, row[0], _mm256_mul_ps(keep, c0));
                    row[1] = _mm256_fmadd_ps(s, row[1], _mm256_mul_ps(keep, c1));
                }
            }
            for (r, row) in acc.iter().enumerate() {
                let c = t.c.add(r * t.ldc);
                if FULL {
                    _mm256_storeu_ps(c, row[0]);
                    _mm256_storeu_ps(c.add(8), row[1]);
                } else {
                    _mm256_maskstore_ps(c, m0, row[0]);
                    _mm256_maskstore_ps(c.add(8), m1, row[1]);
                }
            }
        }
    }

    /// `FULL`: all 32 columns are inside C (no masks).
    ///
    /// # Safety
    /// AVX-512F present; the tile lies inside A, B and C.
    #[target_feature(enable = "avx512f")]
    #[inline]
    unsafe fn tile_avx512<const MR: usize, const FULL: bool>(t: Tile) {
        let bits = if t.nr >= 32 {
            u32::MAX
        } else {
            (1u32 << t.nr) - 1
        };
        let (m0, m1) = (bits as __mmask16, (bits >> 16) as __mmask16);
        let mut acc = [[_mm512_setzero_ps(); 2]; MR];
        unsafe {
            if t.init {
                for (r, row) in acc.iter_mut().enumerate() {
                    let c = t.c.add(r * t.ldc);
                    if FULL {
                        row[0] = _mm512_loadu_ps(c);
                        row[1] = _mm512_loadu_ps(c.add(16));
                    } else {
                        row[0] = _mm512_maskz_loadu_ps(m0, c);
                        row[1] = _mm512_maskz_loadu_ps(m1, c.add(16));
                    }
                }
            }
            for p in 0..t.kc {
                let b = t.b.offset(p as isize * t.ldb);
                let (b0, b1) = if FULL {
                    (_mm512_loadu_ps(b), _mm512_loadu_ps(b.add(16)))
                } else {
                    (
                        _mm512_maskz_loadu_ps(m0, b),
                        _mm512_maskz_loadu_ps(m1, b.add(16)),
                    )
                };
                let a = t.a.offset(p as isize * t.csa);
                for (r, row) in acc.iter_mut().enumerate() {
                    let x = _mm512_set1_ps(*a.offset(r as isize * t.rsa));
                    row[0] = _mm512_fmadd_ps(x, b0, row[0]);
                    row[1] = _mm512_fmadd_ps(x, b1, row[1]);
                }
            }
            if let Some((keep, s)) = t.update {
                let (keep, s) = (_mm512_set1_ps(keep), _mm512_set1_ps(s));
                for (r, row) in acc.iter_mut().enumerate() {
                    let c = t.c.add(r * t.ldc);
                    let (c0, c1) = if FULL {
                        (_mm512_loadu_ps(c), _mm512_loadu_ps(c.add(16)))
                    } else {
                        (
                            _mm512_maskz_loadu_ps(m0, c),
                            _mm512_maskz_loadu_ps(m1, c.add(16)),
                        )
                    };
                    row[0] = _mm512_fmadd_ps(s, row[0], _mm512_mul_ps(keep, c0));
                    row[1] = _mm512_fmadd_ps(s, row[1], _mm512_mul_ps(keep, c1));
                }
            }
            for (r, row) in acc.iter().enumerate() {
                let c = t.c.add(r * t.ldc);
                if FULL {
                    _mm512_storeu_ps(c, row[0]);
                    _mm512_storeu_ps(c.add(16), row[1]);
                } else {
                    _mm512_mask_storeu_ps(c, m0, row[0]);
                    _mm512_mask_storeu_ps(c.add(16), m1, row[1]);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn matrix(rows: usize, cols: usize, seed: usize) -> Array2<Float> {
        Array2::from_shape_fn((rows, cols), |(i, j)| {
            ((i * 131 + j * 71 + seed * 17) % 97) as Float / 48.5 - 1.0 + 1e-3 * j as Float
        })
    }

    /// The definition: one FMA chain per element over k in order.
    fn reference(a: ArrayView2<'_, Float>, b: ArrayView2<'_, Float>, c: &mut [Float], acc: bool) {
        let n = b.ncols();
        for i in 0..a.nrows() {
            for j in 0..n {
                let mut s = if acc { c[i * n + j] } else { 0.0 };
                for p in 0..a.ncols() {
                    s = a[(i, p)].mul_add(b[(p, j)], s);
                }
                c[i * n + j] = s;
            }
        }
    }

    /// Every kernel equals the one-chain-per-element definition bit for bit, on shapes with
    /// edges in every direction, depths beyond one panel, transposed operands and accumulation.
    #[test]
    fn every_kernel_is_bit_identical_to_the_definition() {
        let kernels = Kernel::available();
        let shapes = [
            (1, 1, 1),
            (7, 5, 3),
            (64, 784, 256),
            (13, 300, 10),
            (9, 513, 47),
            (33, 64, 130),
        ];
        for &(m, k, n) in &shapes {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let a_own = if ta { matrix(k, m, 1) } else { matrix(m, k, 1) };
                let b_own = if tb { matrix(n, k, 2) } else { matrix(k, n, 2) };
                let a = if ta { a_own.t() } else { a_own.view() };
                let b = if tb { b_own.t() } else { b_own.view() };
                for accumulate in [false, true] {
                    let start: Vec<Float> = matrix(m, n, 3).iter().copied().collect();
                    let mut want = start.clone();
                    reference(a, b, &mut want, accumulate);
                    for &kernel in &kernels {
                        let mut c = start.clone();
                        let mut pack = vec![0.0; k * n];
                        mat_mul_with(kernel, a, b, &mut c, accumulate, &mut pack);
                        let same = c.iter().zip(&want).all(|(x, y)| x.to_bits() == y.to_bits());
                        assert!(
                            same,
                            "{kernel:?} {m}×{k}×{n} ta={ta} tb={tb} acc={accumulate}"
                        );
                    }
                }
            }
        }
    }

    /// The fused descent step has the same bits on every kernel: fma(s, chain, keep·c).
    #[test]
    fn every_kernel_takes_the_same_descent_step() {
        for &(m, k, n) in &[(784, 64, 256), (9, 300, 47), (5, 3, 10)] {
            let a_own = matrix(k, m, 6);
            let (a, b) = (a_own.t(), matrix(k, n, 7));
            let start: Vec<Float> = matrix(m, n, 8).iter().copied().collect();
            let mut chain = vec![0.0; m * n];
            reference(a, b.view(), &mut chain, false);
            let want: Vec<Float> = start
                .iter()
                .zip(&chain)
                .map(|(&w, &p)| (-0.01f32).mul_add(p, 0.999 * w))
                .collect();
            for kernel in Kernel::available() {
                let mut c = start.clone();
                run(
                    kernel,
                    a,
                    b.view(),
                    &mut c,
                    Epilogue::Update {
                        keep: 0.999,
                        s: -0.01,
                    },
                    &mut [],
                );
                let same = c.iter().zip(&want).all(|(x, y)| x.to_bits() == y.to_bits());
                assert!(same, "{kernel:?} {m}×{k}×{n}");
            }
        }
    }

    /// The products agree with ndarray's to rounding (a check of the definition itself).
    #[test]
    fn products_match_ndarray() {
        let a = matrix(10, 37, 4);
        let b = matrix(37, 21, 5);
        let mut c = vec![0.0; 10 * 21];
        mat_mul(a.view(), b.view(), &mut c, false, &mut []);
        let want = a.dot(&b);
        for (x, y) in c.iter().zip(want.iter()) {
            assert!((x - y).abs() < 1e-4, "{x} vs {y}");
        }
    }
}
