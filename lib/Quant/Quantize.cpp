//===- Quantize.cpp - Post-training quantization of mote IR ---------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Turns calibrated float `mote` IR into quantized `mote` IR (DESIGN §4):
// each op is rewritten in program order, with a map from every original
// value to its replacement (quantized, or float for ops kept on the host).
// Conversions between the two are inserted on demand and cached, so a value
// is quantized or dequantized at most once. Scales are rounded to 7
// significant digits before they are used: the printed IR stays short, and
// every constant, bias and table computed here is reproducible from the
// scales written in the text.
//
//===----------------------------------------------------------------------===//

#include "mote/Quant/Passes.h"

#include "Mote/MoteAttrUtils.h"
#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"
#include "mote/Interp/UnaryFunction.h"
#include "mote/Numerics/Numerics.h"
#include "mote/Quant/Calibration.h"
#include "mote/Quant/CalibrationData.h"
#include "mote/Quant/Refinement.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>

namespace mote {
#define GEN_PASS_DEF_MOTEQUANTIZE
#include "mote/Quant/Passes.h.inc"
} // namespace mote

using namespace mlir;
using namespace mote;
using mote::quant::printedScale;
using mote::quant::Range;

namespace {

//===----------------------------------------------------------------------===//
// Precision plan
//===----------------------------------------------------------------------===//

struct Precision {
  unsigned weightBits = 8, actBits = 8;
};

/// Per-layer precision: `KEY WEIGHT_BITS ACT_BITS` lines; KEY is an op's
/// location name, `#N` (index among calibrated ops) or `*` (default).
struct Plan {
  std::optional<Precision> fallback;
  llvm::StringMap<Precision> byName;
  std::map<unsigned, Precision> byIndex;
};

static bool validBits(unsigned b) { return b >= 2 && b <= 8; }

static LogicalResult parsePlan(StringRef path, Plan &plan, std::string &error) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer) {
    error = (path + ": cannot read the plan file: " +
             buffer.getError().message())
                .str();
    return failure();
  }
  SmallVector<StringRef> lines;
  (*buffer)->getBuffer().split(lines, '\n');
  for (auto [lineNo, rawLine] : llvm::enumerate(lines)) {
    StringRef line = rawLine.split('#').first;
    // '#N' keys start with '#': only a '#' that follows whitespace or starts
    // the line before any key is a comment.
    StringRef trimmed = rawLine.trim();
    if (trimmed.starts_with("#") && trimmed.size() > 1 &&
        isdigit(static_cast<unsigned char>(trimmed[1])))
      line = trimmed.split(" #").first;
    SmallVector<StringRef> fields;
    line.split(fields, ' ', -1, /*KeepEmpty=*/false);
    if (fields.empty())
      continue;
    Precision p;
    if (fields.size() != 3 || fields[1].getAsInteger(10, p.weightBits) ||
        fields[2].getAsInteger(10, p.actBits) || !validBits(p.weightBits) ||
        !validBits(p.actBits)) {
      error = (path + ":" + Twine(lineNo + 1) +
               ": expected 'KEY WEIGHT_BITS ACT_BITS' with bits in [2, 8], "
               "got '" +
               rawLine.trim() + "'")
                  .str();
      return failure();
    }
    StringRef key = fields[0];
    unsigned index;
    if (key == "*")
      plan.fallback = p;
    else if (key.starts_with("#") && !key.drop_front().getAsInteger(10, index))
      plan.byIndex[index] = p;
    else
      plan.byName[key] = p;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Types and constants
//===----------------------------------------------------------------------===//


/// Narrowest real range a tensor gets, so that a constant-zero tensor still
/// has a positive scale and sane requantization ratios.
constexpr double kMinRangeWidth = 1e-6;

/// Quantization rules that do not depend on the IR.
struct Rules {
  bool asymmetric = true;
  bool perChannel = true;

  /// Per-tensor activation type for the real range `r` with `bits` bits:
  /// unsigned storage for a non-negative range, else signed; asymmetric with
  /// real 0 exactly representable, or symmetric (zp 0).
  mlir::quant::UniformQuantizedType activationType(MLIRContext *ctx, Range r,
                                             unsigned bits) const {
    double lo = std::min(r.lo, 0.0), hi = std::max(r.hi, 0.0);
    if (hi - lo < kMinRangeWidth) {
      if (lo < 0.0)
        lo = hi - kMinRangeWidth;
      else
        hi = lo + kMinRangeWidth;
    }
    Type f32 = Float32Type::get(ctx);
    Type storage = IntegerType::get(ctx, bits);
    if (lo >= 0.0) {
      int64_t qmax = numerics::storageMax(bits, false);
      double scale = printedScale(hi / qmax);
      return mlir::quant::UniformQuantizedType::get(0, storage, f32, scale, 0, 0,
                                              qmax);
    }
    int64_t qmin = numerics::storageMin(bits, true);
    int64_t qmax = numerics::storageMax(bits, true);
    double scale;
    int64_t zp = 0;
    if (asymmetric) {
      scale = printedScale((hi - lo) / double(qmax - qmin));
      zp = numerics::saturate(
          qmin + static_cast<int64_t>(numerics::roundHalfEven(-lo / scale)),
          qmin, qmax);
    } else {
      scale = printedScale(std::max(-lo, hi) / qmax);
    }
    return mlir::quant::UniformQuantizedType::get(mlir::quant::QuantizationFlags::Signed,
                                            storage, f32, scale, zp, qmin,
                                            qmax);
  }
};

/// Symmetric narrow-range scales of `values` (shape `shape`) along `axis`
/// (or per tensor if axis < 0): max|w_c| / qmax, zero channels taking the
/// largest other scale.
static SmallVector<double> weightScales(ArrayRef<float> values,
                                        ArrayRef<int64_t> shape, int64_t axis,
                                        unsigned bits) {
  int64_t channels = axis < 0 ? 1 : shape[axis];
  int64_t inner = 1;
  if (axis >= 0)
    for (int64_t d = axis + 1; d < (int64_t)shape.size(); ++d)
      inner *= shape[d];
  SmallVector<double> maxAbs(channels, 0.0);
  for (auto [i, v] : llvm::enumerate(values)) {
    int64_t c = axis < 0 ? 0 : (int64_t(i) / inner) % channels;
    maxAbs[c] = std::max(maxAbs[c], std::fabs(static_cast<double>(v)));
  }
  double qmax = numerics::storageMax(bits, true);
  double largest = 0.0;
  for (double m : maxAbs)
    largest = std::max(largest, m);
  SmallVector<double> scales;
  for (double m : maxAbs)
    scales.push_back(printedScale((m > 0.0 ? m : (largest > 0.0 ? largest
                                                                : 1.0)) /
                                  qmax));
  return scales;
}

/// Quantizes float `values` to storage with the parameters of `qtype`
/// (per tensor or per axis) by numerics::quantize.
static std::vector<int64_t> quantizeValues(ArrayRef<float> values,
                                           RankedTensorType qtype) {
  QuantParams q = *getQuantParams(qtype);
  int64_t inner = 1;
  if (q.isPerAxis())
    for (int64_t d = q.axis + 1; d < qtype.getRank(); ++d)
      inner *= qtype.getDimSize(d);
  std::vector<int64_t> out;
  out.reserve(values.size());
  for (auto [i, x] : llvm::enumerate(values)) {
    int64_t c = q.isPerAxis() ? (int64_t(i) / inner) % q.scales.size() : 0;
    out.push_back(numerics::quantize(x, q.scale(c), q.zeroPoint(c),
                                     q.storageMin, q.storageMax));
  }
  return out;
}

/// The float payload of a float `mote.constant`, if `v` is one.
static std::optional<std::vector<float>> constantFloats(Value v) {
  auto c = v.getDefiningOp<ConstantOp>();
  if (!c || isQuantizedTensor(c.getType()))
    return std::nullopt;
  return readFloatElements(c.getValue());
}

//===----------------------------------------------------------------------===//
// Teacher-guided refinement
//===----------------------------------------------------------------------===//

/// What the refinements need: which are on, their knobs, and the float
/// teacher's input statistics of every conv2d / fully_connected.
struct Refinement {
  bool weightSearch = false, biasCorrection = false, adaround = false;
  mote::quant::ScaleSearchOptions search;
  unsigned adaroundPasses = 4;
  llvm::DenseMap<Operation *, mote::quant::LayerStatistics> teacher;
  /// Σ over refined channels of the output error dᵀ G d with plain
  /// round-to-nearest max-scaled weights, after refinement, and of the
  /// float output energy wᵀ G w, for the summary line.
  double baseError = 0.0, refinedError = 0.0, energy = 0.0;
  unsigned layers = 0, flips = 0, skippedLayers = 0;
  /// Workers for the channels of a layer (null: one thread).
  llvm::ThreadPoolInterface *pool = nullptr;

  bool any() const { return weightSearch || biasCorrection || adaround; }
};

/// Refines the quantized weights of `op` (weights [O, ...] per output
/// channel along axis 0, or one scale if `perChannel` is false): writes
/// the chosen scales and storage values and, with bias correction, the
/// corrected float bias. `scales` comes in as the max-based scales.
static void refineWeights(Refinement &r, const mote::quant::LayerStatistics &stats,
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
  bool haveGram = llvm::all_of(stats.perGroup, [](const auto &g) {
    return !g.gram.empty();
  });
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
    int64_t chunks = std::min<int64_t>(outChannels,
                                       int64_t(r.pool->getMaxConcurrency()) * 4);
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
// FunctionQuantizer
//===----------------------------------------------------------------------===//

class FunctionQuantizer {
public:
  FunctionQuantizer(func::FuncOp fn, const Rules &rules, const Plan &plan,
                    Precision defaults, bool useLut,
                    Refinement *refinement = nullptr)
      : fn(fn), builder(fn.getContext()), rules(rules), plan(plan),
        defaults(defaults), useLut(useLut), refinement(refinement) {}

  LogicalResult run();

  unsigned numInteger = 0;
  SmallVector<std::string> keptInFloat;

private:
  std::optional<Range> rangeOf(Value old);
  std::optional<Range> resultRange(Operation *op);
  Precision precisionOf(Operation *op);
  RankedTensorType withElement(Value like, Type element) {
    return RankedTensorType::get(cast<RankedTensorType>(like.getType()).getShape(),
                                 element);
  }
  Value getFloat(Value old);
  FailureOr<Value> getQuantized(Value old, unsigned bits);
  Value makeConstant(Location loc, RankedTensorType qtype,
                     ArrayRef<float> values, StringRef hint);

  LogicalResult quantizeOp(Operation *op);
  LogicalResult quantizeProduct(Operation *op, Value input, Value weight,
                                Value bias, int64_t weightAxis);
  LogicalResult quantizeRescaling(Operation *op);
  LogicalResult quantizeSameType(Operation *op);
  LogicalResult quantizeNonlinear(Operation *op);
  void keepInFloat(Operation *op, StringRef why);

  func::FuncOp fn;
  OpBuilder builder;
  const Rules &rules;
  const Plan &plan;
  Precision defaults;
  bool useLut;
  /// Set when the teacher-guided refinements are on for this function.
  Refinement *refinement;
  /// Original value → replacement (quantized, or float).
  llvm::DenseMap<Value, Value> mapped;
  llvm::DenseMap<Value, Value> floatCache, quantCache;
  llvm::DenseMap<Operation *, unsigned> calibIndex;
  /// Ops replaced by new ones, erased at the end.
  SmallVector<Operation *> replaced;
  /// Set when an op fails for a reason that is an error, not a fallback.
  bool hadError = false;
};

std::optional<Range> FunctionQuantizer::rangeOf(Value old) {
  Attribute attr;
  if (auto arg = dyn_cast<BlockArgument>(old)) {
    attr = fn.getArgAttr(arg.getArgNumber(), kCalibAttr);
  } else {
    Operation *op = old.getDefiningOp();
    attr = op->getAttr(kCalibAttr);
    if (auto list = dyn_cast_or_null<ArrayAttr>(attr)) {
      unsigned n = cast<OpResult>(old).getResultNumber();
      attr = n < list.size() ? list[n] : Attribute();
    }
  }
  auto pair = dyn_cast_or_null<DenseF64ArrayAttr>(attr);
  if (!pair || pair.size() != 2 || !(pair[0] <= pair[1]))
    return std::nullopt;
  return Range{pair[0], pair[1]};
}

/// The range that fixes an op's result type: its own, or that of a single
/// clamp user, so that the requantizing saturation implements the clamp.
std::optional<Range> FunctionQuantizer::resultRange(Operation *op) {
  Value result = op->getResult(0);
  if (result.hasOneUse())
    if (auto clamp = dyn_cast<ClampOp>(*result.getUsers().begin()))
      if (auto r = rangeOf(clamp.getResult()))
        return r;
  return rangeOf(result);
}

Precision FunctionQuantizer::precisionOf(Operation *op) {
  std::string name = locationName(op->getLoc());
  if (!name.empty()) {
    auto it = plan.byName.find(name);
    if (it != plan.byName.end())
      return it->second;
  }
  auto idx = calibIndex.find(op);
  if (idx != calibIndex.end()) {
    auto it = plan.byIndex.find(idx->second);
    if (it != plan.byIndex.end())
      return it->second;
  }
  return plan.fallback.value_or(defaults);
}

Value FunctionQuantizer::getFloat(Value old) {
  Value v = mapped.lookup(old);
  if (!v)
    v = old;
  if (!isQuantizedTensor(v.getType()))
    return v;
  Value &cached = floatCache[old];
  if (!cached) {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointAfterValue(v);
    cached = DequantizeOp::create(
        builder, v.getLoc(),
        withElement(v, Float32Type::get(fn.getContext())), v);
  }
  return cached;
}

Value FunctionQuantizer::makeConstant(Location loc, RankedTensorType qtype,
                                      ArrayRef<float> values, StringRef hint) {
  std::vector<int64_t> storage = quantizeValues(values, qtype);
  ElementsAttr payload =
      makeIntElements(getStorageTensorType(qtype), storage, hint);
  return ConstantOp::create(builder, loc, qtype, payload);
}

FailureOr<Value> FunctionQuantizer::getQuantized(Value old, unsigned bits) {
  Value v = mapped.lookup(old);
  if (!v)
    v = old;
  if (isQuantizedTensor(v.getType()))
    return v;
  if (Value cached = quantCache.lookup(old))
    return cached;
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointAfterValue(v);
  Value q;
  if (auto floats = constantFloats(old)) {
    // A float constant used as an activation: per tensor over its values.
    Range r;
    for (float x : *floats) {
      r.lo = std::min<double>(r.lo, x);
      r.hi = std::max<double>(r.hi, x);
    }
    auto qtype = withElement(old, rules.activationType(fn.getContext(), r, bits));
    q = makeConstant(old.getLoc(), qtype, *floats, "qconst");
  } else {
    std::optional<Range> r = rangeOf(old);
    if (!r) {
      if (auto arg = dyn_cast<BlockArgument>(old))
        fn.emitError() << "mote-quantize: argument #" << arg.getArgNumber()
                       << " has no mote.calib range; run --mote-calibrate "
                          "first";
      else
        old.getDefiningOp()->emitError()
            << "mote-quantize: no mote.calib range on this op's result; run "
               "--mote-calibrate first";
      hadError = true;
      return failure();
    }
    auto qtype = withElement(old, rules.activationType(fn.getContext(), *r, bits));
    q = QuantizeOp::create(builder, old.getLoc(), qtype, v);
  }
  quantCache[old] = q;
  return q;
}

void FunctionQuantizer::keepInFloat(Operation *op, StringRef why) {
  for (OpOperand &operand : op->getOpOperands())
    operand.set(getFloat(operand.get()));
  for (Value r : op->getResults())
    mapped[r] = r;
  std::string name = op->getName().stripDialect().str();
  std::string loc = locationName(op->getLoc());
  if (loc.empty())
    if (auto idx = calibIndex.find(op); idx != calibIndex.end())
      loc = "#" + std::to_string(idx->second);
  keptInFloat.push_back(loc.empty() ? name : name + "@" + loc);
  op->emitRemark() << "kept in float: " << why;
}

/// conv2d / fully_connected / matmul with a constant weight: symmetric
/// narrow-range weights (per channel along `weightAxis`), i32 bias with
/// scale s_x·s_w[o], result requantized to the calibrated (or clamp) range.
LogicalResult FunctionQuantizer::quantizeProduct(Operation *op, Value input,
                                                 Value weight, Value bias,
                                                 int64_t weightAxis) {
  Precision p = precisionOf(op);
  auto weights = constantFloats(weight);
  std::optional<std::vector<float>> biasValues;
  if (bias)
    biasValues = constantFloats(bias);
  if (!weights || (bias && !biasValues)) {
    keepInFloat(op, "weights or bias are not float constants");
    return success();
  }
  // A NaN or infinite weight has no integer value; without this check the
  // max|w| scan skips NaN and the layer silently quantizes to garbage.
  for (auto [what, values] : {std::pair{"weight", &*weights},
                              std::pair{"bias", biasValues ? &*biasValues
                                                           : nullptr}})
    for (size_t i = 0; values && i < values->size(); ++i)
      if (!std::isfinite((*values)[i]))
        return op->emitError("mote-quantize: ")
               << what << " element " << i << " is " << (*values)[i]
               << "; a NaN or infinite constant cannot be quantized — fix "
                  "the model's weights";
  std::optional<Range> outRange = resultRange(op);
  if (!outRange) {
    op->emitError("mote-quantize: no mote.calib range on this op's result; "
                  "run --mote-calibrate first");
    return failure();
  }
  FailureOr<Value> qin = getQuantized(input, p.actBits);
  if (failed(qin))
    return failure();
  MLIRContext *ctx = fn.getContext();
  auto weightType = cast<RankedTensorType>(weight.getType());
  int64_t axis = rules.perChannel ? weightAxis : -1;
  SmallVector<double> scales =
      weightScales(*weights, weightType.getShape(), axis, p.weightBits);
  Type f32 = Float32Type::get(ctx);
  int64_t wmax = numerics::storageMax(p.weightBits, true);
  // Teacher-guided refinement: scales, storage values and bias from the
  // float layer's inputs (conv2d and fully_connected, weights on axis 0).
  std::optional<std::vector<int64_t>> refinedStorage;
  if (refinement && weightAxis == 0) {
    auto it = refinement->teacher.find(op);
    if (it != refinement->teacher.end()) {
      refinedStorage.emplace();
      refineWeights(*refinement, it->second, *weights,
                    weightType.getDimSize(0), axis >= 0, wmax, scales,
                    *refinedStorage, biasValues ? &*biasValues : nullptr);
    }
  }
  Type wStorage = IntegerType::get(ctx, p.weightBits);
  Type wElement;
  if (axis >= 0)
    wElement = mlir::quant::UniformQuantizedPerAxisType::get(
        mlir::quant::QuantizationFlags::Signed, wStorage, f32, scales,
        SmallVector<int64_t>(scales.size(), 0), axis, -wmax, wmax);
  else
    wElement = mlir::quant::UniformQuantizedType::get(
        mlir::quant::QuantizationFlags::Signed, wStorage, f32, scales[0], 0, -wmax,
        wmax);
  auto outType = rules.activationType(ctx, *outRange, p.actBits);
  QuantParams in = *getQuantParams(qin->getType());
  for (double s : scales)
    if (!numerics::computeScaleMultiplier(in.scale(0) * s / outType.getScale())) {
      keepInFloat(op, "its requantization ratio has no 32-bit multiplier");
      return success();
    }

  builder.setInsertionPoint(op);
  Value qweight;
  if (refinedStorage) {
    auto qtype = withElement(weight, wElement);
    qweight = ConstantOp::create(
        builder, weight.getLoc(), qtype,
        makeIntElements(getStorageTensorType(qtype), *refinedStorage,
                        "qweight"));
  } else {
    qweight = makeConstant(weight.getLoc(), withElement(weight, wElement),
                           *weights, "qweight");
  }
  Value qbias;
  if (bias) {
    Type i32 = IntegerType::get(ctx, 32);
    SmallVector<double> biasScales;
    for (double s : scales)
      biasScales.push_back(printedScale(in.scale(0) * s));
    Type bElement;
    if (axis >= 0)
      bElement = mlir::quant::UniformQuantizedPerAxisType::get(
          mlir::quant::QuantizationFlags::Signed, i32, f32, biasScales,
          SmallVector<int64_t>(biasScales.size(), 0), 0, INT32_MIN, INT32_MAX);
    else
      bElement = mlir::quant::UniformQuantizedType::get(
          mlir::quant::QuantizationFlags::Signed, i32, f32, biasScales[0], 0,
          INT32_MIN, INT32_MAX);
    qbias = makeConstant(bias.getLoc(), withElement(bias, bElement),
                         *biasValues, "qbias");
  }
  Operation *newOp = builder.clone(*op);
  newOp->removeAttr(kCalibAttr);
  newOp->setOperand(0, *qin);
  newOp->setOperand(1, qweight);
  if (bias)
    newOp->setOperand(2, qbias);
  newOp->getResult(0).setType(withElement(op->getResult(0), outType));
  mapped[op->getResult(0)] = newOp->getResult(0);
  replaced.push_back(op);
  ++numInteger;
  return success();
}

/// Ops whose quantized semantics rescale their inputs to the result: every
/// operand quantized as it is, the result from its calibrated range.
LogicalResult FunctionQuantizer::quantizeRescaling(Operation *op) {
  Precision p = precisionOf(op);
  std::optional<Range> r = resultRange(op);
  if (!r) {
    op->emitError("mote-quantize: no mote.calib range on this op's result; "
                  "run --mote-calibrate first");
    return failure();
  }
  SmallVector<Value> operands;
  for (Value v : op->getOperands()) {
    FailureOr<Value> q = getQuantized(v, p.actBits);
    if (failed(q))
      return failure();
    operands.push_back(*q);
  }
  auto outType = rules.activationType(fn.getContext(), *r, p.actBits);
  // The products the interpreter forms must have 32-bit multipliers.
  if (isa<MulOp>(op)) {
    double sa = getQuantParams(operands[0].getType())->scale(0);
    double sb = getQuantParams(operands[1].getType())->scale(0);
    if (!numerics::computeScaleMultiplier(sa * sb / outType.getScale())) {
      keepInFloat(op, "its requantization ratio has no 32-bit multiplier");
      return success();
    }
  }
  // A quantized sum or mean rescales by s_in / (s_out · count).
  if (isa<ReduceSumOp, ReduceMeanOp>(op)) {
    auto inType = cast<RankedTensorType>(op->getOperand(0).getType());
    auto outShape = cast<RankedTensorType>(op->getResult(0).getType());
    double ratio =
        getQuantParams(operands[0].getType())->scale(0) / outType.getScale();
    if (isa<ReduceMeanOp>(op))
      ratio *= static_cast<double>(outShape.getNumElements()) /
               static_cast<double>(inType.getNumElements());
    if (!numerics::computeScaleMultiplier(ratio)) {
      keepInFloat(op, "its rescaling ratio has no 32-bit multiplier");
      return success();
    }
  }
  builder.setInsertionPoint(op);
  Operation *newOp = builder.clone(*op);
  newOp->removeAttr(kCalibAttr);
  newOp->setOperands(operands);
  newOp->getResult(0).setType(withElement(op->getResult(0), outType));
  mapped[op->getResult(0)] = newOp->getResult(0);
  replaced.push_back(op);
  ++numInteger;
  return success();
}

/// Data movement, max pooling and clamp keep the input's type. A clamp
/// whose type cannot represent anything outside [min, max] is dropped.
LogicalResult FunctionQuantizer::quantizeSameType(Operation *op) {
  Precision p = precisionOf(op);
  FailureOr<Value> in = getQuantized(op->getOperand(0), p.actBits);
  if (failed(in))
    return failure();
  Type element = cast<RankedTensorType>(in->getType()).getElementType();
  if (auto clamp = dyn_cast<ClampOp>(op)) {
    QuantParams q = *getQuantParams(in->getType());
    double lo = numerics::dequantize(q.storageMin, q.scale(0), q.zeroPoint(0));
    double hi = numerics::dequantize(q.storageMax, q.scale(0), q.zeroPoint(0));
    if (lo >= clamp.getMin().convertToFloat() &&
        hi <= clamp.getMax().convertToFloat()) {
      mapped[op->getResult(0)] = *in;
      replaced.push_back(op);
      ++numInteger;
      return success();
    }
  }
  builder.setInsertionPoint(op);
  Operation *newOp = builder.clone(*op);
  newOp->removeAttr(kCalibAttr);
  newOp->setOperand(0, *in);
  newOp->getResult(0).setType(withElement(op->getResult(0), element));
  mapped[op->getResult(0)] = newOp->getResult(0);
  replaced.push_back(op);
  ++numInteger;
  return success();
}

/// Elementwise nonlinearities: quantize(f(dequantize(q))) as a table of
/// 2^b entries built from the interpreter's own real functions.
LogicalResult FunctionQuantizer::quantizeNonlinear(Operation *op) {
  Precision p = precisionOf(op);
  std::optional<Range> r = resultRange(op);
  if (!r) {
    op->emitError("mote-quantize: no mote.calib range on this op's result; "
                  "run --mote-calibrate first");
    return failure();
  }
  FailureOr<Value> in = getQuantized(op->getOperand(0), p.actBits);
  if (failed(in))
    return failure();
  auto outType = rules.activationType(fn.getContext(), *r, p.actBits);
  auto resultType = withElement(op->getResult(0), outType);
  builder.setInsertionPoint(op);
  QuantParams qi = *getQuantParams(in->getType());
  if (!useLut || qi.storageBits > 8) {
    Operation *newOp = builder.clone(*op);
    newOp->removeAttr(kCalibAttr);
    newOp->setOperand(0, *in);
    newOp->getResult(0).setType(resultType);
    mapped[op->getResult(0)] = newOp->getResult(0);
    replaced.push_back(op);
    ++numInteger;
    return success();
  }
  // The interpreter's own function of the op, so that table and quantized
  // op agree bit for bit.
  std::function<double(double)> f = interp::getUnaryFunction(op);
  QuantParams qo = *getQuantParams(resultType);
  int64_t entries = int64_t(1) << qi.storageBits;
  std::vector<int64_t> table;
  table.reserve(entries);
  for (int64_t i = 0; i < entries; ++i) {
    double x = numerics::dequantize(i + qi.storageMin, qi.scale(0),
                                    qi.zeroPoint(0));
    table.push_back(numerics::quantize(f(x), qo.scale(0), qo.zeroPoint(0),
                                       qo.storageMin, qo.storageMax));
  }
  auto tableType = RankedTensorType::get(
      {entries}, getStorageElementType(outType));
  ElementsAttr tableAttr = makeIntElements(tableType, table, "lut");
  Value lut = LutOp::create(builder, op->getLoc(), resultType, *in, tableAttr);
  mapped[op->getResult(0)] = lut;
  replaced.push_back(op);
  ++numInteger;
  return success();
}

LogicalResult FunctionQuantizer::quantizeOp(Operation *op) {
  // Everything must be float tensors to start with.
  for (Type t : llvm::concat<Type>(op->getOperandTypes(), op->getResultTypes())) {
    auto tensor = dyn_cast<RankedTensorType>(t);
    if (!tensor || !tensor.getElementType().isF32()) {
      keepInFloat(op, "it is not an op on f32 tensors");
      return success();
    }
  }
  if (isa<SoftmaxOp>(op)) {
    keepInFloat(op, "softmax has no integer form (host op)");
    return success();
  }
  if (auto conv = dyn_cast<Conv2DOp>(op))
    return quantizeProduct(op, conv.getInput(), conv.getFilter(),
                           conv.getBias(), 0);
  if (auto fc = dyn_cast<FullyConnectedOp>(op))
    return quantizeProduct(op, fc.getInput(), fc.getWeight(), fc.getBias(), 0);
  if (auto mm = dyn_cast<MatMulOp>(op)) {
    if (constantFloats(mm.getRhs()))
      return quantizeProduct(op, mm.getLhs(), mm.getRhs(), Value(),
                             mm.getRhs().getType().getRank() - 1);
    return quantizeRescaling(op);
  }
  if (isa<AddOp, SubOp, MulOp, MaximumOp, MinimumOp, ConcatOp, AvgPool2DOp,
          PReluOp>(op))
    return quantizeRescaling(op);
  if (isa<MaxPool2DOp, ReshapeOp, TransposeOp, PadOp, ClampOp, SliceOp,
          ResizeOp>(op))
    return quantizeSameType(op);
  if (isa<ReduceMaxOp, ReduceMinOp>(op))
    return quantizeSameType(op);
  if (isa<ReduceSumOp, ReduceMeanOp>(op))
    return quantizeRescaling(op);
  if (interp::getUnaryFunction(op))
    return quantizeNonlinear(op);
  keepInFloat(op, "it has no integer form");
  return success();
}

LogicalResult FunctionQuantizer::run() {
  if (fn.isExternal())
    return success();
  Block &body = fn.getBody().front();
  SmallVector<Operation *> ops;
  unsigned index = 0;
  for (Operation &op : body) {
    ops.push_back(&op);
    if (op.hasAttr(kCalibAttr))
      calibIndex[&op] = index++;
  }
  for (Operation *op : ops) {
    if (isa<ConstantOp>(op))
      continue;
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (OpOperand &operand : ret->getOpOperands())
        operand.set(getFloat(operand.get()));
      continue;
    }
    if (failed(quantizeOp(op)) || hadError)
      return failure();
  }
  // Replaced ops are now used only by other replaced ops: erase them in
  // reverse order, then any float constant left without users.
  // `ops` still holds the replaced ops: never look at them once erased
  // (ASan: heap-use-after-free in isa<ConstantOp>).
  llvm::SmallPtrSet<Operation *, 16> erased(replaced.begin(), replaced.end());
  for (Operation *op : llvm::reverse(replaced))
    op->erase();
  for (Operation *op : llvm::reverse(ops))
    if (!erased.contains(op) && isa<ConstantOp>(op) && op->use_empty())
      op->erase();
  return success();
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct MoteQuantizePass
    : public mote::impl::MoteQuantizeBase<MoteQuantizePass> {
  using MoteQuantizeBase::MoteQuantizeBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    Precision defaults;
    if (precision == "int8")
      defaults = {8, 8};
    else if (precision == "int4")
      defaults = {4, 4};
    else if (precision == "w4a8")
      defaults = {4, 8};
    else {
      module.emitError() << "mote-quantize: unknown precision '" << precision
                         << "'; expected int8, int4 or w4a8";
      return signalPassFailure();
    }
    Plan parsedPlan;
    if (!plan.empty()) {
      std::string error;
      if (failed(parsePlan(plan, parsedPlan, error))) {
        module.emitError() << "mote-quantize: " << error;
        return signalPassFailure();
      }
    }
    Rules rules;
    rules.asymmetric = asymmetric;
    rules.perChannel = perChannel;
    Refinement refinement;
    func::FuncOp teacherFn;
    if (failed(prepareRefinement(refinement, teacherFn)))
      return signalPassFailure();
    std::unique_ptr<llvm::StdThreadPool> pool;
    unsigned workers =
        threads ? unsigned(threads)
                : llvm::hardware_concurrency().compute_thread_count();
    if (refinement.any() && workers > 1) {
      pool = std::make_unique<llvm::StdThreadPool>(
          llvm::hardware_concurrency(workers));
      refinement.pool = pool.get();
    }
    unsigned numInteger = 0;
    SmallVector<std::string> kept;
    for (auto fn : llvm::make_early_inc_range(module.getOps<func::FuncOp>())) {
      FunctionQuantizer quantizer(fn, rules, parsedPlan, defaults, useLut,
                                  fn == teacherFn ? &refinement : nullptr);
      if (failed(quantizer.run()))
        return signalPassFailure();
      numInteger += quantizer.numInteger;
      kept.append(quantizer.keptInFloat);
    }
    if (quiet)
      return;
    llvm::errs() << "quantize: " << numInteger << " ops in integers, "
                 << kept.size() << " kept in float";
    if (!kept.empty())
      llvm::errs() << ": " << llvm::join(kept, ", ");
    llvm::errs() << "\n";
    if (refinement.any())
      printRefinementSummary(refinement);
  }

private:
  LogicalResult prepareRefinement(Refinement &r, func::FuncOp &teacherFn);
  void printRefinementSummary(const Refinement &r);
};

/// Runs the float teacher over the calibration data and collects the
/// input statistics of every conv2d / fully_connected with float weights.
LogicalResult MoteQuantizePass::prepareRefinement(Refinement &r,
                                                  func::FuncOp &teacherFn) {
  ModuleOp module = getOperation();
  r.weightSearch = weightSearch;
  r.biasCorrection = biasCorrection;
  r.adaround = adaround;
  r.search.lowest = searchLowest;
  r.search.steps = searchSteps;
  r.adaroundPasses = adaroundPasses;
  if (!r.any())
    return success();
  if (data.empty()) {
    // On by default only with data: an explicit request without it is an
    // error, the defaults just turn off.
    SmallVector<StringRef> on;
    if (weightSearch.hasValue() && weightSearch)
      on.push_back("weight-search");
    if (biasCorrection.hasValue() && biasCorrection)
      on.push_back("bias-correction");
    if (adaround.hasValue() && adaround)
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
  if (!(searchLowest > 0.0 && searchLowest <= 1.0) || searchSteps == 0 ||
      searchVectors == 0)
    return module.emitError()
           << "mote-quantize: search-lowest must be in (0, 1] and "
              "search-steps, search-vectors positive";
  teacherFn = mote::quant::findEntryFunction(module, entry, "mote-quantize");
  if (!teacherFn)
    return failure();
  auto interp = interp::Interpreter::create(teacherFn, {threads});
  if (!interp)
    return teacherFn.emitError()
           << "mote-quantize: the float teacher cannot run: "
           << llvm::toString(interp.takeError());
  std::vector<mote::quant::Sample> samples;
  if (failed(mote::quant::loadCalibrationSamples(teacherFn, **interp, data,
                                           maxSamples, "mote-quantize",
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
    auto in = cast<RankedTensorType>(op->getOperand(0).getType());
    int64_t channels = w.getDimSize(0);
    int64_t groups = 1;
    if (auto conv = dyn_cast<Conv2DOp>(op))
      groups = conv.getGroups();
    int64_t k = w.getNumElements() / std::max<int64_t>(1, channels);
    double cost = double(k) * double(k) *
                  (double(channels) * (searchSteps + 3 + adaroundPasses) +
                   double(searchVectors) * double(groups));
    (void)in;
    if (cost > refineMaxGops * 1e9) {
      meanOnly.insert(op);
      ++r.skippedLayers;
    }
  }
  std::string error;
  if (failed(mote::quant::collectLayerStatistics(teacherFn, **interp, samples,
                                           layers, searchVectors, r.teacher,
                                           error, &meanOnly)))
    return teacherFn.emitError() << "mote-quantize: teacher: " << error;
  return success();
}

void MoteQuantizePass::printRefinementSummary(const Refinement &r) {
  SmallVector<StringRef> on;
  if (r.weightSearch)
    on.push_back("weight-search");
  if (r.adaround)
    on.push_back("adaround");
  if (r.biasCorrection)
    on.push_back("bias-correction");
  // Output error relative to the float outputs' energy, on the sampled
  // teacher inputs, summed over all refined layers.
  auto rel = [&](double e) { return r.energy > 0.0 ? e / r.energy : 0.0; };
  std::string line;
  llvm::raw_string_ostream os(line);
  os << "refine: " << llvm::join(on, ", ") << " on " << r.layers
     << " layers: relative output error ";
  os << llvm::format("%.3e -> %.3e", rel(r.baseError), rel(r.refinedError));
  if (r.adaround)
    os << ", " << r.flips << " rounding flips";
  if (r.skippedLayers)
    os << "; " << r.skippedLayers
       << " layers over refine-max-gops got bias correction only";
  llvm::errs() << line << "\n";
}

} // namespace
