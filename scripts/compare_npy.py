#!/usr/bin/python3
#===- scripts/compare_npy.py - Compare two arrays with tolerances ---------===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""Compares an output array with a reference and prints the agreement
(max abs error, relative error, cosine similarity, SQNR in dB, top-1
agreement along the last axis). Exits 1 if any value differs by more than
atol + rtol·|ref|, where atol is --atol-rel times the largest |ref|.

Usage: compare_npy.py REFERENCE.npy ACTUAL.npy [--rtol 1e-3] [--atol-rel 1e-4]
"""

import argparse
import sys

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("reference")
    parser.add_argument("actual")
    parser.add_argument("--rtol", type=float, default=1e-3)
    parser.add_argument("--atol-rel", type=float, default=1e-4)
    opts = parser.parse_args()
    ref = np.load(opts.reference).astype(np.float64)
    act = np.load(opts.actual).astype(np.float64)
    if ref.shape != act.shape:
        print(f"shape mismatch: reference {ref.shape}, actual {act.shape}")
        return 1
    err = np.abs(act - ref)
    atol = opts.atol_rel * np.abs(ref).max(initial=0)
    bad = err > atol + opts.rtol * np.abs(ref)
    cos = float(np.dot(ref.ravel(), act.ravel()) /
                (np.linalg.norm(ref) * np.linalg.norm(act) + 1e-300))
    noise = float(np.sum((act - ref) ** 2))
    sqnr = 10 * np.log10(np.sum(ref ** 2) / noise) if noise else float("inf")
    top1 = float(np.mean(ref.reshape(-1, ref.shape[-1]).argmax(-1) ==
                         act.reshape(-1, act.shape[-1]).argmax(-1)))
    print(f"max abs err {err.max():.3g} (max |ref| "
          f"{np.abs(ref).max():.3g}), cosine {cos:.6f}, SQNR {sqnr:.1f} dB, "
          f"top-1 agreement {100 * top1:.1f}%, {int(bad.sum())} of {bad.size} "
          f"values out of tolerance")
    return 1 if bad.any() else 0


if __name__ == "__main__":
    sys.exit(main())
