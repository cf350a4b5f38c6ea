//===- FormLayersPass.cpp - The --mote-npu-form-layers pass ---------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Step 1 of the NPU pipeline: forms the layers (FormLayers.cpp) and marks
// each anchor op with `npu.layer` and `npu.layer_kind` (Annotations.h).
//
//===----------------------------------------------------------------------===//

#include "Annotations.h"
#include "mote/NPU/Passes.h"

namespace mote::npu {
#define GEN_PASS_DEF_MOTENPUFORMLAYERS
#include "mote/NPU/Passes.h.inc"
} // namespace mote::npu

using namespace mlir;
using namespace mote;
using namespace mote::npu;

namespace {
struct FormLayersPass
    : public mote::npu::impl::MoteNPUFormLayersBase<FormLayersPass> {
  using MoteNPUFormLayersBase::MoteNPUFormLayersBase;

  void runOnOperation() override {
    func::FuncOp func;
    std::optional<TargetDescription> t;
    if (failed(preparePass(getOperation(), target, "mote-npu-form-layers",
                           func, t)))
      return signalPassFailure();
    FailureOr<Network> net = formLayers(func, *t);
    if (failed(net))
      return signalPassFailure();
    annotateLayers(*net);
  }
};
} // namespace
