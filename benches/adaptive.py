"""Search strategies side by side on the same space: best validation loss, epochs trained and
wall time per sweep seed, then the medians.

--group adaptive (issue 10): random search with 64 configurations × 27 epochs, Hyperband
(R = 27, η = 3, budget = 576) and successive halving (81 configurations, r = 1, η = 3).
--group tpe (issue 13): random search and TPE with 60 trials each, and Hyperband (budget 576)
with random and with TPE configurations.
--group hyperband-tpe: the two Hyperband rows of --group tpe only.

The space is search-spaces/digits-hyperband.toml's (digits-random.toml's parameters, R = 27);
only its seed and [search] table change.

    cargo build --release
    python3 benches/adaptive.py [--group adaptive|tpe|hyperband-tpe] [--seeds 1,2,3,4,5] [--jobs 1]

Standard library only; writes its results under a temporary directory.
"""

import argparse
import csv
import re
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BINARY = ROOT / "target" / "release" / "hpsearch"

HYPERBAND = 'strategy = "hyperband"\nmin_epochs = 1\nreduction = 3\nbudget = 576\n'
GROUPS = {
    "adaptive": {
        "random 64 × 27": 'strategy = "random"\ntrials = 64\n',
        "hyperband 576": HYPERBAND,
        "halving 81": 'strategy = "halving"\ntrials = 81\nmin_epochs = 1\nreduction = 3\n',
    },
    "tpe": {
        "random 60": 'strategy = "random"\ntrials = 60\n',
        "tpe 60": 'strategy = "tpe"\ntrials = 60\n',
        "hyperband 576 random": HYPERBAND,
        "hyperband 576 tpe": HYPERBAND + 'sampler = "tpe"\n',
    },
    "hyperband-tpe": {
        "hyperband 576 random": HYPERBAND,
        "hyperband 576 tpe": HYPERBAND + 'sampler = "tpe"\n',
    },
}


def space_text(base: str, seed: int, search: str, folder: Path) -> str:
    """The base space with its seed and [search] table replaced, and its data paths made
    absolute (relative ones are relative to the base space's `folder`)."""
    text = re.sub(
        r'(?m)^(path|test_path|images|labels|test_images|test_labels)\s*=\s*"([^"]+)"',
        lambda m: f'{m.group(1)} = "{(folder / m.group(2)).resolve()}"',
        base,
    )
    text = re.sub(r"(?m)^seed = .*$", f"seed = {seed}", text)
    text = re.sub(r"(?ms)^\[search\].*?(?=^\[params\])", "[search]\n" + search + "\n", text)
    return text


def run(space: Path, out: Path, jobs: int) -> tuple[float, int, float]:
    start = time.perf_counter()
    subprocess.run(
        [str(BINARY), "run", "-q", "-j", str(jobs), "--out", str(out), str(space)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - start
    with open(out / "ranked.csv", newline="") as f:
        best = next(csv.DictReader(f))
    with open(out / "curves.csv", newline="") as f:
        epochs = sum(1 for _ in f) - 1
    return float(best["val_loss"]), epochs, wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--group", choices=sorted(GROUPS), default="adaptive")
    parser.add_argument("--seeds", default="1,2,3,4,5")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--space", default=str(ROOT / "search-spaces" / "digits-hyperband.toml"))
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    base = Path(args.space).read_text()
    searches = GROUPS[args.group]
    results: dict[str, list[tuple[float, int, float]]] = {name: [] for name in searches}
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            # Interleave the searches within a seed, so machine load hits them alike.
            for name, search in searches.items():
                slug = "-".join(name.split())
                space = Path(tmp) / f"{slug}-{seed}.toml"
                space.write_text(space_text(base, seed, search, Path(args.space).resolve().parent))
                r = run(space, Path(tmp) / f"{slug}-{seed}", args.jobs)
                results[name].append(r)
                print(f"seed {seed} {name}: best val_loss {r[0]:.4f}, {r[1]} epochs, {r[2]:.1f} s", flush=True)
    print()
    print("| search | median best val_loss | per seed | median epochs trained | median wall (s) |")
    print("|---|---|---|---|---|")
    for name, rows in results.items():
        losses = [r[0] for r in rows]
        print(
            f"| {name} | {statistics.median(losses):.4f} | {', '.join(f'{x:.4f}' for x in losses)} "
            f"| {statistics.median(r[1] for r in rows):.0f} | {statistics.median(r[2] for r in rows):.1f} |"
        )


if __name__ == "__main__":
    main()
