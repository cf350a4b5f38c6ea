#!/usr/bin/python3
#===- scripts/models/train_fashion_mnist.py - Train the bundled model -----===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""Trains Mote's bundled example network on Fashion-MNIST (Debian's
dataset-fashion-mnist) with python3-torch on the CPU and exports it to ONNX.

The network is small enough for a low-power NPU and still exercises what a
real one has: conv + batch norm + ReLU, max pooling, a depthwise-separable
block with a residual add, a strided conv, global average pooling and a
fully-connected classifier (≈0.9 M MACs per image).

The exported model is committed (models/fashion_mnist_cnn.onnx), so tests and
the demo need no training; re-running this script reproduces it (seeded;
torch's CPU kernels may still differ in the last bits across machines).

Usage: train_fashion_mnist.py [--epochs 10] [--out models/fashion_mnist_cnn.onnx]
"""

import argparse
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fashion_mnist  # noqa: E402


def conv_bn(cin, cout, k=3, stride=1, groups=1):
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout))


class MoteNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(conv_bn(1, 16), nn.ReLU())
        self.pool = nn.MaxPool2d(2)
        self.dw = nn.Sequential(conv_bn(16, 16, groups=16), nn.ReLU())
        self.pw = conv_bn(16, 16, k=1)
        self.relu = nn.ReLU()
        self.down = nn.Sequential(conv_bn(16, 32, stride=2), nn.ReLU())
        self.conv = nn.Sequential(conv_bn(32, 32), nn.ReLU())
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = self.pool(self.stem(x))             # 16 x 14 x 14
        x = self.relu(x + self.pw(self.dw(x)))  # residual depthwise block
        x = self.conv(self.down(x))             # 32 x 7 x 7
        return self.fc(torch.flatten(self.gap(x), 1))


def accuracy(model, images, labels):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(images), 1000):
            logits = model(torch.from_numpy(images[i:i + 1000]))
            correct += (logits.argmax(1).numpy() == labels[i:i + 1000]).sum()
    return correct / len(images)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--out", default=os.path.join(
        os.path.dirname(__file__), "..", "..", "models",
        "fashion_mnist_cnn.onnx"))
    opts = parser.parse_args()
    torch.manual_seed(0)
    np.random.seed(0)
    train_x, train_y = fashion_mnist.load("train")
    test_x, test_y = fashion_mnist.load("test")
    model = MoteNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    steps = opts.epochs * (len(train_x) // 128)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, 4e-3, steps)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(opts.epochs):
        model.train()
        order = np.random.permutation(len(train_x))
        start = time.time()
        for i in range(0, len(order) - 127, 128):
            idx = order[i:i + 128]
            x = torch.from_numpy(train_x[idx])
            y = torch.from_numpy(train_y[idx])
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            schedule.step()
        acc = accuracy(model, test_x, test_y)
        print(f"epoch {epoch + 1}: loss {loss.item():.3f}, "
              f"test top-1 {100 * acc:.2f}% ({time.time() - start:.0f} s)",
              flush=True)
    model.eval()
    example = torch.from_numpy(test_x[:1])
    torch.onnx.export(model, example, opts.out, opset_version=13,
                      input_names=["image"], output_names=["logits"],
                      do_constant_folding=False)
    print(f"exported {opts.out} (float test top-1 "
          f"{100 * accuracy(model, test_x, test_y):.2f}%)")


if __name__ == "__main__":
    main()
