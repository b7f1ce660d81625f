#!/usr/bin/env python3
"""Records PyTorch's first 20 optimizer updates on a tiny fixed network and batch, as the
reference that tests/torch_reference.rs holds hpsearch to (issue 12). The test needs no PyTorch;
rerun this only to change the fixture:

    python3 -m venv $VENV   # any folder outside the repo
    $VENV/bin/pip install torch numpy
    $PY benches/torch_optim_reference.py > tests/data/torch_optim_reference.toml

The network: 3 inputs -> 4 tanh -> 3 classes, softmax cross-entropy (mean over the batch of 6),
float32, weights drawn once from numpy seed 12 (biases non-zero). Each case trains a fresh copy
with one torch.optim optimizer on the whole batch for 20 steps and records every parameter after
each step. hpsearch's L2 penalty alpha * sum(W^2) (weights only) is added to the loss, and
clipping is torch.nn.utils.clip_grad_norm_ on all parameters, so the gradient the optimizer sees
includes the penalty and is clipped, as hpsearch does. Parameters are written in hpsearch's
layout: per layer W as (fan_in, fan_out) row-major (torch's weight transposed), then b.
"""
import numpy as np
import torch

SIZES = [3, 4, 3]
STEPS = 20

# (name, hpsearch optimizer settings, learning rate, L2 alpha, clip_norm, torch factory)
CASES = [
    ("momentum", {"optimizer": "momentum", "momentum": 0.9}, 0.1, 0.0, None,
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
    ("nesterov", {"optimizer": "nesterov", "momentum": 0.9}, 0.1, 0.0, None,
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True)),
    ("adam", {"optimizer": "adam", "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}, 0.01, 0.0,
     None, lambda p: torch.optim.Adam(p, lr=0.01)),
    ("adam_l2_clipped", {"optimizer": "adam", "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-6},
     0.02, 0.01, 0.3, lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-6)),
    ("nesterov_l2_clipped", {"optimizer": "nesterov", "momentum": 0.5}, 0.2, 0.05, 0.2,
     lambda p: torch.optim.SGD(p, lr=0.2, momentum=0.5, nesterov=True)),
    ("sgd_clipped", {"optimizer": "sgd"}, 0.5, 0.0, 0.1,
     lambda p: torch.optim.SGD(p, lr=0.5)),
]


def fixed_problem():
    rng = np.random.default_rng(12)
    layers = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        w = rng.normal(0.0, 0.8, size=(fan_in, fan_out)).astype(np.float32)
        b = rng.normal(0.0, 0.3, size=fan_out).astype(np.float32)
        layers.append((w, b))
    x = rng.normal(0.0, 1.0, size=(6, SIZES[0])).astype(np.float32)
    y = np.array([0, 1, 2, 0, 1, 2])
    return layers, x, y


def flat(linears):
    out = []
    for lin in linears:
        out.extend(lin.weight.detach().numpy().T.ravel().tolist())
        out.extend(lin.bias.detach().numpy().ravel().tolist())
    return out


def run(layers, x, y, alpha, clip, make):
    linears = []
    for w, b in layers:
        lin = torch.nn.Linear(w.shape[0], w.shape[1])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w.T.copy()))
            lin.bias.copy_(torch.from_numpy(b))
        linears.append(lin)
    params = [p for lin in linears for p in lin.parameters()]
    opt = make(params)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    history = []
    for _ in range(STEPS):
        opt.zero_grad()
        a = xt
        for lin in linears[:-1]:
            a = torch.tanh(lin(a))
        loss = torch.nn.functional.cross_entropy(linears[-1](a), yt)
        if alpha:
            loss = loss + alpha * sum((lin.weight ** 2).sum() for lin in linears)
        loss.backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(params, clip)
        opt.step()
        history.append(flat(linears))
    return history


def row(values):
    return "[" + ", ".join(repr(float(v)) for v in values) + "]"


def main():
    torch.set_num_threads(1)
    layers, x, y = fixed_problem()
    print(f"# Written by benches/torch_optim_reference.py with torch {torch.__version__}.")
    print(f"sizes = {SIZES}")
    print('activation = "tanh"')
    print("x = [" + ", ".join(row(r) for r in x) + "]")
    print(f"y = {y.tolist()}")
    print("initial = " + row([v for w, b in layers for v in list(w.ravel()) + list(b)]))
    for name, settings, lr, alpha, clip, make in CASES:
        history = run(layers, x, y, alpha, clip, make)
        print()
        print("[[case]]")
        print(f'name = "{name}"')
        for key, value in settings.items():
            print(f'{key} = "{value}"' if isinstance(value, str) else f"{key} = {value!r}")
        print(f"learning_rate = {lr!r}")
        print(f"alpha = {alpha!r}")
        if clip is not None:
            print(f"clip_norm = {clip!r}")
        print("after_step = [")
        for params in history:
            print("  " + row(params) + ",")
        print("]")


if __name__ == "__main__":
    main()
