#!/usr/bin/python3
#===- random_nets.py - Random networks, differential NPU testing -----------===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===------------------------------------------------------------------------===#
#
# Generates valid random float ONNX networks (conv with random kernel,
# stride, padding and groups including depthwise; FC (Gemm) and MatMul; add
# (residual); concat; max/avg/global-average pooling; ReLU/Clip;
# Sigmoid/Tanh (LUTs)) with random shapes, then for each one: calibrates on
# random data, quantizes with a random precision (int8, w4a8, int4) and
# optionally a synthesis mode, compiles for a random target of
# target/targets, simulates, and compares the simulator's outputs with the
# reference interpreter's on the quantized IR, bit for bit.
#
#   random_nets.py --bin BUILD/bin [--seed S] [--count N] [--jobs J]
#                  [--work DIR] [--keep] [--replay SPEC.json]
#
# Outcomes per network: pass; skip (the NPU lowering rejected an op or
# size with a clean "cannot run / not supported / no tile fits" error -
# reported separately, never counted as a pass); fail (a mismatch, a crash,
# any other tool error). A failure is minimised (layers dropped, shapes and
# channels reduced while it still fails the same way) and printed as a
# reproducer: the spec JSON (replay with --replay) and the commands. Exit
# status 1 if any network failed.
#
# The compile + verify steps are in one place, `compile_and_verify`; with
# --motec it calls `motec --verify` (once tools/motec builds) instead of the
# individual mote-opt / mote-translate / mote-run / mote-sim steps.
#
#===------------------------------------------------------------------------===#

import argparse
import concurrent.futures
import copy
import json
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGET_DIR = os.path.join(ROOT, "target", "targets")
PRECISIONS = ["int8", "w4a8", "int4"]

# A clean refusal of the NPU lowering: the op or size is not supported (yet).
UNSUPPORTED = re.compile(
    r"cannot run on the Mote NPU|is not supported|not supported|no tile of "
    r"this|does not fit|unsupported", re.I)
CRASH = re.compile(r"PLEASE submit a bug report|Stack dump|Segmentation|"
                   r"AddressSanitizer|runtime error:|LLVM ERROR")


def targets():
    out = {}
    for f in sorted(os.listdir(TARGET_DIR)):
        if f.endswith(".json"):
            with open(os.path.join(TARGET_DIR, f)) as fh:
                out[f[:-5]] = json.load(fh)["mac_array"]["digit_bits"]
    return out


#===------------------------------------------------------------------------===#
# Network specs: a list of layers that builds into a valid graph from any
# subsequence (each layer adapts to the shape it receives), so that the
# minimiser can drop layers freely.
#===------------------------------------------------------------------------===#

SPATIAL = {"conv": 30, "act": 15, "pool": 10, "residual": 8, "concat": 5,
           "lut": 6, "gap": 2, "binary": 6, "se": 4, "host": 4, "split": 3,
           "swish": 4, "mean": 2, "resize": 2, "flip": 2, "pad": 2,
           "convt": 2, "clampc": 3}
TAIL = {"fc": 2, "matmul": 1}
# "softmax" closes a network now and then: a trailing host segment.
ALL_OPS = list(SPATIAL) + list(TAIL) + ["softmax"]


def random_spec(rng, seed, choices):
    """A random spec drawn from `choices` (ops, precisions, synth modes and
    targets allowed). The draws are made in a fixed order, so a seed names
    the same network for the same choices."""
    spec = {
        "seed": seed,
        "input": [rng.randint(1, 8), rng.randint(3, 14), rng.randint(3, 14)],
        "precision": rng.choice(choices.precisions),
        "synth": rng.choice(choices.synth),
        "target": rng.choice(choices.targets),
        "layers": [],
    }
    spatial = {k: w for k, w in SPATIAL.items() if k in choices.ops}
    tail = {k: w for k, w in TAIL.items() if k in choices.ops}
    # Spatial layers, then (sometimes) a classifier tail of FC / MatMul.
    kinds = []
    if spatial:
        kinds = [rng.choices(list(spatial), list(spatial.values()))[0]
                 for _ in range(rng.randint(1, 5))]
    if tail and (rng.random() < 0.4 or not kinds):
        kinds += [rng.choices(list(tail), list(tail.values()))[0]]
        if rng.random() < 0.5:
            mid = [k for k in ("act", "lut") if k in choices.ops]
            if mid:
                kinds += [rng.choice(mid)]
            kinds += [rng.choices(list(tail), list(tail.values()))[0]]
    if "softmax" in choices.ops and rng.random() < 0.15:
        kinds += ["softmax"]
    for kind in kinds:
        layer = {"op": kind}
        if kind == "conv":
            layer.update(out=rng.randint(1, 16), k=rng.choice([1, 1, 3, 3, 3, 5]),
                         stride=rng.choice([1, 1, 2]), pad=rng.choice([0, 1, 1, 2]),
                         groups=rng.choice(["1", "1", "dw", "2"]))
        elif kind == "act":
            layer.update(fn=rng.choice(["relu", "relu", "clip"]))
        elif kind == "pool":
            layer.update(fn=rng.choice(["max", "avg"]), k=rng.choice([2, 3]),
                         stride=rng.choice([1, 2]), pad=rng.choice([0, 0, 1]))
        elif kind == "residual":
            layer.update(k=rng.choice([1, 3]))
        elif kind == "concat":
            layer.update(out=rng.randint(1, 8))
        elif kind == "lut":
            layer.update(fn=rng.choice(["sigmoid", "tanh"]))
        elif kind in ("fc", "matmul"):
            layer.update(out=rng.randint(1, 24))
        elif kind == "binary":
            # A two-tensor op against a conv branch (whole) or a per-channel
            # / scalar constant-free operand from a global pool (broadcast).
            layer.update(fn=rng.choice(["Sub", "Mul", "Max", "Min"]),
                         other=rng.choice(["conv", "conv", "gap"]))
        elif kind == "host":
            # Float work between chip layers: a softmax (a host segment); a
            # division by a constant imports as a product (on the chip).
            layer.update(fn=rng.choice(["div", "softmax"]))
        elif kind == "split":
            # ShuffleNet's channel split: one half through a conv, concat.
            layer.update(out=rng.randint(1, 8))
        elif kind == "swish":
            # x·sigmoid(x) and torch's x·hardsigmoid(x) (HardSwish itself is
            # opset 14; the generator writes opset 13).
            layer.update(fn=rng.choice(["silu", "hardswish"]))
        elif kind == "resize":
            layer.update(mode=rng.choice(["nearest", "nearest", "linear"]),
                         scale=rng.choice([2, 2, 3]))
        elif kind == "flip":
            # A negative-step slice (a flip, every other row backwards).
            layer.update(axis=rng.choice([2, 3]), step=rng.choice([-1, -2]))
        elif kind == "pad":
            layer.update(pads=[rng.randint(0, 2) for _ in range(4)],
                         value=rng.choice([0.0, 0.0, 0.5]))
        elif kind == "convt":
            layer.update(out=rng.randint(1, 8), k=rng.choice([2, 3]),
                         stride=rng.choice([1, 2]), pad=rng.choice([0, 1]))
        elif kind == "clampc":
            # tf2onnx's clamps: Max / Min against one constant.
            layer.update(lo=rng.choice([-1.0, 0.0, 0.25]),
                         hi=rng.choice([1.0, 6.0, None]))
        spec["layers"].append(layer)
    return spec


def build_model(spec):
    """ONNX ModelProto for `spec`; weights from a generator seeded by the
    spec's seed and each layer's position, so that shrinking one layer does
    not reshuffle the others."""
    c, h, w = spec["input"]
    shape = [1, c, h, w]
    nodes, inits = [], []
    cur = "x"
    flat = False

    def const(name, array):
        inits.append(numpy_helper.from_array(array.astype(np.float32), name))
        return name

    for i, layer in enumerate(spec["layers"]):
        rng = np.random.default_rng([spec["seed"], i])
        op = layer["op"]
        out = f"t{i}"
        name = f"{op}{i}"
        if flat and op not in ("act", "lut", "fc", "matmul", "softmax", "host"):
            continue
        if op in ("conv", "residual", "concat"):
            c, h, w = shape[1], shape[2], shape[3]
            if op == "conv":
                k, stride, pad = layer["k"], layer["stride"], layer["pad"]
                groups = {"1": 1, "dw": c, "2": 2}[layer["groups"]]
                oc = layer["out"]
                if groups == c:
                    oc = c  # depthwise (multiplier 1)
                if c % groups or oc % groups:
                    groups = 1
            else:
                k = layer["k"] if op == "residual" else 3
                stride, pad, groups = 1, k // 2, 1
                oc = c if op == "residual" else layer["out"]
            k = max(1, min(k, h + 2 * pad, w + 2 * pad))
            pad = min(pad, k - 1)
            oh = (h + 2 * pad - k) // stride + 1
            ow = (w + 2 * pad - k) // stride + 1
            if oh < 1 or ow < 1:
                continue
            fan_in = (c // groups) * k * k
            wt = rng.standard_normal((oc, c // groups, k, k)) / np.sqrt(fan_in)
            b = rng.standard_normal(oc) * 0.1
            conv_out = out if op == "conv" else f"{out}_branch"
            nodes.append(helper.make_node(
                "Conv", [cur, const(f"{name}_w", wt), const(f"{name}_b", b)],
                [conv_out], name=name, kernel_shape=[k, k],
                strides=[stride, stride], pads=[pad] * 4, group=groups))
            if op == "residual":
                nodes.append(helper.make_node("Add", [cur, conv_out], [out],
                                              name=f"{name}_add"))
            elif op == "concat":
                nodes.append(helper.make_node("Concat", [cur, conv_out], [out],
                                              name=f"{name}_cat", axis=1))
                oc = c + oc
            shape = [1, oc, oh, ow]
        elif op == "act":
            if layer["fn"] == "relu":
                nodes.append(helper.make_node("Relu", [cur], [out], name=name))
            else:
                nodes.append(helper.make_node(
                    "Clip", [cur, const(f"{name}_lo", np.array(0.0)),
                             const(f"{name}_hi", np.array(6.0))], [out], name=name))
        elif op == "lut":
            nodes.append(helper.make_node(layer["fn"].capitalize(), [cur], [out],
                                          name=name))
        elif op == "pool":
            h, w = shape[2], shape[3]
            k, stride, pad = layer["k"], layer["stride"], layer["pad"]
            k = min(k, h, w)
            pad = min(pad, k // 2)
            if k < 1:
                continue
            oh = (h + 2 * pad - k) // stride + 1
            ow = (w + 2 * pad - k) // stride + 1
            kind = "MaxPool" if layer["fn"] == "max" else "AveragePool"
            attrs = dict(kernel_shape=[k, k], strides=[stride, stride],
                         pads=[pad] * 4)
            nodes.append(helper.make_node(kind, [cur], [out], name=name, **attrs))
            shape = [1, shape[1], oh, ow]
        elif op == "gap":
            nodes.append(helper.make_node("GlobalAveragePool", [cur], [out],
                                          name=name))
            shape = [1, shape[1], 1, 1]
        elif op in ("binary", "se"):
            c = shape[1]
            if op == "se" or layer["other"] == "gap":
                # GAP -> 1x1 conv (-> sigmoid for SE): one value per channel.
                nodes.append(helper.make_node("GlobalAveragePool", [cur],
                                              [f"{out}_gap"], name=f"{name}_gap"))
                wt = rng.standard_normal((c, c, 1, 1)) / np.sqrt(c)
                b = rng.standard_normal(c) * 0.1
                nodes.append(helper.make_node(
                    "Conv", [f"{out}_gap", const(f"{name}_w", wt),
                             const(f"{name}_b", b)], [f"{out}_fc"],
                    name=f"{name}_fc", kernel_shape=[1, 1]))
                other = f"{out}_fc"
                if op == "se":
                    nodes.append(helper.make_node("Sigmoid", [other],
                                                  [f"{out}_gate"],
                                                  name=f"{name}_gate"))
                    other = f"{out}_gate"
            else:
                wt = rng.standard_normal((c, c, 3, 3)) / np.sqrt(9 * c)
                b = rng.standard_normal(c) * 0.1
                nodes.append(helper.make_node(
                    "Conv", [cur, const(f"{name}_w", wt), const(f"{name}_b", b)],
                    [f"{out}_branch"], name=f"{name}_conv", kernel_shape=[3, 3],
                    pads=[1] * 4))
                other = f"{out}_branch"
            fn = "Mul" if op == "se" else layer["fn"]
            nodes.append(helper.make_node(fn, [cur, other], [out],
                                          name=f"{name}_{fn.lower()}"))
        elif op == "split":
            c = shape[1]
            if c < 2:
                continue
            half = c // 2
            nodes.append(helper.make_node(
                "Split", [cur, f"{name}_sizes"], [f"{out}_a", f"{out}_b"],
                name=f"{name}_split", axis=1))
            inits.append(numpy_helper.from_array(
                np.array([half, c - half], dtype=np.int64), f"{name}_sizes"))
            oc = layer["out"]
            wt = rng.standard_normal((oc, c - half, 1, 1)) / np.sqrt(c - half)
            nodes.append(helper.make_node(
                "Conv", [f"{out}_b", const(f"{name}_w", wt)], [f"{out}_conv"],
                name=f"{name}_conv", kernel_shape=[1, 1]))
            nodes.append(helper.make_node("Concat", [f"{out}_a", f"{out}_conv"],
                                          [out], name=f"{name}_cat", axis=1))
            shape = [1, half + oc, shape[2], shape[3]]
        elif op == "swish":
            gate = "Sigmoid" if layer["fn"] == "silu" else "HardSigmoid"
            attrs = {} if gate == "Sigmoid" else dict(alpha=1.0 / 6, beta=0.5)
            nodes.append(helper.make_node(gate, [cur], [f"{out}_g"],
                                          name=f"{name}_gate", **attrs))
            nodes.append(helper.make_node("Mul", [cur, f"{out}_g"], [out],
                                          name=f"{name}_mul"))
        elif op == "mean":
            nodes.append(helper.make_node("ReduceMean", [cur], [out], name=name,
                                          axes=[2, 3], keepdims=1))
            shape = [1, shape[1], 1, 1]
        elif op == "resize":
            f = layer.get("scale", 2)
            scales = const(f"{name}_scales", np.array([1, 1, f, 2]))
            attrs = dict(mode=layer["mode"])
            if layer["mode"] == "linear":
                attrs["coordinate_transformation_mode"] = "half_pixel"
            nodes.append(helper.make_node("Resize", [cur, "", scales], [out],
                                          name=name, **attrs))
            shape = [1, shape[1], shape[2] * f, shape[3] * 2]
        elif op == "flip":
            axis, step = layer["axis"], layer["step"]
            n = shape[axis]
            inits.append(numpy_helper.from_array(
                np.array([-1], np.int64), f"{name}_st"))
            inits.append(numpy_helper.from_array(
                np.array([-n - 1], np.int64), f"{name}_en"))
            inits.append(numpy_helper.from_array(
                np.array([axis], np.int64), f"{name}_ax"))
            inits.append(numpy_helper.from_array(
                np.array([step], np.int64), f"{name}_sp"))
            nodes.append(helper.make_node(
                "Slice", [cur, f"{name}_st", f"{name}_en", f"{name}_ax",
                          f"{name}_sp"], [out], name=name))
            shape = list(shape)
            shape[axis] = (n + (-step) - 1) // (-step)
        elif op == "pad":
            t, l, b, r = layer["pads"]
            inits.append(numpy_helper.from_array(
                np.array([0, 0, t, l, 0, 0, b, r], np.int64), f"{name}_p"))
            nodes.append(helper.make_node(
                "Pad", [cur, f"{name}_p",
                        const(f"{name}_v", np.array(layer["value"]))], [out],
                name=name))
            shape = [1, shape[1], shape[2] + t + b, shape[3] + l + r]
        elif op == "convt":
            c, h, w = shape[1], shape[2], shape[3]
            k, stride, pad, oc = layer["k"], layer["stride"], layer["pad"], layer["out"]
            pad = min(pad, k - 1)
            oh = (h - 1) * stride - 2 * pad + k
            ow = (w - 1) * stride - 2 * pad + k
            if oh < 1 or ow < 1:
                continue
            wt = rng.standard_normal((c, oc, k, k)) / np.sqrt(c * k * k)
            b = rng.standard_normal(oc) * 0.1
            nodes.append(helper.make_node(
                "ConvTranspose", [cur, const(f"{name}_w", wt),
                                  const(f"{name}_b", b)], [out], name=name,
                kernel_shape=[k, k], strides=[stride, stride], pads=[pad] * 4))
            shape = [1, oc, oh, ow]
        elif op == "clampc":
            nodes.append(helper.make_node(
                "Max", [cur, const(f"{name}_lo", np.array(layer["lo"]))],
                [out if layer["hi"] is None else f"{out}_lo"], name=name))
            if layer["hi"] is not None:
                nodes.append(helper.make_node(
                    "Min", [const(f"{name}_hi", np.array(layer["hi"])),
                            f"{out}_lo"], [out], name=f"{name}_min"))
        elif op == "host":
            if layer["fn"] == "div":
                nodes.append(helper.make_node(
                    "Div", [cur, const(f"{name}_d", np.array(1.5))], [out],
                    name=name))
            else:
                nodes.append(helper.make_node("Softmax", [cur], [out],
                                              name=name, axis=1))
        elif op == "softmax":
            nodes.append(helper.make_node("Softmax", [cur], [out], name=name,
                                          axis=1))
        elif op in ("fc", "matmul"):
            if not flat:
                nodes.append(helper.make_node("Flatten", [cur], [f"{out}_flat"],
                                              name=f"{name}_flatten", axis=1))
                cur = f"{out}_flat"
                shape = [1, int(np.prod(shape[1:]))]
                flat = True
            n, m = shape[1], layer["out"]
            wt = rng.standard_normal((m, n)) / np.sqrt(n)
            if op == "fc":
                b = rng.standard_normal(m) * 0.1
                nodes.append(helper.make_node(
                    "Gemm", [cur, const(f"{name}_w", wt), const(f"{name}_b", b)],
                    [out], name=name, transB=1))
            else:
                nodes.append(helper.make_node(
                    "MatMul", [cur, const(f"{name}_w", wt.T.copy())], [out],
                    name=name))
            shape = [1, m]
        cur = out
    if not nodes:
        nodes.append(helper.make_node("Relu", ["x"], ["t_only"], name="relu_only"))
        cur = "t_only"
    nodes.append(helper.make_node("Identity", [cur], ["y"], name="output"))
    graph = helper.make_graph(
        nodes, "random_net",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1] + spec["input"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, shape)], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="random_nets")
    model.ir_version = 7
    onnx.checker.check_model(model)
    return model


#===------------------------------------------------------------------------===#
# Compile + verify: the one place that knows the pipeline.
#===------------------------------------------------------------------------===#

def run(cmd, log, timeout=600):
    """Runs one step; a hang (timeout) or a missing tool is a failure."""
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        p = subprocess.CompletedProcess(cmd, 124, f"hang: no exit after {timeout} s")
    except OSError as e:
        p = subprocess.CompletedProcess(cmd, 127, f"LLVM ERROR: cannot run: {e}")
    log.append("$ " + " ".join(cmd) + "\n" + p.stdout)
    return p


def pipeline_commands(spec, d, b, use_motec):
    """The commands that compile and verify `spec` in directory `d`."""
    digit = targets()[spec["target"]]
    prec = spec["precision"]
    if use_motec:
        cmd = [f"{b}/motec", f"{d}/net.onnx", "--calib", f"{d}/calib.npy",
               "-o", f"{d}/net.mbin", "--target", spec["target"],
               "--precision", prec, "--input", f"{d}/x.npy", "--verify"]
        if spec.get("synth"):
            terms, bits, gain = synth_shape(spec)
            cmd += ["--synth", spec["synth"], "--synth-terms", str(terms),
                    "--synth-bits", str(bits), "--synth-min-gain-db", str(gain)]
        return [("compile", cmd)]
    passes = [f"--mote-calibrate=data={d}/calib.npy",
              f"--mote-quantize=precision={prec}"]
    if spec.get("synth"):
        terms, bits, gain = synth_shape(spec)
        passes.append(f"--mote-quant-synthesis=mode={spec['synth']} "
                      f"terms={terms} bits={bits} min-gain-db={gain}")
    return [
        ("import", [f"{b}/mote-translate", "--import-onnx", f"{d}/net.onnx",
                    "-o", f"{d}/float.mlir"]),
        ("quantize", [f"{b}/mote-opt", f"{d}/float.mlir", *passes,
                      "-o", f"{d}/q.mlir"]),
        ("interpret", [f"{b}/mote-run", f"{d}/q.mlir", "--input",
                       f"x={d}/x.npy", "--output-dir", f"{d}/ref"]),
        ("compile", [f"{b}/mote-opt", f"{d}/q.mlir",
                     f"--mote-bitwidth-lowering=digit-bits={digit} quiet npu-products",
                     f"--mote-to-npu=target={spec['target']}",
                     "-o", f"{d}/npu.mlir"]),
        ("emit", [f"{b}/mote-translate", "--npu-to-mbin", f"{d}/npu.mlir",
                  "-o", f"{d}/net.mbin"]),
        ("simulate", [f"{b}/mote-sim", f"{d}/net.mbin", "--input",
                      f"x={d}/x.npy", "--output-dir", f"{d}/sim", "--quiet"]),
    ]


# Terms x bits per synthesis mode, picked by the spec's seed (no extra
# random draw, so a seed gives the same networks as before). Learned terms
# are forced (min-gain-db -1000): with the default 2 x 4 bits uniform
# 8-bit is exact and learned would always fall back to pow2 terms.
SYNTH_SHAPES = {"pow2": [(2, 4)], "residual": [(2, 4), (4, 1), (3, 2)],
                "learned": [(4, 1), (2, 2), (2, 3), (3, 1)]}


def synth_shape(spec):
    """(terms, bits, min-gain-db) of the spec's synthesis mode."""
    shapes = SYNTH_SHAPES.get(spec["synth"], [(2, 4)])
    terms, bits = shapes[spec["seed"] % len(shapes)]
    return terms, bits, -1000 if spec["synth"] == "learned" else 1


def compile_and_verify(spec, d, b, use_motec=False, emit_only=False):
    """Returns (outcome, detail, log): outcome is pass / skip / fail. With
    `emit_only`, only writes net.onnx, calib.npy and x.npy to `d`."""
    os.makedirs(d, exist_ok=True)
    log = []
    try:
        model = build_model(spec)
    except Exception as e:  # a generator bug, not a compiler bug
        return "fail", f"generator: {e}", log
    onnx.save(model, f"{d}/net.onnx")
    rng = np.random.default_rng(spec["seed"] + 7)
    shape = [1] + spec["input"]
    np.save(f"{d}/calib.npy",
            rng.standard_normal([8] + shape[1:]).astype(np.float32))
    np.save(f"{d}/x.npy", rng.standard_normal([4] + shape[1:]).astype(np.float32))
    if emit_only:
        return "pass", "", log
    for step, cmd in pipeline_commands(spec, d, b, use_motec):
        p = run(cmd, log)
        if CRASH.search(p.stdout) or p.returncode < 0 or p.returncode > 1:
            return "fail", f"{step}: crash (exit {p.returncode})", log
        if p.returncode != 0:
            first = next((l for l in p.stdout.splitlines() if "error" in l),
                         p.stdout.strip()[:300])
            if step in ("compile", "emit") and UNSUPPORTED.search(p.stdout):
                return "skip", f"{step}: {first.strip()}", log
            return "fail", f"{step}: {first.strip()}", log
    if use_motec:
        return "pass", "", log
    ref = sorted(os.listdir(f"{d}/ref"))
    sim = sorted(os.listdir(f"{d}/sim"))
    if ref != sim:
        return "fail", f"compare: outputs differ: interpreter {ref}, simulator {sim}", log
    for f in ref:
        a, s = np.load(f"{d}/ref/{f}"), np.load(f"{d}/sim/{f}")
        if a.shape != s.shape or a.dtype != s.dtype or a.tobytes() != s.tobytes():
            diff = int(np.sum(a != s)) if a.shape == s.shape else -1
            return "fail", (f"compare: mismatch in {f}: {diff} of {a.size} elements "
                            f"differ (max |d| "
                            f"{float(np.max(np.abs(a - s))) if diff > 0 else 0})"), log
    return "pass", "", log


#===------------------------------------------------------------------------===#
# Minimisation
#===------------------------------------------------------------------------===#

def failure_kind(detail):
    """Failures are 'the same' if the same step fails with the same message
    (paths, numbers and quoted names aside)."""
    step, _, message = detail.partition(":")
    if "mismatch" in message:
        return step + ": mismatch"
    if "crash" in message:
        return step + ": crash"
    message = message.split("error:", 1)[-1]
    return step + ":" + re.sub(r"'[^']*'|-?[0-9][0-9.eE+-]*", "_", message)[:100]


def shrink(spec, detail, b, work, use_motec):
    kind = failure_kind(detail)
    best = copy.deepcopy(spec)
    tries = 0

    def still_fails(candidate):
        nonlocal tries
        tries += 1
        d = tempfile.mkdtemp(dir=work, prefix="shrink-")
        outcome, det, _ = compile_and_verify(candidate, d, b, use_motec)
        shutil.rmtree(d, ignore_errors=True)
        return outcome == "fail" and failure_kind(det) == kind

    changed = True
    while changed and tries < 200:
        changed = False
        for i in range(len(best["layers"])):
            cand = copy.deepcopy(best)
            del cand["layers"][i]
            if still_fails(cand):
                best, changed = cand, True
                break
        if changed:
            continue
        for dim in range(3):
            while best["input"][dim] > 1:
                cand = copy.deepcopy(best)
                cand["input"][dim] = max(1, best["input"][dim] // 2)
                if not still_fails(cand):
                    break
                best, changed = cand, True
        for i, layer in enumerate(best["layers"]):
            if layer.get("out", 1) > 1:
                cand = copy.deepcopy(best)
                cand["layers"][i]["out"] = layer["out"] // 2
                if still_fails(cand):
                    best, changed = cand, True
        if best.get("synth"):
            cand = copy.deepcopy(best)
            cand["synth"] = None
            if still_fails(cand):
                best, changed = cand, True
    return best


#===------------------------------------------------------------------------===#
# Driver
#===------------------------------------------------------------------------===#

def one(args, index):
    seed = args.seed * 1000003 + index
    rng = random.Random(seed)
    spec = random_spec(rng, seed, args)
    d = os.path.join(args.work, f"net{index:05d}")
    outcome, detail, log = compile_and_verify(spec, d, args.bin, args.motec,
                                              args.emit_only)
    if outcome != "fail" and not (args.keep or args.emit_only):
        shutil.rmtree(d, ignore_errors=True)
    if outcome == "fail":
        with open(f"{d}/spec.json", "w") as f:
            json.dump(spec, f, indent=1)
    return index, spec, outcome, detail, log


def report_failure(args, spec, detail, log):
    print(f"FAIL seed {spec['seed']}: {detail}")
    small = shrink(spec, detail, args.bin, args.work, args.motec)
    d = os.path.join(args.work, f"repro-{spec['seed']}")
    outcome, det, log = compile_and_verify(small, d, args.bin, args.motec)
    with open(f"{d}/spec.json", "w") as f:
        json.dump(small, f, indent=1)
    print(f"  minimised reproducer ({len(small['layers'])} layer(s), input "
          f"{small['input']}): {d}/spec.json")
    print("  " + json.dumps(small))
    print(f"  replay: /usr/bin/python3 {os.path.relpath(__file__, ROOT)} "
          f"--bin {args.bin} --replay {d}/spec.json")
    print(f"  outcome: {outcome}: {det}")
    for step, cmd in pipeline_commands(small, d, args.bin, args.motec):
        print("  $ " + shlex.join(cmd))
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser(description="Random networks, differential NPU testing")
    ap.add_argument("--bin", required=True, help="directory of the Mote tools")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--work", default=None, help="scratch directory")
    ap.add_argument("--keep", action="store_true", help="keep passing networks")
    ap.add_argument("--motec", action="store_true",
                    help="compile and verify with motec --verify")
    ap.add_argument("--replay", help="run one spec (JSON) and print the outcome")
    ap.add_argument("--no-shrink", action="store_true")
    ap.add_argument("--emit-only", action="store_true",
                    help="only write each network (WORK/netNNNNN/net.onnx, "
                         "calib.npy, x.npy); compile nothing")
    ap.add_argument("--ops", default=",".join(ALL_OPS),
                    help=f"layer kinds to draw from (default: all of {','.join(ALL_OPS)})")
    ap.add_argument("--precisions", default=",".join(PRECISIONS))
    ap.add_argument("--synth-modes", default="none,pow2,residual,learned",
                    help="synthesis modes to draw from; 'none' = no synthesis")
    ap.add_argument("--targets", default=",".join(targets()))
    ap.add_argument("--summary-only", action="store_true",
                    help="print only failures and the summary")
    args = ap.parse_args()
    args.bin = os.path.abspath(args.bin)
    args.ops = args.ops.split(",")
    args.precisions = args.precisions.split(",")
    modes = args.synth_modes.split(",")
    # Synthesis on half of the networks when any mode is allowed.
    args.synth = [None] * max(1, 3 * ("none" in modes)) + \
        [m for m in modes if m != "none"]
    args.targets = args.targets.split(",")
    for bad in set(args.ops) - set(ALL_OPS):
        ap.error(f"unknown op '{bad}' (known: {','.join(ALL_OPS)})")
    args.work = os.path.abspath(args.work or tempfile.mkdtemp(prefix="mote-random-"))
    os.makedirs(args.work, exist_ok=True)

    if args.replay:
        with open(args.replay) as f:
            spec = json.load(f)
        d = os.path.join(args.work, "replay")
        outcome, detail, log = compile_and_verify(spec, d, args.bin, args.motec)
        print(f"{outcome}: {detail}")
        if outcome == "fail":
            print("".join(log[-1:]))
            if not args.no_shrink:
                report_failure(args, spec, detail, log)
        return 1 if outcome == "fail" else 0

    counts = {"pass": 0, "skip": 0, "fail": 0}
    skips = {}
    failures = []
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        for index, spec, outcome, detail, log in pool.map(
                lambda i: one(args, i), range(args.count)):
            counts[outcome] += 1
            if not args.summary_only and not args.emit_only:
                print(f"net {index} seed {spec['seed']} {spec['target']} "
                      f"{spec['precision']}{'/' + spec['synth'] if spec.get('synth') else ''} "
                      f"{len(spec['layers'])} layer(s): {outcome}"
                      f"{': ' + detail if detail else ''}")
                sys.stdout.flush()
            if outcome == "skip":
                key = failure_kind(detail)
                skips[key] = skips.get(key, 0) + 1
            elif outcome == "fail":
                failures.append((spec, detail, log))
    for spec, detail, log in failures:
        if args.no_shrink:
            print(f"FAIL seed {spec['seed']}: {detail}")
            print("  " + json.dumps(spec))
        else:
            report_failure(args, spec, detail, log)
    if failures:
        kinds = {}
        for spec, detail, log in failures:
            kinds[failure_kind(detail)] = kinds.get(failure_kind(detail), 0) + 1
        print("failed, by kind:")
        for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]):
            print(f"  {n:5d}  {k}")
    if skips:
        print("skipped (clean 'unsupported' from the NPU lowering):")
        for k, n in sorted(skips.items(), key=lambda kv: -kv[1]):
            print(f"  {n:5d}  {k}")
    if args.emit_only:
        print(f"random networks: {args.count} written to {args.work}")
        return 0
    print(f"random networks: {args.count} run, {counts['pass']} passed "
          f"bit-exact, {counts['skip']} skipped (unsupported), "
          f"{counts['fail']} failed")
    return 1 if counts["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
