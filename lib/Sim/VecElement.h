//===- VecElement.h - One element of a VEC instruction ----------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Internal to MoteSim. What a VEC elementwise instruction (ISA.def VEC add,
// sub, max, min, mul, rescale, clamp) computes for one element, before
// the destination's storage saturation, defined once: the reference
// execution (Execute.cpp) applies it element by element, and the run plan
// (FastVec.cpp) tabulates it over every pair of byte operands.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_LIB_SIM_VECELEMENT_H
#define MOTE_LIB_SIM_VECELEMENT_H

#include "Machine.h"

#include <algorithm>
#include <climits>

namespace mote::sim {

inline int64_t satAdd(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r))
    return a > 0 ? INT64_MAX : INT64_MIN;
  return r;
}

/// True for the VEC operations vecElement defines.
inline bool isElementwiseVec(isa::VecOp vop) {
  switch (vop) {
  case isa::VecOp::Add:
  case isa::VecOp::Sub:
  case isa::VecOp::Max:
  case isa::VecOp::Min:
  case isa::VecOp::Mul:
  case isa::VecOp::Rescale:
  case isa::VecOp::Clamp:
    return true;
  default:
    return false;
  }
}

/// True if the operation reads a second operand.
inline bool isBinaryVec(isa::VecOp vop) {
  return isElementwiseVec(vop) && vop != isa::VecOp::Rescale &&
         vop != isa::VecOp::Clamp;
}

/// The value of one element of elementwise VEC `op` with operands `a` and
/// `b` (`b` unused by rescale and clamp), before the destination's storage
/// saturation (int32 or the output byte type).
inline int64_t vecElement(const Op &op, int64_t a, int64_t b) {
  auto clampOut = [&](int64_t v) {
    return numerics::saturate(satAdd(v, op.zpOut), op.clampLo, op.clampHi);
  };
  switch (op.vop) {
  case isa::VecOp::Add:
  case isa::VecOp::Sub:
  case isa::VecOp::Max:
  case isa::VecOp::Min: {
    int64_t va = numerics::applyScale(a - op.zpA, op.mulA);
    int64_t vb = numerics::applyScale(b - op.zpB, op.mulB);
    int64_t v = op.vop == isa::VecOp::Add   ? satAdd(va, vb)
                : op.vop == isa::VecOp::Sub ? satAdd(va, -vb)
                : op.vop == isa::VecOp::Max ? std::max(va, vb)
                                            : std::min(va, vb);
    return clampOut(numerics::applyScale(v, op.mulOut));
  }
  case isa::VecOp::Mul:
    // Operands are bytes (or int32 accumulators, < 2^31 each): the product
    // fits int64 exactly, as in the interpreter.
    return clampOut(
        numerics::applyScale((a - op.zpA) * (b - op.zpB), op.mulOut));
  case isa::VecOp::Rescale:
    return clampOut(numerics::applyScale(a - op.zpA, op.mulA));
  case isa::VecOp::Clamp:
    return numerics::saturate(a, op.clampLo, op.clampHi);
  default:
    return 0; // not elementwise (isElementwiseVec)
  }
}

/// The storage saturation of a VEC result written as a byte.
inline uint8_t storeByte(const Op &op, int64_t v) {
  return uint8_t(op.outSigned ? numerics::saturate(v, -128, 127)
                              : numerics::saturate(v, 0, 255));
}

} // namespace mote::sim

#endif // MOTE_LIB_SIM_VECELEMENT_H
