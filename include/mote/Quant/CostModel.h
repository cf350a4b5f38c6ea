//===- CostModel.h - Energy and latency of quantized IR ---------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The cost of quantized `mote` IR on a Mote NPU target, as the mixed-
// precision search and --mote-estimate-cost see it. There is one cost
// model, the simulator's: the price of a function is what `mote-sim`
// counts for the program the backend compiles from it (bit-width lowering,
// layers, tiles, the memory plan, emission), per layer and in total. The
// function that does this lives with the backend (mote/Cost/SimulatedCost.h,
// which depends on this library); tools register it at start-up, so lib/Quant
// needs neither the backend nor the simulator to link.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_QUANT_COSTMODEL_H
#define MOTE_QUANT_COSTMODEL_H

#include "mote/Target/TargetDescription.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringRef.h"

#include <functional>
#include <string>
#include <vector>

namespace mote::quant {

/// The attribute the mixed-precision search stamps on ops to group their
/// cost by plan line. Discardable.
constexpr const char *kLayerAttr = "mote.layer";

/// The cost of one NPU layer per inference (or of the whole program).
struct LayerCost {
  std::string key;  ///< The layer's name: its anchor op's location name.
  std::string kind; ///< The NPU layer kind ("conv2d", "add", ...).
  double macs = 0;      ///< Multiply-accumulates of the original op.
  double digitMacs = 0; ///< Digit-MACs the array runs.
  double dramBytes = 0; ///< DRAM bytes read + written.
  /// Energy by component (pJ): digit MACs and accumulator adds, the three
  /// SRAM buffers, DRAM, the vector unit, static power over its cycles.
  double macPJ = 0, sramPJ = 0, dramPJ = 0, vectorPJ = 0, staticPJ = 0;
  double cycles = 0;
  double energyPJ() const {
    return macPJ + sramPJ + dramPJ + vectorPJ + staticPJ;
  }
};

/// The cost of a function, per layer in program order and in total; the
/// one-time program load (resident weights) apart.
struct FunctionCost {
  std::vector<LayerCost> layers;
  LayerCost total;
  LayerCost programLoad;
  double energyUJ() const { return total.energyPJ() * 1e-6; }
  double latencyUs(const TargetDescription &target) const {
    return total.cycles / target.clockMHz;
  }
  /// The layer with this key, or null.
  const LayerCost *find(llvm::StringRef key) const;
};

/// Prices quantized `fn` on a target given by name or JSON file
/// (`targetSpec`) and its loaded description. Errors are emitted at `fn`.
using CostFunction = std::function<mlir::FailureOr<FunctionCost>(
    mlir::func::FuncOp fn, llvm::StringRef targetSpec,
    const TargetDescription &target)>;

/// Installs the cost function (mote::cost::registerSimulatedCost does).
void registerCostFunction(CostFunction function);

/// Prices `fn` with the registered cost function; fails with an error at
/// `fn` when the tool registered none.
mlir::FailureOr<FunctionCost> priceFunction(mlir::func::FuncOp fn,
                                            llvm::StringRef targetSpec,
                                            const TargetDescription &target);

} // namespace mote::quant

#endif // MOTE_QUANT_COSTMODEL_H
