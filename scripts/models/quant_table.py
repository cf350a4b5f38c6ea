#!/usr/bin/python3
#===- scripts/models/quant_table.py - PTQ refinement results table --------===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""Measures the teacher-guided PTQ refinements on the bundled Fashion-MNIST
model and prints a markdown table: top-1 on the test images (all 10,000 by
default) of the bit-exact integer interpreter, for every precision (int8
per-tensor / per-channel weights, W4A8, int4) and every refinement set
(none, --mote-equalize, weight-search, bias-correction, adaround and
combinations). Calibration: the first 1,000 training images, percentile.

Each cell runs
    mote-opt fm.mlir [--mote-equalize] --mote-calibrate="data=calib.npy"
        --mote-quantize="precision=P [per-channel=false] data=calib.npy OPTS"
and evaluate.py's batched mote-run.

Usage: quant_table.py BUILD_DIR [--work DIR] [--count N] [--quick]
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import evaluate  # noqa: E402

PRECISIONS = [
    ("int8, per-tensor weights", "precision=int8 per-channel=false"),
    ("int8, per-channel weights", "precision=int8"),
    ("W4A8 (4-bit per-channel weights)", "precision=w4a8"),
    ("int4", "precision=int4"),
]

# (column, equalize?, --mote-quantize refinement options)
COLUMNS = [
    ("none", False, "weight-search=false bias-correction=false adaround=false"),
    ("equalize", True, "weight-search=false bias-correction=false adaround=false"),
    ("weight-search", False,
     "weight-search=true bias-correction=false adaround=false"),
    ("bias-correction", False,
     "weight-search=false bias-correction=true adaround=false"),
    ("ws + bc", False, "weight-search=true bias-correction=true adaround=false"),
    ("ws + bc + adaround", False,
     "weight-search=true bias-correction=true adaround=true"),
    ("all (eq + ws + bc + adaround)", True,
     "weight-search=true bias-correction=true adaround=true"),
]


def run(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    if proc.returncode != 0:
        sys.exit(f"quant_table.py: {' '.join(cmd)} failed:\n{proc.stderr}")
    return proc


def main():
    parser = argparse.ArgumentParser(description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build")
    parser.add_argument("--work", help="keep data and models here")
    parser.add_argument("--count", type=int, default=0,
                        help="test images (0 = all 10,000)")
    parser.add_argument("--quick", action="store_true",
                        help="W4A8 only, for a fast check")
    opts = parser.parse_args()
    bindir = os.path.join(opts.build, "bin")
    tool = {t: os.path.join(bindir, t)
            for t in ("mote-opt", "mote-run", "mote-translate")}
    work = opts.work or tempfile.mkdtemp(prefix="quant_table.")
    os.makedirs(work, exist_ok=True)
    py = sys.executable
    test = os.path.join(work, "test.npz")
    calib = os.path.join(work, "calib", "images.npy")
    if not os.path.exists(test):
        run([py, os.path.join(HERE, "fashion_mnist.py"), test])
    if not os.path.exists(calib):
        run([py, os.path.join(HERE, "fashion_mnist.py"),
             os.path.join(work, "calib"), "--npy", "--split", "train",
             "--count", "1000"])
    fm = os.path.join(work, "fm.mlir")
    run([tool["mote-translate"], "--import-onnx",
         os.path.join(ROOT, "models", "fashion_mnist_cnn.onnx"), "-o", fm])
    data = np.load(test)
    images, labels = data["images"], data["labels"]
    if opts.count:
        images, labels = images[:opts.count], labels[:opts.count]

    def top1(model):
        logits = evaluate.run_model(tool["mote-run"], model, images, work,
                                    "eval")
        return 100.0 * np.mean(logits.argmax(-1) == labels)

    # Calibrated float models, with and without equalization.
    calibrated = {}
    for eq in (False, True):
        out = os.path.join(work, "cal%s.mlir" % ("-eq" if eq else ""))
        run([tool["mote-opt"], fm] + (["--mote-equalize"] if eq else []) +
            [f"--mote-calibrate=data={calib}", "-o", out])
        calibrated[eq] = out
    float_top1 = top1(fm)
    float_eq_top1 = top1(calibrated[True])

    header = "| model | " + " | ".join(c[0] for c in COLUMNS) + " |"
    print(header)
    print("|" + " --- |" * (len(COLUMNS) + 1))
    print(f"| float | {float_top1:.2f} % | {float_eq_top1:.2f} % |" +
          " |" * (len(COLUMNS) - 2))
    precisions = PRECISIONS[2:3] if opts.quick else PRECISIONS
    for name, popts in precisions:
        cells = []
        for _, eq, ropts in COLUMNS:
            q = os.path.join(work, "q.mlir")
            run([tool["mote-opt"], calibrated[eq],
                 f"--mote-quantize={popts} data={calib} {ropts}", "-o", q])
            cells.append(top1(q))
        best = max(cells)
        print(f"| {name} | " + " | ".join(
            (f"**{c:.2f} %**" if c == best else f"{c:.2f} %") for c in cells)
              + " |", flush=True)


if __name__ == "__main__":
    main()
