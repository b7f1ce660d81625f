//! The arithmetic of successive halving and Hyperband: which rungs each bracket has, how many
//! trials each rung keeps and how many epochs it trains them to. Pure functions of (r, η, R),
//! unit-tested against Li et al. (2018), Table 1 (R = 81, η = 3).

use crate::space::Rungs;

/// One rung of a bracket: `trials` configurations trained up to `epochs` (absolute).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RungPlan {
    /// n_i: trials in the rung.
    pub trials: u64,
    /// r_i: the epochs every trial of the rung has trained when the rung ends.
    pub epochs: u64,
}

/// One bracket: its index s and its rungs, first to last.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BracketPlan {
    /// s: how aggressively it halves (s = 0 trains every configuration to R).
    pub s: u32,
    /// The rungs in order.
    pub rungs: Vec<RungPlan>,
}

impl BracketPlan {
    /// Epochs the bracket trains in all: a promoted trial continues, so rung i costs
    /// n_i · (r_i − r_{i−1}).
    pub fn cost(&self) -> u64 {
        let mut previous = 0;
        self.rungs
            .iter()
            .map(|r| {
                let cost = r.trials * (r.epochs - previous);
                previous = r.epochs;
                cost
            })
            .sum()
    }

    /// Configurations the bracket starts with.
    pub fn configurations(&self) -> u64 {
        self.rungs.first().map_or(0, |r| r.trials)
    }
}

/// s_max = ⌊log_η(R / r)⌋, in integers: the largest s with r·η^s ≤ R.
pub fn s_max(rungs: Rungs) -> u32 {
    let mut s = 0;
    let mut budget = rungs.min_epochs;
    while let Some(next) = budget.checked_mul(rungs.reduction) {
        if next > rungs.max_epochs {
            break;
        }
        budget = next;
        s += 1;
    }
    s
}

/// Successive halving over `trials` configurations: rung i trains ⌊n/η^i⌋ (at least 1) trials
/// to r·η^i epochs while that is below R, and the last rung trains to exactly R.
pub fn halving(trials: u64, rungs: Rungs) -> BracketPlan {
    let mut plan = Vec::new();
    let (mut n, mut epochs) = (trials, rungs.min_epochs);
    while epochs < rungs.max_epochs {
        plan.push(RungPlan { trials: n, epochs });
        n = (n / rungs.reduction).max(1);
        epochs = epochs.saturating_mul(rungs.reduction);
    }
    plan.push(RungPlan {
        trials: n,
        epochs: rungs.max_epochs,
    });
    let s = u32::try_from(plan.len() - 1).unwrap_or(u32::MAX);
    BracketPlan { s, rungs: plan }
}

/// Hyperband's bracket s (Li et al. 2018, Algorithm 1): n = ⌈(s_max+1)/(s+1) · η^s⌉
/// configurations starting at R·η^(−s) epochs, halved s times.
pub fn hyperband_bracket(s: u32, rungs: Rungs) -> BracketPlan {
    let s_max = s_max(rungs);
    let eta = rungs.reduction;
    let pow = |k: u32| eta.saturating_pow(k);
    // ⌈(s_max + 1) · η^s / (s + 1)⌉ in integers.
    let n = (u64::from(s_max + 1) * pow(s)).div_ceil(u64::from(s + 1));
    let plan = (0..=s)
        .map(|i| RungPlan {
            trials: (n / pow(i)).max(1),
            // R·η^(i−s), rounded down, at least r; the last rung is R.
            epochs: if i == s {
                rungs.max_epochs
            } else {
                (rungs.max_epochs / pow(s - i)).max(rungs.min_epochs)
            },
        })
        .collect();
    BracketPlan { s, rungs: plan }
}

/// Hyperband's brackets in running order: s = s_max … 0 once; with a `budget` in epochs, the
/// passes start over at s_max as long as the next whole bracket still fits.
pub fn hyperband(rungs: Rungs, budget: Option<u64>) -> Vec<BracketPlan> {
    let pass: Vec<BracketPlan> = (0..=s_max(rungs))
        .rev()
        .map(|s| hyperband_bracket(s, rungs))
        .collect();
    let Some(budget) = budget else {
        return pass;
    };
    let mut plan = Vec::new();
    let mut spent = 0u64;
    for bracket in pass.iter().cycle() {
        let cost = bracket.cost();
        if spent + cost > budget || cost == 0 {
            break;
        }
        spent += cost;
        plan.push(bracket.clone());
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rungs(r: u64, eta: u64, max: u64) -> Rungs {
        Rungs {
            min_epochs: r,
            reduction: eta,
            max_epochs: max,
        }
    }

    fn table(plan: &BracketPlan) -> Vec<(u64, u64)> {
        plan.rungs.iter().map(|r| (r.trials, r.epochs)).collect()
    }

    #[test]
    fn hyperband_matches_li_et_al_table_1() {
        // Li et al. 2018, Table 1: R = 81, η = 3 (r = 1), brackets s = 4 … 0.
        let plan = hyperband(rungs(1, 3, 81), None);
        let got: Vec<Vec<(u64, u64)>> = plan.iter().map(table).collect();
        assert_eq!(
            got,
            vec![
                vec![(81, 1), (27, 3), (9, 9), (3, 27), (1, 81)],
                vec![(34, 3), (11, 9), (3, 27), (1, 81)],
                vec![(15, 9), (5, 27), (1, 81)],
                vec![(8, 27), (2, 81)],
                vec![(5, 81)],
            ]
        );
        assert_eq!(
            plan.iter().map(|b| b.s).collect::<Vec<_>>(),
            [4, 3, 2, 1, 0]
        );
    }

    #[test]
    fn hyperband_budget_repeats_whole_brackets() {
        // R = 27, η = 3: one pass is 81 + 78 + 90 + 108 = 357 epochs over 49 configurations;
        // 576 epochs add s = 3 and s = 2 again (516 epochs, 88 configurations).
        let r = rungs(1, 3, 27);
        let pass = hyperband(r, None);
        assert_eq!(
            pass.iter().map(BracketPlan::cost).collect::<Vec<_>>(),
            [81, 78, 90, 108]
        );
        let plan = hyperband(r, Some(576));
        assert_eq!(
            plan.iter().map(|b| b.s).collect::<Vec<_>>(),
            [3, 2, 1, 0, 3, 2]
        );
        assert_eq!(plan.iter().map(BracketPlan::cost).sum::<u64>(), 516);
        assert_eq!(
            plan.iter().map(BracketPlan::configurations).sum::<u64>(),
            88
        );
    }

    #[test]
    fn halving_keeps_a_third_per_rung_up_to_r() {
        assert_eq!(
            table(&halving(81, rungs(1, 3, 27))),
            [(81, 1), (27, 3), (9, 9), (3, 27)]
        );
        // R not a power of η: the last rung trains to R exactly.
        assert_eq!(
            table(&halving(10, rungs(1, 3, 20))),
            [(10, 1), (3, 3), (1, 9), (1, 20)]
        );
    }

    #[test]
    fn reductions_two_and_four() {
        assert_eq!(
            table(&halving(16, rungs(1, 2, 8))),
            [(16, 1), (8, 2), (4, 4), (2, 8)]
        );
        let plan = hyperband(rungs(1, 4, 16), None);
        let got: Vec<Vec<(u64, u64)>> = plan.iter().map(table).collect();
        assert_eq!(
            got,
            vec![
                vec![(16, 1), (4, 4), (1, 16)],
                vec![(6, 4), (1, 16)],
                vec![(3, 16)],
            ]
        );
    }

    #[test]
    fn min_epochs_equal_to_r_gives_one_rung() {
        assert_eq!(s_max(rungs(10, 3, 10)), 0);
        assert_eq!(table(&halving(5, rungs(10, 3, 10))), [(5, 10)]);
    }
}
