"""Writes a conv chain (torch, random seeded weights) whose feature maps do
not fit the 32 KiB activation buffer of mote-small, so the backend
cascades it: chain.onnx, calib.npy (8 samples), input.npy (1).

Seed 0 is a fixed chain (conv, depthwise, pointwise, max pool, strided
conv on 48x48); any other seed draws a random chain of row-local layers
(dense, depthwise and grouped convs of kernel 1/3/5, strides 1/2, padding,
ReLU/ReLU6, max/average pools) on a 32..64-pixel input, for differential
testing of cascades."""
import argparse
import random

import numpy as np
import torch

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--seed", type=int, default=0)
a = ap.parse_args()
torch.manual_seed(a.seed)
if a.seed == 0:
    size, cin = 48, 3
    net = torch.nn.Sequential(
        torch.nn.Conv2d(3, 16, 3, padding=1), torch.nn.ReLU(),
        torch.nn.Conv2d(16, 16, 3, padding=1, groups=16), torch.nn.ReLU6(),
        torch.nn.Conv2d(16, 24, 1), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(24, 8, 3, stride=2, padding=1),
    )
else:
    r = random.Random(a.seed)
    size, cin = r.randint(32, 64), r.randint(1, 4)
    layers, c, h = [], cin, size
    for _ in range(r.randint(2, 6)):
        kind = r.choice(["conv", "conv", "dw", "pw", "pool"])
        if kind == "pool" and h >= 8:
            k = r.choice([2, 3])
            pool = r.choice([torch.nn.MaxPool2d, torch.nn.AvgPool2d])
            layers.append(pool(k, stride=r.choice([1, 2]), padding=k // 2 if k == 3 else 0))
        elif kind == "dw":
            k = r.choice([3, 5])
            layers += [torch.nn.Conv2d(c, c, k, stride=r.choice([1, 1, 2]),
                                       padding=k // 2, groups=c),
                       r.choice([torch.nn.ReLU(), torch.nn.ReLU6()])]
        else:
            k = 1 if kind == "pw" else r.choice([1, 3, 3, 5])
            o = r.choice([8, 12, 16, 24, 32])
            g = r.choice([1, 1, 2]) if c % 2 == 0 and o % 2 == 0 else 1
            layers += [torch.nn.Conv2d(c, o, k, stride=r.choice([1, 1, 2]),
                                       padding=r.choice([0, k // 2]), groups=g),
                       torch.nn.ReLU()]
            c = o
        h = torch.nn.Sequential(*layers)(torch.zeros(1, cin, size, size)).shape[-1]
        if h < 4:
            break
    net = torch.nn.Sequential(*layers)
net = net.eval()
x = torch.randn(1, cin, size, size)
torch.onnx.export(net, x, f"{a.out}/chain.onnx", input_names=["x"],
                  output_names=["y"], opset_version=13)
rng = np.random.default_rng(a.seed)
np.save(f"{a.out}/calib.npy",
        rng.standard_normal((8, cin, size, size)).astype(np.float32))
np.save(f"{a.out}/input.npy",
        rng.standard_normal((1, cin, size, size)).astype(np.float32))
print(f"chain seed {a.seed}: {size}x{size}x{cin} input, {len(net)} modules")
