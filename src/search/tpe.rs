//! The Tree-structured Parzen Estimator (TPE): a sampler that learns from finished trials.
//!
//! Bergstra, Bardenet, Bengio & Kégl (2011), "Algorithms for hyper-parameter optimization";
//! Watanabe (2023), "Tree-structured Parzen estimator: understanding its algorithm components
//! and their roles for better empirical performance". The algorithm is Optuna 5's default
//! `TPESampler`, the *multivariate* TPE (one joint kernel per trial, as in Falkner et al. 2018),
//! point by point; two defaults differ, each measured against Optuna on the four test functions
//! of `benches/samplers.rs` over 490 seeds and confirmed on 490 others (BENCHMARKS.md,
//! "Samplers"): γ(n) = min(⌈0.15 n⌉, 25) good trials instead of min(⌈0.1 n⌉, 25), and 96
//! candidates per proposal instead of 24. With Optuna's two values the medians equal Optuna's
//! within the seed-to-seed noise; with these, they are better on all four functions.
//!
//! # The algorithm
//!
//! Given the finished trials (scores y, lower is better) of a space:
//!
//! 1. **Split.** Sort the trials by score, ties by trial id; the best n_l = γ(n) form the *below*
//!    set D_l, the rest the *above* set D_g. γ(n) = min(⌈0.15 n⌉, 25) by default (Optuna's
//!    is min(⌈0.1 n⌉, 25)), or ⌈γ n⌉ for a fraction γ given in [`TpeSettings::gamma`]. A
//!    failed or diverged trial (score `None` or not finite) is bad: it never enters D_l,
//!    whatever γ says.
//! 2. **Densities.** l(x) is a mixture over D_l, g(x) over D_g, each with one extra *prior*
//!    component. Component i is a product of one kernel per modelled parameter (multivariate:
//!    one joint kernel per trial, not one mixture per parameter):
//!    - real ranges: a normal truncated to the range, centred on the trial's value (in log space
//!      for `log_uniform`); `num` grids and integer ranges: the same normal over the point index
//!      (step 1, bounds widened by ½), its mass over each point's rounding interval; log
//!      integers: over ln x with rounding intervals [ln(k − ½), ln(k + ½)];
//!    - choices: Aitchison–Aitken-style, as Optuna: weight prior_weight / (n_p + 1) on every
//!      value plus 1 on the trial's value, normalized;
//!    - bandwidth: per parameter and per trial, the neighbour rule of Bergstra et al. (2011)
//!      that Optuna applies to each dimension (Optuna 5 pairs it with the multivariate kernels,
//!      the combination Watanabe (2023) found best): σ = the larger distance from the trial's
//!      value to the next trial's value below and above, the range's ends counting as
//!      neighbours; the lowest and highest values use their one inner distance (Optuna's
//!      `consider_endpoints = False`); then the *magic clip* to [R / min(100, n_p + 2), R],
//!      with R the range width (plus one step on grids) and n_p the trials of the set where
//!      the parameter applies. (Optuna ≤ 4's multivariate rule, Scott-like
//!      σ = 0.2 · n^(−1/(d+4)) · R, was measured too: it lost to Optuna 5 on Hartmann-6 and
//!      Rosenbrock-5 by far more than the seed-to-seed spread, see BENCHMARKS.md.)
//!    - the prior component: a normal at the middle of the range with σ = R, uniform over a
//!      choice;
//!    - mixture weights: Optuna's `default_weights` over the set in trial-id order (1 each up
//!      to 25 trials; beyond, the oldest ramp linearly from 1/n to 1, the newest 25 keep 1) and
//!      `prior_weight` for the prior, normalized.
//! 3. **Acquisition.** Draw [`TpeSettings::candidates`] (96; Optuna: 24) candidates from l(x) (pick a
//!    component by weight, then every parameter from that component's kernels) and return the
//!    one with the largest log l(x) − log g(x) (the first on ties).
//!
//! # Conditional parameters
//!
//! A parameter applies only when its schema `active` function says so given the earlier
//! parameters (`decay_rate` when decay ≠ none). Candidates are drawn in schema order, exactly as
//! random search does: an inactive parameter is `None` and draws nothing. A trial where a
//! parameter did not apply carries no information about it, so its component uses the *prior*
//! kernel for that parameter (the parameter is marginalized out of that trial): the model of
//! `decay_rate` is made of the trials where it applied, and its bandwidth counts only those
//! (n_p). Every component is then a proper density over the tree-shaped space (the product of
//! the kernels of the parameters a point activates), so l and g stay comparable across
//! candidates that activate different parameters. This keeps one joint model over every
//! parameter, where Optuna's default would fall back to independent sampling for parameters
//! outside the intersection of all trials.
//!
//! # Determinism
//!
//! [`propose`] is a pure function of (space, settings, index, history): its RNG is seeded from
//! (sweep seed, index) by [`seed::proposal_seed`](super::seed::proposal_seed). Proposals of one
//! round that see the same history differ through their index.

use rand::{Rng, RngExt, SeedableRng};
use rand_distr::StandardNormal;
use rand_pcg::Pcg64Mcg;

use super::random;
use super::seed::proposal_seed;
use crate::space::domain::{Domain, DomainView};
use crate::space::value::{Params, Value};
use crate::space::{ParamDomain, SearchSpace, TpeOptions};

/// One finished configuration as a sampler learns from it: its parameters and its score.
#[derive(Clone, Copy, Debug)]
pub struct Observation<'a> {
    /// The trial's parameters (every schema parameter, `None` where inactive).
    pub params: &'a Params,
    /// The trial's score, lower is better; `None` for a failed or diverged trial, which counts
    /// as bad (a non-finite score is treated the same way).
    pub score: Option<f64>,
}

/// TPE settings; [`Default`] gives Optuna 5's defaults except γ and the candidates (see the
/// module docs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TpeSettings {
    /// Proposals that are random search's draws before the model is used: proposal `index`
    /// is random while `index < startup` or fewer than `startup` trials have finished
    /// (failed ones included). Default 10.
    pub startup: u64,
    /// The fraction of finished trials counted as good (D_l has ⌈gamma · n⌉ trials, in (0, 1]);
    /// `None` (default): min(⌈0.15 n⌉, 25) (Optuna's rule is min(⌈0.1 n⌉, 25)).
    pub gamma: Option<f64>,
    /// Candidates drawn from l(x) per proposal, the best l/g wins (`n_ei_candidates`).
    /// Default 96 (Optuna: 24); 0 is read as 1.
    pub candidates: usize,
    /// Weight of the prior component in each mixture, relative to 1 per trial. Default 1.0;
    /// must be > 0 (it keeps l and g positive everywhere).
    pub prior_weight: f64,
}

/// Optuna's `n_startup_trials`.
pub const DEFAULT_STARTUP: u64 = 10;
/// Candidates per proposal (Optuna's `n_ei_candidates` is 24; 96 measured better, see the
/// module docs).
pub const DEFAULT_CANDIDATES: usize = 96;

impl Default for TpeSettings {
    fn default() -> Self {
        TpeSettings {
            startup: DEFAULT_STARTUP,
            gamma: None,
            candidates: DEFAULT_CANDIDATES,
            prior_weight: 1.0,
        }
    }
}

impl TpeSettings {
    /// The settings a space file asks for (`[search]` `startup`, `gamma`), the defaults for
    /// the rest.
    pub fn from_options(options: TpeOptions) -> Self {
        TpeSettings {
            startup: options.startup,
            gamma: options.gamma,
            ..TpeSettings::default()
        }
    }

    /// The size of the below set D_l among `n` finished trials (before failed trials are kept
    /// out of it).
    pub fn below_count(&self, n: usize) -> usize {
        let k = match self.gamma {
            Some(g) if g.is_finite() && g > 0.0 => (g * n as f64).ceil() as usize,
            Some(_) => 1,
            None => (15 * n).div_ceil(100).min(25),
        };
        k.min(n)
    }
}

/// The parameters of configuration `index` of `space`.
///
/// Deterministic in (sweep seed, index, history): it draws only from an RNG seeded from
/// (`space.seed()`, `index`). While `index < settings.startup` or `history` holds fewer than
/// `settings.startup` trials it returns random search's draw `index`
/// ([`random::assignment`]), so TPE's first proposals equal random search's. `history` is in
/// trial-id order; it may hold any finished trials (failed ones count as bad). Parameters that
/// do not apply given the earlier ones are `None`, as in random search.
pub fn propose(
    space: &SearchSpace,
    settings: &TpeSettings,
    index: u64,
    history: &[Observation<'_>],
) -> Params {
    if index < settings.startup || (history.len() as u64) < settings.startup {
        return random::assignment(space, index);
    }
    let model = Model::fit(space.params(), settings, history);
    if model.coders.iter().all(Option::is_none) {
        // Nothing to learn: every parameter is fixed or absent.
        return random::assignment(space, index);
    }
    let mut rng = Pcg64Mcg::seed_from_u64(proposal_seed(space.seed(), index));
    let (mut params, points): (Vec<Params>, Vec<Vec<Option<f64>>>) =
        (0..settings.candidates.max(1))
            .map(|_| {
                let c = model.below.sample(&model, &mut rng);
                (c.params, c.coords)
            })
            .unzip();
    let scores = model.acquisition(&points);
    // The first of equal scores wins; NaN never does (it cannot arise while prior_weight > 0).
    let mut best = 0;
    for (k, &score) in scores.iter().enumerate() {
        if score > scores[best] || scores[best].is_nan() {
            best = k;
        }
    }
    params.swap_remove(best)
}

// ---------------------------------------------------------------------------------------------
// Coding parameter values as kernel coordinates.

/// How one modelled parameter's values map to a kernel's coordinate.
#[derive(Clone, Debug)]
enum Coder<'s> {
    /// A real range; coordinate = value, or ln value when `log`.
    Real { lo: f64, hi: f64, log: bool },
    /// `n` points (a `num` grid or an integer range); coordinate = point index 0..n.
    Grid { n: u64, domain: &'s Domain },
    /// A log-uniform integer range without `num`; coordinate = the integer.
    LogInt { lo: i64, hi: i64 },
    /// A choice; coordinate = the value's position.
    Choice { values: &'s [Value] },
}

impl<'s> Coder<'s> {
    /// The coder of a domain that has more than one value; `None` for a single value.
    fn new(domain: &'s Domain) -> Option<Self> {
        let coder = match domain.view() {
            DomainView::Fixed(_) => return None,
            DomainView::Choice(values) => Coder::Choice { values },
            DomainView::Uniform { num: Some(n), .. }
            | DomainView::LogUniform { num: Some(n), .. }
            | DomainView::Int { num: Some(n), .. } => Coder::Grid { n, domain },
            DomainView::Uniform { lo, hi, num: None } => Coder::Real { lo, hi, log: false },
            DomainView::LogUniform { lo, hi, num: None } => Coder::Real { lo, hi, log: true },
            DomainView::Int {
                lo,
                hi,
                log: false,
                num: None,
            } => Coder::Grid {
                n: (hi - lo) as u64 + 1,
                domain,
            },
            DomainView::Int {
                lo,
                hi,
                log: true,
                num: None,
            } => Coder::LogInt { lo, hi },
        };
        let single = match &coder {
            Coder::Choice { values } => values.len() < 2,
            Coder::Grid { n, .. } => *n < 2,
            Coder::Real { lo, hi, .. } => lo >= hi,
            Coder::LogInt { lo, hi } => lo >= hi,
        };
        (!single).then_some(coder)
    }

    /// The truncation interval [a, b] of the numeric kernels (unused for choices).
    fn bounds(&self) -> (f64, f64) {
        match *self {
            Coder::Real { lo, hi, log: false } => (lo, hi),
            Coder::Real { lo, hi, log: true } => (lo.ln(), hi.ln()),
            Coder::Grid { n, .. } => (-0.5, n as f64 - 0.5),
            Coder::LogInt { lo, hi } => ((lo as f64 - 0.5).ln(), (hi as f64 + 0.5).ln()),
            Coder::Choice { values } => (0.0, values.len() as f64),
        }
    }

    /// The coordinate of an observed value; `None` when it does not belong to the domain
    /// (then the trial is treated as if the parameter did not apply).
    fn encode(&self, value: &Value) -> Option<f64> {
        match *self {
            Coder::Choice { values } => values.iter().position(|v| v == value).map(|k| k as f64),
            Coder::Real { lo, hi, log } => {
                let x = value.as_f64()?.clamp(lo, hi);
                Some(if log { x.ln() } else { x })
            }
            Coder::LogInt { lo, hi } => Some(value.as_i64()?.clamp(lo, hi) as f64),
            Coder::Grid { n, domain } => {
                let x = value.as_f64()?;
                let position = match domain.view() {
                    DomainView::Uniform { lo, hi, .. } => (x - lo) / (hi - lo),
                    DomainView::LogUniform { lo, hi, .. } => {
                        (x.max(lo).ln() - lo.ln()) / (hi.ln() - lo.ln())
                    }
                    DomainView::Int {
                        lo,
                        hi,
                        log: true,
                        num: Some(_),
                    } => {
                        (x.max(lo as f64).ln() - (lo as f64).ln())
                            / ((hi as f64).ln() - (lo as f64).ln())
                    }
                    DomainView::Int { lo, num: None, .. } => {
                        return Some((x - lo as f64).clamp(0.0, n as f64 - 1.0));
                    }
                    DomainView::Int { lo, hi, .. } => (x - lo as f64) / (hi - lo) as f64,
                    _ => return None,
                };
                Some(
                    (position * (n - 1) as f64)
                        .round()
                        .clamp(0.0, n as f64 - 1.0),
                )
            }
        }
    }

    /// The kernel centre of a coordinate (ln k for a log integer).
    fn centre(&self, coord: f64) -> f64 {
        match self {
            Coder::LogInt { .. } => coord.ln(),
            _ => coord,
        }
    }

    /// The rounding interval of a discrete coordinate; `None` for a real one.
    fn bin(&self, coord: f64) -> Option<(f64, f64)> {
        match self {
            Coder::Grid { .. } => Some((coord - 0.5, coord + 0.5)),
            Coder::LogInt { .. } => Some(((coord - 0.5).ln(), (coord + 0.5).ln())),
            _ => None,
        }
    }

    /// A kernel draw `t` (in [a, b]) as (coordinate, value).
    fn decode(&self, t: f64) -> (f64, Value) {
        match *self {
            Coder::Real { lo, hi, log: false } => {
                let x = t.clamp(lo, hi);
                (x, Value::Float(x))
            }
            Coder::Real { lo, hi, log: true } => {
                let t = t.clamp(lo.ln(), hi.ln());
                (t, Value::Float(t.exp().clamp(lo, hi)))
            }
            Coder::Grid { n, domain } => {
                let k = t.round().clamp(0.0, n as f64 - 1.0);
                let value = domain
                    .grid_value(k as u64)
                    .expect("k < n = the domain's grid size");
                (k, value)
            }
            Coder::LogInt { lo, hi } => {
                let k = (t.exp().round() as i64).clamp(lo, hi);
                (k as f64, Value::Int(k))
            }
            Coder::Choice { values } => {
                let k = (t as usize).min(values.len() - 1);
                (k as f64, values[k].clone())
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Kernels and Parzen estimators.

/// One component's kernel for one parameter.
#[derive(Clone, Copy, Debug)]
enum Kernel {
    /// A normal N(mu, sigma²) truncated to the coder's [a, b]; `log_mass` = ln of its mass
    /// inside [a, b], `log_norm` = −ln σ − ln √(2π) − `log_mass` (its log density at mu).
    Normal {
        mu: f64,
        sigma: f64,
        log_mass: f64,
        log_norm: f64,
    },
    /// A categorical distribution: `log_hit` on value `at`, `log_miss` elsewhere.
    Categorical {
        at: usize,
        log_hit: f64,
        log_miss: f64,
    },
    /// Uniform over a choice of `n` values.
    Uniform { n: usize },
}

const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_7;

/// Φ, the standard normal CDF.
fn phi(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// Beyond this many σ a normal tail (< 1e-17) is below half an ulp of any mass ≥ ½, so it is
/// not computed.
const TAIL: f64 = 8.5;

/// Φ(hi) − Φ(lo) for lo ≤ hi, computed in the tail that keeps its precision.
fn normal_mass(lo: f64, hi: f64) -> f64 {
    if lo > 0.0 {
        phi(-lo) - phi(-hi)
    } else if lo < -TAIL && hi > TAIL {
        1.0
    } else if lo < -TAIL {
        phi(hi)
    } else if hi > TAIL {
        phi(-lo)
    } else {
        phi(hi) - phi(lo)
    }
}

impl Kernel {
    fn normal(mu: f64, sigma: f64, (a, b): (f64, f64)) -> Self {
        let log_mass = normal_mass((a - mu) / sigma, (b - mu) / sigma).ln();
        Kernel::Normal {
            mu,
            sigma,
            log_mass,
            log_norm: -sigma.ln() - LN_SQRT_2PI - log_mass,
        }
    }

    /// ln of the kernel's density (real coordinate) or mass (discrete coordinate) at `coord`.
    fn log_density(&self, coder: &Coder<'_>, coord: f64) -> f64 {
        match *self {
            Kernel::Normal {
                mu,
                sigma,
                log_mass,
                log_norm,
            } => match coder.bin(coord) {
                None => {
                    let z = (coord - mu) / sigma;
                    log_norm - 0.5 * z * z
                }
                Some((lo, hi)) => normal_mass((lo - mu) / sigma, (hi - mu) / sigma).ln() - log_mass,
            },
            Kernel::Categorical {
                at,
                log_hit,
                log_miss,
            } => {
                if coord as usize == at {
                    log_hit
                } else {
                    log_miss
                }
            }
            Kernel::Uniform { n } => -(n as f64).ln(),
        }
    }

    /// An upper bound of [`log_density`](Self::log_density) on a discrete coordinate: a bin's
    /// mass is at most the whole truncated mass.
    fn max_log_density(&self) -> f64 {
        match *self {
            Kernel::Normal { log_mass, .. } => -log_mass,
            Kernel::Categorical {
                log_hit, log_miss, ..
            } => log_hit.max(log_miss),
            Kernel::Uniform { n } => -(n as f64).ln(),
        }
    }

    /// A draw in the coder's [a, b] (a choice position for categorical kernels).
    fn sample<R: Rng + ?Sized>(&self, bounds: (f64, f64), rng: &mut R) -> f64 {
        match *self {
            Kernel::Normal { mu, sigma, .. } => {
                // Rejection: the centre lies in [a, b] and σ ≤ b − a, so a draw lands inside
                // with probability ≥ Φ(1) − Φ(0) ≈ 0.34.
                let (a, b) = bounds;
                for _ in 0..200 {
                    let z: f64 = rng.sample(StandardNormal);
                    let t = mu + sigma * z;
                    if (a..=b).contains(&t) {
                        return t;
                    }
                }
                mu.clamp(a, b)
            }
            Kernel::Categorical {
                at,
                log_hit,
                log_miss,
            } => {
                let n = bounds.1 as usize;
                let (hit, miss) = (log_hit.exp(), log_miss.exp());
                let mut u = rng.random::<f64>() * (hit + miss * (n - 1) as f64);
                for k in 0..n {
                    u -= if k == at { hit } else { miss };
                    if u < 0.0 {
                        return k as f64;
                    }
                }
                (n - 1) as f64
            }
            Kernel::Uniform { n } => rng.random_range(0..n) as f64,
        }
    }
}

/// A Parzen estimator: a weighted mixture of product kernels, one component per trial of its
/// set and a last one for the prior.
#[derive(Debug)]
struct Estimator {
    /// ln of each component's normalized weight; the last is the prior's.
    log_weights: Vec<f64>,
    /// `kernels[p][i]`: component i's kernel for modelled parameter p (same order as
    /// `Model::coders`, `None` entries skipped).
    kernels: Vec<Vec<Kernel>>,
    /// The kernels of each real-coded parameter again, as columns (`None` for the others):
    /// the hot loop of [`Estimator::log_densities`].
    reals: Vec<Option<NormalColumns>>,
}

/// Normal kernels as columns, component by component: the log density at x is
/// `log_norm[i] − ½ ((x − mu[i]) · inv_sigma[i])²`.
#[derive(Debug)]
struct NormalColumns {
    mu: Vec<f64>,
    inv_sigma: Vec<f64>,
    log_norm: Vec<f64>,
}

impl NormalColumns {
    /// The columns of `kernels` when they are all normal (a real-coded parameter).
    fn of(kernels: &[Kernel]) -> Option<Self> {
        let mut columns = NormalColumns {
            mu: Vec::with_capacity(kernels.len()),
            inv_sigma: Vec::with_capacity(kernels.len()),
            log_norm: Vec::with_capacity(kernels.len()),
        };
        for kernel in kernels {
            let Kernel::Normal {
                mu,
                sigma,
                log_norm,
                ..
            } = *kernel
            else {
                return None;
            };
            columns.mu.push(mu);
            columns.inv_sigma.push(1.0 / sigma);
            columns.log_norm.push(log_norm);
        }
        Some(columns)
    }

    /// Adds each component's log density at `x` to `acc`.
    fn add_log_densities(&self, x: f64, acc: &mut [f64]) {
        for (((a, mu), inv), norm) in acc
            .iter_mut()
            .zip(&self.mu)
            .zip(&self.inv_sigma)
            .zip(&self.log_norm)
        {
            let z = (x - mu) * inv;
            *a += norm - 0.5 * z * z;
        }
    }
}

/// A candidate drawn from l(x): its parameters and the coordinate of every modelled parameter
/// (`None` where inactive).
#[derive(Debug)]
struct Candidate {
    params: Params,
    coords: Vec<Option<f64>>,
}

/// Optuna's `default_weights`: 1 for each of the newest 25 trials, a linear ramp from 1/n up
/// to 1 for the older ones.
fn trial_weights(n: usize) -> Vec<f64> {
    if n <= 25 {
        return vec![1.0; n];
    }
    let ramp = n - 25;
    let mut w: Vec<f64> = (0..ramp)
        .map(|k| {
            let first = 1.0 / n as f64;
            if ramp == 1 {
                first
            } else {
                first + (1.0 - first) * k as f64 / (ramp - 1) as f64
            }
        })
        .collect();
    w.extend(std::iter::repeat_n(1.0, 25));
    w
}

impl Estimator {
    /// The estimator of `trials` (coordinates per trial, in trial-id order).
    fn fit(coders: &[Coder<'_>], trials: &[&[Option<f64>]], settings: &TpeSettings) -> Self {
        let prior_weight = settings.prior_weight;
        let mut weights = trial_weights(trials.len());
        weights.push(prior_weight);
        let total: f64 = weights.iter().sum();
        let log_weights = weights.iter().map(|w| (w / total).ln()).collect();

        let kernels: Vec<Vec<Kernel>> = coders
            .iter()
            .enumerate()
            .map(|(p, coder)| {
                let n_p = trials.iter().filter(|t| t[p].is_some()).count();
                let mut column: Vec<Kernel> = Vec::with_capacity(trials.len() + 1);
                match coder {
                    Coder::Choice { values } => {
                        let n = values.len();
                        let spread = prior_weight / (n_p + 1) as f64;
                        let row = spread * n as f64 + 1.0;
                        let (log_hit, log_miss) =
                            (((spread + 1.0) / row).ln(), (spread / row).ln());
                        for t in trials {
                            column.push(match t[p] {
                                Some(k) => Kernel::Categorical {
                                    at: k as usize,
                                    log_hit,
                                    log_miss,
                                },
                                None => Kernel::Uniform { n },
                            });
                        }
                        column.push(Kernel::Uniform { n });
                    }
                    _ => {
                        let bounds = coder.bounds();
                        let range = bounds.1 - bounds.0;
                        let min_sigma = range / (n_p as f64 + 2.0).min(100.0);
                        let centres: Vec<Option<f64>> = trials
                            .iter()
                            .map(|t| t[p].map(|c| coder.centre(c)))
                            .collect();
                        let sigmas = neighbour_bandwidths(&centres, bounds);
                        let prior = Kernel::normal(0.5 * (bounds.0 + bounds.1), range, bounds);
                        for (centre, sigma) in centres.iter().zip(&sigmas) {
                            column.push(match centre {
                                Some(mu) => {
                                    Kernel::normal(*mu, sigma.clamp(min_sigma, range), bounds)
                                }
                                None => prior,
                            });
                        }
                        column.push(prior);
                    }
                }
                column
            })
            .collect();
        let reals = coders
            .iter()
            .zip(&kernels)
            .map(|(coder, column)| match coder {
                Coder::Real { .. } => NormalColumns::of(column),
                _ => None,
            })
            .collect();
        Estimator {
            log_weights,
            kernels,
            reals,
        }
    }

    /// ln of the mixture's density at each of `points` (coordinates of the modelled
    /// parameters, `None` where inactive).
    ///
    /// Real and choice parameters are cheap and evaluated for every component. A discrete
    /// kernel costs two erfc, so a component is dropped before its discrete kernels when even
    /// their largest possible values (ln of 1 / its truncation mass) cannot lift it to within
    /// e^−50 of the prior component's term: the sum then changes by less than one part in
    /// 10^18 (at most e^−50 times the number of components, relative to the prior's term).
    fn log_densities(&self, coders: &[Coder<'_>], points: &[Vec<Option<f64>>]) -> Vec<f64> {
        /// Terms this far below the prior component's are dropped.
        const NEGLIGIBLE: f64 = 50.0;
        let m = self.log_weights.len();
        let prior = m - 1;
        let discrete: Vec<bool> = coders.iter().map(|c| c.bin(0.0).is_some()).collect();
        let mut out = Vec::with_capacity(points.len());
        let mut acc = vec![0.0; m];
        let mut ceiling = vec![0.0; m - 1];
        for point in points {
            acc.copy_from_slice(&self.log_weights);
            let mut any_discrete = false;
            for (((coder, kernels), reals), (&coord, &disc)) in coders
                .iter()
                .zip(&self.kernels)
                .zip(&self.reals)
                .zip(point.iter().zip(&discrete))
            {
                let Some(c) = coord else { continue };
                if disc {
                    any_discrete = true;
                    continue;
                }
                if let Some(columns) = reals {
                    columns.add_log_densities(c, &mut acc);
                    continue;
                }
                for (a, kernel) in acc.iter_mut().zip(kernels) {
                    *a += kernel.log_density(coder, c);
                }
            }
            if any_discrete {
                let active = || {
                    coders
                        .iter()
                        .zip(&self.kernels)
                        .zip(point.iter().zip(&discrete))
                        .filter_map(|((coder, kernels), (&coord, &disc))| {
                            Some((coder, kernels, coord.filter(|_| disc)?))
                        })
                };
                for (coder, kernels, c) in active() {
                    acc[prior] += kernels[prior].log_density(coder, c);
                }
                let floor = acc[prior] - NEGLIGIBLE;
                // Column by column (the same sums, in the same order, as component by
                // component): each component's ceiling, then the kernels of the survivors.
                ceiling.iter_mut().for_each(|c| *c = 0.0);
                for (_, kernels, _) in active() {
                    for (c, k) in ceiling.iter_mut().zip(&kernels[..prior]) {
                        *c += k.max_log_density();
                    }
                }
                for (a, c) in acc[..prior].iter_mut().zip(&ceiling) {
                    if *a + c < floor {
                        *a = f64::NEG_INFINITY;
                    }
                }
                for (coder, kernels, c) in active() {
                    for (a, k) in acc[..prior].iter_mut().zip(&kernels[..prior]) {
                        if *a != f64::NEG_INFINITY {
                            *a += k.log_density(coder, c);
                        }
                    }
                }
            }
            out.push(log_sum_exp(&acc));
        }
        out
    }

    /// One draw from the mixture, made parameter by parameter in schema order so that
    /// inactive parameters stay empty.
    fn sample<R: Rng + ?Sized>(&self, model: &Model<'_>, rng: &mut R) -> Candidate {
        let component = pick(&self.log_weights, rng);
        let mut params = Params::new();
        let mut coords = Vec::with_capacity(model.coded.len());
        let mut p = 0;
        for (param, coder) in model.params.iter().zip(&model.coders) {
            let active = param.spec().active.is_none_or(|f| f(&params));
            let value = match (param.domain(), coder) {
                (None, _) => None,
                (Some(_), _) if !active => {
                    if coder.is_some() {
                        coords.push(None);
                    }
                    None
                }
                (Some(domain), None) => domain.grid_value(0),
                (Some(_), Some(coder)) => {
                    let t = self.kernels[p][component].sample(coder.bounds(), rng);
                    let (coord, value) = coder.decode(t);
                    coords.push(Some(coord));
                    Some(value)
                }
            };
            if coder.is_some() {
                p += 1;
            }
            params.set(param.name(), value);
        }
        Candidate { params, coords }
    }
}

/// Each centre's bandwidth by the neighbour rule of Bergstra et al. (2011) as Optuna applies
/// it: the larger of the distances to the next centre below and above, the bounds counting as
/// neighbours, except that the lowest and highest centres (when there are at least two) use
/// their one inner distance (Optuna's `consider_endpoints = False`). Ties keep trial order.
/// Entries without a centre get 0 (unused).
fn neighbour_bandwidths(centres: &[Option<f64>], (a, b): (f64, f64)) -> Vec<f64> {
    let mut order: Vec<usize> = (0..centres.len())
        .filter(|&i| centres[i].is_some())
        .collect();
    let at = |i: usize| centres[i].unwrap_or(0.0);
    order.sort_by(|&i, &j| at(i).total_cmp(&at(j)));
    let mut sigmas = vec![0.0; centres.len()];
    let n = order.len();
    for (k, &i) in order.iter().enumerate() {
        let below = if k == 0 { a } else { at(order[k - 1]) };
        let above = if k + 1 == n { b } else { at(order[k + 1]) };
        let (left, right) = (at(i) - below, above - at(i));
        sigmas[i] = if n >= 2 && k == 0 {
            right
        } else if n >= 2 && k + 1 == n {
            left
        } else {
            left.max(right)
        };
    }
    sigmas
}

/// A component index drawn with probabilities exp(log_weights).
fn pick<R: Rng + ?Sized>(log_weights: &[f64], rng: &mut R) -> usize {
    let mut u: f64 = rng.random();
    for (i, lw) in log_weights.iter().enumerate() {
        u -= lw.exp();
        if u < 0.0 {
            return i;
        }
    }
    log_weights.len() - 1
}

/// ln Σ exp(x). Terms more than 40 below the largest are skipped: each is below e^−40 (4e-18)
/// of it, so even a thousand of them change the sum by less than 1e-14 of itself, and their
/// exp is most of the cost.
fn log_sum_exp(xs: &[f64]) -> f64 {
    let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        return max;
    }
    let sum: f64 = xs
        .iter()
        .filter(|&&x| x - max > -40.0)
        .map(|x| (x - max).exp())
        .sum();
    max + sum.ln()
}

/// The fitted model: l(x) over the good trials, g(x) over the rest.
struct Model<'s> {
    params: &'s [ParamDomain],
    /// One entry per schema parameter: its coder when it is modelled (more than one value).
    coders: Vec<Option<Coder<'s>>>,
    /// The modelled parameters' coders, in schema order.
    coded: Vec<Coder<'s>>,
    below: Estimator,
    above: Estimator,
}

impl<'s> Model<'s> {
    fn fit(params: &'s [ParamDomain], settings: &TpeSettings, history: &[Observation<'_>]) -> Self {
        let coders: Vec<Option<Coder<'s>>> = params
            .iter()
            .map(|p| p.domain().and_then(Coder::new))
            .collect();
        let coded: Vec<Coder<'s>> = coders.iter().flatten().cloned().collect();
        // Each trial as the coordinates of the modelled parameters.
        let coords: Vec<Vec<Option<f64>>> = history
            .iter()
            .map(|obs| {
                params
                    .iter()
                    .zip(&coders)
                    .filter_map(|(param, coder)| {
                        let coder = coder.as_ref()?;
                        Some(obs.params.get(param.name()).and_then(|v| coder.encode(v)))
                    })
                    .collect()
            })
            .collect();

        let score = |i: usize| history[i].score.filter(|s| s.is_finite());
        let mut order: Vec<usize> = (0..history.len()).collect();
        // Stable: ties keep trial-id order; failed trials last.
        order.sort_by(|&a, &b| match (score(a), score(b)) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
        let good = (0..history.len()).filter(|&i| score(i).is_some()).count();
        let n_below = settings.below_count(history.len()).min(good);
        let mut is_below = vec![false; history.len()];
        for &i in &order[..n_below] {
            is_below[i] = true;
        }
        let below: Vec<&[Option<f64>]> = (0..history.len())
            .filter(|&i| is_below[i])
            .map(|i| coords[i].as_slice())
            .collect();
        let above: Vec<&[Option<f64>]> = (0..history.len())
            .filter(|&i| !is_below[i])
            .map(|i| coords[i].as_slice())
            .collect();
        Model {
            params,
            below: Estimator::fit(&coded, &below, settings),
            above: Estimator::fit(&coded, &above, settings),
            coders,
            coded,
        }
    }

    /// log l(x) − log g(x) at each of `points`.
    fn acquisition(&self, points: &[Vec<Option<f64>>]) -> Vec<f64> {
        let below = self.below.log_densities(&self.coded, points);
        let above = self.above.log_densities(&self.coded, points);
        below.iter().zip(&above).map(|(l, g)| l - g).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objective::params::MLP_PARAMS;
    use std::path::Path;

    /// The default settings with Optuna's γ fraction, 0.1: the hand-computed splits below
    /// were worked out with it.
    const OPTUNA_GAMMA: TpeSettings = TpeSettings {
        startup: DEFAULT_STARTUP,
        gamma: Some(0.1),
        candidates: DEFAULT_CANDIDATES,
        prior_weight: 1.0,
    };

    fn space(params: &str) -> SearchSpace {
        let text = format!(
            "seed = 3\n[data]\nbuiltin = \"iris\"\n[search]\nstrategy = \"random\"\ntrials = 50\n[params]\n{params}"
        );
        crate::space::parse(&text, Path::new("t.toml"), MLP_PARAMS).expect("valid space")
    }

    fn with(name: &'static str, value: Value) -> Params {
        let mut p = Params::new();
        p.set(name, Some(value));
        p
    }

    fn normal_pdf(x: f64, mu: f64, sigma: f64) -> f64 {
        (-0.5 * ((x - mu) / sigma).powi(2)).exp() / (sigma * (2.0 * std::f64::consts::PI).sqrt())
    }

    #[test]
    fn one_real_parameter_densities_match_the_hand_computed_mixtures() {
        // dropout uniform on [0, 0.5]; 10 trials, γ = 0.1: the best (x = 0.2) is alone below.
        let space = space("dropout = { uniform = [0.0, 0.5] }");
        let xs = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.49];
        let params: Vec<Params> = xs
            .iter()
            .map(|&x| with("dropout", Value::Float(x)))
            .collect();
        let history: Vec<Observation<'_>> = params
            .iter()
            .zip(xs)
            .map(|(p, x)| Observation {
                params: p,
                score: Some((x - 0.2f64).abs()),
            })
            .collect();
        let model = Model::fit(space.params(), &OPTUNA_GAMMA, &history);
        let dropout = space
            .params()
            .iter()
            .position(|p| p.name() == "dropout")
            .unwrap();
        let coded_index = model.coders[..dropout].iter().flatten().count();
        let coords = |x: f64| {
            let mut c = vec![None; model.coded.len()];
            c[coded_index] = Some(x);
            c
        };
        let (a, b, range) = (0.0, 0.5, 0.5);
        assert_eq!(model.coded.len(), 1, "only dropout varies");
        let mass = |mu: f64, s: f64| normal_mass((a - mu) / s, (b - mu) / s);
        let tn = |x: f64, mu: f64, s: f64| normal_pdf(x, mu, s) / mass(mu, s);
        // l: the trial at 0.2, σ = max(0.2 − 0, 0.5 − 0.2) = 0.3 (inside the clip
        // [R/3, R]), and the prior N(0.25, R²), ½ each.
        let s_l = 0.3;
        // g: the other 9 trials (weights 1/10) and the prior. σ = the larger gap to a
        // neighbour, the inner gap at both ends, clipped below at R / 11.
        let above = [0.05, 0.1, 0.15, 0.25, 0.3, 0.35, 0.4, 0.45, 0.49];
        let s_g = [0.05, 0.05, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, range / 11.0];
        let prior = |x: f64| tn(x, 0.25, range);
        for x in [0.0, 0.1, 0.2, 0.33, 0.5] {
            let l = 0.5 * tn(x, 0.2, s_l) + 0.5 * prior(x);
            let g = above
                .iter()
                .zip(s_g)
                .map(|(&m, s)| tn(x, m, s))
                .sum::<f64>()
                / 10.0
                + prior(x) / 10.0;
            let got_l = model.below.log_densities(&model.coded, &[coords(x)])[0].exp();
            let got_g = model.above.log_densities(&model.coded, &[coords(x)])[0].exp();
            assert!(
                (got_l - l).abs() < 1e-12 * l.max(1.0),
                "l({x}) = {got_l}, want {l}"
            );
            assert!(
                (got_g - g).abs() < 1e-12 * g.max(1.0),
                "g({x}) = {got_g}, want {g}"
            );
            let acq = model.acquisition(&[coords(x)])[0];
            assert!((acq - (l / g).ln()).abs() < 1e-9, "acquisition at {x}");
        }
    }

    /// Observations of `params` with `scores`, in order.
    fn observe<'a>(params: &'a [Params], scores: &[Option<f64>]) -> Vec<Observation<'a>> {
        params
            .iter()
            .zip(scores)
            .map(|(params, &score)| Observation { params, score })
            .collect()
    }

    /// The modelled index of parameter `name`.
    fn coded(model: &Model<'_>, name: &str) -> usize {
        let at = model.params.iter().position(|p| p.name() == name).unwrap();
        assert!(model.coders[at].is_some(), "{name} is modelled");
        model.coders[..at].iter().flatten().count()
    }

    fn point(model: &Model<'_>, values: &[(&str, f64)]) -> Vec<Option<f64>> {
        let mut c = vec![None; model.coded.len()];
        for &(name, x) in values {
            c[coded(model, name)] = Some(x);
        }
        c
    }

    #[test]
    fn choice_kernels_are_aitchison_aitken_as_optuna() {
        // 10 trials; the best chose "tanh" (position 1 of 3).
        let space = space("activation = [\"relu\", \"tanh\", \"sigmoid\"]");
        let names = ["relu", "tanh", "sigmoid"];
        let params: Vec<Params> = (0..10)
            .map(|i| with("activation", Value::Text(names[i % 3].into())))
            .collect();
        let scores: Vec<Option<f64>> = (0..10)
            .map(|i| Some(if i == 1 { 0.0 } else { 1.0 }))
            .collect();
        let model = Model::fit(space.params(), &OPTUNA_GAMMA, &observe(&params, &scores));
        // l: ½ · kernel(tanh) + ½ · uniform. The kernel puts prior_weight / (n + 1) = ½ on each
        // value and 1 more on tanh, normalized by 2.5: 0.6 on tanh, 0.2 elsewhere.
        let l = |k: f64| {
            model
                .below
                .log_densities(&model.coded, &[point(&model, &[("activation", k)])])[0]
                .exp()
        };
        assert!(
            (l(1.0) - (0.5 * 0.6 + 0.5 / 3.0)).abs() < 1e-12,
            "{}",
            l(1.0)
        );
        assert!(
            (l(0.0) - (0.5 * 0.2 + 0.5 / 3.0)).abs() < 1e-12,
            "{}",
            l(0.0)
        );
        assert!(((0..3).map(|k| l(k as f64)).sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn integer_kernels_put_a_normal_mass_on_each_point() {
        // hidden_layers in 0..=3 is coded as the point index with step 1 over [−½, 3½].
        let space =
            space("hidden_layers = { int = [0, 3] }\nneurons = { int = [4, 64], log = true }");
        let params: Vec<Params> = (0..10)
            .map(|i| {
                let mut p = with("hidden_layers", Value::Int(1 + i % 3));
                p.set("neurons", Some(Value::Int(4 + 6 * i)));
                p
            })
            .collect();
        let scores: Vec<Option<f64>> = (0..10).map(|i| Some(i as f64)).collect();
        let model = Model::fit(space.params(), &OPTUNA_GAMMA, &observe(&params, &scores));
        let layers = coded(&model, "hidden_layers");
        // The best trial (1 layer, 4 neurons) is alone below: σ = max(1 − (−½), 3½ − 1) = 2.5.
        let kernel = model.below.kernels[layers][0];
        let mass = |lo: f64, hi: f64| normal_mass((lo - 1.0) / 2.5, (hi - 1.0) / 2.5);
        let z = mass(-0.5, 3.5);
        let want = mass(1.5, 2.5) / z;
        let got = kernel.log_density(&model.coded[layers], 2.0).exp();
        assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        // Masses over the points sum to one, for the grid and for the log integers.
        let total: f64 = (0..4)
            .map(|k| kernel.log_density(&model.coded[layers], k as f64).exp())
            .sum();
        assert!((total - 1.0).abs() < 1e-12, "{total}");
        let neurons = coded(&model, "neurons");
        for kernel in &model.above.kernels[neurons] {
            let total: f64 = (4..=64)
                .map(|k| kernel.log_density(&model.coded[neurons], k as f64).exp())
                .sum();
            assert!((total - 1.0).abs() < 1e-12, "{total}");
        }
    }

    #[test]
    fn a_conditional_parameter_is_modelled_only_where_it_applies() {
        // decay_rate applies when decay ≠ none; trials 0, 2, 4, … had decay = none.
        let space =
            space("decay = [\"none\", \"inverse\"]\ndecay_rate = { uniform = [0.05, 1.0] }");
        // Active rates 0.05 apart: 0.05, 0.1, …, 0.5.
        let rate_of = |i: usize| 0.05 * (i / 2 + 1) as f64;
        let params: Vec<Params> = (0..20)
            .map(|i| {
                let mut p = Params::new();
                let on = i % 2 == 1;
                p.set(
                    "decay",
                    Some(Value::Text(if on { "inverse" } else { "none" }.into())),
                );
                p.set("decay_rate", on.then_some(Value::Float(rate_of(i))));
                p
            })
            .collect();
        let scores: Vec<Option<f64>> = (0..20).map(|i| Some(20.0 - i as f64)).collect();
        let model = Model::fit(space.params(), &OPTUNA_GAMMA, &observe(&params, &scores));
        let rate = coded(&model, "decay_rate");
        // Below: trials 19 and 18 (γ(20) = 2); above: trials 0..=17, in id order.
        let prior = model.above.kernels[rate][18];
        for (i, kernel) in model.above.kernels[rate][..18].iter().enumerate() {
            let (
                Kernel::Normal { mu, sigma, .. },
                Kernel::Normal {
                    mu: pm, sigma: ps, ..
                },
            ) = (*kernel, prior)
            else {
                panic!("numeric kernels")
            };
            if i % 2 == 0 {
                assert_eq!(
                    (mu, sigma),
                    (pm, ps),
                    "trial {i} did not decay: prior kernel"
                );
            } else {
                assert_eq!(mu, rate_of(i));
                // σ counts only the 9 trials where the rate applied: their 0.05 gaps are
                // clipped up to R / (9 + 2) (counting all 18 would clip at R / 20 < 0.05).
                assert!((sigma - 0.95 / 11.0).abs() < 1e-12, "{i}: {sigma}");
            }
        }
        // A point without decay_rate is scored on decay alone.
        let none = point(&model, &[("decay", 0.0)]);
        let both = point(&model, &[("decay", 1.0), ("decay_rate", 0.9)]);
        assert!(
            model
                .acquisition(&[none, both])
                .iter()
                .all(|a| a.is_finite())
        );
    }

    #[test]
    fn failed_trials_never_enter_the_good_set_and_ties_go_by_trial_id() {
        let space = space("dropout = { uniform = [0.0, 0.5] }");
        let xs = [
            0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.05, 0.15, 0.25, 0.35, 0.45, 0.12,
        ];
        let params: Vec<Params> = xs
            .iter()
            .map(|&x| with("dropout", Value::Float(x)))
            .collect();
        // γ(12) = 2. Two failed trials, a NaN and an infinity would sort first as numbers.
        let mut scores = vec![Some(5.0); 12];
        scores[0] = None;
        scores[1] = Some(f64::NAN);
        scores[2] = Some(f64::NEG_INFINITY);
        scores[4] = Some(1.0);
        scores[7] = Some(1.0);
        scores[9] = Some(1.0);
        let model = Model::fit(
            space.params(),
            &TpeSettings::default(),
            &observe(&params, &scores),
        );
        let d = coded(&model, "dropout");
        let centres: Vec<f64> = model.below.kernels[d]
            .iter()
            .map(|k| match k {
                Kernel::Normal { mu, .. } => *mu,
                _ => f64::NAN,
            })
            .collect();
        // Trials 4 and 7 (the first two of the tied best), then the prior at 0.25.
        assert_eq!(centres, [0.4, 0.15, 0.25]);
        // Only failures: the good set is empty and l is the prior alone.
        let failed = vec![None; 12];
        let model = Model::fit(
            space.params(),
            &TpeSettings::default(),
            &observe(&params, &failed),
        );
        assert_eq!(model.below.log_weights, [0.0]);
    }

    #[test]
    fn gamma_is_fifteen_percent_up_to_25_unless_a_fraction_is_given() {
        let default = TpeSettings::default();
        let got: Vec<usize> = [0, 1, 7, 10, 20, 21, 100, 160, 161, 166, 167, 1000]
            .iter()
            .map(|&n| default.below_count(n))
            .collect();
        // ⌈0.15 n⌉ exactly (no float rounding at 20, 100, 160), capped at 25 from n = 161.
        assert_eq!(got, [0, 1, 2, 2, 3, 4, 15, 24, 25, 25, 25, 25]);
        let fraction = TpeSettings {
            gamma: Some(0.15),
            ..default
        };
        assert_eq!(fraction.below_count(100), 15);
        assert_eq!(fraction.below_count(1000), 150);
        assert_eq!(fraction.below_count(7), 2);
        assert_eq!(OPTUNA_GAMMA.below_count(10), 1);
        assert_eq!(OPTUNA_GAMMA.below_count(11), 2);
    }

    #[test]
    fn older_trials_lose_weight_beyond_the_newest_25() {
        assert_eq!(trial_weights(3), [1.0; 3]);
        let w = trial_weights(30);
        assert_eq!(w.len(), 30);
        assert_eq!(w[0], 1.0 / 30.0);
        assert_eq!(w[4], 1.0);
        assert!(w[1] > w[0] && w[2] > w[1] && w[3] > w[2]);
        assert!(w[5..].iter().all(|&x| x == 1.0));
    }

    #[test]
    fn pruned_components_do_not_change_the_density() {
        // 300 trials on a mixed space: the pruned sum equals the full sum of every kernel.
        let space = space(
            "learning_rate = { log_uniform = [1e-4, 1.0] }\nhidden_layers = { int = [1, 3] }\n\
             neurons = { int = [4, 512], log = true }\ndropout = { uniform = [0.0, 0.5], num = 11 }",
        );
        let params: Vec<Params> = (0..300).map(|i| random::assignment(&space, i)).collect();
        let scores: Vec<Option<f64>> = params
            .iter()
            .map(|p| {
                p.get("learning_rate")
                    .and_then(Value::as_f64)
                    .map(|x| x.ln().abs())
            })
            .collect();
        let model = Model::fit(
            space.params(),
            &TpeSettings::default(),
            &observe(&params, &scores),
        );
        let mut rng = Pcg64Mcg::seed_from_u64(9);
        let points: Vec<Vec<Option<f64>>> = (0..50)
            .map(|_| model.below.sample(&model, &mut rng).coords)
            .collect();
        for estimator in [&model.below, &model.above] {
            let fast = estimator.log_densities(&model.coded, &points);
            for (point, fast) in points.iter().zip(fast) {
                let terms: Vec<f64> = (0..estimator.log_weights.len())
                    .map(|i| {
                        estimator.log_weights[i]
                            + model
                                .coded
                                .iter()
                                .zip(&estimator.kernels)
                                .zip(point)
                                .filter_map(|((coder, k), c)| Some(k[i].log_density(coder, (*c)?)))
                                .sum::<f64>()
                    })
                    .collect();
                let full = log_sum_exp(&terms);
                assert!((fast - full).abs() < 1e-12, "{fast} vs {full}");
            }
        }
    }
}
