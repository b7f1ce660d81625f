//! Sweep, journal, ranking and resume behaviours, exact and fast with a fake objective whose
//! loss is a known function of its parameters.

use std::fs;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use hpsearch::objective::{EpochReport, Objective, TrialOutcome, TrialStatus};
use hpsearch::report::{self, Recorder, ResultsDir};
use hpsearch::runner::{self, TrialObserver};
use hpsearch::search::{self, TrialConfig};
use hpsearch::space::schema::ParamSpec;
use hpsearch::space::value::{Params, Value};

/// Loss at epoch t = (x − 0.3)² + 1/(t + 1). x = 0.99 panics, x = 0.98 diverges.
struct Fake;

impl Objective for Fake {
    fn schema(&self) -> &'static [ParamSpec] {
        &[]
    }

    fn run(
        &self,
        trial: &TrialConfig,
        on_epoch: &mut dyn FnMut(&EpochReport) -> ControlFlow<()>,
    ) -> Result<TrialOutcome, String> {
        let x = trial
            .params
            .get("x")
            .and_then(Value::as_f64)
            .ok_or("x missing")?;
        if x == 0.99 {
            panic!("fake trial {} exploded", trial.id);
        }
        let mut outcome = TrialOutcome::failed("");
        outcome.status = TrialStatus::Completed;
        for t in 0..3 {
            let loss = if x == 0.98 && t == 1 {
                f64::NAN
            } else {
                (x - 0.3).powi(2) + 1.0 / (t as f64 + 1.0)
            };
            let report = EpochReport {
                epoch: t,
                learning_rate: 0.1,
                train_loss: loss,
                val_loss: loss,
                val_accuracy: 0.5,
                val_f1: 0.5,
                fold: None,
                repeat: None,
            };
            outcome.curve.push(report.clone());
            outcome.epochs_run = t + 1;
            if loss.is_nan() {
                outcome.status = TrialStatus::Diverged;
                outcome.message = "loss became NaN".into();
                return Ok(outcome);
            }
            if loss < outcome.score {
                outcome.score = loss;
                outcome.best_val_loss = loss;
                outcome.best_epoch = Some(t);
            }
            outcome.train_loss = loss;
            outcome.val_accuracy = 0.5;
            if on_epoch(&report).is_break() {
                outcome.status = TrialStatus::Interrupted;
                return Ok(outcome);
            }
        }
        Ok(outcome)
    }

    fn cost(&self, trial: &TrialConfig) -> f64 {
        trial.params.get("x").and_then(Value::as_f64).unwrap_or(0.0)
    }
}

fn trials(xs: &[f64]) -> Vec<TrialConfig> {
    xs.iter()
        .enumerate()
        .map(|(i, &x)| {
            let mut params = Params::new();
            params.set("x", Some(Value::Float(x)));
            params.set("unused", None);
            TrialConfig::new(i as u64, i as u64, params)
        })
        .collect()
}

const XS: [f64; 8] = [0.5, 0.1, 0.3, 0.98, 0.7, 0.99, 0.2, 0.3];

/// Runs the `ids` of `trials` with the fake objective.
fn run(
    trials: &[TrialConfig],
    ids: impl IntoIterator<Item = u64>,
    jobs: usize,
    observer: &dyn TrialObserver,
    stop: &AtomicBool,
) -> Result<runner::RunSummary, runner::RunError> {
    let trial = |id: u64| {
        trials
            .iter()
            .find(|t| t.id == id)
            .cloned()
            .expect("a known id")
    };
    runner::run(&Fake, ids, &trial, jobs, observer, stop)
}

/// Runs every trial of `trials` with the fake objective.
fn run_all(
    trials: &[TrialConfig],
    jobs: usize,
    observer: &dyn TrialObserver,
    stop: &AtomicBool,
) -> Result<runner::RunSummary, runner::RunError> {
    run(trials, trials.iter().map(|t| t.id), jobs, observer, stop)
}

/// Runs a whole sweep into `dir` and returns ranked.csv without its timing column.
fn sweep_into(dir: &std::path::Path, trials: &[TrialConfig], jobs: usize, resume: bool) -> String {
    let results = ResultsDir::create(dir, resume).unwrap();
    let (recorder, done) =
        Recorder::open(&results, search::active_params(trials), resume, |_| Ok(())).unwrap();
    let pending = trials
        .iter()
        .map(|t| t.id)
        .filter(|&id| !done.iter().any(|r| r.key.trial == id));
    run(trials, pending, jobs, &recorder, &AtomicBool::new(false)).unwrap();
    report::write_reports(&results, 1).unwrap();
    without_seconds(&fs::read_to_string(dir.join("ranked.csv")).unwrap())
}

fn without_seconds(csv: &str) -> String {
    csv.lines()
        .map(|l| {
            let mut f: Vec<&str> = l.split(',').collect();
            f.remove(13);
            f.join(",")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn ranking_orders_by_val_loss_then_id_with_failures_last() {
    let tmp = tempfile::tempdir().unwrap();
    let ranked = sweep_into(&tmp.path().join("r"), &trials(&XS), 2, false);
    let order: Vec<&str> = ranked
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    // x = 0.3 twice (ids 2, 7: tie by id), 0.2, 0.1 and 0.5 (equal distance: 0.5 is id 0), 0.7,
    // then the diverged (3) and the panicked (5).
    assert_eq!(order, ["2", "7", "6", "0", "1", "4", "3", "5"]);
    assert!(ranked.contains(",diverged,"), "{ranked}");
    assert!(
        ranked.contains("panicked: fake trial 5 exploded"),
        "{ranked}"
    );
    let header = ranked.lines().next().unwrap();
    assert_eq!(
        header,
        "rank,trial,status,score,score_std,within_one_se,val_loss,val_loss_std,best_epoch,val_accuracy,val_f1,train_loss,epochs_run,seed,bracket,rung,x,scores,message"
    );
}

#[test]
fn results_do_not_depend_on_jobs() {
    let tmp = tempfile::tempdir().unwrap();
    let one = sweep_into(&tmp.path().join("j1"), &trials(&XS), 1, false);
    let two = sweep_into(&tmp.path().join("j2"), &trials(&XS), 2, false);
    assert_eq!(one, two);
    let c1 = fs::read_to_string(tmp.path().join("j1/curves.csv")).unwrap();
    let c2 = fs::read_to_string(tmp.path().join("j2/curves.csv")).unwrap();
    assert_eq!(c1, c2);
    assert_eq!(
        c1.lines().count(),
        1 + 6 * 3 + 2,
        "header, 6 full curves, diverged trial's 2 epochs"
    );
}

#[test]
fn resume_after_a_torn_journal_runs_each_trial_once_and_matches_an_uninterrupted_run() {
    let tmp = tempfile::tempdir().unwrap();
    let all = trials(&XS);
    let full = sweep_into(&tmp.path().join("full"), &all, 2, false);

    // A killed sweep: three trials finished, the fourth's row torn mid-write, and one trial's
    // curve rows written without its trials.csv row.
    let dir = tmp.path().join("killed");
    sweep_into(&dir, &all[..3], 1, false);
    let mut journal = fs::read_to_string(dir.join("trials.csv")).unwrap();
    journal.push_str("3,completed,0.12");
    fs::write(dir.join("trials.csv"), journal).unwrap();
    let mut curves = fs::read_to_string(dir.join("curves.journal.csv")).unwrap();
    curves.push_str("4,0,,,0.1,9,9,0.5,0.5\n");
    fs::write(dir.join("curves.journal.csv"), curves).unwrap();

    let resumed = sweep_into(&dir, &all, 2, true);
    assert_eq!(resumed, full);
    let journal = report::read_journal(&dir.join("trials.csv")).unwrap();
    let mut ids: Vec<u64> = journal.records.iter().map(|r| r.trial).collect();
    ids.sort();
    assert_eq!(ids, (0..8).collect::<Vec<_>>(), "every trial exactly once");
    assert_eq!(
        fs::read_to_string(dir.join("curves.csv")).unwrap(),
        fs::read_to_string(tmp.path().join("full/curves.csv")).unwrap()
    );
}

#[test]
fn an_existing_results_directory_is_refused_without_resume() {
    let tmp = tempfile::tempdir().unwrap();
    sweep_into(tmp.path(), &trials(&[0.1]), 1, false);
    let err = ResultsDir::create(tmp.path(), false)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("already holds results") && err.contains("--resume"),
        "{err}"
    );
}

#[test]
fn resume_with_other_parameters_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    sweep_into(tmp.path(), &trials(&[0.1]), 1, false);
    let dir = ResultsDir::create(tmp.path(), true).unwrap();
    let err = Recorder::open(&dir, vec!["y".into()], true, |_| Ok(()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("different search space"), "{err}");
}

#[test]
fn a_corrupt_journal_line_is_reported_with_its_line_number() {
    let tmp = tempfile::tempdir().unwrap();
    sweep_into(tmp.path(), &trials(&[0.1, 0.2]), 1, false);
    let path = tmp.path().join("trials.csv");
    let text = fs::read_to_string(&path)
        .unwrap()
        .replacen("completed", "finished", 1);
    fs::write(&path, text).unwrap();
    let err = report::read_journal(&path).unwrap_err().to_string();
    assert!(
        err.contains("trials.csv:2:") && err.contains("bad status"),
        "{err}"
    );
}

#[test]
fn stopping_starts_no_more_trials_and_reports_none_half_done() {
    struct StopAfterFirst<'a>(&'a AtomicBool, AtomicUsize);
    impl TrialObserver for StopAfterFirst<'_> {
        fn epoch(&self, _: &TrialConfig, _: &EpochReport) {
            self.0.store(true, Ordering::SeqCst);
        }
        fn finished(&self, _: &TrialConfig, _: &TrialOutcome) -> Result<(), String> {
            self.1.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    }
    let stop = AtomicBool::new(false);
    let observer = StopAfterFirst(&stop, AtomicUsize::new(0));
    let summary = run_all(&trials(&[0.1, 0.2, 0.4]), 1, &observer, &stop).unwrap();
    assert!(summary.interrupted);
    assert_eq!(summary.finished, 0);
    assert_eq!(observer.1.load(Ordering::SeqCst), 0);
}

#[test]
fn an_observer_failure_stops_the_sweep_with_its_message() {
    struct Broken;
    impl TrialObserver for Broken {
        fn finished(&self, _: &TrialConfig, _: &TrialOutcome) -> Result<(), String> {
            Err("disk full".into())
        }
    }
    let err = run_all(&trials(&XS), 1, &Broken, &AtomicBool::new(false)).unwrap_err();
    assert_eq!(err.to_string(), "disk full");
}

#[test]
fn longest_trials_start_first() {
    struct Order(std::sync::Mutex<Vec<u64>>);
    impl TrialObserver for Order {
        fn started(&self, trial: &TrialConfig) {
            self.0.lock().unwrap().push(trial.id);
        }
    }
    let order = Order(Default::default());
    run_all(
        &trials(&[0.1, 0.5, 0.3, 0.5]),
        1,
        &order,
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(*order.0.lock().unwrap(), [1, 3, 2, 0]);
}
