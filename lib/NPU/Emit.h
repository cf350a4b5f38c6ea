//===- Emit.h - Mote -> NPU instruction emission ----------------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_LIB_NPU_EMIT_H
#define MOTE_LIB_NPU_EMIT_H

#include "Layers.h"

namespace mote::npu {

/// Where the weights live: loaded once by a program-load preamble and kept
/// in the weight buffer, streamed per layer through two slots, or resident
/// when they fit (Auto).
enum class WeightMode { Auto, Resident, Stream };

/// Parses "auto" | "resident" | "stream".
std::optional<WeightMode> parseWeightMode(llvm::StringRef name);

/// Appends an `npu.program` for the tiled `net` with DRAM plan `plan`
/// (planMemory on constantBytes) to `module`. Fails with an error naming the
/// sizes when `weights` is Resident and they do not fit.
mlir::LogicalResult emitProgram(Network &net, const TargetDescription &target,
                                const MemoryPlan &plan, mlir::ModuleOp module,
                                mlir::Location loc,
                                WeightMode weights = WeightMode::Auto);

} // namespace mote::npu

#endif // MOTE_LIB_NPU_EMIT_H
