//! The only place seeds are derived. Every trial's randomness (weight init, shuffling, dropout)
//! and every random-search draw comes from a seed computed here from (sweep seed, trial id), so
//! results depend neither on `--jobs`, nor on scheduling order, nor on resuming. (The one
//! other derivation, a repeat's seed from its trial's, is `TrialConfig::repeat_seed`, where the
//! objective can reach it.)

pub use crate::objective::splitmix64;

/// Salts that keep the streams of one (sweep seed, id) pair apart.
const TRAINING: u64 = 0x7472_6169_6E69_6E67; // "training"
const SAMPLING: u64 = 0x7361_6D70_6C69_6E67; // "sampling"
const PROPOSAL: u64 = 0x7072_6F70_6F73_616C; // "proposal"

fn derive(salt: u64, sweep_seed: u64, id: u64) -> u64 {
    splitmix64(splitmix64(sweep_seed ^ salt) ^ splitmix64(id))
}

/// The seed of trial `id`'s own RNG for training (weight init, shuffling, dropout).
///
/// 63 bits: every trial seed fits a TOML integer, so `best.toml` can pin it (`trial_seed`).
pub fn trial_seed(sweep_seed: u64, id: u64) -> u64 {
    derive(TRAINING, sweep_seed, id) >> 1
}

/// The seed of the RNG that draws random-search trial `id`'s parameters (a stream separate
/// from the trial's training RNG).
pub fn sampling_seed(sweep_seed: u64, id: u64) -> u64 {
    derive(SAMPLING, sweep_seed, id)
}

/// The seed of the RNG with which a model-based sampler (TPE) makes proposal `id`: its
/// candidates and their draws. A stream apart from `sampling_seed`, which TPE's startup draws
/// use so that they equal random search's.
pub fn proposal_seed(sweep_seed: u64, id: u64) -> u64 {
    derive(PROPOSAL, sweep_seed, id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_reference_sequence() {
        // Reference: successive outputs of SplitMix64 seeded with 0 (state += γ, then mix).
        assert_eq!(splitmix64(0), 0xE220_A839_7B1D_CDAF);
        assert_eq!(splitmix64(0x9E37_79B9_7F4A_7C15), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn trial_seeds_differ_across_ids_and_sweeps() {
        let mut seen = std::collections::HashSet::new();
        for sweep in 0..50 {
            for id in 0..200 {
                assert!(
                    seen.insert(trial_seed(sweep, id)),
                    "collision at ({sweep}, {id})"
                );
            }
        }
    }

    #[test]
    fn swapping_seed_and_id_gives_another_seed() {
        assert_ne!(trial_seed(1, 2), trial_seed(2, 1));
        assert_ne!(trial_seed(3, 4), sampling_seed(3, 4));
        assert_ne!(sampling_seed(3, 4), proposal_seed(3, 4));
    }

    #[test]
    fn trial_seeds_fit_a_toml_integer() {
        assert!((0..1000).all(|id| i64::try_from(trial_seed(9, id)).is_ok()));
    }

    #[test]
    fn trial_seed_is_a_pure_function() {
        assert_eq!(trial_seed(7, 42), trial_seed(7, 42));
    }
}
