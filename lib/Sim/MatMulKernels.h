//===- MatMulKernels.h - Host SIMD dot products for MATMUL ------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Internal to MoteSim. The one inner kernel of the fast MATMUL path
// (FastMatMul.cpp): int16 × int16 dot products accumulated modulo 2^32,
// which is exactly the chip's int32 accumulator arithmetic. Implementations
// for AVX-512 (VNNI or BW) and AVX2 are selected at run time from the host
// CPU's features; the portable scalar one is the fallback and the
// reference the others are tested against (unittests/SimKernelTest.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_LIB_SIM_MATMULKERNELS_H
#define MOTE_LIB_SIM_MATMULKERNELS_H

#include <cstddef>
#include <cstdint>

namespace mote::sim {

/// The instruction sets the kernel has an implementation for, slowest first.
enum class KernelISA : uint8_t { Scalar, AVX2, AVX512BW, AVX512VNNI };

/// Output channels are padded to a multiple of this (one AVX-512 register
/// of int32 lanes); the padding weights are zero.
constexpr size_t kKernelLanes = 16;

/// The best implementation the host supports.
KernelISA bestKernelISA();
/// The implementation dotInt16 uses (bestKernelISA unless overridden).
KernelISA activeKernelISA();
/// Overrides the implementation (tests); an unsupported one is ignored and
/// false returned.
bool setKernelISA(KernelISA isa);
const char *kernelISAName(KernelISA isa);

/// sums[p·oPad + o] = Σ_{k < 2·kPairs} patch[p·2·kPairs + k] ·
///                    w[((k/2)·oPad + o)·2 + k%2]   (mod 2^32)
/// for p < pixels, o < oPad. `oPad` is a multiple of kKernelLanes; the
/// weights are packed by pairs of k so that one 32-bit broadcast of two
/// patch values meets one vector of (k, k+1) weight pairs (pmaddwd).
void dotInt16(const int16_t *patch, size_t pixels, size_t kPairs,
              const int16_t *w, size_t oPad, uint32_t *sums);

/// dotInt16 with an explicit implementation (tests compare them).
void dotInt16With(KernelISA isa, const int16_t *patch, size_t pixels,
                  size_t kPairs, const int16_t *w, size_t oPad,
                  uint32_t *sums);

} // namespace mote::sim

#endif // MOTE_LIB_SIM_MATMULKERNELS_H
