//===- FastVec.cpp - Elementwise VEC instructions by table ----------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// An elementwise VEC instruction (add, sub, max, min, mul, rescale, clamp)
// whose operands and destination are bytes computes a fixed function of
// one byte, or of a pair of bytes, given its registers, which the run plan
// knows before any data: it is tabulated once per program, with the one
// definition of the element (VecElement.h), and a run looks each result
// up. Two rescales, an operation, a third rescale and two saturations per
// element become one load from a 64 KiB table. Events are unaffected:
// Schedule.cpp counts the instruction as the chip executes it.
//
//===----------------------------------------------------------------------===//

#include "Plan.h"
#include "VecElement.h"

using namespace mote;
using namespace mote::sim;

/// The operand a byte stands for in `op`.
static int64_t byteValue(uint8_t b, bool isSigned) {
  return isSigned ? int64_t(int8_t(b)) : int64_t(b);
}

void sim::planVecTable(const Op &op, Step &step, VecTableCache &cache) {
  if (op.kind != OpKind::Vec || !isElementwiseVec(op.vop) || op.aAcc ||
      op.dAcc)
    return;
  bool binary = isBinaryVec(op.vop);
  if (binary && op.bAcc)
    return;
  // Everything vecElement and storeByte read.
  std::vector<int64_t> key = {int64_t(op.vop),     op.vaSigned,
                              op.vbSigned,         op.outSigned,
                              op.zpA,              op.zpB,
                              op.zpOut,            op.clampLo,
                              op.clampHi,          op.mulA.multiplier,
                              op.mulA.shift,       op.mulB.multiplier,
                              op.mulB.shift,       op.mulOut.multiplier,
                              op.mulOut.shift};
  std::shared_ptr<const std::vector<uint8_t>> &slot = cache[key];
  if (!slot) {
    auto table = std::make_shared<std::vector<uint8_t>>(binary ? 65536 : 256);
    for (unsigned a = 0; a < 256; ++a) {
      int64_t va = byteValue(uint8_t(a), op.vaSigned);
      if (!binary) {
        (*table)[a] = storeByte(op, vecElement(op, va, 0));
        continue;
      }
      for (unsigned b = 0; b < 256; ++b)
        (*table)[a * 256 + b] = storeByte(
            op, vecElement(op, va, byteValue(uint8_t(b), op.vbSigned)));
    }
    slot = std::move(table);
  }
  step.vecTable = slot;
}

/// True if writing element i before reading element i + 1 of `src` could
/// change what is read: the destination starts inside the source, after
/// it (the reference execution reads every operand before writing).
static bool clobbers(uint64_t dst, uint64_t src, uint64_t n) {
  return dst > src && dst < src + n;
}

void sim::execVecTable(Machine &m, const Op &op, const Step &step) {
  uint64_t n = uint64_t(op.outH) * op.outW * op.channels;
  uint8_t *act = m.sram[1].data();
  bool binary = isBinaryVec(op.vop);
  if (clobbers(op.dst, op.srcA, n) ||
      (binary && clobbers(op.dst, op.srcB, n))) {
    // Rare (the compiler writes in place or elsewhere): stage the results.
    m.values.resize(n);
    const std::vector<uint8_t> &table = *step.vecTable;
    const uint8_t *a = act + op.srcA, *b = act + op.srcB;
    for (uint64_t i = 0; i < n; ++i)
      m.values[i] = binary ? table[a[i] * 256u + b[i]] : table[a[i]];
    for (uint64_t i = 0; i < n; ++i)
      act[op.dst + i] = uint8_t(m.values[i]);
    return;
  }
  const uint8_t *table = step.vecTable->data();
  const uint8_t *a = act + op.srcA;
  uint8_t *d = act + op.dst;
  if (!binary) {
    for (uint64_t i = 0; i < n; ++i)
      d[i] = table[a[i]];
    return;
  }
  const uint8_t *b = act + op.srcB;
  for (uint64_t i = 0; i < n; ++i)
    d[i] = table[a[i] * 256u + b[i]];
}
