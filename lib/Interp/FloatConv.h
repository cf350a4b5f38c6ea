//===- FloatConv.h - The register-blocked float conv2d ----------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Internal to lib/Interp: the geometry of a conv2d as the product kernels
// see it, and the float kernel of ProductKernels.cpp's convCoreFloat, in
// two builds of FloatConv.cpp: four-float vectors (any x86-64 or other
// CPU) and, where the compiler targets x86, eight-float vectors compiled
// with -mavx (FloatConvAvx.cpp), called only where the CPU has AVX.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_LIB_INTERP_FLOATCONV_H
#define MOTE_LIB_INTERP_FLOATCONV_H

#include <cstdint>

namespace mote::interp {

/// NHWC input [n, h, w, c], output [n, oh, ow, o]; filter KH x KW in `g`
/// groups of cg input and og output channels; strides, dilations and the
/// top / left padding.
struct ConvGeometry {
  int64_t n, h, w, c, oh, ow, o, kh, kw, g, cg, og;
  int64_t sh, sw, dh, dw, pt, pl;
};

/// Rows [begin, end) of n x oh of a float conv that is not depthwise:
/// acc[n, oh, ow, o] += Σ x·w over the window, `wt` laid out
/// [G][KH][KW][Cg][Og], columns [lo, hi) being those whose windows lie
/// inside the input along w. Every output is summed as convCore sums it
/// (its bias, then kh, kw, c in order, taps in the padding skipped): the
/// same floats whichever build runs.
void floatConvRows(const ConvGeometry &g, const float *x, const float *wt,
                   float *acc, int64_t lo, int64_t hi, int64_t begin,
                   int64_t end);
#ifdef MOTE_INTERP_AVX
/// floatConvRows with eight-float vectors (needs AVX).
void floatConvRowsAvx(const ConvGeometry &g, const float *x, const float *wt,
                      float *acc, int64_t lo, int64_t hi, int64_t begin,
                      int64_t end);
/// The same blocking for int32 elements (no sum may overflow): eight lanes
/// (needs AVX2) and sixteen (needs AVX-512F).
void int32ConvRowsAvx2(const ConvGeometry &g, const int32_t *x,
                       const int32_t *wt, int32_t *acc, int64_t lo,
                       int64_t hi, int64_t begin, int64_t end);
void int32ConvRowsAvx512(const ConvGeometry &g, const int32_t *x,
                         const int32_t *wt, int32_t *acc, int64_t lo,
                         int64_t hi, int64_t begin, int64_t end);
#endif

} // namespace mote::interp

#endif // MOTE_LIB_INTERP_FLOATCONV_H
