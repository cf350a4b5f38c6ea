#!/usr/bin/python3
#===- scripts/onnx/conformance.py - ONNX backend test data runner ---------===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""Runs Mote's reference interpreter (mote-run) over Debian's ONNX backend test
data (libonnx-testdata) and compares with ONNX's own expected outputs.

A test is run when every op in its graph is one Mote imports; otherwise it is
skipped and the reason printed. Graph inputs after the first are weights,
scales, zero points or shapes in the node tests: they are bound as constants
at import (`mote-run --const`), the first input is fed at run time.

Comparison: float outputs with ONNX's tolerances (rtol 1e-3, atol 1e-7);
integer outputs exactly, except the tests listed in ONE_LSB where ONNX's float
requantization and Mote's integer requantization (docs/Numerics.md) may round
differently by one step.

Prints one line per test, the skipped tests with their reasons, and a closing
`N passed, M failed`. With --expect FILE, the exit code is 0 iff exactly the
tests listed in FILE fail (an expected-failure list, one name per line, `#`
comments allowed), so a regression or an unexpected pass both fail the run.
"""

import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

DATA = "/usr/share/libonnx-testdata/data"

# The ops Mote's ONNX importer handles (docs/ONNX.md).
SUPPORTED_OPS = set("""
Conv Gemm MatMul Relu Clip LeakyRelu PRelu HardSigmoid HardSwish Sigmoid Tanh
MaxPool AveragePool GlobalAveragePool GlobalMaxPool Add Sub Mul Div Sum Max Min
Concat Reshape Flatten Squeeze Unsqueeze Transpose Pad Softmax LogSoftmax
Elu Selu Softplus
ReduceMean ReduceSum ReduceMax ReduceMin Pow Sqrt Reciprocal Log Erf
LayerNormalization ConvTranspose
BatchNormalization Dropout Identity Exp QuantizeLinear DequantizeLinear
QLinearConv QLinearMatMul ConvInteger MatMulInteger Constant Shape Gather Cast
Slice Split Resize Upsample
""".split())

# Tensor element types Mote takes at its boundary: float32, and the 8-bit
# storage and int32 accumulators of quantized tensors.
SUPPORTED_DTYPES = {onnx.TensorProto.FLOAT, onnx.TensorProto.INT8,
                    onnx.TensorProto.UINT8, onnx.TensorProto.INT32}

# Ops that compute on integer tensors only in their quantized forms.
QUANTIZED_OPS = {"QuantizeLinear", "DequantizeLinear", "QLinearConv",
                 "QLinearMatMul", "ConvInteger", "MatMulInteger"}
WINDOW_OPS = {"Conv", "ConvTranspose", "MaxPool", "AveragePool", "GlobalAveragePool",
              "GlobalMaxPool", "ConvInteger", "QLinearConv"}

# Quantized tests where ONNX requantizes in float (round half to even of
# x·scale) and Mote in integers (single rounding, ties up): 1 LSB allowed.
ONE_LSB = {"test_qlinearconv", "test_qlinearmatmul_2D", "test_qlinearmatmul_3D"}

RTOL, ATOL = 1e-3, 1e-7


def skip_reason(model):
    """Why Mote cannot run this model by design, or None. Mote computes on
    float32 and quantized tensors with static shapes and 1-D/2-D windows;
    everything outside that is skipped here with the reason, so that a
    failure always means a bug."""
    ops = sorted({n.op_type for n in model.graph.node})
    unsupported = [o for o in ops if o not in SUPPORTED_OPS]
    if unsupported:
        return "op not supported: " + ", ".join(unsupported)
    opset = next((o.version for o in model.opset_import
                  if o.domain in ("", "ai.onnx")), 0)
    if opset < 6:
        return f"opset {opset} (Mote imports opsets 6-17)"
    initializers = {i.name for i in model.graph.initializer}
    runtime = [i for i in model.graph.input if i.name not in initializers]
    # The first input is fed at run time; the others are bound as constants
    # (any dtype the importer folds, e.g. int64 shapes, axes and pads).
    for vi in runtime[:1] + list(model.graph.output):
        if vi.type.WhichOneof("value") != "tensor_type":
            return f"non-tensor value '{vi.name}'"
        t = vi.type.tensor_type
        if t.elem_type not in SUPPORTED_DTYPES:
            return ("dtype " + onnx.TensorProto.DataType.Name(t.elem_type) +
                    f" of graph input/output '{vi.name}'")
        dims = [d.dim_value for d in t.shape.dim]
        if any(d == 0 for d in dims) and all(d.HasField("dim_value")
                                            for d in t.shape.dim):
            return f"zero-sized dimension in '{vi.name}'"
        if (t.elem_type != onnx.TensorProto.FLOAT and
                not (set(ops) & QUANTIZED_OPS)):
            return (onnx.TensorProto.DataType.Name(t.elem_type) +
                    " arithmetic outside quantized ops (Mote computes on "
                    "float or quantized tensors)")
    ranks = {vi.name: len(vi.type.tensor_type.shape.dim)
             for vi in model.graph.input}
    for n in model.graph.node:
        attrs = {a.name: a for a in n.attribute}
        if n.op_type in WINDOW_OPS and n.input and ranks.get(n.input[0],
                                                             0) > 4:
            return f"{n.op_type} with 3-D windows (Mote has 1-D/2-D)"
        if n.op_type == "BatchNormalization" and (
                len(n.output) > 1 or ("training_mode" in attrs and
                                      attrs["training_mode"].i)):
            return "BatchNormalization in training mode"
        if n.op_type == "Dropout" and (len(n.output) > 1 or
                                       len(n.input) > 2):
            return "Dropout mask output (training)"
        if n.op_type == "MaxPool" and (len(n.output) > 1 or (
                "storage_order" in attrs and attrs["storage_order"].i)):
            return "MaxPool Indices output / column-major storage order"
        if n.op_type == "Pad" and "mode" in attrs and \
                attrs["mode"].s not in (b"constant",):
            return f"Pad mode {attrs['mode'].s.decode()} (constant only)"
        if n.op_type == "Resize" and "mode" in attrs and \
                attrs["mode"].s == b"cubic":
            return "Resize mode cubic (Mote resizes nearest and linear)"
        if n.op_type == "Resize" and attrs.get(
                "coordinate_transformation_mode") is not None and \
                attrs["coordinate_transformation_mode"].s == \
                b"tf_crop_and_resize":
            return "Resize tf_crop_and_resize (roi cropping)"
        if n.op_type == "Pow" and len(n.input) > 1:
            # Mote imports Pow with one constant exponent (a LUT when
            # quantized); a tensor of exponents is a binary op it lacks.
            shapes = {vi.name: vi.type.tensor_type for vi in model.graph.input}
            for i in model.graph.initializer:
                if i.name == n.input[1] and int(np.prod(i.dims)) > 1:
                    return "Pow with a per-element exponent (one constant only)"
            t = shapes.get(n.input[1])
            if t is not None and (int(np.prod([d.dim_value for d in t.shape.dim]))
                                  > 1 or t.elem_type in (onnx.TensorProto.UINT32,
                                                         onnx.TensorProto.UINT64)):
                return ("Pow with a per-element or unsigned exponent (one "
                        "constant only)")
        if n.op_type == "Gather" and n.input[0] not in initializers:
            return "Gather on run-time data (shape arithmetic only)"
    return None


def data_sets(test_dir):
    return sorted(d for d in os.listdir(test_dir)
                  if d.startswith("test_data_set_"))


def compare(name, expected, actual):
    """None if `actual` matches `expected` within the test's tolerance."""
    if expected.shape != actual.shape:
        return f"shape {actual.shape} != expected {expected.shape}"
    if expected.dtype.kind == "f":
        actual = actual.astype(np.float64)
        expected = expected.astype(np.float64)
        bad = ~np.isclose(actual, expected, rtol=RTOL, atol=ATOL,
                          equal_nan=True)
        if bad.any():
            i = np.argmax(np.abs(actual - expected) * bad)
            return (f"{bad.sum()} of {bad.size} values off, worst "
                    f"{actual.flat[i]} vs {expected.flat[i]}")
        return None
    diff = np.abs(actual.astype(np.int64) - expected.astype(np.int64))
    limit = 1 if name in ONE_LSB else 0
    if diff.max(initial=0) > limit:
        return f"{(diff > limit).sum()} values differ, max by {diff.max()}"
    return None


def run_test(mote_run, suite, name):
    """Returns (status, message): status in PASS, FAIL, SKIP."""
    test_dir = os.path.join(DATA, suite, name)
    model_path = os.path.join(test_dir, "model.onnx")
    try:
        model = onnx.load(model_path)
    except Exception as e:  # malformed model: Mote must still not crash
        return "SKIP", f"onnx cannot load the model: {e}"
    reason = skip_reason(model)
    if reason:
        return "SKIP", reason
    initializers = {i.name for i in model.graph.initializer}
    inputs = [i.name for i in model.graph.input if i.name not in initializers]
    outputs = [o.name for o in model.graph.output]
    for ds in data_sets(test_dir):
        ds_dir = os.path.join(test_dir, ds)
        args = [mote_run, model_path]
        for i, input_name in enumerate(inputs):
            pb = os.path.join(ds_dir, f"input_{i}.pb")
            if not os.path.exists(pb):
                return "FAIL", f"{ds}: missing {pb}"
            flag = "--input" if i == 0 else "--const"
            args += [flag, f"{input_name}={pb}"]
        with tempfile.TemporaryDirectory() as out_dir:
            args += ["--output-dir", out_dir]
            proc = subprocess.run(args, capture_output=True, text=True,
                                  timeout=600)
            if proc.returncode != 0:
                msg = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
                return "FAIL", f"{ds}: mote-run exit {proc.returncode}: " + (
                    msg[0] if msg else "")
            for j, out_name in enumerate(outputs):
                expected = numpy_helper.to_array(onnx.load_tensor(
                    os.path.join(ds_dir, f"output_{j}.pb")))
                produced = os.path.join(out_dir, sanitize(out_name) + ".npy")
                if not os.path.exists(produced):
                    produced = os.path.join(out_dir, f"output_{j}.npy")
                if not os.path.exists(produced):
                    return "FAIL", f"{ds}: no output file for '{out_name}'"
                problem = compare(name, expected, np.load(produced))
                if problem:
                    return "FAIL", f"{ds}: output '{out_name}': {problem}"
    return "PASS", ""


def sanitize(name):
    """The file name mote-run gives an output (see docs/Interpreter.md)."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mote-run", default="mote-run")
    parser.add_argument("--suites", default="node,pytorch-converted,"
                        "pytorch-operator")
    parser.add_argument("--filter", default="", help="regex on test names")
    parser.add_argument("--expect", help="expected-failure list")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count())
    opts = parser.parse_args()

    tests = []
    for suite in opts.suites.split(","):
        for name in sorted(os.listdir(os.path.join(DATA, suite))):
            if re.search(opts.filter, name):
                tests.append((suite, name))
    with concurrent.futures.ThreadPoolExecutor(opts.jobs) as pool:
        results = list(pool.map(lambda t: run_test(opts.mote_run, *t), tests))

    passed, failed, skipped = [], [], []
    for (suite, name), (status, msg) in zip(tests, results):
        label = f"{suite}/{name}"
        if status == "PASS":
            passed.append(label)
            print(f"PASS {label}")
        elif status == "FAIL":
            failed.append(label)
            print(f"FAIL {label}: {msg}")
        else:
            skipped.append((label, msg))
    print(f"\nSkipped {len(skipped)} tests:")
    for label, msg in skipped:
        print(f"  SKIP {label}: {msg}")
    print(f"\nonnx conformance: {len(passed)} passed, {len(failed)} failed, "
          f"{len(skipped)} skipped")

    if not opts.expect:
        return 0 if not failed else 1
    expected = set()
    with open(opts.expect) as f:
        for line in f:
            line = line.split("#")[0].strip()
            if line:
                expected.add(line)
    unexpected_fail = sorted(set(failed) - expected)
    unexpected_pass = sorted(expected & set(passed))
    for label in unexpected_fail:
        print(f"UNEXPECTED FAIL {label}")
    for label in unexpected_pass:
        print(f"UNEXPECTED PASS {label} (remove it from {opts.expect})")
    return 1 if unexpected_fail or unexpected_pass else 0


if __name__ == "__main__":
    sys.exit(main())
