//===- QdqFold.cpp - Dequantize → float conv → quantize to a quantized conv -===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// A torch QDQ model reaches TOSA as a float convolution between a
// dequantized activation, dequantized weights and a float bias, followed by
// a quantization of the result. That is the quantized convolution the
// model stands for: this file rewrites it into mote.conv2d on the quantized
// types, with the bias quantized to i32 at scale s_x·s_w[o] (zero point 0),
// as TFLite and ONNX Runtime do for QDQ graphs. It is not bit-identical to
// the float graph (the integer conv requantizes once, the float graph
// rounds the float sum), which is the point: the NPU runs integers.
//
// torch-mlir keeps NCHW and wraps each conv in transposes, so quantize and
// dequantize are first moved through transposes (exact: both are
// elementwise).
//
//===----------------------------------------------------------------------===//

#include "TosaToMoteCommon.h"

#include "Mote/MoteAttrUtils.h"
#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"

#include <limits>

using namespace mlir;

namespace mote::tosa_to_mote {
namespace {

/// transpose(dequantize(q)) → dequantize(transpose(q)) for per-tensor q.
struct DequantizeBeforeTranspose : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto dq = op.getInput().getDefiningOp<DequantizeOp>();
    if (!dq)
      return failure();
    auto params = getQuantParams(dq.getInput().getType());
    if (!params || params->isPerAxis())
      return failure();
    auto outType = cast<RankedTensorType>(op.getType());
    auto qType = outType.clone(
        cast<RankedTensorType>(dq.getInput().getType()).getElementType());
    Value t = TransposeOp::create(rewriter, op.getLoc(), qType, dq.getInput(),
                                  op.getPermsAttr());
    rewriter.replaceOpWithNewOp<DequantizeOp>(op, outType, t);
    return success();
  }
};

/// quantize(transpose(x)) → transpose(quantize(x)) for a per-tensor result.
struct QuantizeBeforeTranspose : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp op,
                                PatternRewriter &rewriter) const override {
    auto transpose = op.getInput().getDefiningOp<TransposeOp>();
    if (!transpose || !transpose->hasOneUse())
      return failure();
    auto params = getQuantParams(op.getType());
    if (!params || params->isPerAxis())
      return failure();
    auto inType = cast<RankedTensorType>(transpose.getInput().getType());
    auto qType = inType.clone(op.getType().getElementType());
    Value q = QuantizeOp::create(rewriter, op.getLoc(), qType,
                                 transpose.getInput());
    rewriter.replaceOpWithNewOp<TransposeOp>(op, op.getType(), q,
                                             transpose.getPermsAttr());
    return success();
  }
};

/// quantize(conv2d(dequantize(x), dequantize(w), bias_f32)) → quantized
/// conv2d. Only exactly this shape: per-tensor x and result, weights per
/// tensor or per output channel with zero point 0, a constant (or no) bias,
/// and the float conv used only by the quantize.
struct FoldQdqConv : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp op,
                                PatternRewriter &rewriter) const override {
    auto conv = op.getInput().getDefiningOp<Conv2DOp>();
    if (!conv || !conv->hasOneUse())
      return failure();
    auto dx = conv.getInput().getDefiningOp<DequantizeOp>();
    auto dw = conv.getFilter().getDefiningOp<DequantizeOp>();
    if (!dx || !dw)
      return failure();
    auto px = getQuantParams(dx.getInput().getType());
    auto pw = getQuantParams(dw.getInput().getType());
    auto py = getQuantParams(op.getType());
    if (!px || !pw || !py || px->isPerAxis() || py->isPerAxis() ||
        (pw->isPerAxis() && pw->axis != 0) ||
        !llvm::all_of(pw->zeroPoints, [](int64_t z) { return z == 0; }))
      return failure();
    auto filterType = cast<RankedTensorType>(conv.getFilter().getType());
    int64_t outChannels = filterType.getDimSize(0);
    SmallVector<double> accScales;
    for (int64_t o = 0; o < outChannels; ++o)
      accScales.push_back(px->scales[0] * pw->scale(o));

    Value bias;
    if (Value floatBias = conv.getBias()) {
      auto biasConst = floatBias.getDefiningOp<ConstantOp>();
      if (!biasConst)
        return failure();
      auto values = readFloatElements(biasConst.getValue());
      auto biasType = cast<RankedTensorType>(floatBias.getType());
      if (!values || static_cast<int64_t>(values->size()) != outChannels)
        return failure();
      std::vector<int64_t> q;
      for (int64_t o = 0; o < outChannels; ++o)
        q.push_back(numerics::quantize((*values)[o], accScales[o], 0,
                                       std::numeric_limits<int32_t>::min(),
                                       std::numeric_limits<int32_t>::max()));
      Type element = makeQuantTypeForScales(
          getContext(), 32, true, accScales,
          SmallVector<int64_t>(outChannels, 0), 0);
      auto qType = biasType.clone(element);
      bias = ConstantOp::create(
          rewriter, biasConst.getLoc(), qType,
          makeIntElements(biasType.clone(rewriter.getI32Type()), q, "bias"));
    }
    rewriter.replaceOpWithNewOp<Conv2DOp>(
        op, op.getType(), dx.getInput(), dw.getInput(), bias,
        conv.getStridesAttr(), conv.getDilationsAttr(), conv.getPadAttr(),
        conv.getGroupsAttr());
    return success();
  }
};

} // namespace

void populateQdqFoldPatterns(RewritePatternSet &patterns) {
  patterns.add<DequantizeBeforeTranspose, QuantizeBeforeTranspose,
               FoldQdqConv>(patterns.getContext());
}

} // namespace mote::tosa_to_mote
