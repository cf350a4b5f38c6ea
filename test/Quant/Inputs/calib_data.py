"""Writes the calibration data of test/Quant/calibrate.mlir into a directory."""
import os
import sys

import numpy as np

out = sys.argv[1]
# Three samples for a batch-1 argument of shape [1, 4], as one [3, 4] batch.
x = np.array([[-1.0, 0.5, 2.0, 3.0],
              [0.0, 0.0, 0.0, 0.0],
              [-4.0, 1.0, 1.0, 1.0]], dtype=np.float32)
np.save(os.path.join(out, "x.npy"), x)
# The same as uint8 data is converted to float.
np.save(os.path.join(out, "u8.npy"), np.array([[0, 7, 200, 3]], dtype=np.uint8))
# Two named arguments from one .npz.
np.savez(os.path.join(out, "two.npz"), a=x, b=-2.0 * x)
# A directory of .npy files, one sample each.
os.makedirs(os.path.join(out, "dir"), exist_ok=True)
for i in range(3):
    np.save(os.path.join(out, "dir", "s%d.npy" % i), x[i:i + 1])
# Heavy-tailed data for the histogram methods: Laplace plus one outlier.
rng = np.random.default_rng(0)
h = rng.laplace(size=(2000, 4)).astype(np.float32)
h[7, 2] = 60.0
np.save(os.path.join(out, "heavy.npy"), h)
# A batch whose rows do not match the argument.
np.save(os.path.join(out, "bad.npy"), np.zeros((3, 5), dtype=np.float32))
