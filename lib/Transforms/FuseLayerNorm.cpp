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

/// The first normalized axis if `axes` are the trailing axes [a, rank) of a
/// keepdims reduction, else -1.
int64_t trailingAxis(ReduceMeanOp mean) {
  if (!mean || !mean.getKeepdims())
    return -1;
  ArrayRef<int64_t> axes = mean.getAxes();
  int64_t rank = cast<RankedTensorType>(mean.getInput().getType()).getRank();
  if (axes.empty() || axes.back() != rank - 1)
    return -1;
  for (size_t i = 1; i < axes.size(); ++i)
    if (axes[i] != axes[i - 1] + 1)
      return -1;
  return axes.front();
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
    int64_t axis = trailingAxis(mean);
    if (axis < 0 || mean.getInput() != x || x.getType() != op.getType() ||
        d.getType() != op.getType())
      return failure();
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
      rewriter.replaceOpWithNewOp<LayerNormOp>(
          op, op.getType(), x, one, Value(), rewriter.getI64IntegerAttr(axis),
          rewriter.getF32FloatAttr(*eps));
      return success();
    }
    return failure();
  }
};

/// `v` as an operand of a layer_norm's scale or bias over [axis, rank): a
/// tensor that broadcasts to the normalized shape only (its dimensions
/// before `axis` are 1; they are dropped by a reshape).
FailureOr<Value> affineOperand(PatternRewriter &rewriter, Location loc, Value v,
                               LayerNormOp ln) {
  auto type = cast<RankedTensorType>(v.getType());
  auto inType = cast<RankedTensorType>(ln.getInput().getType());
  int64_t rank = inType.getRank(), axis = ln.getAxis();
  ArrayRef<int64_t> normalized = inType.getShape().drop_front(axis);
  int64_t vrank = type.getRank();
  if (vrank > rank)
    return failure();
  int64_t lead = std::max<int64_t>(0, vrank - (rank - axis));
  for (int64_t i = 0; i < lead; ++i)
    if (type.getDimSize(i) != 1)
      return failure();
  ArrayRef<int64_t> trailing = type.getShape().drop_front(lead);
  auto b = broadcastShapes(trailing, normalized);
  if (!b || ArrayRef<int64_t>(*b) != normalized)
    return failure();
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
      auto ln = lnValue.template getDefiningOp<LayerNormOp>();
      if (!ln || !ln->hasOneUse() || lnValue.getType() != op.getType() ||
          ln.getBias() || (isScale && !isUnitScale(ln)))
        continue;
      FailureOr<Value> v = affineOperand(rewriter, op.getLoc(), other, ln);
      if (failed(v))
        continue;
      Value scale = isScale ? *v : ln.getScale();
      Value bias = isScale ? Value() : *v;
      rewriter.replaceOpWithNewOp<LayerNormOp>(
          op, op.getType(), ln.getInput(), scale, bias, ln.getAxisAttr(),
          ln.getEpsilonAttr());
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
