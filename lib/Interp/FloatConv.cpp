//===- FloatConv.cpp - The register-blocked float conv2d ------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The float conv2d of the interpreter (calibration and the quantizer's
// teacher run it on every sample): for the output pixels whose windows lie
// inside the input along w, blocks of four pixels by 2·L output channels
// accumulate in registers over the whole window, each block of channels
// over the whole row so that its weights stay in cache; the other pixels,
// and the channels left over, go through memory per input channel as
// convCore does. The order of every output's sum is convCore's, so the
// floats are too (FloatConv.h).
//
// Built twice: here with L = 4 (floatConvRows), and by FloatConvAvx.cpp
// with L = 8 and -mavx (floatConvRowsAvx). Everything but the entry point
// has internal linkage and no library template is used, so that the AVX
// build's code stays in that build. IntConvAvx2.cpp and IntConvAvx512.cpp
// build it for int32 elements (MOTE_CONV_ELEM, the quantized kernels'
// zero-point-shifted operands), where the order of the sums does not
// matter: fitsInt32 has checked that no sum overflows.
//
//===----------------------------------------------------------------------===//

#include "FloatConv.h"

#include <cstring>

#ifndef MOTE_FLOAT_CONV_LANES
#define MOTE_FLOAT_CONV_LANES 4
#endif
#ifndef MOTE_CONV_ELEM
#define MOTE_CONV_ELEM float
#endif

namespace mote::interp {
namespace {

constexpr int kLanes = MOTE_FLOAT_CONV_LANES;
using Elem = MOTE_CONV_ELEM;
/// kLanes floats, element-wise IEEE arithmetic (the GCC and Clang vector
/// extension). No FMA is enabled in either build: multiplies and adds
/// round separately, as convCore's scalars do.
typedef Elem Vec __attribute__((vector_size(sizeof(Elem) * kLanes)));

/// `s` in every lane (`Vec{} + s` would turn -0 into +0; a lane-by-lane
/// loop is not seen as a broadcast).
inline __attribute__((always_inline)) Vec splat(Elem s) {
#if MOTE_FLOAT_CONV_LANES == 16
  return Vec{s, s, s, s, s, s, s, s, s, s, s, s, s, s, s, s};
#elif MOTE_FLOAT_CONV_LANES == 8
  return Vec{s, s, s, s, s, s, s, s};
#else
  return Vec{s, s, s, s};
#endif
}

/// Output channels [j0, j0 + V·kLanes) of group `grp` for the output
/// pixels [ow0, ow0 + P) of row (n, oh), whose windows lie inside the
/// input along w: the P·V vectors accumulate in registers over the whole
/// window (the bias, then kh, kw, c in order; rows in the padding skipped
/// as convCore skips them).
template <int P, int V>
inline __attribute__((always_inline)) void
block(const ConvGeometry &g, const Elem *x, const Elem *wt, Elem *acc,
      int64_t n, int64_t oh, int64_t ow0, int64_t grp, int64_t j0) {
  Elem *out[P];
  int64_t iw0[P];
  for (int p = 0; p < P; ++p) {
    out[p] = acc + ((n * g.oh + oh) * g.ow + ow0 + p) * g.o + grp * g.og + j0;
    iw0[p] = (ow0 + p) * g.sw - g.pl;
  }
  Vec a[P][V];
  for (int p = 0; p < P; ++p)
    for (int v = 0; v < V; ++v)
      std::memcpy(&a[p][v], out[p] + v * kLanes, sizeof(Vec));
  for (int64_t kh = 0; kh < g.kh; ++kh) {
    int64_t ih = oh * g.sh - g.pt + kh * g.dh;
    if (ih < 0 || ih >= g.h)
      continue;
    const Elem *row = x + (n * g.h + ih) * g.w * g.c + grp * g.cg;
    for (int64_t kw = 0; kw < g.kw; ++kw) {
      const Elem *xp[P];
      for (int p = 0; p < P; ++p)
        xp[p] = row + (iw0[p] + kw * g.dw) * g.c;
      const Elem *wk = wt + ((grp * g.kh + kh) * g.kw + kw) * g.cg * g.og + j0;
      for (int64_t c = 0; c < g.cg; ++c) {
        Vec w[V];
        for (int v = 0; v < V; ++v)
          std::memcpy(&w[v], wk + c * g.og + v * kLanes, sizeof(Vec));
        for (int p = 0; p < P; ++p) {
          Vec xv = splat(xp[p][c]);
          for (int v = 0; v < V; ++v)
            a[p][v] += xv * w[v];
        }
      }
    }
  }
  for (int p = 0; p < P; ++p)
    for (int v = 0; v < V; ++v)
      std::memcpy(out[p] + v * kLanes, &a[p][v], sizeof(Vec));
}

/// Output channels [j0, j1) of group `grp` at pixel (n, oh, ow) as
/// convCore computes them.
void pixel(const ConvGeometry &g, const Elem *x, const Elem *wt,
           Elem *acc, int64_t n, int64_t oh, int64_t ow, int64_t grp,
           int64_t j0, int64_t j1) {
  Elem *out = acc + ((n * g.oh + oh) * g.ow + ow) * g.o + grp * g.og;
  for (int64_t kh = 0; kh < g.kh; ++kh) {
    int64_t ih = oh * g.sh - g.pt + kh * g.dh;
    if (ih < 0 || ih >= g.h)
      continue;
    for (int64_t kw = 0; kw < g.kw; ++kw) {
      int64_t iw = ow * g.sw - g.pl + kw * g.dw;
      if (iw < 0 || iw >= g.w)
        continue;
      const Elem *xp = x + ((n * g.h + ih) * g.w + iw) * g.c + grp * g.cg;
      const Elem *wg = wt + ((grp * g.kh + kh) * g.kw + kw) * g.cg * g.og;
      for (int64_t c = 0; c < g.cg; ++c) {
        Elem xv = xp[c];
        const Elem *wc = wg + c * g.og;
        for (int64_t j = j0; j < j1; ++j)
          out[j] += xv * wc[j];
      }
    }
  }
}

void rows(const ConvGeometry &g, const Elem *x, const Elem *wt, Elem *acc,
          int64_t lo, int64_t hi, int64_t begin, int64_t end) {
  constexpr int64_t width = 2 * kLanes;
  int64_t blocked = g.og / width * width;
  for (int64_t r = begin; r < end; ++r) {
    int64_t n = r / g.oh, oh = r % g.oh;
    for (int64_t grp = 0; grp < g.g; ++grp) {
      for (int64_t j0 = 0; j0 < blocked; j0 += width) {
        int64_t ow = lo;
        for (; ow + 4 <= hi; ow += 4)
          block<4, 2>(g, x, wt, acc, n, oh, ow, grp, j0);
        for (; ow < hi; ++ow)
          block<1, 2>(g, x, wt, acc, n, oh, ow, grp, j0);
      }
      // One vector of channels at a time, then the channels left over.
      int64_t single = g.og / kLanes * kLanes;
      for (int64_t j0 = blocked; j0 < single; j0 += kLanes) {
        int64_t ow = lo;
        for (; ow + 4 <= hi; ow += 4)
          block<4, 1>(g, x, wt, acc, n, oh, ow, grp, j0);
        for (; ow < hi; ++ow)
          block<1, 1>(g, x, wt, acc, n, oh, ow, grp, j0);
      }
      if (single < g.og)
        for (int64_t ow = lo; ow < hi; ++ow)
          pixel(g, x, wt, acc, n, oh, ow, grp, single, g.og);
      // The pixels whose windows reach into the padding along w.
      for (int64_t ow = 0; ow < g.ow; ++ow) {
        if (ow == lo)
          ow = hi;
        if (ow < g.ow)
          pixel(g, x, wt, acc, n, oh, ow, grp, 0, g.og);
      }
    }
  }
}

} // namespace

#if defined(MOTE_CONV_ENTRY)
void MOTE_CONV_ENTRY(const ConvGeometry &g, const Elem *x, const Elem *wt,
                     Elem *acc, int64_t lo, int64_t hi, int64_t begin,
                     int64_t end) {
  rows(g, x, wt, acc, lo, hi, begin, end);
}
#elif MOTE_FLOAT_CONV_LANES == 8
void floatConvRowsAvx(const ConvGeometry &g, const float *x, const float *wt,
                      float *acc, int64_t lo, int64_t hi, int64_t begin,
                      int64_t end) {
  rows(g, x, wt, acc, lo, hi, begin, end);
}
#else
void floatConvRows(const ConvGeometry &g, const float *x, const float *wt,
                   float *acc, int64_t lo, int64_t hi, int64_t begin,
                   int64_t end) {
  rows(g, x, wt, acc, lo, hi, begin, end);
}
#endif

} // namespace mote::interp
