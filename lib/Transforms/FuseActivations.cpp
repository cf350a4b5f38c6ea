//===- FuseActivations.cpp - HardSwish, SiLU, GELU from their parts --------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// A decomposed activation costs several ops in float and, quantized, several
// requantizing elementwise steps, each rounding; the fused op is one table
// lookup with one rounding. The patterns match the forms torch.onnx writes.
//
//===----------------------------------------------------------------------===//

#include "mote/Transforms/Passes.h"

#include "Mote/MoteAttrUtils.h"
#include "Mote/MoteOps.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <array>
#include <cmath>

namespace mote {
#define GEN_PASS_DEF_MOTEFUSEACTIVATIONS
#include "mote/Transforms/Passes.h.inc"
} // namespace mote

using namespace mlir;
using namespace mote;

namespace {

bool isFloatTensor(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.getElementType().isF32();
}

/// The value of a float constant whose elements are all equal.
std::optional<double> splatValue(Value v) {
  // Data movement keeps a splat a splat; the importer reshapes and
  // transposes a shared scalar constant for each layout it is used in.
  while (isa_and_nonnull<ReshapeOp, TransposeOp>(v.getDefiningOp()))
    v = v.getDefiningOp()->getOperand(0);
  Attribute attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  auto values = readFloatElements(attr);
  if (!values || values->empty())
    return std::nullopt;
  for (float f : *values)
    if (f != values->front())
      return std::nullopt;
  return values->front();
}

bool near(std::optional<double> value, double expected) {
  return value && std::abs(*value - expected) <= 1e-6 * std::abs(expected);
}

/// x · f(x) → g(x) for a unary `Inner` op f that `accept` approves, in
/// either operand order.
template <typename Inner, typename Fused>
struct FuseSelfGated : OpRewritePattern<MulOp> {
  using Accept = bool (*)(Inner);
  FuseSelfGated(MLIRContext *ctx, Accept accept)
      : OpRewritePattern<MulOp>(ctx), accept(accept) {}

  LogicalResult matchAndRewrite(MulOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatTensor(op.getOutput()))
      return failure();
    for (auto [x, gate] : {std::pair{op.getLhs(), op.getRhs()},
                           std::pair{op.getRhs(), op.getLhs()}}) {
      auto inner = gate.template getDefiningOp<Inner>();
      if (!inner || inner.getInput() != x || !accept(inner) ||
          x.getType() != op.getType())
        continue;
      rewriter.replaceOpWithNewOp<Fused>(op, op.getType(), x);
      return success();
    }
    return failure();
  }

  Accept accept;
};

bool isTorchHardSigmoid(HardSigmoidOp op) {
  return near(op.getAlpha().convertToFloat(), 1.0 / 6.0) &&
         near(op.getBeta().convertToFloat(), 0.5);
}
bool always(SigmoidOp) { return true; }

/// If `v` is `erf(x / √2)` or `erf(x · (1/√2))` plus 1, returns x.
Value matchOnePlusErf(Value v) {
  auto add = v.getDefiningOp<AddOp>();
  if (!add)
    return {};
  for (auto [erfValue, one] : {std::pair{add.getLhs(), add.getRhs()},
                               std::pair{add.getRhs(), add.getLhs()}}) {
    auto erf = erfValue.getDefiningOp<ErfOp>();
    if (!erf || !near(splatValue(one), 1.0))
      continue;
    Value arg = erf.getInput();
    if (auto div = arg.getDefiningOp<DivOp>()) {
      if (near(splatValue(div.getRhs()), std::sqrt(2.0)))
        return div.getLhs();
    } else if (auto mul = arg.getDefiningOp<MulOp>()) {
      if (near(splatValue(mul.getRhs()), std::sqrt(0.5)))
        return mul.getLhs();
      if (near(splatValue(mul.getLhs()), std::sqrt(0.5)))
        return mul.getRhs();
    }
  }
  return {};
}

/// The x of a product {x, 1 + erf(x/√2), 0.5} of three factors in any
/// order, or null.
Value matchGeluFactors(std::array<Value, 3> factors) {
  for (int half = 0; half < 3; ++half) {
    if (!near(splatValue(factors[half]), 0.5))
      continue;
    for (int gate = 0; gate < 3; ++gate) {
      if (gate == half)
        continue;
      Value x = matchOnePlusErf(factors[gate]);
      if (x && x == factors[3 - half - gate])
        return x;
    }
  }
  return {};
}

/// x · (1 + erf(x/√2)) · 0.5, in any association of the two products →
/// gelu(x).
struct FuseGelu : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MulOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatTensor(op.getOutput()))
      return failure();
    for (auto [u, w] : {std::pair{op.getLhs(), op.getRhs()},
                        std::pair{op.getRhs(), op.getLhs()}}) {
      auto inner = w.getDefiningOp<MulOp>();
      if (!inner)
        continue;
      Value x = matchGeluFactors({u, inner.getLhs(), inner.getRhs()});
      if (!x || x.getType() != op.getType())
        continue;
      rewriter.replaceOpWithNewOp<GeluOp>(op, op.getType(), x);
      return success();
    }
    return failure();
  }
};

struct MoteFuseActivationsPass
    : mote::impl::MoteFuseActivationsBase<MoteFuseActivationsPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    patterns.add<FuseSelfGated<HardSigmoidOp, HardSwishOp>>(
        ctx, isTorchHardSigmoid);
    patterns.add<FuseSelfGated<SigmoidOp, SiluOp>>(ctx, always);
    patterns.add<FuseGelu>(ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
