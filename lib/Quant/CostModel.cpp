//===- CostModel.cpp - The registered cost function -----------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Holds the cost function a tool registered (mote/Quant/CostModel.h). The
// price itself is the simulator's (lib/Cost/SimulatedCost.cpp): there is
// no second formula here.
//
//===----------------------------------------------------------------------===//

#include "mote/Quant/CostModel.h"

#include <mutex>

using namespace mlir;
using namespace mote;
using namespace mote::quant;

const LayerCost *FunctionCost::find(StringRef key) const {
  for (const LayerCost &l : layers)
    if (l.key == key)
      return &l;
  return nullptr;
}

static std::mutex &costMutex() {
  static std::mutex m;
  return m;
}

static CostFunction &registered() {
  static CostFunction f;
  return f;
}

void mote::quant::registerCostFunction(CostFunction function) {
  std::lock_guard<std::mutex> lock(costMutex());
  registered() = std::move(function);
}

FailureOr<FunctionCost>
mote::quant::priceFunction(func::FuncOp fn, StringRef targetSpec,
                           const TargetDescription &target) {
  CostFunction f;
  {
    std::lock_guard<std::mutex> lock(costMutex());
    f = registered();
  }
  if (!f)
    return fn.emitError("no cost model registered: this tool was built "
                        "without the NPU backend (call "
                        "mote::cost::registerSimulatedCost)");
  return f(fn, targetSpec, target);
}
