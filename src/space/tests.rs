//! Loading behaviours: defaults, conditionals, fingerprints, error locations.

use super::*;
use crate::objective::params::MLP_PARAMS;
use crate::space::value::Value;

fn space(text: &str) -> Result<SearchSpace, SpaceError> {
    parse(text, Path::new("dir/s.toml"), MLP_PARAMS)
}

const DATA: &str = "[data]\nbuiltin = \"iris\"\n";

#[test]
fn missing_keys_take_documented_defaults() {
    let s = space(DATA).expect("valid");
    assert_eq!(s.name(), "s");
    assert_eq!(s.seed(), DEFAULT_SEED);
    assert_eq!(
        s.strategy(),
        Strategy::Grid {
            max_trials: DEFAULT_MAX_TRIALS
        }
    );
    assert_eq!(s.fixed_trial_seed(), None);
    assert_eq!(s.trial_count(), 1);
    assert_eq!(s.base_dir(), Path::new("dir"));
    let lr = s
        .params()
        .iter()
        .find(|p| p.name() == "learning_rate")
        .expect("learning_rate");
    assert!(!lr.is_given());
    assert_eq!(
        lr.domain().and_then(Domain::as_fixed),
        Some(&Value::Float(0.01))
    );
    let hidden = s
        .params()
        .iter()
        .find(|p| p.name() == "hidden")
        .expect("hidden");
    assert!(hidden.domain().is_none(), "hidden has no default");
}

#[test]
fn grid_skips_inactive_conditionals() {
    let text = format!(
        "{DATA}[params]\nlearning_rate = [0.01, 0.1]\ndecay = [\"none\", \"exponential\"]\n\
         decay_rate = [0.1, 0.2, 0.3]\nregularization = [\"none\", \"l1\", \"l2\"]\nalpha = [1e-4, 1e-3]\n"
    );
    assert_eq!(
        space(&text).expect("valid").trial_count(),
        2 * (1 + 3) * (1 + 2 + 2)
    );
}

#[test]
fn decay_step_applies_only_to_step_decay() {
    let text = format!(
        "{DATA}[params]\ndecay = [\"none\", \"step\"]\ndecay_rate = [0.1, 0.5]\ndecay_step = [5, 10]\n"
    );
    // none: 1; step: 2 rates × 2 steps.
    assert_eq!(space(&text).expect("valid").trial_count(), 1 + 4);
}

#[test]
fn zero_hidden_layers_drop_neurons_activation_and_dropout() {
    let text = format!(
        "{DATA}[params]\nhidden_layers = {{ int = [0, 2] }}\nneurons = [16, 32]\nactivation = [\"relu\", \"tanh\"]\n"
    );
    // 0 layers: 1; 1 or 2 layers: 2 widths × 2 activations.
    assert_eq!(space(&text).expect("valid").trial_count(), 1 + 2 * 4);
}

#[test]
fn explicit_hidden_list_makes_hidden_layers_inactive() {
    let text =
        format!("{DATA}[params]\nhidden = [[64], [32, 16]]\nactivation = [\"relu\", \"tanh\"]\n");
    assert_eq!(space(&text).expect("valid").trial_count(), 4);
}

#[test]
fn random_strategy_reads_trials_and_trial_seed() {
    let text = format!("{DATA}[search]\nstrategy = \"random\"\ntrials = 7\ntrial_seed = 99\n");
    let s = space(&text).expect("valid");
    assert_eq!(s.strategy(), Strategy::Random { trials: 7 });
    assert_eq!(s.fixed_trial_seed(), Some(99));
    assert_eq!(s.trial_count(), 7);
}

#[test]
fn fingerprint_ignores_comments_layout_and_key_order() {
    let a = space(&format!(
        "seed = 1\n{DATA}[params]\nepochs = 5\nneurons = 8\n"
    ))
    .expect("valid");
    let b = space(&format!(
        "seed=1 # the seed\n\n# a comment\n[params]\nneurons   = 8 # width\nepochs = 5\n{DATA}"
    ))
    .expect("valid");
    let c = space(&format!(
        "seed = 1\n{DATA}[params]\nepochs = 6\nneurons = 8\n"
    ))
    .expect("valid");
    assert_eq!(a.fingerprint(), b.fingerprint());
    assert_ne!(a.fingerprint(), c.fingerprint());
    assert_eq!(a.fingerprint().len(), 64);
}

#[test]
fn semantic_errors_carry_line_column_key_and_kind() {
    let err =
        space(&format!("{DATA}[params]\nepochs = 5\ndropout = 1.0\n")).expect_err("dropout 1");
    assert_eq!(err.kind(), error::ErrorKind::OutOfRange);
    assert_eq!(err.key(), Some("params.dropout"));
    assert_eq!(
        err.location(),
        Some(Location {
            line: 5,
            column: 11
        })
    );
    assert!(
        err.to_string()
            .starts_with("dir/s.toml:5:11: params.dropout: must be a number in [0, 1), got 1.0")
    );
    assert!(err.hint().is_some());
}

#[test]
fn unknown_keys_are_reported_before_type_errors() {
    let err = space(&format!("seed = \"x\"\nnmae = 1\n{DATA}")).expect_err("two mistakes");
    assert_eq!(err.kind(), error::ErrorKind::UnknownKey);
}

#[test]
fn choice_of_one_counts_once() {
    assert_eq!(
        space(&format!("{DATA}[params]\nepochs = [5]\n"))
            .expect("valid")
            .trial_count(),
        1
    );
}

#[test]
fn no_input_prefix_panics() {
    // Every prefix of a rich file is either valid or a clean error, never a panic.
    let text = std::fs::read_to_string("search-spaces/iris.toml").expect("example file");
    for end in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
        let _ = space(&text[..end]);
    }
}
