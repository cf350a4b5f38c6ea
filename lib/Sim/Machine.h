//===- Machine.h - Resolved operations and machine state --------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Internal to MoteSim. Scheduling (Simulator.cpp) turns every data-moving or
// computing instruction into an `Op` whose fields and configuration-register
// values are resolved and whose every access has been bounds-checked, in the
// order the engines' timelines execute them. Execution (Execute.cpp) then
// only moves and computes bytes: no decoding, no register file, no checks
// that cannot depend on data.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_LIB_SIM_MACHINE_H
#define MOTE_LIB_SIM_MACHINE_H

#include "mote/ISA/ISA.h"
#include "mote/Numerics/Numerics.h"

#include "llvm/Support/Error.h"

#include <array>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

namespace mote::sim {

enum class OpKind : uint8_t { Load, Store, MatMul, Vec, Host };

class HostRunner;

/// One resolved LOAD, STORE, MATMUL or VEC. Field names follow ISA.def;
/// register values are copied in at the point the instruction executes.
struct Op {
  OpKind kind = OpKind::Load;
  uint32_t index = 0; ///< Instruction index, for run-time messages.

  // LOAD / STORE.
  unsigned buffer = 0;
  uint64_t sramAddr = 0, dramAddr = 0;
  uint32_t rows = 0, cols = 0, elemBytes = 0;
  uint32_t padTop = 0, padBottom = 0, padLeft = 0, padRight = 0;
  int64_t rowStride = 0, pixStride = 0;
  uint8_t padValue = 0;
  /// LOAD source / STORE destination is the activation buffer, not DRAM.
  bool onChip = false;

  // MATMUL (outH/outW shared with VEC).
  uint64_t actAddr = 0, wgtAddr = 0, accAddr = 0;
  uint32_t outH = 0, outW = 0, outC = 0;
  uint32_t inW = 0, inC = 0, c0 = 0, cg = 0, kh = 0, kw = 0;
  uint32_t strideH = 1, strideW = 1, dilH = 1, dilW = 1;
  uint32_t aDigit = 0, shift = 0, K = 0;
  int64_t inZp = 0;
  bool inSigned = false, aSigned = false, wSigned = false;
  bool accumulate = false, depthwise = false;
  /// Continued by the next MATMUL in the array's accumulators (ISA.def):
  /// the same values as unchained; only the events differ.
  bool chain = false;

  // HOST: the segment the host runs.
  uint32_t segment = 0;

  // VEC.
  isa::VecOp vop = isa::VecOp::Requantize;
  uint64_t srcA = 0, srcB = 0, dst = 0;
  uint32_t channels = 0;
  bool aAcc = false, bAcc = false, dAcc = false;
  bool vaSigned = false, vbSigned = false, outSigned = false;
  int64_t zpA = 0, zpB = 0, zpOut = 0, clampLo = 0, clampHi = 0;
  numerics::ScaleMultiplier mulA, mulB, mulOut;
  uint32_t poolInW = 0, poolKH = 0, poolKW = 0, poolSH = 1, poolSW = 1;
  /// VEC combine: the number of synthesis terms (VEC_TERMS).
  uint32_t terms = 0;
  uint64_t termStride = 0; ///< Bytes between the terms' tiles.
};

/// Per-machine state of the fast MATMUL path (FastMatMul.cpp): prepared
/// full-width weights, kept across the samples a machine runs. Entries are
/// found by a hash of the weight bytes (tiles at different positions share
/// their weights) and always checked against the bytes before use.
struct MatMulCache {
  struct Entry {
    /// Digit width, K, channels, depthwise, and each plane's sign and shift.
    std::vector<uint64_t> signature;
    std::vector<uint8_t> raw;    ///< The weight bytes, plane after plane.
    std::vector<int16_t> packed; ///< dotInt16 layout, when int16 fits.
    std::vector<int16_t> depthwise16; ///< [k][o], depthwise, when int16 fits.
    std::vector<uint32_t> wide;  ///< [o][k] ([k][o] depthwise) otherwise.
  };
  /// Per MATMUL step of the plan: the entry it used last.
  std::vector<Entry *> last;
  std::unordered_map<uint64_t, std::unique_ptr<Entry>> byHash;
};

/// The state of one inference: DRAM and the three SRAM buffers, plus
/// scratch space reused across instructions.
struct Machine {
  unsigned digitBits = 4;
  const HostRunner *host = nullptr; ///< Runs HOST ops (Simulator::create).
  std::vector<uint8_t> dram;
  std::array<std::vector<uint8_t>, 3> sram;
  // MATMUL scratch.
  std::vector<uint32_t> actDigits, weights, patch, sums;
  // VEC scratch.
  std::vector<int64_t> values;
  // Fast MATMUL path (FastMatMul.cpp).
  MatMulCache matMulCache;
  std::vector<int16_t> act16, patch16;
  std::vector<int64_t> weightValues; ///< Scratch of the weight preparation.
};

/// Executes one resolved operation. Only data-dependent problems (an
/// invalid requantization record) can fail.
llvm::Error execute(Machine &m, const Op &op);

} // namespace mote::sim

#endif // MOTE_LIB_SIM_MACHINE_H
