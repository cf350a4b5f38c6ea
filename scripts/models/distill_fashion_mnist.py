#!/usr/bin/python3
#===- scripts/models/distill_fashion_mnist.py - mote.distill on FM --------===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""Distils the bundled Fashion-MNIST model (the teacher) into a quantized
student with mote.distill and evaluates it on the simulator.

The teacher is models/fashion_mnist_cnn.onnx loaded into a torch module
(the architecture of train_fashion_mnist.py with batch norm folded into
the convolutions, as the exporter wrote it). The student is a copy of it
(QAT with distillation) or, with --half, the bundled architecture with
half the channels (student_net: 8/16 channels, batch norm, random init,
about 1/4 of the MACs), which --float-epochs first trains in float by
distillation before Mote's PTQ.

Usage:
  distill_fashion_mnist.py --precision int4 --epochs 3 [--alpha 0.7]
      [--train N] [--test N] [--target mote-default] [--seed 0]
      [--half --float-epochs F] [--ema 0.999] [--val N]
      [--onnx OUT.onnx] [--mlir OUT.mlir] [--json OUT.json]

--val N holds the last N training images out (neither trained nor
calibrated on) and reports the integer emulation's top-1 on them: the
place to compare recipes without looking at the test set.

Prints one line per epoch (loss, train top-1 of the integer student and
of the teacher), then the PTQ and distilled top-1 on the simulator over
the test images, whether the simulator's logits equal the integer
emulation's bit for bit, and the simulated energy per inference.
"""

import argparse
import copy
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "python"))
import fashion_mnist  # noqa: E402

MODEL = os.path.join(ROOT, "models", "fashion_mnist_cnn.onnx")


def mote_net(width=1.0, batch_norm=False):
    """The bundled architecture (train_fashion_mnist.MoteNet: conv + ReLU,
    max pool, residual depthwise block, strided conv, global average pool,
    FC) with `width` times the channels; random init. Without batch norm
    the convolutions carry biases, as the exporter wrote the teacher with
    batch norm folded; with it, Mote folds it at PTQ as it did the
    teacher's."""
    import torch
    import torch.nn as nn

    c1, c2 = int(16 * width), int(32 * width)

    def conv(cin, cout, k=3, stride=1, groups=1):
        c = nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups,
                      bias=not batch_norm)
        return nn.Sequential(c, nn.BatchNorm2d(cout)) if batch_norm else c

    class MoteNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = conv(1, c1)
            self.pool = nn.MaxPool2d(2)
            self.dw = conv(c1, c1, groups=c1)
            self.pw = conv(c1, c1, k=1)
            self.down = conv(c1, c2, stride=2)
            self.conv = conv(c2, c2)
            self.fc = nn.Linear(c2, 10)

        def forward(self, x):
            r = torch.relu
            x = self.pool(r(self.stem(x)))
            x = r(x + self.pw(r(self.dw(x))))
            x = r(self.conv(r(self.down(x))))
            return self.fc(torch.flatten(x.mean((2, 3), keepdim=True), 1))

    return MoteNet()


def teacher_net(width=1.0):
    """The bundled network with conv biases in place of batch norm."""
    return mote_net(width, batch_norm=False)


def student_net(width=0.5):
    """The half-width student: the bundled architecture with batch norm."""
    return mote_net(width, batch_norm=True)


def load_teacher(path=MODEL):
    """The ONNX model's weights in teacher_net(), checked against the
    graph's order of Conv/Gemm nodes."""
    import onnx
    import onnx.numpy_helper as nh
    import torch
    model = onnx.load(path)
    inits = {i.name: nh.to_array(i) for i in model.graph.initializer}
    layers = [n for n in model.graph.node if n.op_type in ("Conv", "Gemm")]
    net = teacher_net()
    mods = [net.stem, net.dw, net.pw, net.down, net.conv, net.fc]
    if len(layers) != len(mods):
        raise SystemExit(f"{path}: expected {len(mods)} Conv/Gemm nodes")
    with torch.no_grad():
        for node, mod in zip(layers, mods):
            mod.weight.copy_(torch.from_numpy(inits[node.input[1]]))
            mod.bias.copy_(torch.from_numpy(inits[node.input[2]]))
    return net.eval()


def top1(logits, labels):
    return float((np.asarray(logits).reshape(len(labels), -1).argmax(1)
                  == labels).mean())


def evaluate(net, images, labels):
    """Simulator top-1, emulated top-1, bit-exactness, energy/inference."""
    sim, stats = net.run(images, stats=True)
    sim = sim.reshape(len(images), -1)
    emu, _ = net.emulate(images)
    exact = bool(np.array_equal(sim, emu))
    same_pred = bool(np.array_equal(sim.argmax(1), emu.argmax(1)))
    energy = net.report()["simulator"]["total"]["energy_uj"]
    return {"sim_top1": top1(sim, labels), "emu_top1": top1(emu, labels),
            "bit_exact": exact, "same_predictions": same_pred,
            "energy_uj": energy}


def ptq_top1(precision, calib, images, labels, target, student=None,
             plan=None):
    import mote
    model = MODEL if student is None else student
    net = mote.compile(model, images[:1] if student is not None else None,
                       calib=calib, target=target, precision=precision,
                       plan=plan)
    out = net.run(images).reshape(len(images), -1)
    return top1(out, labels), net.report()["simulator"]["total"]["energy_uj"]


def main():
    p = argparse.ArgumentParser(description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--precision", default="int4")
    p.add_argument("--plan", help="with --precision mixed: the per-layer "
                   "precision plan (docs/MixedPrecision.md), for PTQ and "
                   "training alike")
    p.add_argument("--target", default="mote-default")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--qat-epochs", type=int, default=None)
    p.add_argument("--exact-epochs", type=int, default=1)
    p.add_argument("--alpha", type=float, default=0.7)
    p.add_argument("--temperature", type=float, default=4.0)
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--train", type=int, default=60000)
    p.add_argument("--test", type=int, default=10000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--half", action="store_true")
    p.add_argument("--float-epochs", type=int, default=0)
    p.add_argument("--float-lr", type=float, default=1e-2)
    p.add_argument("--float-alpha", type=float, default=None,
                   help="alpha of the float epochs (default: --alpha)")
    p.add_argument("--ema", type=float, default=None)
    p.add_argument("--scale-lr", type=float, default=None,
                   help="Adam rate of step sizes and biases (default 10 lr)")
    p.add_argument("--val", type=int, default=0)
    p.add_argument("--float-student", metavar="PATH.pt",
                   help="with --float-epochs: load the float-trained "
                   "student from PATH if it exists (and skip the float "
                   "epochs), else save it there after training")
    p.add_argument("--no-ptq", action="store_true")
    p.add_argument("--onnx")
    p.add_argument("--mlir")
    p.add_argument("--json")
    o = p.parse_args()
    import torch
    import mote
    from mote.distill import float_pretrain
    torch.set_num_threads(o.threads)
    train_x, train_y = fashion_mnist.load("train")
    test_x, test_y = fashion_mnist.load("test")
    val = None
    if o.val:
        val = (train_x[-o.val:], train_y[-o.val:])
        train_x, train_y = train_x[:-o.val], train_y[:-o.val]
    train_x, train_y = train_x[:o.train], train_y[:o.train]
    test_x, test_y = test_x[:o.test], test_y[:o.test]
    teacher = load_teacher()
    with torch.no_grad():
        t_top1 = top1(teacher(torch.from_numpy(test_x)).numpy(), test_y)
    print(f"teacher (float, torch): test top-1 {100 * t_top1:.2f}% on "
          f"{len(test_y)} images", flush=True)
    if o.half:
        torch.manual_seed(o.seed)
        student = student_net(0.5)
    else:
        student = copy.deepcopy(teacher)
    calib = train_x[:1000]
    result = {"precision": o.precision, "plan": o.plan, "target": o.target, "epochs": o.epochs, "alpha": o.alpha,
              "temperature": o.temperature, "train": len(train_y),
              "test": len(test_y), "half": o.half, "teacher_top1": t_top1,
              "float_epochs": o.float_epochs, "float_lr": o.float_lr,
              "ema": o.ema, "lr": o.lr, "val": o.val, "seed": o.seed,
              "scale_lr": o.scale_lr}
    def ptq(model):
        if o.no_ptq:
            return
        top, energy = ptq_top1(o.precision, calib, test_x, test_y, o.target,
                               model, o.plan)
        result["ptq_top1"], result["ptq_energy_uj"] = top, energy
        print(f"PTQ {o.precision}: simulator top-1 {100 * top:.2f}%, "
              f"{energy:.4f} uJ/inference", flush=True)
    float_epochs = o.float_epochs
    f_alpha = o.alpha if o.float_alpha is None else o.float_alpha
    result["float_alpha"] = f_alpha
    loaded = False
    if float_epochs and o.float_student:
        # the float epochs once per recipe, shared by runs that differ in
        # precision only (distill_table.py): the same float_pretrain that
        # distill(float_epochs=) runs
        if os.path.exists(o.float_student):
            student.load_state_dict(torch.load(o.float_student))
            print(f"float-trained student loaded from {o.float_student} "
                  f"({o.float_epochs} float epochs)", flush=True)
            loaded = True
        else:
            t0 = time.time()
            float_pretrain(teacher, student,
                           (train_x, train_y), epochs=float_epochs,
                           lr=o.float_lr, temperature=o.temperature,
                           alpha=f_alpha, seed=o.seed,
                           log=lambda m: print(m, flush=True))
            result["float_seconds"] = time.time() - t0
            tmp = o.float_student + ".tmp"
            torch.save(student.state_dict(), tmp)
            os.replace(tmp, o.float_student)
        student.eval()
        float_epochs = 0
    result["float_student_loaded"] = loaded
    if not o.float_epochs:
        ptq(student if o.half else None)
    start = time.time()
    net = mote.distill(teacher, student, (train_x, train_y),
                       precision=o.precision, target=o.target,
                       plan=o.plan, epochs=o.epochs, lr=o.lr, temperature=o.temperature,
                       alpha=o.alpha, calib=calib, seed=o.seed,
                       qat_epochs=o.qat_epochs, exact_epochs=o.exact_epochs,
                       float_epochs=float_epochs, float_lr=o.float_lr,
                       float_alpha=f_alpha,
                       ema=o.ema, val_data=val, scale_lr=o.scale_lr,
                       log=lambda m: print(m, flush=True))
    result["train_seconds"] = time.time() - start
    if o.float_epochs:
        # PTQ of the float-trained student: the starting point of the
        # quantized training
        with torch.no_grad():
            f_top1 = top1(net.float_student(torch.from_numpy(test_x)).numpy(),
                          test_y)
        result["float_student_top1"] = f_top1
        print(f"float-trained student (torch): test top-1 "
              f"{100 * f_top1:.2f}%", flush=True)
        ptq(net.float_student)
    result["history"] = net.history
    result["validation"] = net.validation
    ev = evaluate(net, test_x, test_y)
    result.update(ev)
    kind = "QAT" if o.alpha == 0 else "KD"
    print(f"{kind} {o.precision}: simulator top-1 {100 * ev['sim_top1']:.2f}%"
          f" (emulation {100 * ev['emu_top1']:.2f}%), simulator == emulation "
          f"bit for bit: {ev['bit_exact']}, predictions equal: "
          f"{ev['same_predictions']}, {ev['energy_uj']:.4f} uJ/inference, "
          f"trained in {result['train_seconds']:.0f} s", flush=True)
    if o.onnx:
        net.save_onnx(o.onnx)
        print(f"wrote {o.onnx}")
    if o.mlir:
        net.save_mlir(o.mlir)
        print(f"wrote {o.mlir}")
    if o.json:
        with open(o.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
