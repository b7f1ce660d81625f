#!/usr/bin/env python3
"""hpsearch next to the tools a user would pick instead, measured alternately (issue 6).

Usage (from the repository root, with the peers' venv; see ../shared/bench/README.md):

    $PY benches/compare.py                     # every part, 3 rounds
    $PY benches/compare.py --parts trainer --rounds 5
    python3 benches/compare.py --parts overhead,memory           # no venv needed for these

Parts (--parts, comma-separated; default all):
  trainer   export W1-W3 with export_workload.py into a temp dir, then per round and workload run
            `cargo bench --bench trainer -- Wk --data DIR` and the peers numpy, torch, sklearn
            (mlp_peers.py, one thread each) one after the other; prints samples/s per round, the
            median ratio hpsearch / peer, and W2 GFLOP/s counting the FLOPs actually done.
  sweep     the 16-trial random sweep benches/spaces/w1-random.toml on the W1 CSV, whole process,
            `hpsearch run -j 1`, `-j 2` and `optuna_sweep.py --trainer sklearn --n-jobs 1
            --trials 16` alternately; prints wall times and the median ratios.
  scaling   benches/spaces/w1-equal.toml, 16 trials of equal cost: `-j 2` against two
            independent `-j 1` processes of 8 trials each started together (the machine's own
            two-core speed-up), and against `-j 1` of all 16; issue 16 wants -j 2 within 5% of
            the pair in every round.
  overhead  benches/spaces/iris-overhead.toml: 10,000 one-epoch iris trials with -j 2 -q, whole
            process incl. the journal, and peak RSS at 1,000 vs 10,000 trials (/usr/bin/time -v).
  memory    benches/spaces/mnist-memory.toml: 16 MNIST trials with -j 2, peak RSS against the
            f32 data set + 100 MB (needs --mnist DIR, default ../shared/datasets/mnist).

Peers run exactly as the bench README says: OMP/OPENBLAS/MKL_NUM_THREADS=1 and
OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE unset. Without a Python that imports numpy, sklearn, torch
and optuna (the venv, --python), the peer runs are skipped with a message and only hpsearch is
measured; CI does not run this script.

FLOPs: "nominal" is 6 x weights per sample as common.py counts; "actual" drops the 2 x
(inputs x first hidden) of dL/dX for the input layer, which neither hpsearch nor the numpy peer
computes (biases, activations, softmax and the update are not counted in either).

The machine is shared and noisy: every figure is a ratio of runs made side by side in one round;
the median over rounds is reported, never a lone absolute time.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SPACES = REPO / "benches" / "spaces"
PEER_DIR = Path(os.environ.get("HPSEARCH_PEERS", REPO.parent / "shared" / "bench"))
DEFAULT_PYTHON = os.environ.get("PY", sys.executable)  # a Python with the peers installed
DEFAULT_MNIST = str(Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "mnist")

# Must match ../shared/bench/common.py WORKLOADS.
WORKLOADS = {
    "W1": dict(d=64, hidden=[64], n=8000, epochs=10),
    "W2": dict(d=784, hidden=[256, 128], n=20000, epochs=3),
    "W3": dict(d=64, hidden=[32], n=2000, epochs=3),
}
PEERS = ["numpy", "torch", "sklearn"]


def flops(w):
    sizes = [w["d"]] + w["hidden"] + [10]
    weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    nominal = 6 * weights
    return nominal, nominal - 2 * sizes[0] * sizes[1]


def peer_env():
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    return env


def results(stdout):
    return [json.loads(line[7:]) for line in stdout.splitlines() if line.startswith("RESULT ")]


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(map(str, cmd))}\n{p.stdout}\n{p.stderr}")
    return p


def timed(cmd, **kw):
    """Wall seconds and peak RSS (MB, from /usr/bin/time -v when present) of one process."""
    prefix = ["/usr/bin/time", "-v"] if Path("/usr/bin/time").exists() else []
    t0 = time.perf_counter()
    p = run(prefix + [str(c) for c in cmd], **kw)
    wall = time.perf_counter() - t0
    rss = None
    for line in p.stderr.splitlines():
        if "Maximum resident set size" in line:
            rss = int(line.split(":")[1]) * 1024 / 1e6
    return wall, rss


def peers_available(python):
    if not Path(python).exists():
        return f"{python} not found"
    probe = subprocess.run([python, "-c", "import numpy, sklearn, torch, optuna, threadpoolctl"],
                           capture_output=True, text=True)
    return None if probe.returncode == 0 else probe.stderr.strip().splitlines()[-1]


def build():
    print("building release (hpsearch binary and the trainer bench) ...", flush=True)
    run(["cargo", "build", "--release", "--locked", "--bin", "hpsearch"], cwd=REPO)
    p = run(["cargo", "bench", "--locked", "--bench", "trainer", "--no-run",
             "--message-format=json"], cwd=REPO)
    bench = None
    for line in p.stdout.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("executable") \
                and msg["target"]["name"] == "trainer":
            bench = msg["executable"]
    return REPO / "target" / "release" / "hpsearch", Path(bench)


def median_ratio(xs, ys):
    return statistics.median(x / y for x, y in zip(xs, ys))


def part_trainer(args, tmp, bench, python, have_peers):
    data = tmp / "data"
    data.mkdir(exist_ok=True)
    names = args.workloads.split(",")
    export_python = python if have_peers else sys.executable
    for name in names:
        out = data / f"{name.lower()}.csv"
        if not out.exists() and subprocess.run(
                [export_python, PEER_DIR / "export_workload.py", name, out]).returncode != 0:
            out.unlink(missing_ok=True)
            print(f"{name}: export_workload.py failed; the bench uses synthetic data")
    ours = {n: [] for n in names}
    theirs = {(p, n): [] for p in PEERS for n in names}
    for r in range(args.rounds):
        for name in names:
            p = run([bench, name, "--data", data, "--reps", str(args.reps)])
            res = results(p.stdout)[0]
            ours[name].append(res["samples_per_s"])
            line = f"round {r + 1} {name}: hpsearch {res['samples_per_s']:>10.0f}"
            if have_peers:
                for peer in PEERS:
                    q = run([python, PEER_DIR / "mlp_peers.py", "--peer", peer, "--workloads",
                             name, "--reps", str(args.reps)], env=peer_env(), cwd=PEER_DIR)
                    sps = results(q.stdout)[0]["samples_per_s"]
                    theirs[(peer, name)].append(sps)
                    line += f"  {peer} {sps:>9.0f}"
            print(line, flush=True)
    print("\nTrainer throughput, samples/s (median over rounds) and ratio hpsearch / peer "
          "(median of per-round ratios)")
    head = f"{'':4} {'hpsearch':>10}" + "".join(f" {p:>9} {'ratio':>6}" for p in PEERS)
    print(head)
    for name in names:
        row = f"{name:4} {statistics.median(ours[name]):>10.0f}"
        for peer in PEERS:
            t = theirs[(peer, name)]
            row += (f" {statistics.median(t):>9.0f} {median_ratio(ours[name], t):>5.2f}x"
                    if t else f" {'-':>9} {'-':>6}")
        print(row)
    if "W2" in names:
        nominal, actual = flops(WORKLOADS["W2"])
        sps = statistics.median(ours["W2"])
        print(f"\nW2 hpsearch: {sps * actual / 1e9:.1f} GFLOP/s actual ({actual:,} FLOP/sample: "
              f"6 x weights minus dL/dX of the input layer), {sps * nominal / 1e9:.1f} GFLOP/s "
              f"nominal (6 x weights = {nominal:,}); compare with `cargo bench --bench ceiling`")
        if theirs[("numpy", "W2")]:
            np_sps = statistics.median(theirs[("numpy", "W2")])
            print(f"W2 numpy:    {np_sps * actual / 1e9:.1f} GFLOP/s actual")


def part_sweep(args, tmp, hpsearch, python, have_peers):
    data = tmp / "sweep"
    data.mkdir(exist_ok=True)
    csv = data / "w1.csv"
    if not csv.exists():
        run([python if have_peers else sys.executable, PEER_DIR / "export_workload.py", "W1", csv])
    shutil.copy(SPACES / "w1-random.toml", data)
    times = {"j1": [], "j2": [], "optuna": []}
    for r in range(args.rounds):
        for jobs in (1, 2):
            out = data / f"out-j{jobs}"
            shutil.rmtree(out, ignore_errors=True)
            wall, _ = timed([hpsearch, "run", data / "w1-random.toml", "-j", jobs, "-q",
                             "--out", out])
            times[f"j{jobs}"].append(wall)
        line = f"round {r + 1}: hpsearch -j 1 {times['j1'][-1]:.2f} s, -j 2 {times['j2'][-1]:.2f} s"
        if have_peers:
            wall, _ = timed([python, PEER_DIR / "optuna_sweep.py", "--trainer", "sklearn",
                             "--n-jobs", "1", "--trials", "16"], env=peer_env(), cwd=PEER_DIR)
            times["optuna"].append(wall)
            line += f", optuna+sklearn n_jobs=1 {wall:.2f} s"
        print(line, flush=True)
    print(f"\nSweep (16 trials, W1, 10 epochs), whole process, median of per-round ratios:\n"
          f"  -j 2 vs -j 1: {median_ratio(times['j1'], times['j2']):.2f}x faster (target >= 1.9)")
    if times["optuna"]:
        print(f"  -j 2 vs optuna sklearn n_jobs=1: "
              f"{median_ratio(times['optuna'], times['j2']):.1f}x faster (target >= 10)\n"
              f"  -j 1 vs optuna sklearn n_jobs=1: "
              f"{median_ratio(times['optuna'], times['j1']):.1f}x faster")


def part_scaling(args, tmp, hpsearch, python, have_peers):
    data = tmp / "scaling"
    data.mkdir(exist_ok=True)
    csv = data / "w1.csv"
    if not csv.exists():
        run([python if have_peers else sys.executable, PEER_DIR / "export_workload.py", "W1", csv])
    text = (SPACES / "w1-equal.toml").read_text()
    (data / "all.toml").write_text(text)
    for seed in (0, 1):
        (data / f"half{seed}.toml").write_text(
            text.replace("trials = 16", "trials = 8").replace("seed = 0", f"seed = {seed}"))
    rows = []
    for r in range(args.rounds):
        walls = {}
        for jobs in (1, 2):
            out = data / f"out-j{jobs}"
            shutil.rmtree(out, ignore_errors=True)
            walls[f"j{jobs}"], _ = timed([hpsearch, "run", data / "all.toml", "-j", jobs, "-q",
                                          "--out", out])
        t0 = time.perf_counter()
        procs = []
        for seed in (0, 1):
            out = data / f"out-half{seed}"
            shutil.rmtree(out, ignore_errors=True)
            procs.append(subprocess.Popen([hpsearch, "run", data / f"half{seed}.toml", "-j", "1",
                                           "-q", "--out", out],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for p in procs:
            if p.wait() != 0:
                sys.exit("a -j 1 half failed")
        walls["pair"] = time.perf_counter() - t0
        rows.append(walls)
        print(f"round {r + 1}: -j 1 {walls['j1']:.2f} s, -j 2 {walls['j2']:.2f} s, two -j 1 "
              f"halves together {walls['pair']:.2f} s; -j 2 / pair {walls['j2'] / walls['pair']:.3f}",
              flush=True)
    within = sum(w["j2"] <= 1.05 * w["pair"] for w in rows)
    print(f"\nScaling (16 equal trials): -j 2 / two independent -j 1 halves, median "
          f"{statistics.median(w['j2'] / w['pair'] for w in rows):.3f} (target <= 1.05 in every "
          f"round: {within} of {len(rows)}); -j 1 / -j 2 median "
          f"{statistics.median(w['j1'] / w['j2'] for w in rows):.2f}x")


def part_overhead(args, tmp, hpsearch):
    data = tmp / "overhead"
    data.mkdir(exist_ok=True)
    text = (SPACES / "iris-overhead.toml").read_text()
    (data / "t10000.toml").write_text(text)
    (data / "t1000.toml").write_text(text.replace("trials = 10000", "trials = 1000"))
    walls, rss = [], {1000: [], 10000: []}
    for r in range(args.rounds):
        for n in (1000, 10000):
            out = data / f"out{n}"
            shutil.rmtree(out, ignore_errors=True)
            wall, peak = timed([hpsearch, "run", data / f"t{n}.toml", "-j", 2, "-q", "--out", out])
            rss[n].append(peak)
            if n == 10000:
                walls.append(wall)
                rows = sum(1 for _ in open(out / "trials.csv")) - 1
                assert rows == 10000, rows
        print(f"round {r + 1}: 10,000 trials {walls[-1]:.2f} s, peak RSS {rss[10000][-1]:.1f} MB "
              f"(1,000 trials: {rss[1000][-1]:.1f} MB)", flush=True)
    print(f"\nOverhead: 10,000 iris trials -j 2 whole process {statistics.median(walls):.2f} s "
          f"(target < 5 s); peak RSS 1,000 -> 10,000 trials: {statistics.median(rss[1000]):.1f} "
          f"-> {statistics.median(rss[10000]):.1f} MB")


def part_memory(args, tmp, hpsearch):
    mnist = Path(args.mnist)
    files = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]
    if not all((mnist / f).exists() for f in files):
        print(f"memory: skipped, MNIST not found in {mnist} (--mnist DIR)")
        return
    data = tmp / "memory"
    data.mkdir(exist_ok=True)
    for f in files:
        if not (data / f).exists():
            (data / f).symlink_to(mnist / f)
    shutil.copy(SPACES / "mnist-memory.toml", data)
    f32_mb = 60000 * 784 * 4 / 1e6
    peaks = []
    for r in range(args.rounds):
        out = data / "out"
        shutil.rmtree(out, ignore_errors=True)
        wall, peak = timed([hpsearch, "run", data / "mnist-memory.toml", "-j", 2, "-q",
                            "--out", out])
        peaks.append(peak)
        print(f"round {r + 1}: {wall:.2f} s, peak RSS {peak:.1f} MB", flush=True)
    peak = statistics.median(peaks)
    print(f"\nMemory: MNIST 16 trials -j 2 peak RSS {peak:.1f} MB = f32 data {f32_mb:.1f} MB "
          f"+ {peak - f32_mb:.1f} MB (target <= + 100 MB), {peak / f32_mb:.2f}x the f32 data")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--parts", default="trainer,sweep,scaling,overhead,memory")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    ap.add_argument("--reps", type=int, default=3, help="timed runs per trainer invocation")
    ap.add_argument("--workloads", default="W1,W2,W3")
    ap.add_argument("--python", default=DEFAULT_PYTHON, help="Python with the peers installed")
    ap.add_argument("--mnist", default=DEFAULT_MNIST)
    ap.add_argument("--keep", help="work in this folder (kept) instead of a temporary one")
    args = ap.parse_args()
    parts = args.parts.split(",")

    missing = peers_available(args.python)
    have_peers = missing is None and PEER_DIR.is_dir()
    if not have_peers:
        print(f"peers skipped: {missing or f'{PEER_DIR} not found'}; measuring hpsearch only "
              f"(set up the venv as in {PEER_DIR}/README.md, or pass --python)")
    hpsearch, bench = build()
    with tempfile.TemporaryDirectory(prefix="hpsearch-compare-") as t:
        tmp = Path(args.keep) if args.keep else Path(t)
        tmp.mkdir(parents=True, exist_ok=True)
        if "trainer" in parts:
            part_trainer(args, tmp, bench, args.python, have_peers)
        if "sweep" in parts:
            part_sweep(args, tmp, hpsearch, args.python, have_peers)
        if "scaling" in parts:
            part_scaling(args, tmp, hpsearch, args.python, have_peers)
        if "overhead" in parts:
            part_overhead(args, tmp, hpsearch)
        if "memory" in parts:
            part_memory(args, tmp, hpsearch)


if __name__ == "__main__":
    main()
