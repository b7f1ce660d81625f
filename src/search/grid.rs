//! Grid search: every combination of the parameters' grid points, in schema order (the first
//! parameter varies slowest). A parameter that does not apply to a combination is left empty
//! and does not multiply it, so the grid is duplicate-free by construction.

use crate::space::value::Params;
use crate::space::{ParamDomain, SearchSpace, SpaceError};

/// The assignments of the grid, in id order. The space's size was checked against
/// `max_trials` when it was validated, so this allocates at most that many.
pub fn assignments(space: &SearchSpace) -> Result<Vec<Params>, SpaceError> {
    let capacity = usize::try_from(space.trial_count()).unwrap_or(0);
    let mut out = Vec::with_capacity(capacity);
    let mut current = Params::new();
    enumerate(space.params(), &mut current, &mut out);
    Ok(out)
}

fn enumerate(params: &[ParamDomain], current: &mut Params, out: &mut Vec<Params>) {
    let Some((p, rest)) = params.split_first() else {
        out.push(current.clone());
        return;
    };
    let active = p.spec().active.is_none_or(|f| f(current));
    match p.domain().filter(|_| active) {
        None => {
            current.set(p.name(), None);
            enumerate(rest, current, out);
        }
        Some(domain) => {
            let size = domain.grid_size().unwrap_or(0);
            for k in 0..size {
                current.set(p.name(), domain.grid_value(k));
                enumerate(rest, current, out);
            }
        }
    }
}
