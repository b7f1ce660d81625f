//! hpsearch's optimizers take PyTorch's steps: the first 20 updates of `torch.optim.SGD`
//! (momentum, Nesterov), `Adam`, with the L2 penalty and `clip_grad_norm_`, recorded on a tiny
//! fixed network and batch by `benches/torch_optim_reference.py` into
//! `tests/data/torch_optim_reference.toml`. No PyTorch is needed here.
//!
//! Each case goes through the parameter names of a search space (`mlp_config`), so the mapping
//! from `optimizer`, `momentum`, `beta1`, … to the trainer is checked too.

use hpsearch::mlp::{Samples, Trainer};
use hpsearch::objective::mlp::mlp_config;
use hpsearch::space::value::{Params, Value};
use ndarray::Array2;
use toml::Table;

/// Float32 tolerance after 20 steps: |ours − torch| ≤ ABS + REL·|torch|. Measured: at most 1.4e-7
/// unclipped, 1.7e-6 clipped (torch scales by c/(‖g‖ + 1e-6), hpsearch by c/‖g‖).
const ABS: f64 = 5e-6;
const REL: f64 = 1e-5;

fn floats(v: &toml::Value) -> Vec<f64> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_float().expect("a float"))
        .collect()
}

fn fixture() -> Table {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/torch_optim_reference.toml"
    );
    std::fs::read_to_string(path)
        .expect("fixture present")
        .parse()
        .expect("fixture is TOML")
}

/// The trial parameters of one case: the fixture's optimizer keys plus the fixed network.
fn params(case: &Table) -> Params {
    let mut p = Params::new();
    p.set("hidden", Some(Value::List(vec![4])));
    p.set("activation", Some(Value::Text("tanh".into())));
    p.set("batch_size", Some(Value::Text("full".into())));
    p.set("epochs", Some(Value::Int(20)));
    let alpha = case["alpha"].as_float().unwrap();
    if alpha > 0.0 {
        p.set("regularization", Some(Value::Text("l2".into())));
        p.set("alpha", Some(Value::Float(alpha)));
    }
    for key in [
        "learning_rate",
        "momentum",
        "beta1",
        "beta2",
        "epsilon",
        "clip_norm",
    ] {
        if let Some(v) = case.get(key) {
            p.set(key, Some(Value::Float(v.as_float().unwrap())));
        }
    }
    let optimizer = case["optimizer"].as_str().unwrap();
    p.set("optimizer", Some(Value::Text(optimizer.into())));
    p
}

/// Every weight and bias, layer by layer, W row-major (fan_in, fan_out) then b.
fn flat(trainer: &Trainer) -> Vec<f64> {
    let mut out = Vec::new();
    for layer in trainer.network().layers() {
        out.extend(layer.weights().iter().map(|&w| f64::from(w)));
        out.extend(layer.biases().iter().map(|&b| f64::from(b)));
    }
    out
}

#[test]
fn first_20_updates_match_pytorch() {
    let data = fixture();
    let rows: Vec<Vec<f64>> = data["x"].as_array().unwrap().iter().map(floats).collect();
    let x = Array2::from_shape_fn((rows.len(), 3), |(i, j)| rows[i][j] as f32);
    let y: Vec<usize> = data["y"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_integer().unwrap() as usize)
        .collect();
    let initial = floats(&data["initial"]);
    let cases = data["case"].as_array().unwrap();
    assert_eq!(cases.len(), 6);
    for case in cases {
        let case = case.as_table().unwrap();
        let name = case["name"].as_str().unwrap();
        let config = mlp_config(&params(case)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut trainer = Trainer::new(&config, 3, 3, 0).unwrap();
        let mut next = initial.iter().map(|&v| v as f32);
        for layer in trainer.network_mut().layers_mut() {
            layer
                .weights_mut()
                .iter_mut()
                .for_each(|w| *w = next.next().unwrap());
            layer
                .biases_mut()
                .iter_mut()
                .for_each(|b| *b = next.next().unwrap());
        }
        assert!(next.next().is_none(), "{name}: initial has extra values");
        let steps = case["after_step"].as_array().unwrap();
        assert_eq!(steps.len(), 20);
        for (t, expected) in steps.iter().enumerate() {
            // Full batch: one epoch is one step.
            trainer.train_epoch(Samples::new(x.view(), &y)).unwrap();
            let expected = floats(expected);
            let got = flat(&trainer);
            assert_eq!(got.len(), expected.len());
            for (k, (g, e)) in got.iter().zip(&expected).enumerate() {
                assert!(
                    (g - e).abs() <= ABS + REL * e.abs(),
                    "{name}, step {}: parameter {k} is {g}, PyTorch has {e}",
                    t + 1
                );
            }
        }
    }
}
