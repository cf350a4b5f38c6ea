//===- BitwidthLowering.cpp - Digit-plane lowering of integer products ----===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// --mote-bitwidth-lowering (DESIGN §5): rewrites each quantized conv2d,
// fully_connected and matmul whose zero-point-shifted operands are wider
// than the target's digit width d into d×d-bit digit-plane products,
// combined with exact shifts and adds, and one final requantization equal
// to the original. docs/BitwidthLowering.md shows the IR and the exactness
// argument; BitwidthLoweringUtils.cpp holds the integer facts.
//
//===----------------------------------------------------------------------===//

#include "mote/Quant/BitwidthLowering.h"
#include "mote/Quant/Passes.h"
#include "mote/Quant/RemarkStream.h"

#include "Mote/MoteAttrUtils.h"
#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"
#include "mote/Numerics/Numerics.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

namespace mote {
#define GEN_PASS_DEF_MOTEBITWIDTHLOWERING
#include "mote/Quant/Passes.h.inc"
} // namespace mote

using namespace mlir;
using namespace mote;
using namespace mote::quant;

namespace {

constexpr const char *kAccBitsAttr = "mote.acc_bits";
constexpr const char *kAccBoundAttr = "mote.acc_bound";
constexpr const char *kDigitsAttr = "mote.digits";
constexpr const char *kRescaleAttr = "mote.rescale";
constexpr const char *kMultiplierAttr = "mote.multiplier";
constexpr const char *kShiftAttr = "mote.shift";

/// A product op, its operands and what the analysis proved about it.
struct Product {
  Operation *op = nullptr;
  Value input, weight, bias, output;
  QuantParams in, w, out;
  std::string name;
  /// Weight storage minus its zero point, in the weight's own layout; empty
  /// if the weight is not a constant.
  std::vector<int64_t> wv;
  /// Flat weight index → reduction group (output channel, or (batch,
  /// column) for matmul) and the group's output channel.
  int64_t groups = 0, groupSize = 0, channels = 0;
  /// Flat index → group of a matmul's constant weights (a conv's or fully
  /// connected layer's groups are its channels' contiguous rows of
  /// groupSize weights).
  std::vector<int64_t> groupOf;
  std::vector<int64_t> channelOfGroup;
  int64_t reduction = 0; ///< K: products summed per output element.
  Interval xRange, wRange;
};

/// The framework node's name (MoteTypeUtils' locationName), else "#index".
std::string layerName(Operation *op, unsigned index) {
  std::string name = locationName(op->getLoc());
  return name.empty() ? "#" + std::to_string(index) : name;
}

RankedTensorType withElement(Type like, Type element) {
  return RankedTensorType::get(cast<RankedTensorType>(like).getShape(),
                               element);
}

RankedTensorType withShape(ArrayRef<int64_t> shape, Type like) {
  return RankedTensorType::get(shape, getElementTypeOrSelf(like));
}

Type quantType(MLIRContext *ctx, unsigned bits, bool isSigned, double scale) {
  return mlir::quant::UniformQuantizedType::get(
      isSigned ? mlir::quant::QuantizationFlags::Signed : 0,
      IntegerType::get(ctx, bits), Float32Type::get(ctx), scale, 0,
      numerics::storageMin(bits, isSigned),
      numerics::storageMax(bits, isSigned));
}

Value makeConstant(OpBuilder &b, Location loc, RankedTensorType type,
                   ArrayRef<int64_t> values, StringRef hint) {
  return ConstantOp::create(
      b, loc, type, makeIntElements(getStorageTensorType(type), values, hint));
}

Interval hull(Interval a, Interval b) {
  return {std::min(a.lo, b.lo), std::max(a.hi, b.hi)};
}

bool fitsInt32(Interval r) { return r.lo >= INT32_MIN && r.hi <= INT32_MAX; }

/// Per reduction group, the sums of its positive and of its negative
/// weights; `digit` selects a weight digit plane (nullopt: the whole value).
struct GroupSums {
  std::vector<int64_t> pos, neg;
};
GroupSums groupSums(const Product &p,
                    std::optional<std::pair<unsigned, DigitPlan>> digit) {
  GroupSums s;
  s.pos.assign(p.groups, 0);
  s.neg.assign(p.groups, 0);
  // digitOf, inlined: the digit's shift and (unsigned digits) mask.
  unsigned shift = digit ? digit->second.bits * digit->first : 0;
  int64_t mask = digit && !digitIsSigned(digit->first, digit->second)
                     ? (int64_t(1) << digit->second.bits) - 1
                     : -1;
  if (p.groupOf.empty()) {
    // Conv / fully connected: group g is the rows [g·size, (g+1)·size).
    for (int64_t g = 0; g < p.groups; ++g) {
      int64_t pos = 0, neg = 0;
      for (int64_t i = g * p.groupSize, e = i + p.groupSize; i < e; ++i) {
        int64_t w = (p.wv[i] >> shift) & mask;
        pos += w > 0 ? w : 0;
        neg += w < 0 ? w : 0;
      }
      s.pos[g] = pos, s.neg[g] = neg;
    }
    return s;
  }
  for (size_t i = 0; i < p.wv.size(); ++i) {
    int64_t w = (p.wv[i] >> shift) & mask;
    (w > 0 ? s.pos : s.neg)[p.groupOf[i]] += w;
  }
  return s;
}

/// Per reduction group, the range of Σ w·x over the group with x in `x`:
/// with lo = min(x.lo, 0) <= 0 <= hi = max(x.hi, 0), a weight w > 0 spans
/// [w·lo, w·hi] and w < 0 spans [w·hi, w·lo], so the sum spans
/// [lo·P + hi·N, hi·P + lo·N] for the positive and negative sums P and N.
std::vector<Interval> groupRanges(const GroupSums &s, Interval x) {
  int64_t lo = std::min<int64_t>(x.lo, 0), hi = std::max<int64_t>(x.hi, 0);
  std::vector<Interval> ranges(s.pos.size());
  for (size_t g = 0; g < ranges.size(); ++g)
    ranges[g] = {lo * s.pos[g] + hi * s.neg[g], hi * s.pos[g] + lo * s.neg[g]};
  return ranges;
}

/// Range of a product whose weight is not a constant: K corner products.
Interval opaqueRange(int64_t k, Interval x, Interval w) {
  int64_t c[4] = {x.lo * w.lo, x.lo * w.hi, x.hi * w.lo, x.hi * w.hi};
  int64_t lo = std::min<int64_t>(*std::min_element(c, c + 4), 0);
  int64_t hi = std::max<int64_t>(*std::max_element(c, c + 4), 0);
  return {lo * k, hi * k};
}

Interval overall(ArrayRef<Interval> ranges) {
  Interval r;
  for (Interval g : ranges)
    r = hull(r, g);
  return r;
}

void annotate(Operation *op, Interval bound) {
  Builder b(op->getContext());
  op->setAttr(kAccBoundAttr, b.getDenseI64ArrayAttr({bound.lo, bound.hi}));
  op->setAttr(kAccBitsAttr,
              b.getI64IntegerAttr(signedBitsFor(bound) <= 16 ? 16 : 32));
}

std::string planText(const DigitPlan &plan) {
  std::string s = std::to_string(plan.count) + "x(";
  for (unsigned i = plan.count; i-- > 0;) {
    s += digitIsSigned(i, plan) ? "i" : "u";
    s += std::to_string(plan.bits);
    if (i)
      s += ",";
  }
  return s + ")";
}

struct BitwidthLoweringPass
    : public mote::impl::MoteBitwidthLoweringBase<BitwidthLoweringPass> {
  using MoteBitwidthLoweringBase::MoteBitwidthLoweringBase;

  void runOnOperation() override;

  /// Buffers reused from layer to layer (a fresh vector per layer costs
  /// its page faults again): the weights, a weight digit plane.
  std::vector<int64_t> weights, digits;

  /// Fills `p` from `op`; failure (with a remark) if the op is left alone.
  LogicalResult analyse(Operation *op, Product &p);
  /// Rewrites one wide product.
  LogicalResult lower(Product &p, const DigitPlan &xPlan,
                      const DigitPlan &wPlan, Interval acc,
                      llvm::raw_ostream &report);
  /// Attaches the narrowed multipliers of a requantizing op and returns the
  /// error bound in output LSBs.
  int64_t legalizeMultiplier(Operation *rescale, const Product &p,
                             Interval acc);
};

LogicalResult BitwidthLoweringPass::analyse(Operation *op, Product &p) {
  p.op = op;
  if (auto conv = dyn_cast<Conv2DOp>(op)) {
    p.input = conv.getInput(), p.weight = conv.getFilter();
    p.bias = conv.getBias(), p.output = conv.getOutput();
  } else if (auto fc = dyn_cast<FullyConnectedOp>(op)) {
    p.input = fc.getInput(), p.weight = fc.getWeight();
    p.bias = fc.getBias(), p.output = fc.getOutput();
  } else if (auto mm = dyn_cast<MatMulOp>(op)) {
    // The NPU packs digit planes from constant weights and forms dense
    // layers from 2-D products only: for it (npu-products), a product of
    // two run-time tensors (attention's Q·Kᵀ) or a batched one stays a
    // native integer matmul, a host op (bit-exact either way).
    if (npuProducts &&
        (!mm.getRhs().getDefiningOp<ConstantOp>() ||
         cast<RankedTensorType>(mm.getLhs().getType()).getRank() != 2))
      return failure();
    p.input = mm.getLhs(), p.weight = mm.getRhs(), p.output = mm.getOutput();
  }
  if (!isQuantizedTensor(p.input.getType()))
    return failure();
  p.in = *getQuantParams(p.input.getType());
  p.w = *getQuantParams(p.weight.getType());
  p.out = *getQuantParams(p.output.getType());
  // A product of an i32 accumulator is a per-channel rescale (the vector
  // unit's job, e.g. this pass's own mote.rescale), not a MAC pass.
  if (p.in.storageBits == 32 || op->hasAttr(kRescaleAttr))
    return failure();

  auto wType = cast<RankedTensorType>(p.weight.getType());
  ArrayRef<int64_t> ws = wType.getShape();
  int64_t numel = wType.getNumElements();
  bool isMatMul = isa<MatMulOp>(op);
  p.channels = isMatMul ? ws.back() : ws.front();
  p.reduction = isMatMul ? ws[ws.size() - 2]
                         : (p.channels ? numel / p.channels : 0);
  p.xRange = {p.in.storageMin - p.in.zeroPoint(0),
              p.in.storageMax - p.in.zeroPoint(0)};

  auto cst = p.weight.getDefiningOp<ConstantOp>();
  // The storage values straight into wv (zero points subtracted below).
  bool haveValues = false;
  p.wv.clear();
  if (cst) {
    p.wv.reserve(numel);
    haveValues = forEachIntElement(cst.getValue(), p.w.isSigned,
                                   [&](int64_t, int64_t v) {
                                     p.wv.push_back(v);
                                   });
    if (!haveValues)
      p.wv.clear();
  }
  if (!haveValues) {
    if (p.w.isPerAxis()) {
      op->emitRemark() << "bitwidth-lowering: kept: per-axis weight that "
                          "is not a constant";
      return failure();
    }
    p.wRange = {p.w.storageMin - p.w.zeroPoint(0),
                p.w.storageMax - p.w.zeroPoint(0)};
    return success();
  }
  // Constant weight: exact values per reduction group.
  int64_t n = ws.back(), k = p.reduction;
  p.groups = isMatMul ? (k ? numel / k : 0) : p.channels;
  p.channelOfGroup.resize(p.groups);
  if (isMatMul) {
    p.groupOf.resize(numel);
    for (int64_t i = 0; i < numel; ++i) {
      int64_t channel = i % n, group = (i / (n * k)) * n + channel;
      p.groupOf[i] = group;
      p.channelOfGroup[group] = channel;
      p.wv[i] -= p.w.zeroPoint(channel);
    }
  } else {
    p.groupSize = numel / std::max<int64_t>(p.channels, 1);
    for (int64_t group = 0; group < p.groups; ++group) {
      p.channelOfGroup[group] = group;
      int64_t zp = p.w.zeroPoint(group);
      for (int64_t i = group * p.groupSize, e = i + p.groupSize; i < e; ++i)
        p.wv[i] -= zp;
    }
  }
  p.wRange = {0, 0};
  for (int64_t v : p.wv)
    p.wRange = hull(p.wRange, {v, v});
  return success();
}

int64_t BitwidthLoweringPass::legalizeMultiplier(Operation *rescale,
                                                 const Product &p,
                                                 Interval acc) {
  if (multiplierBits >= 32 || p.out.storageBits == 32)
    return 0;
  SmallVector<int32_t> mults, shifts;
  int64_t maxAbs = std::max(std::abs(acc.lo), std::abs(acc.hi));
  int64_t error = 0;
  int64_t count = p.w.isPerAxis() ? p.channels : 1;
  for (int64_t c = 0; c < count; ++c) {
    auto m = numerics::computeScaleMultiplier(p.in.scale(0) * p.w.scale(c) /
                                              p.out.scale(0));
    if (!m)
      return 0;
    numerics::ScaleMultiplier narrow = narrowMultiplier(*m, multiplierBits);
    mults.push_back(narrow.multiplier);
    shifts.push_back(narrow.shift);
    error = std::max(error, multiplierErrorBound(*m, narrow, maxAbs));
  }
  Builder b(rescale->getContext());
  rescale->setAttr(kMultiplierAttr, b.getDenseI32ArrayAttr(mults));
  rescale->setAttr(kShiftAttr, b.getDenseI32ArrayAttr(shifts));
  return error;
}

LogicalResult BitwidthLoweringPass::lower(Product &p, const DigitPlan &xPlan,
                                          const DigitPlan &wPlan,
                                          Interval acc,
                                          llvm::raw_ostream &report) {
  MLIRContext *ctx = &getContext();
  Operation *op = p.op;
  double sx = p.in.scale(0);
  unsigned d = digitBits;
  bool constWeight = !p.wv.empty();
  auto outType = cast<RankedTensorType>(p.output.getType());
  int64_t rank = outType.getRank();

  // The shift and add steps must be exact with the scales they will see.
  auto unitMul = numerics::computeScaleMultiplier(sx * 1.0 / sx);
  auto add = numerics::computeAddRescale(sx, sx, sx);
  auto isPow2 = [](numerics::ScaleMultiplier m) {
    return m.multiplier == (int32_t(1) << 30);
  };
  if (!unitMul || !add || !isPow2(*unitMul) || unitMul->shift != 30 ||
      !isPow2(add->lhs) || !isPow2(add->rhs) || !isPow2(add->out) ||
      add->lhs.shift > 30 || add->out.shift - 30 != 30 - add->lhs.shift) {
    op->emitRemark() << "bitwidth-lowering: layer '" << p.name
                     << "' kept: the shift/add rescaling would not be exact";
    return failure();
  }

  // Ranges of every product and of the partial sums, combined from the
  // highest shift down; every value must stay inside int32.
  struct Term {
    unsigned i, j;
    std::vector<Interval> ranges; ///< Per group, unshifted.
  };
  std::vector<Term> terms;
  std::vector<GroupSums> digitSums;
  if (constWeight)
    for (unsigned j = 0; j < wPlan.count; ++j)
      digitSums.push_back(groupSums(p, std::make_pair(j, wPlan)));
  for (unsigned i = 0; i < xPlan.count; ++i) {
    Interval xi = xPlan.count == 1 ? p.xRange : digitRange(p.xRange, i, xPlan);
    for (unsigned j = 0; j < wPlan.count; ++j) {
      Term t{i, j, {}};
      if (constWeight) {
        t.ranges = groupRanges(digitSums[j], xi);
      } else {
        t.ranges = {opaqueRange(p.reduction, xi,
                                digitRange(p.wRange, j, wPlan))};
      }
      terms.push_back(std::move(t));
    }
  }
  std::stable_sort(terms.begin(), terms.end(), [](const Term &a, const Term &b) {
    return a.i + a.j > b.i + b.j;
  });
  size_t groups = terms.front().ranges.size();
  std::vector<Interval> partial(groups);
  for (const Term &t : terms) {
    int64_t scale = int64_t(1) << (d * (t.i + t.j));
    for (size_t g = 0; g < groups; ++g) {
      Interval shifted{t.ranges[g].lo * scale, t.ranges[g].hi * scale};
      partial[g] = {partial[g].lo + shifted.lo, partial[g].hi + shifted.hi};
      if (!fitsInt32(t.ranges[g]) || !fitsInt32(shifted) ||
          !fitsInt32(partial[g])) {
        op->emitRemark() << "bitwidth-lowering: layer '" << p.name
                         << "' kept: a digit-plane partial sum could "
                            "overflow int32";
        return failure();
      }
    }
  }

  OpBuilder b(op);
  Location loc = op->getLoc();
  // Activation digit planes (scale s_x, zero point 0).
  SmallVector<Value> xPlanes;
  for (unsigned i = 0; i < xPlan.count; ++i) {
    if (xPlan.count == 1) {
      xPlanes.push_back(p.input);
      continue;
    }
    auto type = withElement(p.input.getType(),
                            quantType(ctx, d, digitIsSigned(i, xPlan), sx));
    xPlanes.push_back(DigitOp::create(b, loc, type, p.input,
                                      b.getI64IntegerAttr(i),
                                      b.getI64IntegerAttr(d)));
  }
  // Weight digit planes (scale 1, zero point 0).
  SmallVector<Value> wPlanes;
  for (unsigned j = 0; j < wPlan.count; ++j) {
    auto type = withElement(p.weight.getType(),
                            quantType(ctx, d, digitIsSigned(j, wPlan), 1.0));
    if (!constWeight) {
      wPlanes.push_back(DigitOp::create(b, loc, type, p.weight,
                                        b.getI64IntegerAttr(j),
                                        b.getI64IntegerAttr(d)));
      continue;
    }
    digits.resize(p.wv.size());
    for (size_t k = 0; k < p.wv.size(); ++k)
      digits[k] = digitOf(p.wv[k], j, wPlan);
    wPlanes.push_back(makeConstant(b, loc, type, digits, "bwl_w"));
  }

  // One product per (i, j), shifted and summed.
  auto accType = withElement(outType, quantType(ctx, 32, true, sx));
  SmallVector<int64_t> ones(rank, 1);
  auto shiftType = RankedTensorType::get(ones, quantType(ctx, 32, true, 1.0));
  Value sum;
  Interval sumRange;
  for (const Term &t : terms) {
    Value x = xPlanes[t.i], w = wPlanes[t.j];
    Operation *prod;
    if (auto conv = dyn_cast<Conv2DOp>(op))
      prod = Conv2DOp::create(b, loc, accType, x, w, Value(),
                              conv.getStridesAttr(), conv.getDilationsAttr(),
                              conv.getPadAttr(), conv.getGroupsAttr());
    else if (isa<FullyConnectedOp>(op))
      prod = FullyConnectedOp::create(b, loc, accType, x, w, Value());
    else
      prod = MatMulOp::create(b, loc, accType, x, w);
    Interval range = overall(t.ranges);
    annotate(prod, range);
    prod->setAttr(kDigitsAttr, b.getDenseI64ArrayAttr({t.i, t.j}));
    Value term = prod->getResult(0);
    if (unsigned k = t.i + t.j) {
      Value pow2 = makeConstant(b, loc, shiftType,
                                {int64_t(1) << (d * k)}, "bwl_shift");
      term = MulOp::create(b, loc, accType, term, pow2);
    }
    sum = sum ? AddOp::create(b, loc, accType, sum, term).getResult() : term;
  }
  // Report the exact range of the full sum (the partial-sum intervals above
  // are looser: they only serve the overflow check).
  sumRange = acc;

  // Per-channel weight scale, bias and the original requantization: a
  // depthwise 1×1 conv with weight 1 and scale s_w[o] (ratio s_x·s_w[o] /
  // s_out, the original op's).
  int64_t O = outType.getDimSize(rank - 1);
  SmallVector<int64_t> shape4;
  Value x = sum;
  if (isa<Conv2DOp>(op)) {
    shape4.assign(outType.getShape().begin(), outType.getShape().end());
  } else {
    shape4 = {outType.getNumElements() / std::max<int64_t>(O, 1), 1, 1, O};
    x = ReshapeOp::create(b, loc, withShape(shape4, accType), sum);
  }
  Type unitElem;
  if (p.w.isPerAxis())
    unitElem = mlir::quant::UniformQuantizedPerAxisType::get(
        mlir::quant::QuantizationFlags::Signed, IntegerType::get(ctx, 2),
        Float32Type::get(ctx), p.w.scales,
        SmallVector<int64_t>(p.w.scales.size(), 0), 0, -1, 1);
  else
    unitElem = mlir::quant::UniformQuantizedType::get(
        mlir::quant::QuantizationFlags::Signed, IntegerType::get(ctx, 2),
        Float32Type::get(ctx), p.w.scale(0), 0, -1, 1);
  Value unit = makeConstant(b, loc, RankedTensorType::get({O, 1, 1, 1}, unitElem),
                            std::vector<int64_t>(O, 1), "bwl_scale");
  // A per-axis (raw accumulator) result is quantized along the channel,
  // dimension 3 of the 4-D rescale.
  Type rescaleElem = outType.getElementType();
  if (auto perAxis =
          dyn_cast<mlir::quant::UniformQuantizedPerAxisType>(rescaleElem))
    rescaleElem = mlir::quant::UniformQuantizedPerAxisType::get(
        perAxis.getFlags(), perAxis.getStorageType(),
        perAxis.getExpressedType(), perAxis.getScales(),
        perAxis.getZeroPoints(), 3, perAxis.getStorageTypeMin(),
        perAxis.getStorageTypeMax());
  auto rescale = Conv2DOp::create(
      b, loc, RankedTensorType::get(shape4, rescaleElem), x, unit, p.bias,
      b.getDenseI64ArrayAttr({1, 1}), b.getDenseI64ArrayAttr({1, 1}),
      b.getDenseI64ArrayAttr({0, 0, 0, 0}), b.getI64IntegerAttr(O));
  rescale->setAttr(kRescaleAttr, b.getUnitAttr());
  Value result = rescale.getResult();
  if (!isa<Conv2DOp>(op))
    result = ReshapeOp::create(b, loc, outType, result);

  // Accumulator sizing report.
  int64_t biasMax = 0;
  if (p.bias)
    if (auto bc = p.bias.getDefiningOp<ConstantOp>())
      if (auto bv = readIntElements(bc.getValue(), true))
        for (int64_t v : *bv)
          biasMax = std::max<int64_t>(biasMax, std::abs(v));
  Interval withBias{sumRange.lo - biasMax, sumRange.hi + biasMax};
  int64_t error = legalizeMultiplier(rescale, p, withBias);
  unsigned narrow = 0;
  for (const Term &t : terms)
    narrow += signedBitsFor(overall(t.ranges)) <= 16;
  report << "bitwidth-lowering: '" << p.name << "' "
         << op->getName().stripDialect() << " d=" << d << " x["
         << p.xRange.lo << "," << p.xRange.hi << "]->" << planText(xPlan)
         << " w[" << p.wRange.lo << "," << p.wRange.hi << "]->"
         << planText(wPlan) << " products=" << terms.size()
         << " acc=[" << sumRange.lo << "," << sumRange.hi << "] ("
         << signedBitsFor(sumRange) << " bits) i16-products=" << narrow << "/"
         << terms.size();
  if (multiplierBits < 32)
    report << " multiplier-bits=" << multiplierBits << " max-error<=" << error
           << " LSB";
  report << "\n";

  p.output.replaceAllUsesWith(result);
  op->erase();
  return success();
}

void BitwidthLoweringPass::runOnOperation() {
  if (digitBits < 1 || digitBits > 16) {
    getOperation().emitError() << "mote-bitwidth-lowering: digit-bits must be "
                                  "in [1, 16], got "
                               << static_cast<int64_t>(digitBits);
    return signalPassFailure();
  }
  if (multiplierBits < 2 || multiplierBits > 32) {
    getOperation().emitError() << "mote-bitwidth-lowering: multiplier-bits "
                                  "must be in [2, 32], got "
                               << static_cast<int64_t>(multiplierBits);
    return signalPassFailure();
  }
  SmallVector<Operation *> ops;
  getOperation().walk([&](Operation *op) {
    if (isa<Conv2DOp, FullyConnectedOp, MatMulOp>(op))
      ops.push_back(op);
  });
  std::string text;
  llvm::raw_string_ostream report(text);
  unsigned index = 0;
  for (Operation *op : ops) {
    Product p;
    p.wv = std::move(weights);
    llvm::scope_exit keep([&] { weights = std::move(p.wv); });
    p.name = layerName(op, index++);
    if (failed(analyse(op, p)))
      continue;
    std::optional<DigitPlan> xPlan = planDigits(p.xRange, digitBits);
    std::optional<DigitPlan> wPlan = planDigits(p.wRange, digitBits);
    if (!xPlan || !wPlan) {
      op->emitRemark() << "bitwidth-lowering: layer '" << p.name
                       << "' kept: operands wider than 62 bits";
      continue;
    }
    // The unlowered accumulator's proven range.
    Interval acc = p.wv.empty()
                       ? opaqueRange(p.reduction, p.xRange, p.wRange)
                       : overall(groupRanges(groupSums(p, std::nullopt),
                                             p.xRange));
    if (xPlan->count == 1 && wPlan->count == 1) {
      annotate(op, acc);
      int64_t error = legalizeMultiplier(op, p, acc);
      report << "bitwidth-lowering: '" << p.name << "' "
             << op->getName().stripDialect() << " d=" << digitBits
             << " native (1 product) acc=[" << acc.lo << "," << acc.hi
             << "] (" << signedBitsFor(acc) << " bits) acc_bits="
             << (signedBitsFor(acc) <= 16 ? 16 : 32);
      if (multiplierBits < 32)
        report << " multiplier-bits=" << multiplierBits
               << " max-error<=" << error << " LSB";
      report << "\n";
      continue;
    }
    (void)lower(p, *xPlan, *wPlan, acc, report);
  }
  if (!quiet)
    RemarkStream(reportLocation(getOperation())) << report.str();
}

} // namespace
