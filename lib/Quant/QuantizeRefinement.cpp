//===- QuantizeRefinement.cpp - Teacher-guided weight refinement ----------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The float network runs on the interpreter over the calibration samples;
// the input statistics of every conv2d / fully_connected then choose each
// weight channel's scale (search), its rounding (AdaRound-style) and a
// corrected bias (docs/Quantization.md). Only constants and scales change.
//
//===----------------------------------------------------------------------===//

#include "QuantizeImpl.h"

#include "Mote/MoteOps.h"
#include "mote/Interp/Interpreter.h"
#include "mote/Quant/CalibrationData.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/ThreadPool.h"

using namespace mlir;
using namespace mote;
using namespace mote::quant;

void mote::quant::refineWeights(Refinement &r, const LayerStatistics &stats,
                                ArrayRef<float> weights, int64_t outChannels,
                                bool perChannel, int64_t qmax,
                                SmallVectorImpl<double> &scales,
                                std::vector<int64_t> &storage,
                                std::vector<float> *bias) {
  int64_t per = int64_t(weights.size()) / outChannels;
  int64_t outPerGroup = outChannels / stats.groups;
  bool needGram = r.weightSearch || r.adaround;
  auto channel = [&](int64_t o) { return weights.slice(o * per, per); };
  auto groupOf = [&](int64_t o) -> const mote::quant::InputStatistics & {
    return stats.perGroup[o / outPerGroup];
  };
  // Layers over the refinement cost cap come without Gram matrices: only
  // bias correction applies to them.
  bool haveGram = llvm::all_of(stats.perGroup,
                               [](const auto &g) { return !g.gram.empty(); });
  needGram = needGram && haveGram;
  // Without the search or the rounding refinement the Gram matrix only
  // feeds the summary's error figures.
  if (!perChannel && r.weightSearch && haveGram) {
    SmallVector<ArrayRef<float>> channels;
    SmallVector<ArrayRef<double>> grams;
    for (int64_t o = 0; o < outChannels; ++o) {
      channels.push_back(channel(o));
      grams.push_back(groupOf(o).gram);
    }
    scales[0] = mote::quant::searchSharedScale(channels, grams, qmax, r.search);
  }
  storage.assign(weights.size(), 0);
  // Channels are independent given their group's statistics: they run on
  // the pool, and their figures are summed in channel order afterwards so
  // that the result does not depend on the thread count.
  std::vector<mote::quant::ChannelRefinement> results(outChannels);
  auto refineOne = [&](int64_t o) {
    ArrayRef<float> w = channel(o);
    const mote::quant::InputStatistics &in = groupOf(o);
    mote::quant::ChannelRefinementOptions options;
    bool zero = llvm::all_of(w, [](float v) { return v == 0.0f; });
    options.search = perChannel && r.weightSearch && !zero && needGram;
    options.scaleSearch = r.search;
    options.adaround = r.adaround && needGram;
    options.adaroundPasses = r.adaroundPasses;
    results[o] = mote::quant::refineChannel(
        w, scales[perChannel ? o : 0], qmax,
        haveGram ? ArrayRef<double>(in.gram) : ArrayRef<double>(), options);
  };
  // Layers of short rows (k < 128: under ~4·10^5 multiply-adds a channel
  // for all candidates) are not worth the tasks.
  int64_t k = per;
  if (r.pool && outChannels > 1 && haveGram && k * k >= (1 << 14)) {
    llvm::ThreadPoolTaskGroup group(*r.pool);
    int64_t chunks = std::min<int64_t>(
        outChannels, int64_t(r.pool->getMaxConcurrency()) * 4);
    for (int64_t c = 0; c < chunks; ++c)
      group.async([&, c] {
        for (int64_t o = outChannels * c / chunks;
             o < outChannels * (c + 1) / chunks; ++o)
          refineOne(o);
      });
    group.wait();
  } else {
    for (int64_t o = 0; o < outChannels; ++o)
      refineOne(o);
  }
  for (int64_t o = 0; o < outChannels; ++o) {
    mote::quant::ChannelRefinement &c = results[o];
    ArrayRef<float> w = channel(o);
    r.baseError += c.base.error;
    if (haveGram)
      r.energy += c.energy;
    r.flips += c.flips;
    r.refinedError += c.result.error;
    if (bias && r.biasCorrection)
      (*bias)[o] = static_cast<float>(mote::quant::correctedBias(
          (*bias)[o], w, c.result, groupOf(o).mean()));
    if (perChannel)
      scales[o] = c.result.scale;
    std::copy(c.result.q.begin(), c.result.q.end(), storage.begin() + o * per);
  }
  ++r.layers;
}

//===----------------------------------------------------------------------===//

LogicalResult mote::quant::prepareRefinement(ModuleOp module,
                                             const QuantizeConfig &config,
                                             Refinement &r,
                                             func::FuncOp &teacherFn) {
  r.weightSearch = config.weightSearch.value_or(true);
  r.biasCorrection = config.biasCorrection.value_or(true);
  r.adaround = config.adaround.value_or(true);
  r.search.lowest = config.searchLowest;
  r.search.steps = config.searchSteps;
  r.adaroundPasses = config.adaroundPasses;
  if (!r.any())
    return success();
  if (config.data.empty()) {
    // On by default only with data: an explicit request without it is an
    // error, the defaults just turn off.
    SmallVector<StringRef> on;
    if (config.weightSearch.value_or(false))
      on.push_back("weight-search");
    if (config.biasCorrection.value_or(false))
      on.push_back("bias-correction");
    if (config.adaround.value_or(false))
      on.push_back("adaround");
    if (on.empty()) {
      r.weightSearch = r.biasCorrection = r.adaround = false;
      return success();
    }
    return module.emitError()
           << "mote-quantize: " << llvm::join(on, ", ")
           << " need calibration data: pass data=FILE.npy|FILE.npz|DIR "
              "(the samples given to --mote-calibrate)";
  }
  if (!(config.searchLowest > 0.0 && config.searchLowest <= 1.0) ||
      config.searchSteps == 0 || config.searchVectors == 0)
    return module.emitError()
           << "mote-quantize: search-lowest must be in (0, 1] and "
              "search-steps, search-vectors positive";
  teacherFn = findEntryFunction(module, config.entry, "mote-quantize");
  if (!teacherFn)
    return failure();
  auto interp = interp::Interpreter::create(teacherFn, {config.threads});
  if (!interp)
    return teacherFn.emitError()
           << "mote-quantize: the float teacher cannot run: "
           << llvm::toString(interp.takeError());
  std::vector<Sample> samples;
  if (failed(loadCalibrationSamples(teacherFn, **interp, config.data,
                                    config.maxSamples, "mote-quantize",
                                    samples)))
    return failure();
  SmallVector<Operation *> layers;
  teacherFn.walk([&](Operation *op) {
    Value weight;
    if (auto conv = dyn_cast<Conv2DOp>(op))
      weight = conv.getFilter();
    else if (auto fc = dyn_cast<FullyConnectedOp>(op))
      weight = fc.getWeight();
    if (weight && constantFloats(weight) &&
        cast<RankedTensorType>(op->getOperand(0).getType())
            .getElementType()
            .isF32())
      layers.push_back(op);
  });
  // The search and AdaRound cost about K^2 (channels * (steps + passes) +
  // vectors) per layer for K-element weight rows (a K x K Gram matrix):
  // cheap for small models, hours for ResNet-50's K = 4608. Layers over
  // refine-max-gops keep bias correction only.
  llvm::DenseSet<Operation *> meanOnly;
  for (Operation *op : layers) {
    auto w = cast<RankedTensorType>(op->getOperand(1).getType());
    int64_t channels = w.getDimSize(0);
    int64_t groups = 1;
    if (auto conv = dyn_cast<Conv2DOp>(op))
      groups = conv.getGroups();
    int64_t k = w.getNumElements() / std::max<int64_t>(1, channels);
    double cost =
        double(k) * double(k) *
        (double(channels) * (config.searchSteps + 3 + config.adaroundPasses) +
         double(config.searchVectors) * double(groups));
    if (cost > config.refineMaxGops * 1e9) {
      meanOnly.insert(op);
      ++r.skippedLayers;
    }
  }
  std::string error;
  if (failed(collectLayerStatistics(teacherFn, **interp, samples, layers,
                                    config.searchVectors, r.teacher, error,
                                    &meanOnly)))
    return teacherFn.emitError() << "mote-quantize: teacher: " << error;
  return success();
}
