//! The sweep's progress on a terminal (indicatif): one bar for the sweep — trials done/total,
//! elapsed, ETA, best validation loss so far — and one line per running trial. Hidden with `-q`
//! or when stderr is not a terminal.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{
    HumanDuration, MultiProgress, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle,
};

use hpsearch::objective::{EpochReport, Objective, TrialOutcome};
use hpsearch::runner::TrialObserver;
use hpsearch::search::TrialConfig;

/// Progress bars as a sweep observer.
pub struct Progress<'a> {
    objective: &'a dyn Objective,
    multi: MultiProgress,
    sweep: ProgressBar,
    running: Mutex<HashMap<u64, Running>>,
    best: Mutex<Option<(f64, u64)>>,
    eta: Arc<Eta>,
}

/// A running trial's line, and how much of it [`Eta`] has counted.
struct Running {
    line: ProgressBar,
    /// In thousandths of a trial.
    counted: u64,
    /// Epochs reported so far by this call (every fold and repeat counts).
    epochs: u64,
}

/// The estimate of the time left, from the work this process has done: finished trials and
/// the finished epochs of running ones, against the trials it has to run. indicatif's own
/// `{eta}` says `0s` before the first trial finishes, and a resumed sweep's starting position
/// would read as instant progress.
struct Eta {
    start: Instant,
    /// Trials to run in this process, in thousandths.
    todo: u64,
    /// Work done, in thousandths of a trial.
    done: AtomicU64,
}

impl Eta {
    /// `, ETA 3m` (indicatif's short form), or nothing until there is something to estimate from.
    fn write(&self, out: &mut dyn std::fmt::Write) {
        let done = self.done.load(Ordering::Relaxed);
        if done == 0 {
            return;
        }
        let left = self.start.elapsed().as_secs_f64() * self.todo.saturating_sub(done) as f64
            / done as f64;
        let _ = write!(
            out,
            ", ETA {:#}",
            HumanDuration(Duration::from_secs_f64(left))
        );
    }
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
        let eta = Arc::new(Eta {
            start: Instant::now(),
            todo: total.saturating_sub(done) as u64 * 1000,
            done: AtomicU64::new(0),
        });
        let key = Arc::clone(&eta);
        sweep.set_style(
            ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30.cyan/blue}] {pos}/{len} trials{left}  {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .with_key(
                "left",
                move |_: &ProgressState, out: &mut dyn std::fmt::Write| key.write(out),
            )
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
            eta,
        };
        if let Some((loss, trial)) = best {
            progress.offer_best(loss, trial);
        }
        progress
    }

    /// Removes the bars from the terminal, the lines of trials that were stopped included (a
    /// line left unfinished would draw itself again when dropped, below the summary).
    pub fn finish(&self) {
        for (_, running) in self
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain()
        {
            running.line.finish_and_clear();
            self.multi.remove(&running.line);
        }
        self.sweep.finish_and_clear();
        let _ = self.multi.clear();
    }

    /// Counts `trial`'s work up to `milli` thousandths of it.
    fn count(&self, running: &mut Running, milli: u64) {
        let milli = milli.min(1000);
        if milli > running.counted {
            self.eta
                .done
                .fetch_add(milli - running.counted, Ordering::Relaxed);
            running.counted = milli;
        }
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
                .set_message(format!("best score {loss:.4} (trial {trial})"));
        }
    }
}

impl TrialObserver for Progress<'_> {
    fn started(&self, trial: &TrialConfig) {
        let epochs = self.objective.epochs(trial).unwrap_or(0);
        let line = self.multi.add(ProgressBar::new(epochs as u64));
        line.set_style(
            ProgressStyle::with_template("  trial {prefix}: epochs {pos}/{len} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        line.set_prefix(trial.id.to_string());
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(
                trial.id,
                Running {
                    line,
                    counted: 0,
                    epochs: 0,
                },
            );
    }

    fn epoch(&self, trial: &TrialConfig, report: &EpochReport) {
        if let Some(running) = self
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_mut(&trial.id)
        {
            running.epochs += 1;
            let epoch = running.epochs;
            running.line.set_position(epoch);
            running
                .line
                .set_message(format!("val_loss {:.4}", report.val_loss));
            if let Some(epochs) = running.line.length().filter(|&e| e > 0) {
                self.count(running, epoch * 1000 / epochs);
            }
        }
    }

    fn finished(&self, trial: &TrialConfig, outcome: &TrialOutcome) -> Result<(), String> {
        if let Some(mut running) = self
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&trial.id)
        {
            self.count(&mut running, 1000);
            running.line.finish_and_clear();
            self.multi.remove(&running.line);
        }
        if outcome.status.is_ranked() {
            self.offer_best(outcome.score, trial.id);
        }
        self.sweep.inc(1);
        Ok(())
    }
}
