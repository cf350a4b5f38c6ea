#!/usr/bin/python3
#===- scripts/models/export_qdq.py - Pre-quantized ONNX test models -------===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""Writes pre-quantized ONNX models, their inputs and their reference
outputs, for testing that Mote keeps a model's own scales and zero points.

1. torch.onnx: the bundled Fashion-MNIST network's architecture (MoteNet in
   train_fashion_mnist.py, without batch norm: conv+ReLU, max pool, a
   depthwise-separable block with a residual add, a strided conv, global
   average pooling, a linear classifier), seeded random weights, quantized
   with torch's eager post-training static quantization (qnnpack engine,
   per-channel symmetric int8 weights, uint8 activations) calibrated on
   Fashion-MNIST training images, exported to ONNX opset 13 (torch 1.13
   writes QuantizeLinear/DequantizeLinear around float ops).
   Files: torch_qdq.onnx, torch_input.npy, torch_ref.npy (the quantized torch
   model's own output on the inputs).
2. onnx.helper: a hand-built QDQ graph the way ONNX Runtime's quantizer
   writes it (QuantizeLinear/DequantizeLinear around Conv, Relu, MaxPool,
   Add and Gemm; per-axis int8 weight scales; int32 biases through
   DequantizeLinear; scales given by Constant nodes, one through a Cast and
   one by ConstantOfShape). Files: helper_qdq.onnx, helper_input.npy,
   helper_ref.npy (numpy evaluation of the QDQ graph in float).

Usage: export_qdq.py OUT_DIR [--count N] [--only torch|helper]
       export_qdq.py --compare OUT.npy REF.npy SCALE.npy [--max-lsb L]
           [--max-frac F] [--min-cos C] [--min-top1 T]
The second form prints the agreement (max |diff| in output LSBs, fraction of
differing elements, cosine, top-1 agreement) and exits 1 past a threshold.
"""

import argparse
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fashion_mnist  # noqa: E402


#===----------------------------------------------------------------------===#
# 1. torch eager post-training static quantization
#===----------------------------------------------------------------------===#

def torch_model(out_dir, count):
    import torch
    import torch.nn as nn
    import torch.ao.quantization as tq

    torch.manual_seed(0)
    torch.backends.quantized.engine = "qnnpack"

    def conv(cin, cout, k=3, stride=1, groups=1):
        return nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups)

    class QNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.quant = tq.QuantStub()
            self.stem = conv(1, 16)
            self.stem_relu = nn.ReLU()
            self.pool = nn.MaxPool2d(2)
            self.dw = conv(16, 16, groups=16)
            self.dw_relu = nn.ReLU()
            self.pw = conv(16, 16, k=1)
            self.add = nn.quantized.FloatFunctional()
            self.relu = nn.ReLU()
            self.down = conv(16, 32, stride=2)
            self.down_relu = nn.ReLU()
            self.conv = conv(32, 32)
            self.conv_relu = nn.ReLU()
            self.gap = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(32, 10)
            self.dequant = tq.DeQuantStub()

        def forward(self, x):
            x = self.pool(self.stem_relu(self.stem(self.quant(x))))
            x = self.relu(self.add.add(x, self.pw(self.dw_relu(self.dw(x)))))
            x = self.conv_relu(self.conv(self.down_relu(self.down(x))))
            return self.dequant(self.fc(torch.flatten(self.gap(x), 1)))

    model = QNet().eval()
    model = tq.fuse_modules(model, [["stem", "stem_relu"], ["dw", "dw_relu"],
                                    ["down", "down_relu"],
                                    ["conv", "conv_relu"]])
    model.qconfig = tq.QConfig(
        activation=tq.MinMaxObserver.with_args(dtype=torch.quint8),
        weight=tq.PerChannelMinMaxObserver.with_args(
            dtype=torch.qint8, qscheme=torch.per_channel_symmetric))
    tq.prepare(model, inplace=True)
    calib, _ = fashion_mnist.load("train")
    with torch.no_grad():
        model(torch.from_numpy(calib[:256]))
    tq.convert(model, inplace=True)

    images, _ = fashion_mnist.load("test")
    x = torch.from_numpy(images[:count])
    with torch.no_grad():
        ref = model(x).numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, x[:1], os.path.join(out_dir, "torch_qdq.onnx"),
                          opset_version=13, input_names=["image"],
                          output_names=["logits"])
    np.save(os.path.join(out_dir, "torch_input.npy"), images[:count])
    np.save(os.path.join(out_dir, "torch_ref.npy"), ref.astype(np.float32))
    np.save(os.path.join(out_dir, "torch_scale.npy"),
            np.array(model.fc.scale, np.float64))


#===----------------------------------------------------------------------===#
# 2. onnx.helper QDQ graph (ONNX Runtime style)
#===----------------------------------------------------------------------===#

def _q(x, s, z, lo, hi, axis=None):
    if axis is not None:
        shape = [1] * x.ndim
        shape[axis] = -1
        s = np.reshape(s, shape)
        z = np.reshape(z, shape)
    return np.clip(np.round(x / s) + z, lo, hi)


def _dq(q, s, z, axis=None):
    if axis is not None:
        shape = [1] * q.ndim
        shape[axis] = -1
        s = np.reshape(s, shape)
        z = np.reshape(z, shape)
    return ((q.astype(np.float64) - z) * s).astype(np.float32)


def _conv(x, w, b, pad):
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = h + 2 * pad - kh + 1, wd + 2 * pad - kw + 1
    out = np.zeros((n, o, oh, ow), np.float64)
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, :, i:i + oh, j:j + ow]
            out += np.einsum("nchw,oc->nohw", patch, w[:, :, i, j])
    return (out + b[None, :, None, None]).astype(np.float32)


def helper_model(out_dir, count):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(1)
    nodes, inits = [], []

    def const_node(name, array):
        nodes.append(helper.make_node(
            "Constant", [], [name], value=numpy_helper.from_array(array, name)))

    def init(name, array):
        inits.append(numpy_helper.from_array(array, name))

    # Activation quantization parameters.
    s_in, z_in = np.float32(1 / 255), np.uint8(0)
    s_c1, z_c1 = np.float32(0.0213), np.uint8(0)
    s_c2, z_c2 = np.float32(0.0297), np.uint8(0)
    s_add, z_add = np.float32(0.0411), np.uint8(0)
    s_fc, z_fc = np.float32(0.0493), np.uint8(128)
    # Input scale as a float64 Constant through a Cast (as torch writes
    # dtype conversions); its zero point from ConstantOfShape.
    const_node("s_in64", np.array(s_in, np.float64))
    nodes.append(helper.make_node("Cast", ["s_in64"], ["s_in"],
                                  to=TensorProto.FLOAT))
    const_node("zshape", np.array([], np.int64))
    nodes.append(helper.make_node(
        "ConstantOfShape", ["zshape"], ["z_in"],
        value=numpy_helper.from_array(np.array([0], np.uint8))))
    for name, s, z in [("c1", s_c1, z_c1), ("c2", s_c2, z_c2),
                       ("add", s_add, z_add), ("fc", s_fc, z_fc)]:
        const_node("s_" + name, np.array(s, np.float32))
        const_node("z_" + name, np.array(z, np.uint8))

    # Weights: int8, symmetric, per output channel (axis 0); biases int32 at
    # s_x·s_w[o] through DequantizeLinear.
    w1 = rng.normal(0, 0.3, (8, 1, 3, 3)).astype(np.float32)
    w2 = rng.normal(0, 0.2, (8, 8, 3, 3)).astype(np.float32)
    wf = rng.normal(0, 0.05, (10, 8 * 14 * 14)).astype(np.float32)
    b1 = rng.normal(0, 0.1, 8).astype(np.float32)
    b2 = rng.normal(0, 0.1, 8).astype(np.float32)
    bf = rng.normal(0, 0.1, 10).astype(np.float32)

    def weight(name, w, s_x, axis):
        red = tuple(d for d in range(w.ndim) if d != axis)
        s_w = (np.abs(w).max(axis=red) / 127).astype(np.float32)
        q = _q(w, s_w, 0, -127, 127, axis).astype(np.int8)
        init(name + "_q", q)
        init(name + "_s", s_w)
        init(name + "_z", np.zeros_like(q, shape=s_w.shape))
        nodes.append(helper.make_node(
            "DequantizeLinear", [name + "_q", name + "_s", name + "_z"],
            [name], axis=axis))
        return q, s_w

    def bias(name, b, acc_scale):
        q = np.round(b / acc_scale).astype(np.int32)
        init(name + "_q", q)
        init(name + "_s", acc_scale.astype(np.float32))
        init(name + "_z", np.zeros_like(q))
        nodes.append(helper.make_node(
            "DequantizeLinear", [name + "_q", name + "_s", name + "_z"],
            [name], axis=0))
        return q

    def qdq(x, name, tag):
        nodes.append(helper.make_node(
            "QuantizeLinear", [x, "s_" + tag, "z_" + tag], [name + "_q"]))
        nodes.append(helper.make_node(
            "DequantizeLinear", [name + "_q", "s_" + tag, "z_" + tag],
            [name]))

    qw1, sw1 = weight("w1", w1, s_in, 0)
    qw2, sw2 = weight("w2", w2, s_c1, 0)
    qwf, swf = weight("wf", wf, s_add, 0)
    qb1 = bias("b1", b1, s_in * sw1)
    qb2 = bias("b2", b2, s_c1 * sw2)
    qbf = bias("bf", bf, s_add * swf)

    qdq("image", "x0", "in")
    nodes.append(helper.make_node("Conv", ["x0", "w1", "b1"], ["c1"],
                                  pads=[1, 1, 1, 1]))
    nodes.append(helper.make_node("Relu", ["c1"], ["r1"]))
    qdq("r1", "y1", "c1")
    nodes.append(helper.make_node("MaxPool", ["y1"], ["p1"],
                                  kernel_shape=[2, 2], strides=[2, 2]))
    qdq("p1", "y1p", "c1")
    nodes.append(helper.make_node("Conv", ["y1p", "w2", "b2"], ["c2"],
                                  pads=[1, 1, 1, 1]))
    nodes.append(helper.make_node("Relu", ["c2"], ["r2"]))
    qdq("r2", "y2", "c2")
    nodes.append(helper.make_node("Add", ["y1p", "y2"], ["a"]))
    qdq("a", "ya", "add")
    nodes.append(helper.make_node("Flatten", ["ya"], ["f"], axis=1))
    nodes.append(helper.make_node("Gemm", ["f", "wf", "bf"], ["g"], transB=1))
    qdq("g", "logits", "fc")

    graph = helper.make_graph(
        nodes, "qdq_helper",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT,
                                       [count, 1, 28, 28])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT,
                                       [count, 10])], inits)
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out_dir, "helper_qdq.onnx"))

    # Reference: the QDQ graph evaluated in float (as ONNX Runtime's CPU
    # provider without QDQ fusion would).
    images, _ = fashion_mnist.load("test")
    x = images[:count]

    def qdq_np(v, s, z):
        return _dq(_q(v, s, z, 0, 255), s, z)

    x0 = qdq_np(x, s_in, z_in)
    c1 = _conv(x0, _dq(qw1, sw1, 0, 0), _dq(qb1, s_in * sw1, 0), 1)
    y1 = qdq_np(np.maximum(c1, 0), s_c1, z_c1)
    p1 = y1.reshape(count, 8, 14, 2, 14, 2).max(axis=(3, 5))
    y1p = qdq_np(p1, s_c1, z_c1)
    c2 = _conv(y1p, _dq(qw2, sw2, 0, 0), _dq(qb2, s_c1 * sw2, 0), 1)
    y2 = qdq_np(np.maximum(c2, 0), s_c2, z_c2)
    ya = qdq_np(y1p + y2, s_add, z_add)
    g = ya.reshape(count, -1).astype(np.float64) @ \
        _dq(qwf, swf, 0, 0).T.astype(np.float64) + _dq(qbf, s_add * swf, 0)
    logits = qdq_np(g.astype(np.float32), s_fc, z_fc)
    np.save(os.path.join(out_dir, "helper_input.npy"), x)
    np.save(os.path.join(out_dir, "helper_ref.npy"), logits)
    np.save(os.path.join(out_dir, "helper_scale.npy"), np.array(s_fc, np.float64))


def compare(args):
    out, ref, scale = (np.load(p) for p in args.compare)
    out = out.astype(np.float64).reshape(ref.shape)
    ref = ref.astype(np.float64)
    lsb = np.abs(out - ref) / float(scale)
    cos = (out * ref).sum() / (np.linalg.norm(out) * np.linalg.norm(ref))
    top1 = (out.argmax(-1) == ref.argmax(-1)).mean()
    frac = (lsb > 0.5).mean()
    print(f"max-lsb {lsb.max():.0f} differing {100 * frac:.1f}% "
          f"cosine {cos:.6f} top1-agreement {100 * top1:.1f}%")
    ok = (lsb.max() <= args.max_lsb + 1e-3 and frac <= args.max_frac and
          cos >= args.min_cos and top1 >= args.min_top1)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", nargs="?")
    parser.add_argument("--compare", nargs=3, metavar=("OUT", "REF", "SCALE"))
    parser.add_argument("--max-lsb", type=float, default=0)
    parser.add_argument("--max-frac", type=float, default=0)
    parser.add_argument("--min-cos", type=float, default=1)
    parser.add_argument("--min-top1", type=float, default=1)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--only", choices=["torch", "helper"])
    args = parser.parse_args()
    if args.compare:
        sys.exit(compare(args))
    if not args.out_dir:
        parser.error("OUT_DIR is required")
    os.makedirs(args.out_dir, exist_ok=True)
    if args.only != "helper":
        torch_model(args.out_dir, args.count)
    if args.only != "torch":
        helper_model(args.out_dir, args.count)


if __name__ == "__main__":
    main()
