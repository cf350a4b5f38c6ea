"""Data and comparisons for the end-to-end quantization tests.

gen DIR SHAPE...: DIR/calib.npy (64 random samples as one [64*b, ...] batch)
                  and DIR/x.npy (one more sample), standard normal.
ramp DIR N:       DIR/ramp.npy, shape [1, N], evenly spaced over [-5, 5].
compare A B MIN_COSINE: prints the cosine similarity and SQNR of B against
                  A and fails if the cosine is below MIN_COSINE.
"""
import sys

import numpy as np

cmd = sys.argv[1]
if cmd == "gen":
    out, shape = sys.argv[2], [int(d) for d in sys.argv[3:]]
    rng = np.random.default_rng(0)
    calib = rng.standard_normal([64 * shape[0]] + shape[1:]).astype(np.float32)
    np.save(out + "/calib.npy", calib)
    np.save(out + "/x.npy", rng.standard_normal(shape).astype(np.float32))
elif cmd == "ramp":
    out, n = sys.argv[2], int(sys.argv[3])
    np.save(out + "/ramp.npy", np.linspace(-5, 5, n, dtype=np.float32)[None])
elif cmd == "compare":
    a = np.load(sys.argv[2]).astype(np.float64).ravel()
    b = np.load(sys.argv[3]).astype(np.float64).ravel()
    cosine = float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-30))
    noise = np.sum((a - b) ** 2)
    sqnr = 10 * np.log10(np.sum(a ** 2) / noise) if noise > 0 else float("inf")
    print("cosine %.4f sqnr %.1f dB max_abs_err %.4g" %
          (cosine, sqnr, np.max(np.abs(a - b))))
    if cosine < float(sys.argv[4]):
        print("FAIL: cosine below", sys.argv[4])
        sys.exit(1)
    print("OK")
