//! Configurations and data the trainer refuses, each with its exact message, and edge cases it
//! accepts.

mod common;

use std::ops::ControlFlow;

use hpsearch::mlp::{
    BatchSize, ConfigError, InputError, LrSchedule, MlpParams, Optimizer, Samples, Status, Trainer,
};
use ndarray::Array2;

fn error(params: MlpParams) -> String {
    params.validate().unwrap_err().to_string()
}

#[test]
fn non_positive_learning_rate_is_rejected() {
    let e = error(MlpParams {
        learning_rate: 0.0,
        ..MlpParams::default()
    });
    assert_eq!(
        e,
        "learning_rate = 0: the learning rate η0 must be a finite number > 0"
    );
    let e = error(MlpParams {
        learning_rate: -0.5,
        ..MlpParams::default()
    });
    assert_eq!(
        e,
        "learning_rate = -0.5: the learning rate η0 must be a finite number > 0"
    );
    let e = error(MlpParams {
        learning_rate: f64::NAN,
        ..MlpParams::default()
    });
    assert_eq!(
        e,
        "learning_rate = NaN: the learning rate η0 must be a finite number > 0"
    );
    let e = MlpParams {
        learning_rate: 1e-320,
        ..MlpParams::default()
    }
    .validate()
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "learning_rate = 1e-320: too small for f32 parameters, the smallest is about 1.2e-38"
    );
}

#[test]
fn negative_alpha_is_rejected() {
    let e = error(MlpParams {
        alpha: -1e-4,
        ..MlpParams::default()
    });
    assert_eq!(
        e,
        "alpha = -0.0001: the penalty strength α must be a finite number ≥ 0"
    );
}

#[test]
fn dropout_outside_zero_to_one_is_rejected() {
    let e = error(MlpParams {
        dropout: 1.0,
        ..MlpParams::default()
    });
    assert_eq!(
        e,
        "dropout = 1: the dropout probability p must be in [0, 1)"
    );
    let e = error(MlpParams {
        dropout: -0.1,
        ..MlpParams::default()
    });
    assert_eq!(
        e,
        "dropout = -0.1: the dropout probability p must be in [0, 1)"
    );
}

#[test]
fn zero_epochs_are_rejected() {
    let e = error(MlpParams {
        epochs: 0,
        ..MlpParams::default()
    });
    assert_eq!(e, "epochs = 0: training needs at least 1 epoch");
}

#[test]
fn zero_neurons_are_rejected() {
    let e = error(MlpParams {
        hidden: vec![32, 0],
        ..MlpParams::default()
    });
    assert_eq!(
        e,
        "neurons = 0 in hidden layer 2: every hidden layer needs at least 1 neuron"
    );
}

#[test]
fn non_positive_decay_rates_are_rejected() {
    let e = error(MlpParams {
        schedule: LrSchedule::Inverse { rate: 0.0 },
        ..MlpParams::default()
    });
    assert_eq!(
        e,
        "decay_rate = 0: the rate of decay = \"inverse\" must be a finite number > 0"
    );
    let schedule = LrSchedule::Exponential { rate: -0.1 };
    let e = error(MlpParams {
        schedule,
        ..MlpParams::default()
    });
    assert_eq!(
        e,
        "decay_rate = -0.1: the rate of decay = \"exponential\" must be a finite number > 0"
    );
    let schedule = LrSchedule::Step {
        rate: 0.0,
        every: 5,
    };
    let e = error(MlpParams {
        schedule,
        ..MlpParams::default()
    });
    assert_eq!(
        e,
        "decay_rate = 0: the rate of decay = \"step\" must be a finite number > 0"
    );
}

#[test]
fn zero_step_length_is_rejected() {
    let schedule = LrSchedule::Step {
        rate: 0.5,
        every: 0,
    };
    let e = error(MlpParams {
        schedule,
        ..MlpParams::default()
    });
    assert_eq!(
        e,
        "decay_step = 0: the step length t_u must be at least 1 epoch"
    );
}

#[test]
fn zero_batch_and_zero_patience_are_rejected() {
    let e = error(MlpParams {
        batch_size: BatchSize::MiniBatch(0),
        ..MlpParams::default()
    });
    assert_eq!(
        e,
        "batch_size = 0: a batch needs at least 1 sample (or use \"full\")"
    );
    let e = error(MlpParams {
        patience: Some(0),
        ..MlpParams::default()
    });
    assert_eq!(
        e,
        "patience = 0: must be at least 1 epoch (leave it out to turn early stopping off)"
    );
}

#[test]
fn errors_are_typed() {
    let e = MlpParams {
        dropout: 2.0,
        ..MlpParams::default()
    }
    .validate()
    .unwrap_err();
    assert_eq!(e, ConfigError::Dropout(2.0));
}

#[test]
fn a_network_too_large_for_memory_is_refused_before_allocating() {
    let config = MlpParams {
        hidden: vec![65_536; 64],
        ..MlpParams::default()
    };
    let e = Trainer::new(&config.validate().unwrap(), 4, 3, 1)
        .err()
        .unwrap();
    assert!(
        matches!(e, InputError::TooLarge { limit, .. } if limit == hpsearch::mlp::MAX_TRIAL_FLOATS)
    );
    assert!(
        e.to_string().contains("fewer or narrower hidden layers"),
        "{e}"
    );
    // A big but reasonable network is still accepted.
    let config = MlpParams {
        hidden: vec![1024, 1024],
        ..MlpParams::default()
    };
    assert!(Trainer::new(&config.validate().unwrap(), 784, 10, 1).is_ok());
}

/// Adam keeps two arrays of the network's size, momentum one: they count in the trial's memory.
#[test]
fn optimizer_state_counts_in_the_memory_budget() {
    // 2^26 weights (8192 × 8192) plus 8192 × 2: SGD needs about 3 × 2^26 floats (weights, the
    // best epoch's copy, gradients), Adam 5 × 2^26, more than MAX_TRIAL_FLOATS = 2^28. Only the refusal is tried: nothing is allocated.
    let config = MlpParams {
        hidden: vec![8192],
        optimizer: Optimizer::Adam {
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
        },
        ..MlpParams::default()
    };
    let e = Trainer::new(&config.validate().unwrap(), 8192, 2, 1)
        .err()
        .unwrap();
    let weights = 8192 * 8192 + 8192 * 2;
    let buffers = 256 * 3 * 8192;
    assert_eq!(
        e,
        InputError::TooLarge {
            floats: 5 * weights + buffers,
            limit: hpsearch::mlp::MAX_TRIAL_FLOATS
        }
    );
}

#[test]
fn data_the_network_cannot_take_is_an_error_value() {
    let config = MlpParams::default().validate().unwrap();
    let e = Trainer::new(&config, 0, 3, 1).err().unwrap();
    assert_eq!(e, InputError::ZeroInputs);
    assert_eq!(
        e.to_string(),
        "the data has no feature columns: the network needs at least 1 input"
    );
    let e = Trainer::new(&config, 4, 1, 1).err().unwrap();
    assert_eq!(
        e.to_string(),
        "the data has 1 class(es): classification needs at least 2"
    );

    let mut trainer = Trainer::new(&config, 2, 2, 1).unwrap();
    let x = Array2::<f32>::zeros((3, 2));
    let empty = Array2::<f32>::zeros((0, 2));
    let wide = Array2::<f32>::zeros((3, 5));
    let good = Samples::new(x.view(), &[0, 1, 0]);
    let mut go_on = |_: &_| ControlFlow::Continue(());
    let cases = [
        (
            Samples::new(empty.view(), &[]),
            "the training split has no samples",
        ),
        (
            Samples::new(wide.view(), &[0, 1, 0]),
            "the training split has 5 feature columns, the network has 2 inputs",
        ),
        (
            Samples::new(x.view(), &[0, 1]),
            "the training split has 3 rows but 2 labels",
        ),
        (
            Samples::new(x.view(), &[0, 2, 0]),
            "the training split has class 2 in row 1, but there are only 2 classes",
        ),
    ];
    for (bad, message) in cases {
        let e = trainer.train(bad, good, 1, &mut go_on).unwrap_err();
        assert_eq!(e.to_string(), message);
    }
    let e = trainer
        .evaluate(Samples::new(empty.view(), &[]))
        .unwrap_err();
    assert_eq!(e.to_string(), "the evaluation split has no samples");
    assert_eq!(trainer.epoch(), 0);
}

#[test]
fn batch_larger_than_the_training_set_is_full_batch() {
    let (tr, val) = common::iris();
    let run = |batch_size| {
        let config = MlpParams {
            batch_size,
            epochs: 3,
            ..MlpParams::default()
        };
        let mut trainer = Trainer::new(&config.validate().unwrap(), 4, 3, 8).unwrap();
        let mut go_on = |_: &_| ControlFlow::Continue(());
        trainer
            .train(tr.samples(), val.samples(), 3, &mut go_on)
            .unwrap()
    };
    assert_eq!(
        run(BatchSize::MiniBatch(100_000)).curve,
        run(BatchSize::Full).curve
    );
}

#[test]
fn full_batch_step_uses_every_chunk_of_a_large_training_set() {
    // 1,437 digits rows are several 256-row chunks: one full-batch step must be W − η·∇L over
    // all of them.
    let (tr, _) = common::digits();
    let params = MlpParams {
        hidden: vec![16],
        batch_size: BatchSize::Full,
        learning_rate: 0.5,
        ..MlpParams::default()
    };
    let config = params.validate().unwrap();
    let mut probe = Trainer::new(&config, 64, 10, 3).unwrap();
    let gradient = probe.gradient(tr.samples()).unwrap();
    let mut trainer = Trainer::new(&config, 64, 10, 3).unwrap();
    assert_eq!(trainer.network(), probe.network());
    trainer.train_epoch(tr.samples()).unwrap();
    let layers = trainer
        .network()
        .layers()
        .iter()
        .zip(probe.network().layers());
    for ((after, before), grad) in layers.zip(&gradient.layers) {
        for ((a, b), g) in after
            .weights()
            .iter()
            .zip(before.weights())
            .zip(grad.weights())
        {
            assert!((a - (b - 0.5 * g)).abs() < 1e-5, "{a} vs {b} − 0.5·{g}");
        }
        for ((a, b), g) in after
            .biases()
            .iter()
            .zip(before.biases())
            .zip(grad.biases())
        {
            assert!((a - (b - 0.5 * g)).abs() < 1e-5, "{a} vs {b} − 0.5·{g}");
        }
    }
}

#[test]
fn logistic_regression_without_hidden_layers_learns() {
    let (tr, val) = common::iris();
    let config = MlpParams {
        hidden: vec![],
        learning_rate: 0.1,
        epochs: 60,
        ..MlpParams::default()
    };
    let mut trainer = Trainer::new(&config.validate().unwrap(), 4, 3, 8).unwrap();
    let mut go_on = |_: &_| ControlFlow::Continue(());
    let outcome = trainer
        .train(tr.samples(), val.samples(), 60, &mut go_on)
        .unwrap();
    assert_eq!(outcome.status, Status::Completed);
    assert!(
        outcome.curve[59].val_accuracy > 0.85,
        "{:?}",
        outcome.curve[59]
    );
}
