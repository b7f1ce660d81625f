#!/usr/bin/env python3
"""How honest is the winner's score? Hold-out validation against 5-fold cross-validation.

For each sweep seed, runs search-spaces/iris-cv.toml twice with the release binary: once as is
(folds = 5, repeats = 1, the refit winner tested) and once with one 25% validation split instead
of folds. Prints, per variant, the winner's validation loss (what ranked it), its test loss, and
their gap (test − validation: > 0 means the ranking score was optimistic).

    cargo build --release && python3 benches/cv_optimism.py [--seeds 20]
"""
import argparse
import csv
import statistics
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=20)
    args = ap.parse_args()
    base = (ROOT / "search-spaces/iris-cv.toml").read_text()
    base = base.replace("repeats = 2 ", "repeats = 1 ")
    holdout = base.replace("folds = 5 ", "validation = 0.25 ").replace("refit = true ", "# ")
    results = {"hold-out 25%": [], "folds = 5": []}
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(1, args.seeds + 1):
            for name, text in (("hold-out 25%", holdout), ("folds = 5", base)):
                space = Path(tmp) / f"s{seed}.toml"
                space.write_text(text.replace("seed = 1", f"seed = {seed}"))
                out = Path(tmp) / f"{name[0]}{seed}"
                subprocess.run(
                    [str(ROOT / "target/release/hpsearch"), "run", "-q", "-j", "1",
                     "--out", str(out), str(space)],
                    check=True, capture_output=True)
                r = next(csv.DictReader(open(out / "ranked.csv")))
                t = next(csv.DictReader(open(out / "test.csv")))
                results[name].append(
                    (float(r["val_loss"]), float(t["test_loss"]), float(t["test_accuracy"])))
    print(f"{args.seeds} sweep seeds, 24 random trials each, iris (test = 0.2)")
    print("| scoring | winner's val_loss (median) | its test_loss (median) | gap test − val (median) | gap > 0 (optimistic) | test accuracy (median) |")
    print("|---|---|---|---|---|---|")
    for name, rows in results.items():
        gaps = [t - v for v, t, _ in rows]
        print(f"| {name} | {statistics.median(v for v, _, _ in rows):.4f} "
              f"| {statistics.median(t for _, t, _ in rows):.4f} | {statistics.median(gaps):+.4f} "
              f"| {sum(g > 0 for g in gaps)} of {len(gaps)} "
              f"| {statistics.median(a for *_, a in rows):.4f} |")


if __name__ == "__main__":
    main()
