//===- Passes.h - Conversions into the mote dialect -------------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_CONVERSION_PASSES_H
#define MOTE_CONVERSION_PASSES_H

#include "Mote/MoteDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Pass/Pass.h"

namespace mote {

#define GEN_PASS_DECL
#include "mote/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "mote/Conversion/Passes.h.inc"

} // namespace mote

#endif // MOTE_CONVERSION_PASSES_H
