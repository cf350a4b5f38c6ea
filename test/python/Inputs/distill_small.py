#===- test/python/Inputs/distill_small.py - mote.distill input forms ------===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""mote.distill on a tiny network: train_data as a torch DataLoader (w4a8 on
mote-default, 1 QAT + 1 KD epoch) and as arrays with precision 'mixed' and
a plan (on mote-d2). The simulator must equal the integer emulation bit for
bit, and save_onnx/save_mlir must write their files.

Usage: distill_small.py PYTHON_DIR WORK_DIR
"""

import os
import sys

import numpy as np

sys.path.insert(0, sys.argv[1])
import torch  # noqa: E402
from torch import nn  # noqa: E402

import mote  # noqa: E402

work = sys.argv[2]
torch.set_num_threads(1)
torch.manual_seed(0)


def net():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Conv2d(4, 8, 3, padding=1),
                         nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(8, 4)).eval()


rng = np.random.default_rng(0)
x = rng.random((64, 1, 8, 8)).astype(np.float32)
y = rng.integers(0, 4, 64)
teacher = net()
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(
    torch.from_numpy(x), torch.from_numpy(y)), batch_size=16)
quiet = dict(log=lambda m: None)
n = mote.distill(teacher, net(), loader, precision="w4a8",
                 target="mote-default", epochs=2, **quiet)
out = n.run(x).reshape(len(x), -1)
emu, _ = n.emulate(x)
print("small: dataloader w4a8 exact", np.array_equal(out, emu),
      "epochs", len(n.history))
n.save_onnx(os.path.join(work, "s.onnx"))
n.save_mlir(os.path.join(work, "s.mlir"))
print("small: saved", sorted(f for f in os.listdir(work) if f[0] == "s"))
plan = os.path.join(work, "plan.txt")
with open(plan, "w") as f:
    f.write("*  4  8\n")
n = mote.distill(teacher, net(), (x, y), precision="mixed", plan=plan,
                 target="mote-d2", epochs=1, **quiet)
out = n.run(x).reshape(len(x), -1)
emu, _ = n.emulate(x)
print("small: mixed plan on mote-d2 exact", np.array_equal(out, emu))
# a student of another shape (fewer channels, batch norm, random init):
# float pre-training first, then PTQ, QAT + KD with an EMA of the trained
# values; the average is what is compiled, so still bit-exact
small = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, bias=False),
                      nn.BatchNorm2d(2), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                      nn.Flatten(), nn.Linear(2, 4))
n = mote.distill(teacher, small, (x, y), precision="int8",
                 target="mote-default", epochs=2, float_epochs=2, ema=0.99,
                 val_data=(x[:16], y[:16]), **quiet)
out = n.run(x).reshape(len(x), -1)
emu, _ = n.emulate(x)
print("small: float pre-training + ema exact", np.array_equal(out, emu),
      "student untouched", small.training and n.float_student is not small,
      "validation", sorted(n.validation))
