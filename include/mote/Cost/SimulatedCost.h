//===- SimulatedCost.h - The simulator's price of quantized IR --*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The one cost model (issue 15): quantized `mote` IR is priced by compiling
// it as `motec` does (bit-width lowering to the target's digit width, the
// NPU pipeline with its tiling and memory plan) and scheduling the program
// on the simulator, whose event counts and energy table give every figure.
// The mixed-precision search and --mote-estimate-cost use it through
// mote::quant::priceFunction.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_COST_SIMULATEDCOST_H
#define MOTE_COST_SIMULATEDCOST_H

#include "mote/Quant/CostModel.h"

namespace mote::cost {

/// How the priced program is compiled (motec's --weights / --activations).
struct SimulatedCostOptions {
  std::string weights = "auto";
  std::string activations = "auto";
};

/// Compiles a copy of quantized `fn` for `targetSpec` and returns what the
/// simulator counts for one inference, per NPU layer (keyed by the layer's
/// name, its anchor op's location name) and in total. Host segments are
/// not priced (the simulator prices the chip only). Errors at `fn`.
mlir::FailureOr<quant::FunctionCost>
simulateCost(mlir::func::FuncOp fn, llvm::StringRef targetSpec,
             const TargetDescription &target,
             const SimulatedCostOptions &options = {});

/// Registers simulateCost (default options) as mote::quant's cost function.
void registerSimulatedCost();

} // namespace mote::cost

#endif // MOTE_COST_SIMULATEDCOST_H
