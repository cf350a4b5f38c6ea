//===- MoteToNPU.cpp - The --mote-to-npu pass -----------------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Drives layer formation, tiling, DRAM planning and emission (Layers.h,
// Tiling.cpp, Emit.cpp) and replaces the function by the npu.program.
//
//===----------------------------------------------------------------------===//

#include "Annotations.h"
#include "Emit.h"
#include "mote/NPU/Passes.h"

#include "mlir/Pass/PassRegistry.h"

namespace mote::npu {
#define GEN_PASS_DEF_MOTETONPU
#include "mote/NPU/Passes.h.inc"
} // namespace mote::npu

using namespace mlir;
using namespace mote;
using namespace mote::npu;

namespace {
struct MoteToNPUPass : public mote::npu::impl::MoteToNPUBase<MoteToNPUPass> {
  using MoteToNPUBase::MoteToNPUBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    func::FuncOp func;
    std::optional<TargetDescription> t;
    if (failed(preparePass(module, target, "mote-to-npu", func, t)))
      return signalPassFailure();
    // The earlier steps' decisions where annotated, else made here.
    FailureOr<Network> net = formAnnotatedLayers(func, *t);
    if (failed(net) || failed(tileAnnotatedLayers(*net, *t)))
      return signalPassFailure();
    std::optional<WeightMode> mode = parseWeightMode(weights);
    if (!mode) {
      module.emitError("mote-to-npu: weights='")
          << weights << "' (expected auto, resident or stream)";
      return signalPassFailure();
    }
    std::optional<ActivationMode> actMode = parseActivationMode(activations);
    if (!actMode) {
      module.emitError("mote-to-npu: activations='")
          << activations << "' (expected auto or dram)";
      return signalPassFailure();
    }
    FailureOr<MemoryPlan> plan = planAnnotatedMemory(*net, *t, func, *actMode);
    if (failed(plan) ||
        failed(emitProgram(*net, *t, *plan, module, func.getLoc(), *mode)))
      return signalPassFailure();
    func.erase();
  }
};
} // namespace

void mote::npu::buildNpuPipeline(OpPassManager &pm, StringRef target,
                                 StringRef weights, StringRef activations) {
  pm.addPass(createMoteNPUFormLayers(MoteNPUFormLayersOptions{target.str()}));
  pm.addPass(createMoteNPUTile(MoteNPUTileOptions{target.str()}));
  pm.addPass(createMoteNPUPlanMemory(
      MoteNPUPlanMemoryOptions{target.str(), activations.str()}));
  pm.addPass(createMoteToNPU(
      MoteToNPUOptions{target.str(), weights.str(), activations.str()}));
  pm.addNestedPass<ProgramOp>(createNPUEstimate());
}

namespace {
struct NpuPipelineOptions
    : public mlir::PassPipelineOptions<NpuPipelineOptions> {
  Option<std::string> target{*this, "target",
                             llvm::cl::desc("target name or JSON file"),
                             llvm::cl::init("mote-default")};
  Option<std::string> weights{
      *this, "weights",
      llvm::cl::desc("auto | resident | stream (see --mote-to-npu)"),
      llvm::cl::init("auto")};
  Option<std::string> activations{
      *this, "activations",
      llvm::cl::desc("auto | dram (see --mote-npu-plan-memory)"),
      llvm::cl::init("auto")};
};
} // namespace

void mote::npu::registerNpuPipeline() {
  PassPipelineRegistration<NpuPipelineOptions>(
      "mote-npu-pipeline",
      "The NPU backend on bit-width-lowered IR: --mote-npu-form-layers, "
      "--mote-npu-tile, --mote-npu-plan-memory, --mote-to-npu, --npu-estimate",
      [](OpPassManager &pm, const NpuPipelineOptions &opts) {
        buildNpuPipeline(pm, opts.target, opts.weights, opts.activations);
      });
}
