//! Learning-rate schedules η_t by 0-based absolute epoch t.

/// How the learning rate decays from η0 with the epoch t (0-based, counted over the trainer's
/// whole life, so a continued trial goes on where it stopped). Default: [`LrSchedule::None`].
///
/// The rates are checked by [`super::MlpParams::validate`]: r, λ > 0 and t_u ≥ 1.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum LrSchedule {
    /// η_t = η0.
    #[default]
    None,
    /// η_t = η0 / (1 + r·t).
    Inverse {
        /// r, per epoch.
        rate: f64,
    },
    /// η_t = η0 · e^(−λ·t).
    Exponential {
        /// λ, per epoch.
        rate: f64,
    },
    /// η_t = η0 · r^⌊t / t_u⌋.
    Step {
        /// r, the factor applied every t_u epochs.
        rate: f64,
        /// t_u, epochs per step (≥ 1).
        every: usize,
    },
}

impl LrSchedule {
    /// The name used in search-space files (`decay = "inverse"`, …).
    pub fn name(&self) -> &'static str {
        match self {
            LrSchedule::None => "none",
            LrSchedule::Inverse { .. } => "inverse",
            LrSchedule::Exponential { .. } => "exponential",
            LrSchedule::Step { .. } => "step",
        }
    }

    /// η_t for initial rate `eta0` at 0-based epoch `epoch`.
    pub fn learning_rate(&self, eta0: f64, epoch: usize) -> f64 {
        let t = epoch as f64;
        match *self {
            LrSchedule::None => eta0,
            LrSchedule::Inverse { rate } => eta0 / (1.0 + rate * t),
            LrSchedule::Exponential { rate } => eta0 * (-rate * t).exp(),
            LrSchedule::Step { rate, every } => eta0 * rate.powf((epoch / every.max(1)) as f64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_holds_for_t_u_epochs() {
        let s = LrSchedule::Step {
            rate: 0.5,
            every: 3,
        };
        let rates: Vec<f64> = (0..7).map(|t| s.learning_rate(1.0, t)).collect();
        assert_eq!(rates, [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]);
    }
}
