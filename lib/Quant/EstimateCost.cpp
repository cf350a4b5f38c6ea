//===- EstimateCost.cpp - Print the target cost model's estimate ----------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// --mote-estimate-cost: the energy / latency estimate of quantized IR on a
// target (mote/Quant/CostModel.h), per layer and in total, as text on
// stderr and optionally as JSON. The same formula charges the
// mixed-precision search's trials, so uniform models, plans and
// synthesized models can be compared in one table.
//
//===----------------------------------------------------------------------===//

#include "mote/Quant/Passes.h"

#include "mote/Quant/CalibrationData.h"
#include "mote/Quant/CostModel.h"
#include "mote/Target/TargetDescription.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

namespace mote {
#define GEN_PASS_DEF_MOTEESTIMATECOST
#include "mote/Quant/Passes.h.inc"
} // namespace mote

using namespace mlir;
using namespace mote;
using namespace mote::quant;

namespace {

static llvm::json::Object toJSON(const LayerCost &l) {
  return llvm::json::Object{{"key", l.key},
                            {"macs", l.macs},
                            {"digit_macs", l.digitMacs},
                            {"constant_bytes", l.constantBytes},
                            {"activation_bytes", l.activationBytes},
                            {"mac_uj", l.macPJ * 1e-6},
                            {"constant_uj", l.constantPJ * 1e-6},
                            {"activation_uj", l.activationPJ * 1e-6},
                            {"energy_uj", l.energyPJ() * 1e-6},
                            {"cycles", l.cycles}};
}

struct MoteEstimateCostPass
    : public mote::impl::MoteEstimateCostBase<MoteEstimateCostPass> {
  using MoteEstimateCostBase::MoteEstimateCostBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto desc = loadTarget(target);
    if (!desc) {
      module.emitError() << "mote-estimate-cost: "
                         << llvm::toString(desc.takeError());
      return signalPassFailure();
    }
    func::FuncOp fn = findEntryFunction(module, entry, "mote-estimate-cost");
    if (!fn)
      return signalPassFailure();
    FunctionCost cost = estimateCost(fn, *desc);
    auto &os = llvm::errs();
    os << "cost: target " << desc->name << "\n";
    os << llvm::format("cost: %-36s %12s %12s %10s %10s %10s %10s\n", "layer",
                       "MACs", "digit-MACs", "const B", "act B", "uJ",
                       "cycles");
    for (const LayerCost &l : cost.layers)
      os << llvm::format("cost: %-36s %12.0f %12.0f %10.0f %10.0f %10.5f "
                         "%10.0f\n",
                         l.key.empty() ? "(unnamed)" : l.key.c_str(), l.macs,
                         l.digitMacs, l.constantBytes, l.activationBytes,
                         l.energyPJ() * 1e-6, l.cycles);
    const LayerCost &t = cost.total;
    os << llvm::format("cost: total %.5f uJ (MAC %.5f, constants %.5f, "
                       "activations %.5f), %.0f cycles = %.3f us\n",
                       t.energyPJ() * 1e-6, t.macPJ * 1e-6,
                       t.constantPJ * 1e-6, t.activationPJ * 1e-6, t.cycles,
                       cost.latencyUs(*desc));
    if (json.empty())
      return;
    llvm::json::Array layers;
    for (const LayerCost &l : cost.layers)
      layers.push_back(toJSON(l));
    llvm::json::Object root{{"target", desc->name},
                            {"layers", std::move(layers)},
                            {"total", toJSON(t)},
                            {"latency_us", cost.latencyUs(*desc)}};
    std::error_code ec;
    llvm::raw_fd_ostream out(json, ec, llvm::sys::fs::OF_Text);
    if (ec) {
      module.emitError() << "mote-estimate-cost: " << json
                         << ": cannot write: " << ec.message();
      return signalPassFailure();
    }
    out << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
  }
};

} // namespace
