#!/usr/bin/python3
#===- scripts/models/top1.py - Top-1 accuracy of a logits array -----------===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""Prints the top-1 accuracy of LOGITS.npy ([N, classes]) against
LABELS.npy ([N]); with --reference REF.npy also the top-1 agreement with a
reference model's logits.

With --min P the exit code is 1 if the accuracy is below P percent.

Usage: top1.py LOGITS.npy LABELS.npy [--reference REF.npy] [--min P]
"""

import argparse

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("logits")
    parser.add_argument("labels")
    parser.add_argument("--reference")
    parser.add_argument("--min", type=float)
    opts = parser.parse_args()
    logits = np.load(opts.logits)
    labels = np.load(opts.labels)
    logits = logits.reshape(len(labels), -1)
    predicted = logits.argmax(-1)
    correct = int((predicted == labels).sum())
    print(f"top-1 {100 * correct / len(labels):.2f}% "
          f"({correct}/{len(labels)})")
    if opts.reference:
        ref = np.load(opts.reference).reshape(len(labels), -1).argmax(-1)
        agree = int((ref == predicted).sum())
        print(f"top-1 agreement with reference {100 * agree / len(labels):.2f}%"
              f" ({agree}/{len(labels)})")
    if opts.min is not None and 100 * correct / len(labels) < opts.min:
        print(f"below the required {opts.min:.2f}%")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
