#===- python/mote/numerics.py - Numerics.h, ported bit for bit -------------===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""A Python port of include/mote/Numerics/Numerics.h, the one definition of
Mote's integer arithmetic, for the integer-emulating forward of
mote.distill.

Why a port and not a binding: the training loop needs the requantization
vectorised over torch int64 tensors, and the package must stay pure Python
(no compiled extension to build). Every function here mirrors its C++
namesake operation by operation (same IEEE double operations in the same
order, same integer rounding), and test/python/distill-numerics.test
checks the port against the compiler on random cases, ties included.
"""

import math

import numpy as np

K_MIN_SHIFT = 1
K_MAX_SHIFT = 62
K_ADD_HEADROOM_BITS = 20


def round_half_even(x):
    """roundHalfEven: ties to even (Python's round on floats does this)."""
    return float(round(float(x)))


def round7(x):
    """Scales are rounded to 7 significant digits by the quantizer (docs/
    Quantization.md) so the printed IR reproduces every derived value."""
    return float("%.7g" % float(x))


def scale_value(x):
    """A trained scale as the chip receives it: a float32 (ONNX scales are
    float32 and Mote's importer keeps them as they are), held as a double.
    The emulation, the IR written back and the ONNX export all use it."""
    return float(np.float32(x))


def storage_min(bits, signed, narrow=False):
    if not signed:
        return 0
    return -(1 << (bits - 1)) + (1 if narrow else 0)


def storage_max(bits, signed):
    return (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1


def _llround(x):
    """std::llround: half away from zero."""
    return int(math.floor(abs(x) + 0.5)) * (1 if x >= 0 else -1)


def compute_scale_multiplier(ratio):
    """computeScaleMultiplier: ratio ≈ M·2^−S with M in [2^30, 2^31);
    None where the C++ returns std::nullopt."""
    ratio = float(ratio)
    if not (ratio > 0.0) or not math.isfinite(ratio):
        return None
    fraction, exponent = math.frexp(ratio)
    multiplier = _llround(fraction * 2147483648.0)
    if multiplier == (1 << 31):
        multiplier >>= 1
        exponent += 1
    shift = 31 - exponent
    if shift < K_MIN_SHIFT:
        return None
    if shift > K_MAX_SHIFT:
        excess = shift - K_MAX_SHIFT
        multiplier = 0 if excess >= 63 else \
            (multiplier + (1 << (excess - 1))) >> excess
        shift = K_MAX_SHIFT
    return (int(multiplier), int(shift))


def apply_scale(v, m):
    """applyScale on Python ints (exact): (v·M + 2^(S−1)) >> S, saturated to
    int64."""
    mult, shift = m
    r = (int(v) * mult + (1 << (shift - 1))) >> shift
    return max(min(r, (1 << 63) - 1), -(1 << 63))


def requantize(acc, in_zp, m, out_zp, qmin, qmax):
    return max(qmin, min(qmax, apply_scale(acc - in_zp, m) + out_zp))


def compute_add_rescale(lhs_scale, rhs_scale, out_scale):
    """computeAddRescale: (lhs, rhs, out) multipliers or None."""
    mid = math.ldexp(lhs_scale if lhs_scale > rhs_scale else rhs_scale,
                     -K_ADD_HEADROOM_BITS)
    lhs = compute_scale_multiplier(lhs_scale / mid)
    rhs = compute_scale_multiplier(rhs_scale / mid)
    out = compute_scale_multiplier(mid / out_scale)
    if lhs is None or rhs is None or out is None:
        return None
    return lhs, rhs, out


def quantize(x, scale, zero_point, qmin, qmax):
    """quantize on one double: sat(rne(x / scale) + zp), NaN → zp."""
    q = float(x) / float(scale)
    if math.isnan(q):
        return max(qmin, min(qmax, zero_point))
    if q > 4.0e18:
        return qmax
    if q < -4.0e18:
        return qmin
    return max(qmin, min(qmax, int(round_half_even(q)) + zero_point))


#===----------------------------------------------------------------------===#
# Vectorised forms (torch int64), used by the emulating forward
#===----------------------------------------------------------------------===#

def multipliers(ratios):
    """Per-channel (M, S) arrays for a list of ratios; raises ValueError
    naming the first ratio that has no 32-bit multiplier."""
    ms, ss = [], []
    for i, r in enumerate(ratios):
        m = compute_scale_multiplier(r)
        if m is None:
            raise ValueError(f"ratio {r!r} (channel {i}) has no 32-bit "
                             "multiplier")
        ms.append(m[0])
        ss.append(m[1])
    return np.asarray(ms, np.int64), np.asarray(ss, np.int64)


def apply_scale_t(v, mult, shift):
    """applyScale on an int64 torch tensor; mult/shift are int64 tensors
    broadcastable against v (per channel on the last axis). The product
    v·M is exact in int64 while |v| < 2^32 (M < 2^31); the callers check
    that bound, the C++ uses 128 bits."""
    import torch
    rnd = torch.bitwise_left_shift(torch.ones_like(shift), shift - 1)
    return torch.bitwise_right_shift(v * mult + rnd, shift)
