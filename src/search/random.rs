//! Random search: trial `i` draws every applicable parameter from its own RNG, seeded from
//! (sweep seed, i), so raising `trials` keeps the first trials unchanged and no draw depends on
//! another.

use rand::SeedableRng;
use rand_pcg::Pcg64Mcg;

use super::seed::sampling_seed;
use crate::space::value::Params;
use crate::space::{ParamDomain, SearchSpace};

/// The assignment of random trial `id`: parameters drawn in schema order, inactive ones empty.
pub fn assignment(space: &SearchSpace, id: u64) -> Params {
    draw(
        space.params(),
        &mut Pcg64Mcg::seed_from_u64(sampling_seed(space.seed(), id)),
    )
}

/// Draws one assignment from `rng`.
pub fn draw(params: &[ParamDomain], rng: &mut impl rand::Rng) -> Params {
    let mut out = Params::new();
    for p in params {
        let active = p.spec().active.is_none_or(|f| f(&out));
        let value = p.domain().filter(|_| active).map(|d| d.sample(rng));
        out.set(p.name(), value);
    }
    out
}
