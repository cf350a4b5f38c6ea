//===- Quantize.cpp - Post-training quantization of mote IR ---------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// --mote-quantize and the library entry point behind it (mote/Quant/
// Quantize.h): the teacher-guided refinements are prepared once per
// module, then each function is rewritten (QuantizeFunction.cpp).
//
//===----------------------------------------------------------------------===//

#include "QuantizeImpl.h"

#include "mote/Quant/Passes.h"
#include "mote/Quant/RemarkStream.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>

namespace mote {
#define GEN_PASS_DEF_MOTEQUANTIZE
#include "mote/Quant/Passes.h.inc"
} // namespace mote

using namespace mlir;
using namespace mote;
using namespace mote::quant;

LogicalResult mote::quant::quantizeModule(ModuleOp module,
                                          const QuantizeConfig &config,
                                          const PrecisionPlan &plan,
                                          QuantizeSummary *summary) {
  Rules rules;
  rules.asymmetric = config.asymmetric;
  rules.perChannel = config.perChannel;
  Refinement refinement;
  func::FuncOp teacherFn;
  if (failed(prepareRefinement(module, config, refinement, teacherFn)))
    return failure();
  std::unique_ptr<llvm::StdThreadPool> pool;
  unsigned workers = config.threads
                         ? config.threads
                         : llvm::hardware_concurrency().compute_thread_count();
  if (refinement.any() && workers > 1) {
    pool = std::make_unique<llvm::StdThreadPool>(
        llvm::hardware_concurrency(workers));
    refinement.pool = pool.get();
  }
  QuantizeSummary local;
  QuantizeSummary &out = summary ? *summary : local;
  out = QuantizeSummary();
  for (auto fn : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
    if (failed(quantizeFunction(fn, rules, plan, config.defaults, config.useLut,
                                fn == teacherFn ? &refinement : nullptr, out)))
      return failure();
  if (refinement.any()) {
    if (refinement.weightSearch)
      out.refinements.push_back("weight-search");
    if (refinement.adaround)
      out.refinements.push_back("adaround");
    if (refinement.biasCorrection)
      out.refinements.push_back("bias-correction");
    auto rel = [&](double e) {
      return refinement.energy > 0.0 ? e / refinement.energy : 0.0;
    };
    out.baseError = rel(refinement.baseError);
    out.refinedError = rel(refinement.refinedError);
    out.refinedLayers = refinement.layers;
    out.roundingFlips = refinement.adaround ? refinement.flips : 0;
    out.cappedLayers = refinement.skippedLayers;
  }
  return success();
}

void QuantizeSummary::print(llvm::raw_ostream &os) const {
  os << "quantize: " << integerOps << " ops in integers, " << keptInFloat.size()
     << " kept in float";
  if (!keptInFloat.empty())
    os << ": " << llvm::join(keptInFloat, ", ");
  os << "\n";
  if (refinements.empty())
    return;
  os << "refine: " << llvm::join(refinements, ", ") << " on " << refinedLayers
     << " layers: relative output error "
     << llvm::format("%.3e -> %.3e", baseError, refinedError);
  if (llvm::is_contained(refinements, "adaround"))
    os << ", " << roundingFlips << " rounding flips";
  if (cappedLayers)
    os << "; " << cappedLayers
       << " layers over refine-max-gops got bias correction only";
  os << "\n";
}

namespace {

struct MoteQuantizePass
    : public mote::impl::MoteQuantizeBase<MoteQuantizePass> {
  using MoteQuantizeBase::MoteQuantizeBase;
  MoteQuantizePass(const MoteQuantizeOptions &options, QuantizeSummary *sink)
      : MoteQuantizeBase(options), sink(sink) {}

  void runOnOperation() override {
    ModuleOp module = getOperation();
    QuantizeConfig config;
    if (precision == "int8")
      config.defaults = {8, 8};
    else if (precision == "int4")
      config.defaults = {4, 4};
    else if (precision == "w4a8")
      config.defaults = {4, 8};
    else {
      module.emitError() << "mote-quantize: unknown precision '" << precision
                         << "'; expected int8, int4 or w4a8";
      return signalPassFailure();
    }
    PrecisionPlan parsedPlan;
    if (!plan.empty()) {
      std::string error;
      if (failed(readPrecisionPlan(plan, parsedPlan, error))) {
        module.emitError() << "mote-quantize: " << error;
        return signalPassFailure();
      }
    }
    config.perChannel = perChannel;
    config.asymmetric = asymmetric;
    config.useLut = useLut;
    // Unset refinement options default to "on with data".
    if (weightSearch.hasValue())
      config.weightSearch = weightSearch;
    if (biasCorrection.hasValue())
      config.biasCorrection = biasCorrection;
    if (adaround.hasValue())
      config.adaround = adaround;
    config.data = data;
    config.maxSamples = maxSamples;
    config.entry = entry;
    config.threads = threads;
    config.searchVectors = searchVectors;
    config.searchSteps = searchSteps;
    config.adaroundPasses = adaroundPasses;
    config.searchLowest = searchLowest;
    config.refineMaxGops = refineMaxGops;
    QuantizeSummary summary;
    if (failed(quantizeModule(module, config, parsedPlan, &summary)))
      return signalPassFailure();
    numIntegerOps = summary.integerOps;
    numFloatOps = summary.keptInFloat.size();
    numRefinedLayers = summary.refinedLayers;
    numRoundingFlips = summary.roundingFlips;
    if (sink) {
      *sink = std::move(summary);
      return;
    }
    // Without a caller to hand it to, the summary is a remark: the tool's
    // diagnostic handler shows it (mote-opt prints remarks).
    if (!quiet) {
      RemarkStream os(reportLocation(module));
      summary.print(os);
    }
  }

  /// Receives the summary instead of the remarks (motec).
  QuantizeSummary *sink = nullptr;
};

} // namespace

std::unique_ptr<Pass>
mote::createMoteQuantizePass(const MoteQuantizeOptions &options,
                             quant::QuantizeSummary *sink) {
  return std::make_unique<MoteQuantizePass>(options, sink);
}
