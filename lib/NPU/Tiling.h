//===- Tiling.h - Tile geometry helpers -------------------------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_LIB_NPU_TILING_H
#define MOTE_LIB_NPU_TILING_H

#include "Layers.h"

namespace mote::npu {

int64_t alignTo(int64_t v, int64_t a);

/// The input extent of `n` outputs from output index `o0` along one axis:
/// `total` positions from input index `start - padLo`, of which `padLo`
/// and `padHi` lie in padding and `interior` are read from DRAM.
struct Window {
  int64_t start = 0, interior = 0, padLo = 0, padHi = 0, total = 0;
};
Window window(int64_t o0, int64_t n, int64_t stride, int64_t k, int64_t dil,
              int64_t padLo, int64_t in);

/// Bytes of one slot of each SRAM region for a tile shape.
struct SramUse {
  int64_t inSlot = 0, outSlot = 0, wSlot = 0, acc = 0;
};
SramUse sramUse(const Layer &l, const TargetDescription &t, int64_t th,
                int64_t tw, int64_t tc, int64_t cc);

} // namespace mote::npu

#endif // MOTE_LIB_NPU_TILING_H
