#!/usr/bin/python3
"""The framework flow end to end (issue 8): a torch module goes through
mote.compile (torch.onnx.export -> motec) and runs on the simulator through
CompiledModel.run; its outputs must track torch's and its report must carry
the simulator's figures. Prints what it checks; exits non-zero on failure."""
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, sys.argv[1])  # <mote source>/python
import mote  # noqa: E402

torch.manual_seed(0)
net = nn.Sequential(
    nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(8, 8, 3, padding=1, groups=8), nn.ReLU(),
    nn.Conv2d(8, 16, 1), nn.ReLU(),
    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 5)).eval()
rng = np.random.default_rng(0)
calib = rng.standard_normal((64, 3, 16, 16)).astype(np.float32)
test = rng.standard_normal((8, 3, 16, 16)).astype(np.float32)

compiled = mote.compile(net, calib[:1], calib=calib, target=sys.argv[2],
                        precision="int8")
out = compiled.run(test)
with torch.no_grad():
    ref = net(torch.from_numpy(test)).numpy()
assert out.shape == ref.shape, (out.shape, ref.shape)
cos = float((out * ref).sum() / np.sqrt((out ** 2).sum() * (ref ** 2).sum()))
top1 = float((out.argmax(1) == ref.argmax(1)).mean())
report = compiled.report()
total = report["simulator"]["total"]
print(f"flow: output {out.shape} cosine {cos:.4f} top-1 agreement {top1:.2f}")
print(f"flow: {total['cycles']} cycles, {total['energy_uj']:.3f} uJ on "
      f"{report['target']}")
assert cos > 0.98, f"cosine {cos} vs torch"
assert total["cycles"] > 0 and total["energy_uj"] > 0
out2, stats = compiled.run(test[:1], stats=True)
assert np.array_equal(out2, out[:1]), "batch and single runs differ"
assert stats["total"]["cycles"] == total["cycles"]
print("flow: ok")
