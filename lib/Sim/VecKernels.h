//===- VecKernels.h - Host SIMD kernels for VEC requantize ------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Internal to MoteSim. VEC requantize from int32 accumulators to bytes, the
// most frequent VEC instruction, per element (ISA.def VEC requantize):
//
//   v = applyScale(acc + bias[c], M[c], S[c])
//   out = sat_storage(sat(v + zp_out, clamp_lo, clamp_hi))
//
// with the scalar loop as the reference and an AVX-512 version (int64 lanes,
// vpmullq and vpsravq) selected with the MATMUL kernels' instruction set
// (MatMulKernels.h activeKernelISA). unittests/SimKernelTest.cpp compares
// them.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_LIB_SIM_VECKERNELS_H
#define MOTE_LIB_SIM_VECKERNELS_H

#include "MatMulKernels.h"

#include "mote/Numerics/Numerics.h"

#include <cstdint>

namespace mote::sim {

struct RequantizeArgs {
  const uint8_t *acc = nullptr; ///< pixels × channels int32 (any alignment)
  uint8_t *dst = nullptr;       ///< pixels × channels bytes
  uint64_t pixels = 0;
  uint32_t channels = 0;
  const int64_t *bias = nullptr; ///< per channel
  const numerics::ScaleMultiplier *scales = nullptr; ///< per channel
  int64_t zpOut = 0, clampLo = 0, clampHi = 0;
  bool outSigned = false;
};

/// Requantizes with implementation `isa` (the scalar loop where the host
/// lacks it; AVX-512 needs F, BW, DQ and VL).
void requantizeBytesWith(KernelISA isa, const RequantizeArgs &args);
/// requantizeBytesWith(activeKernelISA(), args).
void requantizeBytes(const RequantizeArgs &args);

} // namespace mote::sim

#endif // MOTE_LIB_SIM_VECKERNELS_H
