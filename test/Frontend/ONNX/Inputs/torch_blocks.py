#!/usr/bin/python3
"""Exports a small torch module with the blocks real models use (GELU,
SiLU, Hardswish, ConvTranspose2d, a spatial mean, nn.LayerNorm over W,
x² and sqrt) with torch.onnx at the given opset, and its torch outputs.

Usage: torch_blocks.py OUTDIR OPSET   writes OUTDIR/blocks<OPSET>.onnx,
                                      OUTDIR/x.npy, OUTDIR/y.npy
Run with /usr/bin/python3 (Debian's python3-torch)."""
import os
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn

warnings.filterwarnings("ignore")


class Blocks(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.up = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1,
                                     output_padding=1)
        self.ln = nn.LayerNorm(16)

    def forward(self, x):
        y = self.conv(x)
        a = (nn.functional.gelu(y) + nn.functional.silu(y) +
             nn.functional.hardswish(y))
        z = self.up(a)
        z = z.mean(dim=(2, 3), keepdim=True) * z
        z = self.ln(z)
        return z.flatten(2).pow(2).sqrt()


def main():
    out, opset = sys.argv[1], int(sys.argv[2])
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    m = Blocks().eval()
    x = torch.randn(1, 3, 8, 8)
    torch.onnx.export(m, x, os.path.join(out, "blocks%d.onnx" % opset),
                      opset_version=opset, input_names=["x"],
                      output_names=["y"])
    np.save(os.path.join(out, "x.npy"), x.numpy())
    with torch.no_grad():
        np.save(os.path.join(out, "y.npy"), m(x).numpy())


if __name__ == "__main__":
    main()
