//===- PoolingPatterns.cpp - max_pool2d and avg_pool2d --------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// TOSA pools NHWC with pad [top, bottom, left, right], like mote. Padding
// never wins a max and is excluded from an average's divisor
// (count_include_pad = false). An integer average keeps the input's scale
// and takes the output zero point operand as its result's zero point.
//
//===----------------------------------------------------------------------===//

#include "TosaToMoteCommon.h"

#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"

using namespace mlir;

namespace mote::tosa_to_mote {
namespace {

struct MaxPoolPattern : TosaPattern<tosa::MaxPool2dOp> {
  using TosaPattern::TosaPattern;
  LogicalResult matchAndRewrite(tosa::MaxPool2dOp op,
                                PatternRewriter &rewriter) const override {
    Value input = op.getInput();
    if (!isConverted(input))
      return failure();
    auto outType = getTensorType(op.getResult());
    if (!outType || !outType.hasStaticShape())
      return fail(op, "result must have a static shape");
    auto element = getTensorType(input).getElementType();
    rewriter.replaceOpWithNewOp<MaxPool2DOp>(
        op, outType.clone(element), input, op.getKernelAttr(),
        op.getStrideAttr(), rewriter.getDenseI64ArrayAttr({1, 1}),
        op.getPadAttr(), rewriter.getBoolAttr(false));
    return success();
  }
};

struct AvgPoolPattern : TosaPattern<tosa::AvgPool2dOp> {
  using TosaPattern::TosaPattern;
  LogicalResult matchAndRewrite(tosa::AvgPool2dOp op,
                                PatternRewriter &rewriter) const override {
    Value input = op.getInput();
    if (!isConverted(input))
      return failure();
    auto outType = getTensorType(op.getResult());
    if (!outType || !outType.hasStaticShape())
      return fail(op, "result must have a static shape");
    Type element = outType.getElementType();
    if (isF32Tensor(input.getType())) {
      auto inZp = getZeroPoint(op.getInputZp());
      auto outZp = getZeroPoint(op.getOutputZp());
      if (!inZp || *inZp != 0 || !outZp || *outZp != 0)
        return fail(op, "float zero points must be 0");
    } else {
      auto in = getQuantParams(input.getType());
      if (!in || in->isPerAxis())
        return fail(op, "integer input must be quantized per tensor");
      auto inZp = getZeroPoint(op.getInputZp(), !in->isSigned);
      if (!inZp || *inZp != in->zeroPoints[0])
        return fail(op, "input zero point operand does not match the "
                        "input's (assigned) zero point");
      unsigned bits = in->storageBits;
      bool isSigned = in->isSigned;
      if (auto declared = getQuantParams(outType)) {
        bits = declared->storageBits;
        isSigned = declared->isSigned;
      } else if (auto intType = dyn_cast<IntegerType>(element)) {
        bits = intType.getWidth();
      }
      auto outZp = getZeroPoint(op.getOutputZp(), !isSigned);
      if (!outZp)
        return fail(op, "output zero point must be a constant");
      element = makeQuantType(getContext(), bits, isSigned, in->scales[0],
                              *outZp);
    }
    rewriter.replaceOpWithNewOp<AvgPool2DOp>(
        op, outType.clone(element), input, op.getKernelAttr(),
        op.getStrideAttr(), op.getPadAttr(), rewriter.getBoolAttr(false),
        rewriter.getBoolAttr(false));
    return success();
  }
};

} // namespace

void populatePoolingPatterns(RewritePatternSet &patterns,
                             ConversionState &state) {
  patterns.add<MaxPoolPattern, AvgPoolPattern>(patterns.getContext(), state);
}

} // namespace mote::tosa_to_mote
