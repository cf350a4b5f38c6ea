"""Data and an independent check for the mote-compare tests.

gen DIR:             DIR/calib.npy (64 samples [64, 8, 8, 1]), DIR/x.npy
                     (16 samples [16, 8, 8, 1]) and DIR/labels.npy (16 int64
                     class indices in [0, 4)), all from a fixed seed.
sqnr REPORT.json A B: recomputes the SQNR of output B against A with numpy
                     and checks it against the report's first output.
"""
import json
import sys

import numpy as np

cmd = sys.argv[1]
if cmd == "gen":
    out = sys.argv[2]
    rng = np.random.default_rng(0)
    np.save(out + "/calib.npy",
            rng.standard_normal([64, 8, 8, 1]).astype(np.float32))
    np.save(out + "/x.npy", rng.standard_normal([16, 8, 8, 1]).astype(np.float32))
    np.save(out + "/labels.npy", rng.integers(0, 4, size=16).astype(np.int64))
elif cmd == "sqnr":
    report = json.load(open(sys.argv[2]))
    a = np.load(sys.argv[3]).astype(np.float64).ravel()
    b = np.load(sys.argv[4]).astype(np.float64).ravel()
    sqnr = 10 * np.log10(np.sum(a ** 2) / np.sum((a - b) ** 2))
    cosine = a @ b / (np.linalg.norm(a) * np.linalg.norm(b))
    got = report["outputs"][0]
    print("numpy sqnr %.4f dB, mote-compare %.4f dB" % (sqnr, got["sqnr_db"]))
    if abs(sqnr - got["sqnr_db"]) > 1e-3 or abs(cosine - got["cosine"]) > 1e-6:
        print("FAIL: mismatch")
        sys.exit(1)
    print("SQNR OK")
