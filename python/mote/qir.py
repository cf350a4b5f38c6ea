#===- python/mote/qir.py - Read and write Mote's quantized IR --------------===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""A reader and writer for the quantized `mote` IR that `motec --emit mote`
prints, restricted to what mote.distill trains: one function of quantize,
conv2d, fully_connected, add, max_pool2d, avg_pool2d, transpose, reshape
and dequantize.

Why the IR and not torch observers: the issue's point is that the trained
student starts from, and ends as, exactly what Mote's own calibration and
quantization produce. The scales, zero points, storage types and integer
weights are read from the IR the compiler wrote; the trained values are
written back into the same IR, which `motec` then compiles without
recalibration (it skips quantization of an already quantized model), so
nothing is re-derived and the simulator runs the integers we trained.
"""

import re

import numpy as np

from .numerics import storage_max, storage_min


class IRError(ValueError):
    """The IR uses something the reader does not handle."""


#===----------------------------------------------------------------------===#
# Types
#===----------------------------------------------------------------------===#

class QType:
    """A !quant.uniform element type: storage bits, signedness, range,
    optional axis, scales and zero points (lists; one entry per tensor)."""

    def __init__(self, bits, signed, qmin, qmax, narrow, axis, scales, zps):
        self.bits, self.signed = bits, signed
        self.qmin, self.qmax, self.narrow = qmin, qmax, narrow
        self.axis, self.scales, self.zps = axis, list(scales), list(zps)

    def copy(self):
        return QType(self.bits, self.signed, self.qmin, self.qmax, self.narrow,
                     self.axis, self.scales, self.zps)

    def text(self):
        st = ("i" if self.signed else "u") + str(self.bits)
        if self.narrow:
            st += f"<{self.qmin}:{self.qmax}>"

        def one(s, z):
            return repr(float(s)) + (f":{z}" if z != 0 else "")
        if self.axis is None:
            return f"!quant.uniform<{st}:f32, {one(self.scales[0], self.zps[0])}>"
        body = ",".join(one(s, z) for s, z in zip(self.scales, self.zps))
        return f"!quant.uniform<{st}:f32:{self.axis}, {{{body}}}>"


_QT = re.compile(r"!quant\.uniform<(?P<st>[ui])(?P<bits>\d+)"
                 r"(?:<(?P<mn>-?\d+):(?P<mx>-?\d+)>)?:f32(?::(?P<axis>\d+))?,"
                 r"\s*(?P<params>\{[^}]*\}|[^>]+)>")
_TENSOR = re.compile(r"tensor<((?:\d+x)*)(.*)>$")


def _parse_qtype(text):
    m = _QT.fullmatch(text.strip())
    if not m:
        raise IRError(f"unsupported element type '{text}'")
    bits, signed = int(m["bits"]), m["st"] == "i"
    qmin, qmax = storage_min(bits, signed), storage_max(bits, signed)
    narrow = m["mn"] is not None
    if narrow:
        qmin, qmax = int(m["mn"]), int(m["mx"])
    params = m["params"].strip().strip("{}").split(",")
    scales, zps = [], []
    for p in params:
        s, _, z = p.strip().partition(":")
        scales.append(float(s))
        zps.append(int(z) if z else 0)
    axis = int(m["axis"]) if m["axis"] is not None else None
    return QType(bits, signed, qmin, qmax, narrow, axis, scales, zps)


class VType:
    """A ranked tensor type: shape and an element (QType or 'f32'/'iN')."""

    def __init__(self, shape, elem):
        self.shape, self.elem = tuple(shape), elem

    @property
    def quant(self):
        return self.elem if isinstance(self.elem, QType) else None

    def text(self):
        dims = "".join(f"{d}x" for d in self.shape)
        e = self.elem.text() if isinstance(self.elem, QType) else self.elem
        return f"tensor<{dims}{e}>"


def parse_type(text):
    m = _TENSOR.fullmatch(text.strip())
    if not m:
        raise IRError(f"unsupported type '{text}'")
    shape = [int(d) for d in m[1].split("x") if d]
    elem = m[2]
    return VType(shape, _parse_qtype(elem) if elem.startswith("!quant")
                 else elem)


def _split_top(text, sep=","):
    """Splits at `sep` outside <>, (), {}, []."""
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch in "<({[":
            depth += 1
        elif ch in ">)}]":
            depth -= 1
        if ch == sep and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur)
    return [s.strip() for s in out]


#===----------------------------------------------------------------------===#
# Ops
#===----------------------------------------------------------------------===#

SUPPORTED = {"quantize", "dequantize", "constant", "conv2d", "fully_connected",
             "add", "max_pool2d", "avg_pool2d", "transpose", "reshape"}

_OP = re.compile(r"\s*(?P<res>%[\w]+) = mote\.(?P<op>\w+) (?P<rest>.*)$")
# Attributes that bit-width lowering derives from the weights: dropped on
# write so that motec recomputes them for the trained values.
_DERIVED_ATTRS = ("mote.acc_bits", "mote.acc_bound", "mote.digits")


class Op:
    def __init__(self, result, name, operands, attrs, in_types, out_type,
                 data=None):
        self.result, self.name, self.operands = result, name, operands
        self.attrs, self.in_types, self.out_type = attrs, in_types, out_type
        self.data = data  # constants: an int64 array of the storage values

    def attr_ints(self, key):
        m = re.search(key + r" = array<i64: ([-\d, ]*)>", self.attrs)
        if not m:
            return None
        return [int(v) for v in m[1].split(",") if v.strip()]

    def attr_int(self, key, default=None):
        m = re.search(key + r" = (-?\d+) : i64", self.attrs)
        return int(m[1]) if m else default

    def attr_bool(self, key, default=False):
        m = re.search(key + r"(?: = (true|false))?(?=[,}])", self.attrs)
        if not m:
            return default
        return m[1] != "false"


def _parse_dense(text, vtype, storage, resources):
    """dense<...> of a constant: hex (little-endian, one byte per element
    for ≤ 8-bit storage) or a decimal list/splat."""
    n = int(np.prod(vtype.shape)) if vtype.shape else 1
    bits = int(storage[1:])
    if text.startswith("dense_resource<"):
        name = text[len("dense_resource<"):-1]
        if name not in resources:
            raise IRError(f"dense_resource<{name}> has no blob")
        body = '"0x' + resources[name] + '"'
    else:
        body = text[len("dense<"):-1]
    if body.startswith('"0x'):
        raw = bytes.fromhex(body[3:-1])
        width = 1 if bits <= 8 else bits // 8
        vals = np.frombuffer(raw, dtype=np.uint8).astype(np.int64) if width == 1 \
            else np.frombuffer(raw, dtype={2: "<u2", 4: "<u4", 8: "<u8"}[width]
                               ).astype(np.int64)
        if len(vals) == 1 and n > 1:
            vals = np.repeat(vals, n)
        vals = vals & ((1 << bits) - 1)
        if storage[0] == "i":
            vals = np.where(vals >= (1 << (bits - 1)), vals - (1 << bits), vals)
    else:
        nums = [int(v) for v in re.findall(r"-?\d+", body)]
        vals = np.asarray(nums, dtype=np.int64)
        if len(vals) == 1 and n > 1:
            vals = np.repeat(vals, n)
    if vals.size != n:
        raise IRError(f"constant has {vals.size} values for shape {vtype.shape}")
    return vals.reshape(vtype.shape)


def _format_dense(values, bits):
    values = np.asarray(values, dtype=np.int64).reshape(-1)
    if bits <= 8:
        raw = (values & ((1 << bits) - 1)).astype(np.uint8).tobytes()
        return 'dense<"0x' + raw.hex().upper() + '">'
    if values.size == 1:
        return f"dense<{int(values[0])}>"
    return "dense<[" + ", ".join(str(int(v)) for v in values) + "]>"


class Module:
    """One function of quantized mote IR: the header line(s), the ops in
    program order, the return line, and the types of every SSA value."""

    def __init__(self, text):
        self.head, self.ops, self.tail = [], [], []
        # dense_resource blobs (large constants): hex after a 4-byte
        # alignment header. Written back inline, so the block is dropped.
        self.resources = {}
        block = re.search(r"\{-#.*?#-\}", text, re.S)
        if block:
            for name, hexdata in re.findall(r'(\w+): "0x([0-9A-Fa-f]*)"',
                                            block[0]):
                self.resources[name] = hexdata[8:]
            text = text[:block.start()] + text[block.end():]
        self.types = {}
        self.args = []
        lines = text.splitlines()
        state = "head"
        for ln in lines:
            s = ln.strip()
            if state == "head":
                self.head.append(ln)
                if s.startswith("func.func"):
                    state = "body"
                    for name, t in re.findall(
                            r"(%arg\d+): (tensor<[^ ]*?>)(?=[ ,)])", s):
                        self.types[name] = parse_type(t)
                    self.args = list(self.types)
                continue
            if state == "body" and s.startswith("return"):
                state = "tail"
            if state == "tail":
                self.tail.append(ln)
                continue
            self._parse_op(ln)
        if state != "tail":
            raise IRError("no function body found (expected `motec --emit "
                          "mote` output)")
        m = re.search(r"return ([%\w, ]+) :", "\n".join(self.tail))
        self.results = [r.strip() for r in m[1].split(",")] if m else []

    def _parse_op(self, ln):
        m = _OP.match(ln)
        if not m:
            raise IRError(f"cannot read the line '{ln.strip()[:80]}'")
        op, rest = m["op"], m["rest"]
        if op not in SUPPORTED:
            raise IRError(f"op mote.{op} ({m['res']}) is not supported by the "
                          "distillation emulator (supported: "
                          + ", ".join(sorted(SUPPORTED)) + ")")
        if op == "constant":
            dm = re.match(r'(dense<(?:"[^"]*"|[^>]*)>|dense_resource<\w+>) : '
                          r'(tensor<[^>]*>) -> '
                          r'(.*)$', rest)
            if not dm:
                raise IRError(f"cannot read the constant {m['res']}")
            store = parse_type(dm[2])
            out = parse_type(dm[3])
            data = _parse_dense(dm[1], store, store.elem, self.resources)
            self.types[m["res"]] = out
            self.ops.append(Op(m["res"], op, [], "", [], out, data))
            return
        sig = rest.rindex(" : (")
        head, types = rest[:sig], rest[sig + 3:]
        ins, _, outt = types.rpartition(") -> ")
        in_types = [parse_type(t) for t in _split_top(ins[1:])]
        out = parse_type(outt)
        attrs = ""
        if "{" in head:
            head, attrs = head[:head.index("{")], head[head.index("{"):]
        operands = [o.strip() for o in head.split(",") if o.strip()]
        self.types[m["res"]] = out
        self.ops.append(Op(m["res"], op, operands, attrs, in_types, out))

    def text(self):
        """The IR with the current types and constants."""
        lines = list(self.head)
        for op in self.ops:
            out = self.types[op.result]
            if op.name == "constant":
                bits = out.quant.bits
                st = ("i" if out.quant.signed else "u") + str(bits)
                if out.quant.signed or bits >= 32:
                    st = "i" + str(bits)
                store = VType(out.shape, st)
                lines.append(f"    {op.result} = mote.constant "
                             f"{_format_dense(op.data, bits)} : {store.text()}"
                             f" -> {out.text()}")
                continue
            attrs = op.attrs
            for key in _DERIVED_ATTRS:
                attrs = re.sub(r"\s*" + re.escape(key) +
                               r" = (?:array<[^>]*>|[^,}]*)\s*,?", " ", attrs)
            attrs = re.sub(r"\{\s*,?\s*", "{", attrs)
            attrs = re.sub(r",\s*\}", "}", attrs).strip()
            attrs = re.sub(r"\s+", " ", attrs)
            if attrs == "{}" or attrs == "{ }":
                attrs = ""
            ins = ", ".join(self.types[o].text() for o in op.operands)
            lines.append(f"    {op.result} = mote.{op.name} "
                         f"{', '.join(op.operands)}"
                         f"{' ' + attrs if attrs else ''} : ({ins}) -> "
                         f"{out.text()}")
        lines += self.tail
        return "\n".join(lines) + "\n"
