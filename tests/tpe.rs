//! The TPE sampler through its public interface: startup equals random search, determinism,
//! conditional parameters, failed trials, degenerate spaces, every value form, and that it
//! learns (a one-parameter quadratic). Then end to end: `strategy = "tpe"` and Hyperband with
//! `sampler = "tpe"` give the same reports for `-j 1` and `-j 2` and after a SIGKILL and
//! `--resume`.

mod common;

use std::fs;
use std::path::Path;

use common::cli::{journal_len, ranked_without_timing, rows, run, run_until_rows};

use hpsearch::objective::params::MLP_PARAMS;
use hpsearch::search::random;
use hpsearch::search::tpe::{Observation, TpeSettings, propose};
use hpsearch::space::value::{Params, Value};
use hpsearch::space::{SearchSpace, parse};

fn space(seed: u64, params: &str) -> SearchSpace {
    let text = format!(
        "seed = {seed}\n[data]\nbuiltin = \"iris\"\n[search]\nstrategy = \"random\"\ntrials = 60\n[params]\n{params}"
    );
    parse(&text, Path::new("tpe.toml"), MLP_PARAMS).expect("valid space")
}

/// Runs a sequential study of `n` trials scored by `score` (`None`: failed) and returns the
/// proposals.
fn study(
    space: &SearchSpace,
    settings: &TpeSettings,
    n: u64,
    score: impl Fn(&Params) -> Option<f64>,
) -> Vec<Params> {
    let mut params: Vec<Params> = Vec::new();
    let mut scores: Vec<Option<f64>> = Vec::new();
    for i in 0..n {
        let history: Vec<Observation<'_>> = params
            .iter()
            .zip(&scores)
            .map(|(params, &score)| Observation { params, score })
            .collect();
        let p = propose(space, settings, i, &history);
        scores.push(score(&p));
        params.push(p);
    }
    params
}

fn f64_of(p: &Params, name: &str) -> f64 {
    p.get(name).and_then(Value::as_f64).expect("a number")
}

const MIXED: &str = "learning_rate = { log_uniform = [1e-4, 1.0] }\n\
    decay = [\"none\", \"inverse\", \"exponential\", \"step\"]\n\
    decay_rate = { uniform = [0.01, 0.5] }\n\
    decay_step = { int = [1, 20] }\n\
    dropout = { uniform = [0.0, 0.5], num = 6 }\n\
    alpha = { log_uniform = [1e-6, 1e-2], num = 5 }\n\
    regularization = [\"none\", \"l2\"]\n\
    neurons = { int = [4, 512], log = true }\n\
    hidden_layers = { int = [0, 3] }\n\
    batch_size = [1, 32, \"full\"]\n\
    activation = [\"relu\", \"tanh\"]\n";

/// A score of the mixed space: quadratic in log learning rate, worse for some choices.
fn mixed_score(p: &Params) -> Option<f64> {
    let lr = f64_of(p, "learning_rate").log10();
    let decay = p.get("decay").and_then(Value::as_str) == Some("inverse");
    Some((lr + 2.0).powi(2) + if decay { 0.0 } else { 0.5 })
}

#[test]
fn first_startup_proposals_are_random_search_draws() {
    let space = space(11, MIXED);
    let settings = TpeSettings::default();
    let proposals = study(&space, &settings, 15, mixed_score);
    for (i, p) in proposals.iter().enumerate().take(settings.startup as usize) {
        assert_eq!(p, &random::assignment(&space, i as u64), "proposal {i}");
    }
    // From `startup` on, the model decides.
    assert!(
        (10..15).any(|i| proposals[i] != random::assignment(&space, i as u64)),
        "TPE never left random search"
    );
}

#[test]
fn too_short_a_history_gives_random_draws_at_any_index() {
    let space = space(5, MIXED);
    let p = Params::new();
    let history = vec![
        Observation {
            params: &p,
            score: Some(1.0)
        };
        9
    ];
    let settings = TpeSettings::default();
    assert_eq!(
        propose(&space, &settings, 40, &history),
        random::assignment(&space, 40)
    );
}

#[test]
fn same_inputs_give_the_same_proposal_and_another_index_another() {
    let space = space(3, MIXED);
    let settings = TpeSettings::default();
    let a = study(&space, &settings, 25, mixed_score);
    let b = study(&space, &settings, 25, mixed_score);
    assert_eq!(a, b);
    // One round of proposals seeing the same history differ through their index.
    let history: Vec<Observation<'_>> = a
        .iter()
        .map(|params| Observation {
            params,
            score: mixed_score(params),
        })
        .collect();
    let round: Vec<Params> = (25..29)
        .map(|i| propose(&space, &settings, i, &history))
        .collect();
    for i in 0..round.len() {
        for j in i + 1..round.len() {
            assert_ne!(round[i], round[j], "proposals {i} and {j} of a round");
        }
    }
    // The same history under another sweep seed gives another proposal: the RNG is seeded
    // from (sweep seed, index).
    let reseeded = space_with_seed(4);
    assert_ne!(
        propose(&space, &settings, 25, &history),
        propose(&reseeded, &settings, 25, &history)
    );
}

fn space_with_seed(seed: u64) -> SearchSpace {
    space(seed, MIXED)
}

#[test]
fn proposals_respect_every_domain_and_conditional() {
    for seed in 0..4 {
        let space = space(seed, MIXED);
        for p in study(&space, &TpeSettings::default(), 40, mixed_score)
            .iter()
            .skip(10)
        {
            let lr = f64_of(p, "learning_rate");
            assert!((1e-4..=1.0).contains(&lr), "{lr}");
            let decay = p.get("decay").and_then(Value::as_str).expect("decay");
            assert_eq!(p.get("decay_rate").is_some(), decay != "none", "{p:?}");
            assert_eq!(p.get("decay_step").is_some(), decay == "step", "{p:?}");
            if let Some(r) = p.get("decay_rate") {
                assert!((0.01..=0.5).contains(&r.as_f64().unwrap_or(-1.0)));
            }
            let layers = p.get("hidden_layers").and_then(Value::as_i64).expect("int");
            assert_eq!(p.get("dropout").is_some(), layers > 0, "{p:?}");
            if let Some(dropout) = p.get("dropout").and_then(Value::as_f64) {
                assert!(
                    [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
                        .iter()
                        .any(|g| (g - dropout).abs() < 1e-12),
                    "dropout {dropout} is not a grid point"
                );
            }
            let penalised = p.get("regularization").and_then(Value::as_str) == Some("l2");
            assert_eq!(p.get("alpha").is_some(), penalised);
            if let Some(alpha) = p.get("alpha").and_then(Value::as_f64) {
                let k = (alpha.log10() + 6.0).round();
                assert!((alpha.log10() + 6.0 - k).abs() < 1e-9, "alpha {alpha}");
            }
            let neurons = p.get("neurons").and_then(Value::as_i64);
            assert!((0..=3).contains(&layers));
            match neurons {
                Some(n) => assert!(layers > 0 && (4..=512).contains(&n), "{n}"),
                None => assert_eq!(layers, 0),
            }
        }
    }
}

#[test]
fn a_space_of_fixed_values_degenerates_to_its_values() {
    let space = space(2, "learning_rate = 0.1\nactivation = \"tanh\"\n");
    let proposals = study(&space, &TpeSettings::default(), 15, |_| Some(1.0));
    for (i, p) in proposals.iter().enumerate() {
        assert_eq!(p, &random::assignment(&space, i as u64));
        assert_eq!(p.get("learning_rate"), Some(&Value::Float(0.1)));
    }
}

#[test]
fn failed_trials_count_as_bad_and_never_crash_the_model() {
    let space = space(7, "learning_rate = { log_uniform = [1e-4, 1.0] }\n");
    // Learning rates above 0.01 "fail"; below, lower is better. TPE must stay below 0.01.
    let score = |p: &Params| {
        let lr = f64_of(p, "learning_rate");
        (lr <= 0.01).then_some(lr.log10())
    };
    let proposals = study(&space, &TpeSettings::default(), 60, score);
    let failed_late = proposals[30..]
        .iter()
        .filter(|p| score(p).is_none())
        .count();
    assert!(
        failed_late <= 5,
        "{failed_late} of 30 late proposals failed"
    );
    // Every trial failed, NaN and infinite scores included: still a valid proposal.
    let all_failed = study(&space, &TpeSettings::default(), 20, |p| {
        Some(if f64_of(p, "learning_rate") < 0.01 {
            f64::NAN
        } else {
            f64::INFINITY
        })
    });
    assert!(
        all_failed
            .iter()
            .all(|p| (1e-4..=1.0).contains(&f64_of(p, "learning_rate")))
    );
}

#[test]
fn it_learns_a_one_parameter_quadratic() {
    // Minimum at dropout 0.2: after the 10 random draws, TPE's proposals concentrate there.
    let space = space(1, "dropout = { uniform = [0.0, 0.9] }\n");
    let score = |p: &Params| Some((f64_of(p, "dropout") - 0.2).powi(2));
    let proposals = study(&space, &TpeSettings::default(), 60, score);
    let near = |ps: &[Params]| {
        ps.iter()
            .filter(|p| (f64_of(p, "dropout") - 0.2).abs() < 0.1)
            .count()
    };
    let random: Vec<Params> = (40..60).map(|i| random::assignment(&space, i)).collect();
    assert!(
        near(&proposals[40..]) >= 14,
        "only {} of the last 20 proposals within 0.1 of the minimum",
        near(&proposals[40..])
    );
    assert!(near(&random) <= 8, "random search is not that lucky");
}

#[test]
fn conditional_parameter_is_learned_where_it_applies() {
    // decay_rate matters only under "inverse" (best at 0.4); "none" scores a constant 1.
    let space = space(
        9,
        "decay = [\"none\", \"inverse\"]\ndecay_rate = { uniform = [0.01, 0.5] }\n",
    );
    let score = |p: &Params| {
        Some(match p.get("decay_rate").and_then(Value::as_f64) {
            Some(r) => (r - 0.4).abs(),
            None => 1.0,
        })
    };
    let proposals = study(&space, &TpeSettings::default(), 50, score);
    let late = &proposals[30..];
    let inverse: Vec<f64> = late
        .iter()
        .filter_map(|p| p.get("decay_rate").and_then(Value::as_f64))
        .collect();
    assert!(inverse.len() >= 15, "{} of 20 chose inverse", inverse.len());
    let close = inverse.iter().filter(|r| (*r - 0.4).abs() < 0.08).count();
    assert!(
        close * 4 >= inverse.len() * 3,
        "{close} of {} near 0.4",
        inverse.len()
    );
}

const TPE_SWEEP: &str = r#"
name = "tpe"
seed = 4
[data]
builtin = "iris"
validation = 0.3
[search]
strategy = "tpe"
trials = 14
startup = 4
batch = 3
[params]
learning_rate = { log_uniform = [0.01, 0.5] }
neurons = { int = [4, 32], log = true }
decay = ["none", "exponential"]
decay_rate = { log_uniform = [0.05, 0.5] }
epochs = 4
"#;

/// Hyperband with TPE configurations on digits, long enough to be killed partway; startup 4,
/// so later brackets are proposed by the model (and every third configuration at random).
const HYPERBAND_TPE: &str = r#"
name = "hb-tpe"
seed = 6
[data]
builtin = "digits"
[search]
strategy = "hyperband"
reduction = 3
budget = 60
sampler = "tpe"
startup = 4
[params]
learning_rate = { log_uniform = [0.01, 0.3] }
neurons = [32, 64]
dropout = { uniform = [0.0, 0.3] }
batch_size = 4
epochs = 9
"#;

/// The reports that must not depend on scheduling.
fn reports(dir: &Path) -> (String, String) {
    (
        ranked_without_timing(dir),
        fs::read_to_string(dir.join("curves.csv")).unwrap(),
    )
}

#[test]
fn jobs_do_not_change_a_tpe_sweep_or_hyperband_with_tpe() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, text) in [("tpe", TPE_SWEEP), ("hb", HYPERBAND_TPE)] {
        let file = common::cli::space(tmp.path(), &format!("{name}.toml"), text);
        let one = tmp.path().join(format!("{name}1"));
        let two = tmp.path().join(format!("{name}2"));
        run(&one, &file, &["-j", "1"]).success();
        run(&two, &file, &["-j", "2"]).success();
        assert_eq!(reports(&one), reports(&two), "{name}");
    }
}

#[test]
fn a_killed_hyperband_with_tpe_resumes_to_the_same_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let file = common::cli::space(tmp.path(), "hb.toml", HYPERBAND_TPE);
    let whole = tmp.path().join("whole");
    run(&whole, &file, &[]).success();
    let total = rows(&whole, "trials.csv").len();
    // Inside the first bracket (random draws), and later, where the model proposes.
    for at in [3, total / 2, total - 2] {
        let killed = tmp.path().join(format!("killed{at}"));
        let mut child = run_until_rows(&killed, &file, at);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        assert!(journal_len(&killed) < total, "killed after the end");
        run(&killed, &file, &["--resume"]).success();
        assert_eq!(reports(&killed), reports(&whole), "killed at {at} rows");
    }
}
