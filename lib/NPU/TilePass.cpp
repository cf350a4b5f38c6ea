//===- TilePass.cpp - The --mote-npu-tile pass ----------------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Step 2 of the NPU pipeline: chooses each layer's tile by the cost model
// (Tiling.cpp), keeping (after checking) tiles already pinned by `npu.tile`,
// and records `npu.tile` and `npu.loop_order` on the anchors.
//
//===----------------------------------------------------------------------===//

#include "Annotations.h"
#include "mote/NPU/Passes.h"

namespace mote::npu {
#define GEN_PASS_DEF_MOTENPUTILE
#include "mote/NPU/Passes.h.inc"
} // namespace mote::npu

using namespace mlir;
using namespace mote;
using namespace mote::npu;

namespace {
struct TilePass : public mote::npu::impl::MoteNPUTileBase<TilePass> {
  using MoteNPUTileBase::MoteNPUTileBase;

  void runOnOperation() override {
    func::FuncOp func;
    std::optional<TargetDescription> t;
    if (failed(preparePass(getOperation(), target, "mote-npu-tile", func, t)))
      return signalPassFailure();
    FailureOr<Network> net = formAnnotatedLayers(func, *t);
    if (failed(net) || failed(tileAnnotatedLayers(*net, *t)))
      return signalPassFailure();
    annotateLayers(*net);
    annotateTiles(*net);
  }
};
} // namespace
