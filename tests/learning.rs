//! The trainer learns: digits accuracy (with every optimizer), iris loss going down for every
//! batch mode, divergence and clipping, dropout, schedules, determinism, early stopping and
//! continuation.

mod common;

use std::ops::ControlFlow;
use std::sync::Arc;

use common::Data;
use hpsearch::data::{Dataset, Split};
use hpsearch::mlp::{
    BatchSize, EpochStats, LrSchedule, MlpConfig, MlpParams, Optimizer, Outcome, Penalty, Status,
    Trainer,
};
use hpsearch::objective::mlp::MlpObjective;
use hpsearch::objective::{Objective, TrialStatus};
use hpsearch::search::TrialConfig;
use hpsearch::space::value::{Params, Value};

fn go_on(_: &EpochStats) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

fn train(config: &MlpConfig, train: &Data, val: &Data, seed: u64) -> (Trainer, Outcome) {
    let mut trainer = Trainer::new(config, train.x.ncols(), train.classes(), seed).unwrap();
    let outcome = trainer
        .train(train.samples(), val.samples(), config.epochs(), &mut go_on)
        .unwrap();
    (trainer, outcome)
}

#[test]
fn digits_reach_96_percent_validation_accuracy() {
    let (tr, val) = common::digits();
    assert_eq!((tr.x.nrows() + val.x.nrows(), tr.x.ncols()), (1797, 64));
    let config = MlpParams {
        hidden: vec![64],
        learning_rate: 0.1,
        batch_size: BatchSize::MiniBatch(32),
        epochs: 30,
        penalty: Penalty::L2,
        alpha: 1e-4,
        ..MlpParams::default()
    }
    .validate()
    .unwrap();
    let (_, outcome) = train(&config, &tr, &val, 1);
    assert_eq!(outcome.status, Status::Completed);
    assert_eq!(outcome.curve.len(), 30);
    let last = outcome.curve.last().unwrap();
    assert!(
        last.val_accuracy >= 0.96,
        "validation accuracy {}",
        last.val_accuracy
    );
    assert!(last.train_loss < outcome.curve[0].train_loss);
    let best = outcome.best.unwrap();
    let lowest = outcome
        .curve
        .iter()
        .map(|s| s.val_loss)
        .fold(f64::INFINITY, f64::min);
    assert_eq!(best.val_loss, lowest);
    assert_eq!(outcome.curve[best.epoch].val_loss, lowest);
}

/// Issue 12's settings: 20% stratified validation, [64] relu, batch 32, 30 epochs, L2 1e-4.
#[test]
fn digits_reach_96_percent_with_momentum_and_adam() {
    let (tr, val) = common::digits();
    let adam = Optimizer::Adam {
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
    };
    for (optimizer, learning_rate) in [
        (Optimizer::Momentum { momentum: 0.9 }, 0.01),
        (Optimizer::Nesterov { momentum: 0.9 }, 0.01),
        (adam, 0.001),
    ] {
        let config = MlpParams {
            hidden: vec![64],
            learning_rate,
            optimizer,
            batch_size: BatchSize::MiniBatch(32),
            epochs: 30,
            penalty: Penalty::L2,
            alpha: 1e-4,
            ..MlpParams::default()
        }
        .validate()
        .unwrap();
        let (_, outcome) = train(&config, &tr, &val, 1);
        assert_eq!(outcome.status, Status::Completed, "{optimizer:?}");
        let last = outcome.curve.last().unwrap();
        assert!(
            last.val_accuracy >= 0.96,
            "{optimizer:?}: validation accuracy {}",
            last.val_accuracy
        );
    }
}

#[test]
fn iris_training_loss_falls_for_full_online_and_mini_batch() {
    let (tr, val) = common::iris();
    for (batch_size, learning_rate) in [
        (BatchSize::Full, 0.1),
        (BatchSize::Online, 0.01),
        (BatchSize::MiniBatch(16), 0.05),
    ] {
        let config = MlpParams {
            hidden: vec![8],
            learning_rate,
            batch_size,
            epochs: 20,
            ..MlpParams::default()
        }
        .validate()
        .unwrap();
        let (_, outcome) = train(&config, &tr, &val, 2);
        let first = outcome.curve[0].train_loss;
        let last = outcome.curve[19].train_loss;
        assert!(
            last < 0.8 * first,
            "{batch_size:?}: training loss {first} → {last}"
        );
    }
}

fn dataset(tr: Data, val: Data) -> Arc<Dataset> {
    let classes = tr.classes();
    let features = tr.x.ncols();
    Arc::new(Dataset {
        train: Split { x: tr.x, y: tr.y },
        validation: Split { x: val.x, y: val.y },
        test: None,
        classes: (0..classes).map(|c| c.to_string()).collect(),
        features: (0..features).map(|f| format!("f{f}")).collect(),
        preprocessing: Default::default(),
        folds: Vec::new(),
    })
}

#[test]
fn huge_learning_rate_on_digits_diverges_without_panic() {
    let (tr, val) = common::digits();
    let objective = MlpObjective::new(dataset(tr, val));
    let mut params = Params::new();
    params.set("learning_rate", Some(Value::Float(1e4)));
    params.set("epochs", Some(Value::Int(5)));
    let trial = TrialConfig::new(0, 1, params);
    let outcome = objective
        .run(&trial, &mut |_| ControlFlow::Continue(()))
        .unwrap();
    assert_eq!(outcome.status, TrialStatus::Diverged, "{outcome:?}");
    assert!(
        outcome.message.contains("NaN or infinite in epoch"),
        "{}",
        outcome.message
    );
    assert!(outcome.epochs_run < 5);
    assert_eq!(outcome.curve.len(), outcome.epochs_run);
}

/// Online SGD at η = 1 on digits diverges; clipping the gradient's norm to 1 keeps it finite and
/// learning.
#[test]
fn clip_norm_stops_online_sgd_at_eta_1_from_diverging() {
    let (tr, val) = common::digits();
    let config = |clip_norm| {
        MlpParams {
            hidden: vec![64],
            learning_rate: 1.0,
            batch_size: BatchSize::Online,
            epochs: 3,
            clip_norm,
            ..MlpParams::default()
        }
        .validate()
        .unwrap()
    };
    let (_, free) = train(&config(None), &tr, &val, 1);
    assert!(
        matches!(free.status, Status::Diverged { .. }),
        "without clipping: {:?}",
        free.status
    );
    let (trainer, clipped) = train(&config(Some(1.0)), &tr, &val, 1);
    assert_eq!(clipped.status, Status::Completed);
    assert!(trainer.network().is_finite());
    let last = clipped.curve.last().unwrap();
    assert!(
        last.val_loss.is_finite() && last.val_accuracy > 0.5,
        "{last:?}"
    );
}

#[test]
fn dropout_changes_training_but_not_evaluation() {
    let (tr, val) = common::iris();
    let with = |dropout| {
        let config = MlpParams {
            hidden: vec![16],
            dropout,
            epochs: 3,
            ..MlpParams::default()
        };
        train(&config.validate().unwrap(), &tr, &val, 5)
    };
    let (_, plain) = with(0.0);
    let (mut dropped, outcome) = with(0.5);
    assert_ne!(plain.curve, outcome.curve);
    let weights = dropped.network().clone();
    let first = dropped.evaluate(val.samples()).unwrap();
    let second = dropped.evaluate(val.samples()).unwrap();
    assert_eq!(first, second);
    assert_eq!(first.loss, outcome.curve[2].val_loss);
    assert_eq!(&weights, dropped.network());
}

#[test]
fn each_schedule_matches_its_formula_for_51_epochs() {
    let (tr, val) = common::iris();
    let eta0 = 0.05;
    type Formula = fn(f64) -> f64;
    let cases: [(LrSchedule, Formula); 4] = [
        (LrSchedule::None, |_| 0.05),
        (LrSchedule::Inverse { rate: 0.3 }, |t| {
            0.05 / (1.0 + 0.3 * t)
        }),
        (LrSchedule::Exponential { rate: 0.1 }, |t| {
            0.05 * (-0.1 * t).exp()
        }),
        (
            LrSchedule::Step {
                rate: 0.5,
                every: 7,
            },
            |t| 0.05 * 0.5f64.powi((t / 7.0).floor() as i32),
        ),
    ];
    for (schedule, formula) in cases {
        let config = MlpParams {
            hidden: vec![4],
            learning_rate: eta0,
            schedule,
            batch_size: BatchSize::Full,
            epochs: 51,
            ..MlpParams::default()
        }
        .validate()
        .unwrap();
        let (_, outcome) = train(&config, &tr, &val, 0);
        let rates: Vec<f64> = outcome.curve.iter().map(|s| s.learning_rate).collect();
        assert_eq!(rates.len(), 51);
        for (t, &rate) in rates.iter().enumerate() {
            let expected = formula(t as f64);
            assert!(
                (rate - expected).abs() <= 1e-12 * expected,
                "{schedule:?} at t = {t}: {rate} vs {expected}"
            );
        }
    }
    // A few values by hand.
    let step = LrSchedule::Step {
        rate: 0.5,
        every: 10,
    };
    let table = [
        (0, 1.0),
        (9, 1.0),
        (10, 0.5),
        (19, 0.5),
        (20, 0.25),
        (50, 0.03125),
    ];
    for (t, eta) in table {
        assert_eq!(step.learning_rate(1.0, t), eta, "t = {t}");
    }
    assert_eq!(
        LrSchedule::Inverse { rate: 1.0 }.learning_rate(1.0, 3),
        0.25
    );
}

fn noisy_config(epochs: usize) -> MlpConfig {
    noisy_config_with(epochs, Optimizer::Sgd, None)
}

fn noisy_config_with(epochs: usize, optimizer: Optimizer, clip_norm: Option<f64>) -> MlpConfig {
    MlpParams {
        optimizer,
        clip_norm,
        hidden: vec![16, 8],
        dropout: 0.2,
        learning_rate: 0.05,
        batch_size: BatchSize::MiniBatch(10),
        schedule: LrSchedule::Inverse { rate: 0.5 },
        penalty: Penalty::L1,
        alpha: 1e-3,
        epochs,
        ..MlpParams::default()
    }
    .validate()
    .unwrap()
}

#[test]
fn same_seed_same_curve_other_seed_other_curve() {
    let (tr, val) = common::iris();
    let config = noisy_config(6);
    let (a_net, a) = train(&config, &tr, &val, 42);
    let (b_net, b) = train(&config, &tr, &val, 42);
    let (_, c) = train(&config, &tr, &val, 43);
    assert_eq!(a.curve, b.curve);
    assert_eq!(a_net.network(), b_net.network());
    assert_ne!(a.curve, c.curve);
}

/// The optimizer's state (momentum, Adam's moments and step count) is part of the trainer's:
/// training 4 + 3 epochs gives exactly the curve of training 7 at once.
#[test]
fn continuing_training_equals_training_at_once() {
    let (tr, val) = common::iris();
    let adam = Optimizer::Adam {
        beta1: 0.8,
        beta2: 0.99,
        epsilon: 1e-6,
    };
    for (optimizer, clip_norm) in [
        (Optimizer::Sgd, None),
        (Optimizer::Momentum { momentum: 0.9 }, None),
        (Optimizer::Nesterov { momentum: 0.5 }, Some(0.5)),
        (adam, None),
    ] {
        let config = noisy_config_with(7, optimizer, clip_norm);
        let (_, at_once) = train(&config, &tr, &val, 9);
        let mut trainer = Trainer::new(&config, 4, 3, 9).unwrap();
        let first = trainer
            .train(tr.samples(), val.samples(), 4, &mut go_on)
            .unwrap();
        let second = trainer
            .train(tr.samples(), val.samples(), 3, &mut go_on)
            .unwrap();
        assert_eq!(second.curve[0].epoch, 4);
        assert_eq!(trainer.epoch(), 7);
        let joined: Vec<EpochStats> = first.curve.into_iter().chain(second.curve).collect();
        assert_eq!(joined, at_once.curve, "{optimizer:?}");
        assert_eq!(second.best, at_once.best);
    }
}

#[test]
fn patience_stops_when_validation_loss_stalls() {
    let (tr, val) = common::iris();
    // λ = 100 makes η_t vanish after epoch 0, so the validation loss stops improving.
    let config = MlpParams {
        hidden: vec![8],
        learning_rate: 0.1,
        schedule: LrSchedule::Exponential { rate: 100.0 },
        patience: Some(2),
        epochs: 20,
        ..MlpParams::default()
    }
    .validate()
    .unwrap();
    let (_, outcome) = train(&config, &tr, &val, 4);
    assert_eq!(outcome.status, Status::StoppedEarly);
    assert_eq!(outcome.curve.len(), 3);
    assert_eq!(outcome.best.unwrap().epoch, 0);
}

#[test]
fn callback_break_interrupts_after_that_epoch() {
    let (tr, val) = common::iris();
    let config = noisy_config(10);
    let mut trainer = Trainer::new(&config, 4, 3, 1).unwrap();
    let mut stop_at_2 = |s: &EpochStats| {
        if s.epoch == 2 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    let outcome = trainer
        .train(tr.samples(), val.samples(), 10, &mut stop_at_2)
        .unwrap();
    assert_eq!(outcome.status, Status::Interrupted);
    assert_eq!(outcome.curve.len(), 3);
}
