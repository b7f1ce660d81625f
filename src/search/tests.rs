//! Sampler behaviours on small spaces.

use std::path::Path;

use super::*;
use crate::objective::params::MLP_PARAMS;
use crate::space::ParamDomain;
use crate::space::value::{Params, Value};
use crate::space::{SearchSpace, parse};

fn space(text: &str) -> SearchSpace {
    parse(
        &format!("[data]\nbuiltin = \"iris\"\n{text}"),
        Path::new("s.toml"),
        MLP_PARAMS,
    )
    .expect("valid space")
}

const CONDITIONAL: &str = "[params]\nlearning_rate = [0.01, 0.1]\ndecay = [\"none\", \"exponential\"]\n\
    decay_rate = [0.1, 0.2, 0.3]\nregularization = [\"none\", \"l1\", \"l2\"]\nalpha = [1e-4, 1e-3]\n";

#[test]
fn grid_count_matches_the_trials_built() {
    for text in [
        CONDITIONAL,
        "[params]\nhidden_layers = { int = [0, 3] }\nneurons = [8, 16]\ndropout = [0.0, 0.5]\n",
        "[params]\ndecay = [\"none\", \"step\", \"inverse\"]\ndecay_rate = [0.1, 0.2]\ndecay_step = [1, 2, 3]\n",
        "[params]\nhidden = [[4], [8, 8]]\nactivation = [\"relu\", \"elu\"]\nbatch_size = [1, \"full\"]\n",
    ] {
        let s = space(text);
        assert_eq!(
            count(&s).expect("count") as usize,
            trials(&s).expect("trials").len(),
            "{text}"
        );
    }
}

#[test]
fn grid_of_conditional_space_has_forty_distinct_trials() {
    let trials = trials(&space(CONDITIONAL)).expect("trials");
    assert_eq!(trials.len(), 40);
    for (i, a) in trials.iter().enumerate() {
        assert_eq!(a.id, i as u64);
        assert!(
            trials[..i].iter().all(|b| b.params != a.params),
            "trial {i} repeats"
        );
    }
}

#[test]
fn grid_leaves_inactive_parameters_empty() {
    let trials = trials(&space(CONDITIONAL)).expect("trials");
    for t in &trials {
        let decays = t.params.get("decay").and_then(Value::as_str) != Some("none");
        assert_eq!(t.params.get("decay_rate").is_some(), decays);
        let penalised = t.params.get("regularization").and_then(Value::as_str) != Some("none");
        assert_eq!(t.params.get("alpha").is_some(), penalised);
    }
}

#[test]
fn grid_varies_the_first_parameter_slowest() {
    let trials = trials(&space(
        "[params]\nlearning_rate = [0.1, 0.2]\nepochs = [1, 2, 3]\n",
    ))
    .expect("trials");
    let pairs: Vec<(f64, i64)> = trials
        .iter()
        .map(|t| {
            let lr = t
                .params
                .get("learning_rate")
                .and_then(Value::as_f64)
                .unwrap_or(f64::NAN);
            (
                lr,
                t.params.get("epochs").and_then(Value::as_i64).unwrap_or(-1),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [(0.1, 1), (0.1, 2), (0.1, 3), (0.2, 1), (0.2, 2), (0.2, 3)]
    );
}

#[test]
fn every_trial_lists_every_schema_parameter_in_order() {
    let t = &trials(&space("")).expect("trials")[0];
    let names: Vec<&str> = t.params.iter().map(|(n, _)| n).collect();
    let schema: Vec<&str> = MLP_PARAMS.iter().map(|p| p.name).collect();
    assert_eq!(names, schema);
}

#[test]
fn trial_seeds_come_from_sweep_seed_and_id() {
    let s = space("[params]\nepochs = [1, 2]\n");
    let trials = trials(&s).expect("trials");
    assert_eq!(trials[1].seed, seed::trial_seed(s.seed(), 1));
    assert_ne!(trials[0].seed, trials[1].seed);
}

#[test]
fn fixed_trial_seed_overrides_every_trial() {
    let s = space("[search]\ntrial_seed = 5\n[params]\nepochs = [1, 2]\n");
    assert!(trials(&s).expect("trials").iter().all(|t| t.seed == 5));
}

#[test]
fn random_search_skips_inactive_conditionals() {
    let s = space(
        "[search]\nstrategy = \"random\"\ntrials = 200\n[params]\ndecay = [\"none\", \"step\"]\ndecay_rate = { uniform = [0.1, 0.5] }\n",
    );
    let trials = trials(&s).expect("trials");
    assert!(trials.iter().any(|t| t.params.get("decay_rate").is_none()));
    for t in &trials {
        let steps = t.params.get("decay").and_then(Value::as_str) == Some("step");
        assert_eq!(t.params.get("decay_rate").is_some(), steps);
        assert_eq!(t.params.get("decay_step").is_some(), steps);
    }
}

#[test]
fn random_choice_is_roughly_uniform() {
    let s = space(
        "[search]\nstrategy = \"random\"\ntrials = 3000\n[params]\nactivation = [\"relu\", \"tanh\", \"elu\"]\n",
    );
    let trials = trials(&s).expect("trials");
    for name in ["relu", "tanh", "elu"] {
        let n = trials
            .iter()
            .filter(|t| t.params.get("activation").and_then(Value::as_str) == Some(name))
            .count();
        assert!((850..1150).contains(&n), "{name}: {n}");
    }
}

#[test]
fn log_uniform_is_sampled_in_log_space() {
    let s = space(
        "[search]\nstrategy = \"random\"\ntrials = 4000\n[params]\nlearning_rate = { log_uniform = [1e-4, 1] }\n",
    );
    let below = trials(&s)
        .expect("trials")
        .iter()
        .filter(|t| {
            t.params
                .get("learning_rate")
                .and_then(Value::as_f64)
                .is_some_and(|x| x < 1e-2)
        })
        .count();
    // Half the log-range lies below 1e-2; a linear draw would put 1% there.
    assert!((1800..2200).contains(&below), "{below}");
}

/// The grid by depth-first enumeration (the sampler before trials were decoded on demand):
/// the reference order that decoding must reproduce.
fn enumerate(params: &[ParamDomain], current: &mut Params, out: &mut Vec<Params>) {
    let Some((p, rest)) = params.split_first() else {
        out.push(current.clone());
        return;
    };
    let active = p.spec().active.is_none_or(|f| f(current));
    match p.domain().filter(|_| active) {
        None => {
            current.set(p.name(), None);
            enumerate(rest, current, out);
        }
        Some(domain) => {
            for k in 0..domain.grid_size().expect("grid size") {
                current.set(p.name(), domain.grid_value(k));
                enumerate(rest, current, out);
            }
        }
    }
}

#[test]
fn decoding_a_grid_index_gives_the_enumerated_trial() {
    for text in [
        CONDITIONAL,
        "[params]\nhidden_layers = { int = [0, 3] }\nneurons = [8, 16]\ndropout = [0.0, 0.5]\nactivation = [\"relu\", \"tanh\"]\n",
        "[params]\nhidden = [[4], [8, 8]]\nactivation = [\"relu\", \"elu\"]\nbatch_size = [1, \"full\"]\ndropout = [0.0, 0.1, 0.2]\n",
        "[params]\ndecay = [\"none\", \"step\", \"inverse\"]\ndecay_rate = { uniform = [0.1, 0.5], num = 3 }\n\
         decay_step = [1, 2]\nlearning_rate = { log_uniform = [1e-3, 1e-1], num = 4 }\n\
         regularization = [\"l1\", \"none\"]\nalpha = { log_uniform = [1e-5, 1e-2], num = 2 }\n\
         hidden_layers = { int = [0, 2] }\nneurons = [4, 8]\ndropout = [0.0, 0.2]\n",
        "",
    ] {
        let s = space(text);
        let mut expected = Vec::new();
        enumerate(s.params(), &mut Params::new(), &mut expected);
        assert_eq!(count(&s).expect("count"), expected.len() as u64, "{text}");
        let decoded: Vec<Params> = iter(&s).map(|t| t.params).collect();
        assert_eq!(decoded, expected, "{text}");
    }
}

#[test]
fn a_trial_built_alone_equals_the_same_trial_in_the_list() {
    for text in [
        CONDITIONAL,
        "[search]\nstrategy = \"random\"\ntrials = 50\n[params]\ndecay = [\"none\", \"step\"]\ndecay_rate = { uniform = [0.1, 0.5] }\n",
    ] {
        let s = space(text);
        let all = trials(&s).expect("trials");
        for (id, t) in all.iter().enumerate() {
            assert_eq!(&trial(&s, id as u64), t, "{text}");
        }
    }
}
