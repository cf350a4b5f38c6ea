#!/usr/bin/python3
#===- scripts/models/export_npu_ops.py - Small models for NPU op tests ----===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""Exports small seeded torch models that exercise the NPU lowering's less
common layers, with a calibration set and one input, for bit-exactness tests
(motec --verify, or mote-run vs mote-sim):

  npu_ops   conv -> grouped conv (2 groups) -> channel concat of both
            (different scales: a requantizing concat) -> concat with the
            input's conv again (same scale: a copy) -> broadcasting add of a
            global average pool -> 3x3 average pool excluding padding
            -> depthwise conv with channel multiplier 2
            -> 1x1 conv -> large average pool (kernel = whole 10x6 map) -> FC

For each model NAME it writes, into OUT_DIR: NAME.onnx, NAME.calib.npy
(16 float32 NCHW samples) and NAME.input.npy (the first sample).

Usage: export_npu_ops.py OUT_DIR
"""

import os
import sys

import numpy as np
import torch
import torch.nn as nn


class NpuOps(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 8, 3, padding=1)
        self.g = nn.Conv2d(8, 12, 3, padding=1, groups=2)
        self.dw = nn.Conv2d(28, 56, 3, padding=1, groups=28)
        self.pw = nn.Conv2d(56, 16, 1)
        self.fc = nn.Linear(16, 5)

    def forward(self, x):
        a = torch.relu(self.c1(x))
        b = torch.relu(self.g(a))
        c = torch.cat([a, b], dim=1)            # 20 channels
        c = torch.cat([c, a], dim=1)            # 28 channels
        m = nn.functional.adaptive_avg_pool2d(c, 1)
        d = c + m                               # broadcast over pixels
        # ONNX's default average pool: padding left out of the divisor
        # (4, 6 or 9 here), so the NPU cuts tiles where the divisor changes.
        d = nn.functional.avg_pool2d(d, 3, stride=1, padding=1,
                                     count_include_pad=False)
        e = torch.relu(self.dw(d))
        f = torch.relu(self.pw(e))
        p = nn.functional.avg_pool2d(f, (10, 6))
        return self.fc(torch.flatten(p, 1))


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    model = NpuOps().eval()
    calib = torch.randn(16, 3, 10, 6)
    torch.onnx.export(model, calib[:1], os.path.join(out, "npu_ops.onnx"),
                      opset_version=13, input_names=["x"],
                      output_names=["logits"])
    np.save(os.path.join(out, "npu_ops.calib.npy"), calib.numpy())
    np.save(os.path.join(out, "npu_ops.input.npy"), calib[:1].numpy())
    print(f"npu_ops: {os.path.join(out, 'npu_ops.onnx')}")


if __name__ == "__main__":
    main()
