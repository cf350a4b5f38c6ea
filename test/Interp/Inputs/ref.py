"""Independent numpy reference implementations of mote ops (NHWC/OHWI).

Window ops are written as plain loops over the spec (docs/Interpreter.md),
parameterised by a `combine` so that the float and the integer (exact,
int64/Python int) versions share the index logic but not the arithmetic.
"""
import math
import numpy as np


def out_size(n, k, s, d, lo, hi, ceil=False):
    eff = d * (k - 1) + 1
    span = n + lo + hi - eff
    if not ceil:
        return span // s + 1
    o = -(-span // s) + 1
    if (o - 1) * s >= n + lo:
        o -= 1
    return o


def conv_acc(x, w, strides, dil, pad, groups):
    """Σ x·w over valid positions (padding contributes 0), in x's dtype
    promoted with w's (float64 or int64)."""
    n, h, wd, c = x.shape
    o, kh, kw, cg = w.shape
    og = o // groups
    oh = out_size(h, kh, strides[0], dil[0], pad[0], pad[1])
    ow = out_size(wd, kw, strides[1], dil[1], pad[2], pad[3])
    acc = np.zeros((n, oh, ow, o), dtype=np.result_type(x.dtype, w.dtype))
    for b in range(n):
        for y in range(oh):
            for xo in range(ow):
                for i in range(kh):
                    ih = y * strides[0] - pad[0] + i * dil[0]
                    if ih < 0 or ih >= h:
                        continue
                    for j in range(kw):
                        iw = xo * strides[1] - pad[2] + j * dil[1]
                        if iw < 0 or iw >= wd:
                            continue
                        for oc in range(o):
                            g = oc // og
                            acc[b, y, xo, oc] += np.dot(
                                x[b, ih, iw, g * cg:(g + 1) * cg], w[oc, i, j, :])
    return acc


def pool_windows(h, w, k, s, d, pad, ceil):
    """Yields (y, x, valid positions, count_with_pad) per output pixel."""
    oh = out_size(h, k[0], s[0], d[0], pad[0], pad[1], ceil)
    ow = out_size(w, k[1], s[1], d[1], pad[2], pad[3], ceil)
    for y in range(oh):
        for x in range(ow):
            valid, padded = [], 0
            for i in range(k[0]):
                ih = y * s[0] - pad[0] + i * d[0]
                for j in range(k[1]):
                    iw = x * s[1] - pad[2] + j * d[1]
                    inside_pad = -pad[0] <= ih < h + pad[1] and -pad[2] <= iw < w + pad[3]
                    if 0 <= ih < h and 0 <= iw < w:
                        valid.append((ih, iw))
                    if inside_pad:
                        padded += 1
            yield y, x, oh, ow, valid, padded


def max_pool(x, k, s, d, pad, ceil, lowest):
    n, h, w, c = x.shape
    res = None
    for y, xo, oh, ow, valid, _ in pool_windows(h, w, k, s, d, pad, ceil):
        if res is None:
            res = np.full((n, oh, ow, c), lowest, dtype=x.dtype)
        for ih, iw in valid:
            res[:, y, xo, :] = np.maximum(res[:, y, xo, :], x[:, ih, iw, :])
    return res


def avg_pool_float(x, k, s, pad, include, ceil):
    n, h, w, c = x.shape
    res = None
    for y, xo, oh, ow, valid, padded in pool_windows(h, w, k, s, (1, 1), pad, ceil):
        if res is None:
            res = np.zeros((n, oh, ow, c))
        count = padded if include else len(valid)
        tot = sum((x[:, ih, iw, :].astype(np.float64) for ih, iw in valid),
                  np.zeros((n, c)))
        res[:, y, xo, :] = tot / count
    return res


def softmax(x, axis):
    x = x.astype(np.float64)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def hard_sigmoid(x, alpha, beta):
    return np.clip(alpha * x + beta, 0.0, 1.0)


def hard_swish(x):
    return x * hard_sigmoid(x, 1.0 / 6.0, 0.5)


def leaky_relu(x, alpha):
    return np.where(x < 0, alpha * x, x)
