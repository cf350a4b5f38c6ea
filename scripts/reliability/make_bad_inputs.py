#!/usr/bin/python3
#===- make_bad_inputs.py - Hostile inputs for the bad-input catalogue ------===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===------------------------------------------------------------------------===#
#
# Writes the hostile inputs that test/reliability/bad-inputs.test feeds to
# every tool (mote-translate, mote-opt, mote-run, mote-sim, mote-target): each
# must be rejected with a non-zero exit and a message naming the file and the
# node/op, and never crash. Everything is generated deterministically from
# small valid models, so the catalogue needs no binary files in the repo.
#
#   /usr/bin/python3 scripts/reliability/make_bad_inputs.py OUT_DIR
#
# A .mbin with a valid checksum but an illegal instruction needs xxh3_64; it
# is computed by calling llvm::xxh3_64bits in Debian's libLLVM (the same
# function Mbin.cpp uses) through ctypes.
#
#===------------------------------------------------------------------------===#

import ctypes
import os
import struct
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13


def model(nodes, inputs, outputs, inits=(), opset=OPSET, name="bad"):
    graph = helper.make_graph(nodes, name, inputs, outputs, list(inits))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                          producer_name="make_bad_inputs")
    m.ir_version = 7
    return m


def vi(name, shape, elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, shape)


def conv_model(weight=None, x_shape=(1, 3, 8, 8), name="bad"):
    """x -> Conv(conv0) -> Relu(relu0) -> y: the base of most ONNX cases."""
    rng = np.random.default_rng(0)
    if weight is None:
        weight = rng.standard_normal((4, 3, 3, 3)).astype(np.float32) * 0.2
    w = numpy_helper.from_array(weight, "w")
    b = numpy_helper.from_array(np.zeros(4, np.float32), "b")
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv0",
                         pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["y"], name="relu0"),
    ]
    out_shape = [x_shape[0], 4, x_shape[2], x_shape[3]] if all(
        isinstance(d, int) for d in x_shape) else None
    return model(nodes, [vi("x", list(x_shape))], [vi("y", out_shape)],
                 [w, b], name=name)


def save(m, path, check=True):
    if check:
        onnx.checker.check_model(m)
    with open(path, "wb") as f:
        f.write(m.SerializeToString())


def qdq_model(scale, zero_point, zp_type=TensorProto.INT8):
    """x -> QuantizeLinear(q0) -> DequantizeLinear(dq0) -> Relu -> y, with a
    chosen scale and zero point (a pre-quantized model's QDQ pair)."""
    s = helper.make_tensor("s", TensorProto.FLOAT, [], [scale])
    z = helper.make_tensor("z", zp_type, [], [zero_point])
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "s", "z"], ["q"], name="q0"),
        helper.make_node("DequantizeLinear", ["q", "s", "z"], ["d"], name="dq0"),
        helper.make_node("Relu", ["d"], ["y"], name="relu0"),
    ]
    return model(nodes, [vi("x", [1, 4])], [vi("y", [1, 4])], [s, z])


def onnx_cases(out):
    base = conv_model()
    save(base, f"{out}/good.onnx")
    data = base.SerializeToString()

    # Truncated: half of a valid file (a length-delimited field runs past
    # the end).
    with open(f"{out}/truncated.onnx", "wb") as f:
        f.write(data[:len(data) // 2])
    # Bit-flipped: the first byte is the tag of ModelProto.ir_version
    # (field 1, varint: 0x08); flipping bit 2 makes it wire type 4 (end
    # group) with no open group, which protobuf rejects.
    flipped = bytearray(data)
    assert flipped[0] == 0x08, flipped[0]
    flipped[0] ^= 0x04
    with open(f"{out}/bitflip.onnx", "wb") as f:
        f.write(bytes(flipped))
    # Not a model at all.
    with open(f"{out}/garbage.onnx", "wb") as f:
        f.write(bytes(range(256)) * 4)
    with open(f"{out}/empty.onnx", "wb") as f:
        pass

    # Unsupported op (a real ONNX op the importer does not know).
    nodes = [helper.make_node("Det", ["x"], ["y"], name="det0")]
    save(model(nodes, [vi("x", [2, 3, 3])], [vi("y", [2])]),
         f"{out}/unsupported-op.onnx")
    # An op from an unknown domain.
    nodes = [helper.make_node("Frobnicate", ["x"], ["y"], name="frob0",
                              domain="com.example")]
    m = model(nodes, [vi("x", [1, 4])], [vi("y", [1, 4])])
    m.opset_import.append(helper.make_opsetid("com.example", 1))
    save(m, f"{out}/unknown-domain.onnx", check=False)
    # Opsets outside 6..17.
    m = conv_model()
    m.opset_import[0].version = 18
    save(m, f"{out}/opset18.onnx", check=False)
    m = conv_model()
    m.opset_import[0].version = 5
    save(m, f"{out}/opset5.onnx", check=False)

    # Dynamic dims: a symbolic channel dimension, and an unknown one.
    save(conv_model(x_shape=(1, "C", 8, 8)), f"{out}/dynamic-dim.onnx",
         check=False)
    m = conv_model()
    m.graph.input[0].type.tensor_type.shape.dim[2].Clear()
    save(m, f"{out}/unknown-dim.onnx", check=False)
    # Zero-sized dim.
    save(conv_model(x_shape=(1, 3, 0, 8)), f"{out}/zero-dim.onnx",
         check=False)
    # A 2^40-element graph input.
    nodes = [helper.make_node("Relu", ["x"], ["y"], name="relu0")]
    save(model(nodes, [vi("x", [1 << 20, 1 << 20])], [vi("y", [1 << 20, 1 << 20])]),
         f"{out}/huge-input.onnx")
    # A 2^40-element initializer that claims its size but carries no data.
    big = TensorProto(name="w", data_type=TensorProto.FLOAT,
                      dims=[1 << 20, 1 << 20])
    nodes = [helper.make_node("MatMul", ["x", "w"], ["y"], name="matmul0")]
    save(model(nodes, [vi("x", [1, 1 << 20])], [vi("y", [1, 1 << 20])], [big]),
         f"{out}/huge-initializer.onnx", check=False)
    # Constant folding asked to materialise 2^40 elements.
    shape = numpy_helper.from_array(np.array([1 << 20, 1 << 20], np.int64), "shape")
    nodes = [helper.make_node("ConstantOfShape", ["shape"], ["c"], name="cos0"),
             helper.make_node("Add", ["x", "c"], ["y"], name="add0")]
    save(model(nodes, [vi("x", [1, 1])], [vi("y", [1 << 20, 1 << 20])], [shape]),
         f"{out}/huge-constantofshape.onnx")
    lims = [numpy_helper.from_array(np.array(v, np.float32), n)
            for v, n in ((0.0, "start"), (1e30, "limit"), (1.0, "delta"))]
    nodes = [helper.make_node("Range", ["start", "limit", "delta"], ["r"],
                              name="range0"),
             helper.make_node("Add", ["x", "r"], ["y"], name="add0")]
    save(model(nodes, [vi("x", [1])], [vi("y", [1])], lims),
         f"{out}/huge-range.onnx")
    # An initializer whose raw data is shorter than its shape.
    short = TensorProto(name="w", data_type=TensorProto.FLOAT,
                        dims=[4, 3, 3, 3], raw_data=b"\0" * 16)
    m = conv_model()
    m.graph.initializer[0].CopyFrom(short)
    save(m, f"{out}/short-initializer.onnx", check=False)

    # NaN / Inf weights.
    w = np.random.default_rng(1).standard_normal((4, 3, 3, 3)).astype(np.float32)
    w[2, 1, 0, 0] = np.nan
    save(conv_model(w), f"{out}/nan-weight.onnx")
    w[2, 1, 0, 0] = np.inf
    save(conv_model(w), f"{out}/inf-weight.onnx")

    # Pre-quantized (QDQ) models with bad scales and zero points.
    save(qdq_model(float("nan"), 0), f"{out}/nan-scale.onnx")
    save(qdq_model(float("inf"), 0), f"{out}/inf-scale.onnx")
    save(qdq_model(0.0, 0), f"{out}/zero-scale.onnx")
    save(qdq_model(-0.5, 0), f"{out}/negative-scale.onnx")
    # A uint8 zero point of 300 cannot be stored in the tensor's type; write
    # the int32 field directly (the helper would reject it).
    m = qdq_model(0.5, 0, TensorProto.UINT8)
    m.graph.initializer[1].int32_data[:] = [300]
    save(m, f"{out}/zp-out-of-range.onnx", check=False)

    # Too big for a target: a 200x200 kernel needs a 40000-byte input
    # window per output pixel, more than mote-small's activation slots.
    w = np.full((1, 1, 200, 200), 0.01, np.float32)
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="bigconv")]
    save(model(nodes, [vi("x", [1, 1, 200, 200])], [vi("y", [1, 1, 1, 1])],
               [numpy_helper.from_array(w, "w")]), f"{out}/too-big.onnx")
    np.save(f"{out}/calib-too-big.npy",
            np.random.default_rng(3).standard_normal((2, 1, 200, 200)).astype(np.float32))

    # Calibration data of the wrong shape for good.onnx.
    np.save(f"{out}/calib-bad-shape.npy", np.zeros((2, 3, 5, 5), np.float32))
    np.save(f"{out}/calib-good.npy",
            np.random.default_rng(2).standard_normal((4, 3, 8, 8)).astype(np.float32))
    np.save(f"{out}/calib-nan.npy", np.full((2, 3, 8, 8), np.nan, np.float32))


#===------------------------------------------------------------------------===#
# .mbin / .masm
#===------------------------------------------------------------------------===#

OK_MASM = """\
.target "mote-default" 0xb868d0c3184d1582
.dram 64
.input name="x" shape=[16] perm=[] layout="C" dtype="i8" addr=0 bytes=16 scale=0.25 zp=0
.output name="y" shape=[16] perm=[] layout="C" dtype="i8" addr=32 bytes=16 scale=0.25 zp=0
.layer name="clamp0" kind="clamp" first=4 count=3 macs=0 digit_macs=0 dram_bytes=32 roofline_cycles=0
config engine=execute reg=VEC_A_SIGNED value=1
config engine=execute reg=VEC_OUT_SIGNED value=1
config engine=execute reg=VEC_CLAMP_LO value=-128
config engine=execute reg=VEC_CLAMP_HI value=127
load buffer=activation sram_addr=0 dram_addr=0 rows=1 cols=1 elem_bytes=16 push_next
vec op=clamp src_a=0 out_h=1 out_w=1 channels=16 dst_addr=16 pop_prev push_next
store buffer=activation sram_addr=16 dram_addr=32 rows=1 cols=1 elem_bytes=16 pop_prev
finish
"""

MASM_CASES = {
    # Every engine waits for a token nobody pushes.
    "deadlock.masm": OK_MASM.replace(
        "vec op=clamp src_a=0 out_h=1 out_w=1 channels=16 dst_addr=16 pop_prev push_next",
        "vec op=clamp src_a=0 out_h=1 out_w=1 channels=16 dst_addr=16 pop_next push_next"),
    # A target hash that is not the named target's.
    "wrong-hash.masm": OK_MASM.replace("0xb868d0c3184d1582", "0x0000000000001234"),
    # DMA beyond the program's DRAM.
    "dram-oob.masm": OK_MASM.replace("dram_addr=32 rows=1", "dram_addr=56 rows=1"),
    # SRAM beyond the activation buffer (256 KiB on mote-default).
    "sram-oob.masm": OK_MASM.replace("sram_addr=16 dram_addr=32",
                                     "sram_addr=262144 dram_addr=32"),
    # An output that lies outside DRAM.
    "io-oob.masm": OK_MASM.replace("addr=32 bytes=16", "addr=60 bytes=16"),
    # A zero point outside int8.
    "io-zp.masm": OK_MASM.replace("scale=0.25 zp=0\n.layer", "scale=0.25 zp=200\n.layer"),
    # A non-positive scale.
    "io-scale.masm": OK_MASM.replace("scale=0.25 zp=0\n.output", "scale=-1 zp=0\n.output"),
    # An unknown mnemonic and a program without finish.
    "bad-mnemonic.masm": OK_MASM.replace("finish", "frobnicate"),
    "no-finish.masm": OK_MASM.replace("finish\n", ""),
}


def xxh3_64(data):
    """llvm::xxh3_64bits(ArrayRef<uint8_t>) from libLLVM: the ArrayRef is
    passed by value as (pointer, size) in two registers (SysV x86-64)."""
    lib = ctypes.CDLL("/usr/lib/llvm-22/lib/libLLVM.so.22.1")
    fn = lib._ZN4llvm11xxh3_64bitsENS_8ArrayRefIhEE
    fn.restype = ctypes.c_uint64
    fn.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
    return fn(bytes(data), len(data))


def sections(mbin):
    count = struct.unpack_from("<I", mbin, 12)[0]
    out = {}
    for i in range(count):
        sid, _, off, size, _ = struct.unpack_from("<IIQQQ", mbin, 24 + 32 * i)
        out[sid] = (i, off, size)
    return out


def rechecksum(mbin, sid):
    i, off, size = sections(mbin)[sid]
    struct.pack_into("<Q", mbin, 24 + 32 * i + 24, xxh3_64(mbin[off:off + size]))


def mbin_cases(out, good_mbin):
    """Corruptions of a valid .mbin (assembled from ok.masm by the test)."""
    good = bytearray(open(good_mbin, "rb").read())
    inst = sections(good)[1]

    def write(name, data):
        with open(f"{out}/{name}", "wb") as f:
            f.write(bytes(data))

    bad = bytearray(good)
    bad[0:8] = b"MOTEBOX\0"
    write("bad-magic.mbin", bad)
    bad = bytearray(good)
    struct.pack_into("<I", bad, 8, 99)
    write("bad-version.mbin", bad)
    write("truncated.mbin", good[:len(good) - 7])
    write("header-only.mbin", good[:20])
    bad = bytearray(good)
    bad[inst[1] + 16 * 5 + 3] ^= 0x40
    write("checksum.mbin", bad)
    # Illegal opcode 0 in instruction 2, with a recomputed checksum so that
    # the decoder (not the checksum) must catch it.
    bad = bytearray(good)
    bad[inst[1] + 16 * 2] &= 0xF0
    rechecksum(bad, 1)
    write("illegal-opcode.mbin", bad)
    # Opcode 15 (unassigned).
    bad = bytearray(good)
    bad[inst[1] + 16 * 2] |= 0x0F
    rechecksum(bad, 1)
    write("unknown-opcode.mbin", bad)
    # A section offset far past the end of the file.
    bad = bytearray(good)
    struct.pack_into("<Q", bad, 24 + 32 * inst[0] + 8, 1 << 62)
    write("section-oob.mbin", bad)
    # A section size that wraps around 2^64 with its offset.
    bad = bytearray(good)
    struct.pack_into("<Q", bad, 24 + 32 * inst[0] + 16, (1 << 64) - 8)
    write("section-wrap.mbin", bad)
    # Section count 2^31.
    bad = bytearray(good)
    struct.pack_into("<I", bad, 12, 1 << 31)
    write("section-count.mbin", bad)


def sim_inputs(out):
    np.save(f"{out}/x16.npy", np.linspace(-2, 2, 16, dtype=np.float32))
    np.save(f"{out}/x15.npy", np.zeros(15, np.float32))
    np.save(f"{out}/x16-int.npy", np.zeros(16, np.int64))
    np.save(f"{out}/x16-nan.npy", np.full(16, np.nan, np.float32))
    with open(f"{out}/not-npy.npy", "wb") as f:
        f.write(b"\x93NUMPY\x01\x00\xff\xff{'descr': '<f4'")
    np.save(f"{out}/img-good.npy", np.zeros((1, 3, 8, 8), np.float32))
    img = np.zeros((1, 3, 8, 8), np.float32)
    img[0, 1, 2, 3] = np.nan
    np.save(f"{out}/img-nan.npy", img)
    np.save(f"{out}/img-shape.npy", np.zeros((1, 3, 9, 8), np.float32))
    np.save(f"{out}/img-dtype.npy", np.zeros((1, 3, 8, 8), np.complex64))


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: make_bad_inputs.py OUT_DIR [--mbin GOOD.mbin]")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    if "--mbin" in sys.argv:
        mbin_cases(out, sys.argv[sys.argv.index("--mbin") + 1])
        return
    onnx_cases(out)
    with open(f"{out}/ok.masm", "w") as f:
        f.write(OK_MASM)
    for name, text in MASM_CASES.items():
        assert text != OK_MASM, name
        with open(f"{out}/{name}", "w") as f:
            f.write(text)
    sim_inputs(out)


if __name__ == "__main__":
    main()
