//===- MoteOps.h - Mote dialect operations ----------------------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_DIALECT_MOTEOPS_H
#define MOTE_DIALECT_MOTEOPS_H

#include "Mote/MoteDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mote {
/// One output coordinate of a resized dimension (mote.resize): it reads
/// input index i0 with weight 1 - w1 and i1 with weight w1.
struct ResizeTap {
  int64_t i0, i1;
  double w1;
  /// The one element a dimension that is not interpolated reads (w1 is 0
  /// or 1 there, or i0 == i1).
  int64_t selected() const { return w1 >= 0.5 ? i1 : i0; }
};
} // namespace mote

#define GET_OP_CLASSES
#include "Mote/MoteOps.h.inc"

#endif // MOTE_DIALECT_MOTEOPS_H
