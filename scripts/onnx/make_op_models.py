#!/usr/bin/python3
#===- scripts/onnx/make_op_models.py - Small ONNX models, one op family each ===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""Builds small float ONNX models with onnx.helper, one per family of the
operators the Mote importer takes (docs/ONNX.md), with seeded random weights
and a seeded random input, for comparing mote-run with onnxruntime
(scripts/onnx/compare_ort.py --dir OUT_DIR --all).

For each model NAME it writes NAME.onnx and NAME.input.npy (one runtime
input) or NAME.input.<input name>.npy (several). --opset picks the opset the
models are written for (10, 13 or 17; opset 10 uses the attribute forms of
Clip, Pad, Squeeze/Unsqueeze and the coerce-to-2-D Softmax).

Usage: make_op_models.py OUT_DIR [--opset 13] [--list]
"""

import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


class Builder:
    """One graph under construction: nodes, initializers, inputs."""

    def __init__(self, name, opset, seed):
        self.name = name
        self.opset = opset
        self.rng = np.random.default_rng(seed)
        self.nodes = []
        self.inits = []
        self.inputs = []  # (name, array)
        self.count = 0

    def fresh(self, hint):
        self.count += 1
        return f"{hint}_{self.count}"

    def input(self, name, shape, scale=1.0):
        a = (self.rng.standard_normal(shape) * scale).astype(np.float32)
        self.inputs.append((name, a))
        return name

    def const(self, array, hint="w"):
        name = self.fresh(hint)
        self.inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def weight(self, shape, scale=None, hint="w"):
        if scale is None:  # keep activations O(1): ~1/sqrt(fan-in)
            fan = int(np.prod(shape[1:])) if len(shape) > 1 else 1
            scale = 1.0 / np.sqrt(max(fan, 1))
        return self.const((self.rng.standard_normal(shape) * scale)
                          .astype(np.float32), hint)

    def op(self, op_type, inputs, outputs=1, **attrs):
        outs = [self.fresh(op_type.lower()) for _ in range(outputs)]
        self.nodes.append(helper.make_node(op_type, inputs, outs,
                                           name=self.fresh("n_" + op_type),
                                           **attrs))
        return outs[0] if outputs == 1 else outs

    # Opset-dependent forms.
    def clip(self, x, lo, hi):
        if self.opset < 11:
            return self.op("Clip", [x], min=float(lo), max=float(hi))
        return self.op("Clip", [x, self.const(np.float32(lo), "min"),
                                self.const(np.float32(hi), "max")])

    def pad(self, x, pads, value=0.0):
        if self.opset < 11:
            return self.op("Pad", [x], pads=pads, value=float(value),
                           mode="constant")
        return self.op("Pad", [x, self.const(np.array(pads, np.int64), "pads"),
                               self.const(np.float32(value), "value")],
                       mode="constant")

    def squeeze(self, x, axes):
        if self.opset < 13:
            return self.op("Squeeze", [x], axes=axes)
        return self.op("Squeeze", [x, self.const(np.array(axes, np.int64),
                                                 "axes")])

    def unsqueeze(self, x, axes):
        if self.opset < 13:
            return self.op("Unsqueeze", [x], axes=axes)
        return self.op("Unsqueeze", [x, self.const(np.array(axes, np.int64),
                                                   "axes")])

    def reshape(self, x, shape):
        return self.op("Reshape", [x, self.const(np.array(shape, np.int64),
                                                 "shape")])

    def conv(self, x, cin, cout, k, group=1, bias=True, **attrs):
        ins = [x, self.weight([cout, cin // group, k, k])]
        if bias:
            ins.append(self.weight([cout], 0.1, "b"))
        return self.op("Conv", ins, group=group, **attrs)

    def batchnorm(self, x, c):
        r = self.rng
        return self.op("BatchNormalization", [
            x,
            self.const((r.random(c) + 0.5).astype(np.float32), "gamma"),
            self.const((r.standard_normal(c) * 0.1).astype(np.float32), "beta"),
            self.const((r.standard_normal(c) * 0.1).astype(np.float32), "mean"),
            self.const((r.random(c) + 0.5).astype(np.float32), "var")],
            epsilon=1e-5)

    def finish(self, outputs, out_dir):
        graph = helper.make_graph(
            self.nodes, self.name,
            [helper.make_tensor_value_info(n, TensorProto.FLOAT, a.shape)
             for n, a in self.inputs],
            [helper.make_tensor_value_info(o, TensorProto.FLOAT, None)
             for o in outputs],
            self.inits)
        model = helper.make_model(
            graph, producer_name="mote make_op_models.py",
            opset_imports=[helper.make_opsetid("", self.opset)])
        model.ir_version = 7 if self.opset >= 13 else 5
        # Output shapes from ONNX's own shape inference.
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
        known = {v.name: v for v in inferred.graph.value_info}
        known.update({v.name: v for v in inferred.graph.output})
        for o in model.graph.output:
            o.CopyFrom(known[o.name])
        onnx.checker.check_model(model, full_check=True)
        base = os.path.join(out_dir, self.name)
        onnx.save(model, base + ".onnx")
        if len(self.inputs) == 1:
            np.save(base + ".input.npy", self.inputs[0][1])
        else:
            for n, a in self.inputs:
                np.save(f"{base}.input.{n}.npy", a)


def rename_outputs(b, outs, names):
    """Gives graph outputs readable names (with a character mote-run and
    ort_run.js must both turn into '_' in the file name)."""
    renamed = []
    for o, n in zip(outs, names):
        renamed.append(b.op("Identity", [o]))
        b.nodes[-1].output[0] = n
        renamed[-1] = n
    return renamed


# Each model: name -> function(builder) returning its output names.
MODELS = {}


def model(fn):
    MODELS[fn.__name__] = fn
    return fn


@model
def conv_basic(b):
    x = b.input("x", [1, 3, 16, 16])
    return [b.conv(x, 3, 8, 3, pads=[1, 1, 1, 1])]


@model
def conv_strided_dilated(b):
    x = b.input("x", [1, 4, 17, 15])
    y = b.conv(x, 4, 6, 3, strides=[2, 2], dilations=[2, 2],
               pads=[0, 1, 2, 1])
    z = b.conv(x, 4, 5, 3, bias=False, strides=[1, 2], pads=[2, 0, 1, 1])
    return [y, z]


@model
def conv_grouped(b):
    x = b.input("x", [1, 8, 12, 12])
    dw = b.conv(x, 8, 8, 3, group=8, pads=[1, 1, 1, 1])
    g = b.conv(dw, 8, 6, 3, group=2, strides=[2, 2], pads=[1, 1, 1, 1])
    dwm = b.conv(x, 8, 16, 5, group=8, pads=[2, 2, 2, 2])  # multiplier 2
    return [g, dwm]


@model
def conv_auto_pad(b):
    x = b.input("x", [1, 3, 15, 14])
    up = b.conv(x, 3, 4, 3, auto_pad="SAME_UPPER", strides=[2, 2])
    lo = b.conv(x, 3, 4, 4, auto_pad="SAME_LOWER", strides=[2, 2])
    va = b.conv(x, 3, 4, 3, auto_pad="VALID")
    return [up, lo, va]


@model
def conv1d(b):
    x = b.input("x", [1, 4, 20])
    w = b.weight([6, 4, 3])
    y = b.op("Conv", [x, w, b.weight([6], 0.1, "b")], pads=[1, 1],
             strides=[2])
    return [b.op("MaxPool", [y], kernel_shape=[2], strides=[2])]


@model
def gemm(b):
    x = b.input("x", [2, 16])
    y = b.op("Gemm", [x, b.weight([10, 16]), b.weight([10], 0.1, "c")],
             transB=1, alpha=0.5, beta=2.0)
    z = b.op("Gemm", [y, b.weight([10, 7]), b.const(np.float32([0.25]), "c")])
    return [z]


@model
def matmul(b):
    x = b.input("x", [1, 4, 8])
    w = b.input("w", [8, 5])
    y = b.op("MatMul", [x, b.weight([8, 6])])
    z = b.op("MatMul", [x, w])
    return [y, z]


@model
def pools(b):
    x = b.input("x", [1, 4, 13, 13])
    mp = b.op("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2],
              pads=[1, 1, 1, 1])
    mpc = b.op("MaxPool", [x], kernel_shape=[2, 2], strides=[2, 2],
               ceil_mode=1)
    ap = b.op("AveragePool", [x], kernel_shape=[3, 3], strides=[2, 2],
              pads=[1, 1, 1, 1], count_include_pad=0)
    api = b.op("AveragePool", [x], kernel_shape=[3, 3], strides=[2, 2],
               pads=[1, 0, 1, 0], count_include_pad=1)
    apc = b.op("AveragePool", [x], kernel_shape=[2, 2], strides=[2, 2],
               ceil_mode=1)
    gap = b.op("GlobalAveragePool", [x])
    gmp = b.op("GlobalMaxPool", [x])
    return [mp, mpc, ap, api, apc, gap, gmp]


@model
def elementwise(b):
    x = b.input("x", [1, 6, 5, 5])
    y = b.input("y", [1, 6, 5, 5])
    a = b.op("Add", [x, y])
    s = b.op("Sub", [a, b.weight([6, 1, 1], 1.0)])
    m = b.op("Mul", [s, b.weight([1, 6, 1, 1], 1.0)])
    d = b.op("Div", [m, b.const((np.abs(b.rng.standard_normal([5])) + 0.5)
                                .astype(np.float32), "d")])
    mx = b.op("Max", [d, x, b.const(np.float32(-0.5), "k")])
    mn = b.op("Min", [mx, y])
    sm = b.op("Sum", [mn, x, y])
    bc = b.op("Mul", [x, b.const(np.float32(1.5), "k")])
    return [sm, bc]


@model
def concat_cnn(b):
    x = b.input("x", [1, 3, 10, 10])
    c1 = b.op("Relu", [b.conv(x, 3, 4, 3, pads=[1, 1, 1, 1])])
    c2 = b.conv(x, 3, 5, 1)
    cat = b.op("Concat", [c1, x, c2], axis=1)
    flat = b.op("Flatten", [cat], axis=1)
    cat2 = b.op("Concat", [flat, flat], axis=-1 if b.opset >= 11 else 1)
    return [cat, cat2]


@model
def softmax(b):
    x = b.input("x", [2, 10], 3.0)
    x4 = b.input("x4", [1, 3, 4, 5], 3.0)
    outs = [b.op("Softmax", [x], axis=1), b.op("LogSoftmax", [x], axis=1)]
    if b.opset >= 13:
        outs.append(b.op("Softmax", [x4], axis=1))   # channel axis in NHWC
        outs.append(b.op("LogSoftmax", [x4], axis=-1))
    else:
        outs.append(b.op("Softmax", [x4], axis=1))   # coerce to 2-D at 1
        outs.append(b.op("LogSoftmax", [x4], axis=3))
    return outs


@model
def activations(b):
    x = b.input("x", [1, 4, 6, 6], 2.0)
    outs = [
        b.op("Relu", [x]),
        b.clip(x, -0.5, 1.5),
        b.op("LeakyRelu", [x], alpha=0.1),
        b.op("PRelu", [x, b.const((b.rng.random([4, 1, 1]) * 0.5)
                                  .astype(np.float32), "slope")]),
        b.op("HardSigmoid", [x], alpha=0.25, beta=0.4),
        b.op("Sigmoid", [x]),
        b.op("Tanh", [x]),
        b.op("Exp", [x]),
        b.op("Elu", [x], alpha=0.7),
        b.op("Selu", [x]),
        b.op("Softplus", [x]),
    ]
    if b.opset >= 14:
        outs.append(b.op("HardSwish", [x]))
    return outs


@model
def reshapes(b):
    x = b.input("x", [1, 4, 6, 6])
    c = b.conv(x, 4, 6, 3, pads=[1, 1, 1, 1])
    t = b.op("Transpose", [c], perm=[0, 2, 3, 1])
    r = b.reshape(t, [0, -1, 6])
    u = b.unsqueeze(r, [1])
    s = b.squeeze(u, [1])
    f = b.op("Flatten", [c], axis=2)
    back = b.op("Transpose", [b.reshape(s, [1, 6, 6, 6])], perm=[0, 3, 1, 2])
    y = b.conv(back, 6, 3, 1)
    return [s, f, y]


@model
def pad_constant(b):
    x = b.input("x", [1, 3, 7, 8])
    p = b.pad(x, [0, 0, 1, 2, 0, 0, 2, 1], 0.5)
    return [b.conv(p, 3, 4, 3)]


@model
def small_cnn(b):
    """conv-BN-relu, max pool, a residual block, global pool, Gemm, softmax."""
    x = b.input("x", [1, 3, 24, 24])
    h = b.op("Relu", [b.batchnorm(b.conv(x, 3, 8, 3, bias=False,
                                         pads=[1, 1, 1, 1]), 8)])
    h = b.op("MaxPool", [h], kernel_shape=[3, 3], strides=[2, 2],
             pads=[1, 1, 1, 1])
    r = b.op("Relu", [b.batchnorm(b.conv(h, 8, 8, 3, pads=[1, 1, 1, 1]), 8)])
    r = b.batchnorm(b.conv(r, 8, 8, 3, pads=[1, 1, 1, 1]), 8)
    h = b.op("Relu", [b.op("Add", [h, r])])
    h = b.clip(b.conv(h, 8, 16, 3, strides=[2, 2], pads=[1, 1, 1, 1]), 0, 6)
    g = b.op("Flatten", [b.op("GlobalAveragePool", [h])], axis=1)
    logits = b.op("Gemm", [g, b.weight([10, 16]), b.weight([10], 0.1, "b")],
                  transB=1)
    return rename_outputs(b, [logits, b.op("Softmax", [logits], axis=1)],
                          ["logits", "probs:0"])


def main():
    parser = argparse.ArgumentParser(description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir")
    parser.add_argument("--opset", type=int, default=13, choices=[10, 13, 17])
    parser.add_argument("--models", help="comma-separated subset")
    parser.add_argument("--list", action="store_true")
    opts = parser.parse_args()
    names = opts.models.split(",") if opts.models else list(MODELS)
    if opts.list:
        print("\n".join(names))
        return
    os.makedirs(opts.out_dir, exist_ok=True)
    for name in names:
        if name not in MODELS:
            raise SystemExit(f"unknown model '{name}' ({', '.join(MODELS)})")
        # A seed of its own per model, so that a subset builds the same.
        b = Builder(name, opts.opset, list(MODELS).index(name))
        outs = MODELS[name](b)
        b.finish(outs, opts.out_dir)
    print(f"{len(names)} models at opset {opts.opset} in {opts.out_dir}")


if __name__ == "__main__":
    main()
