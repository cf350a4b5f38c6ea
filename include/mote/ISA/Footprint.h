//===- Footprint.h - SRAM bytes an instruction touches ------------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The extents of the SRAM tiles a LOAD, STORE and MATMUL read and write,
// from their ISA.def fields and the configuration registers in effect,
// defined once for the simulator (which checks and prices them), the npu
// verifier and the estimate. Callers range-check the registers first:
// these are the formulas, not the validation.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_ISA_FOOTPRINT_H
#define MOTE_ISA_FOOTPRINT_H

#include "mote/ISA/ISA.h"

namespace mote::isa {

/// Bytes a LOAD writes at sram_addr: the padded tile,
/// (pad_top + rows + pad_bottom) x (pad_left + cols + pad_right) elements.
inline uint64_t loadTileBytes(const Instruction &in) {
  return (uint64_t(in.get(Field::Load_pad_top)) + in.get(Field::Load_rows) +
          in.get(Field::Load_pad_bottom)) *
         (uint64_t(in.get(Field::Load_pad_left)) + in.get(Field::Load_cols) +
          in.get(Field::Load_pad_right)) *
         uint64_t(in.get(Field::Load_elem_bytes));
}

/// Bytes a STORE reads at sram_addr (rows x cols contiguous elements).
inline uint64_t storeSourceBytes(const Instruction &in) {
  return uint64_t(in.get(Field::Store_rows)) * in.get(Field::Store_cols) *
         uint64_t(in.get(Field::Store_elem_bytes));
}

/// The execute registers a (non-empty) MATMUL reads and the ranges the
/// simulator accepts (the npu verifier checks the same): matmulFootprint is
/// exact inside them. MM_IN_CG is read by dense passes only.
struct RegisterRange {
  uint8_t reg;
  const char *name;
  int64_t lo, hi;
};
inline constexpr RegisterRange kMatMulRegisterRanges[] = {
    {reg::MM_IN_W, "MM_IN_W", 1, 1 << 20},
    {reg::MM_IN_C, "MM_IN_C", 1, 1 << 20},
    {reg::MM_IN_C0, "MM_IN_C0", 0, 1 << 20},
    {reg::MM_KH, "MM_KH", 1, 4096},
    {reg::MM_KW, "MM_KW", 1, 4096},
    {reg::MM_STRIDE_H, "MM_STRIDE_H", 1, 4096},
    {reg::MM_STRIDE_W, "MM_STRIDE_W", 1, 4096},
    {reg::MM_DIL_H, "MM_DIL_H", 1, 4096},
    {reg::MM_DIL_W, "MM_DIL_W", 1, 4096},
};
inline constexpr RegisterRange kMatMulGroupRange = {reg::MM_IN_CG, "MM_IN_CG",
                                                    1, 1 << 20};

/// A MATMUL's operand extents (ISA.def MATMUL) with execute registers
/// `ex`: the input window it reads, its reduction length, the packed
/// weight rows and the int32 accumulator tile. Exact for registers in
/// kMatMulRegisterRanges; actBytes saturates beyond.
struct MatMulFootprint {
  uint64_t inRows = 0, inCols = 0; ///< Input window, in pixels.
  uint64_t channels = 0;           ///< Input channels read per pixel.
  uint64_t K = 0;                  ///< Reduction length.
  uint64_t actBytes = 0;  ///< From act_addr: last byte read + 1.
  uint64_t rowBytes = 0;  ///< One output channel's packed digit row.
  uint64_t wgtBytes = 0;  ///< From wgt_addr.
  uint64_t accBytes = 0;  ///< From acc_addr.
};

inline MatMulFootprint
matmulFootprint(const Instruction &in,
                const std::array<int64_t, kNumRegisters> &ex,
                unsigned digitBits) {
  MatMulFootprint f;
  uint64_t oh = in.get(Field::MatMul_out_h), ow = in.get(Field::MatMul_out_w);
  uint64_t oc = in.get(Field::MatMul_out_c);
  bool dw = in.get(Field::MatMul_depthwise);
  uint64_t kh = ex[reg::MM_KH], kw = ex[reg::MM_KW];
  f.channels = dw ? oc : uint64_t(ex[reg::MM_IN_CG]);
  f.K = kh * kw * (dw ? 1 : f.channels);
  f.rowBytes = (f.K * digitBits + 7) / 8;
  f.wgtBytes = oc * f.rowBytes;
  f.accBytes = oh * ow * oc * 4;
  if (oh == 0 || ow == 0 || oc == 0)
    return f;
  f.inRows = (oh - 1) * ex[reg::MM_STRIDE_H] + (kh - 1) * ex[reg::MM_DIL_H] + 1;
  f.inCols = (ow - 1) * ex[reg::MM_STRIDE_W] + (kw - 1) * ex[reg::MM_DIL_W] + 1;
  // In 128 bits and saturated: registers straight from a fuzzed or
  // corrupted program can make the product exceed 64 bits, and a wrapped
  // extent would pass a bounds check.
  unsigned __int128 act =
      ((unsigned __int128)(f.inRows - 1) * uint64_t(ex[reg::MM_IN_W]) +
       (f.inCols - 1)) *
          uint64_t(ex[reg::MM_IN_C]) +
      uint64_t(ex[reg::MM_IN_C0]) + f.channels;
  f.actBytes = act > UINT64_MAX ? UINT64_MAX : uint64_t(act);
  return f;
}

} // namespace mote::isa

#endif // MOTE_ISA_FOOTPRINT_H
