//===- Plan.h - How a run executes the resolved operations ------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Internal to MoteSim. Built once per program (Simulator::create), after
// scheduling, from the resolved operations alone, so it depends on no data:
//
// - Steps: every operation once, in execution order, except that the
//   MATMUL digit passes over one tile whose shifts form a full product of
//   activation digits × weight digit planes become one step at the first
//   pass, executed at full width (FastMatMul.cpp explains why that is
//   exact, also across the independent DMA transfers between them), and
//   elementwise byte VEC operations are tabulated (FastVec.cpp).
// - The SRAM and DRAM byte ranges a run can write, so that a machine is
//   reset for the next sample by restoring those ranges only.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_LIB_SIM_PLAN_H
#define MOTE_LIB_SIM_PLAN_H

#include "Machine.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <algorithm>
#include <array>
#include <climits>
#include <map>
#include <memory>
#include <cstdint>
#include <vector>

namespace mote::isa {
struct Program;
}

namespace mote::sim {

/// One activation digit of a fused MATMUL step: the digit index and
/// signedness of its passes, and its weight (a power of two) in the sum.
struct ActDigit {
  uint32_t aDigit = 0;
  bool aSigned = false;
  unsigned shift = 0;
};

/// One weight digit plane of a fused MATMUL step.
struct WeightPlane {
  uint64_t wgtAddr = 0;
  bool wSigned = false;
  unsigned shift = 0;
};

struct Step {
  uint32_t first = 0, count = 1; ///< ops[first, first + count)
  /// MATMUL steps only (empty otherwise): the full product
  /// Σ_j Σ_i a_j·w_i·2^(act[j].shift + planes[i].shift + finalShift).
  llvm::SmallVector<ActDigit, 4> acts;
  llvm::SmallVector<WeightPlane, 4> planes;
  /// Applied to the sum before it is added (< 32, or the step adds 0).
  unsigned finalShift = 0;
  /// Per activation byte: its full-width value modulo 2^32, and as int16
  /// when every value fits (actFits16); actAffine when the value is just
  /// byte − MM_IN_ZP (the digits reconstruct it exactly).
  std::vector<uint32_t> actWide;
  std::vector<int16_t> act16;
  bool actFits16 = false, actAffine = false;
  /// Otherwise, with actFits16: when nonzero, the value is byte − MM_IN_ZP
  /// modulo 2^actWrapBits, sign-extended if actWrapSigned.
  uint8_t actWrapBits = 0;
  bool actWrapSigned = false;
  /// Elementwise VEC steps on byte operands with a byte destination
  /// (FastVec.cpp): the result byte of every operand byte (unary, 256
  /// entries) or pair of bytes (binary, [a][b], 65536 entries); empty
  /// otherwise. Steps with the same registers share one table.
  std::shared_ptr<const std::vector<uint8_t>> vecTable;
  bool isMatMul() const { return !acts.empty(); }
};

/// True if `v` fits int16 (the SIMD kernels' operand type).
inline bool fitsInt16(__int128 v) { return v >= INT16_MIN && v <= INT16_MAX; }

/// `v` modulo 2^bits (1 <= bits <= 16), sign-extended if `sgn`, as int16.
inline int16_t wrapToBits(int32_t v, unsigned bits, bool sgn) {
  unsigned sh = 32 - bits;
  uint32_t u = uint32_t(v) << sh;
  return int16_t(sgn ? int32_t(u) >> sh : int32_t(u >> sh));
}

/// [lo, hi) byte range (empty when lo >= hi).
struct ByteRange {
  uint64_t lo = UINT64_MAX, hi = 0;
  void add(uint64_t begin, uint64_t end) {
    if (begin >= end)
      return;
    lo = std::min(lo, begin);
    hi = std::max(hi, end);
  }
  bool empty() const { return lo >= hi; }
};

struct Plan {
  std::vector<Step> steps;
  unsigned matMulSteps = 0; ///< Steps with isMatMul(), numbered in order.
  std::vector<uint32_t> matMulIndex; ///< Per step: its MATMUL number.
  std::array<ByteRange, 3> sramWritten;
  ByteRange dramWritten;
  /// Every byte a MATMUL reads from the weight buffer is the same in every
  /// run: the buffer is filled only by LOADs from DRAM constants, and
  /// nothing writes the constants. A machine then checks a step's prepared
  /// weights against the buffer once, not on every run.
  bool weightsInvariant = false;
};

/// Groups `ops` into steps and computes the written ranges.
Plan buildPlan(llvm::ArrayRef<Op> ops, const isa::Program &program,
               unsigned digitBits);

/// The tables of a plan by the registers they depend on.
using VecTableCache =
    std::map<std::vector<int64_t>, std::shared_ptr<const std::vector<uint8_t>>>;

/// Tabulates elementwise VEC `op` into `step.vecTable` where it applies,
/// reusing a table of `cache` with the same registers.
void planVecTable(const Op &op, Step &step, VecTableCache &cache);

/// Executes a VEC step with a table.
void execVecTable(Machine &m, const Op &op, const Step &step);

/// Executes MATMUL step number `matMulIndex` (Plan::matMulIndex) on `m`.
/// Its prepared weights are found in (or added to) `weights`, which may
/// be another machine's cache (a batch shares one); every use is checked
/// against m's weight buffer unless `weightsInvariant`.
void execMatMulStep(Machine &m, MatMulCache &weights, llvm::ArrayRef<Op> ops,
                    const Step &step, unsigned matMulIndex,
                    bool weightsInvariant);

} // namespace mote::sim

#endif // MOTE_LIB_SIM_PLAN_H
