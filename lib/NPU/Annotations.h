//===- Annotations.h - NPU pipeline state as IR attributes ------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The NPU pipeline's passes hand their decisions to each other as
// discardable attributes on the `mote` IR, so each step is a pass that can
// be run, inspected and tested alone (and a decision can be pinned by
// editing the IR):
//
//   --mote-npu-form-layers  anchor op: npu.layer = i64, npu.layer_kind = str
//   --mote-npu-tile         anchor op: npu.tile = array<i64: th, tw, tc, cc>,
//                                      npu.loop_order = "oc,oh,ow,ic"
//   --mote-npu-plan-memory  anchor op: npu.dram = i64 (its output tensor's
//                                      DRAM address), or npu.sram = i64
//                                      (kept in the activation buffer),
//                                      npu.band = i64 (a cascade's band
//                                      buffer bytes); first layer of a
//                                      cascade: npu.cascade = array<i64:
//                                      last, stripe rows, tile rows>;
//                           func: npu.dram_inputs = array<i64>,
//                                 npu.const_bytes = i64, npu.dram_top = i64
//
// The anchor is the op a layer is formed around (the `mote.rescale` conv or
// native product of a conv layer, the pool, add, concat, LUT, clamp or
// transpose). Layer formation is deterministic, so each pass re-forms the
// layers and then reads the attributes of the earlier steps; a missing
// attribute means "decide here" (so `--mote-to-npu` alone still works), a
// present one is checked and used.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_LIB_NPU_ANNOTATIONS_H
#define MOTE_LIB_NPU_ANNOTATIONS_H

#include "Layers.h"

#include <optional>

namespace mote::npu {

/// Loads `target` and finds the module's single function; errors name
/// `pass`.
mlir::LogicalResult preparePass(mlir::ModuleOp module, llvm::StringRef target,
                                llvm::StringRef pass, mlir::func::FuncOp &func,
                                std::optional<TargetDescription> &t);

/// Forms the layers; fails if `npu.layer` attributes disagree with them.
mlir::FailureOr<Network> formAnnotatedLayers(mlir::func::FuncOp func,
                                             const TargetDescription &t);

/// Sets each layer's tile from its `npu.tile` (checked against the layer
/// and the target) or, without one, by the cost model.
mlir::LogicalResult tileAnnotatedLayers(Network &net,
                                        const TargetDescription &t);

/// The memory plan from the `npu.dram*` / `npu.sram` attributes
/// (checked), or, without them, planned by liveness (planMemory, `mode`).
mlir::FailureOr<MemoryPlan>
planAnnotatedMemory(Network &net, const TargetDescription &t,
                    mlir::func::FuncOp func, ActivationMode mode);

void annotateLayers(const Network &net);
void annotateTiles(const Network &net);
void annotateMemory(const Network &net, const MemoryPlan &plan,
                    mlir::func::FuncOp func);

} // namespace mote::npu

#endif // MOTE_LIB_NPU_ANNOTATIONS_H
