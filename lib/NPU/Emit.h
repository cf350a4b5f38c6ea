//===- Emit.h - Mote -> NPU instruction emission ----------------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_LIB_NPU_EMIT_H
#define MOTE_LIB_NPU_EMIT_H

#include "Layers.h"

namespace mote::npu {

/// Appends an `npu.program` for the tiled `net` with DRAM plan `plan`
/// (planDram on constantBytes) to `module`.
mlir::LogicalResult emitProgram(Network &net, const TargetDescription &target,
                                const DramPlan &plan, mlir::ModuleOp module,
                                mlir::Location loc);

} // namespace mote::npu

#endif // MOTE_LIB_NPU_EMIT_H
