#===- python/mote/onnx_export.py - Trained quantized IR -> ONNX QDQ --------===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""save_qdq(ir, path): the trained student as an ONNX model with explicit
quantization (opset 13), for other tools and for motec.

Why QDQ and not QOperator: QDQ (QuantizeLinear/DequantizeLinear around
float ops) is what PyTorch and ONNX Runtime write and what Mote's importer
folds back into integer ops (docs/ONNX.md, "Pre-quantized models"), with
the model's own scales: nothing is recalibrated.

Conventions (docs/ONNX.md):
- every activation is QuantizeLinear → DequantizeLinear with its scale and
  zero point (uint8 storage for unsigned, int8 for signed); a product's
  ReLU is not written: quantizing to zero point 0 in unsigned storage *is*
  the ReLU, as in Mote's IR;
- weights are int8 initializers, per output channel (axis 0), zp 0,
  through DequantizeLinear (4-bit weights are int8 values in [−7, 7]: a
  constant's range is in its values, and Mote's importer refuses a Clip on
  an integer constant); biases int32 initializers through
  DequantizeLinear at s_x·s_w;
- sub-byte storage (ONNX 1.12 has no int4) is written as a float Clip to
  the storage's real range, s·(qmin − zp) … s·(qmax − zp), followed by
  8-bit QuantizeLinear → DequantizeLinear. By ONNX semantics that computes
  exactly the sub-byte value, and Mote's importer folds it (quantize of a
  clamp = clamp of the quantized value), so motec compiles it bit-exactly,
  but in 8-bit storage with clamps, i.e. at int8 energy. The issue's
  QuantizeLinear → Clip(integer bounds) → DequantizeLinear convention,
  read back as i4/u4, needs an importer change: today Mote reads a Clip on
  a quantized tensor with its bounds as *real* values (docs/Distillation.md,
  "Limits"). For a 4-bit deployment compile the trained IR (save_mlir).

The IR's layout transposes (NCHW ↔ NHWC around the network, inserted by
the importer) are dropped: ONNX ops are written in NCHW.
"""

import os

import numpy as np


class ExportError(ValueError):
    pass


def save_qdq(ir, path):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits = [], []
    counter = [0]

    def fresh(base):
        counter[0] += 1
        return f"{base}_{counter[0]}"

    def const(name, array):
        inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def storage(q):
        return (np.int8 if q.signed else np.uint8), q.bits < 8 or q.qmin not \
            in (-128, 0) or q.qmax not in (127, 255)

    def qdq(x, q, name):
        """x (float) [-> Clip] -> Q -> DQ; returns the DQ output. Sub-byte
        storage clips x in float to the real range of the storage,
        s·(qmin − zp) … s·(qmax − zp), before quantizing to 8 bits: by ONNX
        semantics that is exactly sat(rne(x/s) + zp) into [qmin, qmax]."""
        dt, narrow = storage(q)
        s = const(fresh(name + "_scale"), np.float32(q.scales[0]))
        z = const(fresh(name + "_zp"), np.asarray(q.zps[0], dtype=dt))
        if narrow:
            sc = np.float32(q.scales[0])
            lo = const(fresh(name + "_lo"),
                       np.float32(sc * np.float32(q.qmin - q.zps[0])))
            hi = const(fresh(name + "_hi"),
                       np.float32(sc * np.float32(q.qmax - q.zps[0])))
            co = fresh(name + "_clip")
            nodes.append(helper.make_node("Clip", [x, lo, hi], [co]))
            x = co
        qo = fresh(name + "_q")
        nodes.append(helper.make_node("QuantizeLinear", [x, s, z], [qo]))
        out = fresh(name + "_dq")
        nodes.append(helper.make_node("DequantizeLinear", [qo, s, z], [out]))
        return out

    def weight_dq(op_data, q, name, layout):
        w = np.asarray(op_data, dtype=np.int64)
        if layout == "OHWI":
            w = w.transpose(0, 3, 1, 2)
        wt = const(fresh(name + "_w"), w.astype(np.int8))
        s = const(fresh(name + "_ws"), np.asarray(q.scales, np.float32))
        z = const(fresh(name + "_wz"), np.zeros(len(q.scales), np.int8))
        src = wt  # constant weights carry their range in their values
        out = fresh(name + "_wdq")
        nodes.append(helper.make_node("DequantizeLinear", [src, s, z], [out],
                                      axis=0))
        return out

    def bias_dq(op_data, q, name):
        b = const(fresh(name + "_b"), np.asarray(op_data, np.int32))
        s = const(fresh(name + "_bs"), np.asarray(q.scales, np.float32))
        z = const(fresh(name + "_bz"), np.zeros(len(q.scales), np.int32))
        out = fresh(name + "_bdq")
        nodes.append(helper.make_node("DequantizeLinear", [b, s, z], [out],
                                      axis=0))
        return out

    types = ir.types
    consts = {op.result: op for op in ir.ops if op.name == "constant"}
    real = {}   # SSA value -> ONNX float tensor name (dequantized)
    layout = {}
    arg = ir.args[0]
    in_name, out_name = "input", "output"
    import re
    m = re.search(r'mote\.name = "([^"]+)"', ir.head[-1].split("->")[0])
    if m:
        in_name = m[1]
    m = re.search(r'mote\.name = "([^"]+)"', ir.head[-1].split("->")[-1])
    if m:
        out_name = m[1]
    in_shape = list(types[arg].shape)
    real[arg] = in_name
    layout[arg] = "NCHW" if len(in_shape) == 4 else "-"
    outputs = []
    for op in ir.ops:
        n, r = op.name, op.result
        if n == "constant":
            continue
        tag = r.lstrip("%")
        q = types[r].quant
        if n == "quantize":
            real[r] = qdq(real[op.operands[0]], q, "in" + tag)
            layout[r] = layout[op.operands[0]]
        elif n == "transpose":
            perm = op.attr_ints("perms")
            src = op.operands[0]
            if perm == [0, 2, 3, 1] and layout[src] == "NCHW":
                layout[r] = "NHWC"
            elif perm == [0, 3, 1, 2] and layout[src] == "NHWC":
                layout[r] = "NCHW"
            else:
                raise ExportError(f"{r}: transpose {perm} is not a layout "
                                  "change")
            real[r] = real[src]
        elif n == "reshape":
            src = op.operands[0]
            shape = const(fresh("shape" + tag),
                          np.asarray([-1] + list(types[r].shape[1:]),
                                     np.int64))
            o = fresh("reshape" + tag)
            nodes.append(helper.make_node("Reshape", [real[src], shape], [o]))
            real[r] = qdq(o, q, "reshape" + tag)
            layout[r] = "-"
        elif n in ("conv2d", "fully_connected"):
            x, w = op.operands[0], op.operands[1]
            wq = types[w].quant
            ins = [real[x]]
            if n == "conv2d":
                if layout[x] != "NHWC":
                    raise ExportError(f"{r}: conv2d on a non-NHWC value")
                ins.append(weight_dq(consts[w].data, wq, "conv" + tag, "OHWI"))
            else:
                ins.append(weight_dq(consts[w].data, wq, "fc" + tag, "OI"))
            if len(op.operands) > 2:
                b = op.operands[2]
                ins.append(bias_dq(consts[b].data, types[b].quant, "b" + tag))
            o = fresh(n + tag)
            if n == "conv2d":
                p = op.attr_ints("pad") or [0, 0, 0, 0]
                kh, kw = types[w].shape[1], types[w].shape[2]
                nodes.append(helper.make_node(
                    "Conv", ins, [o], kernel_shape=[kh, kw],
                    strides=op.attr_ints("strides") or [1, 1],
                    dilations=op.attr_ints("dilations") or [1, 1],
                    pads=[p[0], p[2], p[1], p[3]],
                    group=op.attr_int("groups", 1)))
                layout[r] = "NHWC"
            else:
                nodes.append(helper.make_node("Gemm", ins, [o], transB=1))
                layout[r] = "-"
            real[r] = qdq(o, q, n + tag)
        elif n in ("max_pool2d", "avg_pool2d"):
            src = op.operands[0]
            p = op.attr_ints("pad") or [0, 0, 0, 0]
            o = fresh(n + tag)
            nodes.append(helper.make_node(
                "MaxPool" if n == "max_pool2d" else "AveragePool",
                [real[src]], [o], kernel_shape=op.attr_ints("kernel"),
                strides=op.attr_ints("strides"),
                pads=[p[0], p[2], p[1], p[3]]))
            real[r] = qdq(o, q, n + tag)
            layout[r] = layout[src]
        elif n == "add":
            o = fresh("add" + tag)
            nodes.append(helper.make_node(
                "Add", [real[op.operands[0]], real[op.operands[1]]], [o]))
            real[r] = qdq(o, q, "add" + tag)
            layout[r] = layout[op.operands[0]]
        elif n == "dequantize":
            src = op.operands[0]
            nodes.append(helper.make_node("Identity", [real[src]], [out_name]))
            outputs.append(helper.make_tensor_value_info(
                out_name, TensorProto.FLOAT, list(types[r].shape)))
        else:
            raise ExportError(f"{r}: mote.{n} has no ONNX export")
    graph = helper.make_graph(
        nodes, "mote_distilled",
        [helper.make_tensor_value_info(in_name, TensorProto.FLOAT, in_shape)],
        outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="mote.distill")
    model.ir_version = 7
    onnx.checker.check_model(model)
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        onnx.save(model, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
