#===- test/python/Inputs/distill_fashion.py - mote.distill smoke test -----===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""A small mote.distill run on the bundled Fashion-MNIST model (issue 16):
int4 (W4A4), a copy of the teacher as student, 1 epoch of KD on 2,000
training images, evaluated on 500 test images. Checks, and exits non-zero
on failure:
  - the simulator's logits equal the integer emulation's bit for bit;
  - the exported ONNX model compiles (motec, no calibration) to a program
    whose simulator logits equal the emulation's bit for bit too;
  - distilled int4 top-1 beats Mote's own int4 PTQ by ≥ 10 points and
    reaches a floor of 75 % (PTQ: 59.8 % on these images; the run gets
    83.2 %).

Usage: distill_fashion.py MOTE_SRC WORK_DIR
"""

import copy
import os
import subprocess
import sys

import numpy as np

src = sys.argv[1]
work = sys.argv[2]
sys.path.insert(0, os.path.join(src, "python"))
sys.path.insert(0, os.path.join(src, "scripts", "models"))
import torch  # noqa: E402

import distill_fashion_mnist as dfm  # noqa: E402
import fashion_mnist  # noqa: E402
import mote  # noqa: E402
from mote.flow import tool_path  # noqa: E402

torch.set_num_threads(2)
os.makedirs(work, exist_ok=True)
train_x, train_y = fashion_mnist.load("train")
test_x, test_y = fashion_mnist.load("test")
train_x, train_y = train_x[:2000], train_y[:2000]
test_x, test_y = test_x[:500], test_y[:500]
teacher = dfm.load_teacher()
ptq, _ = dfm.ptq_top1("int4", train_x[:1000], test_x, test_y, "mote-default")
print(f"smoke: PTQ int4 top-1 {100 * ptq:.2f}%")
net = mote.distill(teacher, copy.deepcopy(teacher), (train_x, train_y),
                   precision="int4", target="mote-default", epochs=1,
                   log=lambda m: print("smoke:", m))
ev = dfm.evaluate(net, test_x, test_y)
print(f"smoke: KD int4 top-1 {100 * ev['sim_top1']:.2f}%, simulator == "
      f"emulation: {ev['bit_exact']}")
onnx_path = os.path.join(work, "student.onnx")
net.save_onnx(onnx_path)
mbin = os.path.join(work, "onnx.mbin")
subprocess.run([tool_path("motec"), onnx_path, "-o", mbin, "--quiet",
                "--no-summary"], check=True)
np.save(os.path.join(work, "x.npy"), test_x)
subprocess.run([tool_path("mote-sim"), mbin, "--input",
                os.path.join(work, "x.npy"), "--output-dir",
                os.path.join(work, "out")], check=True,
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
out_dir = os.path.join(work, "out")
sim = np.load(os.path.join(out_dir, os.listdir(out_dir)[0]))
sim = sim.reshape(len(test_x), -1)
emu, _ = net.emulate(test_x)
onnx_exact = bool(np.array_equal(sim, emu))
print(f"smoke: exported ONNX on the simulator == emulation: {onnx_exact}")
ok = ev["bit_exact"] and onnx_exact and ev["sim_top1"] >= 0.75 and \
    ev["sim_top1"] >= ptq + 0.10
print("smoke: ok" if ok else "smoke: FAILED")
sys.exit(0 if ok else 1)
