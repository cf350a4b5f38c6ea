"""Writes a small conv chain (torch, random seeded weights) whose 48x48
feature maps do not fit the 32 KiB activation buffer of mote-small, so the
backend cascades it: chain.onnx, calib.npy (8 samples), input.npy (1)."""
import sys

import numpy as np
import torch

out = sys.argv[1]
torch.manual_seed(0)
net = torch.nn.Sequential(
    torch.nn.Conv2d(3, 16, 3, padding=1), torch.nn.ReLU(),
    torch.nn.Conv2d(16, 16, 3, padding=1, groups=16), torch.nn.ReLU6(),
    torch.nn.Conv2d(16, 24, 1), torch.nn.ReLU(),
    torch.nn.MaxPool2d(2),
    torch.nn.Conv2d(24, 8, 3, stride=2, padding=1),
).eval()
x = torch.randn(1, 3, 48, 48)
torch.onnx.export(net, x, f"{out}/chain.onnx", input_names=["x"],
                  output_names=["y"], opset_version=13)
rng = np.random.default_rng(0)
np.save(f"{out}/calib.npy", rng.standard_normal((8, 3, 48, 48)).astype(np.float32))
np.save(f"{out}/input.npy", rng.standard_normal((1, 3, 48, 48)).astype(np.float32))
