#!/usr/bin/python3
"""ONNX models for the math, reduction, layer-norm, fused-activation and
ConvTranspose importer tests, with independent numpy references.

Usage:
  math_models.py gen OUTDIR NAME...    writes OUTDIR/NAME.onnx, NAME.x.npy
                                       (the input) and NAME.ref.npz
                                       (expected outputs by name)
  math_models.py check OUTDIR NAME...  compares OUTDIR/NAME/<output>.npy
                                       (mote-run --output-dir) with the
                                       references (rtol 1e-4, atol 1e-5)
Run with /usr/bin/python3 (Debian's python3-onnx and numpy).
"""
import math
import os
import sys
import zlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F = TensorProto.FLOAT
rng = np.random.default_rng(7)
erf = np.vectorize(math.erf)


def init(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def vi(name, shape):
    return helper.make_tensor_value_info(name, F, shape)


def model(nodes, x, outputs, inits=(), opset=13):
    graph = helper.make_graph(nodes, "g", [vi("x", list(x.shape))],
                              [vi(n, list(a.shape)) for n, a in outputs.items()],
                              list(inits))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def node(op, ins, outs, **attrs):
    return helper.make_node(op, ins, outs, name=outs[0], **attrs)


def conv1x1(x, w):
    """NCHW 1x1 conv (no bias): puts the tensor into the importer's NHWC."""
    return np.einsum("nchw,oc->nohw", x, w[:, :, 0, 0])


# ----------------------------------------------------------------------------
# Cases: each returns (model, input, {output name: reference}).
# ----------------------------------------------------------------------------

def reduce_pool():
    """ReduceMean / ReduceMax over H, W: global pooling."""
    x = rng.standard_normal((1, 3, 5, 6)).astype(np.float32)
    w = rng.standard_normal((4, 3, 1, 1)).astype(np.float32)
    c = conv1x1(x, w)
    nodes = [node("Conv", ["x", "w"], ["c"]),
             node("ReduceMean", ["c"], ["mean"], axes=[2, 3]),
             node("ReduceMax", ["c"], ["max"], axes=[-2, -1], keepdims=0)]
    outs = {"mean": c.mean(axis=(2, 3), keepdims=True),
            "max": c.max(axis=(2, 3))}
    return model(nodes, x, outs, [init("w", w)]), x, outs


def reduce_axes():
    """Generic reductions: axes as attribute and as input (ReduceSum 13),
    NHWC remapping, keepdims, noop_with_empty_axes, all axes."""
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    w = rng.standard_normal((3, 3, 1, 1)).astype(np.float32)
    c = conv1x1(x, w)
    nodes = [node("Conv", ["x", "w"], ["c"]),
             node("ReduceSum", ["c", "ax1"], ["sum_c"], keepdims=0),
             node("ReduceSum", ["c", "ax_empty"], ["sum_noop"],
                  noop_with_empty_axes=1),
             node("ReduceSum", ["c"], ["sum_all"]),
             node("ReduceMean", ["c"], ["mean_h"], axes=[2], keepdims=0),
             node("ReduceMin", ["c"], ["min_cw"], axes=[1, 3]),
             node("ReduceMax", ["x"], ["max_0"], axes=[0], keepdims=0)]
    outs = {"sum_c": c.sum(axis=1), "sum_noop": c,
            "sum_all": c.sum(keepdims=True),
            "mean_h": c.mean(axis=2), "min_cw": c.min(axis=(1, 3), keepdims=True),
            "max_0": x.max(axis=0)}
    inits = [init("w", w), init("ax1", np.array([1], np.int64)),
             init("ax_empty", np.array([], np.int64))]
    return model(nodes, x, outs, inits), x, outs


def reduce_opset11():
    """Opset 11: every Reduce* takes the axes attribute, negative axes."""
    x = rng.standard_normal((2, 6, 4)).astype(np.float32)
    nodes = [node("ReduceSum", ["x"], ["s"], axes=[-1, 0]),
             node("ReduceMean", ["x"], ["m"], axes=[1], keepdims=0)]
    outs = {"s": x.sum(axis=(0, 2), keepdims=True), "m": x.mean(axis=1)}
    return model(nodes, x, outs, opset=11), x, outs


def math_unary():
    """Sqrt, Reciprocal, Log, Erf, Pow with constant exponents."""
    x = rng.uniform(0.25, 3.0, (2, 3, 4)).astype(np.float32)
    nodes = [node("Sqrt", ["x"], ["sqrt"]),
             node("Reciprocal", ["x"], ["recip"]),
             node("Log", ["x"], ["log"]),
             node("Erf", ["x"], ["erf"]),
             node("Pow", ["x", "two"], ["sq"]),
             node("Pow", ["x", "half"], ["root"]),
             node("Pow", ["x", "e3"], ["cube"])]
    outs = {"sqrt": np.sqrt(x), "recip": 1 / x, "log": np.log(x),
            "erf": erf(x).astype(np.float32), "sq": x ** 2,
            "root": x ** 0.5, "cube": x ** 3}
    inits = [init("two", np.array(2.0, np.float32)),
             init("half", np.array([0.5], np.float32)),
             init("e3", np.array(3, np.int64))]
    return model(nodes, x, outs, inits, opset=15), x, outs


def broadcast():
    """Div/Sub/Mul/Max/Min with per-channel [1,C,1,1], [C,1,1], scalar and
    row/column operands, on an NHWC (conv) tensor and in ONNX layout."""
    x = rng.standard_normal((1, 3, 4, 5)).astype(np.float32)
    w = rng.standard_normal((3, 3, 1, 1)).astype(np.float32)
    c = conv1x1(x, w)
    pc = rng.uniform(0.5, 2, (1, 3, 1, 1)).astype(np.float32)
    pc3 = rng.standard_normal((3, 1, 1)).astype(np.float32)
    row = rng.standard_normal((5,)).astype(np.float32)
    col = rng.standard_normal((1, 1, 4, 1)).astype(np.float32)
    nodes = [node("Conv", ["x", "w"], ["c"]),
             node("Div", ["c", "pc"], ["div"]),
             node("Sub", ["c", "scalar"], ["sub"]),
             node("Sub", ["scalar", "x"], ["rsub"]),
             node("Mul", ["pc3", "c"], ["mul"]),
             node("Max", ["c", "row"], ["max"]),
             node("Min", ["c", "col", "x"], ["min"]),
             node("Div", ["c", "x"], ["div2"])]
    outs = {"div": c / pc, "sub": c - 0.5, "rsub": 0.5 - x, "mul": pc3 * c,
            "max": np.maximum(c, row), "min": np.minimum(np.minimum(c, col), x),
            "div2": c / x}
    inits = [init("w", w), init("pc", pc), init("pc3", pc3),
             init("scalar", np.array(0.5, np.float32)), init("row", row),
             init("col", col)]
    return model(nodes, x, outs, inits), x, outs


def clamp_const():
    """Max / Min against one constant (tf2onnx's ReLU6 and clamps): a
    clamp; a per-channel constant that differs per channel stays a
    maximum."""
    x = rng.standard_normal((1, 3, 4, 5)).astype(np.float32) * 4
    w = rng.standard_normal((3, 3, 1, 1)).astype(np.float32)
    c = conv1x1(x, w)
    pc = np.array([-1.0, 0.0, 1.0], np.float32).reshape(1, 3, 1, 1)
    nodes = [node("Conv", ["x", "w"], ["c"]),
             node("Max", ["c", "zero"], ["r"]),
             node("Min", ["six", "r"], ["relu6"]),
             node("Max", ["c", "pc"], ["pmax"])]
    outs = {"relu6": np.minimum(np.maximum(c, 0.0), 6.0),
            "pmax": np.maximum(c, pc)}
    inits = [init("w", w), init("zero", np.array(0.0, np.float32)),
             init("six", np.full((1, 1, 1, 1), 6.0, np.float32)),
             init("pc", pc)]
    return model(nodes, x, outs, inits), x, outs


def ln_ref(x, axis, g, b, eps):
    axes = tuple(range(axis, x.ndim))
    m = x.astype(np.float64).mean(axis=axes, keepdims=True)
    v = ((x - m) ** 2).mean(axis=axes, keepdims=True)
    return ((x - m) / np.sqrt(v + eps) * g + b).astype(np.float32)


def layer_norm17():
    """The opset-17 LayerNormalization op, axis -1 and axis 1."""
    x = rng.standard_normal((2, 5, 8)).astype(np.float32)
    g = rng.standard_normal((8,)).astype(np.float32)
    b = rng.standard_normal((8,)).astype(np.float32)
    g2 = rng.standard_normal((5, 8)).astype(np.float32)
    nodes = [node("LayerNormalization", ["x", "g", "b"], ["ln"]),
             node("LayerNormalization", ["x", "g2"], ["ln1"], axis=1,
                  epsilon=1e-3)]
    outs = {"ln": ln_ref(x, 2, g, b, 1e-5), "ln1": ln_ref(x, 1, g2, 0, 1e-3)}
    inits = [init("g", g), init("b", b), init("g2", g2)]
    return model(nodes, x, outs, inits, opset=17), x, outs


def layer_norm_decomposed():
    """torch.onnx's LayerNorm below opset 17, over the last axis of a
    [B, T, C] tensor, and over the channels of a conv output (NCHW axis 1,
    trailing once the importer works in NHWC)."""
    x = rng.standard_normal((2, 4, 6)).astype(np.float32)
    g = rng.standard_normal((6,)).astype(np.float32)
    b = rng.standard_normal((6,)).astype(np.float32)

    def ln_nodes(src, out, axes, g, b, p):
        return [node("ReduceMean", [src], [p + "m"], axes=axes),
                node("Sub", [src, p + "m"], [p + "d"]),
                node("Pow", [p + "d", "two"], [p + "sq"]),
                node("ReduceMean", [p + "sq"], [p + "v"], axes=axes),
                node("Add", [p + "v", "eps"], [p + "ve"]),
                node("Sqrt", [p + "ve"], [p + "s"]),
                node("Div", [p + "d", p + "s"], [p + "n"]),
                node("Mul", [p + "n", g], [p + "ng"]),
                node("Add", [p + "ng", b], [out])]
    # The conv path: x [2, 4, 6] reshaped to NCHW [2, 4, 6, 1].
    w = rng.standard_normal((5, 4, 1, 1)).astype(np.float32)
    gc = rng.standard_normal((5, 1, 1)).astype(np.float32)
    bc = rng.standard_normal((5, 1, 1)).astype(np.float32)
    c = conv1x1(x.reshape(2, 4, 6, 1), w)
    cm = c.mean(axis=1, keepdims=True)
    cv = ((c - cm) ** 2).mean(axis=1, keepdims=True)
    nodes = (ln_nodes("x", "ln", [-1], "g", "b", "a_") +
             [node("Reshape", ["x", "shape4"], ["x4"]),
              node("Conv", ["x4", "w"], ["c"])] +
             ln_nodes("c", "ln2d", [1], "gc", "bc", "c_"))
    outs = {"ln": ln_ref(x, 2, g, b, 1e-5),
            "ln2d": ((c - cm) / np.sqrt(cv + 1e-5) * gc + bc).astype(np.float32)}
    inits = [init("g", g), init("b", b), init("two", np.array(2.0, np.float32)),
             init("eps", np.array(1e-5, np.float32)),
             init("shape4", np.array([2, 4, 6, 1], np.int64)), init("w", w),
             init("gc", gc), init("bc", bc)]
    return model(nodes, x, outs, inits), x, outs


def layer_norm_width():
    """nn.LayerNorm(W) on an NCHW conv output (torch below opset 17): a
    norm over W, a non-trailing axis of the importer's NHWC tensor."""
    x = rng.standard_normal((1, 3, 4, 5)).astype(np.float32)
    w = rng.standard_normal((2, 3, 1, 1)).astype(np.float32)
    g = rng.standard_normal((5,)).astype(np.float32)
    b = rng.standard_normal((5,)).astype(np.float32)
    c = conv1x1(x, w)
    nodes = [node("Conv", ["x", "w"], ["c"]),
             node("ReduceMean", ["c"], ["m"], axes=[-1]),
             node("Sub", ["c", "m"], ["d"]),
             node("Pow", ["d", "two"], ["sq"]),
             node("ReduceMean", ["sq"], ["v"], axes=[-1]),
             node("Add", ["v", "eps"], ["ve"]),
             node("Sqrt", ["ve"], ["s"]),
             node("Div", ["d", "s"], ["n"]),
             node("Mul", ["n", "g"], ["ng"]),
             node("Add", ["ng", "b"], ["y"])]
    outs = {"y": ln_ref(c, 3, g, b, 1e-5)}
    inits = [init("w", w), init("g", g), init("b", b),
             init("two", np.array(2.0, np.float32)),
             init("eps", np.array(1e-5, np.float32))]
    return model(nodes, x, outs, inits), x, outs


def activations():
    """HardSigmoid·x (torch's HardSwish before opset 14), Sigmoid·x (SiLU)
    and the Erf form of GELU, each on a conv output."""
    x = rng.standard_normal((1, 2, 3, 4)).astype(np.float32) * 3
    w = rng.standard_normal((3, 2, 1, 1)).astype(np.float32)
    c = conv1x1(x, w)
    nodes = [node("Conv", ["x", "w"], ["c"]),
             node("HardSigmoid", ["c"], ["hs"], alpha=1 / 6, beta=0.5),
             node("Mul", ["c", "hs"], ["hswish"]),
             node("Sigmoid", ["c"], ["sg"]),
             node("Mul", ["sg", "c"], ["silu"]),
             node("Div", ["c", "sqrt2"], ["g_d"]),
             node("Erf", ["g_d"], ["g_e"]),
             node("Add", ["g_e", "one"], ["g_a"]),
             node("Mul", ["c", "g_a"], ["g_m"]),
             node("Mul", ["g_m", "half"], ["gelu"]),
             # x·0.5 first and x·(1/√2): the other association torch writes.
             node("Mul", ["c", "rsqrt2"], ["h_d"]),
             node("Erf", ["h_d"], ["h_e"]),
             node("Add", ["one", "h_e"], ["h_a"]),
             node("Mul", ["c", "half"], ["h_m"]),
             node("Mul", ["h_m", "h_a"], ["gelu2"])]
    gelu = (0.5 * c * (1 + erf(c / math.sqrt(2)))).astype(np.float32)
    outs = {"hswish": c * np.clip(c / 6 + 0.5, 0, 1),
            "silu": c / (1 + np.exp(-c)), "gelu": gelu, "gelu2": gelu}
    inits = [init("w", w), init("sqrt2", np.array(math.sqrt(2), np.float32)),
             init("rsqrt2", np.array(1 / math.sqrt(2), np.float32)),
             init("one", np.array(1.0, np.float32)),
             init("half", np.array(0.5, np.float32))]
    return model(nodes, x, outs, inits), x, outs


def conv_transpose_ref(x, w, b, strides, pads, dil, out_pad, group):
    """Scatter form of the transposed convolution (NCHW, [C_in, C_out/g, k])."""
    n, cin, h, wd = x.shape
    _, cog, kh, kw = w.shape
    cig = cin // group
    oh = strides[0] * (h - 1) + out_pad[0] + dil[0] * (kh - 1) + 1 - pads[0] - pads[2]
    ow = strides[1] * (wd - 1) + out_pad[1] + dil[1] * (kw - 1) + 1 - pads[1] - pads[3]
    full = np.zeros((n, cog * group, oh + pads[0] + pads[2] + kh * dil[0],
                     ow + pads[1] + pads[3] + kw * dil[1]), np.float64)
    for ci in range(cin):
        g = ci // cig
        for i in range(h):
            for j in range(wd):
                for a in range(kh):
                    for c in range(kw):
                        y, z = i * strides[0] + a * dil[0], j * strides[1] + c * dil[1]
                        full[:, g * cog:(g + 1) * cog, y, z] += \
                            x[:, ci, i, j][:, None] * w[ci, :, a, c][None, :]
    out = full[:, :, pads[0]:pads[0] + oh, pads[1]:pads[1] + ow]
    if b is not None:
        out = out + b[None, :, None, None]
    return out.astype(np.float32)


def conv_transpose():
    """Groups, strides, pads (one larger than the kernel's reach: a crop),
    output_padding, dilations, bias; a 1-D one."""
    x = rng.standard_normal((1, 4, 3, 4)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 2)).astype(np.float32)
    b = rng.standard_normal((6,)).astype(np.float32)
    w2 = rng.standard_normal((4, 2, 2, 3)).astype(np.float32)
    nodes = [node("ConvTranspose", ["x", "w", "b"], ["y"], group=2,
                  strides=[2, 3], pads=[1, 0, 0, 2], output_padding=[1, 0]),
             node("ConvTranspose", ["x", "w2"], ["y2"], strides=[3, 2],
                  dilations=[2, 1], pads=[2, 2, 1, 1]),
             node("Reshape", ["x", "shape3"], ["x1"]),
             node("ConvTranspose", ["x1", "w1"], ["y1"], strides=[2],
                  auto_pad="SAME_UPPER")]
    x1 = x.reshape(1, 4, 12)
    w1 = rng.standard_normal((4, 2, 3)).astype(np.float32)
    y1 = conv_transpose_ref(x1[:, :, None, :], w1[:, :, None, :], None,
                            [1, 2], [0, 0, 0, 1], [1, 1], [0, 0], 1)[:, :, 0, :]
    outs = {"y": conv_transpose_ref(x, w, b, [2, 3], [1, 0, 0, 2], [1, 1],
                                    [1, 0], 2),
            "y2": conv_transpose_ref(x, w2, None, [3, 2], [2, 2, 1, 1],
                                     [2, 1], [0, 0], 1),
            "y1": y1}
    inits = [init("w", w), init("b", b), init("w2", w2), init("w1", w1),
             init("shape3", np.array([1, 4, 12], np.int64))]
    return model(nodes, x, outs, inits), x, outs


CASES = {f.__name__: f for f in [reduce_pool, reduce_axes, reduce_opset11,
                                   clamp_const,
                                 math_unary, broadcast, layer_norm17,
                                 layer_norm_decomposed, layer_norm_width,
                                 activations,
                                 conv_transpose]}


def main():
    mode, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    global rng
    for name in sys.argv[3:]:
        # Each case draws from its own seed, so gen and check agree whatever
        # cases a run lists.
        rng = np.random.default_rng(zlib.crc32(name.encode()))
        m, x, refs = CASES[name]()
        if mode == "gen":
            onnx.save(m, os.path.join(out, name + ".onnx"))
            np.save(os.path.join(out, name + ".x.npy"), x)
            np.savez(os.path.join(out, name + ".ref.npz"), **refs)
            continue
        for key, ref in refs.items():
            got = np.load(os.path.join(out, name, key + ".npy"))
            if got.shape != ref.shape or not np.allclose(got, ref, rtol=1e-4,
                                                          atol=1e-5):
                err = (np.abs(got - ref).max() if got.shape == ref.shape
                       else "shape %s vs %s" % (got.shape, ref.shape))
                sys.exit("%s: output %s differs from numpy: %s" % (name, key, err))
        print("%s: %d outputs match numpy" % (name, len(refs)))


if __name__ == "__main__":
    main()
