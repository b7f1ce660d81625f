//! TrialConfig* → TrialOutcome*: runs trials on a local rayon pool, one trial per worker,
//! longest first; catches panics; stops starting trials when asked. Prints nothing: it reports
//! to a [`TrialObserver`].

use std::ops::ControlFlow;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::objective::{EpochReport, Objective, TrialOutcome, TrialStatus};
use crate::search::{Job, Study, Told, TrialConfig};

/// The name prefix of worker threads (so a panic hook can tell a caught trial panic).
pub const WORKER_PREFIX: &str = "hpsearch-worker-";

/// Receives a sweep's events. Called from worker threads, hence `Sync`.
pub trait TrialObserver: Sync {
    /// A worker is starting `trial`.
    fn started(&self, _trial: &TrialConfig) {}
    /// `trial` finished an epoch.
    fn epoch(&self, _trial: &TrialConfig, _report: &EpochReport) {}
    /// `trial` finished (never called for interrupted trials). An error (e.g. the journal could
    /// not be written) stops the sweep: no further trial starts, and [`run`] returns it.
    fn finished(&self, _trial: &TrialConfig, _outcome: &TrialOutcome) -> Result<(), String> {
        Ok(())
    }
}

/// How a sweep ended.
#[derive(Debug)]
pub struct RunSummary {
    /// How many trials finished (outcomes go to the observer only, so a sweep's memory does
    /// not grow with its curves).
    pub finished: usize,
    /// Whether `stop` ended the sweep before every trial ran.
    pub interrupted: bool,
}

/// Why a sweep could not go on.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The thread pool could not be built.
    #[error("cannot start {jobs} worker threads")]
    Pool {
        /// Requested workers.
        jobs: usize,
        /// The cause.
        source: rayon::ThreadPoolBuildError,
    },
    /// An observer failed (e.g. writing the journal); the finished trials are kept.
    #[error("{0}")]
    Observer(String),
}

/// Runs the trials `ids` on `jobs` workers (a local pool, never rayon's global one), longest
/// (by [`Objective::cost`]) first, ties by id. `trial` builds a trial from its id (e.g.
/// `|id| search::trial(&space, id)`): each is built once to cost it and again when it runs,
/// so the sweep holds only a (cost, id) pair per trial, never every trial at once. Setting
/// `stop` stops starting trials and asks the running ones to stop after their current epoch;
/// those are not reported as finished.
///
/// Results do not depend on `jobs` or on scheduling: each trial draws only from its own seed.
pub fn run(
    objective: &dyn Objective,
    ids: impl IntoIterator<Item = u64>,
    trial: &(dyn Fn(u64) -> TrialConfig + Sync),
    jobs: usize,
    observer: &dyn TrialObserver,
    stop: &AtomicBool,
) -> Result<RunSummary, RunError> {
    let mut order: Vec<(f64, u64)> = ids
        .into_iter()
        .map(|id| (objective.cost(&trial(id)), id))
        .collect();
    order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    if order.is_empty() {
        return Ok(RunSummary {
            finished: 0,
            interrupted: stop.load(Ordering::SeqCst),
        });
    }
    // Never more workers than trials: an idle worker only costs a thread.
    let jobs = jobs.clamp(1, order.len());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .thread_name(|i| format!("{WORKER_PREFIX}{i}"))
        .build()
        .map_err(|source| RunError::Pool { jobs, source })?;

    let next = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    let failure: Mutex<Option<String>> = Mutex::new(None);
    let halt = AtomicBool::new(false);

    // One long-lived task per worker, each taking the next trial in cost order: an exact
    // longest-first schedule, unlike splitting the list up front.
    pool.scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|_| {
                loop {
                    if stop.load(Ordering::SeqCst) || halt.load(Ordering::SeqCst) {
                        return;
                    }
                    let Some(&(_, id)) = order.get(next.fetch_add(1, Ordering::SeqCst)) else {
                        return;
                    };
                    let trial = trial(id);
                    observer.started(&trial);
                    let outcome = run_one(objective, &trial, observer, stop);
                    if outcome.status == TrialStatus::Interrupted {
                        continue;
                    }
                    if let Err(message) = observer.finished(&trial, &outcome) {
                        halt.store(true, Ordering::SeqCst);
                        lock(&failure).get_or_insert(message);
                    }
                    finished.fetch_add(1, Ordering::SeqCst);
                }
            });
        }
    });

    if let Some(message) = lock(&failure).take() {
        return Err(RunError::Observer(message));
    }
    let finished = finished.into_inner();
    let interrupted = finished < order.len();
    Ok(RunSummary {
        finished,
        interrupted,
    })
}

/// Runs a study to its end: asks for a batch, runs it ([`run`]), tells the study each result,
/// and asks again; a batch is a barrier, so the study decides from complete, id-ordered
/// results whatever `jobs` is. Results the study already holds (restored from a journal) are
/// not run again. Trials the study releases are released from the objective.
pub fn run_study(
    objective: &dyn Objective,
    study: &mut Study<'_>,
    jobs: usize,
    observer: &dyn TrialObserver,
    stop: &AtomicBool,
) -> Result<RunSummary, RunError> {
    run_study_share(objective, study, jobs, observer, stop, &|_| true).map(|(summary, _)| summary)
}

/// Runs the share of a study that `owns` selects (a shard's trials): like [`run_study`], but
/// each batch runs only its owned jobs; when a batch also holds jobs of other owners, whose
/// results are not known yet, it stops after the owned ones and returns the first of those (waiting for
/// the other shards: the study cannot decide the next batch without them).
pub fn run_study_share(
    objective: &dyn Objective,
    study: &mut Study<'_>,
    jobs: usize,
    observer: &dyn TrialObserver,
    stop: &AtomicBool,
    owns: &dyn Fn(u64) -> bool,
) -> Result<(RunSummary, Option<Job>), RunError> {
    let mut finished = 0;
    let interrupted = |finished| {
        Ok((
            RunSummary {
                finished,
                interrupted: true,
            },
            None,
        ))
    };
    while let Some(batch) = study.ask() {
        if stop.load(Ordering::SeqCst) {
            return interrupted(finished);
        }
        let (batch, others): (Vec<_>, Vec<_>) = batch.into_iter().partition(|j| owns(j.id));
        let told = Collect::default();
        let summary = {
            let study = &*study;
            run(
                objective,
                0..batch.len() as u64,
                &|i| study.trial(&batch[i as usize]),
                jobs,
                &Observers(vec![observer, &told]),
                stop,
            )?
        };
        finished += summary.finished;
        if summary.interrupted {
            return interrupted(finished);
        }
        let mut results = told.0.into_inner().unwrap_or_else(|e| e.into_inner());
        results.sort_by_key(|t| t.id);
        for result in results {
            study.tell(result);
        }
        if let Some(&job) = others.first() {
            return Ok((
                RunSummary {
                    finished,
                    interrupted: false,
                },
                Some(job),
            ));
        }
        for id in study.released() {
            objective.release(id);
        }
    }
    for id in study.released() {
        objective.release(id);
    }
    Ok((
        RunSummary {
            finished,
            interrupted: false,
        },
        None,
    ))
}

/// Collects a batch's results for the study.
#[derive(Default)]
struct Collect(Mutex<Vec<Told>>);

impl TrialObserver for Collect {
    fn finished(&self, trial: &TrialConfig, outcome: &TrialOutcome) -> Result<(), String> {
        lock(&self.0).push(Told {
            id: trial.id,
            rung: trial.rung.map(|r| r.index),
            status: outcome.status,
            score: outcome.score,
        });
        Ok(())
    }
}

/// Runs one trial; a panic or an error becomes a failed outcome with its message. A trial
/// that completes a rung that is not its bracket's last is [`TrialStatus::Pruned`] until the
/// study promotes it.
fn run_one(
    objective: &dyn Objective,
    trial: &TrialConfig,
    observer: &dyn TrialObserver,
    stop: &AtomicBool,
) -> TrialOutcome {
    let mut on_epoch = |report: &EpochReport| {
        observer.epoch(trial, report);
        if stop.load(Ordering::SeqCst) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    match catch_unwind(AssertUnwindSafe(|| objective.run(trial, &mut on_epoch))) {
        Ok(Ok(mut outcome)) => {
            let paused = trial.rung.is_some_and(|r| !r.last);
            if paused && outcome.status == TrialStatus::Completed {
                outcome.status = TrialStatus::Pruned;
            }
            outcome
        }
        Ok(Err(message)) => TrialOutcome::failed(message),
        Err(payload) => {
            let text = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic payload".to_string());
            TrialOutcome::failed(format!("panicked: {text}"))
        }
    }
}

/// Locks a mutex, ignoring poisoning: every critical section here leaves its data consistent.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Several observers as one, called in order.
pub struct Observers<'a>(pub Vec<&'a dyn TrialObserver>);

impl TrialObserver for Observers<'_> {
    fn started(&self, trial: &TrialConfig) {
        self.0.iter().for_each(|o| o.started(trial));
    }
    fn epoch(&self, trial: &TrialConfig, report: &EpochReport) {
        self.0.iter().for_each(|o| o.epoch(trial, report));
    }
    fn finished(&self, trial: &TrialConfig, outcome: &TrialOutcome) -> Result<(), String> {
        self.0.iter().try_for_each(|o| o.finished(trial, outcome))
    }
}
