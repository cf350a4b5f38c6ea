//===- Passes.h - Mote graph-level transformation passes --------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_TRANSFORMS_PASSES_H
#define MOTE_TRANSFORMS_PASSES_H

#include "Mote/MoteDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

namespace mote {

#define GEN_PASS_DECL
#include "mote/Transforms/Passes.h.inc"

/// Adds the patterns of --mote-fold-qdq (dequantize → float op → quantize
/// into quantized ops, and the exact moves that expose them) to `patterns`,
/// for importers' clean-up pipelines.
void populateFoldQdqPatterns(mlir::RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "mote/Transforms/Passes.h.inc"

} // namespace mote

#endif // MOTE_TRANSFORMS_PASSES_H
