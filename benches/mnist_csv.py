#!/usr/bin/env python3
"""Writes MNIST's 60,000 training images as CSV for benches/csv_load.py (issue 16).

    python3 benches/mnist_csv.py OUT.csv [MNIST_DIR]

Columns: label, then p0..p783 as integers 0-255; 109.6 MB. Needs numpy.
"""
from pathlib import Path
import gzip, sys
import numpy as np

if len(sys.argv) < 2 or sys.argv[1].startswith("-"):
    sys.exit(__doc__)
d = (sys.argv[2] if len(sys.argv) > 2 else str(Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "mnist")) + "/"
with gzip.open(d + "train-images-idx3-ubyte.gz") as f:
    x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)
with gzip.open(d + "train-labels-idx1-ubyte.gz") as f:
    y = np.frombuffer(f.read(), np.uint8, offset=8)
with open(sys.argv[1], "w") as out:
    out.write("label," + ",".join(f"p{i}" for i in range(784)) + "\n")
    for yi, xi in zip(y, x):
        out.write(f"{yi}," + ",".join(map(str, xi.tolist())) + "\n")
