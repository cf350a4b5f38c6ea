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
#include "mote/Support/Npy.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
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

/// One sample: one float tensor per function argument.
using Sample = std::vector<HostTensor>;

/// Converts any dtype to f32 (integer images are common calibration data).
static HostTensor toFloat(const HostTensor &t) {
  if (t.dtype == DType::F32)
    return t;
  HostTensor f = HostTensor::zeros(DType::F32, t.shape);
  f.name = t.name;
  for (int64_t i = 0, e = t.numElements(); i < e; ++i)
    f.f32()[i] = static_cast<float>(t.getDouble(i));
  return f;
}

/// Splits `data` into samples of `argType`'s shape: either exactly that
/// shape, or a leading dimension that is a multiple of the argument's
/// leading dimension with the same number of elements per row.
static FailureOr<std::vector<HostTensor>>
splitSamples(const HostTensor &data, RankedTensorType argType,
             StringRef what, std::string &error) {
  std::vector<int64_t> shape(argType.getShape().begin(),
                             argType.getShape().end());
  int64_t argElems = argType.getNumElements();
  std::vector<HostTensor> out;
  if (data.shape == shape) {
    out.push_back(toFloat(data));
    return out;
  }
  int64_t lead = shape.empty() ? 1 : shape[0];
  int64_t perLead = lead > 0 ? argElems / lead : 0;
  int64_t dataRow = 1;
  for (size_t i = 1; i < data.shape.size(); ++i)
    dataRow *= data.shape[i];
  if (data.shape.empty() || lead <= 0 || data.shape[0] % lead != 0 ||
      dataRow != perLead) {
    error = (what + ": shape " + formatShape(data.shape) +
             " is neither the argument's shape " + formatShape(shape) +
             " nor a batch [N*" + std::to_string(lead) + ", ...] of it")
                .str();
    return failure();
  }
  HostTensor f = toFloat(data);
  int64_t count = data.shape[0] / lead;
  for (int64_t s = 0; s < count; ++s) {
    HostTensor t = HostTensor::zeros(DType::F32, shape);
    std::copy_n(f.f32() + s * argElems, argElems, t.f32());
    out.push_back(std::move(t));
  }
  return out;
}

struct MoteCalibratePass
    : public mote::impl::MoteCalibrateBase<MoteCalibratePass> {
  using MoteCalibrateBase::MoteCalibrateBase;

  void runOnOperation() override;

private:
  func::FuncOp findEntry();
  LogicalResult loadSamples(func::FuncOp fn, interp::Interpreter &interp,
                            std::vector<Sample> &samples);
};

func::FuncOp MoteCalibratePass::findEntry() {
  ModuleOp module = getOperation();
  if (!entry.empty()) {
    auto fn = module.lookupSymbol<func::FuncOp>(entry);
    if (!fn)
      module.emitError() << "mote-calibrate: no function named '" << entry
                         << "'";
    return fn;
  }
  if (auto fn = module.lookupSymbol<func::FuncOp>("main"))
    return fn;
  func::FuncOp only;
  unsigned count = 0;
  for (auto fn : module.getOps<func::FuncOp>())
    if (!fn.isExternal()) {
      only = fn;
      ++count;
    }
  if (count != 1) {
    module.emitError() << "mote-calibrate: " << count
                       << " functions and none named 'main'; choose one "
                          "with entry=NAME";
    return {};
  }
  return only;
}

LogicalResult MoteCalibratePass::loadSamples(func::FuncOp fn,
                                             interp::Interpreter &interp,
                                             std::vector<Sample> &samples) {
  unsigned numArgs = fn.getNumArguments();
  auto argType = [&](unsigned i) {
    return cast<RankedTensorType>(fn.getArgumentTypes()[i]);
  };
  auto fail = [&](const Twine &msg) {
    fn.emitError() << "mote-calibrate: " << msg;
    return failure();
  };
  if (data.empty())
    return fail("no calibration data; pass data=FILE.npy|FILE.npz|DIR");
  if (numArgs == 0)
    return fail("function has no arguments to feed");

  // Per argument, the list of sample tensors.
  std::vector<std::vector<HostTensor>> perArg(numArgs);
  std::string error;
  auto addTo = [&](unsigned arg, const HostTensor &t,
                   StringRef what) -> LogicalResult {
    auto split = splitSamples(t, argType(arg), what, error);
    if (failed(split))
      return fail(error);
    for (HostTensor &s : *split)
      perArg[arg].push_back(std::move(s));
    return success();
  };
  auto addNpz = [&](std::vector<HostTensor> &members,
                    StringRef path) -> LogicalResult {
    if (numArgs == 1 && members.size() == 1)
      return addTo(0, members[0], (path + ":" + members[0].name).str());
    for (HostTensor &m : members) {
      unsigned arg = numArgs;
      for (unsigned i = 0; i < numArgs; ++i)
        if (interp.argumentName(i) == m.name)
          arg = i;
      if (arg == numArgs)
        return fail(path + ": member '" + m.name +
                    "' names no argument of @" + fn.getSymName());
      if (failed(addTo(arg, m, (path + ":" + m.name).str())))
        return failure();
    }
    return success();
  };
  auto addFile = [&](StringRef path) -> LogicalResult {
    if (path.ends_with(".npz")) {
      auto members = readNpz(path);
      if (!members)
        return fail(llvm::toString(members.takeError()));
      return addNpz(*members, path);
    }
    if (numArgs != 1)
      return fail(path + ": a .npy file feeds only single-argument "
                         "functions; use a .npz with one member per argument");
    auto t = readNpy(path);
    if (!t)
      return fail(llvm::toString(t.takeError()));
    return addTo(0, *t, path);
  };

  if (llvm::sys::fs::is_directory(data)) {
    std::vector<std::string> files;
    std::error_code ec;
    for (llvm::sys::fs::directory_iterator it(data, ec), end; it != end && !ec;
         it.increment(ec)) {
      StringRef p = it->path();
      if (p.ends_with(".npy") || p.ends_with(".npz"))
        files.push_back(p.str());
    }
    if (ec)
      return fail("cannot read directory " + data + ": " + ec.message());
    std::sort(files.begin(), files.end());
    if (files.empty())
      return fail("directory " + data + " holds no .npy or .npz files");
    for (const std::string &f : files)
      if (failed(addFile(f)))
        return failure();
  } else {
    if (!llvm::sys::fs::exists(data))
      return fail("calibration data '" + data + "' does not exist");
    if (failed(addFile(data)))
      return failure();
  }

  size_t count = perArg[0].size();
  for (unsigned i = 0; i < numArgs; ++i)
    if (perArg[i].size() != count || count == 0)
      return fail("argument '" + interp.argumentName(i) + "' has " +
                  Twine(perArg[i].size()) + " samples, argument '" +
                  interp.argumentName(0) + "' has " + Twine(count));
  if (maxSamples > 0 && count > maxSamples)
    count = maxSamples;
  samples.resize(count);
  for (size_t s = 0; s < count; ++s)
    for (unsigned i = 0; i < numArgs; ++i)
      samples[s].push_back(std::move(perArg[i][s]));
  return success();
}

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
  func::FuncOp fn = findEntry();
  if (!fn)
    return signalPassFailure();

  auto interp = interp::Interpreter::create(fn, {threads});
  if (!interp) {
    fn.emitError() << "mote-calibrate: "
                   << llvm::toString(interp.takeError());
    return signalPassFailure();
  }
  std::vector<Sample> samples;
  if (failed(loadSamples(fn, **interp, samples)))
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
        llvm::errs() << "calibrate: " << (histogramPass ? "histograms " : "")
                     << (s + 1) << "/" << n << " samples\n";
        nextReport += n / 10;
      }
    }
  }
  if (n >= 50)
    llvm::errs() << "calibrate: " << n << "/" << n << " samples, method "
                 << method << "\n";

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
