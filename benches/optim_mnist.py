#!/usr/bin/env python3
"""MNIST test accuracy of hpsearch's and PyTorch's momentum and Adam, side by side (issue 12).

For each seed (0, 1, 2) and each optimizer (momentum 0.9 at lr 0.01, Adam at lr 0.001), runs
hpsearch (`cargo bench --bench optim_mnist`, release) and then PyTorch at the same settings, one
thread each, and prints every run and a Markdown table of mean and standard deviation.

    $PY benches/optim_mnist.py --data ../shared/datasets/mnist

Settings (both sides): 784 -> 256 -> 128 -> 10, relu, softmax cross-entropy, batch 64 reshuffled
each epoch (last partial batch used), 15 epochs, lr halved every 5 epochs (StepLR(5, 0.5)),
L2 weight decay 1e-5 on weights only (torch weight_decay=1e-5 on a weights-only param group; in
hpsearch alpha = 5e-6, since its penalty alpha*||w||^2 has gradient 2*alpha*w). Data: the 60,000
training images split 80/20 stratified by class with the seed (each tool draws its own split:
same sizes and class balance, not the same images), pixels / 255, z-scored with training
statistics (a constant column keeps scale 1); test accuracy on the 10,000 t10k images after the
last epoch.

Runs: `hpsearch`; `torch` with nn.Linear's default initialization (U(+-1/sqrt(fan_in)) for weights
and biases); `torch_hpinit` with hpsearch's initialization (He uniform U(+-sqrt(6/fan_in)) on the
hidden layers, Glorot uniform on the output layer, zero biases), so the comparison can separate
the optimizer from the initialization. `--runs` picks some of them; `--table FILE...` prints the
table from saved output lines instead of running anything.
"""
from pathlib import Path
import argparse
import gzip
import json
import os
import statistics
import subprocess
import time

import numpy as np
import torch

SEEDS = [0, 1, 2]
OPTIMIZERS = [("momentum", 0.01), ("adam", 0.001)]
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(folder, seed):
    x = idx(os.path.join(folder, "train-images-idx3-ubyte.gz")).reshape(60000, -1) / 255.0
    y = idx(os.path.join(folder, "train-labels-idx1-ubyte.gz")).astype(np.int64)
    xt = idx(os.path.join(folder, "t10k-images-idx3-ubyte.gz")).reshape(10000, -1) / 255.0
    yt = idx(os.path.join(folder, "t10k-labels-idx1-ubyte.gz")).astype(np.int64)
    rng = np.random.default_rng(seed)
    train = []
    for c in range(10):
        members = rng.permutation(np.flatnonzero(y == c))
        train.extend(members[: len(members) - round(0.2 * len(members))])
    train = np.sort(np.array(train))
    x, y = x[train], y[train]
    mean, sd = x.mean(axis=0), x.std(axis=0)
    sd = np.where(sd > 1e-12 * np.maximum(np.abs(mean), 1.0), sd, 1.0)
    z = lambda a: ((a - mean) / sd).astype(np.float32)
    return z(x), y, z(xt), yt


def torch_run(name, lr, seed, folder, hpinit=False):
    torch.manual_seed(seed)
    x, y, xt, yt = load(folder, seed)
    x, y, xt, yt = map(torch.from_numpy, (x, y, xt, yt))
    start = time.perf_counter()
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10))
    if hpinit:
        linears = [m for m in model if isinstance(m, torch.nn.Linear)]
        for k, lin in enumerate(linears):
            if k + 1 < len(linears):
                torch.nn.init.kaiming_uniform_(lin.weight, nonlinearity="relu")
            else:
                torch.nn.init.xavier_uniform_(lin.weight)
            torch.nn.init.zeros_(lin.bias)
    weights = [p for n, p in model.named_parameters() if n.endswith("weight")]
    biases = [p for n, p in model.named_parameters() if n.endswith("bias")]
    groups = [{"params": weights, "weight_decay": 1e-5}, {"params": biases, "weight_decay": 0.0}]
    if name == "momentum":
        opt = torch.optim.SGD(groups, lr=lr, momentum=0.9)
    else:
        opt = torch.optim.Adam(groups, lr=lr)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)
    loss_fn = torch.nn.CrossEntropyLoss()
    n = x.shape[0]
    for _ in range(15):
        perm = torch.randperm(n)
        for s in range(0, n, 64):
            idx_ = perm[s:s + 64]
            opt.zero_grad()
            loss_fn(model(x[idx_]), y[idx_]).backward()
            opt.step()
        sched.step()
    seconds = time.perf_counter() - start
    with torch.no_grad():
        logits = model(xt)
        acc = (logits.argmax(1) == yt).float().mean().item()
        loss = loss_fn(logits, yt).item()
    return {"tool": "torch_hpinit" if hpinit else "torch", "optimizer": name, "seed": seed, "train_samples": n,
            "test_accuracy": acc, "test_loss": loss, "seconds": round(seconds, 2)}


def hpsearch_run(name, lr, seed, folder):
    cmd = ["cargo", "bench", "--quiet", "--bench", "optim_mnist", "--", "--data", folder,
           "--optimizer", name, "--lr", str(lr), "--seed", str(seed)]
    out = subprocess.run(cmd, cwd=REPO, check=True, capture_output=True, text=True).stdout
    return json.loads(next(l[7:] for l in out.splitlines() if l.startswith("RESULT ")))


RUNS = {
    "hpsearch": hpsearch_run,
    "torch": torch_run,
    "torch_hpinit": lambda name, lr, seed, folder: torch_run(name, lr, seed, folder, True),
}


def table(results):
    tools = [t for t in RUNS if any(r["tool"] == t for r in results)]
    print("| optimizer | run | test accuracy %, seeds 0 / 1 / 2 | mean ± sd | seconds (median) |")
    print("|---|---|---|---|---|")
    summary = {}
    for name, lr in OPTIMIZERS:
        for tool in tools:
            rs = sorted((r for r in results if r["optimizer"] == name and r["tool"] == tool),
                        key=lambda r: r["seed"])
            accs = [r["test_accuracy"] for r in rs]
            mean, sd = statistics.mean(accs), statistics.stdev(accs)
            summary[(name, tool)] = (mean, sd)
            secs = statistics.median(r["seconds"] for r in rs)
            print(f"| {name} (lr {lr}) | {tool} | {' / '.join(f'{100 * a:.2f}' for a in accs)} "
                  f"| {100 * mean:.2f} ± {100 * sd:.2f} | {secs:.1f} |")
    print()
    for name, _ in OPTIMIZERS:
        for peer in (t for t in tools if t != "hpsearch" and "hpsearch" in tools):
            (mh, _), (mt, st) = summary[(name, "hpsearch")], summary[(name, peer)]
            verdict = "within" if abs(mh - mt) <= st else "NOT within"
            print(f"{name}: hpsearch - {peer} = {100 * (mh - mt):+.2f} points, {peer} sd "
                  f"{100 * st:.2f}: {verdict} one standard deviation")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "mnist"))
    ap.add_argument("--runs", default=",".join(RUNS))
    ap.add_argument("--table", nargs="+", metavar="FILE")
    args = ap.parse_args()
    if args.table:
        results = []
        for path in args.table:
            with open(path) as f:
                results += [json.loads(l) for l in f if l.startswith("{")]
        table(results)
        return
    torch.set_num_threads(1)
    subprocess.run(["cargo", "bench", "--no-run", "--bench", "optim_mnist"], cwd=REPO,
                   check=True, capture_output=True)
    results = []
    for seed in SEEDS:
        for name, lr in OPTIMIZERS:
            for run in args.runs.split(","):
                r = RUNS[run](name, lr, seed, args.data)
                print(json.dumps(r), flush=True)
                results.append(r)
    print()
    table(results)


if __name__ == "__main__":
    main()
