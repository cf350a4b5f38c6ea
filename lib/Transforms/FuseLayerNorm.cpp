//===- FuseLayerNorm.cpp - Decomposed layer normalization to one op --------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// torch.onnx below opset 17 writes LayerNorm as nine ops. As one
// mote.layer_norm it runs as one host kernel (statistics in double)
// instead of two reductions and five elementwise passes, and its float
// boundaries are where the quantizer dequantizes and requantizes once.
//
// Three patterns: the normalization proper (rooted at the division) makes
// a layer_norm with scale 1 and no bias; a multiply by γ folds into a
// scale-1 layer_norm and an add of β into a bias-free one, so that the
// affine tail is absorbed in whatever form the exporter wrote it.
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
#define GEN_PASS_DEF_MOTEFUSELAYERNORM
#include "mote/Transforms/Passes.h.inc"
} // namespace mote

using namespace mlir;
using namespace mote;

namespace {

bool isFloatTensor(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.getElementType().isF32();
}

std::optional<std::vector<float>> constantValues(Value v) {
  Attribute attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  return readFloatElements(attr);
}

std::optional<float> splatValue(Value v) {
  // Data movement keeps a splat a splat; the importer reshapes and
  // transposes a shared scalar constant for each layout it is used in.
  while (isa_and_nonnull<ReshapeOp, TransposeOp>(v.getDefiningOp()))
    v = v.getDefiningOp()->getOperand(0);
  auto values = constantValues(v);
  if (!values || values->empty())
    return std::nullopt;
  for (float f : *values)
    if (f != values->front())
      return std::nullopt;
  return values->front();
}

/// The permutation that moves the reduced axes of a keepdims mean to the
/// end (each group in order), or std::nullopt if `mean` is no such
/// reduction. The identity when the axes already are the trailing ones.
std::optional<SmallVector<int64_t>> normalizedFrame(ReduceMeanOp mean) {
  if (!mean || !mean.getKeepdims() || mean.getAxes().empty())
    return std::nullopt;
  ArrayRef<int64_t> axes = mean.getAxes();
  int64_t rank = cast<RankedTensorType>(mean.getInput().getType()).getRank();
  SmallVector<int64_t> perm;
  for (int64_t d = 0; d < rank; ++d)
    if (!llvm::is_contained(axes, d))
      perm.push_back(d);
  perm.append(axes.begin(), axes.end());
  return perm;
}

bool isIdentity(ArrayRef<int64_t> perm) {
  for (auto [i, p] : llvm::enumerate(perm))
    if (p != static_cast<int64_t>(i))
      return false;
  return true;
}

SmallVector<int64_t> inversePermutation(ArrayRef<int64_t> perm) {
  SmallVector<int64_t> inv(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inv[p] = i;
  return inv;
}

/// d / sqrt(mean(d²) + ε) with d = x − mean(x) → layer_norm(x, 1).
struct FuseNormalization : OpRewritePattern<DivOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(DivOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatTensor(op.getOutput()))
      return failure();
    Value d = op.getLhs();
    auto sub = d.getDefiningOp<SubOp>();
    auto sqrt = op.getRhs().getDefiningOp<SqrtOp>();
    if (!sub || !sqrt)
      return failure();
    Value x = sub.getLhs();
    auto mean = sub.getRhs().getDefiningOp<ReduceMeanOp>();
    std::optional<SmallVector<int64_t>> perm = normalizedFrame(mean);
    if (!perm || mean.getInput() != x || x.getType() != op.getType() ||
        d.getType() != op.getType())
      return failure();
    int64_t rank = perm->size();
    int64_t axis = rank - static_cast<int64_t>(mean.getAxes().size());
    auto add = sqrt.getInput().getDefiningOp<AddOp>();
    if (!add)
      return failure();
    for (auto [varValue, epsValue] : {std::pair{add.getLhs(), add.getRhs()},
                                      std::pair{add.getRhs(), add.getLhs()}}) {
      auto var = varValue.getDefiningOp<ReduceMeanOp>();
      std::optional<float> eps = splatValue(epsValue);
      if (!var || !eps || !(*eps >= 0.0f) || !std::isfinite(*eps) ||
          var.getAxes() != mean.getAxes() || !var.getKeepdims() ||
          varValue.getType() != mean.getType() ||
          sqrt.getInput().getType() != mean.getType())
        continue;
      Value sq = var.getInput();
      bool isSquare = false;
      if (auto pow = sq.getDefiningOp<PowOp>())
        isSquare = pow.getInput() == d && pow.getExponent().convertToFloat() == 2.0f;
      else if (auto mul = sq.getDefiningOp<MulOp>())
        isSquare = mul.getLhs() == d && mul.getRhs() == d;
      if (!isSquare)
        continue;
      auto scalarType = RankedTensorType::get({}, rewriter.getF32Type());
      Value one = ConstantOp::create(
          rewriter, op.getLoc(),
          DenseElementsAttr::get(scalarType, rewriter.getF32FloatAttr(1.0f)));
      // Axes that are not trailing (a norm over W of an NHWC tensor, i.e.
      // over the last axis of the NCHW model) normalize in a transposed
      // frame.
      Value in = x;
      if (!isIdentity(*perm))
        in = TransposeOp::create(rewriter, op.getLoc(), x, *perm);
      Value ln = LayerNormOp::create(rewriter, op.getLoc(), in.getType(), in,
                                     one, Value(),
                                     rewriter.getI64IntegerAttr(axis),
                                     rewriter.getF32FloatAttr(*eps));
      if (!isIdentity(*perm))
        ln = TransposeOp::create(rewriter, op.getLoc(), ln,
                                 inversePermutation(*perm));
      rewriter.replaceOp(op, ln);
      return success();
    }
    return failure();
  }
};

/// `v` as an operand of a layer_norm's scale or bias over [axis, rank): a
/// tensor that broadcasts to the normalized shape only (its dimensions
/// before `axis` are 1; they are dropped by a reshape).
/// The number of leading unit dimensions a shape must drop to be a
/// layer_norm scale or bias, or -1 if it does not broadcast over the
/// normalized dimensions only.
int64_t affineLead(ArrayRef<int64_t> shape, LayerNormOp ln) {
  auto inType = cast<RankedTensorType>(ln.getInput().getType());
  int64_t rank = inType.getRank(), axis = ln.getAxis();
  ArrayRef<int64_t> normalized = inType.getShape().drop_front(axis);
  int64_t vrank = shape.size();
  if (vrank > rank)
    return -1;
  int64_t lead = std::max<int64_t>(0, vrank - (rank - axis));
  for (int64_t i = 0; i < lead; ++i)
    if (shape[i] != 1)
      return -1;
  auto b = broadcastShapes(shape.drop_front(lead), normalized);
  if (!b || ArrayRef<int64_t>(*b) != normalized)
    return -1;
  return lead;
}

FailureOr<Value> affineOperand(PatternRewriter &rewriter, Location loc, Value v,
                               LayerNormOp ln) {
  auto type = cast<RankedTensorType>(v.getType());
  int64_t lead = affineLead(type.getShape(), ln);
  if (lead < 0)
    return failure();
  ArrayRef<int64_t> trailing = type.getShape().drop_front(lead);
  if (lead == 0)
    return v;
  return ReshapeOp::create(rewriter, loc, type.clone(trailing), v).getResult();
}

bool isUnitScale(LayerNormOp ln) {
  auto s = splatValue(ln.getScale());
  return s && *s == 1.0f;
}

/// layer_norm(x, 1) · γ → layer_norm(x, γ); layer_norm(x, s) + β →
/// layer_norm(x, s, β).
template <typename BinaryOp>
struct FoldAffine : OpRewritePattern<BinaryOp> {
  using OpRewritePattern<BinaryOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(BinaryOp op,
                                PatternRewriter &rewriter) const override {
    constexpr bool isScale = std::is_same_v<BinaryOp, MulOp>;
    for (auto [lnValue, other] : {std::pair{op.getLhs(), op.getRhs()},
                                  std::pair{op.getRhs(), op.getLhs()}}) {
      // The layer_norm, possibly seen through the transpose back from its
      // normalized frame.
      auto back = lnValue.template getDefiningOp<TransposeOp>();
      Value lnResult = back ? back.getInput() : lnValue;
      auto ln = lnResult.template getDefiningOp<LayerNormOp>();
      if (!ln || !ln->hasOneUse() || (back && !back->hasOneUse()) ||
          lnValue.getType() != op.getType() || ln.getBias() ||
          (isScale && !isUnitScale(ln)))
        continue;
      auto type = cast<RankedTensorType>(other.getType());
      int64_t rank = cast<RankedTensorType>(op.getType()).getRank();
      if (type.getRank() > rank)
        continue;
      SmallVector<int64_t> full(rank - type.getRank(), 1);
      full.append(type.getShape().begin(), type.getShape().end());
      SmallVector<int64_t> framed(full);
      if (back) {
        SmallVector<int64_t> toFrame = inversePermutation(back.getPerms());
        for (int64_t i = 0; i < rank; ++i)
          framed[i] = full[toFrame[i]];
      }
      // Check before creating anything: a failed match leaves no ops.
      if (affineLead(back ? ArrayRef<int64_t>(framed) : type.getShape(), ln) < 0)
        continue;
      rewriter.setInsertionPoint(op);
      Value operand = other;
      if (back) {
        // Bring the operand into the frame: rank-align, then permute.
        Value aligned = operand;
        if (type.getRank() != rank)
          aligned = ReshapeOp::create(rewriter, op.getLoc(), type.clone(full),
                                      operand);
        operand = TransposeOp::create(rewriter, op.getLoc(), aligned,
                                      inversePermutation(back.getPerms()));
      }
      FailureOr<Value> v = affineOperand(rewriter, op.getLoc(), operand, ln);
      if (failed(v))
        return failure(); // Unreachable: affineLead checked the shape.
      Value scale = isScale ? *v : ln.getScale();
      Value bias = isScale ? Value() : *v;
      Value fused = LayerNormOp::create(rewriter, op.getLoc(), ln.getType(),
                                        ln.getInput(), scale, bias,
                                        ln.getAxisAttr(), ln.getEpsilonAttr());
      if (back)
        fused = TransposeOp::create(rewriter, op.getLoc(), fused,
                                    back.getPerms());
      rewriter.replaceOp(op, fused);
      if (back)
        rewriter.eraseOp(back);
      rewriter.eraseOp(ln);
      return success();
    }
    return failure();
  }
};

struct MoteFuseLayerNormPass
    : mote::impl::MoteFuseLayerNormBase<MoteFuseLayerNormPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    patterns.add<FuseNormalization, FoldAffine<MulOp>, FoldAffine<AddOp>>(ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
