//===- SimulatedCost.cpp - The simulator's price of quantized IR ----------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The function is copied into a module of its own (the NPU pipeline takes
// exactly one function), lowered to the target's digit width unless it
// already is, compiled by the NPU pipeline and scheduled; the simulator's
// per-layer statistics are the price (a cascaded layer's stripes summed
// under its name). Scheduling validates the program but
// runs no data: its timing and events do not depend on it.
//
//===----------------------------------------------------------------------===//

#include "mote/Cost/SimulatedCost.h"

#include "Mote/MoteOps.h"
#include "mote/NPU/Passes.h"
#include "mote/NPU/Translate.h"
#include "mote/Quant/Passes.h"
#include "mote/Sim/Simulator.h"

#include "mlir/IR/Builders.h"
#include "mlir/Pass/PassManager.h"

using namespace mlir;
using namespace mote;
using namespace mote::quant;

/// Whether `fn` is already lowered to digit products (motec --emit mote).
static bool isBitLowered(func::FuncOp fn) {
  bool lowered = false;
  fn.walk([&](DigitOp) { lowered = true; });
  return lowered;
}

static LayerCost toCost(const sim::SegmentStats &s) {
  LayerCost c;
  c.key = s.name;
  c.kind = s.kind;
  c.macs = double(s.macs);
  c.digitMacs = double(s.events.digitMacs);
  c.dramBytes = double(s.events.dramReadBytes + s.events.dramWriteBytes);
  c.macPJ = s.energy.macPJ + s.energy.accumulatorPJ;
  for (double pj : s.energy.sramPJ)
    c.sramPJ += pj;
  c.dramPJ = s.energy.dramPJ;
  for (double pj : s.energy.vectorPJ)
    c.vectorPJ += pj;
  c.staticPJ = s.energy.staticPJ;
  c.cycles = double(s.cycles);
  return c;
}

FailureOr<FunctionCost>
mote::cost::simulateCost(func::FuncOp fn, StringRef targetSpec,
                         const TargetDescription &target,
                         const SimulatedCostOptions &options) {
  MLIRContext *ctx = fn.getContext();
  OwningOpRef<ModuleOp> module(ModuleOp::create(fn.getLoc()));
  OpBuilder b(ctx);
  b.setInsertionPointToEnd(module->getBody());
  b.clone(*fn.getOperation());
  PassManager pm(ctx, ModuleOp::getOperationName());
  if (!isBitLowered(fn)) {
    MoteBitwidthLoweringOptions lowering;
    lowering.digitBits = target.macArray.digitBits;
    lowering.quiet = true;
    lowering.npuProducts = true;
    pm.addNestedPass<func::FuncOp>(createMoteBitwidthLowering(lowering));
  }
  npu::buildNpuPipeline(pm, targetSpec, options.weights, options.activations);
  if (failed(pm.run(*module)))
    return fn.emitError("cost model: compiling the function for target '")
           << target.name << "' failed (see the diagnostics above)";
  FailureOr<isa::Program> program = npu::translateToProgram(*module);
  if (failed(program))
    return failure();
  auto simulator =
      sim::Simulator::create(std::move(*program), target, "cost model");
  if (!simulator)
    return fn.emitError("cost model: ")
           << llvm::toString(simulator.takeError());
  const sim::Stats &stats = (*simulator)->stats();
  FunctionCost cost;
  for (const sim::SegmentStats &l : stats.layers) {
    LayerCost c = toCost(l);
    // A cascaded layer is emitted once per stripe ("NAME (stripe k/N)"):
    // its cost is the sum of its stripes, under its own name.
    size_t stripe = c.key.rfind(" (stripe ");
    if (stripe != std::string::npos)
      c.key.resize(stripe);
    auto same = llvm::find_if(cost.layers, [&](const LayerCost &other) {
      return other.key == c.key;
    });
    if (stripe != std::string::npos && same != cost.layers.end()) {
      LayerCost &into = *same;
      into.macs += c.macs, into.digitMacs += c.digitMacs;
      into.dramBytes += c.dramBytes, into.cycles += c.cycles;
      into.macPJ += c.macPJ, into.sramPJ += c.sramPJ, into.dramPJ += c.dramPJ;
      into.vectorPJ += c.vectorPJ, into.staticPJ += c.staticPJ;
      continue;
    }
    cost.layers.push_back(std::move(c));
  }
  cost.total = toCost(stats.total);
  cost.total.key = "total";
  if (stats.hasProgramLoad)
    cost.programLoad = toCost(stats.programLoad);
  return cost;
}

void mote::cost::registerSimulatedCost() {
  registerCostFunction([](func::FuncOp fn, StringRef targetSpec,
                          const TargetDescription &target) {
    return simulateCost(fn, targetSpec, target);
  });
}
