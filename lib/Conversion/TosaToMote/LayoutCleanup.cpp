//===- LayoutCleanup.cpp - Sink elementwise ops through transposes --------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// torch-mlir keeps PyTorch's NCHW between layers and wraps every TOSA
// convolution in NCHW→NHWC and NHWC→NCHW transposes; batch norm and ReLU
// then run on the NCHW tensor with [1, C, 1, 1] constants. Moving an
// elementwise op with a constant operand in front of the transpose (with
// the constant permuted) puts the per-channel scale and shift right after
// the convolution, where --mote-fold-batchnorm folds them, and lets the
// transpose pairs between layers cancel.
//
//===----------------------------------------------------------------------===//

#include "TosaToMoteCommon.h"

#include "Mote/MoteAttrUtils.h"
#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"

using namespace mlir;

namespace mote::tosa_to_mote {
namespace {

template <typename BinaryOp>
struct SinkBinaryThroughTranspose : OpRewritePattern<BinaryOp> {
  using OpRewritePattern<BinaryOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(BinaryOp op,
                                PatternRewriter &rewriter) const override {
    auto outType = cast<RankedTensorType>(op.getType());
    if (!outType.getElementType().isF32())
      return failure();
    bool transposeIsLhs = true;
    auto transpose = op.getLhs().template getDefiningOp<TransposeOp>();
    Value other = op.getRhs();
    if (!transpose) {
      transpose = op.getRhs().template getDefiningOp<TransposeOp>();
      other = op.getLhs();
      transposeIsLhs = false;
    }
    if (!transpose || !transpose->hasOneUse() ||
        transpose.getType() != outType)
      return failure();
    auto data = getConstFloats(other);
    if (!data)
      return failure();
    // Align the constant's rank with the result, then apply the inverse
    // permutation.
    auto otherType = cast<RankedTensorType>(other.getType());
    int64_t rank = outType.getRank();
    if (otherType.getRank() > rank)
      return failure();
    SmallVector<int64_t> shape(rank - otherType.getRank(), 1);
    shape.append(otherType.getShape().begin(), otherType.getShape().end());
    ArrayRef<int64_t> perms = transpose.getPerms();
    SmallVector<int64_t> inverse(rank);
    for (int64_t i = 0; i < rank; ++i)
      inverse[perms[i]] = i;
    SmallVector<int64_t> newShape;
    std::vector<float> permuted =
        transposeData<float>(*data, shape, inverse, newShape);
    auto constType = RankedTensorType::get(newShape, rewriter.getF32Type());
    Location loc = op.getLoc();
    Value constant = ConstantOp::create(
        rewriter, loc, constType,
        makeFloatElements(constType, permuted, "sunk"));
    Value input = transpose.getInput();
    Value lhs = transposeIsLhs ? input : constant;
    Value rhs = transposeIsLhs ? constant : input;
    Value inner = BinaryOp::create(rewriter, loc, input.getType(), lhs, rhs);
    rewriter.replaceOpWithNewOp<TransposeOp>(op, outType, inner,
                                             transpose.getPermsAttr());
    return success();
  }
};

/// Float clamp and activations commute with any transpose.
template <typename UnaryOp>
struct SinkUnaryThroughTranspose : OpRewritePattern<UnaryOp> {
  using OpRewritePattern<UnaryOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(UnaryOp op,
                                PatternRewriter &rewriter) const override {
    auto transpose = op->getOperand(0).template getDefiningOp<TransposeOp>();
    if (!transpose || !transpose->hasOneUse() ||
        !isF32Tensor(op->getResult(0).getType()))
      return failure();
    Operation *inner = rewriter.clone(*op);
    inner->setOperand(0, transpose.getInput());
    inner->getResult(0).setType(transpose.getInput().getType());
    rewriter.replaceOpWithNewOp<TransposeOp>(
        op, op->getResult(0).getType(), inner->getResult(0),
        transpose.getPermsAttr());
    return success();
  }
};

} // namespace

void populateLayoutCleanupPatterns(RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<SinkBinaryThroughTranspose<AddOp>,
               SinkBinaryThroughTranspose<SubOp>,
               SinkBinaryThroughTranspose<MulOp>,
               SinkUnaryThroughTranspose<ClampOp>,
               SinkUnaryThroughTranspose<SigmoidOp>,
               SinkUnaryThroughTranspose<TanhOp>>(context);
  TransposeOp::getCanonicalizationPatterns(patterns, context);
  ReshapeOp::getCanonicalizationPatterns(patterns, context);
}

} // namespace mote::tosa_to_mote
