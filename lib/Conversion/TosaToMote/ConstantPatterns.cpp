//===- ConstantPatterns.cpp - tosa.const and constant subgraphs -----------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Float constants become mote.constant with the same payload (dense or
// dense_resource, untouched). Elementwise TOSA ops whose operands are all
// float constants are evaluated here: torch-mlir emits inference batch norm
// as sub/add/rsqrt/mul chains on constant mean, variance, gamma and beta,
// and only once those collapse into one per-channel scale and shift can
// --mote-fold-batchnorm fold them into the convolution. Integer constants
// stay TOSA until their user converts them, since only the user knows the
// scale they need.
//
//===----------------------------------------------------------------------===//

#include "TosaToMoteCommon.h"

#include "Mote/MoteAttrUtils.h"
#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"

#include <cmath>

using namespace mlir;

namespace mote::tosa_to_mote {
namespace {

struct ConstOpPattern : TosaPattern<tosa::ConstOp> {
  using TosaPattern::TosaPattern;
  LogicalResult matchAndRewrite(tosa::ConstOp op,
                                PatternRewriter &rewriter) const override {
    auto type = getTensorType(op.getResult());
    if (!type || !type.hasStaticShape())
      return fail(op, "constant must have a static shape");
    Type element = type.getElementType();
    auto value = cast<ElementsAttr>(op.getValues());
    if (element.isF32() || isQuantizedElement(element)) {
      // Quantized constants (TFLite weights) already hold storage values.
      if (cast<ShapedType>(value.getType()).getElementType() !=
          getStorageElementType(element))
        return fail(op, "constant payload does not match its result type");
      rewriter.replaceOpWithNewOp<ConstantOp>(op, type, value);
      return success();
    }
    // Plain-integer constants (weights, biases, zero points, multipliers)
    // are read by the ops that use them.
    return failure();
  }
};

/// Shape-aware elementwise evaluation with TOSA broadcasting (equal ranks,
/// size-1 dimensions stretch).
static std::vector<float>
evaluateBinary(ArrayRef<float> lhs, ArrayRef<int64_t> lhsShape,
               ArrayRef<float> rhs, ArrayRef<int64_t> rhsShape,
               ArrayRef<int64_t> outShape, llvm::function_ref<float(float, float)> f) {
  int64_t rank = outShape.size();
  int64_t count = 1;
  for (int64_t d : outShape)
    count *= d;
  std::vector<float> out(count);
  SmallVector<int64_t> index(rank, 0);
  auto offset = [&](ArrayRef<int64_t> shape) {
    int64_t off = 0;
    int64_t lead = rank - static_cast<int64_t>(shape.size());
    for (int64_t d = lead; d < rank; ++d) {
      int64_t extent = shape[d - lead];
      off = off * extent + (extent == 1 ? 0 : index[d]);
    }
    return off;
  };
  for (int64_t i = 0; i < count; ++i) {
    out[i] = f(lhs[offset(lhsShape)], rhs[offset(rhsShape)]);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < outShape[d])
        break;
      index[d] = 0;
    }
  }
  return out;
}

/// Folds a float elementwise op on constant operands into a mote.constant.
template <typename OpTy>
struct FoldConstantElementwise : TosaPattern<OpTy> {
  FoldConstantElementwise(MLIRContext *context, ConversionState &state)
      : TosaPattern<OpTy>(context, state, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto outType = getTensorType(op->getResult(0));
    if (!outType || !outType.getElementType().isF32() ||
        !outType.hasStaticShape())
      return failure();
    // The data operands: the first one or two (tosa.mul's shift and
    // tosa.negate's zero points are parameters).
    unsigned numData = op->getNumOperands();
    if (isa<tosa::MulOp>(op))
      numData = 2;
    if (isa<tosa::NegateOp>(op))
      numData = 1;
    SmallVector<std::vector<float>, 2> values;
    SmallVector<ArrayRef<int64_t>, 2> shapes;
    for (unsigned i = 0; i < numData; ++i) {
      Value operand = op->getOperand(i);
      if (!isConverted(operand))
        return failure();
      auto data = getConstFloats(operand);
      if (!data)
        return failure();
      values.push_back(std::move(*data));
      shapes.push_back(getTensorType(operand).getShape());
    }
    std::vector<float> result;
    auto unary = [&](auto f) {
      for (float v : values[0])
        result.push_back(f(v));
    };
    auto binary = [&](auto f) {
      result = evaluateBinary(values[0], shapes[0], values[1], shapes[1],
                              outType.getShape(), f);
    };
    if constexpr (std::is_same_v<OpTy, tosa::AddOp>)
      binary([](float a, float b) { return a + b; });
    else if constexpr (std::is_same_v<OpTy, tosa::SubOp>)
      binary([](float a, float b) { return a - b; });
    else if constexpr (std::is_same_v<OpTy, tosa::MulOp>)
      binary([](float a, float b) { return a * b; });
    else if constexpr (std::is_same_v<OpTy, tosa::MaximumOp>)
      binary([](float a, float b) { return std::max(a, b); });
    else if constexpr (std::is_same_v<OpTy, tosa::MinimumOp>)
      binary([](float a, float b) { return std::min(a, b); });
    else if constexpr (std::is_same_v<OpTy, tosa::PowOp>)
      binary([](float a, float b) { return std::pow(a, b); });
    else if constexpr (std::is_same_v<OpTy, tosa::RsqrtOp>)
      unary([](float a) { return 1.0f / std::sqrt(a); });
    else if constexpr (std::is_same_v<OpTy, tosa::ReciprocalOp>)
      unary([](float a) { return 1.0f / a; });
    else if constexpr (std::is_same_v<OpTy, tosa::NegateOp>)
      unary([](float a) { return -a; });
    else if constexpr (std::is_same_v<OpTy, tosa::ExpOp>)
      unary([](float a) { return std::exp(a); });
    else if constexpr (std::is_same_v<OpTy, tosa::CastOp>)
      unary([](float a) { return a; });
    if (static_cast<int64_t>(result.size()) != outType.getNumElements())
      return this->fail(op, "constant operands do not broadcast to the result");
    rewriter.replaceOpWithNewOp<ConstantOp>(
        op, outType, makeFloatElements(outType, result, "folded"));
    return success();
  }
};

} // namespace

void populateConstantPatterns(RewritePatternSet &patterns,
                              ConversionState &state) {
  MLIRContext *context = patterns.getContext();
  patterns.add<ConstOpPattern>(context, state);
  patterns.add<FoldConstantElementwise<tosa::AddOp>,
               FoldConstantElementwise<tosa::SubOp>,
               FoldConstantElementwise<tosa::MulOp>,
               FoldConstantElementwise<tosa::MaximumOp>,
               FoldConstantElementwise<tosa::MinimumOp>,
               FoldConstantElementwise<tosa::PowOp>,
               FoldConstantElementwise<tosa::RsqrtOp>,
               FoldConstantElementwise<tosa::ReciprocalOp>,
               FoldConstantElementwise<tosa::NegateOp>,
               FoldConstantElementwise<tosa::ExpOp>,
               FoldConstantElementwise<tosa::CastOp>>(context, state);
}

} // namespace mote::tosa_to_mote
