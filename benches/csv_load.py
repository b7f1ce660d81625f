#!/usr/bin/env python3
"""CSV loading next to pandas.read_csv (C engine), measured alternately (issue 16).

    $PY benches/mnist_csv.py /tmp/mnist_train.csv    # once
    $PY benches/csv_load.py /tmp/mnist_train.csv --rounds 5

Per round: `cargo bench --bench csv_load -- FILE --reps 1` (hpsearch's data::load with a rayon
pool of 1 and of 2 threads: read, parse, 80/20 split, no standardization), then
`pandas.read_csv(FILE, engine="c")` (read and parse only; pandas has no split). Prints each
round and the median ratios pandas / hpsearch (> 1: hpsearch is faster).
"""
import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    build = subprocess.run(["cargo", "bench", "--bench", "csv_load", "--no-run",
                            "--message-format=json"], cwd=REPO, capture_output=True, text=True,
                           check=True)
    exe = [json.loads(line)["executable"] for line in build.stdout.splitlines()
           if '"executable":"' in line and "csv_load" in line][-1]
    rows = []
    for r in range(args.rounds):
        out = subprocess.run([exe, args.file, "--reps", "1"], capture_output=True, text=True,
                             check=True).stdout
        res = {j["threads"]: j["median_s"] for j in
               (json.loads(line[7:]) for line in out.splitlines() if line.startswith("RESULT "))}
        t0 = time.perf_counter()
        df = pd.read_csv(args.file, engine="c")
        res["pandas"] = time.perf_counter() - t0
        rows.append(res)
        print(f"round {r + 1}: hpsearch 1 thread {res[1]:.3f} s, 2 threads {res[2]:.3f} s, "
              f"pandas {res['pandas']:.3f} s ({df.shape[0]} x {df.shape[1]})", flush=True)
    for t in (1, 2):
        ratio = statistics.median(r["pandas"] / r[t] for r in rows)
        print(f"pandas / hpsearch ({t} thread{'s' if t > 1 else ''}): median {ratio:.2f}x")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
