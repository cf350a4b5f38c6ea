#!/usr/bin/python3
#===- scripts/models/mixed_table.py - Energy / accuracy results table -----===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""Measures top-1 and estimated energy of the bundled Fashion-MNIST model
for float, int8, int4, W4A8, learned synthesis and mixed precision at two
budgets on one target, and prints a markdown table (docs/MixedPrecision.md).

Calibration: the first 1,000 training images (percentile); every quantized
row uses --mote-quantize's teacher-guided refinements (data=). Top-1: the
test images (all 10,000 by default) on the bit-exact integer interpreter.
Energy and latency: --mote-estimate-cost on each quantized model, i.e. one
formula (mote/Quant/CostModel.h) for every row.

Usage: mixed_table.py BUILD_DIR [--work DIR] [--count N] [--target NAME]
                      [--budgets 0.5,1.5]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import evaluate  # noqa: E402


def run(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    if proc.returncode != 0:
        sys.exit(f"mixed_table.py: {' '.join(cmd)} failed:\n{proc.stderr}")
    return proc


def main():
    parser = argparse.ArgumentParser(description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build")
    parser.add_argument("--work", help="keep data, models and plans here")
    parser.add_argument("--count", type=int, default=0,
                        help="test images (0 = all 10,000)")
    parser.add_argument("--target", default="mote-default")
    parser.add_argument("--budgets", default="0.5,1.5")
    opts = parser.parse_args()
    bindir = os.path.join(opts.build, "bin")
    tool = {t: os.path.join(bindir, t)
            for t in ("mote-opt", "mote-run", "mote-translate")}
    work = opts.work or tempfile.mkdtemp(prefix="mixed_table.")
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
    data = np.load(test)
    images, labels = data["images"], data["labels"]
    if opts.count:
        images, labels = images[:opts.count], labels[:opts.count]

    # Bytecode keeps the ONNX node names, so plans are keyed by layer name.
    fm = os.path.join(work, "fm.mlirbc")
    run([tool["mote-translate"], "--import-onnx",
         os.path.join(ROOT, "models", "fashion_mnist_cnn.onnx"),
         "--emit-bytecode", "-o", fm])
    cal = os.path.join(work, "fm.cal.mlirbc")
    run([tool["mote-opt"], fm, f"--mote-calibrate=data={calib}",
         "--emit-bytecode", "-o", cal])

    def top1(model):
        logits = evaluate.run_model(tool["mote-run"], model, images, work,
                                    "eval")
        return 100.0 * np.mean(logits.argmax(-1) == labels)

    def cost(model):
        out = os.path.join(work, "cost.json")
        run([tool["mote-opt"], model,
             f"--mote-estimate-cost=target={opts.target} json={out}",
             "-o", os.devnull])
        with open(out) as f:
            c = json.load(f)
        return c["total"]["energy_uj"], c["latency_us"]

    def quantize(name, passes):
        out = os.path.join(work, name + ".mlirbc")
        run([tool["mote-opt"], cal] + passes + ["--emit-bytecode", "-o", out])
        return out

    rows = []  # (name, bits, model or None)
    rows.append(("float", "f32", None))
    for name, prec in (("int8", "int8"), ("int4", "int4"), ("W4A8", "w4a8")):
        rows.append((name, prec.upper() if prec != "w4a8" else "W4 A8",
                     quantize(name, [f"--mote-quantize=precision={prec} "
                                     f"data={calib}"])))
    rows.append(("learned synthesis", "4×1-bit terms (LQ-Nets) on int8",
                 quantize("learned", [
                     f"--mote-quantize=precision=int8 data={calib}",
                     "--mote-quant-synthesis=mode=learned terms=4 bits=1 "
                     "min-gain-db=1"])))
    for budget in opts.budgets.split(","):
        plan = os.path.join(work, f"plan-{budget}.txt")
        model = quantize(f"mixed-{budget}", [
            f"--mote-mixed-precision=data={calib} target={opts.target} "
            f"budget={budget} plan-out={plan}"])
        with open(plan) as f:
            choice = [ln.split()[:3] for ln in f
                      if ln.strip() and not ln.startswith("#")
                      and not ln.startswith("*")]
        layers = [f"W{w}A{a}" for _, w, a in choice
                  if "Conv" in _ or "Gemm" in _]
        rows.append((f"mixed, budget {budget}",
                     "stem dw pw down conv fc: " + " ".join(layers), model))

    float_top1 = top1(fm)
    base = None
    print(f"Target `{opts.target}`; top-1 on {len(labels)} test images; "
          "energy and latency estimated by `--mote-estimate-cost`.\n")
    print("| model | precision | top-1 | vs float | energy µJ/inference | "
          "vs int8 | latency µs |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, bits, model in rows:
        if model is None:
            print(f"| {name} | {bits} | {float_top1:.2f} % | | — | | — |",
                  flush=True)
            continue
        acc = top1(model)
        energy, latency = cost(model)
        if name == "int8":
            base = energy
        rel = f"{100 * (energy - base) / base:+.1f} %" if base else ""
        print(f"| {name} | {bits} | {acc:.2f} % | {acc - float_top1:+.2f} | "
              f"{energy:.3f} | {rel} | {latency:.1f} |", flush=True)


if __name__ == "__main__":
    main()
