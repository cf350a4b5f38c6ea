//===- EstimateCost.cpp - Print the target cost model's estimate ----------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// --mote-estimate-cost: the energy and latency of quantized IR on a target
// (mote/Quant/CostModel.h: what the simulator counts for the program the
// backend compiles from it), per NPU layer and in total, as text on stderr
// and optionally as JSON. The same cost prices the mixed-precision
// search's trials, so uniform models, plans and synthesized models compare
// in one table, and the figures are mote-sim's.
//
//===----------------------------------------------------------------------===//

#include "mote/Quant/Passes.h"

#include "mote/Quant/CalibrationData.h"
#include "mote/Quant/CostModel.h"
#include "mote/Quant/RemarkStream.h"
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
                            {"kind", l.kind},
                            {"macs", l.macs},
                            {"digit_macs", l.digitMacs},
                            {"dram_bytes", l.dramBytes},
                            {"mac_uj", l.macPJ * 1e-6},
                            {"sram_uj", l.sramPJ * 1e-6},
                            {"dram_uj", l.dramPJ * 1e-6},
                            {"vector_uj", l.vectorPJ * 1e-6},
                            {"static_uj", l.staticPJ * 1e-6},
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
    FailureOr<FunctionCost> priced = priceFunction(fn, target, *desc);
    if (failed(priced))
      return signalPassFailure();
    const FunctionCost &cost = *priced;
    RemarkStream os(reportLocation(module));
    os << "cost: target " << desc->name << "\n";
    os << llvm::format("cost: %-36s %-16s %12s %12s %10s %10s %10s\n",
                       "layer", "kind", "MACs", "digit-MACs", "DRAM B", "uJ",
                       "cycles");
    for (const LayerCost &l : cost.layers)
      os << llvm::format("cost: %-36s %-16s %12.0f %12.0f %10.0f %10.5f "
                         "%10.0f\n",
                         l.key.empty() ? "(unnamed)" : l.key.c_str(),
                         l.kind.c_str(), l.macs, l.digitMacs, l.dramBytes,
                         l.energyPJ() * 1e-6, l.cycles);
    const LayerCost &t = cost.total;
    os << llvm::format("cost: total %.5f uJ (MAC %.5f, SRAM %.5f, DRAM %.5f, "
                       "vector %.5f, static %.5f), %.0f cycles = %.3f us\n",
                       t.energyPJ() * 1e-6, t.macPJ * 1e-6, t.sramPJ * 1e-6,
                       t.dramPJ * 1e-6, t.vectorPJ * 1e-6, t.staticPJ * 1e-6,
                       t.cycles, cost.latencyUs(*desc));
    if (cost.programLoad.cycles > 0)
      os << llvm::format("cost: program load (once) %.5f uJ, %.0f cycles\n",
                         cost.programLoad.energyPJ() * 1e-6,
                         cost.programLoad.cycles);
    if (json.empty())
      return;
    llvm::json::Array layers;
    for (const LayerCost &l : cost.layers)
      layers.push_back(toJSON(l));
    llvm::json::Object root{{"target", desc->name},
                            {"layers", std::move(layers)},
                            {"total", toJSON(t)},
                            {"program_load", toJSON(cost.programLoad)},
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
