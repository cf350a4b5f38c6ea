//===- Passes.h - Mote -> NPU passes and pipeline ---------------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_NPU_PASSES_H
#define MOTE_NPU_PASSES_H

#include "NPU/NPUOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace mote::npu {

#define GEN_PASS_DECL
#include "mote/NPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "mote/NPU/Passes.h.inc"

/// The backend pipeline on a quantized, bit-width-lowered module:
/// --mote-npu-form-layers, --mote-npu-tile, --mote-npu-plan-memory,
/// --mote-to-npu (all with target=NAME), then --npu-estimate. (Bit-width lowering to
/// the target's digit width is the caller's: its digit width must match.)
void buildNpuPipeline(mlir::OpPassManager &pm, llvm::StringRef target,
                      llvm::StringRef weights = "auto",
                      llvm::StringRef activations = "auto");

/// Registers buildNpuPipeline as `--mote-npu-pipeline="target=NAME"`.
void registerNpuPipeline();

} // namespace mote::npu

#endif // MOTE_NPU_PASSES_H
