//===- PlanMemoryPass.cpp - The --mote-npu-plan-memory pass ---------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Step 3 of the NPU pipeline: sizes the constant image of the tiled layers
// and plans where the activations live, on chip or in DRAM above the
// constants (MemoryPlan.cpp), recording the addresses as `npu.dram*` and
// `npu.sram` attributes (Annotations.h).
//
//===----------------------------------------------------------------------===//

#include "Annotations.h"
#include "mote/NPU/Passes.h"

namespace mote::npu {
#define GEN_PASS_DEF_MOTENPUPLANMEMORY
#include "mote/NPU/Passes.h.inc"
} // namespace mote::npu

using namespace mlir;
using namespace mote;
using namespace mote::npu;

namespace {
struct PlanMemoryPass
    : public mote::npu::impl::MoteNPUPlanMemoryBase<PlanMemoryPass> {
  using MoteNPUPlanMemoryBase::MoteNPUPlanMemoryBase;

  void runOnOperation() override {
    func::FuncOp func;
    std::optional<TargetDescription> t;
    if (failed(preparePass(getOperation(), target, "mote-npu-plan-memory",
                           func, t)))
      return signalPassFailure();
    FailureOr<Network> net = formAnnotatedLayers(func, *t);
    if (failed(net) || failed(tileAnnotatedLayers(*net, *t)))
      return signalPassFailure();
    std::optional<ActivationMode> mode = parseActivationMode(activations);
    if (!mode) {
      getOperation().emitError("mote-npu-plan-memory: activations='")
          << activations << "' (expected auto or dram)";
      return signalPassFailure();
    }
    // Re-plan from scratch: earlier addresses may be stale.
    MemoryPlan plan = planMemory(*net, *t, constantBytes(*net, *t, &getContext()),
                                 *mode);
    annotateLayers(*net);
    annotateTiles(*net);
    annotateMemory(*net, plan, func);
  }
};
} // namespace
