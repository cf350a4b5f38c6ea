#!/usr/bin/python3
#===- scripts/models/evaluate.py - Top-1 of a model under mote-run --------===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""Runs a batch-1 model (.mlir, float or quantized) on the reference
interpreter over the images of an .npz (arrays `images` [N, ...] and
`labels` [N], as scripts/models/fashion_mnist.py writes them) and prints
the top-1 accuracy; with --reference OTHER.mlir also the other model's
accuracy, the top-1 agreement and the mean cosine similarity of the logits.

All images go to mote-run in one call; it runs them in parallel on all
cores (10,000 Fashion-MNIST images take about a second in float).

Usage: evaluate.py MODEL.mlir DATA.npz [--count N] [--reference REF.mlir]
                   [--mote-run PATH] [--save-logits OUT.npy]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np


def run_model(mote_run, model, images, workdir, tag):
    """Runs all images through mote-run in one batched call (mote-run splits
    a [N, ...] input for a batch-1 model into N samples, one per core)."""
    x = os.path.join(workdir, tag + ".input.npy")
    np.save(x, images.astype(np.float32))
    out = os.path.join(workdir, tag)
    proc = subprocess.run([mote_run, model, "--input", x, "--output-dir", out],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True)
    if proc.returncode != 0:
        sys.exit(f"evaluate.py: mote-run failed: {proc.stderr.strip()}")
    files = sorted(f for f in os.listdir(out) if f.endswith(".npy"))
    logits = np.load(os.path.join(out, files[0]))
    return logits.reshape(len(images), -1)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("data")
    parser.add_argument("--count", type=int, default=0, help="0 = all")
    parser.add_argument("--reference")
    parser.add_argument("--mote-run", default=shutil.which("mote-run")
                        or "build/bin/mote-run")
    parser.add_argument("--save-logits")
    opts = parser.parse_args()
    data = np.load(opts.data)
    images, labels = data["images"], data["labels"]
    if opts.count:
        images, labels = images[:opts.count], labels[:opts.count]
    with tempfile.TemporaryDirectory() as workdir:
        logits = run_model(opts.mote_run, opts.model, images, workdir, "model")
        ref = (run_model(opts.mote_run, opts.reference, images, workdir,
                         "reference") if opts.reference else None)
    if opts.save_logits:
        np.save(opts.save_logits, logits)
    pred = logits.argmax(-1)
    print(f"{opts.model}: top-1 {100 * np.mean(pred == labels):.2f}% "
          f"({int(np.sum(pred == labels))}/{len(labels)})")
    if ref is not None:
        rpred = ref.argmax(-1)
        cos = np.sum(logits * ref, -1) / (np.linalg.norm(logits, axis=-1) *
                                          np.linalg.norm(ref, axis=-1) + 1e-30)
        print(f"{opts.reference}: top-1 {100 * np.mean(rpred == labels):.2f}%")
        print(f"top-1 agreement {100 * np.mean(pred == rpred):.2f}%, "
              f"mean logit cosine {np.mean(cos):.4f}")


if __name__ == "__main__":
    main()
