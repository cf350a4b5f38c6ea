//===- CostModel.h - Energy and latency estimate of quantized IR -*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// A first-order cost model of quantized `mote` IR on a Mote NPU target,
// used by the mixed-precision search and by --mote-estimate-cost. It reads
// the bit widths from the IR's own types, so every configuration (uniform,
// per-layer plan, synthesized terms) is charged by one formula:
//
//   MAC energy      = MACs · ceil(a/d) · ceil(w/d) · digit_mac_pj
//   constant energy = weight and bias bytes · (DRAM read + weight-buffer
//                     write + weight-buffer read)
//   activation      = activation bytes · (activation-buffer write + read)
//
// with a and w the storage bits of a product's input and weight. Latency
// per product is max(digit-MACs / (rows·cols), constant bytes / DRAM
// bandwidth) cycles: the load engine streams weights while the array
// computes. docs/MixedPrecision.md describes what is and is not counted.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_QUANT_COSTMODEL_H
#define MOTE_QUANT_COSTMODEL_H

#include "mote/Target/TargetDescription.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace mote::quant {

/// The attribute the mixed-precision search stamps on ops to group their
/// cost by plan line. Discardable; the cost model falls back to the op's
/// location name.
constexpr const char *kLayerAttr = "mote.layer";

/// The cost of one layer (the ops that share a layer key).
struct LayerCost {
  std::string key;           ///< `mote.layer`, else location name, else "".
  double macs = 0;           ///< Multiply-accumulates at the layer's widths.
  double digitMacs = 0;      ///< MACs · digit passes.
  double constantBytes = 0;  ///< Weight + bias bytes.
  double activationBytes = 0;
  double macPJ = 0, constantPJ = 0, activationPJ = 0;
  double cycles = 0;

  double energyPJ() const { return macPJ + constantPJ + activationPJ; }
};

/// The cost of a function, per layer in program order and in total.
struct FunctionCost {
  std::vector<LayerCost> layers;
  LayerCost total;

  double energyUJ() const { return total.energyPJ() * 1e-6; }
  double latencyUs(const TargetDescription &target) const {
    return total.cycles / target.clockMHz;
  }
  /// The layer with this key, or null.
  const LayerCost *find(llvm::StringRef key) const;
};

/// Estimates the cost of quantized `fn` on `target`. Float ops (kept on the
/// host), constants, `mote.digit` views, reshapes, i32 accumulators and the
/// rescaling 1×1 convs of synthesis / bit-width lowering cost nothing.
FunctionCost estimateCost(mlir::func::FuncOp fn,
                          const TargetDescription &target);

} // namespace mote::quant

#endif // MOTE_QUANT_COSTMODEL_H
