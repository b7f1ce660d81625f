//! The MLP trainer's parameter schema: what `[params]` may contain, in dependency order.
//!
//! Defaults are documented in README.md ("The search-space file") and must change with it.

use crate::space::schema::{DefaultValue as D, Kind, ParamSpec};
use crate::space::value::Params;

/// Activations the trainer implements.
pub const ACTIVATIONS: &[&str] = &["relu", "tanh", "sigmoid", "leaky_relu", "elu", "gelu"];
/// Learning-rate schedules.
pub const DECAYS: &[&str] = &["none", "inverse", "exponential", "step"];
/// Weight penalties.
pub const REGULARIZATIONS: &[&str] = &["none", "l2", "l1"];
/// Update rules.
pub const OPTIMIZERS: &[&str] = &crate::mlp::Optimizer::NAMES;

fn decays(p: &Params) -> bool {
    p.get("decay").and_then(|v| v.as_str()) != Some("none")
}
fn steps(p: &Params) -> bool {
    p.get("decay").and_then(|v| v.as_str()) == Some("step")
}
fn penalised(p: &Params) -> bool {
    p.get("regularization").and_then(|v| v.as_str()) != Some("none")
}
fn with_momentum(p: &Params) -> bool {
    matches!(
        p.get("optimizer").and_then(|v| v.as_str()),
        Some("momentum" | "nesterov")
    )
}
fn adam(p: &Params) -> bool {
    p.get("optimizer").and_then(|v| v.as_str()) == Some("adam")
}
fn uniform_layers(p: &Params) -> bool {
    p.get("hidden").is_none()
}
fn has_hidden_layers(p: &Params) -> bool {
    uniform_layers(p) && p.get("hidden_layers").and_then(|v| v.as_i64()) != Some(0)
}
fn any_hidden(p: &Params) -> bool {
    !uniform_layers(p) || has_hidden_layers(p)
}

/// [0, 1): momentum μ and Adam's β1, β2.
const FRACTION: Kind = Kind::Float {
    lo: 0.0,
    hi: 1.0,
    lo_open: false,
    hi_open: true,
};

const POSITIVE: Kind = Kind::Float {
    lo: 0.0,
    hi: f64::INFINITY,
    lo_open: true,
    hi_open: true,
};

/// The MLP's parameters. Parents come before the parameters that depend on them.
pub const MLP_PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "learning_rate",
        kind: POSITIVE,
        default: Some(D::Float(0.01)),
        depends_on: &[],
        active: None,
        help: "initial learning rate η0, > 0",
    },
    ParamSpec {
        name: "decay",
        kind: Kind::Choice(DECAYS),
        default: Some(D::Text("none")),
        depends_on: &[],
        active: None,
        help: "learning-rate schedule by epoch t: none, inverse η0/(1+r·t), exponential η0·e^(−λt), step η0·r^⌊t/t_u⌋",
    },
    ParamSpec {
        name: "decay_rate",
        kind: POSITIVE,
        default: Some(D::Float(0.1)),
        depends_on: &["decay"],
        active: Some(decays),
        help: "r (inverse, step) or λ (exponential), > 0; applies when decay is not \"none\"",
    },
    ParamSpec {
        name: "decay_step",
        kind: Kind::Int {
            lo: 1,
            hi: 1_000_000,
        },
        default: Some(D::Int(10)),
        depends_on: &["decay"],
        active: Some(steps),
        help: "t_u, epochs per step, ≥ 1; applies when decay = \"step\"",
    },
    ParamSpec {
        name: "regularization",
        kind: Kind::Choice(REGULARIZATIONS),
        default: Some(D::Text("none")),
        depends_on: &[],
        active: None,
        help: "weight penalty R(w): none, l2 (‖w‖²), l1 (‖w‖₁); biases are never penalised",
    },
    ParamSpec {
        name: "alpha",
        kind: Kind::Float {
            lo: 0.0,
            hi: f64::INFINITY,
            lo_open: false,
            hi_open: true,
        },
        default: Some(D::Float(1e-4)),
        depends_on: &["regularization"],
        active: Some(penalised),
        help: "penalty strength α ≥ 0; applies when regularization is not \"none\"",
    },
    ParamSpec {
        name: "optimizer",
        kind: Kind::Choice(OPTIMIZERS),
        default: Some(D::Text("sgd")),
        depends_on: &[],
        active: None,
        help: "update rule: sgd (w ← w − η_t·g), momentum, nesterov (as torch.optim.SGD), adam (as torch.optim.Adam)",
    },
    ParamSpec {
        name: "momentum",
        kind: FRACTION,
        default: Some(D::Float(0.9)),
        depends_on: &["optimizer"],
        active: Some(with_momentum),
        help: "momentum μ, 0 ≤ μ < 1 (v ← μ·v + g); applies when optimizer is \"momentum\" or \"nesterov\"",
    },
    ParamSpec {
        name: "beta1",
        kind: FRACTION,
        default: Some(D::Float(0.9)),
        depends_on: &["optimizer"],
        active: Some(adam),
        help: "Adam's first-moment decay β1, 0 ≤ β1 < 1; applies when optimizer = \"adam\"",
    },
    ParamSpec {
        name: "beta2",
        kind: FRACTION,
        default: Some(D::Float(0.999)),
        depends_on: &["optimizer"],
        active: Some(adam),
        help: "Adam's second-moment decay β2, 0 ≤ β2 < 1; applies when optimizer = \"adam\"",
    },
    ParamSpec {
        name: "epsilon",
        kind: POSITIVE,
        default: Some(D::Float(1e-8)),
        depends_on: &["optimizer"],
        active: Some(adam),
        help: "Adam's ε > 0 in w ← w − η_t·m̂/(√ŝ + ε); applies when optimizer = \"adam\"",
    },
    ParamSpec {
        name: "clip_norm",
        kind: POSITIVE,
        default: None,
        depends_on: &[],
        active: None,
        help: "clip the global L2 norm of each step's gradient to this bound, > 0 (off when absent)",
    },
    ParamSpec {
        name: "epochs",
        kind: Kind::Int {
            lo: 1,
            hi: 1_000_000,
        },
        default: Some(D::Int(20)),
        depends_on: &[],
        active: None,
        help: "passes over the training split, ≥ 1",
    },
    ParamSpec {
        name: "batch_size",
        kind: Kind::IntOrName {
            lo: 1,
            hi: 1 << 40,
            names: &["full"],
        },
        default: Some(D::Int(32)),
        depends_on: &[],
        active: None,
        help: "samples per step: 1 = online SGD, B = mini-batch, \"full\" = full-batch gradient descent",
    },
    ParamSpec {
        name: "hidden",
        kind: Kind::IntList {
            lo: 1,
            hi: 65_536,
            max_len: 64,
        },
        default: None,
        depends_on: &[],
        active: None,
        help: "explicit hidden-layer widths, e.g. [128, 64]; replaces hidden_layers and neurons",
    },
    ParamSpec {
        name: "hidden_layers",
        kind: Kind::Int { lo: 0, hi: 64 },
        default: Some(D::Int(1)),
        depends_on: &["hidden"],
        active: Some(uniform_layers),
        help: "number of hidden layers, all `neurons` wide; 0 = multinomial logistic regression",
    },
    ParamSpec {
        name: "neurons",
        kind: Kind::Int { lo: 1, hi: 65_536 },
        default: Some(D::Int(64)),
        depends_on: &["hidden", "hidden_layers"],
        active: Some(has_hidden_layers),
        help: "width of each hidden layer, ≥ 1; applies when hidden_layers > 0",
    },
    ParamSpec {
        name: "activation",
        kind: Kind::Choice(ACTIVATIONS),
        default: Some(D::Text("relu")),
        depends_on: &["hidden", "hidden_layers"],
        active: Some(any_hidden),
        help: "nonlinearity of the hidden layers; applies when there is one",
    },
    ParamSpec {
        name: "dropout",
        kind: Kind::Float {
            lo: 0.0,
            hi: 1.0,
            lo_open: false,
            hi_open: true,
        },
        default: Some(D::Float(0.0)),
        depends_on: &["hidden", "hidden_layers"],
        active: Some(any_hidden),
        help: "probability p of dropping a hidden activation in training, 0 ≤ p < 1; applies when there is a hidden layer",
    },
    ParamSpec {
        name: "patience",
        kind: Kind::Int {
            lo: 1,
            hi: 1_000_000,
        },
        default: None,
        depends_on: &[],
        active: None,
        help: "early stopping: stop when validation loss has not improved for this many epochs (off when absent)",
    },
];
