//===- RefinementKernels.cpp - The refinement's Gram matrix loops ---------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// RefinementKernels.h's loops with vectors of two doubles, or of four when
// RefinementKernelsAvx.cpp includes this file with -mavx. Everything but
// the entry points has internal linkage and no library template is used,
// so that the AVX build's code stays in that build.
//
//===----------------------------------------------------------------------===//

#include "RefinementKernels.h"

#include <cstring>

#ifndef MOTE_REFINEMENT_LANES
#define MOTE_REFINEMENT_LANES 2
#endif

namespace mote::quant::kernels {
namespace {

constexpr size_t kLanes = MOTE_REFINEMENT_LANES;
/// kLanes doubles, element-wise IEEE arithmetic (the GCC and Clang vector
/// extension): the block's columns side by side, each column's sums in
/// its own lane in their own order.
typedef double Vec __attribute__((vector_size(8 * kLanes)));
constexpr size_t kVecs = kBlock / kLanes;
/// Rows per pass (sharing the loads of d): as many as the registers hold.
constexpr size_t kRows = kLanes == 4 ? 4 : 2;

inline __attribute__((always_inline)) Vec splat(double v) {
#if MOTE_REFINEMENT_LANES == 4
  return Vec{v, v, v, v};
#else
  return Vec{v, v};
#endif
}

/// Rows [i, i + R) of blockDots.
template <size_t R>
inline __attribute__((always_inline)) void
rowsOfBlock(const double *gram, size_t k, const double *d, size_t i,
            double *dots) {
  const double *g[R];
  for (size_t r = 0; r < R; ++r)
    g[r] = gram + (i + r) * k;
  Vec a[R][kVecs] = {};
  for (size_t j = 0; j < k; ++j) {
    Vec dj[kVecs];
    for (size_t l = 0; l < kVecs; ++l)
      std::memcpy(&dj[l], d + j * kBlock + kLanes * l, sizeof(Vec));
    for (size_t r = 0; r < R; ++r) {
      Vec x = splat(g[r][j]);
      for (size_t l = 0; l < kVecs; ++l)
        a[r][l] += x * dj[l];
    }
  }
  for (size_t r = 0; r < R; ++r)
    for (size_t l = 0; l < kVecs; ++l)
      std::memcpy(dots + (i + r) * kBlock + kLanes * l, &a[r][l], sizeof(Vec));
}

void dots(const double *gram, size_t k, const double *d, double *out) {
  size_t i = 0;
  for (; i + kRows <= k; i += kRows)
    rowsOfBlock<kRows>(gram, k, d, i, out);
  for (; i < k; ++i)
    rowsOfBlock<1>(gram, k, d, i, out);
}

void upperRows(double *gram, int64_t k, const double *xs, int64_t m) {
  for (int64_t i = 0; i < k; ++i) {
    double *row = gram + i * k;
    for (int64_t s = 0; s < m; ++s) {
      const double *x = xs + s * k;
      double xi = x[i];
      if (xi == 0.0)
        continue;
      for (int64_t j = i; j < k; ++j)
        row[j] += xi * x[j];
    }
  }
}

} // namespace

#if MOTE_REFINEMENT_LANES == 4
void blockDotsAvx(const double *gram, size_t k, const double *d,
                  double *out) {
  dots(gram, k, d, out);
}
void gramUpperRowsAvx(double *gram, int64_t k, const double *xs, int64_t m) {
  upperRows(gram, k, xs, m);
}
#else
void blockDots(const double *gram, size_t k, const double *d, double *out) {
  dots(gram, k, d, out);
}
void gramUpperRows(double *gram, int64_t k, const double *xs, int64_t m) {
  upperRows(gram, k, xs, m);
}
#endif

} // namespace mote::quant::kernels
