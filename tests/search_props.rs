//! Properties of random search over generated spaces: every trial lies inside its declared
//! bounds and types, the same seed gives the same trials, and raising `trials` keeps the first
//! ones unchanged.

use std::path::Path;

use hpsearch::objective::params::MLP_PARAMS;
use hpsearch::search::{TrialConfig, trials};
use hpsearch::space::value::Value;
use hpsearch::space::{SearchSpace, parse};
use proptest::prelude::*;

/// Declared bounds of a generated space, to check trials against.
#[derive(Clone, Debug)]
struct Bounds {
    lr: (f64, f64),
    alpha: (f64, f64),
    dropout: (f64, f64),
    neurons: (i64, i64),
    layers: (i64, i64),
    activations: Vec<&'static str>,
}

fn bounds() -> impl Strategy<Value = Bounds> {
    let ordered = |lo: f64, hi: f64| {
        (lo..hi, lo..hi).prop_filter_map("distinct", |(a, b)| {
            (a != b).then_some(if a < b { (a, b) } else { (b, a) })
        })
    };
    let int_pair = |lo: i64, hi: i64| {
        (lo..=hi, lo..=hi).prop_filter_map("distinct", |(a, b)| {
            (a != b).then_some((a.min(b), a.max(b)))
        })
    };
    (
        ordered(1e-5, 1.0),
        ordered(1e-8, 1e-1),
        ordered(0.0, 0.99),
        int_pair(1, 4096),
        int_pair(0, 5),
        proptest::sample::subsequence(vec!["relu", "tanh", "sigmoid", "gelu"], 1..=4),
    )
        .prop_map(
            |(lr, alpha, dropout, neurons, layers, activations)| Bounds {
                lr,
                alpha,
                dropout,
                neurons,
                layers,
                activations,
            },
        )
}

fn text(b: &Bounds, seed: u64, n: u64) -> String {
    let names: Vec<String> = b.activations.iter().map(|a| format!("\"{a}\"")).collect();
    format!(
        "seed = {seed}\n[data]\nbuiltin = \"iris\"\n[search]\nstrategy = \"random\"\ntrials = {n}\n[params]\n\
         learning_rate = {{ log_uniform = [{:e}, {:e}] }}\nregularization = [\"none\", \"l2\"]\n\
         alpha = {{ uniform = [{:e}, {:e}] }}\ndropout = {{ uniform = [{:e}, {:e}] }}\n\
         neurons = {{ int = [{}, {}], log = true }}\nhidden_layers = {{ int = [{}, {}] }}\n\
         activation = [{}]\nbatch_size = [1, 32, \"full\"]\n",
        b.lr.0,
        b.lr.1,
        b.alpha.0,
        b.alpha.1,
        b.dropout.0,
        b.dropout.1,
        b.neurons.0,
        b.neurons.1,
        b.layers.0,
        b.layers.1,
        names.join(", ")
    )
}

fn space(b: &Bounds, seed: u64, n: u64) -> SearchSpace {
    let text = text(b, seed, n);
    parse(&text, Path::new("p.toml"), MLP_PARAMS).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn real(t: &TrialConfig, name: &str) -> Option<f64> {
    match t.params.get(name) {
        Some(Value::Float(x)) => Some(*x),
        None => None,
        other => panic!("{name}: expected a real, got {other:?}"),
    }
}

fn int(t: &TrialConfig, name: &str) -> Option<i64> {
    match t.params.get(name) {
        Some(Value::Int(i)) => Some(*i),
        None => None,
        other => panic!("{name}: expected an integer, got {other:?}"),
    }
}

fn inside((lo, hi): (f64, f64), x: f64) -> bool {
    // Bounds went through `{:e}` formatting and back: compare with a relative tolerance.
    x >= lo * (1.0 - 1e-12) && x <= hi * (1.0 + 1e-12)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_trials_lie_inside_their_declared_bounds(b in bounds(), seed in 0u64..1_000_000) {
        for t in trials(&space(&b, seed, 30)).expect("trials") {
            let lr = real(&t, "learning_rate").expect("learning_rate always applies");
            prop_assert!(inside(b.lr, lr), "learning_rate {lr} outside {:?}", b.lr);
            let penalised = t.params.get("regularization") == Some(&Value::Text("l2".into()));
            prop_assert_eq!(real(&t, "alpha").is_some(), penalised);
            if let Some(alpha) = real(&t, "alpha") {
                prop_assert!(inside(b.alpha, alpha), "alpha {alpha} outside {:?}", b.alpha);
            }
            let layers = int(&t, "hidden_layers").expect("hidden_layers");
            prop_assert!((b.layers.0..=b.layers.1).contains(&layers));
            prop_assert_eq!(int(&t, "neurons").is_some(), layers > 0);
            if let Some(neurons) = int(&t, "neurons") {
                prop_assert!((b.neurons.0..=b.neurons.1).contains(&neurons), "neurons {neurons}");
            }
            if let Some(dropout) = real(&t, "dropout") {
                prop_assert!(inside(b.dropout, dropout) && dropout < 1.0, "dropout {dropout}");
            }
            if let Some(a) = t.params.get("activation") {
                prop_assert!(b.activations.iter().any(|n| a.as_str() == Some(*n)), "activation {a:?}");
            }
            let batch = t.params.get("batch_size").expect("batch_size");
            prop_assert!(matches!(batch, Value::Int(1) | Value::Int(32)) || batch.as_str() == Some("full"));
        }
    }

    #[test]
    fn same_seed_gives_the_same_trials(b in bounds(), seed in 0u64..1_000_000) {
        let first = trials(&space(&b, seed, 20)).expect("trials");
        let again = trials(&space(&b, seed, 20)).expect("trials");
        prop_assert_eq!(&first, &again);
        let other = trials(&space(&b, seed + 1, 20)).expect("trials");
        prop_assert_ne!(first, other);
    }

    #[test]
    fn raising_trials_keeps_the_first_ones(b in bounds(), seed in 0u64..1_000_000, n in 1u64..20, extra in 1u64..20) {
        let short = trials(&space(&b, seed, n)).expect("trials");
        let long = trials(&space(&b, seed, n + extra)).expect("trials");
        prop_assert_eq!(short.len() as u64, n);
        prop_assert_eq!(&long[..n as usize], &short[..]);
    }
}
