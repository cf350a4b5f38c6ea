#!/usr/bin/python3
"""Writes ONNX models for the opset, --input-shape and data-movement lit
tests (test/Frontend/ONNX/{opsets,input-shape,data-movement}.test).

Usage: make_opset_models.py OUTDIR            (writes every model)
       make_opset_models.py check OUTDIR MOTE_RUN
            runs every `REF_CASES` model on mote-run with random inputs and
            compares with the numpy reference below; prints one line each.
Run with /usr/bin/python3 (Debian's python3-onnx 1.12 and numpy).
"""
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F = TensorProto.FLOAT
I64 = TensorProto.INT64


def init(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def vi(name, shape, elem=F):
    return helper.make_tensor_value_info(name, elem, shape)


def model(nodes, inputs, outputs, inits=(), opset=13, name="g"):
    graph = helper.make_graph(nodes, name, inputs, outputs, list(inits))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 7
    return m


def node(op, ins, outs, name=None, **attrs):
    return helper.make_node(op, ins, outs, name=name or op.lower(), **attrs)


def ints(name, values):
    return init(name, np.array(values, np.int64))


def floats(name, values):
    return init(name, np.array(values, np.float32))


# A 1x1 conv that makes its output an NHWC activation inside Mote, so that
# the op after it is imported on NHWC data (axes remapped).
CONV_W = (np.arange(9, dtype=np.float32).reshape(3, 3, 1, 1) - 4) / 4


def conv(x, y):
    return node("Conv", [x, "cw"], [y], name="conv_" + y)


def conv_ref(x):
    return np.einsum("oc,nchw->nohw", CONV_W[:, :, 0, 0], x)


MODELS = {}
REF_CASES = {}  # name -> (input shape, reference function)


def register(name, ref=None, shape=None):
    def wrap(fn):
        MODELS[name] = fn
        if ref is not None:
            REF_CASES[name] = (shape, ref)
        return fn
    return wrap


#===------------------------------------------------------------------===#
# --input-shape and shape folding
#===------------------------------------------------------------------===#

@register("dyn_batch")
def dyn_batch():
    return model([node("Relu", ["x"], ["y"])], [vi("x", ["N", 3, 4, 4])],
                 [vi("y", ["N", 3, 4, 4])])


@register("dyn_hw")
def dyn_hw():
    return model([node("Relu", ["x"], ["y"])], [vi("x", ["N", 1, "H", "W"])],
                 [vi("y", ["N", 1, "H", "W"])])


@register("no_shape")
def no_shape():
    x = helper.make_tensor_value_info("x", F, None)
    return model([node("Relu", ["x"], ["y"])], [x], [vi("y", None)])


@register("shape_chain")
def shape_chain():
    """A CRNN-style reshape: [N, C, H, W] -> [N, C*H, W] computed from
    Shape -> Gather/Slice -> Mul -> Unsqueeze -> Concat -> Cast -> Reshape."""
    nodes = [
        node("Shape", ["x"], ["s"]),
        node("Gather", ["s", "i0"], ["n"], axis=0),
        node("Slice", ["s", "st", "en"], ["ch"]),
        node("Gather", ["ch", "i0"], ["c"], axis=0),
        node("Gather", ["ch", "i1"], ["h"], axis=0),
        node("Mul", ["c", "h"], ["chh"]),
        node("Unsqueeze", ["n", "ax0"], ["n1"]),
        node("Unsqueeze", ["chh", "ax0"], ["c1"]),
        node("Concat", ["n1", "c1", "m1"], ["shape"], axis=0),
        node("Cast", ["shape"], ["shape64"], to=I64),
        node("Reshape", ["x", "shape64"], ["y"]),
    ]
    inits = [ints("i0", 0), ints("i1", 1), ints("st", [1]), ints("en", [3]),
             ints("ax0", [0]), ints("m1", [-1])]
    return model(nodes, [vi("x", ["N", 76, 32, "W"])], [vi("y", ["N", None, None])],
                 inits)


@register("shape_split")
def shape_split():
    """Split of a shape tensor folds on the host like Slice does."""
    nodes = [
        node("Shape", ["x"], ["s"]),
        node("Split", ["s", "sp"], ["nc", "w"], axis=0),
        node("Max", ["w", "one"], ["w1"]),
        node("Min", ["w1", "big"], ["w2"]),
        node("Concat", ["w2", "nc"], ["shape"], axis=0),
        node("Reshape", ["x", "shape"], ["y"]),
    ]
    return model(nodes, [vi("x", ["N", 6, 4])], [vi("y", None)],
                 [ints("sp", [2, 1]), ints("one", [1]), ints("big", [64])])


#===------------------------------------------------------------------===#
# Opset-faithful import
#===------------------------------------------------------------------===#

@register("slice_v9")
def slice_v9():
    return model([node("Slice", ["x"], ["y"], starts=[1, 0], ends=[3, -1],
                       axes=[2, 3])],
                 [vi("x", [1, 3, 4, 5])], [vi("y", [1, 3, 2, 4])], opset=9)


@register("slice_v13")
def slice_v13():
    return model([node("Slice", ["x", "s", "e", "a", "t"], ["y"])],
                 [vi("x", [1, 3, 4, 5])], [vi("y", [1, 3, 2, 2])],
                 [ints("s", [1, 0]), ints("e", [3, 9]), ints("a", [2, -1]),
                  ints("t", [1, 3])])


@register("pad_v2")
def pad_v2():
    # The Pad-2 schema (attributes) is what opsets 2-10 use; Mote imports
    # opsets 6-17, so it is tested at 7.
    return model([node("Pad", ["x"], ["y"], pads=[0, 0, 1, 2, 0, 0, 3, 4],
                       value=1.5)],
                 [vi("x", [1, 3, 4, 5])], [vi("y", [1, 3, 8, 11])], opset=7)


@register("pad_v11")
def pad_v11():
    return model([node("Pad", ["x", "p", "v"], ["y"])],
                 [vi("x", [1, 3, 4, 5])], [vi("y", [1, 3, 8, 11])],
                 [ints("p", [0, 0, 1, 2, 0, 0, 3, 4]), floats("v", 1.5)],
                 opset=11)


@register("clip_v6")
def clip_v6():
    return model([node("Clip", ["x"], ["y"], min=-1.0, max=2.0)],
                 [vi("x", [2, 3])], [vi("y", [2, 3])], opset=6)


@register("clip_v12")
def clip_v12():
    return model([node("Clip", ["x", "lo", "hi"], ["y"])],
                 [vi("x", [2, 3])], [vi("y", [2, 3])],
                 [floats("lo", -1.0), floats("hi", 2.0)], opset=12)


@register("split_v11")
def split_v11():
    return model([node("Split", ["x"], ["a", "b"], axis=1, split=[1, 2])],
                 [vi("x", [1, 3, 4, 4])], [vi("a", None), vi("b", None)],
                 opset=11)


@register("split_v13")
def split_v13():
    return model([node("Split", ["x", "sp"], ["a", "b"], axis=-1)],
                 [vi("x", [2, 6])], [vi("a", None), vi("b", None)],
                 [ints("sp", [4, 2])])


@register("split_equal")
def split_equal():
    return model([node("Split", ["x"], ["a", "b", "c"], axis=1)],
                 [vi("x", [2, 6])],
                 [vi("a", None), vi("b", None), vi("c", None)])


@register("split_uneven")
def split_uneven():
    return model([node("Split", ["x"], ["a", "b"], axis=1)],
                 [vi("x", [2, 5])], [vi("a", None), vi("b", None)])


@register("squeeze_v11")
def squeeze_v11():
    return model([node("Squeeze", ["x"], ["y"], axes=[-1])],
                 [vi("x", [2, 3, 1])], [vi("y", [2, 3])], opset=11)


@register("squeeze_v13")
def squeeze_v13():
    return model([node("Squeeze", ["x", "a"], ["y"])],
                 [vi("x", [2, 3, 1])], [vi("y", [2, 3])], [ints("a", [2])])


@register("squeeze_v13_attr")
def squeeze_v13_attr():
    return model([node("Squeeze", ["x"], ["y"], axes=[2])],
                 [vi("x", [2, 3, 1])], [vi("y", [2, 3])])


@register("unsqueeze_v11")
def unsqueeze_v11():
    return model([node("Unsqueeze", ["x"], ["y"], axes=[0, 3])],
                 [vi("x", [2, 3])], [vi("y", [1, 2, 3, 1])], opset=11)


@register("unsqueeze_v13")
def unsqueeze_v13():
    return model([node("Unsqueeze", ["x", "a"], ["y"])],
                 [vi("x", [2, 3])], [vi("y", [1, 2, 3, 1])], [ints("a", [0, 3])])


@register("softmax_v11")
def softmax_v11():
    return model([node("Softmax", ["x"], ["y"])],
                 [vi("x", [2, 3, 4])], [vi("y", [2, 3, 4])], opset=11)


@register("softmax_v13")
def softmax_v13():
    return model([node("Softmax", ["x"], ["y"])],
                 [vi("x", [2, 3, 4])], [vi("y", [2, 3, 4])])


def bn_inits():
    return [floats("s", [1, 2, 3]), floats("b", [0, 0, 1]),
            floats("m", [0, 0, 0]), floats("v", [1, 1, 1])]


@register("bn_v7_spatial0")
def bn_v7_spatial0():
    return model([node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"],
                       spatial=0)],
                 [vi("x", [1, 3, 2, 2])], [vi("y", [1, 3, 2, 2])], bn_inits(),
                 opset=7)


@register("bn_v9")
def bn_v9():
    return model([node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"])],
                 [vi("x", [1, 3, 2, 2])], [vi("y", [1, 3, 2, 2])], bn_inits(),
                 opset=9)


@register("bn_v15_training")
def bn_v15_training():
    return model([node("BatchNormalization", ["x", "s", "b", "m", "v"],
                       ["y", "rm", "rv"], training_mode=1)],
                 [vi("x", [1, 3, 2, 2])],
                 [vi("y", [1, 3, 2, 2]), vi("rm", [3]), vi("rv", [3])],
                 bn_inits(), opset=15)


@register("gemm_v9_noc")
def gemm_v9_noc():
    return model([node("Gemm", ["x", "w"], ["y"])], [vi("x", [2, 4])],
                 [vi("y", [2, 3])], [floats("w", np.ones((4, 3)))], opset=9)


@register("gemm_v11_noc")
def gemm_v11_noc():
    return model([node("Gemm", ["x", "w"], ["y"])], [vi("x", [2, 4])],
                 [vi("y", [2, 3])], [floats("w", np.ones((4, 3)))], opset=11)


@register("dropout_v7")
def dropout_v7():
    return model([node("Dropout", ["x"], ["y"], ratio=0.25)],
                 [vi("x", [2, 3])], [vi("y", [2, 3])], opset=7)


@register("dropout_v12_bad_ratio")
def dropout_v12_bad_ratio():
    return model([node("Dropout", ["x", "r"], ["y"])],
                 [vi("x", [2, 3])], [vi("y", [2, 3])], [floats("r", 1.5)],
                 opset=12)


@register("add_v6_broadcast")
def add_v6_broadcast():
    return model([node("Add", ["x", "b"], ["y"], broadcast=1, axis=1)],
                 [vi("x", [1, 3, 2, 2])], [vi("y", [1, 3, 2, 2])],
                 [floats("b", [1, 2, 3])], opset=6)


@register("upsample_v7")
def upsample_v7():
    return model([node("Upsample", ["x"], ["y"], scales=[1.0, 1.0, 2.0, 3.0])],
                 [vi("x", [1, 3, 2, 2])], [vi("y", [1, 3, 4, 6])], opset=7)


@register("upsample_v9")
def upsample_v9():
    return model([node("Upsample", ["x", "sc"], ["y"], mode="linear")],
                 [vi("x", [1, 3, 2, 2])], [vi("y", [1, 3, 4, 4])],
                 [floats("sc", [1, 1, 2, 2])], opset=9)


@register("upsample_v10")
def upsample_v10():
    return model([node("Upsample", ["x", "sc"], ["y"])],
                 [vi("x", [1, 3, 2, 2])], [vi("y", [1, 3, 4, 4])],
                 [floats("sc", [1, 1, 2, 2])], opset=10)


@register("resize_v9")
def resize_v9():
    return model([node("Resize", ["x", "sc"], ["y"])],
                 [vi("x", [1, 3, 2, 2])], [vi("y", [1, 3, 4, 4])],
                 [floats("sc", [1, 1, 2, 2])], opset=9)


@register("resize_v10")
def resize_v10():
    return model([node("Resize", ["x", "sc"], ["y"])],
                 [vi("x", [1, 3, 2, 2])], [vi("y", [1, 3, 4, 4])],
                 [floats("sc", [1, 1, 2, 2])], opset=10)


@register("resize_v11_sizes")
def resize_v11_sizes():
    return model([node("Resize", ["x", "roi", "sc", "sz"], ["y"],
                       mode="linear",
                       coordinate_transformation_mode="align_corners")],
                 [vi("x", [1, 3, 4, 4])], [vi("y", [1, 3, 7, 5])],
                 [floats("roi", []), floats("sc", []),
                  ints("sz", [1, 3, 7, 5])], opset=11)


@register("resize_v13_scales")
def resize_v13_scales():
    return model([node("Resize", ["x", "", "sc"], ["y"],
                       nearest_mode="round_prefer_ceil")],
                 [vi("x", [1, 3, 4, 4])], [vi("y", [1, 3, 6, 10])],
                 [floats("sc", [1, 1, 1.5, 2.5])])


@register("resize_cubic")
def resize_cubic():
    return model([node("Resize", ["x", "", "sc"], ["y"], mode="cubic")],
                 [vi("x", [1, 3, 4, 4])], [vi("y", [1, 3, 8, 8])],
                 [floats("sc", [1, 1, 2, 2])])


@register("resize_crop")
def resize_crop():
    return model([node("Resize", ["x", "roi", "", "sz"], ["y"], mode="linear",
                       coordinate_transformation_mode="tf_crop_and_resize")],
                 [vi("x", [1, 3, 4, 4])], [vi("y", [1, 3, 3, 3])],
                 [floats("roi", [0, 0, 0.4, 0.6, 1, 1, 0.6, 0.8]),
                  ints("sz", [1, 3, 3, 3])])


#===------------------------------------------------------------------===#
# Run-time data movement, checked against numpy (REF_CASES)
#===------------------------------------------------------------------===#

def nearest_index(orig, ratio_mode, n):
    base = np.floor(orig)
    frac = orig - base
    if ratio_mode == "round_prefer_floor":
        idx = np.where(frac > 0.5, base + 1, base)
    elif ratio_mode == "round_prefer_ceil":
        idx = np.where(frac >= 0.5, base + 1, base)
    elif ratio_mode == "floor":
        idx = base
    else:
        idx = np.ceil(orig)
    return np.clip(idx, 0, n - 1).astype(np.int64)


def source_coords(out_len, in_len, scale, coord):
    x = np.arange(out_len, dtype=np.float64)
    out_w = scale * in_len
    if coord == "half_pixel":
        return (x + 0.5) / scale - 0.5
    if coord == "asymmetric":
        return x / scale
    if coord == "align_corners":
        return np.zeros_like(x) if out_w == 1 else x * (in_len - 1) / (out_w - 1)
    if coord == "pytorch_half_pixel":
        return np.full_like(x, -0.5) if out_w == 1 else (x + 0.5) / scale - 0.5
    raise ValueError(coord)


def resize_ref(x, out_shape, scales, mode, coord, nearest="round_prefer_floor"):
    """Separable ONNX Resize on a numpy array, dimension by dimension."""
    y = x.astype(np.float64)
    for d in range(x.ndim):
        n_in, n_out = x.shape[d], out_shape[d]
        orig = source_coords(n_out, n_in, scales[d], coord)
        if mode == "nearest":
            y = np.take(y, nearest_index(orig, nearest, n_in), axis=d)
        else:
            lo = np.floor(orig)
            w = orig - lo
            i0 = np.clip(lo, 0, n_in - 1).astype(np.int64)
            i1 = np.clip(lo + 1, 0, n_in - 1).astype(np.int64)
            shape = [1] * x.ndim
            shape[d] = n_out
            w = w.reshape(shape)
            y = np.take(y, i0, axis=d) * (1 - w) + np.take(y, i1, axis=d) * w
    return y.astype(np.float32)


def resize_model(mode, coord, nearest, scales=None, sizes=None, nhwc=True):
    src = "c" if nhwc else "x"
    ins = ["", "sc", ""] if scales else ["", "", "sz"]
    nodes = ([conv("x", "c")] if nhwc else []) + [
        node("Resize", [src] + ins, ["y"], mode=mode,
             coordinate_transformation_mode=coord, nearest_mode=nearest)]
    inits = [init("cw", CONV_W)]
    inits.append(floats("sc", scales) if scales else ints("sz", sizes))
    return model(nodes, [vi("x", [1, 3, 5, 4])], [vi("y", None)], inits)


def resize_case(name, mode, coord, nearest="round_prefer_floor", scales=None,
                sizes=None, nhwc=True):
    def ref(x):
        src = conv_ref(x) if nhwc else x
        if scales:
            out = [int(np.floor(np.float32(s) * n))
                   for s, n in zip(scales, src.shape)]
            sc = [float(np.float32(s)) for s in scales]
        else:
            out = sizes
            sc = [o / n for o, n in zip(sizes, src.shape)]
        return [resize_ref(src, out, sc, mode, coord, nearest)]
    MODELS[name] = lambda: resize_model(mode, coord, nearest, scales, sizes,
                                        nhwc)
    REF_CASES[name] = ([1, 3, 5, 4], ref)


for _coord in ["half_pixel", "asymmetric", "align_corners",
               "pytorch_half_pixel"]:
    for _nearest in ["round_prefer_floor", "round_prefer_ceil", "floor",
                     "ceil"]:
        resize_case(f"rt_resize_nearest_{_coord}_{_nearest}", "nearest",
                    _coord, _nearest, scales=[1, 1, 1.7, 2.5])
    resize_case(f"rt_resize_linear_{_coord}", "linear", _coord,
                scales=[1, 1, 2.0, 1.5])
    resize_case(f"rt_resize_linear_{_coord}_sizes_down", "linear", _coord,
                sizes=[1, 3, 3, 1], nhwc=False)
resize_case("rt_resize_nearest_sizes", "nearest", "half_pixel",
            sizes=[1, 3, 9, 7])


@register("rt_slice_nhwc", shape=[1, 3, 5, 6], ref=lambda x: [
    conv_ref(x)[:, 1:3, 4:0:-2, 1::2]])
def rt_slice_nhwc():
    return model([conv("x", "c"),
                  node("Slice", ["c", "s", "e", "a", "t"], ["y"])],
                 [vi("x", [1, 3, 5, 6])], [vi("y", None)],
                 [init("cw", CONV_W), ints("s", [1, 4, 1]),
                  ints("e", [3, 0, 1000]), ints("a", [1, 2, 3]),
                  ints("t", [1, -2, 2])])


@register("rt_slice_v9", shape=[4, 5], ref=lambda x: [x[1:3, -4:-1]])
def rt_slice_v9():
    return model([node("Slice", ["x"], ["y"], starts=[1, -4], ends=[3, -1])],
                 [vi("x", [4, 5])], [vi("y", None)], opset=9)


@register("rt_split_nhwc", shape=[1, 3, 4, 6], ref=lambda x: list(
    np.split(conv_ref(x), [1], axis=1)) + list(np.split(x, [2], axis=3)))
def rt_split_nhwc():
    return model([conv("x", "c"),
                  node("Split", ["c", "sp"], ["a", "b"], axis=1),
                  node("Split", ["x", "sp2"], ["p", "q"], axis=-1,
                       name="split2")],
                 [vi("x", [1, 3, 4, 6])],
                 [vi("a", None), vi("b", None), vi("p", None), vi("q", None)],
                 [init("cw", CONV_W), ints("sp", [1, 2]), ints("sp2", [2, 4])])


@register("rt_split_v11_equal", shape=[2, 6, 3],
          ref=lambda x: list(np.split(x, 3, axis=1)))
def rt_split_v11_equal():
    return model([node("Split", ["x"], ["a", "b", "c"], axis=1)],
                 [vi("x", [2, 6, 3])],
                 [vi("a", None), vi("b", None), vi("c", None)], opset=11)


@register("rt_squeeze_unsqueeze_flatten", shape=[1, 3, 1, 4], ref=lambda x: [
    conv_ref(x).reshape(1, 3, 4)[None].reshape(1, 12)])
def rt_squeeze_unsqueeze_flatten():
    return model([conv("x", "c"),
                  node("Squeeze", ["c", "a2"], ["s"]),
                  node("Unsqueeze", ["s", "a0"], ["u"]),
                  node("Flatten", ["u"], ["y"], axis=2)],
                 [vi("x", [1, 3, 1, 4])], [vi("y", None)],
                 [init("cw", CONV_W), ints("a2", [2]), ints("a0", [0])])


@register("rt_upsample_v7", shape=[1, 3, 2, 3],
          ref=lambda x: [np.repeat(np.repeat(conv_ref(x), 2, axis=2), 3,
                                   axis=3).astype(np.float32)])
def rt_upsample_v7():
    return model([conv("x", "c"),
                  node("Upsample", ["c"], ["y"], scales=[1.0, 1.0, 2.0, 3.0])],
                 [vi("x", [1, 3, 2, 3])], [vi("y", None)],
                 [init("cw", CONV_W)], opset=7)


@register("rt_resize_v10_linear", shape=[1, 3, 2, 3], ref=lambda x: [
    resize_ref(x, [1, 3, 4, 6], [1, 1, 2, 2], "linear", "asymmetric")])
def rt_resize_v10_linear():
    return model([node("Resize", ["x", "sc"], ["y"], mode="linear")],
                 [vi("x", [1, 3, 2, 3])], [vi("y", None)],
                 [floats("sc", [1, 1, 2, 2])], opset=10)


def check(out, mote_run):
    rng = np.random.default_rng(1)
    failures = 0
    for name, (shape, ref) in sorted(REF_CASES.items()):
        x = rng.standard_normal(shape).astype(np.float32)
        run_dir = os.path.join(out, name + ".out")
        os.makedirs(run_dir, exist_ok=True)
        np.save(os.path.join(run_dir, "x.npy"), x)
        proc = subprocess.run(
            [mote_run, os.path.join(out, name + ".onnx"), "--input",
             "x=" + os.path.join(run_dir, "x.npy"), "--output-dir", run_dir],
            capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"FAIL {name}: mote-run: {proc.stderr.strip()}")
            failures += 1
            continue
        m = onnx.load(os.path.join(out, name + ".onnx"))
        expected = ref(x)
        problem = None
        for o, want in zip(m.graph.output, expected):
            got = np.load(os.path.join(run_dir, o.name + ".npy"))
            if got.shape != want.shape:
                problem = f"{o.name}: shape {got.shape} != {want.shape}"
            elif not np.allclose(got, want, rtol=1e-5, atol=1e-5):
                problem = (f"{o.name}: max error "
                           f"{np.abs(got - want).max()}")
            if problem:
                break
        if problem:
            print(f"FAIL {name}: {problem}")
            failures += 1
        else:
            print(f"OK {name}")
    print(f"{len(REF_CASES) - failures} of {len(REF_CASES)} match numpy")
    return 1 if failures else 0


def main():
    if sys.argv[1] == "check":
        return check(sys.argv[2], sys.argv[3])
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, fn in MODELS.items():
        onnx.save(fn(), os.path.join(out, name + ".onnx"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
