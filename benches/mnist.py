#!/usr/bin/env python3
"""The C4 MNIST comparison of issue 16, side by side: hpsearch, PyTorch and the numpy loop.

For each seed, runs hpsearch's `benches/mnist.rs` (built with `cargo bench --no-run --bench
mnist`; `--bin` may name more builds, e.g. an older commit's, each run in turn), then PyTorch
(torch.optim.SGD, no momentum) and the hand-written numpy loop of ../shared/bench/mlp_peers.py,
one thread each, at the same settings: 784 -> [256, 128] relu -> 10, batch 64, 15 epochs, plain
SGD lr 0.05 without weight decay, 48,000 training images (80/20 split of the 60,000, stratified
by the seed), pixels / 255 z-scored with training statistics. Timed region on every side: model
init + 15 epochs with shuffling; then test accuracy on the 10,000 t10k images.

    OMP_NUM_THREADS=1 $PY benches/mnist.py \
        --data ../shared/datasets/mnist --bin target/release/deps/mnist-HASH --seeds 0,1,2
"""
from pathlib import Path
import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"
for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
    os.environ.pop(var, None)

import argparse  # noqa: E402
import gzip  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "..", "shared", "bench"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "shared" / "bench"))
import mlp_peers  # noqa: E402

mlp_peers.LR = 0.05
mlp_peers.WD = 0.0
W = dict(d=784, hidden=[256, 128], batch=64, epochs=15)


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
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    f = lambda a: np.ascontiguousarray((a - mean) / std, dtype=np.float32)  # noqa: E731
    return f(x), y, f(xt), yt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--bin", action="append", required=True)
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--peers", default="torch,numpy")
    args = ap.parse_args()
    import torch

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    print(f"torch {torch.__version__} capability={torch.backends.cpu.get_cpu_capability()}, "
          f"numpy {np.__version__}")
    rows = []
    for seed in [int(s) for s in args.seeds.split(",")]:
        x, y, xt, yt = load(args.data, seed)
        for b in args.bin:
            out = subprocess.run([b, "--data", args.data, "--seed", str(seed)], check=True,
                                 capture_output=True, text=True).stdout
            res = json.loads(out.split("RESULT ", 1)[1])
            res["peer"] = "hpsearch " + os.path.basename(os.path.dirname(os.path.dirname(
                os.path.dirname(b)))) if len(args.bin) > 1 else "hpsearch"
            rows.append(res)
            print(json.dumps(res), flush=True)
        for peer in args.peers.split(","):
            train, evaluate, _ = mlp_peers.PEERS[peer]
            t0 = time.perf_counter()
            model = train(x, y, W, seed)
            seconds = time.perf_counter() - t0
            _, acc, _ = evaluate(model, xt, yt)
            res = dict(peer=peer, seed=seed, seconds=round(seconds, 3),
                       test_accuracy=round(acc, 4))
            rows.append(res)
            print(json.dumps(res), flush=True)
    peers = sorted({r["peer"] for r in rows}, key=lambda p: [r["peer"] for r in rows].index(p))
    print("\n| peer | seconds per seed | median s | test accuracy per seed | mean ± sd |")
    print("|---|---|---|---|---|")
    for p in peers:
        rs = [r for r in rows if r["peer"] == p]
        secs = [r["seconds"] for r in rs]
        accs = [r["test_accuracy"] for r in rs]
        sd = statistics.stdev(accs) if len(accs) > 1 else 0.0
        print(f"| {p} | {', '.join(f'{s:.2f}' for s in secs)} | {statistics.median(secs):.2f} | "
              f"{', '.join(f'{a:.4f}' for a in accs)} | {statistics.mean(accs):.4f} ± {sd:.4f} |")
    first = peers[0]
    for p in peers[1:]:
        ratios = [o["seconds"] / h["seconds"] for h, o in
                  zip([r for r in rows if r["peer"] == first], [r for r in rows if r["peer"] == p])]
        print(f"{p} / {first} time, per seed: {', '.join(f'{q:.2f}' for q in ratios)}; "
              f"median {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
