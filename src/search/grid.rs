//! Grid search: every combination of the parameters' grid points, in schema order (the first
//! parameter varies slowest). A parameter that does not apply to a combination is left empty
//! and does not multiply it, so the grid is duplicate-free by construction.
//!
//! Trial `index` is decoded on demand, without building the trials before it: at each
//! parameter, the sizes of the sub-grids under its values say which value the index falls in.

use crate::space::validate::{grid_parents, sub_grid_count};
use crate::space::value::Params;
use crate::space::{ParamDomain, SearchSpace};

/// The assignment of grid trial `index` (`index` < the space's trial count): the
/// `index`-th combination in the order above. Costs a few sub-grid counts, not `index` steps.
pub fn assignment(space: &SearchSpace, index: u64) -> Params {
    decode(space.params(), &grid_parents(space.params()), index)
}

fn decode(params: &[ParamDomain], parents: &[bool], mut index: u64) -> Params {
    let mut out = Params::new();
    for (i, p) in params.iter().enumerate() {
        let active = p.spec().active.is_none_or(|f| f(&out));
        let Some(domain) = p.domain().filter(|_| active) else {
            out.set(p.name(), None);
            continue;
        };
        // The space was validated: every grid size and count fits a u64.
        let size = domain.grid_size().unwrap_or(1);
        let below = |k: u64, out: &mut Params| {
            out.set(p.name(), domain.grid_value(k));
            let n = sub_grid_count(params, parents, i + 1, out).unwrap_or(u64::MAX);
            n.max(1)
        };
        let k = if parents[i] {
            // Later parameters depend on this one: its values head sub-grids of different sizes.
            let mut k = 0;
            while k + 1 < size {
                let n = below(k, &mut out);
                if index < n {
                    break;
                }
                index -= n;
                k += 1;
            }
            k
        } else {
            // Nothing depends on it: every value heads a sub-grid of the same size.
            let n = below(0, &mut out);
            let k = (index / n).min(size - 1);
            index -= k * n;
            k
        };
        out.set(p.name(), domain.grid_value(k));
    }
    out
}
