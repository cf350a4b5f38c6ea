#===- test/python/Inputs/distill_errors.py - mote.distill bad input -------===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""Bad input to mote.distill gives a MoteError naming what and where, and
leaves no file behind: unknown precision, mixed without a plan, student and
teacher output shapes that differ, training images the model cannot take,
labels that do not match the images, a NaN loss (also in the float
pre-training), bad float_epochs / ema.

Usage: distill_errors.py PYTHON_DIR WORK_DIR
"""

import os
import sys

import numpy as np

sys.path.insert(0, sys.argv[1])
import torch  # noqa: E402
from torch import nn  # noqa: E402

import mote  # noqa: E402

work = sys.argv[2]
os.makedirs(work, exist_ok=True)
torch.manual_seed(0)
torch.set_num_threads(1)


def net(classes=4):
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(4, classes)).eval()


rng = np.random.default_rng(0)
x = rng.random((64, 1, 8, 8)).astype(np.float32)
y = rng.integers(0, 4, 64)
teacher = net()
out = os.path.join(work, "student.mbin")


def expect(what, **kw):
    args = dict(teacher=teacher, student=net(), train_data=(x, y),
                precision="int8", target="mote-default", epochs=1,
                output=out, log=lambda m: None)
    args.update(kw)
    try:
        mote.distill(args.pop("teacher"), args.pop("student"),
                     args.pop("train_data"), **args)
    except mote.MoteError as e:
        left = os.path.exists(out)
        print(f"errors: {what}: {e}" + (" [FILE LEFT BEHIND]" if left else ""))
        return
    print(f"errors: {what}: NO ERROR")


expect("precision", precision="int3")
expect("mixed", precision="mixed")
expect("shape", student=net(classes=5))
expect("input", train_data=(rng.random((64, 3, 8, 8)).astype(np.float32), y))
expect("labels", train_data=(x, y[:10]))
bad = x.copy()
bad[3, 0, 2, 2] = np.nan
expect("nan", train_data=(bad, y), calib=x)
expect("float epochs", float_epochs=-1)
expect("ema", ema=1.0)
expect("float nan", train_data=(bad, y), calib=x, float_epochs=1)
