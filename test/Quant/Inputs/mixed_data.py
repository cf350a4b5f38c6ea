"""Writes calibration data for test/Quant/mixed-precision*.mlir: 200
samples of a [1, 16] input (one [200, 16] array), fixed seed."""
import os
import sys

import numpy as np

rng = np.random.default_rng(1)
x = rng.normal(0.0, 1.0, (200, 16)).astype(np.float32)
np.save(os.path.join(sys.argv[1], "x.npy"), x)
