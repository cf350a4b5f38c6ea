#!/usr/bin/python3
"""Inputs and independent references for test/Interp/*.mlir.

  cases.py gen CASE DIR    writes DIR/CASE.npz (members input_0, input_1, ...)
  cases.py check CASE DIR  compares DIR/CASE/output_N.npy with the reference

Float cases compare with a tolerance; quantized ones must match exactly,
dtype included. The quantized references use qref.py (Python integers).
"""
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qref  # noqa: E402
import ref  # noqa: E402
from qref import Q  # noqa: E402

rng = np.random.default_rng(1234)


def f32(*shape, lo=-2.0, hi=2.0):
    return rng.uniform(lo, hi, size=shape).astype(np.float32)


def ints(q, *shape):
    return rng.integers(q.qmin, q.qmax + 1, size=shape).astype(q.dtype())


CASES = {}


def case(name, exact=False):
    def register(fn):
        CASES[name] = (fn, exact)
        return fn
    return register


# Each case is a function(inputs or None) -> inputs (gen) / outputs (check).

@case("conv")
def conv(inp):
    if inp is None:
        return [f32(1, 6, 7, 4), f32(6, 3, 3, 2), f32(6)]
    x, w, b = [a.astype(np.float64) for a in inp]
    return [ref.conv_acc(x, w, (2, 1), (1, 2), (1, 2, 0, 3), 2) + b]


@case("dwconv")
def dwconv(inp):
    if inp is None:
        return [f32(2, 5, 5, 3), f32(3, 3, 3, 1)]
    x, w = [a.astype(np.float64) for a in inp]
    return [ref.conv_acc(x, w, (1, 1), (1, 1), (1, 1, 1, 1), 3)]


@case("matmul")
def matmul(inp):
    if inp is None:
        return [f32(2, 1, 3, 4), f32(3, 4, 5)]
    a, b = [x.astype(np.float64) for x in inp]
    return [np.matmul(a, b)]


@case("fc")
def fc(inp):
    if inp is None:
        return [f32(3, 4)]
    w = np.array([[1.0, 2.0, 3.0, 4.0], [-1.0, 0.5, 0.0, 2.0]])
    return [inp[0].astype(np.float64) @ w.T + np.array([0.5, -1.0])]


@case("binary")
def binary(inp):
    if inp is None:
        b = f32(3, 1, lo=0.5, hi=2.0)
        b[1, 0] = -b[1, 0]
        return [f32(2, 3, 4), b]
    a, b = [x.astype(np.float64) for x in inp]
    return [a + b, b - a, a * b, a / b, np.maximum(a, b), np.minimum(a, b)]


@case("unary")
def unary(inp):
    if inp is None:
        return [f32(2, 3, 5, lo=-8, hi=8), f32(5, lo=0, hi=0.5)]
    x, s = [a.astype(np.float64) for a in inp]
    return [ref.sigmoid(x), np.tanh(x),
            ref.hard_sigmoid(x, float(np.float32(0.2)), float(np.float32(0.5))),
            ref.hard_swish(x), ref.leaky_relu(x, float(np.float32(0.1))),
            np.exp(x), np.clip(x, 0, 6), ref.softmax(x, 1),
            np.where(x < 0, s * x, x)]


SELU_ALPHA = float(np.float32(1.67326319217681884765625))
SELU_GAMMA = float(np.float32(1.05070102214813232421875))


@case("activations")
def activations(inp):
    if inp is None:
        x = f32(2, 4, 6, lo=-8, hi=8)
        # Extremes: softplus must not overflow, log_softmax must not turn a
        # 200-wide row into -inf.
        x[0, 0, :4] = [100.0, -100.0, 60.0, -60.0]
        x[1, 3, :2] = [1e-7, -1e-7]
        return [x]
    x = inp[0].astype(np.float64)
    m = x.max(axis=2, keepdims=True)
    lsm = x - m - np.log(np.exp(x - m).sum(axis=2, keepdims=True))
    m0 = x.max(axis=0, keepdims=True)
    lsm0 = x - m0 - np.log(np.exp(x - m0).sum(axis=0, keepdims=True))
    return [np.where(x < 0, 0.5 * np.expm1(x), x),
            SELU_GAMMA * np.where(x <= 0, SELU_ALPHA * np.expm1(x), x),
            np.logaddexp(0.0, x), lsm, lsm0]


@case("pools")
def pools(inp):
    if inp is None:
        return [f32(1, 7, 7, 2)]
    x = inp[0].astype(np.float64)
    return [ref.max_pool(x, (3, 3), (2, 2), (1, 1), (1, 1, 1, 1), True, -np.inf),
            ref.avg_pool_float(x, (3, 3), (2, 2), (1, 0, 1, 0), True, True),
            ref.avg_pool_float(x, (2, 2), (2, 2), (0, 0, 0, 0), False, False),
            ref.max_pool(x, (2, 2), (1, 1), (2, 2), (0, 0, 0, 0), False, -np.inf),
            ref.avg_pool_float(x, (3, 3), (2, 2), (1, 1, 1, 1), False, False)]


@case("data")
def data(inp):
    if inp is None:
        return [f32(1, 2, 3, 4), f32(1, 2, 3, 2)]
    x, y = inp
    return [np.concatenate([x, y], axis=3), x.reshape(2, 12),
            x.transpose(0, 3, 1, 2),
            np.pad(x, [(0, 0), (1, 0), (0, 2), (1, 1)], constant_values=1.5)]


#===------------------------------------------------------------------===#
# Quantized
#===------------------------------------------------------------------===#

def qmap(fn, q_in, q_out, x):
    """quantize(fn(dequantize(x))) elementwise, in double."""
    return np.array([qref.quantize(fn(qref.dequantize(int(v), q_in.s(), q_in.z())),
                                   q_out.s(), q_out.z(), q_out.qmin, q_out.qmax)
                     for v in x.flat], dtype=q_out.dtype()).reshape(x.shape)


@case("qconvert", exact=True)
def qconvert(inp):
    qd = Q(8, True, [0.5, 0.25, 1.0], [1, -2, 0], axis=1)
    qr = Q(16, True, [0.25, 0.125], [3, 0], axis=1)
    if inp is None:
        # Ties at k + 0.5 for scale 0.5, saturation, negatives.
        x = np.array([[0.25, 0.75, -0.25, -0.75, 1.25, 1.75, 100.0, -100.0],
                      [63.25, -64.25, 0.0, 2.25, -2.25, 0.1, -0.3, 3.75]],
                     dtype=np.float32)
        y = np.array([[0.25, 0.125, 0.5], [-0.75, -0.375, 127.6]], dtype=np.float32)
        d = ints(qd, 2, 3)
        # (q - zp) * ratio: -1.5 -> -1, 0.5 -> 1, saturation, -1.5 -> -1.
        r = np.array([[0, 2], [1000, -6]], dtype=np.int16)
        return [x, y, d, r]
    x, y, d, r = inp
    q0 = Q(8, True, 0.5, -1)
    o0 = np.array([qref.quantize(v, 0.5, -1, -128, 127) for v in x.flat],
                  dtype=np.int8).reshape(x.shape)
    o1 = np.array([[qref.quantize(y[i, c], qd.s(c), qd.z(c), -128, 127)
                    for c in range(3)] for i in range(2)], dtype=np.int8)
    o2 = np.array([[qref.dequantize(int(d[i, c]), qd.s(c), qd.z(c))
                    for c in range(3)] for i in range(2)], dtype=np.float32)
    o3 = np.array([[qref.requantize(int(r[i, c]), qr.z(c),
                                    qref.multiplier(qr.s(c) / 0.5), -2, -128, 127)
                    for c in range(2)] for i in range(2)], dtype=np.int8)
    del q0
    return [o0, o1, o2, o3]


def qproduct(acc, bias, sx, sw, qo, raw):
    """Finishes int64 accumulators [..., O] per output channel."""
    out = np.zeros(acc.shape, dtype=qo.dtype())
    o = acc.shape[-1]
    flat, res = acc.reshape(-1, o), out.reshape(-1, o)
    for r in range(flat.shape[0]):
        for c in range(o):
            a = int(flat[r, c]) + (int(bias[c]) if bias is not None else 0)
            if raw:
                res[r, c] = qref.sat(a, qo.qmin, qo.qmax)
            else:
                res[r, c] = qref.requantize(a, 0, qref.multiplier(sx * sw[c] / qo.s()),
                                            qo.z(), qo.qmin, qo.qmax)
    return out


@case("qconv", exact=True)
def qconv(inp):
    qx = Q(8, True, 0.05, -3)
    qw = Q(8, True, [0.01, 0.02, 0.015, 0.03], [0] * 4, axis=0, narrow=True)
    qb = Q(32, True, [0.0005, 0.001, 0.00075, 0.0015], [0] * 4, axis=0)
    qo = Q(8, True, 0.1, 5)
    qacc = Q(32, True, qb.scales, [0] * 4, axis=3)
    if inp is None:
        w = ints(qw, 4, 3, 3, 2)
        w[0, 0, 0, 0] = 127
        w[1, 1, 1, 1] = -127
        return [ints(qx, 1, 5, 6, 4), w,
                rng.integers(-3000, 3000, size=4).astype(np.int32)]
    x, w, b = inp
    xs = x.astype(np.int64) - qx.z()
    acc = ref.conv_acc(xs, w.astype(np.int64), (1, 2), (2, 1), (2, 1, 1, 1), 2)
    return [qproduct(acc, b, qx.s(), qw.scales, qo, False),
            qproduct(acc, None, qx.s(), qw.scales, qacc, True)]


@case("qdwconv", exact=True)
def qdwconv(inp):
    qx = Q(8, False, 0.02, 128)
    qo = Q(8, False, 0.05, 100)
    w = np.array([[[[127], [-127], [5]], [[3], [0], [-7]], [[100], [50], [-50]]],
                  [[[1], [2], [3]], [[-4], [-5], [-6]], [[7], [8], [9]]],
                  [[[-127], [127], [-1]], [[64], [-64], [32]], [[0], [1], [-1]]]],
                 dtype=np.int64)
    if inp is None:
        return [ints(qx, 1, 4, 4, 3)]
    xs = inp[0].astype(np.int64) - qx.z()
    acc = ref.conv_acc(xs, w, (1, 1), (1, 1), (1, 1, 1, 1), 3)
    return [qproduct(acc, None, qx.s(), [0.1, 0.05, 0.2], qo, False)]


@case("qmatmul", exact=True)
def qmatmul(inp):
    qa = Q(8, True, 0.1, 2)
    sb = [0.1, 0.2, 0.05, 0.1, 0.25]
    qb = Q(8, True, sb, [0] * 5, axis=1)
    if inp is None:
        return [ints(qa, 2, 3, 4), ints(qb, 4, 5)]
    a, b = inp
    acc = np.matmul(a.astype(np.int64) - qa.z(), b.astype(np.int64))
    return [qproduct(acc, None, 0.1, sb, Q(8, True, 0.2, -1), False),
            qproduct(acc, None, 0.1, sb,
                     Q(32, True, [0.1 * s for s in sb], [0] * 5, axis=2), True)]


@case("qfc", exact=True)
def qfc(inp):
    qx = Q(8, False, 0.03, 10)
    sw = [0.01, 0.02, 0.04]
    qw = Q(8, True, sw, [0] * 3, axis=0, narrow=True)
    if inp is None:
        # Float data: the boundary quantizes it (ties at k + 0.5 included).
        x = f32(2, 6, lo=-0.5, hi=7.0)
        x[0, 0] = np.float32(0.045)   # 1.5 -> 2
        x[0, 1] = np.float32(100.0)   # saturates to 255
        return [x, ints(qw, 3, 6), rng.integers(-500, 500, size=3).astype(np.int32)]
    x, w, b = inp
    xq = np.array([qref.quantize(v, 0.03, 10, 0, 255) for v in x.flat],
                  dtype=np.int64).reshape(x.shape)
    acc = (xq - 10) @ w.astype(np.int64).T
    return [qproduct(acc, b, 0.03, sw, Q(16, True, 0.001, 0), False)]


@case("qbinary", exact=True)
def qbinary(inp):
    qa, qb = Q(8, True, 0.1, -5), Q(8, True, 0.25, 3)
    qs, qm = Q(8, True, 0.2, 1), Q(8, True, 0.5, 0)
    if inp is None:
        a = ints(qa, 2, 3, 4)
        a[0, 0, :] = [127, -128, 127, -128]  # saturating sums
        return [a, ints(qb, 4)]
    a, b = inp
    lhs, rhs, out = qref.add_rescale(0.1, 0.25, 0.2)
    mul = qref.multiplier(0.1 * 0.25 / 0.5)
    res = [np.zeros(a.shape, np.int8) for _ in range(5)]
    for idx in np.ndindex(a.shape):
        av = qref.apply_scale(int(a[idx]) - qa.z(), lhs)
        bv = qref.apply_scale(int(b[idx[-1]]) - qb.z(), rhs)
        for k, v in enumerate([av + bv, bv - av, max(av, bv), min(av, bv)]):
            res[k][idx] = qref.sat(qref.apply_scale(v, out) + qs.z(), -128, 127)
        p = (int(a[idx]) - qa.z()) * (int(b[idx[-1]]) - qb.z())
        res[4][idx] = qref.sat(qref.apply_scale(p, mul) + qm.z(), -128, 127)
    # sub is b - a: swap the rescaling roles.
    lhs2, rhs2, out2 = qref.add_rescale(0.25, 0.1, 0.2)
    for idx in np.ndindex(a.shape):
        bv = qref.apply_scale(int(b[idx[-1]]) - qb.z(), lhs2)
        av = qref.apply_scale(int(a[idx]) - qa.z(), rhs2)
        res[1][idx] = qref.sat(qref.apply_scale(bv - av, out2) + qs.z(), -128, 127)
    return res


@case("qunary", exact=True)
def qunary(inp):
    qu = Q(8, True, 0.05, -10)
    qp, qt, qe = Q(8, False, 1 / 256, 0), Q(8, True, 1 / 128, 0), Q(8, False, 0.1, 0)
    qsl = Q(8, True, 0.01, 0)
    if inp is None:
        x = np.arange(-128, -64, dtype=np.int64).reshape(4, 16) * 4 % 256 - 128
        return [x.astype(np.int8), ints(qsl, 16)]
    x, s = inp
    a2, b5, a1 = (float(np.float32(v)) for v in (0.2, 0.5, 0.1))
    outs = [qmap(lambda v: 1 / (1 + math.exp(-v)), qu, qp, x),
            qmap(math.tanh, qu, qt, x),
            qmap(lambda v: min(max(a2 * v + b5, 0.0), 1.0), qu, qp, x),
            qmap(lambda v: v * min(max(v / 6 + 0.5, 0.0), 1.0), qu, qu, x),
            qmap(lambda v: a1 * v if v < 0 else v, qu, qu, x),
            qmap(math.exp, qu, qe, x)]
    sm = np.zeros(x.shape, np.uint8)
    for r in range(4):
        v = [qref.dequantize(int(q), 0.05, -10) for q in x[r]]
        m = max(v)
        e = [math.exp(t - m) for t in v]
        tot = sum(e)
        sm[r] = [qref.quantize(t / tot, 1 / 256, 0, 0, 255) for t in e]
    outs.append(sm)
    lo = qref.quantize(-1.0, 0.05, -10, -128, 127)
    hi = qref.quantize(2.5, 0.05, -10, -128, 127)
    outs.append(np.clip(x, lo, hi).astype(np.int8))
    pr = np.zeros(x.shape, np.int8)
    for idx in np.ndindex(x.shape):
        v = qref.dequantize(int(x[idx]), 0.05, -10)
        sl = qref.dequantize(int(s[idx[-1]]), 0.01, 0)
        pr[idx] = qref.quantize(sl * v if v < 0 else v, 0.05, -10, -128, 127)
    outs.append(pr)
    return outs


@case("qactivations", exact=True)
def qactivations(inp):
    qu = Q(8, True, 0.05, -10)
    qs, qe, ql = Q(8, True, 0.0625, 0), Q(8, False, 0.1, 0), Q(8, True, 0.0625, 127)
    if inp is None:
        # Every int8 value once, shuffled: each row has its own wide spread
        # for log_softmax.
        return [rng.permutation(np.arange(-128, 128)).reshape(16, 16).astype(np.int8)]
    x = inp[0]
    # The same double expressions as mote/Interp/RealFunctions.h.
    outs = [qmap(lambda v: 0.5 * math.expm1(v) if v < 0 else v, qu, qu, x),
            qmap(lambda v: SELU_GAMMA * (SELU_ALPHA * math.expm1(v) if v <= 0 else v),
                 qu, qs, x),
            qmap(lambda v: v if v > 40 else math.log1p(math.exp(v)), qu, qe, x)]
    lsm = np.zeros(x.shape, np.int8)
    for r in range(x.shape[0]):
        v = [qref.dequantize(int(q), 0.05, -10) for q in x[r]]
        m = max(v)
        tot = 0.0
        for t in v:
            tot += math.exp(t - m)
        ls = math.log(tot)
        lsm[r] = [qref.quantize(t - m - ls, 0.0625, 127, -128, 127) for t in v]
    outs.append(lsm)
    return outs


def qavg(x, k, s, pad, include, ceil, qi, qo):
    n, h, w, c = x.shape
    res = None
    for y, xo, oh, ow, valid, padded in ref.pool_windows(h, w, k, s, (1, 1), pad, ceil):
        if res is None:
            res = np.zeros((n, oh, ow, c), dtype=qo.dtype())
        count = padded if include else len(valid)
        ms = qref.multiplier(qi.s() / (qo.s() * count))
        for b in range(n):
            for ch in range(c):
                tot = sum(int(x[b, ih, iw, ch]) - qi.z() for ih, iw in valid)
                res[b, y, xo, ch] = qref.sat(qref.apply_scale(tot, ms) + qo.z(),
                                             qo.qmin, qo.qmax)
    return res


@case("qpools", exact=True)
def qpools(inp):
    qi, qa = Q(8, True, 0.1, -3), Q(8, True, 0.05, 2)
    if inp is None:
        return [ints(qi, 1, 7, 7, 2)]
    x = inp[0]
    return [ref.max_pool(x, (3, 3), (2, 2), (1, 1), (1, 1, 1, 1), True, -128),
            qavg(x, (3, 3), (2, 2), (1, 0, 1, 0), True, True, qi, qa),
            qavg(x, (3, 3), (2, 2), (1, 1, 1, 1), False, False, qi, qa),
            qavg(x, (2, 2), (2, 2), (0, 0, 0, 0), False, False, qi, qi)]


@case("qdata", exact=True)
def qdata(inp):
    qc, qc2, q4 = Q(8, True, 0.1, 0), Q(8, True, 0.2, 5), Q(4, True, 0.5, 0)
    if inp is None:
        return [ints(qc, 1, 2, 2, 3), ints(qc2, 1, 2, 2, 2),
                np.arange(-8, 8, dtype=np.int8).reshape(2, 8)]
    a, b, l = inp
    ms = qref.multiplier(0.2 / 0.1)
    b2 = np.array([qref.requantize(int(v), 5, ms, 0, -128, 127) for v in b.flat],
                  dtype=np.int8).reshape(b.shape)
    table = [-8, -7, -6, -5, -40, 30, 20, 10, 0, 1, 2, 3, 127, -128, 5, 6]
    return [np.concatenate([a, b2], axis=3),
            np.pad(b, [(0, 0), (1, 0), (1, 1), (0, 1)], constant_values=5),
            np.pad(b, [(0, 0), (0, 0), (0, 1), (0, 0)],
                   constant_values=qref.quantize(1.0, 0.2, 5, -128, 127)),
            b.reshape(4, 2), b.transpose(1, 2, 0, 3),
            np.array([table[int(v) + 8] for v in l.flat], np.int8).reshape(l.shape)]


# Results named by a mote.name result attribute.
NAMES = {"fc": {0: "logits"}}


def main():
    mode, name, root = sys.argv[1:4]
    fn, exact = CASES[name]
    path = os.path.join(root, name + ".npz")
    if mode == "gen":
        arrays = {"input_%d" % i: a for i, a in enumerate(fn(None))}
        # Alternate stored and deflated archives.
        save = np.savez_compressed if len(name) % 2 else np.savez
        save(path, **arrays)
        return 0
    with np.load(path) as archive:
        inputs = [archive["input_%d" % i] for i in range(len(archive.files))]
    expected = fn(inputs)
    failures = 0
    for i, want in enumerate(expected):
        fname = NAMES.get(name, {}).get(i, "output_%d" % i)
        got = np.load(os.path.join(root, name, fname + ".npy"))
        if got.shape != want.shape:
            print("%s output_%d: shape %s, expected %s" % (name, i, got.shape, want.shape))
            failures += 1
            continue
        if exact:
            if got.dtype != want.dtype or not np.array_equal(got, want):
                bad = np.argwhere(got != want)
                print("%s output_%d: dtype %s/%s, %d mismatches, first at %s: got %s want %s"
                      % (name, i, got.dtype, want.dtype, len(bad),
                         bad[0] if len(bad) else None,
                         got[tuple(bad[0])] if len(bad) else None,
                         want[tuple(bad[0])] if len(bad) else None))
                failures += 1
        else:
            if got.dtype != np.float32 or not np.allclose(got, want, rtol=1e-5, atol=1e-5):
                print("%s output_%d: max abs error %g" % (name, i, np.max(np.abs(got - want))))
                failures += 1
    if failures:
        return 1
    print("%s: %d outputs match" % (name, len(expected)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
