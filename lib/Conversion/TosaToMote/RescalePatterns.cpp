//===- RescalePatterns.cpp - tosa.rescale → mote.requant ------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// mote.requant recomputes its multiplier and shift from the scale ratio of
// its types with numerics::computeScaleMultiplier. A rescale is therefore
// converted by choosing the output scale s_out = s_in / (M·2^−S) and then
// checking that mote recomputes exactly TOSA's (M, S) for every channel; a
// quantized result type that already reproduces them (TFLite) is kept.
//
//===----------------------------------------------------------------------===//

#include "TosaToMoteCommon.h"

#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"

using namespace mlir;

namespace mote::tosa_to_mote {
namespace {

struct RescalePattern : TosaPattern<tosa::RescaleOp> {
  using TosaPattern::TosaPattern;

  LogicalResult matchAndRewrite(tosa::RescaleOp op,
                                PatternRewriter &rewriter) const override {
    Value input = op.getInput();
    if (!isConverted(input))
      return failure();
    auto outType = getTensorType(op.getResult());
    if (!outType || !outType.hasStaticShape())
      return fail(op, "result must have a static shape");
    auto in = getQuantParams(input.getType());
    if (!in)
      return fail(op, "float rescale has no meaning; the input must be an "
                      "integer tensor");

    auto multipliers = getConstInts(op.getMultiplier());
    auto shifts = getConstInts(op.getShift());
    if (!multipliers || !shifts || multipliers->size() != shifts->size() ||
        multipliers->empty())
      return fail(op, "multiplier and shift must be constants of equal size");
    int64_t channels = outType.getRank() ? outType.getShape().back() : 1;
    if (op.getPerChannel() &&
        static_cast<int64_t>(multipliers->size()) != channels)
      return fail(op, "per-channel rescale needs one multiplier per channel "
                      "of the last dimension");

    // Rounding: TOSA's DOUBLE_ROUND only differs from SINGLE_ROUND for
    // shifts above 31.
    tosa::RoundingMode mode = op.getRoundingMode();
    bool exact = mode == tosa::RoundingMode::SINGLE_ROUND;
    if (mode == tosa::RoundingMode::DOUBLE_ROUND)
      exact = llvm::all_of(*shifts, [](int64_t s) { return s <= 31; });
    if (!exact) {
      std::string modeName = tosa::stringifyRoundingMode(mode).str();
      if (state.strictRounding)
        return fail(op, modeName + " rounding is not reproduced bit for bit "
                                   "by mote's single rounding "
                                   "(strict-rounding is set)");
    }

    SmallVector<numerics::ScaleMultiplier> ms;
    for (auto [m, s] : llvm::zip(*multipliers, *shifts)) {
      auto norm = normalizeMultiplier(m, s);
      if (!norm)
        return fail(op, "multiplier " + Twine(m) + " with shift " + Twine(s) +
                            " is outside mote's requantizer range (M > 0, "
                            "shift 1..62 after normalisation)");
      ms.push_back(*norm);
    }

    // Input zero point must agree with the input's type.
    auto inZp = getZeroPoint(op.getInputZp(), op.getInputUnsigned());
    if (!inZp || !llvm::all_of(in->zeroPoints,
                               [&](int64_t z) { return z == *inZp; }))
      return fail(op, "input zero point operand does not match the input's "
                      "(assigned) zero point");

    // Output storage and zero point.
    Type outElement = outType.getElementType();
    unsigned bits;
    bool isSigned = !op.getOutputUnsigned();
    auto declared = getQuantParams(outType);
    if (declared) {
      bits = declared->storageBits;
      isSigned = declared->isSigned;
    } else if (auto intType = dyn_cast<IntegerType>(outElement)) {
      bits = intType.getWidth();
    } else {
      return fail(op, "result must be an integer tensor");
    }
    auto outZp = getZeroPoint(op.getOutputZp(), !isSigned);
    if (!outZp)
      return fail(op, "output zero point must be a constant");
    if (declared && (declared->isPerAxis() || declared->zeroPoints[0] != *outZp))
      return fail(op, "quantized result type disagrees with the output zero "
                      "point operand");

    // One output scale must reproduce every channel's multiplier.
    auto inScale = [&](int64_t c) {
      return in->isPerAxis() ? in->scales[c] : in->scales[0];
    };
    int64_t numScales =
        std::max<int64_t>(in->isPerAxis() ? in->scales.size() : 1,
                          op.getPerChannel() ? channels : 1);
    if (in->isPerAxis() && in->axis != outType.getRank() - 1)
      return fail(op, "per-axis input must be quantized along its last "
                      "dimension");
    auto msOf = [&](int64_t c) { return ms[op.getPerChannel() ? c : 0]; };
    auto reproduces = [&](double sOut) {
      for (int64_t c = 0; c < numScales; ++c)
        if (!reproducesMultiplier(inScale(c) / sOut, msOf(c)))
          return false;
      return true;
    };
    double outScale =
        inScale(0) / numerics::scaleMultiplierValue(msOf(0));
    if (declared && reproduces(declared->scales[0]))
      outScale = declared->scales[0];
    else if (!reproduces(outScale))
      return fail(op, "no single output scale makes mote recompute these "
                      "multipliers exactly (the input's per-channel scales "
                      "and the rescale's multipliers disagree)");

    if (!exact)
      op.emitWarning()
          << tosa::stringifyRoundingMode(mode)
          << " rounding with a shift above 31 is converted to mote's single "
             "rounding; results may differ by one LSB";
    Type element = makeQuantType(getContext(), bits, isSigned, outScale, *outZp);
    rewriter.replaceOpWithNewOp<RequantOp>(op, outType.clone(element), input);
    return success();
  }
};

} // namespace

void populateRescalePatterns(RewritePatternSet &patterns,
                             ConversionState &state) {
  patterns.add<RescalePattern>(patterns.getContext(), state);
}

} // namespace mote::tosa_to_mote
