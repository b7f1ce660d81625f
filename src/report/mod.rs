//! Outcomes → files: results directory, journal, ranking, CSV writers, best.toml. (Issue 5.)
