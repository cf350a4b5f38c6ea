#===- python/mote/qat.py - The chip's integer network as a torch module ----===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
#===----------------------------------------------------------------------===#
"""QuantGraph: a trainable torch module built from Mote's quantized IR
(qir.Module), whose forward pass computes exactly what the chip computes.

Why it is built from the IR: batch norm is already folded the way the
compiler folds it, ReLU/ReLU6 are already absorbed into the storage types
(unsigned storage, clamped requantization), the weight layout (OHWI), the
padding with the zero point, the requantization ratios and the residual
add's 20-bit-headroom rescale are the compiler's. Training the IR's own
values means nothing can drift between "fake quant" and the deployed model.

Every tensor between ops is held as its storage integers (float32 tensors
with integral values, so that autograd can pass through them; products
whose partial sums could reach 2^24 run in float64). Per op:

  float path  the same op in real arithmetic on those integers (LSQ-style:
              x/s rounded with a straight-through estimator, clamped to the
              storage range), differentiable in the weights and every scale;
  int path    int64 accumulation (exact: float64 convolution of integers
              below 2^53, checked below 2^31) and requantization with
              numerics.apply_scale, i.e. Mote's (M, S) and single rounding;
  output      y = y_float + (y_int − y_float).detach(): the values are the
              chip's, the gradients the float path's.

Learned parameters, within the chip's constraints: latent float weights
and per-output-channel weight scales (weights stay symmetric, narrow range,
zp 0), latent float biases (quantized to int32 at s_x·s_w), one scale per
activation tensor (zero points and storage types stay those of Mote's PTQ;
values joined by max_pool2d / transpose / reshape share one scale, as the
IR requires). Scales are used rounded to float32, the type of an ONNX
scale, so that the IR written back and the exported ONNX model carry
exactly the scales the emulation used.
"""

import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from . import numerics as nm
from .qir import IRError

_INT32_MIN, _INT32_MAX = -(1 << 31), (1 << 31) - 1


def round_ste(x):
    """Round half to even forward, identity backward."""
    return x + (torch.round(x) - x).detach()


def _nchw(x):
    return x.permute(0, 3, 1, 2)


def _nhwc(x):
    return x.permute(0, 2, 3, 1)


class QuantGraph(nn.Module):
    """The quantized function of a qir.Module as a trainable module.

    forward(x, exact=True) takes the float input in the model's own layout
    and returns the dequantized float64 logits; `last_ints` then holds the
    output's storage integers (int64)."""

    def __init__(self, module):
        super().__init__()
        self.ir = module
        if len(module.args) != 1 or len(module.results) != 1:
            raise IRError("distillation handles one input and one output; "
                          f"the model has {len(module.args)} and "
                          f"{len(module.results)}")
        self.group = {}        # SSA value -> activation scale group index
        self.group_q = []      # group -> QType (zps, range)
        log_scales = []
        self.weights = nn.ParameterDict()
        self.weight_log_scales = nn.ParameterDict()
        self.biases = nn.ParameterDict()
        self.consts = {}
        types = module.types

        def new_group(value):
            q = types[value].quant
            if q.axis is not None:
                raise IRError(f"{value}: per-axis activations are not "
                              "supported")
            self.group[value] = len(self.group_q)
            self.group_q.append(q)
            log_scales.append(math.log(q.scales[0]))

        def key(v):
            return v.lstrip("%")

        for op in module.ops:
            if op.name == "constant":
                self.consts[op.result] = op
                continue
            if op.name in ("max_pool2d", "transpose", "reshape"):
                src = op.operands[0]
                if types[src].quant is None or types[op.result].quant is None \
                        or types[src].quant.text() != \
                        types[op.result].quant.text():
                    raise IRError(f"{op.result} (mote.{op.name}) changes the "
                                  "element type")
                self.group[op.result] = self.group[src]
                continue
            if op.name == "dequantize":
                continue
            new_group(op.result)
            if op.name in ("conv2d", "fully_connected"):
                w, b = op.operands[1], op.operands[2] if len(op.operands) > 2 \
                    else None
                wop = self.consts.get(w)
                if wop is None:
                    raise IRError(f"{op.result}: weights are not a constant")
                wq = types[w].quant
                if wq.axis != 0 or any(z != 0 for z in wq.zps):
                    raise IRError(f"{w}: weights must be per output channel "
                                  "with zero point 0")
                sw = np.asarray(wq.scales, np.float64)
                shape = [-1] + [1] * (wop.data.ndim - 1)
                self.weights[key(w)] = nn.Parameter(torch.from_numpy(
                    wop.data.astype(np.float64) * sw.reshape(shape)))
                self.weight_log_scales[key(w)] = nn.Parameter(
                    torch.from_numpy(np.log(sw)))
                if b is not None:
                    bq = types[b].quant
                    bs = np.asarray(bq.scales, np.float64)
                    self.biases[key(b)] = nn.Parameter(torch.from_numpy(
                        self.consts[b].data.astype(np.float64) * bs))
        # float32 is exact for a product whose every partial sum stays
        # below 2^24 (K·max|x − zp|·max|w|); others run in float64.
        self.exact32 = {}
        for op in module.ops:
            if op.name in ("conv2d", "fully_connected"):
                xq, wq = types[op.operands[0]].quant, types[op.operands[1]].quant
                wshape = types[op.operands[1]].shape
                k = int(np.prod(wshape[1:]))
                xmax = max(xq.qmax - xq.zps[0], xq.zps[0] - xq.qmin)
                self.exact32[op.result] = k * xmax * wq.qmax < (1 << 24)
            elif op.name == "avg_pool2d":
                xq = types[op.operands[0]].quant
                kk = op.attr_ints("kernel")
                xmax = max(xq.qmax - xq.zps[0], xq.zps[0] - xq.qmin)
                self.exact32[op.result] = kk[0] * kk[1] * xmax < (1 << 24)
        self.log_scales = nn.Parameter(torch.tensor(log_scales,
                                                    dtype=torch.float64))
        self.last_ints = None
        self._key = key

    # --- scales ---------------------------------------------------------

    def _act_scales(self):
        """(tensor of scales with 7-digit values, list of Python floats)."""
        s = torch.exp(self.log_scales)
        s7 = [nm.scale_value(v) for v in s.detach().tolist()]
        t7 = torch.tensor(s7, dtype=torch.float64)
        return s + (t7 - s).detach(), s7

    def _weight(self, name, qtype):
        k = self._key(name)
        s = torch.exp(self.weight_log_scales[k])
        s7 = [nm.scale_value(v) for v in s.detach().tolist()]
        s_used = s + (torch.tensor(s7, dtype=torch.float64) - s).detach()
        w = self.weights[k]
        shape = [-1] + [1] * (w.dim() - 1)
        q = torch.clamp(round_ste(w / s_used.view(shape)), qtype.qmin,
                        qtype.qmax)
        return q, s_used, s7

    # --- the shared requantization of products and pools ----------------

    def _finish(self, acc, ratio_t, ratios, q, exact, where, acc_int=None):
        """acc: the [..., C] (channel last) accumulator, integral unless
        acc_int (int64, exact) is given; ratio_t: its real multiplier
        (tensor, per channel or scalar). Returns float32 storage values."""
        zp, lo, hi = q.zps[0], q.qmin, q.qmax
        y = torch.clamp(round_ste(acc * ratio_t.to(acc.dtype) + zp), lo,
                        hi).float()
        if not exact or not torch.isfinite(acc.detach()).all():
            return y  # NaN/inf stays visible (distill stops on the loss)
        a = acc_int if acc_int is not None else \
            torch.round(acc.detach()).long()
        if a.abs().max().item() >= 2 ** 31:
            raise OverflowError(f"{where}: accumulator exceeds int32")
        try:
            mult, shift = nm.multipliers(ratios)
        except ValueError as e:
            raise IRError(f"{where}: {e}") from None
        r = nm.apply_scale_t(a, torch.from_numpy(mult),
                             torch.from_numpy(shift))
        r = torch.clamp(r + zp, lo, hi).float()
        return y + (r - y).detach()

    # --- forward ----------------------------------------------------------

    def forward(self, x, exact=True):
        types = self.ir.types
        s_t, s7 = self._act_scales()
        env = {}
        arg = self.ir.args[0]
        out = None
        for op in self.ir.ops:
            n = op.name
            if n == "constant":
                continue
            if n == "quantize":
                g = self.group[op.result]
                q = self.group_q[g]
                xd = x.float() if op.operands[0] == arg else env[op.operands[0]]
                y = torch.clamp(round_ste(xd / s_t[g].float()) + q.zps[0],
                                q.qmin, q.qmax)
                if exact and torch.isfinite(xd.detach()).all():
                    # the same IEEE division as numerics::quantize
                    r = torch.clamp(torch.round(xd.detach().double() / s7[g])
                                    + q.zps[0], q.qmin, q.qmax).float()
                    y = y + (r - y).detach()
                env[op.result] = y
            elif n == "dequantize":
                src = op.operands[0]
                g = self.group[src]
                q = self.group_q[g]
                self.last_ints = env[src].detach().round().long()
                env[op.result] = s_t[g] * (env[src].double() - q.zps[0])
                out = env[op.result]
            elif n in ("transpose",):
                env[op.result] = env[op.operands[0]].permute(
                    op.attr_ints("perms"))
            elif n == "reshape":
                shape = types[op.result].shape
                env[op.result] = env[op.operands[0]].reshape(
                    (-1,) + tuple(shape[1:]))
            elif n == "max_pool2d":
                env[op.result] = self._max_pool(op, env)
            elif n == "avg_pool2d":
                env[op.result] = self._avg_pool(op, env, s_t, s7, exact)
            elif n in ("conv2d", "fully_connected"):
                env[op.result] = self._product(op, env, s_t, s7, exact)
            elif n == "add":
                env[op.result] = self._add(op, env, s_t, s7, exact)
            else:
                raise IRError(f"mote.{n} is not supported")
        if self.ir.results[0] not in env:
            raise IRError("the function's result is not computed")
        return env[self.ir.results[0]] if out is None else out

    def _in(self, value, env, s_t, s7):
        g = self.group[value]
        q = self.group_q[g]
        return env[value] - q.zps[0], s_t[g], s7[g]

    def _product(self, op, env, s_t, s7, exact):
        types = self.ir.types
        xs, sx_t, sx = self._in(op.operands[0], env, s_t, s7)
        wq = types[op.operands[1]].quant
        qw, sw_t, sw = self._weight(op.operands[1], wq)
        g = self.group[op.result]
        sy_t, sy = s_t[g], s7[g]
        oq = self.group_q[g]
        dt = torch.float32 if self.exact32[op.result] else torch.float64
        xs, qw = xs.to(dt), qw.to(dt)
        if op.name == "conv2d":
            pad = op.attr_ints("pad") or [0, 0, 0, 0]
            strides = op.attr_ints("strides") or [1, 1]
            dil = op.attr_ints("dilations") or [1, 1]
            groups = op.attr_int("groups", 1)
            xin = F.pad(_nchw(xs), (pad[2], pad[3], pad[0], pad[1]))
            acc = F.conv2d(xin, qw.permute(0, 3, 1, 2), None, strides, 0,
                           dil, groups)
            acc = _nhwc(acc)
        else:
            acc = xs.reshape(xs.shape[0], -1) @ qw.t()
        if len(op.operands) > 2:
            k = self._key(op.operands[2])
            bs_t = sx_t * sw_t
            qb = torch.clamp(round_ste(self.biases[k] / bs_t), _INT32_MIN,
                             _INT32_MAX)
            acc_int = torch.round(acc.detach()).long() + \
                qb.detach().round().long() if exact else None
            acc = acc + qb.to(dt)
        else:
            acc_int = None
        ratios = [(sx * swo) / sy for swo in sw]
        return self._finish(acc, sx_t * sw_t / sy_t, ratios, oq, exact,
                            f"{op.result} (mote.{op.name})", acc_int)

    def _max_pool(self, op, env):
        g = self.group[op.result]
        q = self.group_q[g]
        pad = op.attr_ints("pad") or [0, 0, 0, 0]
        x = F.pad(_nchw(env[op.operands[0]]), (pad[2], pad[3], pad[0], pad[1]),
                  value=float(q.qmin))
        y = F.max_pool2d(x, op.attr_ints("kernel"), op.attr_ints("strides"))
        return _nhwc(y)

    def _avg_pool(self, op, env, s_t, s7, exact):
        pad = op.attr_ints("pad") or [0, 0, 0, 0]
        if any(pad):
            raise IRError(f"{op.result}: padded avg_pool2d is not supported")
        xs, si_t, si = self._in(op.operands[0], env, s_t, s7)
        if not self.exact32[op.result]:
            xs = xs.double()
        k = op.attr_ints("kernel")
        count = k[0] * k[1]
        acc = _nhwc(F.avg_pool2d(_nchw(xs), k, op.attr_ints("strides"),
                                 divisor_override=1))
        g = self.group[op.result]
        ratio = si / (s7[g] * float(count))
        return self._finish(acc, si_t / (s_t[g] * count), [ratio],
                            self.group_q[g], exact,
                            f"{op.result} (mote.avg_pool2d)")

    def _add(self, op, env, s_t, s7, exact):
        a, sa_t, sa = self._in(op.operands[0], env, s_t, s7)
        b, sb_t, sb = self._in(op.operands[1], env, s_t, s7)
        g = self.group[op.result]
        q = self.group_q[g]
        so_t, so = s_t[g], s7[g]
        y = torch.clamp(round_ste((sa_t.float() * a + sb_t.float() * b) /
                                  so_t.float() + q.zps[0]), q.qmin, q.qmax)
        if not exact or not (torch.isfinite(a.detach()).all() and
                             torch.isfinite(b.detach()).all()):
            return y
        rs = nm.compute_add_rescale(sa, sb, so)
        if rs is None:
            raise IRError(f"{op.result} (mote.add): scales {sa}, {sb} -> {so} "
                          "have no 32-bit rescale")

        def t(m):
            return torch.tensor(m[0]), torch.tensor(m[1])
        a2 = nm.apply_scale_t(torch.round(a.detach()).long(), *t(rs[0]))
        b2 = nm.apply_scale_t(torch.round(b.detach()).long(), *t(rs[1]))
        r = nm.apply_scale_t(a2 + b2, *t(rs[2]))
        r = torch.clamp(r + q.zps[0], q.qmin, q.qmax).float()
        return y + (r - y).detach()

    # --- back to IR ---------------------------------------------------------

    def export_ir(self):
        """Writes the trained integers and scales into the IR (a new
        qir.Module text): what motec compiles."""
        import copy
        ir = copy.deepcopy(self.ir)
        _, s7 = self._act_scales()
        for v, g in self.group.items():
            t = ir.types[v].quant
            t.scales = [s7[g]]
        with torch.no_grad():
            for op in ir.ops:
                if op.name not in ("conv2d", "fully_connected"):
                    continue
                x, w = op.operands[0], op.operands[1]
                wq = ir.types[w].quant
                qw, _, sw = self._weight(w, wq)
                wop = next(o for o in ir.ops if o.result == w)
                wop.data = qw.round().long().numpy()
                wq.scales = list(sw)
                if len(op.operands) > 2:
                    b = op.operands[2]
                    sx = s7[self.group[x]]
                    bs = [sx * s for s in sw]
                    qb = torch.clamp(torch.round(
                        self.biases[self._key(b)] /
                        torch.tensor(bs, dtype=torch.float64)),
                        _INT32_MIN, _INT32_MAX)
                    bop = next(o for o in ir.ops if o.result == b)
                    bop.data = qb.long().numpy()
                    ir.types[b].quant.scales = [nm.scale_value(v) for v in bs]
        return ir
