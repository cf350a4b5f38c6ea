#!/usr/bin/python3
# Helper of ../ort-run.test: writes a model of Identity ops over every dtype
# ort_run.js reads and writes, with inputs; --check compares the outputs
# with the inputs; --break appends a Sin node (which the importer does not
# take) to a model's first output.
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

out = sys.argv[1]
if len(sys.argv) > 3 and sys.argv[2] == "--break":
    m = onnx.load(sys.argv[3])
    o = m.graph.output[0]
    m.graph.node.append(helper.make_node("Sin", [o.name], [o.name + "_sin"]))
    o.name = o.name + "_sin"
    onnx.save(m, sys.argv[3])
    sys.exit(0)

rng = np.random.default_rng(0)
arrays = {
    "f32": rng.standard_normal((2, 3)).astype(np.float32),
    "i64": rng.integers(-2**40, 2**40, (1, 4)).astype(np.int64),
    "i32": rng.integers(-2**30, 2**30, (5,)).astype(np.int32),
    "i16": rng.integers(-2**15, 2**15, (2, 2)).astype(np.int16),
    "u8": rng.integers(0, 256, (3, 1, 2)).astype(np.uint8),
    "i8": rng.integers(-128, 128, (7,)).astype(np.int8),
    "b": rng.integers(0, 2, (2, 3)).astype(bool),
}
types = {"f32": TensorProto.FLOAT, "i64": TensorProto.INT64,
         "i32": TensorProto.INT32, "i16": TensorProto.INT16,
         "u8": TensorProto.UINT8, "i8": TensorProto.INT8,
         "b": TensorProto.BOOL}
# Output names: 'probs:0' must become probs_0.npy, as mote-run names it.
names = {"f32": "y.f32", "i64": "probs:0", "i32": "a/b", "i16": "i16-out",
         "u8": "u 8", "i8": "i8_out", "b": "b.out"}
files = {"f32": "y.f32", "i64": "probs_0", "i32": "a_b", "i16": "i16-out",
         "u8": "u_8", "i8": "i8_out", "b": "b.out"}

if len(sys.argv) > 3 and sys.argv[2] == "--check":
    for k, a in arrays.items():
        got = np.load(f"{sys.argv[3]}/{files[k]}.npy")
        if got.dtype != a.dtype or got.shape != a.shape or \
                not np.array_equal(got, a):
            sys.exit(f"{k}: got {got.dtype} {got.shape}, want {a.dtype} "
                     f"{a.shape}")
    print("all outputs equal their inputs")
    sys.exit(0)

nodes = [helper.make_node("Identity", [k], [names[k]]) for k in arrays]
graph = helper.make_graph(
    nodes, "types",
    [helper.make_tensor_value_info(k, types[k], a.shape)
     for k, a in arrays.items()],
    [helper.make_tensor_value_info(names[k], types[k], a.shape)
     for k, a in arrays.items()])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 7
onnx.save(model, f"{out}/types.onnx")
for k, a in arrays.items():
    np.save(f"{out}/{k}.npy", a)
np.save(f"{out}/f64.npy", arrays["f32"].astype(np.float64))
with open(f"{out}/bad.npy", "wb") as f:
    f.write(b"not an npy file")
