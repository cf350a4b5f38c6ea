#!/usr/bin/python3
"""Writes small ONNX models for the importer's lit tests.

Usage: make_models.py OUTDIR NAME...   (writes OUTDIR/NAME.onnx)
Run with /usr/bin/python3 (Debian's python3-onnx and numpy).
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(0)


def init(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def model(nodes, inputs, outputs, inits=(), opset=13, name="g"):
    graph = helper.make_graph(nodes, name, inputs, outputs, list(inits))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


F = TensorProto.FLOAT


def conv_bn_relu():
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    w[0, 0, 0, :] = [1, 2, 3]  # OIHW: o=0,c=0,h=0,w=0..2
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv1",
                         pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("BatchNormalization", ["c", "s", "bb", "m", "v"],
                         ["n"], name="bn1", epsilon=1e-3),
        helper.make_node("Relu", ["n"], ["y"], name="relu1"),
    ]
    inits = [init("w", w), init("b", np.zeros(4, np.float32)),
             init("s", np.full(4, 2, np.float32)),
             init("bb", np.ones(4, np.float32)),
             init("m", np.zeros(4, np.float32)),
             init("v", np.ones(4, np.float32))]
    return model(nodes, [vi("x", F, [1, 3, 8, 8])], [vi("y", F, [1, 4, 4, 4])],
                 inits, name="conv_bn_relu")


def gemm():
    nodes = [helper.make_node("Gemm", ["x", "w", "c"], ["y"], name="fc",
                              transB=1, alpha=2.0, beta=0.5)]
    inits = [init("w", np.arange(12, dtype=np.float32).reshape(3, 4)),
             init("c", np.array([2, 4, 6], np.float32))]
    return model(nodes, [vi("x", F, [2, 4])], [vi("y", F, [2, 3])], inits)


def gemm_nontrans():
    nodes = [helper.make_node("Gemm", ["x", "w"], ["y"], name="fc")]
    inits = [init("w", np.arange(12, dtype=np.float32).reshape(4, 3))]
    return model(nodes, [vi("x", F, [2, 4])], [vi("y", F, [2, 3])], inits)


def matmul_const():
    """MatMul by a constant matrix is a dense layer; by a variable one, not."""
    nodes = [helper.make_node("MatMul", ["x", "w"], ["h"], name="dense"),
             helper.make_node("MatMul", ["h", "z"], ["y"], name="bilinear")]
    inits = [init("w", np.arange(12, dtype=np.float32).reshape(4, 3))]
    return model(nodes, [vi("x", F, [2, 4]), vi("z", F, [3, 5])],
                 [vi("y", F, [2, 5])], inits)


def qdq():
    w = rng.integers(-127, 127, (2, 3, 1, 1)).astype(np.int8)
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"], name="q"),
        helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"], name="dq"),
        helper.make_node("DequantizeLinear", ["w", "ws", "wz"], ["wd"],
                         name="dqw", axis=0),
        helper.make_node("Conv", ["xd", "wd"], ["y"], name="conv"),
    ]
    inits = [init("xs", np.float32(0.5)), init("xz", np.uint8(128)),
             init("w", w), init("ws", np.array([0.25, 0.125], np.float32)),
             init("wz", np.zeros(2, np.int8))]
    return model(nodes, [vi("x", F, [1, 3, 4, 4])], [vi("y", F, [1, 2, 4, 4])],
                 inits)


def qlinearconv():
    w = rng.integers(0, 255, (2, 3, 3, 3)).astype(np.uint8)
    nodes = [helper.make_node(
        "QLinearConv",
        ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"], ["y"],
        name="qconv", pads=[1, 1, 1, 1])]
    inits = [init("xs", np.float32(0.02)), init("xz", np.uint8(10)),
             init("w", w), init("ws", np.array([0.5, 0.25], np.float32)),
             init("wz", np.array([128, 120], np.uint8)),
             init("ys", np.float32(0.1)), init("yz", np.uint8(5)),
             init("b", np.array([100, -7], np.int32))]
    return model(nodes, [vi("x", TensorProto.UINT8, [1, 3, 5, 5])],
                 [vi("y", TensorProto.UINT8, [1, 2, 5, 5])], inits, opset=13)


def layout():
    """Concat over channels and Softmax over channels stay NHWC; a shape
    chain (Shape, Gather, Unsqueeze, Concat) folds into a static reshape."""
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["cv"], name="conv"),
        helper.make_node("Relu", ["cv"], ["r"], name="relu"),
        helper.make_node("Concat", ["r", "cv"], ["c"], name="cat", axis=1),
        helper.make_node("Softmax", ["c"], ["s"], name="sm", axis=1),
        helper.make_node("Add", ["s", "bias"], ["a"], name="add"),
        helper.make_node("Shape", ["a"], ["shp"], name="shape"),
        helper.make_node("Gather", ["shp", "zero"], ["n"], name="gather", axis=0),
        helper.make_node("Unsqueeze", ["n", "axes0"], ["n1"], name="unsq"),
        helper.make_node("Concat", ["n1", "minus1"], ["tgt"], name="cat2", axis=0),
        helper.make_node("Reshape", ["a", "tgt"], ["y"], name="flat"),
    ]
    inits = [init("bias", np.arange(4, dtype=np.float32).reshape(4, 1, 1)),
             init("zero", np.int64(0)), init("axes0", np.array([0], np.int64)),
             init("minus1", np.array([-1], np.int64)),
             init("w", np.ones((2, 2, 1, 1), np.float32))]
    return model(nodes, [vi("x", F, [1, 2, 3, 3])], [vi("y", F, [1, 36])],
                 inits)


def unsupported_op():
    return model([helper.make_node("Sin", ["x"], ["y"], name="sin1")],
                 [vi("x", F, [2])], [vi("y", F, [2])])


def bad_opset():
    return model([helper.make_node("Relu", ["x"], ["y"], name="r")],
                 [vi("x", F, [2])], [vi("y", F, [2])], opset=18)


def missing_scale():
    nodes = [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"],
                              name="quant1")]
    return model(nodes, [vi("x", F, [4]), vi("s", F, [])],
                 [vi("y", TensorProto.UINT8, [4])],
                 [init("z", np.uint8(0))])


def negative_scale():
    nodes = [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"],
                              name="quant1")]
    return model(nodes, [vi("x", F, [4])], [vi("y", TensorProto.UINT8, [4])],
                 [init("s", np.float32(-0.5)), init("z", np.uint8(0))])


def dynamic_input():
    return model([helper.make_node("Relu", ["x"], ["y"], name="r")],
                 [vi("x", F, ["N", "C"])], [vi("y", F, ["N", "C"])])


def reflect_pad():
    nodes = [helper.make_node("Pad", ["x", "p"], ["y"], name="pad1",
                              mode="reflect")]
    return model(nodes, [vi("x", F, [1, 1, 3, 3])], [vi("y", F, [1, 1, 5, 5])],
                 [init("p", np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64))])


def valid():
    return conv_bn_relu()


MODELS = {f.__name__: f for f in [
    matmul_const,
    conv_bn_relu, gemm, gemm_nontrans, qdq, qlinearconv, layout,
    unsupported_op, bad_opset, missing_scale, negative_scale, dynamic_input,
    reflect_pad]}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name in sys.argv[2:]:
        if name == "tensors":
            write_tensors(out)
            continue
        onnx.save(MODELS[name](), os.path.join(out, name + ".onnx"))


def write_tensors(out):
    """TensorProto files in raw and typed encodings (for --const)."""
    t = numpy_helper.from_array(np.float32(0.02), "xs")
    open(os.path.join(out, "xs_raw.pb"), "wb").write(t.SerializeToString())
    t = helper.make_tensor("xs", F, [], [0.02])
    open(os.path.join(out, "xs_typed.pb"), "wb").write(t.SerializeToString())
    np.save(os.path.join(out, "xs.npy"), np.float32(0.02))


if __name__ == "__main__":
    main()
