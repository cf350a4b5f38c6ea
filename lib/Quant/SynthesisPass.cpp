//===- SynthesisPass.cpp - Quantization synthesis as IR -------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// --mote-quant-synthesis: rewrites each quantized conv2d / fully_connected
// as Σ_i α_i·(x ⋆ c_i), one accumulation per term (DESIGN §5). The fitting
// math lives in Synthesis.cpp; this file checks what the IR can express
// exactly and builds it. docs/Synthesis.md describes the IR shapes.
//
//===----------------------------------------------------------------------===//

#include "mote/Quant/Passes.h"

#include "Mote/MoteAttrUtils.h"
#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"
#include "mote/Numerics/Numerics.h"
#include "mote/Quant/Refinement.h"
#include "mote/Quant/Synthesis.h"

#include "mlir/IR/Builders.h"
#include "llvm/Support/Debug.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

namespace mote {
#define GEN_PASS_DEF_MOTEQUANTSYNTHESIS
#include "mote/Quant/Passes.h.inc"
} // namespace mote

using namespace mlir;

#define DEBUG_TYPE "mote-quant-synthesis"
using namespace mote;
using namespace mote::quant;

namespace {

/// The largest shift n of the learned/residual term sum (scale s_y·2^−n):
/// the final requantization's shift is then 30 + n <= 62.
constexpr int kMaxSumShift = 32;

/// What one layer looks like before synthesis.
struct Layer {
  Operation *op = nullptr;
  Value input, weight, bias, output;
  QuantParams in, w, out;
  std::vector<int64_t> q;         ///< Weight storage values, channel-major.
  std::vector<int64_t> biasQ;     ///< Bias storage values (empty: none).
  int64_t channels = 0, perChannel = 0;
  std::string name;
};

/// The per-layer result line.
using LayerReport = SynthesisLayerReport;

/// The framework node's name (MoteTypeUtils' locationName), else "#index".
std::string layerName(Operation *op, unsigned index) {
  std::string name = locationName(op->getLoc());
  return name.empty() ? "#" + std::to_string(index) : name;
}

[[maybe_unused]] std::string formatDb(double v) {
  if (std::isinf(v))
    return v > 0 ? "inf" : "-inf";
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::format("%.2f", v);
  return s;
}


RankedTensorType withElement(Type like, Type element) {
  return RankedTensorType::get(cast<RankedTensorType>(like).getShape(),
                               element);
}

Type perTensorType(MLIRContext *ctx, unsigned bits, bool isSigned,
                   double scale, int64_t lo, int64_t hi) {
  return mlir::quant::UniformQuantizedType::get(
      isSigned ? mlir::quant::QuantizationFlags::Signed : 0,
      IntegerType::get(ctx, bits), Float32Type::get(ctx), scale, 0, lo, hi);
}

Type perAxisType(MLIRContext *ctx, unsigned bits, ArrayRef<double> scales,
                 int32_t axis, int64_t lo, int64_t hi) {
  return mlir::quant::UniformQuantizedPerAxisType::get(
      mlir::quant::QuantizationFlags::Signed, IntegerType::get(ctx, bits),
      Float32Type::get(ctx), scales, SmallVector<int64_t>(scales.size(), 0),
      axis, lo, hi);
}

Value makeConstant(OpBuilder &b, Location loc, RankedTensorType type,
                   ArrayRef<int64_t> values, StringRef hint) {
  return ConstantOp::create(
      b, loc, type,
      makeIntElements(getStorageTensorType(type), values, hint));
}

/// True if adding an accumulator of scale `hi` (= lo·2^k) to one of scale
/// `lo` into scale `lo` is exact under mote.add's rescaling: every
/// multiplier a power of two and no step drops a nonzero bit.
bool exactAdd(double hi, double lo) {
  auto r = numerics::computeAddRescale(hi, lo, lo);
  if (!r)
    return false;
  for (numerics::ScaleMultiplier m : {r->lhs, r->rhs, r->out})
    if (m.multiplier != (int32_t(1) << 30))
      return false;
  // lhs and rhs scale up (shift ≤ 30); out scales down by the rhs factor,
  // whose multiple the sum is.
  return r->lhs.shift <= 30 && r->rhs.shift <= 30 &&
         r->out.shift - 30 <= 30 - r->rhs.shift;
}

struct SynthesisPass
    : public mote::impl::MoteQuantSynthesisBase<SynthesisPass> {
  using Base::Base;
  SynthesisPass(const MoteQuantSynthesisOptions &options,
                std::vector<LayerReport> *sink)
      : Base(options), sink(sink) {}
  void runOnOperation() override;
  /// Where the tool that built the pass wants the reports (or null).
  std::vector<LayerReport> *sink = nullptr;

  std::optional<Layer> match(Operation *op, unsigned index);
  /// Builds the exact pow2 form from integer weights `q` with per-channel
  /// scales `scales` and bias `biasQ` (scale s_x·scales[o]).
  LogicalResult buildPow2(Layer &l, ArrayRef<int64_t> q,
                          ArrayRef<double> scales, ArrayRef<int64_t> biasQ);
  /// Builds the per-channel-α form of learned/residual fits.
  LogicalResult buildTerms(Layer &l, ArrayRef<TermFit> fits);
  Value termProduct(Layer &l, OpBuilder &b, Value filter, Value bias,
                    Type accType);

  std::vector<LayerReport> reports;
};

} // namespace

std::optional<Layer> SynthesisPass::match(Operation *op, unsigned index) {
  Layer l;
  l.op = op;
  if (auto conv = dyn_cast<Conv2DOp>(op)) {
    l.input = conv.getInput();
    l.weight = conv.getFilter();
    l.bias = conv.getBias();
  } else if (auto fc = dyn_cast<FullyConnectedOp>(op)) {
    l.input = fc.getInput();
    l.weight = fc.getWeight();
    l.bias = fc.getBias();
  } else {
    return std::nullopt;
  }
  l.output = op->getResult(0);
  l.name = layerName(op, index);
  auto in = getQuantParams(l.input.getType());
  auto w = getQuantParams(l.weight.getType());
  auto out = getQuantParams(l.output.getType());
  if (!in || !w || !out)
    return std::nullopt; // float layer: nothing to synthesize
  auto remark = [&](const Twine &why) {
    op->emitRemark() << "synthesis: layer '" << l.name << "' kept: " << why;
    return std::nullopt;
  };
  if (in->isPerAxis() || out->isPerAxis() || out->storageBits >= 32)
    return remark("needs a per-tensor input and a narrow per-tensor result");
  auto cst = l.weight.getDefiningOp<ConstantOp>();
  if (!cst)
    return remark("the weight is not a constant");
  for (int64_t zp : w->zeroPoints)
    if (zp != 0)
      return remark("the weight has a nonzero zero point");
  auto values = readIntElements(cst.getValue(), w->isSigned);
  if (!values)
    return remark("cannot read the weight constant");
  l.q = std::move(*values);
  auto wType = cast<RankedTensorType>(l.weight.getType());
  l.channels = wType.getDimSize(0);
  l.perChannel = l.channels ? wType.getNumElements() / l.channels : 0;
  if (l.bias) {
    auto bcst = l.bias.getDefiningOp<ConstantOp>();
    auto bq = bcst ? readIntElements(bcst.getValue(), true) : std::nullopt;
    if (!bq)
      return remark("the bias is not a readable constant");
    l.biasQ = std::move(*bq);
  }
  l.in = *in;
  l.w = *w;
  l.out = *out;
  return l;
}

Value SynthesisPass::termProduct(Layer &l, OpBuilder &b, Value filter,
                                 Value bias, Type accType) {
  Operation *term = b.clone(*l.op);
  term->setOperand(1, filter);
  if (bias)
    term->setOperand(2, bias);
  else if (term->getNumOperands() > 2)
    term->eraseOperand(2);
  term->getResult(0).setType(accType);
  return term->getResult(0);
}

LogicalResult SynthesisPass::buildPow2(Layer &l, ArrayRef<int64_t> q,
                                       ArrayRef<double> scales,
                                       ArrayRef<int64_t> biasQ) {
  MLIRContext *ctx = &getContext();
  unsigned K = terms, bw = bits;
  std::vector<std::vector<int64_t>> digits;
  if (!sliceDigits(q, K, bw, digits)) {
    l.op->emitRemark() << "synthesis: layer '" << l.name
                       << "' kept: weights do not fit " << K * bw << " bits";
    return failure();
  }
  double sx = l.in.scale(0);
  for (unsigned i = 0; i + 1 < K; ++i)
    if (!exactAdd(sx * std::ldexp(1.0, bw * (i + 1)),
                  sx * std::ldexp(1.0, bw * i))) {
      l.op->emitRemark() << "synthesis: layer '" << l.name
                         << "' kept: summing terms " << i << " and " << i + 1
                         << " would not be exact (shift out of range)";
      return failure();
    }
  // The final per-channel requantization has the original layer's ratio.
  for (double s : scales)
    if (!numerics::computeScaleMultiplier(sx * s / l.out.scale(0))) {
      l.op->emitRemark() << "synthesis: layer '" << l.name
                         << "' kept: no 32-bit multiplier for its ratio";
      return failure();
    }

  OpBuilder b(l.op);
  Location loc = l.op->getLoc();
  auto wType = cast<RankedTensorType>(l.weight.getType());
  auto outType = cast<RankedTensorType>(l.output.getType());
  Value sum;
  for (unsigned i = K; i-- > 0;) {
    CodeRange range = pow2DigitRange(i, K, bw);
    bool isSigned = range.lo < 0;
    double termScale = std::ldexp(1.0, bw * i);
    auto filterType = withElement(
        wType, perTensorType(ctx, bw, isSigned, termScale, range.lo, range.hi));
    Value filter = makeConstant(b, loc, filterType, digits[i], "synth_w");
    Value bias;
    if (i == 0 && !biasQ.empty()) {
      auto biasType = withElement(
          l.bias.getType(),
          perTensorType(ctx, 32, true, sx, INT32_MIN, INT32_MAX));
      bias = makeConstant(b, loc, biasType, biasQ, "synth_b");
    }
    auto accType = withElement(
        outType, perTensorType(ctx, 32, true, sx * termScale, INT32_MIN,
                               INT32_MAX));
    Value acc = termProduct(l, b, filter, bias, accType);
    sum = sum ? AddOp::create(b, loc, accType, sum, acc).getResult() : acc;
  }

  // Per-channel scale: a depthwise 1×1 conv with weight 1, scale s_w[o].
  int64_t O = l.channels;
  SmallVector<int64_t> shape4;
  Value x = sum;
  if (isa<FullyConnectedOp>(l.op)) {
    int64_t rows = outType.getNumElements() / std::max<int64_t>(O, 1);
    shape4 = {rows, 1, 1, O};
    x = ReshapeOp::create(b, loc,
                          withElement(RankedTensorType::get(shape4, b.getI32Type()),
                                      getElementTypeOrSelf(sum.getType())),
                          sum);
  } else {
    shape4.assign(outType.getShape().begin(), outType.getShape().end());
  }
  auto unitType = RankedTensorType::get(
      {O, 1, 1, 1}, perAxisType(ctx, 2, scales, 0, -1, 1));
  Value unit = makeConstant(b, loc, unitType, std::vector<int64_t>(O, 1),
                            "synth_scale");
  auto scaledType =
      RankedTensorType::get(shape4, outType.getElementType());
  Value result =
      Conv2DOp::create(b, loc, scaledType, x, unit, Value(),
                       b.getDenseI64ArrayAttr({1, 1}),
                       b.getDenseI64ArrayAttr({1, 1}),
                       b.getDenseI64ArrayAttr({0, 0, 0, 0}),
                       b.getI64IntegerAttr(O))
          .getResult();
  if (isa<FullyConnectedOp>(l.op))
    result = ReshapeOp::create(b, loc, outType, result).getResult();
  l.output.replaceAllUsesWith(result);
  l.op->erase();
  return success();
}

LogicalResult SynthesisPass::buildTerms(Layer &l, ArrayRef<TermFit> fits) {
  MLIRContext *ctx = &getContext();
  unsigned K = terms;
  double sx = l.in.scale(0);
  auto outType = cast<RankedTensorType>(l.output.getType());
  auto wType = cast<RankedTensorType>(l.weight.getType());
  int32_t accAxis = static_cast<int32_t>(outType.getRank() - 1);
  CodeRange range = symmetricCodeRange(bits);
  unsigned storageBits = std::max<unsigned>(bits, 2);

  // Single rounding (Numerics combineTerms): the terms are summed at
  // s_y·2^−n with integer multipliers m_i[o] = round(s_x·α_i[o]·2^n / s_y),
  // so every term requant is exact (m_i·A_i) and only the final requant
  // rounds. n is the largest shift for which the worst-case sum
  // Σ_i m_i·(K_red·max|x − zp|·max|code| + |bias_i|) stays inside int32.
  int64_t xMax = std::max(std::llabs(l.in.storageMin - l.in.zeroPoint(0)),
                          std::llabs(l.in.storageMax - l.in.zeroPoint(0)));
  int64_t codeMax = std::max<int64_t>(std::llabs(range.lo), range.hi);
  double productBound = double(l.perChannel) * double(xMax) * double(codeMax);
  auto biasReal = [&](int64_t o) {
    return l.biasQ.empty() ? 0.0
                           : static_cast<double>(l.biasQ[o]) *
                                 getQuantParams(l.bias.getType())->scale(o);
  };
  double sumScale = 0;
  // accScales[i][o] = m_i[o] · sumScale: the exact integer ratio.
  std::vector<SmallVector<double>> accScales(K);
  std::vector<std::vector<double>> alphas(K);
  for (int n = kMaxSumShift; n >= 1 && !sumScale; --n) {
    double ss = std::ldexp(l.out.scale(0), -n);
    bool ok = true;
    for (int64_t o = 0; o < l.channels && ok; ++o) {
      double bound = 0;
      for (unsigned i = 0; i < K && ok; ++i) {
        double m = std::max(1.0, std::nearbyint(sx * fits[o].alphas[i] / ss));
        double b = i == 0 ? std::fabs(biasReal(o)) / (m * ss) + 1 : 0;
        bound += m * (productBound + b);
        ok = m < double(1 << 30) && fits[o].alphas[i] > 0.0;
      }
      ok = ok && bound < 2147483647.0;
    }
    if (ok)
      sumScale = ss;
  }
  if (!sumScale) {
    l.op->emitRemark() << "synthesis: layer '" << l.name
                       << "' kept: its terms' int32 sum has no shift n >= 1 "
                          "that keeps the worst case inside int32";
    return failure();
  }
  for (unsigned i = 0; i < K; ++i)
    for (int64_t o = 0; o < l.channels; ++o) {
      double m = std::max(1.0, std::nearbyint(sx * fits[o].alphas[i] / sumScale));
      accScales[i].push_back(m * sumScale);
      alphas[i].push_back(printedScale(m * sumScale / sx));
    }

  OpBuilder b(l.op);
  Location loc = l.op->getLoc();
  auto sumType = withElement(
      outType, perTensorType(ctx, 32, true, sumScale, INT32_MIN, INT32_MAX));
  Value sum;
  for (unsigned i = 0; i < K; ++i) {
    std::vector<int64_t> codes;
    codes.reserve(l.q.size());
    for (const TermFit &f : fits)
      codes.insert(codes.end(), f.codes[i].begin(), f.codes[i].end());
    auto filterType = withElement(
        wType, perAxisType(ctx, storageBits, alphas[i], 0, range.lo,
                           range.hi));
    Value filter = makeConstant(b, loc, filterType, codes, "synth_w");
    Value bias;
    if (i == 0 && !l.biasQ.empty()) {
      SmallVector<double> bscales;
      std::vector<int64_t> bq;
      for (int64_t o = 0; o < l.channels; ++o) {
        double s = accScales[0][o];
        bscales.push_back(s);
        double real = biasReal(o);
        bq.push_back(numerics::quantize(real, s, 0, INT32_MIN, INT32_MAX));
      }
      auto biasType = withElement(
          l.bias.getType(),
          perAxisType(ctx, 32, bscales, 0, INT32_MIN, INT32_MAX));
      bias = makeConstant(b, loc, biasType, bq, "synth_b");
    }
    auto accType = withElement(
        outType, perAxisType(ctx, 32, accScales[i], accAxis, INT32_MIN,
                             INT32_MAX));
    Value acc = termProduct(l, b, filter, bias, accType);
    Value term = RequantOp::create(b, loc, sumType, acc);
    sum = sum ? AddOp::create(b, loc, sumType, sum, term).getResult() : term;
  }
  Value result = RequantOp::create(b, loc, outType, sum);
  l.output.replaceAllUsesWith(result);
  l.op->erase();
  return success();
}

void SynthesisPass::runOnOperation() {
  if (mode != "pow2" && mode != "learned" && mode != "residual") {
    getOperation().emitError() << "mote-quant-synthesis: unknown mode '"
                               << mode << "' (expected pow2, learned or "
                                          "residual)";
    return signalPassFailure();
  }
  if (terms < 1 || bits < 1 || terms * bits > 32 ||
      (mode == "pow2" && bits > 20)) {
    getOperation().emitError()
        << "mote-quant-synthesis: need terms >= 1, 1 <= bits, terms*bits <= "
           "32 (pow2: bits <= 20), got terms="
        << terms << " bits=" << bits;
    return signalPassFailure();
  }
  if (mode == "learned" && terms * bits > 16) {
    getOperation().emitError() << "mote-quant-synthesis: mode=learned needs "
                                  "terms*bits <= 16 (its level table)";
    return signalPassFailure();
  }

  SmallVector<Operation *> candidates;
  getOperation().walk([&](Operation *op) {
    if (isa<Conv2DOp, FullyConnectedOp>(op))
      candidates.push_back(op);
  });
  unsigned total = terms * bits;
  unsigned index = 0;
  for (Operation *op : candidates) {
    std::optional<Layer> layer = match(op, index++);
    if (!layer)
      continue;
    Layer &l = *layer;
    // Per-channel fits against the dequantized source weights.
    std::vector<TermFit> pow2Fits, learnedFits, residualFits;
    std::vector<double> src, apUniform, apLearned, apResidual;
    for (int64_t o = 0; o < l.channels; ++o) {
      std::vector<double> w;
      for (int64_t j = 0; j < l.perChannel; ++j)
        w.push_back(l.w.scale(o) *
                    static_cast<double>(l.q[o * l.perChannel + j]));
      src.insert(src.end(), w.begin(), w.end());
      TermFit u = fitUniform(w, total);
      auto ru = u.reconstruct();
      apUniform.insert(apUniform.end(), ru.begin(), ru.end());
      TermFit r = fitResidual(w, terms, bits);
      auto rr = r.reconstruct();
      apResidual.insert(apResidual.end(), rr.begin(), rr.end());
      residualFits.push_back(std::move(r));
      if (total <= 16) {
        TermFit lf = fitLearned(w, terms, bits);
        auto rl = lf.reconstruct();
        apLearned.insert(apLearned.end(), rl.begin(), rl.end());
        learnedFits.push_back(std::move(lf));
      }
    }
    LayerReport rep;
    rep.name = l.name;
    // pow2 keeps the source integers when they fit terms·bits bits.
    int64_t lim = total >= 63 ? INT64_MAX : (int64_t(1) << (total - 1)) - 1;
    bool fits = true;
    for (int64_t v : l.q)
      fits &= v >= -lim && v <= lim;
    rep.uniform = fits ? std::numeric_limits<double>::infinity()
                       : sqnrDb(src, apUniform);
    rep.pow2 = rep.uniform;
    rep.residual = sqnrDb(src, apResidual);
    rep.learned = apLearned.empty() ? std::nan("") : sqnrDb(src, apLearned);

    // An exact uniform fit (inf dB) is never beaten.
    bool useLearned = mode == "learned" && !apLearned.empty() &&
                      !std::isinf(rep.uniform) &&
                      rep.learned >= rep.uniform + minGainDb;
    LogicalResult built = failure();
    if (mode == "residual") {
      rep.chosen = "residual";
      built = buildTerms(l, residualFits);
    } else if (useLearned) {
      rep.chosen = "learned";
      built = buildTerms(l, learnedFits);
    } else {
      rep.chosen = "pow2";
      std::vector<int64_t> q = l.q;
      SmallVector<double> scales;
      for (int64_t o = 0; o < l.channels; ++o)
        scales.push_back(l.w.scale(o));
      std::vector<int64_t> biasQ = l.biasQ;
      if (!fits) {
        // Requantize the weights to terms·bits bits first (and the bias to
        // the new accumulator scales).
        q.clear();
        for (int64_t o = 0; o < l.channels; ++o) {
          std::vector<double> w(src.begin() + o * l.perChannel,
                                src.begin() + (o + 1) * l.perChannel);
          TermFit u = fitUniform(w, total);
          double s = printedScale(u.alphas[0]);
          int64_t qm = numerics::storageMax(total, true);
          for (double v : w)
            q.push_back(numerics::quantize(v, s, 0, -qm, qm));
          if (!biasQ.empty())
            biasQ[o] = numerics::quantize(
                static_cast<double>(biasQ[o]) * l.w.scale(o), s, 0, INT32_MIN,
                INT32_MAX);
          scales[o] = s;
        }
      }
      built = buildPow2(l, q, scales, biasQ);
    }
    if (failed(built))
      rep.chosen = "kept";
    // Drop the source weight and bias once nothing reads them.
    for (Value v : {l.weight, l.bias})
      if (succeeded(built) && v && v.use_empty())
        if (Operation *def = v.getDefiningOp())
          def->erase();
    LLVM_DEBUG(llvm::dbgs()
               << "synthesis: " << rep.name << " mode=" << mode
               << " terms=" << terms << " bits=" << bits
               << " sqnr_db uniform=" << formatDb(rep.uniform) << " learned="
               << (apLearned.empty() ? "n/a" : formatDb(rep.learned))
               << " residual=" << formatDb(rep.residual) << " -> "
               << rep.chosen << "\n");
    reports.push_back(rep);
  }
  if (sink)
    sink->insert(sink->end(), reports.begin(), reports.end());

  if (!report.empty()) {
    llvm::json::Array layers;
    for (const LayerReport &r : reports)
      layers.push_back(toJSON(r));
    llvm::json::Object root{{"mode", std::string(mode)},
                            {"terms", static_cast<int64_t>(terms)},
                            {"bits", static_cast<int64_t>(bits)},
                            {"layers", std::move(layers)}};
    std::error_code ec;
    llvm::raw_fd_ostream os(report, ec, llvm::sys::fs::OF_Text);
    if (ec) {
      getOperation().emitError() << "mote-quant-synthesis: cannot write '"
                                 << report << "': " << ec.message();
      return signalPassFailure();
    }
    os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
  }
}

std::unique_ptr<mlir::Pass> mote::createMoteQuantSynthesisPass(
    const MoteQuantSynthesisOptions &options,
    std::vector<quant::SynthesisLayerReport> *sink) {
  return std::make_unique<SynthesisPass>(options, sink);
}
