"""Independent reference for Mote's quantized arithmetic (Python integers).

Implements docs/Interpreter.md and docs/Numerics.md from the formulas, not
from the C++: used by the lit tests to check mote-run bit for bit.
"""
import math


def rne(x):
    # Python's round() on floats is round-half-to-even.
    return int(round(x))


def quantize(x, scale, zp, qmin, qmax):
    q = float(x) / scale
    if math.isnan(q):
        return min(max(zp, qmin), qmax)
    if q > 4.0e18:
        return qmax
    if q < -4.0e18:
        return qmin
    return min(max(rne(q) + zp, qmin), qmax)


def dequantize(q, scale, zp):
    return scale * float(q - zp)


def multiplier(ratio):
    """ratio ~ M * 2^-S, M in [2^30, 2^31), S in [1, 62]."""
    assert ratio > 0 and math.isfinite(ratio)
    f, e = math.frexp(ratio)
    m = int(math.floor(f * 2147483648.0 + 0.5))
    if m == 1 << 31:
        m >>= 1
        e += 1
    s = 31 - e
    assert s >= 1
    if s > 62:
        excess = s - 62
        m = 0 if excess >= 63 else (m + (1 << (excess - 1))) >> excess
        s = 62
    return m, s


def apply_scale(v, ms):
    m, s = ms
    return (v * m + (1 << (s - 1))) >> s  # Python >> is arithmetic


def sat(v, lo, hi):
    return min(max(v, lo), hi)


def requantize(acc, zp_in, ms, zp_out, qmin, qmax):
    return sat(apply_scale(acc - zp_in, ms) + zp_out, qmin, qmax)


def add_rescale(sa, sb, so):
    mid = math.ldexp(max(sa, sb), -20)
    return multiplier(sa / mid), multiplier(sb / mid), multiplier(mid / so)


class Q:
    """A quantized type: storage range, per-tensor or per-axis params."""

    def __init__(self, bits, signed, scales, zps, axis=-1, narrow=False):
        self.bits, self.signed = bits, signed
        self.scales = scales if isinstance(scales, list) else [scales]
        self.zps = zps if isinstance(zps, list) else [zps]
        self.axis = axis
        if signed:
            self.qmin = -(1 << (bits - 1)) + (1 if narrow else 0)
            self.qmax = (1 << (bits - 1)) - 1
        else:
            self.qmin, self.qmax = 0, (1 << bits) - 1

    def s(self, c=0):
        return self.scales[c if self.axis >= 0 else 0]

    def z(self, c=0):
        return self.zps[c if self.axis >= 0 else 0]

    def dtype(self):
        import numpy as np
        if self.bits <= 8:
            return np.int8 if self.signed else np.uint8
        if self.bits <= 16:
            return np.int16 if self.signed else np.uint16
        return np.int32
