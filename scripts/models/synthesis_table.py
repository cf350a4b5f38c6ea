#!/usr/bin/python3
#===- scripts/models/synthesis_table.py - Synthesis SQNR / energy table ---===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""Prints the markdown tables of docs/Synthesis.md: for every conv / FC
layer of the Fashion-MNIST CNN, ResNet-8 and MobileNetV1-0.25, the weight
SQNR of uniform, residual and learned weights at equal weight bits (2, 3
and 4: K x 1-bit terms against uniform K-bit), from `mote-compare
--synth-sqnr`; and per model the simulated energy per inference of each
(motec --synth residual|learned --synth-terms K --synth-bits 1, every
layer synthesized with --synth-min-gain-db -1000; uniform 4-bit weights
are --precision w4a8; uniform 2- and 3-bit weights have no motec
precision), on mote-default.

Usage: synthesis_table.py BUILD_DIR [--work DIR]
  The MLPerf Tiny models come from scripts/models/mlperf_tiny.py (random
  weights, seeded), written to the work directory.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PY = "/usr/bin/python3"


def run(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    if proc.returncode != 0:
        sys.exit(f"synthesis_table.py: {' '.join(cmd)} failed:\n{proc.stderr}")
    return proc.stdout


def energy(bindir, model, calib, work, tag, extra):
    report = os.path.join(work, f"{tag}.json")
    run([os.path.join(bindir, "motec"), model, "--calib", calib, "-o",
         os.path.join(work, f"{tag}.mbin"), "--report", report, "--quiet",
         "--no-summary"] + extra)
    with open(report) as f:
        return json.load(f)["simulator"]["total"]["energy_uj"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("build")
    ap.add_argument("--work", default=None)
    args = ap.parse_args()
    bindir = os.path.join(os.path.abspath(args.build), "bin")
    work = args.work or tempfile.mkdtemp(prefix="synth-table-")
    os.makedirs(work, exist_ok=True)
    run([PY, os.path.join(HERE, "mlperf_tiny.py"), work, "--calib", "16",
         "--models", "resnet8,mobilenet_v1_025"])
    fm_calib = os.path.join(work, "fashion_calib")
    run([PY, os.path.join(HERE, "fashion_mnist.py"), fm_calib, "--npy",
         "--split", "train", "--count", "200"])
    models = [
        ("Fashion-MNIST CNN", os.path.join(ROOT, "models", "fashion_mnist_cnn.onnx"),
         os.path.join(fm_calib, "images.npy")),
        ("ResNet-8", os.path.join(work, "resnet8.onnx"),
         os.path.join(work, "resnet8.calib.npy")),
        ("MobileNetV1-0.25", os.path.join(work, "mobilenet_v1_025.onnx"),
         os.path.join(work, "mobilenet_v1_025.calib.npy")),
    ]
    bits = [2, 3, 4]
    for title, model, calib in models:
        out = os.path.join(work, os.path.basename(model) + ".sqnr.json")
        cmd = [os.path.join(bindir, "mote-compare"), model, "--json", out]
        for k in bits:
            cmd += ["--synth-sqnr", f"{k}x1"]
        run(cmd)
        with open(out) as f:
            configs = json.load(f)["synthesis_sqnr"]
        print(f"### {title}\n")
        print("Weight SQNR in dB (uniform K-bit / residual K x 1-bit / "
              "learned K x 1-bit):\n")
        print("| layer | " + " | ".join(f"{k} bits" for k in bits) + " |")
        print("|---|" + "---|" * len(bits))
        for i, layer in enumerate(configs[0]["layers"]):
            cells = []
            for c in configs:
                l = c["layers"][i]
                cells.append(f"{l['sqnr_uniform_db']} / {l['sqnr_residual_db']}"
                             f" / **{l['sqnr_learned_db']}**"
                             if l["sqnr_learned_db"] >= max(
                                 l["sqnr_uniform_db"], l["sqnr_residual_db"])
                             else f"{l['sqnr_uniform_db']} / "
                             f"{l['sqnr_residual_db']} / {l['sqnr_learned_db']}")
            print(f"| `{layer['name']}` | " + " | ".join(cells) + " |")
        tag = os.path.basename(model).split(".")[0]
        int8 = energy(bindir, model, calib, work, f"{tag}-int8", [])
        rows = []
        for k in bits:
            uni = (f"{energy(bindir, model, calib, work, f'{tag}-w4', ['--precision', 'w4a8']):.2f}"
                   if k == 4 else "—")
            res = energy(bindir, model, calib, work, f"{tag}-res{k}",
                         ["--synth", "residual", "--synth-terms", str(k),
                          "--synth-bits", "1"])
            lrn = energy(bindir, model, calib, work, f"{tag}-lrn{k}",
                         ["--synth", "learned", "--synth-terms", str(k),
                          "--synth-bits", "1", "--synth-min-gain-db", "-1000"])
            rows.append(f"| {k} | {uni} | {res:.2f} | {lrn:.2f} |")
        print(f"\nSimulated energy per inference on mote-default, µJ "
              f"(int8: {int8:.2f}):\n")
        print("| weight bits | uniform | residual | learned |")
        print("|---|---|---|---|")
        print("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
