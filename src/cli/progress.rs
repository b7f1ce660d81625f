//! The sweep's progress on a terminal (indicatif): one bar for the sweep — trials done/total,
//! elapsed, ETA, best validation loss so far — and one line per running trial. Hidden with `-q`
//! or when stderr is not a terminal.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use hpsearch::objective::{EpochReport, Objective, TrialOutcome};
use hpsearch::runner::TrialObserver;
use hpsearch::search::TrialConfig;

/// Progress bars as a sweep observer.
pub struct Progress<'a> {
    objective: &'a dyn Objective,
    multi: MultiProgress,
    sweep: ProgressBar,
    running: Mutex<HashMap<u64, ProgressBar>>,
    best: Mutex<Option<(f64, u64)>>,
}

impl<'a> Progress<'a> {
    /// A sweep of `total` trials of which `done` already finished, the best of them `best`
    /// as (val_loss, trial).
    pub fn new(
        objective: &'a dyn Objective,
        total: usize,
        done: usize,
        best: Option<(f64, u64)>,
        quiet: bool,
    ) -> Self {
        let target = if quiet || !std::io::stderr().is_terminal() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let multi = MultiProgress::with_draw_target(target);
        let sweep = multi.add(ProgressBar::new(total as u64));
        sweep.set_style(
            ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30.cyan/blue}] {pos}/{len} trials, ETA {eta}  {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        sweep.set_position(done as u64);
        sweep.enable_steady_tick(Duration::from_millis(250));
        let progress = Progress {
            objective,
            multi,
            sweep,
            running: Mutex::default(),
            best: Mutex::new(None),
        };
        if let Some((loss, trial)) = best {
            progress.offer_best(loss, trial);
        }
        progress
    }

    /// Removes the bars from the terminal.
    pub fn finish(&self) {
        self.sweep.finish_and_clear();
        let _ = self.multi.clear();
    }

    fn offer_best(&self, loss: f64, trial: u64) {
        let mut best = self.best.lock().unwrap_or_else(|e| e.into_inner());
        let better = match *best {
            None => true,
            Some((l, t)) => loss < l || (loss == l && trial < t),
        };
        if better && loss.is_finite() {
            *best = Some((loss, trial));
            self.sweep
                .set_message(format!("best val_loss {loss:.4} (trial {trial})"));
        }
    }
}

impl TrialObserver for Progress<'_> {
    fn started(&self, trial: &TrialConfig) {
        let epochs = self.objective.epochs(trial).unwrap_or(0);
        let line = self.multi.add(ProgressBar::new(epochs as u64));
        line.set_style(
            ProgressStyle::with_template("  trial {prefix}: epoch {pos}/{len} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        line.set_prefix(trial.id.to_string());
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(trial.id, line);
    }

    fn epoch(&self, trial: &TrialConfig, report: &EpochReport) {
        if let Some(line) = self
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&trial.id)
        {
            line.set_position(report.epoch as u64 + 1);
            line.set_message(format!("val_loss {:.4}", report.val_loss));
        }
    }

    fn finished(&self, trial: &TrialConfig, outcome: &TrialOutcome) -> Result<(), String> {
        if let Some(line) = self
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&trial.id)
        {
            line.finish_and_clear();
            self.multi.remove(&line);
        }
        if outcome.status.is_ranked() {
            self.offer_best(outcome.best_val_loss, trial.id);
        }
        self.sweep.inc(1);
        Ok(())
    }
}
