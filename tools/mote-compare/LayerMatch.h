//===- LayerMatch.h - Pair the layers of a float and a quantized model ----===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// mote-compare measures how far each layer of a quantized model drifts from
// the float model it came from. This file decides which op of one model is
// "the same layer" as an op of the other. The quantize pass keeps every
// op's location, so locations are the primary key; IR that went through a
// printer without debug info has lost them, so ops are also paired by their
// order among the ops of the same kind.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_TOOLS_MOTECOMPARE_LAYERMATCH_H
#define MOTE_TOOLS_MOTECOMPARE_LAYERMATCH_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>
#include <vector>

namespace mote::compare {

/// One compared layer: a float op result and its quantized counterpart.
struct LayerPair {
  /// The float op, and the op whose result is the reference: the float op
  /// itself, or a clamp after it that the quantizer folded into it (its
  /// result type saturates where the clamp did).
  mlir::Operation *floatOp = nullptr;
  mlir::Operation *referenceOp = nullptr;
  mlir::Operation *quantOp = nullptr;
  unsigned result = 0;
  /// Display name: the location name, else `kind#k` (k-th op of its kind).
  std::string name;
  /// The float op's kind (`conv2d`), with `+clamp` for a folded clamp.
  std::string kind;
  /// How the pair was found: "location" or "order".
  std::string matchedBy;
};

struct LayerMatch {
  std::vector<LayerPair> pairs; ///< In the float model's program order.
  std::vector<mlir::Operation *> unmatchedFloat;
  std::vector<mlir::Operation *> unmatchedQuant;
  /// Pairs dropped because their result shapes differ (name: reason).
  std::vector<std::string> warnings;
};

/// True for ops that compute a layer (not constants, quantization
/// bookkeeping or the terminator).
bool isComparable(mlir::Operation *op);

/// The name carried by a location (a NameLoc, also inside a fused or
/// call-site location), else "".
std::string locationName(mlir::Location loc);

/// The key locations are matched by: the location name, else
/// `file:line:col`, else "".
std::string locationKey(mlir::Location loc);

/// Pairs the layers of `floatFn` with those of `quantFn`.
LayerMatch matchLayers(mlir::func::FuncOp floatFn, mlir::func::FuncOp quantFn);

} // namespace mote::compare

#endif // MOTE_TOOLS_MOTECOMPARE_LAYERMATCH_H
