//===- MoteInterfaces.h - Mote op interfaces --------------------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_DIALECT_MOTEINTERFACES_H
#define MOTE_DIALECT_MOTEINTERFACES_H

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/OpDefinition.h"

namespace mote {

/// How `--mote-quantize` gives an op an integer form (MoteInterfaces.td).
enum class QuantizationKind { Product, Rescale, SameType, Table };

/// The operands of a weighted product: `weightAxis` is the weight's
/// output-channel axis, along which weights are quantized per channel.
struct ProductOperands {
  mlir::Value input, weight, bias;
  int64_t weightAxis = 0;
};

/// Attaches QuantizableOpInterface to the mote ops that have an integer
/// form. Called by the dialect's initializer.
void registerQuantizableOpModels(mlir::MLIRContext &context);

} // namespace mote

#include "Mote/MoteInterfaces.h.inc"

#endif // MOTE_DIALECT_MOTEINTERFACES_H
