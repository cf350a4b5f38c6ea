#!/usr/bin/python3
#===- scripts/models/fashion_mnist.py - Fashion-MNIST reader --------------===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""Reads Fashion-MNIST from Debian's dataset-fashion-mnist package
(/usr/share/datasets/fashion-mnist, IDX files, gzip) and writes the images
the bundled model takes: float32 NCHW [N, 1, 28, 28] with values pixel/255 in
[0, 1], plus int64 labels.

Usage:
  fashion_mnist.py OUT.npz [--split test|train] [--count N] [--offset K]
writes OUT.npz with arrays `images` and `labels`;
  fashion_mnist.py OUT_DIR --npy ...   writes OUT_DIR/images.npy, labels.npy.
"""

import argparse
import gzip
import os
import struct

import numpy as np

ROOT = "/usr/share/datasets/fashion-mnist"
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
           "Shirt", "Sneaker", "Bag", "Ankle boot"]


def _read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    array = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if array.size != int(np.prod(dims)):
        raise ValueError(f"{path}: truncated ({array.size} of "
                         f"{int(np.prod(dims))} bytes)")
    return array.reshape(dims)


def load(split="test"):
    """(images float32 [N,1,28,28] in [0,1], labels int64 [N])."""
    prefix = {"test": "t10k", "train": "train"}[split]
    images = _read_idx(os.path.join(ROOT, f"{prefix}-images-idx3-ubyte.gz"))
    labels = _read_idx(os.path.join(ROOT, f"{prefix}-labels-idx1-ubyte.gz"))
    images = images.astype(np.float32)[:, None, :, :] / np.float32(255)
    return images, labels.astype(np.int64)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--split", default="test", choices=["test", "train"])
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--npy", action="store_true")
    opts = parser.parse_args()
    images, labels = load(opts.split)
    end = opts.offset + opts.count if opts.count else len(images)
    images, labels = images[opts.offset:end], labels[opts.offset:end]
    if opts.npy:
        os.makedirs(opts.out, exist_ok=True)
        np.save(os.path.join(opts.out, "images.npy"), images)
        np.save(os.path.join(opts.out, "labels.npy"), labels)
    else:
        np.savez(opts.out, images=images, labels=labels)
    print(f"{opts.split}: {len(images)} images -> {opts.out}")


if __name__ == "__main__":
    main()
