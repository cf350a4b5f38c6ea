//===- Calibrate.cpp - Record activation ranges on calibration data -------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Runs the float network on the reference interpreter over calibration
// samples and writes the clipping range of every argument and op result
// into the IR as `mote.calib`, where --mote-quantize reads it. Histogram
// methods run the data twice (ranges, then histograms) so that the
// histogram's bins are fixed and no sample is binned twice.
//
//===----------------------------------------------------------------------===//

#include "mote/Quant/Passes.h"

#include "Mote/MoteOps.h"
#include "mote/Interp/Interpreter.h"
#include "mote/Quant/Calibration.h"
#include "mote/Quant/CalibrationData.h"
#include "mote/Quant/RemarkStream.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

namespace mote {
#define GEN_PASS_DEF_MOTECALIBRATE
#include "mote/Quant/Passes.h.inc"
} // namespace mote

using namespace mlir;
using namespace mote;
using namespace mote::quant;

namespace {

struct MoteCalibratePass
    : public mote::impl::MoteCalibrateBase<MoteCalibratePass> {
  using MoteCalibrateBase::MoteCalibrateBase;

  void runOnOperation() override;
};

void MoteCalibratePass::runOnOperation() {
  auto parsedMethod = parseCalibrationMethod(method);
  if (!parsedMethod) {
    getOperation().emitError()
        << "mote-calibrate: unknown method '" << method
        << "'; expected minmax, percentile, kl or mse";
    return signalPassFailure();
  }
  if (!(percentile > 0.0 && percentile <= 100.0)) {
    getOperation().emitError()
        << "mote-calibrate: percentile must be in (0, 100], got "
        << percentile;
    return signalPassFailure();
  }
  func::FuncOp fn =
      findEntryFunction(getOperation(), entry, "mote-calibrate");
  if (!fn)
    return signalPassFailure();

  auto interp = interp::Interpreter::create(fn, {threads});
  if (!interp) {
    fn.emitError() << "mote-calibrate: "
                   << llvm::toString(interp.takeError());
    return signalPassFailure();
  }
  std::vector<Sample> samples;
  if (failed(loadCalibrationSamples(fn, **interp, data, maxSamples,
                                    "mote-calibrate", samples)))
    return signalPassFailure();

  // Statistics per argument and per (op, result).
  std::vector<TensorStatistics> argStats(fn.getNumArguments());
  llvm::DenseMap<Operation *, std::vector<TensorStatistics>> opStats;
  bool histogramPass = false;
  auto observe = [&](TensorStatistics &s, ArrayRef<float> values) {
    if (histogramPass)
      s.observeHistogram(values);
    else
      s.observeRange(values);
  };
  auto observer = [&](Operation *op, ArrayRef<const interp::Tensor *> results) {
    if (isa<ConstantOp>(op))
      return;
    auto &stats = opStats[op];
    stats.resize(results.size());
    for (auto [i, t] : llvm::enumerate(results))
      if (!t->isQuantized())
        observe(stats[i], t->f);
  };

  int passes = *parsedMethod == CalibrationMethod::MinMax ? 1 : 2;
  size_t n = samples.size();
  for (int pass = 0; pass < passes; ++pass) {
    histogramPass = pass == 1;
    size_t nextReport = n / 10;
    for (size_t s = 0; s < n; ++s) {
      for (auto [i, t] : llvm::enumerate(samples[s]))
        observe(argStats[i], ArrayRef<float>(t.f32(), t.numElements()));
      auto out = (*interp)->runTensors(samples[s], observer);
      if (!out) {
        fn.emitError() << "mote-calibrate: sample " << s << ": "
                       << llvm::toString(out.takeError());
        return signalPassFailure();
      }
      if (n >= 50 && s + 1 >= nextReport && s + 1 < n) {
        RemarkStream(reportLocation(fn))
            << "calibrate: " << (histogramPass ? "histograms " : "")
            << (s + 1) << "/" << n << " samples\n";
        nextReport += n / 10;
      }
    }
  }
  if (n >= 50)
    RemarkStream(reportLocation(fn)) << "calibrate: " << n << "/" << n
                                     << " samples, method " << method << "\n";

  Builder b(&getContext());
  auto rangeAttr = [&](const TensorStatistics &s) {
    Range r = s.computeRange(*parsedMethod, percentile);
    return b.getDenseF64ArrayAttr({r.lo, r.hi});
  };
  for (auto [i, s] : llvm::enumerate(argStats))
    fn.setArgAttr(i, kCalibAttr, rangeAttr(s));
  fn.walk([&](Operation *op) {
    auto it = opStats.find(op);
    if (it == opStats.end() || it->second.empty())
      return;
    if (it->second.size() == 1) {
      op->setAttr(kCalibAttr, rangeAttr(it->second[0]));
      return;
    }
    SmallVector<Attribute> pairs;
    for (const TensorStatistics &s : it->second)
      pairs.push_back(rangeAttr(s));
    op->setAttr(kCalibAttr, b.getArrayAttr(pairs));
  });
}

} // namespace
