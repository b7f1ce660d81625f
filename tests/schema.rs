//! The MLP's parameter schema (what a space file may say) and the trainer's own defaults are
//! written in two places; these tests keep them equal.

use std::path::Path;

use hpsearch::mlp::{MlpParams, Optimizer};
use hpsearch::objective::mlp::mlp_config;
use hpsearch::objective::params::MLP_PARAMS;

#[test]
fn a_space_with_no_params_trains_with_the_trainers_defaults() {
    let text = "[data]\nbuiltin = \"iris\"\n";
    let space = hpsearch::space::parse(text, Path::new("defaults.toml"), MLP_PARAMS).unwrap();
    let trials = hpsearch::search::trials(&space).unwrap();
    assert_eq!(trials.len(), 1);
    let from_schema = mlp_config(&trials[0].params).unwrap();
    // Without a penalty α does not apply, and the bridge passes 0.
    let from_trainer = MlpParams {
        alpha: 0.0,
        ..MlpParams::default()
    }
    .validate()
    .unwrap();
    assert_eq!(from_schema, from_trainer);
}

#[test]
fn conditional_defaults_match_the_trainers_when_their_parent_is_set() {
    let text = "[data]\nbuiltin = \"iris\"\n[params]\nregularization = \"l2\"\n";
    let space = hpsearch::space::parse(text, Path::new("l2.toml"), MLP_PARAMS).unwrap();
    let trials = hpsearch::search::trials(&space).unwrap();
    let config = mlp_config(&trials[0].params).unwrap();
    assert_eq!(config.alpha(), MlpParams::default().alpha);
}

#[test]
fn optimizer_defaults_match_the_trainers() {
    let cases: [(&str, Optimizer); 3] = [
        (
            "momentum",
            Optimizer::Momentum {
                momentum: Optimizer::DEFAULT_MOMENTUM,
            },
        ),
        (
            "nesterov",
            Optimizer::Nesterov {
                momentum: Optimizer::DEFAULT_MOMENTUM,
            },
        ),
        (
            "adam",
            Optimizer::Adam {
                beta1: Optimizer::DEFAULT_BETA1,
                beta2: Optimizer::DEFAULT_BETA2,
                epsilon: Optimizer::DEFAULT_EPSILON,
            },
        ),
    ];
    for (name, expected) in cases {
        let text = format!("[data]\nbuiltin = \"iris\"\n[params]\noptimizer = \"{name}\"\n");
        let space = hpsearch::space::parse(&text, Path::new("o.toml"), MLP_PARAMS).unwrap();
        let trials = hpsearch::search::trials(&space).unwrap();
        let config = mlp_config(&trials[0].params).unwrap();
        assert_eq!(config.optimizer(), expected, "{name}");
        assert_eq!(config.clip_norm(), None);
    }
}

#[test]
fn grid_multiplies_momentum_and_betas_only_where_they_apply() {
    let text = "[data]\nbuiltin = \"iris\"\n[search]\nstrategy = \"grid\"\n[params]\n\
                optimizer = [\"sgd\", \"momentum\", \"nesterov\", \"adam\"]\n\
                momentum = [0.5, 0.9]\nbeta1 = [0.8, 0.9]\nbeta2 = [0.99, 0.999]\n";
    let space = hpsearch::space::parse(text, Path::new("grid.toml"), MLP_PARAMS).unwrap();
    let trials = hpsearch::search::trials(&space).unwrap();
    // sgd 1, momentum 2, nesterov 2, adam 2 × 2.
    assert_eq!(trials.len(), 9);
    let sgd = &trials[0].params;
    assert_eq!(sgd.get("optimizer").and_then(|v| v.as_str()), Some("sgd"));
    assert!(sgd.get("momentum").is_none() && sgd.get("beta1").is_none());
    let adam = &trials[8].params;
    assert!(adam.get("momentum").is_none());
    assert!(adam.get("epsilon").is_some());
}
