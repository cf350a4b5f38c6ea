#!/usr/bin/python3
#===- bench/torch_int8.py - Debian torch int8 inference rate --------------===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""Times the host int8 runtime a user would otherwise check accuracy with:
Debian's python3-torch, FX graph-mode post-training quantization (qnnpack
engine, its default qconfig), calibrated on 16 random inputs, then a batch-1
loop over N inputs on `torch.set_num_threads(THREADS)`. Prints one line:
`MODEL torch-int8 SECONDS N` (the loop only, after 3 warm-up inferences).

The architectures are the repository's own definitions with seeded random
weights (speed does not depend on the values): resnet8 from
scripts/models/mlperf_tiny.py, mobilenet_v2 from torchvision, fashion_mnist
from scripts/models/train_fashion_mnist.py (MoteNet).

Usage: torch_int8.py MODEL N [--size S] [--threads T]
"""

import argparse
import os
import sys
import time
import warnings

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts", "models"))
warnings.filterwarnings("ignore")


def build(name, size):
    torch.manual_seed(0)
    if name == "resnet8":
        import mlperf_tiny
        model, shape = mlperf_tiny.build("resnet8", 100)
        return model, tuple(shape)
    if name == "mobilenet_v2":
        import torchvision
        return torchvision.models.mobilenet_v2().eval(), (1, 3, size, size)
    if name == "fashion_mnist":
        import train_fashion_mnist
        return train_fashion_mnist.MoteNet().eval(), (1, 1, 28, 28)
    raise SystemExit(f"unknown model {name}")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("n", type=int)
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--threads", type=int, default=2)
    opts = ap.parse_args()
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
    torch.set_num_threads(opts.threads)
    torch.backends.quantized.engine = "qnnpack"
    model, shape = build(opts.model, opts.size)
    example = torch.randn(shape)
    prepared = prepare_fx(model, get_default_qconfig_mapping("qnnpack"),
                          example_inputs=(example,))
    with torch.no_grad():
        for _ in range(16):
            prepared(torch.randn(shape))
        quantized = convert_fx(prepared)
        inputs = [torch.randn(shape) for _ in range(min(opts.n, 64))]
        for i in range(3):
            quantized(inputs[i % len(inputs)])
        t0 = time.perf_counter()
        for i in range(opts.n):
            quantized(inputs[i % len(inputs)])
        t1 = time.perf_counter()
    print(f"{opts.model} torch-int8 {t1 - t0:.6f} {opts.n}")


if __name__ == "__main__":
    main()
