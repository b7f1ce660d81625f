//! The MLP's parameter schema (what a space file may say) and the trainer's own defaults are
//! written in two places; these tests keep them equal.

use std::path::Path;

use hpsearch::mlp::MlpParams;
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
