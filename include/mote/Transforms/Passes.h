//===- Passes.h - Mote graph-level transformation passes --------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_TRANSFORMS_PASSES_H
#define MOTE_TRANSFORMS_PASSES_H

#include "Mote/MoteDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace mote {

#define GEN_PASS_DECL
#include "mote/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "mote/Transforms/Passes.h.inc"

} // namespace mote

#endif // MOTE_TRANSFORMS_PASSES_H
