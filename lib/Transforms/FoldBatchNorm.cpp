//===- FoldBatchNorm.cpp - Fold channel scale/shift into conv and FC -------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Batch normalisation in inference mode is a per-channel affine map. Folding
// it into the preceding product before quantization matters: weight scales
// must be chosen for the weights that will actually run.
//
//===----------------------------------------------------------------------===//

#include "mote/Transforms/Passes.h"

#include "Mote/MoteAttrUtils.h"
#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mote {
#define GEN_PASS_DEF_MOTEFOLDBATCHNORM
#include "mote/Transforms/Passes.h.inc"
} // namespace mote

using namespace mlir;
using namespace mote;

namespace {

/// Reads a constant operand as one value per output channel, if it is a
/// float constant that broadcasts to `resultType` and varies at most along
/// the last (channel) dimension.
static std::optional<std::vector<float>>
readPerChannel(Value value, RankedTensorType resultType) {
  Attribute attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getRank() > resultType.getRank())
    return std::nullopt;
  ArrayRef<int64_t> shape = type.getShape();
  for (size_t i = 0; i + 1 < shape.size(); ++i)
    if (shape[i] != 1)
      return std::nullopt;
  int64_t channels = resultType.getShape().back();
  int64_t last = shape.empty() ? 1 : shape.back();
  if (last != 1 && last != channels)
    return std::nullopt;
  auto values = readFloatElements(attr);
  if (!values)
    return std::nullopt;
  if (last == 1)
    values->assign(channels, values->front());
  return values;
}

/// The product ops whose output channel is the result's last dimension and
/// whose weight's output channel is dimension 0.
static bool isFoldableProduct(Operation *op) {
  return isa<Conv2DOp, FullyConnectedOp>(op);
}

template <typename BinaryOp>
struct FoldChannelAffine : OpRewritePattern<BinaryOp> {
  using OpRewritePattern<BinaryOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(BinaryOp op,
                                PatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op.getType());
    if (isQuantizedTensor(resultType))
      return failure();
    Value lhs = op.getLhs(), rhs = op.getRhs();
    // Sub folds only as product − constant; add and mul commute.
    if (!isa<SubOp>(op) && lhs.getDefiningOp<ConstantOp>())
      std::swap(lhs, rhs);
    Operation *product = lhs.getDefiningOp();
    if (!product || !isFoldableProduct(product) || !product->hasOneUse() ||
        lhs.getType() != resultType)
      return failure();
    auto coefficients = readPerChannel(rhs, resultType);
    if (!coefficients)
      return failure();

    Value weight = product->getOperand(1);
    Value bias = product->getNumOperands() > 2 ? product->getOperand(2)
                                               : Value();
    Attribute weightAttr;
    if (!matchPattern(weight, m_Constant(&weightAttr)))
      return failure();
    auto weights = readFloatElements(weightAttr);
    if (!weights)
      return failure();
    int64_t channels = resultType.getShape().back();
    std::vector<float> biases(channels, 0.0f);
    if (bias) {
      Attribute biasAttr;
      if (!matchPattern(bias, m_Constant(&biasAttr)))
        return failure();
      auto values = readFloatElements(biasAttr);
      if (!values)
        return failure();
      biases = *values;
    }

    auto weightType = cast<RankedTensorType>(weight.getType());
    if (isa<MulOp>(op)) {
      int64_t perChannel = weightType.getNumElements() / channels;
      for (int64_t o = 0; o < channels; ++o) {
        for (int64_t i = 0; i < perChannel; ++i)
          (*weights)[o * perChannel + i] *= (*coefficients)[o];
        biases[o] *= (*coefficients)[o];
      }
    } else {
      float sign = isa<SubOp>(op) ? -1.0f : 1.0f;
      for (int64_t o = 0; o < channels; ++o)
        biases[o] += sign * (*coefficients)[o];
    }

    rewriter.setInsertionPoint(product);
    Location loc = product->getLoc();
    auto biasType = RankedTensorType::get({channels}, rewriter.getF32Type());
    Value newWeight = ConstantOp::create(
        rewriter, loc, makeFloatElements(weightType, *weights, "weight"));
    Value newBias = ConstantOp::create(
        rewriter, loc, makeFloatElements(biasType, biases, "bias"));
    Operation *folded = rewriter.clone(*product);
    folded->setOperand(1, newWeight);
    if (bias) {
      folded->setOperand(2, newBias);
    } else if (auto conv = dyn_cast<Conv2DOp>(folded)) {
      conv.getBiasMutable().assign(newBias);
    } else {
      cast<FullyConnectedOp>(folded).getBiasMutable().assign(newBias);
    }
    rewriter.replaceOp(op, folded->getResults());
    rewriter.eraseOp(product);
    return success();
  }
};

struct MoteFoldBatchNormPass
    : mote::impl::MoteFoldBatchNormBase<MoteFoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldChannelAffine<MulOp>, FoldChannelAffine<AddOp>,
                 FoldChannelAffine<SubOp>>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
