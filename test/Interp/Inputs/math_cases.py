#!/usr/bin/python3
"""Cases for test/Interp/math-ops.mlir: the math functions, reductions and
layer norm (MoteMathOps.td), float and quantized, with independent
references. Same command line as cases.py (gen/check CASE DIR)."""
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cases  # noqa: E402
import qref  # noqa: E402
from cases import case, f32, ints, qmap  # noqa: E402
from qref import Q  # noqa: E402

erf = np.vectorize(math.erf)


@case("math")
def math_float(inp):
    if inp is None:
        return [f32(2, 3, 4, lo=0.1, hi=3.0), f32(2, 3, 4)]
    p, x = inp
    p64, x64 = p.astype(np.float64), x.astype(np.float64)
    return [np.sqrt(p64), 1 / p64, np.log(p64), erf(x64), p64 ** 1.5,
            x64 / (1 + np.exp(-x64)), 0.5 * x64 * (1 + erf(x64 / math.sqrt(2)))]


@case("reduce")
def reduce_float(inp):
    if inp is None:
        return [f32(2, 3, 4, 5)]
    x = inp[0].astype(np.float64)
    return [x.sum(axis=(1, 3), keepdims=True), x.mean(axis=2),
            x.max(axis=(0, 1, 2, 3), keepdims=True), x.min(axis=3)]


@case("layer_norm")
def layer_norm(inp):
    if inp is None:
        return [f32(2, 3, 8), f32(8), f32(3, 8)]
    x, g, b = (a.astype(np.float64) for a in inp)
    m = x.mean(axis=2, keepdims=True)
    v = ((x - m) ** 2).mean(axis=2, keepdims=True)
    m2 = x.mean(axis=(1, 2), keepdims=True)
    v2 = ((x - m2) ** 2).mean(axis=(1, 2), keepdims=True)
    return [(x - m) / np.sqrt(v + 1e-5) * g,
            (x - m2) / np.sqrt(v2 + 0.25) * b]


def qreduce_sum(x, axes, keep, qi, qo, mean):
    """Σ (q − zp_in) rescaled by s_in / (s_out · count) (count 1 for a sum),
    one rounding (half up), saturated."""
    count = int(np.prod([x.shape[a] for a in axes]))
    ms = qref.multiplier(qi.s() / (qo.s() * (count if mean else 1)))
    acc = (x.astype(np.int64) - qi.z()).sum(axis=tuple(axes), keepdims=keep)
    out = np.array([qref.sat(qref.apply_scale(int(v), ms) + qo.z(), qo.qmin,
                             qo.qmax) for v in acc.flat], dtype=qo.dtype())
    return out.reshape(acc.shape)


@case("qreduce", exact=True)
def qreduce(inp):
    qi, qm, qs = Q(8, True, 0.1, -3), Q(8, True, 0.1, 4), Q(8, False, 0.4, 0)
    if inp is None:
        return [ints(qi, 2, 3, 4)]
    x = inp[0]
    # The mean of 2 at equal scales hits ties (odd sums) on half the
    # elements: they round half up.
    return [qreduce_sum(x, [1, 2], True, qi, qm, True),
            qreduce_sum(x, [0], False, qi, qm, True),
            qreduce_sum(x, [2], False, qi, qs, False),
            x.max(axis=(0, 2), keepdims=True), x.min(axis=1)]


@case("qmath", exact=True)
def qmath(inp):
    qi, qo, qu = Q(8, True, 0.05, -10), Q(8, True, 0.03, 5), Q(8, False, 0.02, 0)
    if inp is None:
        return [np.arange(-128, 128, dtype=np.int64).reshape(16, 16).astype(np.int8)]
    x = inp[0]
    # The same double expressions as mote/Interp/RealFunctions.h.
    return [qmap(lambda v: 0.5 * v * (1.0 + math.erf(v * 0.70710678118654752440)),
                 qi, qo, x),
            qmap(lambda v: v / (1.0 + math.exp(-v)), qi, qo, x),
            qmap(lambda v: math.sqrt(v) if v >= 0 else math.nan, qi, qu, x),
            qmap(lambda v: math.pow(v, 3.0), qi, qo, x),
            qmap(math.erf, qi, qo, x)]


if __name__ == "__main__":
    sys.exit(cases.main())
