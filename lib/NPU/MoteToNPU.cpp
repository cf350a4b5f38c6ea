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

#include "Emit.h"
#include "Layers.h"
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
    llvm::Expected<TargetDescription> t = loadTarget(target);
    if (!t) {
      module.emitError("--mote-to-npu: ") << llvm::toString(t.takeError());
      return signalPassFailure();
    }
    SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
    if (funcs.size() != 1) {
      module.emitError("--mote-to-npu expects exactly one function, found ")
          << funcs.size();
      return signalPassFailure();
    }
    func::FuncOp func = funcs.front();
    FailureOr<Network> net = formLayers(func, *t);
    if (failed(net) || failed(chooseTiling(*net, *t)) ||
        failed(emitProgram(*net, *t, module, func.getLoc())))
      return signalPassFailure();
    func.erase();
  }
};
} // namespace

void mote::npu::buildNpuPipeline(OpPassManager &pm, StringRef target) {
  MoteToNPUOptions opts;
  opts.target = target.str();
  pm.addPass(createMoteToNPU(opts));
  pm.addNestedPass<ProgramOp>(createNPUEstimate());
}

namespace {
struct NpuPipelineOptions
    : public mlir::PassPipelineOptions<NpuPipelineOptions> {
  Option<std::string> target{*this, "target",
                             llvm::cl::desc("target name or JSON file"),
                             llvm::cl::init("mote-default")};
};
} // namespace

void mote::npu::registerNpuPipeline() {
  PassPipelineRegistration<NpuPipelineOptions>(
      "mote-npu-pipeline",
      "The NPU backend on bit-width-lowered IR: --mote-to-npu, --npu-estimate",
      [](OpPassManager &pm, const NpuPipelineOptions &opts) {
        buildNpuPipeline(pm, opts.target);
      });
}
