//! TrialConfig* → TrialOutcome*: a local rayon pool, caught panics, resume. (Issue 5.)
