#!/usr/bin/python3
#===- scripts/models/export_torchvision.py - Export torchvision models ----===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""Exports torchvision architectures to ONNX with Debian's python3-torch,
together with a fixed random input and torch's own output, so that tests can
hold Mote's import + interpreter against torch (and against onnxruntime,
scripts/onnx/compare_ort.py).

Weights are random (torchvision in Debian ships no pretrained weights) but
seeded per model (torch.manual_seed(0) before each one is built, so a model
gets the same weights whatever else is exported with it), the model is in
eval mode, and batch-norm running statistics are randomised too so that
folding them into the convolutions is really exercised.

--models takes torchvision constructor names, or `zoo` for the model zoo:
  mobilenet_v3_small, mobilenet_v3_large, efficientnet_b0, mnasnet0_5,
  shufflenet_v2_x0_5, shufflenet_v2_x1_0, squeezenet1_1,
  googlenet (aux_logits=False, init_weights=True), regnet_x_400mf, resnet18

For each model NAME it writes, into OUT_DIR:
  NAME.onnx          the exported model (opset --opset, default 13)
  NAME.input.npy     a float32 NCHW input
  NAME.torch.npy     torch's output for that input

Every zoo model takes a 1x3x96x96 input as well as 224x224 (the tests use
96 to stay fast; all end in adaptive average pooling).

Usage: export_torchvision.py OUT_DIR [--models resnet18,mobilenet_v2|zoo]
                             [--opset 13] [--size 224] [--list]
"""

import argparse
import os

import numpy as np
import torch
import torchvision


# The model zoo (docs/ONNX.md, "Model zoo"): constructor name -> extra
# constructor arguments.
ZOO = {
    "mobilenet_v3_small": {},
    "mobilenet_v3_large": {},
    "efficientnet_b0": {},
    "mnasnet0_5": {},
    "shufflenet_v2_x0_5": {},
    "shufflenet_v2_x1_0": {},
    "squeezenet1_1": {},
    "googlenet": {"aux_logits": False, "init_weights": True},
    "regnet_x_400mf": {},
    "resnet18": {},
}
# Models outside the zoo that need arguments of their own.
EXTRA_ARGS = {"inception_v3": {"aux_logits": False, "init_weights": True}}


def build(name):
    ctor = getattr(torchvision.models, name, None)
    if ctor is None:
        raise SystemExit(f"unknown torchvision model '{name}'")
    torch.manual_seed(0)
    model = ctor(weights=None, **ZOO.get(name, EXTRA_ARGS.get(name, {})))
    # Randomise batch-norm statistics so that BN folding is not a no-op.
    gen = torch.Generator().manual_seed(1)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            c = m.num_features
            m.running_mean.copy_(torch.randn(c, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(c, generator=gen) + 0.5)
            m.weight.data.copy_(torch.rand(c, generator=gen) + 0.5)
            m.bias.data.copy_(torch.randn(c, generator=gen) * 0.1)
    return model.eval()


def main():
    parser = argparse.ArgumentParser(description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir")
    parser.add_argument("--models", default="resnet18,mobilenet_v2")
    parser.add_argument("--opset", type=int, default=13)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--list", action="store_true",
                        help="print the model names and exit")
    opts = parser.parse_args()
    names = []
    for n in opts.models.split(","):
        names += list(ZOO) if n == "zoo" else [n] if n else []
    if opts.list:
        print("\n".join(names))
        return
    if not 13 <= opts.opset <= 17:
        raise SystemExit("opset must be in 13..17 (torch 1.13 exports <= 17)")
    os.makedirs(opts.out_dir, exist_ok=True)
    for name in names:
        model = build(name)
        x = torch.randn(1, 3, opts.size, opts.size,
                        generator=torch.Generator().manual_seed(2))
        with torch.no_grad():
            y = model(x)
        path = os.path.join(opts.out_dir, name)
        torch.onnx.export(model, x, path + ".onnx", opset_version=opts.opset,
                          input_names=["input"], output_names=["logits"],
                          do_constant_folding=True)
        np.save(path + ".input.npy", x.numpy())
        np.save(path + ".torch.npy", y.numpy())
        print(f"{name}: {path}.onnx, output {tuple(y.shape)}")


if __name__ == "__main__":
    main()
