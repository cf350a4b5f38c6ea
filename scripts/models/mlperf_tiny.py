#!/usr/bin/python3
#===- scripts/models/mlperf_tiny.py - MLPerf Tiny reference models --------===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""Defines the four MLPerf Tiny v1.0 reference architectures in PyTorch from
their published descriptions (github.com/mlcommons/tiny, benchmark/training)
and exports them to ONNX with random, seeded weights (no training data for
them ships with Debian), randomised batch-norm statistics, a random
calibration set and a random test input.

  resnet8     image classification, CIFAR-10, 1x3x32x32: conv16 + three
              residual stacks (16, 32/s2, 64/s2; 1x1 shortcut convs where
              the shape changes), 8x8 average pool, dense 10
  ds_cnn      keyword spotting, 1x1x49x10 MFCC: conv64 10x4/s2 + four
              depthwise-separable blocks (dw 3x3 + pw 64), average pool,
              dense 12
  mobilenet_v1_025
              visual wake words, 1x3x96x96: MobileNetV1 alpha 0.25 (13
              depthwise-separable blocks 16..256), average pool, dense 2
  autoencoder anomaly detection, 1x640 log-mel frames: dense 128 x4,
              bottleneck 8, dense 128 x4, dense 640 (BN folded into the
              dense layers before export, as a deployed model has it)

The reference models end in softmax (classifiers); it is left out here
because it does not change top-1 and runs on the host anyway; the report
says so. For each NAME this writes OUT_DIR/NAME.onnx, NAME.calib.npy
(--calib samples) and NAME.input.npy (one sample).

Usage: mlperf_tiny.py OUT_DIR [--models resnet8,ds_cnn,...] [--calib 32]
"""

import argparse
import os

import numpy as np
import torch
from torch import nn


def conv_bn(cin, cout, k, stride=1, groups=1, relu=True, pad=None):
    layers = [nn.Conv2d(cin, cout, k, stride, k // 2 if pad is None else pad,
                        groups=groups, bias=False),
              nn.BatchNorm2d(cout)]
    if relu:
        layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class ResidualBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.a = conv_bn(cin, cout, 3, stride)
        self.b = conv_bn(cout, cout, 3, 1, relu=False)
        self.shortcut = (nn.Conv2d(cin, cout, 1, stride)
                         if stride != 1 or cin != cout else nn.Identity())
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.b(self.a(x)) + self.shortcut(x))


class ResNet8(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = conv_bn(3, 16, 3)
        self.stacks = nn.Sequential(ResidualBlock(16, 16, 1),
                                    ResidualBlock(16, 32, 2),
                                    ResidualBlock(32, 64, 2))
        self.pool = nn.AvgPool2d(8)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.pool(self.stacks(self.stem(x)))
        return self.fc(torch.flatten(x, 1))


class DSCNN(nn.Module):
    def __init__(self):
        super().__init__()
        # Keras 'same' padding of a 10x4 kernel at stride 2 on 49x10:
        # pad (4, 5) rows and (1, 2) columns; written as an explicit pad.
        self.pad = nn.ZeroPad2d((1, 2, 4, 5))
        self.stem = conv_bn(1, 64, (10, 4), 2, pad=0)
        blocks = []
        for _ in range(4):
            blocks += [conv_bn(64, 64, 3, 1, groups=64), conv_bn(64, 64, 1)]
        self.blocks = nn.Sequential(*blocks)
        self.pool = nn.AvgPool2d((25, 5))
        self.fc = nn.Linear(64, 12)

    def forward(self, x):
        x = self.pool(self.blocks(self.stem(self.pad(x))))
        return self.fc(torch.flatten(x, 1))


class MobileNetV1(nn.Module):
    def __init__(self, alpha=0.25, classes=2):
        super().__init__()
        c = lambda n: int(n * alpha)
        cfg = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
               (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2),
               (1024, 1)]
        layers = [conv_bn(3, c(32), 3, 2)]
        cin = c(32)
        for cout, stride in cfg:
            layers += [conv_bn(cin, cin, 3, stride, groups=cin),
                       conv_bn(cin, c(cout), 1)]
            cin = c(cout)
        self.features = nn.Sequential(*layers)
        self.pool = nn.AvgPool2d(3)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        x = self.pool(self.features(x))
        return self.fc(torch.flatten(x, 1))


class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        dims = [640, 128, 128, 128, 128, 8, 128, 128, 128, 128]
        layers = []
        for a, b in zip(dims, dims[1:]):
            layers += [nn.Linear(a, b), nn.BatchNorm1d(b), nn.ReLU()]
        layers.append(nn.Linear(128, 640))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


MODELS = {
    "resnet8": (ResNet8, (1, 3, 32, 32)),
    "ds_cnn": (DSCNN, (1, 1, 49, 10)),
    "mobilenet_v1_025": (MobileNetV1, (1, 3, 96, 96)),
    "autoencoder": (AutoEncoder, (1, 640)),
}


def randomise_bn(model, gen):
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            c = m.num_features
            m.running_mean.copy_(torch.randn(c, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(c, generator=gen) + 0.5)
            m.weight.data.copy_(torch.rand(c, generator=gen) + 0.5)
            m.bias.data.copy_(torch.randn(c, generator=gen) * 0.1)


def fold_linear_bn(seq):
    """Folds Linear + BatchNorm1d pairs (eval mode) into the Linear."""
    out = []
    mods = list(seq)
    i = 0
    while i < len(mods):
        m = mods[i]
        if (isinstance(m, nn.Linear) and i + 1 < len(mods)
                and isinstance(mods[i + 1], nn.BatchNorm1d)):
            out.append(torch.nn.utils.fusion.fuse_linear_bn_eval(m, mods[i + 1]))
            i += 2
            continue
        out.append(m)
        i += 1
    return nn.Sequential(*out)


def build(name, seed):
    ctor, shape = MODELS[name]
    torch.manual_seed(seed)
    model = ctor()
    randomise_bn(model, torch.Generator().manual_seed(seed + 1))
    model.eval()
    if isinstance(model, AutoEncoder):
        model.net = fold_linear_bn(model.net)
    return model, shape


def main():
    parser = argparse.ArgumentParser(description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir")
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--calib", type=int, default=32)
    parser.add_argument("--opset", type=int, default=13)
    opts = parser.parse_args()
    os.makedirs(opts.out_dir, exist_ok=True)
    for i, name in enumerate(opts.models.split(",")):
        if name not in MODELS:
            raise SystemExit(f"unknown model '{name}' (known: {', '.join(MODELS)})")
        model, shape = build(name, 100 + i)
        gen = np.random.default_rng(7 + i)
        calib = gen.standard_normal((opts.calib,) + shape[1:]).astype(np.float32)
        sample = gen.standard_normal(shape).astype(np.float32)
        path = os.path.join(opts.out_dir, name + ".onnx")
        with torch.no_grad():
            torch.onnx.export(model, torch.from_numpy(sample), path,
                              input_names=["input"], output_names=["output"],
                              opset_version=opts.opset, do_constant_folding=True)
        np.save(os.path.join(opts.out_dir, name + ".calib.npy"), calib)
        np.save(os.path.join(opts.out_dir, name + ".input.npy"), sample)
        params = sum(p.numel() for p in model.parameters())
        print(f"{name}: {path} ({params} parameters, input {list(shape)})")


if __name__ == "__main__":
    main()
