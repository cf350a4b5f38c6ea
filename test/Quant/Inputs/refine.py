"""Data and checks for the teacher-guided refinement tests.

x DIR SHAPE...:  DIR/x.npy, 16 standard-normal samples as one [16*b, ...] batch.
bias DIR:        DIR/bias.npy, two [1, 2] samples [1, 3] and [3, 5] (mean [2, 4]).
spread DIR:      DIR/spread.npy, 256 [1, 8] samples, uniform in [-1, 1].
first DIR:       DIR/first.npy, 256 [1, 8] samples, only element 0 non-zero.
close A B RTOL:  fails unless max|A - B| <= RTOL * max|A|; prints "close".
"""
import sys

import numpy as np

cmd = sys.argv[1]
rng = np.random.default_rng(0)
if cmd == "x":
    out, shape = sys.argv[2], [int(d) for d in sys.argv[3:]]
    x = rng.standard_normal([16 * shape[0]] + shape[1:]).astype(np.float32)
    np.save(out + "/x.npy", x)
elif cmd == "bias":
    np.save(sys.argv[2] + "/bias.npy",
            np.array([[1.0, 3.0], [3.0, 5.0]], dtype=np.float32))
elif cmd == "spread":
    np.save(sys.argv[2] + "/spread.npy",
            rng.uniform(-1, 1, size=(256, 8)).astype(np.float32))
elif cmd == "first":
    x = np.zeros((256, 8), dtype=np.float32)
    x[:, 0] = rng.uniform(-1, 1, size=256)
    np.save(sys.argv[2] + "/first.npy", x)
elif cmd == "close":
    a = np.load(sys.argv[2]).astype(np.float64)
    b = np.load(sys.argv[3]).astype(np.float64)
    err = np.max(np.abs(a - b)) / max(np.max(np.abs(a)), 1e-30)
    print("relative max error %.3g" % err)
    if a.shape != b.shape or not err <= float(sys.argv[4]):
        sys.exit("not close")
    print("close")
