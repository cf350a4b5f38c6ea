#!/usr/bin/python3
"""Differential test: random one-tile convolutions (gen_conv.py) on several
targets and variants, run by mote-sim --raw, compared bit for bit with the
numpy reference. Usage: diff_conv.py WORKDIR BIN_DIR SEEDS"""
import os
import subprocess
import sys

import numpy as np

work, bindir, seeds = sys.argv[1], sys.argv[2], int(sys.argv[3])
here = os.path.dirname(os.path.abspath(__file__))
variants = ["", "depthwise", "signed stride2", "depthwise signed dilate",
            "relu dilate stride2", "signed"]
failures = 0
runs = 0
for target in ["mote-default", "mote-d2", "mote-d8", "mote-small"]:
    info = subprocess.run([os.path.join(bindir, "mote-target"), target],
                          check=True, capture_output=True, text=True).stdout
    thash = next(l.split()[1] for l in info.splitlines()
                 if l.strip().startswith("hash"))
    digits = next(l.split()[5] for l in info.splitlines()
                  if l.strip().startswith("mac array"))
    d = int(digits.split("-")[0])
    for seed in range(seeds):
        flags = variants[seed % len(variants)].split()
        # Every other program runs its passes as one MATMUL chain.
        if (seed // len(variants)) % 2 == 1 or seed % 2 == 1:
            flags.append("chain")
        out = os.path.join(work, f"{target}-{seed}")
        subprocess.run([sys.executable, os.path.join(here, "gen_conv.py"), out,
                        target, thash, str(d), str(seed)] + flags, check=True)
        r = subprocess.run([os.path.join(bindir, "mote-sim"),
                            os.path.join(out, "prog.masm"), "--raw", "--quiet",
                            "--input", "x=" + os.path.join(out, "x.npy"),
                            "--output-dir", os.path.join(out, "out")],
                           capture_output=True, text=True)
        runs += 1
        if r.returncode != 0:
            print(f"FAIL {target} seed {seed} {flags}: {r.stderr}")
            failures += 1
            continue
        got = np.load(os.path.join(out, "out", "y.npy"))
        want = np.load(os.path.join(out, "expected.npy"))
        if got.dtype != want.dtype or got.shape != want.shape or \
                not (got == want).all():
            print(f"MISMATCH {target} seed {seed} {flags}")
            failures += 1
print(f"{runs} programs, {failures} failures")
