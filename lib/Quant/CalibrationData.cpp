//===- CalibrationData.cpp - Calibration samples for the teacher ----------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Sample loading shared by --mote-calibrate and --mote-quantize, and the
// teacher side of the refinements: the float network runs on the
// interpreter and an observer turns each conv / fully_connected input into
// the vectors that layer multiplies with its weights.
//
//===----------------------------------------------------------------------===//

#include "mote/Quant/CalibrationData.h"

#include "Mote/MoteOps.h"
#include "mote/Support/Npy.h"

#include "llvm/Support/FileSystem.h"

#include <algorithm>
#include <cmath>
#include <random>

using namespace mlir;
using namespace mote;
using namespace mote::quant;

//===----------------------------------------------------------------------===//
// Samples
//===----------------------------------------------------------------------===//

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
splitSamples(const HostTensor &data, RankedTensorType argType, StringRef what,
             std::string &error) {
  std::vector<int64_t> shape(argType.getShape().begin(),
                             argType.getShape().end());
  int64_t argElems = argType.getNumElements();
  std::vector<HostTensor> out;
  HostTensor f = toFloat(data);
  // Statistics skip NaN, so all-NaN data would calibrate to [0, 0] and
  // quantize silently to a degenerate model: reject it with the element.
  for (int64_t i = 0, n = f.numElements(); i < n; ++i)
    if (!std::isfinite(f.f32()[i])) {
      error = (what + ": element " + std::to_string(i) + " is " +
               std::to_string(f.f32()[i]) +
               "; calibration data must be finite")
                  .str();
      return failure();
    }
  if (data.shape == shape) {
    out.push_back(std::move(f));
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
  int64_t count = data.shape[0] / lead;
  for (int64_t s = 0; s < count; ++s) {
    HostTensor t = HostTensor::zeros(DType::F32, shape);
    std::copy_n(f.f32() + s * argElems, argElems, t.f32());
    out.push_back(std::move(t));
  }
  return out;
}

func::FuncOp mote::quant::findEntryFunction(ModuleOp module, StringRef entry,
                                            StringRef pass) {
  if (!entry.empty()) {
    auto fn = module.lookupSymbol<func::FuncOp>(entry);
    if (!fn)
      module.emitError() << pass << ": no function named '" << entry << "'";
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
    module.emitError() << pass << ": " << count
                       << " functions and none named 'main'; choose one "
                          "with entry=NAME";
    return {};
  }
  return only;
}

LogicalResult mote::quant::loadCalibrationSamples(
    func::FuncOp fn, interp::Interpreter &interp, StringRef data,
    unsigned maxSamples, StringRef pass, std::vector<Sample> &samples) {
  unsigned numArgs = fn.getNumArguments();
  auto argType = [&](unsigned i) {
    return cast<RankedTensorType>(fn.getArgumentTypes()[i]);
  };
  auto fail = [&](const Twine &msg) {
    fn.emitError() << pass << ": " << msg;
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

//===----------------------------------------------------------------------===//
// Layer input statistics
//===----------------------------------------------------------------------===//

namespace {

/// How one layer turns its input tensor into vectors.
struct LayerGeometry {
  bool isConv = false;
  // Conv: NHWC input, OHWI filter.
  int64_t n = 1, h = 1, w = 1, c = 1, kh = 1, kw = 1, cg = 1, oh = 1, ow = 1;
  int64_t sh = 1, sw = 1, dh = 1, dw = 1, pt = 0, pl = 0, groups = 1;
  // Vector length per group (KH·KW·Cg, or K for fully_connected).
  int64_t k = 0;
  // Vectors (positions) per input tensor.
  int64_t positions = 0;

  /// Writes vector `pos` of group `g` of `x` into `out` (length k).
  void extract(const float *x, int64_t pos, int64_t g, float *out) const {
    if (!isConv) {
      std::copy_n(x + pos * k, k, out);
      return;
    }
    int64_t b = pos / (oh * ow), rem = pos % (oh * ow);
    int64_t oy = rem / ow, ox = rem % ow;
    for (int64_t ky = 0; ky < kh; ++ky) {
      int64_t iy = oy * sh - pt + ky * dh;
      for (int64_t kx = 0; kx < kw; ++kx) {
        int64_t ix = ox * sw - pl + kx * dw;
        float *dst = out + (ky * kw + kx) * cg;
        if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
          std::fill_n(dst, cg, 0.0f);
          continue;
        }
        std::copy_n(x + ((b * h + iy) * w + ix) * c + g * cg, cg, dst);
      }
    }
  }
};

struct LayerState {
  LayerGeometry geometry;
  LayerStatistics stats;
  std::mt19937_64 rng;
  int64_t sampled = 0;
};

} // namespace

static FailureOr<LayerGeometry> geometryOf(Operation *op) {
  LayerGeometry g;
  if (auto conv = dyn_cast<Conv2DOp>(op)) {
    auto in = cast<RankedTensorType>(conv.getInput().getType());
    auto f = cast<RankedTensorType>(conv.getFilter().getType());
    auto out = cast<RankedTensorType>(conv.getOutput().getType());
    if (in.getRank() != 4 || f.getRank() != 4 || out.getRank() != 4 ||
        !in.hasStaticShape() || !f.hasStaticShape() || !out.hasStaticShape())
      return failure();
    g.isConv = true;
    g.n = in.getDimSize(0);
    g.h = in.getDimSize(1);
    g.w = in.getDimSize(2);
    g.c = in.getDimSize(3);
    g.kh = f.getDimSize(1);
    g.kw = f.getDimSize(2);
    g.cg = f.getDimSize(3);
    g.oh = out.getDimSize(1);
    g.ow = out.getDimSize(2);
    ArrayRef<int64_t> s = conv.getStrides(), d = conv.getDilations(),
                      p = conv.getPad();
    if (s.size() != 2 || d.size() != 2 || p.size() != 4)
      return failure();
    g.sh = s[0];
    g.sw = s[1];
    g.dh = d[0];
    g.dw = d[1];
    g.pt = p[0];
    g.pl = p[2];
    g.groups = conv.getGroups();
    if (g.groups <= 0 || g.groups * g.cg != g.c)
      return failure();
    g.k = g.kh * g.kw * g.cg;
    g.positions = g.n * g.oh * g.ow;
    return g;
  }
  if (auto fc = dyn_cast<FullyConnectedOp>(op)) {
    auto in = cast<RankedTensorType>(fc.getInput().getType());
    if (!in.hasStaticShape() || in.getRank() < 1)
      return failure();
    g.k = in.getDimSize(in.getRank() - 1);
    g.positions = g.k > 0 ? in.getNumElements() / g.k : 0;
    return g;
  }
  return failure();
}

LogicalResult mote::quant::collectLayerStatistics(
    func::FuncOp fn, interp::Interpreter &interp, ArrayRef<Sample> samples,
    ArrayRef<Operation *> layers, int64_t maxVectors,
    llvm::DenseMap<Operation *, LayerStatistics> &out, std::string &error,
    const llvm::DenseSet<Operation *> *meanOnly) {
  std::vector<LayerState> states(layers.size());
  // Where each layer's input comes from.
  llvm::DenseMap<Operation *, SmallVector<std::pair<unsigned, size_t>>>
      byProducer;
  SmallVector<std::pair<unsigned, size_t>> byArgument;
  for (auto [i, op] : llvm::enumerate(layers)) {
    auto geometry = geometryOf(op);
    if (failed(geometry)) {
      error = "cannot collect the inputs of '" +
              op->getName().getStringRef().str() +
              "': it needs static NHWC/OHWI shapes";
      return failure();
    }
    LayerState &st = states[i];
    st.geometry = *geometry;
    st.stats.groups = geometry->groups;
    bool withGram = !meanOnly || !meanOnly->contains(op);
    st.stats.perGroup.assign(geometry->groups,
                             InputStatistics(geometry->k, withGram));
    st.rng.seed(0x6d6f7465u + i);
    Value input = op->getOperand(0);
    if (auto arg = dyn_cast<BlockArgument>(input))
      byArgument.push_back({arg.getArgNumber(), i});
    else
      byProducer[input.getDefiningOp()].push_back(
          {cast<OpResult>(input).getResultNumber(), i});
  }

  size_t numSamples = samples.size();
  std::vector<float> vec, batch;
  std::vector<int64_t> picks;
  auto process = [&](size_t layer, const float *x) {
    LayerState &st = states[layer];
    const LayerGeometry &g = st.geometry;
    vec.resize(g.k);
    // Positions whose vectors enter the Gram matrix, spread over samples.
    int64_t budget = maxVectors - st.sampled;
    int64_t perSample =
        (maxVectors + int64_t(numSamples) - 1) / int64_t(numSamples);
    int64_t take = std::max<int64_t>(0, std::min({budget, perSample,
                                                  g.positions}));
    picks.clear();
    for (int64_t i = 0; i < take; ++i)
      picks.push_back(static_cast<int64_t>(st.rng() % g.positions));
    std::sort(picks.begin(), picks.end());
    st.sampled += take;
    for (int64_t grp = 0; grp < g.groups; ++grp) {
      InputStatistics &is = st.stats.perGroup[grp];
      size_t next = 0;
      // The picked vectors, in order, enter the Gram matrix in batches.
      batch.clear();
      for (int64_t pos = 0; pos < g.positions; ++pos) {
        g.extract(x, pos, grp, vec.data());
        is.addToMean(vec.data());
        while (next < picks.size() && picks[next] == pos) {
          if (!is.gram.empty())
            batch.insert(batch.end(), vec.begin(), vec.end());
          ++next;
        }
      }
      is.addSampledBatch(batch.data(), int64_t(batch.size()) / g.k);
    }
  };

  for (size_t s = 0; s < numSamples; ++s) {
    for (auto [arg, layer] : byArgument)
      process(layer, samples[s][arg].f32());
    auto observer = [&](Operation *op, ArrayRef<const interp::Tensor *> res) {
      auto it = byProducer.find(op);
      if (it == byProducer.end())
        return;
      for (auto [resultNo, layer] : it->second)
        if (resultNo < res.size() && !res[resultNo]->isQuantized())
          process(layer, res[resultNo]->f.data());
    };
    auto result = interp.runTensors(samples[s], observer);
    if (!result) {
      error = "sample " + std::to_string(s) + ": " +
              llvm::toString(result.takeError());
      return failure();
    }
  }
  for (auto [i, op] : llvm::enumerate(layers))
    out[op] = std::move(states[i].stats);
  return success();
}
