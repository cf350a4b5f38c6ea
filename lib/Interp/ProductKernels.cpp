//===- ProductKernels.cpp - conv2d, matmul, fully_connected ---------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The multiply-accumulate kernels. Float and quantized share one templated
// core: operands are first brought into an element type T (float, or the
// zero-point-shifted storage values as int32/int64) with the weights laid
// out so that the innermost loop runs over contiguous output channels
// (conv: [G][KH][KW][Cg][Og]; depthwise: [KH][KW][C]; FC/matmul: [K][N]).
// That loop has no reduction, so the compiler vectorises it without
// reassociating, and the float results do not depend on the thread count.
// Rows (batch × output height, or matrix rows) run in parallel.
//
// Quantized semantics (exact): acc = Σ (x − zp_x)(w − zp_w[o]) + bias[o];
// padding contributes nothing (it reads zp_x); a 32-bit result is the
// saturated accumulator, a narrower one numerics::requantize(acc, 0,
// M(s_x·s_w[o]/s_out), zp_out). int32 accumulation is used only when
// max|x − zp_x| · max|w − zp_w| · K < 2^31 (computed from the data);
// otherwise int64.
//
//===----------------------------------------------------------------------===//

#include "FloatConv.h"
#include "Kernels.h"

#include "Mote/MoteOps.h"
#include "mote/Numerics/Numerics.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

using namespace mlir;
using llvm::Expected;

namespace mote::interp {

namespace {

/// Zero-point-shifted storage of a quantized tensor; `channelOfElem`
/// chooses the zero point per element.
template <typename T>
std::vector<T> shifted(const Tensor &t) {
  std::vector<T> out(t.q.size());
  const QuantParams &p = *t.quant;
  if (!p.isPerAxis()) {
    int64_t zp = p.zeroPoint(0);
    for (size_t i = 0; i < out.size(); ++i)
      out[i] = static_cast<T>(int64_t(t.q[i]) - zp);
    return out;
  }
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<T>(int64_t(t.q[i]) -
                            p.zeroPoint(channelOf(p, i, t.shape)));
  return out;
}

/// max |q − zp| over a quantized tensor's elements.
int64_t maxAbsShifted(const Tensor &t) {
  const QuantParams &p = *t.quant;
  int64_t m = 0;
  for (size_t i = 0; i < t.q.size(); ++i) {
    int64_t zp = p.isPerAxis() ? p.zeroPoint(channelOf(p, i, t.shape))
                               : p.zeroPoint(0);
    m = std::max<int64_t>(m, std::llabs(int64_t(t.q[i]) - zp));
  }
  return m;
}

/// True if Σ of K products of the two tensors fits int32.
bool fitsInt32(const Tensor &x, const Tensor &w, int64_t k) {
  __int128 bound = static_cast<__int128>(maxAbsShifted(x)) * maxAbsShifted(w) *
                   std::max<int64_t>(k, 1);
  return bound < (static_cast<__int128>(1) << 31);
}

/// Per-output-channel finishing of a quantized product.
struct QuantFinisher {
  bool raw = false; ///< 32-bit result: the saturated accumulator.
  std::vector<numerics::ScaleMultiplier> multipliers;
  std::vector<int64_t> bias;
  int64_t zpOut = 0, qmin = 0, qmax = 0;

  int32_t finish(int64_t acc, int64_t o) const {
    acc += bias.empty() ? 0 : bias[o];
    if (raw)
      return static_cast<int32_t>(numerics::saturate(acc, qmin, qmax));
    return static_cast<int32_t>(numerics::requantize(
        acc, 0, multipliers[o], zpOut, qmin, qmax));
  }
};

/// Builds the finisher of a product whose weight channel o has scale
/// w.scale(o) (o over `channels`).
Expected<QuantFinisher> makeFinisher(const Tensor &x, const Tensor &w,
                                     const Tensor *bias, RankedTensorType out,
                                     int64_t channels) {
  QuantFinisher f;
  QuantParams po = *getQuantParams(out);
  f.raw = po.storageBits == 32;
  f.zpOut = po.zeroPoint(0);
  f.qmin = po.storageMin;
  f.qmax = po.storageMax;
  if (bias) {
    if (!bias->isQuantized())
      return kernelError("quantized product with a float bias");
    f.bias.assign(bias->q.begin(), bias->q.end());
  }
  if (f.raw)
    return f;
  double sx = x.quant->scale(0);
  for (int64_t o = 0; o < channels; ++o) {
    double ratio = sx * w.quant->scale(o) / po.scale(0);
    auto m = numerics::computeScaleMultiplier(ratio);
    if (!m)
      return kernelError("requantization ratio " + formatReal(ratio) +
                         " of output channel " + llvm::Twine(o) +
                         " cannot be expressed as a 32-bit multiplier");
    f.multipliers.push_back(*m);
  }
  return f;
}

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//


/// acc[n, oh, ow, o] += Σ x·w over the window for output rows
/// [begin, end) (n·oh + oh). `x` is NHWC (shifted), `wt` is
/// [G][KH][KW][Cg][Og], or [KH][KW][C] when depthwise.
template <typename T>
inline __attribute__((always_inline)) void
convRows(const ConvGeometry &g, const T *x, const T *wt, T *acc,
         int64_t begin, int64_t end) {
  bool depthwise = g.cg == 1 && g.og == 1;
  for (int64_t r = begin; r < end; ++r) {
    int64_t n = r / g.oh, oh = r % g.oh;
    for (int64_t ow = 0; ow < g.ow; ++ow) {
      T *out = acc + ((n * g.oh + oh) * g.ow + ow) * g.o;
      for (int64_t kh = 0; kh < g.kh; ++kh) {
        int64_t ih = oh * g.sh - g.pt + kh * g.dh;
        if (ih < 0 || ih >= g.h)
          continue;
        for (int64_t kw = 0; kw < g.kw; ++kw) {
          int64_t iw = ow * g.sw - g.pl + kw * g.dw;
          if (iw < 0 || iw >= g.w)
            continue;
          const T *xp = x + ((n * g.h + ih) * g.w + iw) * g.c;
          if (depthwise) {
            const T *wp = wt + (kh * g.kw + kw) * g.c;
            for (int64_t c = 0; c < g.c; ++c)
              out[c] += xp[c] * wp[c];
            continue;
          }
          for (int64_t grp = 0; grp < g.g; ++grp) {
            const T *xg = xp + grp * g.cg;
            T *og = out + grp * g.og;
            const T *wg = wt + ((grp * g.kh + kh) * g.kw + kw) * g.cg * g.og;
            for (int64_t c = 0; c < g.cg; ++c) {
              T xv = xg[c];
              const T *wc = wg + c * g.og;
              for (int64_t j = 0; j < g.og; ++j)
                og[j] += xv * wc[j];
            }
          }
        }
      }
    }
  }
}

/// convRows for the int32 accumulation of the quantized kernels (depthwise
/// convs, and hosts without AVX2), cloned for AVX-512 and AVX2: the
/// baseline x86-64 build has no 32-bit vector multiply, so the inner loops
/// would be scalar. The sums are the same integers (no overflow:
/// fitsInt32).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
void convRowsInt32(const ConvGeometry &g, const int32_t *x, const int32_t *wt,
                   int32_t *acc, int64_t begin, int64_t end) {
  convRows<int32_t>(g, x, wt, acc, begin, end);
}

/// Output columns [lo, hi) whose windows lie inside the input along w.
void interiorColumns(const ConvGeometry &g, int64_t &lo, int64_t &hi) {
  lo = std::min<int64_t>((g.pl + g.sw - 1) / g.sw, g.ow);
  int64_t last = g.w - 1 + g.pl - (g.kw - 1) * g.dw;
  hi = last < 0 ? 0 : std::min<int64_t>(g.ow, last / g.sw + 1);
  hi = std::max(hi, lo);
}

template <typename T>
void convCore(const ConvGeometry &g, const T *x, const T *wt, T *acc,
              const ExecContext &ctx) {
  int64_t cost = g.ow * g.kh * g.kw * g.cg * g.o;
  int64_t lo, hi;
  interiorColumns(g, lo, hi);
  bool depthwise = g.cg == 1 && g.og == 1;
  ctx.parallelFor(g.n * g.oh, cost, [&](int64_t begin, int64_t end) {
    if constexpr (std::is_same_v<T, int32_t>) {
#ifdef MOTE_INTERP_AVX
      // The float path's register-blocked kernel, on int32 lanes.
      static const bool avx512 = __builtin_cpu_supports("avx512f");
      static const bool avx2 = __builtin_cpu_supports("avx2");
      if (!depthwise && avx512)
        return int32ConvRowsAvx512(g, x, wt, acc, lo, hi, begin, end);
      if (!depthwise && avx2)
        return int32ConvRowsAvx2(g, x, wt, acc, lo, hi, begin, end);
#endif
      convRowsInt32(g, x, wt, acc, begin, end);
    } else {
      (void)lo, (void)hi, (void)depthwise;
      convRows<T>(g, x, wt, acc, begin, end);
    }
  });
}

/// setFloatConvLanes: 0 (the CPU's widest), 4 or 8.
std::atomic<unsigned> floatConvLanes{0};

bool useAvx() {
#ifdef MOTE_INTERP_AVX
  static const bool avx = __builtin_cpu_supports("avx");
  unsigned lanes = floatConvLanes.load(std::memory_order_relaxed);
  return lanes == 0 ? avx : lanes == 8 && avx;
#else
  return false;
#endif
}

/// convCore<float> through floatConvRows (FloatConv.cpp; depthwise convs
/// as convCore does them).
void convCoreFloat(const ConvGeometry &g, const float *x, const float *wt,
                   float *acc, const ExecContext &ctx) {
  if (g.cg == 1 && g.og == 1)
    return convCore<float>(g, x, wt, acc, ctx);
  int64_t lo, hi;
  interiorColumns(g, lo, hi);
  int64_t cost = g.ow * g.kh * g.kw * g.cg * g.o;
  ctx.parallelFor(g.n * g.oh, cost, [&](int64_t begin, int64_t end) {
#ifdef MOTE_INTERP_AVX
    if (useAvx())
      return floatConvRowsAvx(g, x, wt, acc, lo, hi, begin, end);
#endif
    floatConvRows(g, x, wt, acc, lo, hi, begin, end);
  });
}

/// Rearranges an OHWI filter (already in T) for convCore.
template <typename T>
std::vector<T> layoutFilter(const ConvGeometry &g, const std::vector<T> &f) {
  std::vector<T> wt(f.size());
  bool depthwise = g.cg == 1 && g.og == 1;
  if (!depthwise) {
    // Per group, the [og][K] block of OHWI rows transposed to [K][og]
    // (K = kh·kw·cg), in tiles that stay in cache.
    int64_t k = g.kh * g.kw * g.cg;
    constexpr int64_t kTile = 32;
    for (int64_t grp = 0; grp < g.g; ++grp) {
      const T *src = f.data() + grp * g.og * k;
      T *dst = wt.data() + grp * k * g.og;
      for (int64_t j0 = 0; j0 < g.og; j0 += kTile)
        for (int64_t r0 = 0; r0 < k; r0 += kTile)
          for (int64_t j = j0; j < std::min(j0 + kTile, g.og); ++j)
            for (int64_t r = r0; r < std::min(r0 + kTile, k); ++r)
              dst[r * g.og + j] = src[j * k + r];
    }
    return wt;
  }
  for (int64_t o = 0; o < g.o; ++o) {
    int64_t grp = o / g.og, j = o % g.og;
    for (int64_t kh = 0; kh < g.kh; ++kh)
      for (int64_t kw = 0; kw < g.kw; ++kw)
        for (int64_t c = 0; c < g.cg; ++c) {
          T v = f[((o * g.kh + kh) * g.kw + kw) * g.cg + c];
          if (depthwise)
            wt[(kh * g.kw + kw) * g.c + o] = v;
          else
            wt[(((grp * g.kh + kh) * g.kw + kw) * g.cg + c) * g.og + j] = v;
        }
  }
  return wt;
}

template <typename T>
void quantConv(const ConvGeometry &g, const Tensor &x, const Tensor &w,
               const QuantFinisher &fin, Tensor &out, const ExecContext &ctx) {
  std::vector<T> xs = shifted<T>(x);
  std::vector<T> wt = layoutFilter(g, shifted<T>(w));
  std::vector<T> acc(out.q.size(), 0);
  convCore<T>(g, xs.data(), wt.data(), acc.data(), ctx);
  for (size_t i = 0; i < acc.size(); ++i)
    out.q[i] = fin.finish(static_cast<int64_t>(acc[i]), i % g.o);
}

//===----------------------------------------------------------------------===//
// Matrix products
//===----------------------------------------------------------------------===//

/// out[r, :] (+)= a[r, :] · b, for rows r; `aRow(r)` and `bMat(r)` give the
/// row's lhs and rhs pointers (b is [K][N]).
template <typename T, typename ARow, typename BMat>
void gemmCore(int64_t rows, int64_t k, int64_t n, ARow aRow, BMat bMat, T *out,
              const ExecContext &ctx) {
  ctx.parallelFor(rows, k * n, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const T *a = aRow(r);
      const T *b = bMat(r);
      T *o = out + r * n;
      for (int64_t kk = 0; kk < k; ++kk) {
        T av = a[kk];
        const T *bk = b + kk * n;
        for (int64_t j = 0; j < n; ++j)
          o[j] += av * bk[j];
      }
    }
  });
}

/// [O, K] → [K, O].
template <typename T>
std::vector<T> transpose2D(const T *w, int64_t o, int64_t k) {
  std::vector<T> wt(o * k);
  for (int64_t i = 0; i < o; ++i)
    for (int64_t j = 0; j < k; ++j)
      wt[j * o + i] = w[i * k + j];
  return wt;
}

} // namespace

void setFloatConvLanes(unsigned lanes) {
  floatConvLanes.store(lanes, std::memory_order_relaxed);
}

Expected<Tensor> execConv2D(Operation *op, Operands operands,
                            const ExecContext &ctx) {
  auto conv = cast<Conv2DOp>(op);
  const Tensor &x = *operands[0], &w = *operands[1];
  const Tensor *bias = conv.getBias() ? operands[2] : nullptr;
  Tensor out = Tensor::allocate(conv.getOutput().getType());
  ConvGeometry g;
  g.n = x.shape[0], g.h = x.shape[1], g.w = x.shape[2], g.c = x.shape[3];
  g.oh = out.shape[1], g.ow = out.shape[2], g.o = out.shape[3];
  g.kh = w.shape[1], g.kw = w.shape[2], g.cg = w.shape[3];
  g.g = conv.getGroups(), g.og = g.o / g.g;
  g.sh = conv.getStrides()[0], g.sw = conv.getStrides()[1];
  g.dh = conv.getDilations()[0], g.dw = conv.getDilations()[1];
  g.pt = conv.getPad()[0], g.pl = conv.getPad()[2];

  if (!x.isQuantized()) {
    // A constant filter is laid out once per interpreter, not per run.
    std::shared_ptr<const std::vector<float>> wt;
    if (ctx.layouts && conv.getFilter().getDefiningOp<ConstantOp>())
      wt = ctx.layouts->get(op, [&] { return layoutFilter(g, w.f); });
    else
      wt = std::make_shared<const std::vector<float>>(layoutFilter(g, w.f));
    int64_t pixels = g.n * g.oh * g.ow;
    for (int64_t p = 0; p < pixels; ++p)
      for (int64_t o = 0; o < g.o; ++o)
        out.f[p * g.o + o] = bias ? bias->f[o] : 0.0f;
    convCoreFloat(g, x.f.data(), wt->data(), out.f.data(), ctx);
    return out;
  }
  Expected<QuantFinisher> fin =
      makeFinisher(x, w, bias, conv.getOutput().getType(), g.o);
  if (!fin)
    return fin.takeError();
  if (fitsInt32(x, w, g.kh * g.kw * g.cg))
    quantConv<int32_t>(g, x, w, *fin, out, ctx);
  else
    quantConv<int64_t>(g, x, w, *fin, out, ctx);
  return out;
}

Expected<Tensor> execFullyConnected(Operation *op, Operands operands,
                                    const ExecContext &ctx) {
  auto fc = cast<FullyConnectedOp>(op);
  const Tensor &x = *operands[0], &w = *operands[1];
  const Tensor *bias = fc.getBias() ? operands[2] : nullptr;
  Tensor out = Tensor::allocate(fc.getOutput().getType());
  int64_t o = w.shape[0], k = w.shape[1];
  int64_t rows = k ? x.numElements() / k : out.numElements() / std::max<int64_t>(o, 1);
  auto run = [&](auto *tag, const auto &xs, const auto &wt, auto &acc) {
    using T = std::remove_pointer_t<decltype(tag)>;
    gemmCore<T>(
        rows, k, o, [&](int64_t r) { return xs.data() + r * k; },
        [&](int64_t) { return wt.data(); }, acc.data(), ctx);
  };
  if (!x.isQuantized()) {
    std::vector<float> wt = transpose2D(w.f.data(), o, k);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < o; ++j)
        out.f[r * o + j] = bias ? bias->f[j] : 0.0f;
    run(static_cast<float *>(nullptr), x.f, wt, out.f);
    return out;
  }
  Expected<QuantFinisher> fin =
      makeFinisher(x, w, bias, fc.getOutput().getType(), o);
  if (!fin)
    return fin.takeError();
  auto quant = [&](auto *tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    std::vector<T> xs = shifted<T>(x);
    std::vector<T> ws = shifted<T>(w);
    std::vector<T> wt = transpose2D(ws.data(), o, k);
    std::vector<T> acc(out.q.size(), 0);
    run(tag, xs, wt, acc);
    for (size_t i = 0; i < acc.size(); ++i)
      out.q[i] = fin->finish(static_cast<int64_t>(acc[i]), i % o);
  };
  if (fitsInt32(x, w, k))
    quant(static_cast<int32_t *>(nullptr));
  else
    quant(static_cast<int64_t *>(nullptr));
  return out;
}

Expected<Tensor> execMatMul(Operation *op, Operands operands,
                            const ExecContext &ctx) {
  auto mm = cast<MatMulOp>(op);
  const Tensor &a = *operands[0], &b = *operands[1];
  Tensor out = Tensor::allocate(mm.getOutput().getType());
  int64_t ra = a.shape.size(), rb = b.shape.size(), ro = out.shape.size();
  int64_t m = a.shape[ra - 2], k = a.shape[ra - 1], n = b.shape[rb - 1];
  // Batch index maps with numpy broadcasting.
  llvm::ArrayRef<int64_t> outBatch(out.shape.data(), ro - 2);
  int64_t batches = 1;
  for (int64_t d : outBatch)
    batches *= d;
  std::vector<int64_t> aBatch(batches), bBatch(batches);
  for (int64_t bi = 0; bi < batches; ++bi) {
    int64_t rem = bi, ai = 0, bj = 0, aStride = 1, bStride = 1;
    for (int64_t d = ro - 3; d >= 0; --d) {
      int64_t idx = rem % outBatch[d];
      rem /= outBatch[d];
      int64_t da = d - (ro - ra), db = d - (ro - rb);
      if (da >= 0) {
        int64_t size = a.shape[da];
        ai += (size == 1 ? 0 : idx) * aStride;
        aStride *= size;
      }
      if (db >= 0) {
        int64_t size = b.shape[db];
        bj += (size == 1 ? 0 : idx) * bStride;
        bStride *= size;
      }
    }
    aBatch[bi] = ai;
    bBatch[bi] = bj;
  }
  auto run = [&](auto *tag, const auto &as, const auto &bs, auto &acc) {
    using T = std::remove_pointer_t<decltype(tag)>;
    gemmCore<T>(
        batches * m, k, n,
        [&](int64_t r) {
          return as.data() + aBatch[r / m] * m * k + (r % m) * k;
        },
        [&](int64_t r) { return bs.data() + bBatch[r / m] * k * n; },
        acc.data(), ctx);
  };
  if (!a.isQuantized()) {
    run(static_cast<float *>(nullptr), a.f, b.f, out.f);
    return out;
  }
  Expected<QuantFinisher> fin =
      makeFinisher(a, b, nullptr, mm.getOutput().getType(), n);
  if (!fin)
    return fin.takeError();
  auto quant = [&](auto *tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    std::vector<T> as = shifted<T>(a);
    std::vector<T> bs = shifted<T>(b);
    std::vector<T> acc(out.q.size(), 0);
    run(tag, as, bs, acc);
    for (size_t i = 0; i < acc.size(); ++i)
      out.q[i] = fin->finish(static_cast<int64_t>(acc[i]), i % n);
  };
  if (fitsInt32(a, b, k))
    quant(static_cast<int32_t *>(nullptr));
  else
    quant(static_cast<int64_t *>(nullptr));
  return out;
}

} // namespace mote::interp
