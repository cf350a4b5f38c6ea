#!/usr/bin/python3
"""mote.compile(..., input_shapes=) on an ONNX export with symbolic batch,
height and width: without the shapes motec names the input, dimension and
flag; with them the model compiles and runs, matching torch. Prints what it
checks; exits non-zero on failure."""
import os
import sys
import tempfile

import numpy as np
import torch
from torch import nn

sys.path.insert(0, sys.argv[1])  # <mote source>/python
import mote  # noqa: E402

torch.manual_seed(0)
net = nn.Sequential(
    nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(8, 4, 3, padding=1), nn.ReLU(),
    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3)).eval()
rng = np.random.default_rng(0)
calib = rng.standard_normal((16, 3, 8, 12)).astype(np.float32)
work = tempfile.mkdtemp(prefix="mote-shapes-")
path = os.path.join(work, "dyn.onnx")
torch.onnx.export(net, torch.from_numpy(calib[:1]), path, opset_version=13,
                  input_names=["x"], output_names=["y"],
                  dynamic_axes={"x": {0: "N", 2: "H", 3: "W"}})

try:
    mote.compile(path, calib=calib)
    raise SystemExit("compiling without input_shapes should fail")
except mote.MoteError as e:
    assert "dynamic dimension 'H' at index 2" in str(e), str(e)
    assert "--input-shape x=" in str(e), str(e)
    print("shapes: symbolic H without input_shapes is an error naming it")

try:
    mote.compile(path, calib=calib, input_shapes={"x": (1, 4, 8, 12)})
    raise SystemExit("a contradicting shape should fail")
except mote.MoteError as e:
    assert "but the model fixes it to 3" in str(e), str(e)
    print("shapes: a shape contradicting the model is an error")

compiled = mote.compile(path, calib=calib, input_shapes={"x": (1, 3, 8, 12)})
out = compiled.run(calib[:4])
with torch.no_grad():
    ref = net(torch.from_numpy(calib[:4])).numpy()
cos = float((out * ref).sum() / np.sqrt((out ** 2).sum() * (ref ** 2).sum()))
print(f"shapes: output {out.shape} cosine {cos:.3f}")
assert out.shape == ref.shape and cos > 0.95, (out.shape, cos)
print("shapes: ok")
