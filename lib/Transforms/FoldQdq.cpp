//===- FoldQdq.cpp - Fold dequantize → float op → quantize into integer ops -===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// A pre-quantized model in QDQ form (ONNX QuantizeLinear/DequantizeLinear as
// PyTorch and ONNX Runtime export it, or torch-mlir's TOSA) computes in
// float between a dequantize of each input and a quantize of the result.
// That is the quantized op the model stands for, with the model's own
// scales and zero points: this pass rewrites each such island into the
// mote op on `!quant.uniform` types, so that the model runs in integers
// without recalibration.
//
// The rewrite follows the integer lowering TFLite and ONNX Runtime use and
// is exact with respect to mote's quantized semantics (docs/Interpreter.md),
// not bit-identical to the float QDQ graph: the integer op rounds once where
// the float graph rounds the float result. Patterns that are exact in both
// senses (moving quantize/dequantize through transposes, quantize through a
// clamp — quantization is monotone) are applied first so that the compute
// op meets its dequantized operands.
//
//===----------------------------------------------------------------------===//

#include "mote/Transforms/Passes.h"

#include "Mote/MoteAttrUtils.h"
#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"
#include "mote/Numerics/Numerics.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <limits>

namespace mote {
#define GEN_PASS_DEF_MOTEFOLDQDQ
#include "mote/Transforms/Passes.h.inc"
} // namespace mote

using namespace mlir;
using namespace mote;

namespace {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// The per-tensor quantized input of `value` = dequantize(q), or null.
static Value perTensorSource(Value value) {
  auto dq = value.getDefiningOp<DequantizeOp>();
  if (!dq)
    return {};
  auto params = getQuantParams(dq.getInput().getType());
  if (!params || params->isPerAxis())
    return {};
  return dq.getInput();
}

static bool isPerTensorQuantized(Type type) {
  auto params = getQuantParams(type);
  return params && !params->isPerAxis();
}

/// A quantized element type with one scale per slice of `axis`, or a
/// per-tensor type if every scale and zero point is the same.
static Type makeQuantType(MLIRContext *context, unsigned bits, bool isSigned,
                          ArrayRef<double> scales, ArrayRef<int64_t> zeroPoints,
                          int32_t axis) {
  unsigned flags = isSigned ? quant::QuantizationFlags::Signed : 0;
  Type storage = IntegerType::get(context, bits);
  Type f32 = Float32Type::get(context);
  int64_t lo = numerics::storageMin(bits, isSigned);
  int64_t hi = numerics::storageMax(bits, isSigned);
  if (llvm::all_equal(scales) && llvm::all_equal(zeroPoints))
    return quant::UniformQuantizedType::get(flags, storage, f32, scales.front(),
                                            zeroPoints.front(), lo, hi);
  return quant::UniformQuantizedPerAxisType::get(flags, storage, f32, scales,
                                                 zeroPoints, axis, lo, hi);
}

/// The real values of a bias operand: a float constant, or the dequantized
/// values of a quantized constant (ONNX Runtime exports the bias as an int32
/// DequantizeLinear).
static std::optional<std::vector<double>> readRealConstant(Value value) {
  if (auto c = value.getDefiningOp<ConstantOp>()) {
    auto values = readFloatElements(c.getValue());
    if (!values)
      return std::nullopt;
    return std::vector<double>(values->begin(), values->end());
  }
  auto dq = value.getDefiningOp<DequantizeOp>();
  if (!dq)
    return std::nullopt;
  auto c = dq.getInput().getDefiningOp<ConstantOp>();
  auto params = getQuantParams(dq.getInput().getType());
  if (!c || !params)
    return std::nullopt;
  auto type = cast<RankedTensorType>(c.getType());
  auto ints = readIntElements(c.getValue(), params->isSigned);
  if (!ints)
    return std::nullopt;
  int64_t inner = 1;
  if (params->isPerAxis())
    for (int64_t d = params->axis + 1; d < type.getRank(); ++d)
      inner *= type.getDimSize(d);
  std::vector<double> out;
  out.reserve(ints->size());
  for (size_t i = 0; i < ints->size(); ++i) {
    int64_t ch = params->isPerAxis()
                     ? (static_cast<int64_t>(i) / inner) %
                           static_cast<int64_t>(params->scales.size())
                     : 0;
    out.push_back(numerics::dequantize((*ints)[i], params->scale(ch),
                                       params->zeroPoint(ch)));
  }
  return out;
}

/// Quantizes a real bias to i32 at the accumulator scales s_x·s_w[o],
/// zero point 0. Returns null if the bias is not a constant of one value
/// per output channel.
static Value quantizeBias(PatternRewriter &rewriter, Value floatBias,
                          ArrayRef<double> accScales) {
  auto values = readRealConstant(floatBias);
  auto biasType = cast<RankedTensorType>(floatBias.getType());
  int64_t channels = accScales.size();
  if (!values || biasType.getRank() != 1 ||
      static_cast<int64_t>(values->size()) != channels)
    return {};
  std::vector<int64_t> q;
  for (int64_t o = 0; o < channels; ++o) {
    if (!(accScales[o] > 0))
      return {};
    q.push_back(numerics::quantize((*values)[o], accScales[o], 0,
                                   std::numeric_limits<int32_t>::min(),
                                   std::numeric_limits<int32_t>::max()));
  }
  Type element =
      makeQuantType(rewriter.getContext(), 32, true, accScales,
                    SmallVector<int64_t>(channels, 0), 0);
  return ConstantOp::create(
      rewriter, floatBias.getLoc(), biasType.clone(element),
      makeIntElements(biasType.clone(rewriter.getI32Type()), q, "bias"));
}

//===----------------------------------------------------------------------===//
// Moving quantize/dequantize (exact)
//===----------------------------------------------------------------------===//

/// transpose(dequantize(q)) → dequantize(transpose(q)). A per-axis type
/// follows its axis (OIHW weights per axis 0 stay per axis 0 in OHWI).
struct DequantizeBeforeTranspose : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto dq = op.getInput().getDefiningOp<DequantizeOp>();
    if (!dq)
      return failure();
    auto inType = cast<RankedTensorType>(dq.getInput().getType());
    Type element = inType.getElementType();
    if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(element)) {
      ArrayRef<int64_t> perms = op.getPerms();
      auto it = llvm::find(perms, perAxis.getQuantizedDimension());
      if (it == perms.end())
        return failure();
      element = quant::UniformQuantizedPerAxisType::get(
          perAxis.getFlags(), perAxis.getStorageType(),
          perAxis.getExpressedType(), perAxis.getScales(),
          perAxis.getZeroPoints(), it - perms.begin(),
          perAxis.getStorageTypeMin(), perAxis.getStorageTypeMax());
    }
    auto outType = cast<RankedTensorType>(op.getType());
    Value t = TransposeOp::create(rewriter, op.getLoc(), outType.clone(element),
                                  dq.getInput(), op.getPermsAttr());
    rewriter.replaceOpWithNewOp<DequantizeOp>(op, outType, t);
    return success();
  }
};

/// reshape(dequantize(q)) → dequantize(reshape(q)) for per-tensor q, so
/// that a flatten between a quantized tensor and a product folds.
struct DequantizeBeforeReshape : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    Value q = perTensorSource(op.getInput());
    if (!q)
      return failure();
    auto outType = cast<RankedTensorType>(op.getType());
    Value r = ReshapeOp::create(
        rewriter, op.getLoc(),
        outType.clone(cast<RankedTensorType>(q.getType()).getElementType()), q);
    rewriter.replaceOpWithNewOp<DequantizeOp>(op, outType, r);
    return success();
  }
};

/// quantize(transpose(x)) → transpose(quantize(x)) for a per-tensor result.
struct QuantizeBeforeTranspose : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp op,
                                PatternRewriter &rewriter) const override {
    auto transpose = op.getInput().getDefiningOp<TransposeOp>();
    if (!transpose || !transpose->hasOneUse() ||
        !isPerTensorQuantized(op.getType()))
      return failure();
    auto inType = cast<RankedTensorType>(transpose.getInput().getType());
    Value q = QuantizeOp::create(rewriter, op.getLoc(),
                                 inType.clone(op.getType().getElementType()),
                                 transpose.getInput());
    rewriter.replaceOpWithNewOp<TransposeOp>(op, op.getType(), q,
                                             transpose.getPermsAttr());
    return success();
  }
};

/// quantize(clamp(x, lo, hi)) → clamp(quantize(x), lo, hi) on the quantized
/// type. Exact: quantization is monotone, so it commutes with a clamp, and
/// the quantized clamp maps lo and hi with the same quantizer. This lets
/// Conv → Relu → QuantizeLinear fold into the conv.
struct QuantizeBeforeClamp : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp op,
                                PatternRewriter &rewriter) const override {
    auto clamp = op.getInput().getDefiningOp<ClampOp>();
    if (!clamp || !clamp->hasOneUse() || !isPerTensorQuantized(op.getType()))
      return failure();
    Value q = QuantizeOp::create(rewriter, op.getLoc(), op.getType(),
                                 clamp.getInput());
    rewriter.replaceOpWithNewOp<ClampOp>(op, op.getType(), q,
                                         clamp.getMinAttr(),
                                         clamp.getMaxAttr());
    return success();
  }
};

/// transpose/reshape of a constant → a constant, so that weights stay
/// constants once their dequantize has moved out of the way. Handles float
/// and quantized (storage) payloads.
template <typename OpT>
struct FoldConstantDataMovement : OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpT op,
                                PatternRewriter &rewriter) const override {
    auto c = op.getInput().template getDefiningOp<ConstantOp>();
    if (!c)
      return failure();
    auto inType = cast<RankedTensorType>(c.getType());
    auto outType = cast<RankedTensorType>(op.getType());
    int64_t n = inType.getNumElements();
    // Source index of each result element.
    std::vector<int64_t> source(n);
    if constexpr (std::is_same_v<OpT, TransposeOp>) {
      ArrayRef<int64_t> perms = op.getPerms();
      int64_t rank = inType.getRank();
      SmallVector<int64_t> inStrides(rank, 1);
      for (int64_t d = rank - 2; d >= 0; --d)
        inStrides[d] = inStrides[d + 1] * inType.getDimSize(d + 1);
      SmallVector<int64_t> index(rank, 0);
      for (int64_t i = 0; i < n; ++i) {
        int64_t src = 0;
        for (int64_t d = 0; d < rank; ++d)
          src += index[d] * inStrides[perms[d]];
        source[i] = src;
        for (int64_t d = rank - 1; d >= 0; --d) {
          if (++index[d] < outType.getDimSize(d))
            break;
          index[d] = 0;
        }
      }
    } else {
      for (int64_t i = 0; i < n; ++i)
        source[i] = i;
    }
    ElementsAttr value;
    if (auto params = getQuantParams(inType)) {
      auto ints = readIntElements(c.getValue(), params->isSigned);
      if (!ints)
        return failure();
      std::vector<int64_t> out(n);
      for (int64_t i = 0; i < n; ++i)
        out[i] = (*ints)[source[i]];
      value = makeIntElements(getStorageTensorType(outType), out, "weight");
    } else {
      auto floats = readFloatElements(c.getValue());
      if (!floats)
        return failure();
      std::vector<float> out(n);
      for (int64_t i = 0; i < n; ++i)
        out[i] = (*floats)[source[i]];
      value = makeFloatElements(outType, out, "weight");
    }
    rewriter.replaceOpWithNewOp<ConstantOp>(op, outType, value);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Products: conv2d, fully_connected, matmul
//===----------------------------------------------------------------------===//

/// quantize(product(dequantize x, dequantize w[, bias])) → the product on
/// quantized types: x and the result per tensor, w per tensor or per output
/// channel (axis 0 for conv/FC, the last axis for matmul), the bias (float
/// constant or dequantized constant) requantized to i32 at s_x·s_w[o].
template <typename OpT>
struct FoldQdqProduct : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp op,
                                PatternRewriter &rewriter) const override {
    auto product = op.getInput().getDefiningOp<OpT>();
    if (!product || !product->hasOneUse() || !isPerTensorQuantized(op.getType()))
      return failure();
    Value x = perTensorSource(product->getOperand(0));
    auto dw = product->getOperand(1).template getDefiningOp<DequantizeOp>();
    if (!x || !dw)
      return failure();
    Value w = dw.getInput();
    auto pw = getQuantParams(w.getType());
    auto wType = cast<RankedTensorType>(w.getType());
    constexpr bool isMatMul = std::is_same_v<OpT, MatMulOp>;
    int64_t weightAxis = isMatMul ? wType.getRank() - 1 : 0;
    if (!pw || (pw->isPerAxis() && pw->axis != weightAxis))
      return failure();
    double sx = getQuantParams(x.getType())->scales[0];

    if constexpr (isMatMul) {
      rewriter.replaceOpWithNewOp<MatMulOp>(op, op.getType(), x, w);
    } else {
      int64_t channels = wType.getDimSize(0);
      SmallVector<double> accScales;
      for (int64_t o = 0; o < channels; ++o)
        accScales.push_back(sx * pw->scale(o));
      Value bias;
      if (Value floatBias = product.getBias()) {
        bias = quantizeBias(rewriter, floatBias, accScales);
        if (!bias)
          return failure();
      }
      if constexpr (std::is_same_v<OpT, Conv2DOp>)
        rewriter.replaceOpWithNewOp<Conv2DOp>(
            op, op.getType(), x, w, bias, product.getStridesAttr(),
            product.getDilationsAttr(), product.getPadAttr(),
            product.getGroupsAttr());
      else
        rewriter.replaceOpWithNewOp<FullyConnectedOp>(op, op.getType(), x, w,
                                                      bias);
    }
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Elementwise binary ops and ops that rescale
//===----------------------------------------------------------------------===//

/// quantize(binary(dequantize a, dequantize b)) → binary on quantized types
/// (each operand rescaled to the result as the interpreter defines it).
template <typename OpT>
struct FoldQdqBinary : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp op,
                                PatternRewriter &rewriter) const override {
    auto binary = op.getInput().getDefiningOp<OpT>();
    if (!binary || !binary->hasOneUse() || !isPerTensorQuantized(op.getType()))
      return failure();
    Value lhs = perTensorSource(binary.getLhs());
    Value rhs = perTensorSource(binary.getRhs());
    if (!lhs || !rhs)
      return failure();
    rewriter.replaceOpWithNewOp<OpT>(op, op.getType(), lhs, rhs);
    return success();
  }
};

/// quantize(avg_pool2d(dequantize x)) → quantized avg_pool2d (the sum is
/// rescaled to the result's scale with one rounding).
struct FoldQdqAvgPool : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp op,
                                PatternRewriter &rewriter) const override {
    auto pool = op.getInput().getDefiningOp<AvgPool2DOp>();
    if (!pool || !pool->hasOneUse() || !isPerTensorQuantized(op.getType()))
      return failure();
    Value x = perTensorSource(pool.getInput());
    if (!x)
      return failure();
    rewriter.replaceOpWithNewOp<AvgPool2DOp>(
        op, op.getType(), x, pool.getKernelAttr(), pool.getStridesAttr(),
        pool.getPadAttr(), pool.getCountIncludePadAttr(),
        pool.getCeilModeAttr());
    return success();
  }
};

/// quantize(concat(dequantize x_i...)) → quantized concat (each input
/// requantized to the result type).
struct FoldQdqConcat : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp op,
                                PatternRewriter &rewriter) const override {
    auto concat = op.getInput().getDefiningOp<ConcatOp>();
    if (!concat || !concat->hasOneUse() || !isPerTensorQuantized(op.getType()))
      return failure();
    SmallVector<Value> inputs;
    for (Value in : concat.getInputs()) {
      Value q = perTensorSource(in);
      if (!q)
        return failure();
      inputs.push_back(q);
    }
    rewriter.replaceOpWithNewOp<ConcatOp>(op, op.getType(), inputs,
                                          concat.getAxisAttr());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Ops that do not rescale: max_pool2d, reshape, transpose, pad
//===----------------------------------------------------------------------===//

/// Rebuilds a data-movement op on `input` with result type `type`.
static Value cloneDataMovement(PatternRewriter &rewriter, Operation *op,
                               Value input, RankedTensorType type) {
  Location loc = op->getLoc();
  if (auto pool = dyn_cast<MaxPool2DOp>(op))
    return MaxPool2DOp::create(rewriter, loc, type, input, pool.getKernelAttr(),
                               pool.getStridesAttr(), pool.getDilationsAttr(),
                               pool.getPadAttr(), pool.getCeilModeAttr());
  if (isa<ReshapeOp>(op))
    return ReshapeOp::create(rewriter, loc, type, input);
  if (auto t = dyn_cast<TransposeOp>(op))
    return TransposeOp::create(rewriter, loc, type, input, t.getPermsAttr());
  auto pad = cast<PadOp>(op);
  return PadOp::create(rewriter, loc, type, input, pad.getPadsAttr(),
                       pad.getValueAttr());
}

/// quantize(op(dequantize x)) → op(x) for an op that moves or selects
/// storage values without rescaling. If the quantize's type differs from
/// x's, the op runs on x's type and a mote.requant converts the result.
struct FoldQdqDataMovement : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp op,
                                PatternRewriter &rewriter) const override {
    Operation *inner = op.getInput().getDefiningOp();
    if (!inner || !isa<MaxPool2DOp, ReshapeOp, TransposeOp, PadOp>(inner) ||
        !inner->hasOneUse() || !isPerTensorQuantized(op.getType()))
      return failure();
    Value x = perTensorSource(inner->getOperand(0));
    if (!x)
      return failure();
    Type xElement = cast<RankedTensorType>(x.getType()).getElementType();
    RankedTensorType resultType = op.getType();
    auto innerType = resultType.clone(xElement);
    Value moved = cloneDataMovement(rewriter, inner, x, innerType);
    if (innerType == resultType)
      rewriter.replaceOp(op, moved);
    else
      rewriter.replaceOpWithNewOp<RequantOp>(op, resultType, moved);
    return success();
  }
};

/// quantize(dequantize(q)) with different types → requant (one rounding);
/// equal types fold to q in QuantizeOp::fold.
struct DequantizeQuantizeToRequant : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp op,
                                PatternRewriter &rewriter) const override {
    auto dq = op.getInput().getDefiningOp<DequantizeOp>();
    if (!dq || dq.getInput().getType() == op.getType())
      return failure();
    auto in = getQuantParams(dq.getInput().getType());
    auto out = getQuantParams(op.getType());
    // Per-axis only when both sides share the axis.
    if (!in || !out || (out->isPerAxis() && out->axis != in->axis))
      return failure();
    rewriter.replaceOpWithNewOp<RequantOp>(op, op.getType(), dq.getInput());
    return success();
  }
};

struct FoldQdqPass : mote::impl::MoteFoldQdqBase<FoldQdqPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFoldQdqPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mote::populateFoldQdqPatterns(RewritePatternSet &patterns) {
  patterns.add<DequantizeBeforeTranspose, DequantizeBeforeReshape,
               QuantizeBeforeTranspose,
               QuantizeBeforeClamp, FoldConstantDataMovement<TransposeOp>,
               FoldConstantDataMovement<ReshapeOp>, FoldQdqProduct<Conv2DOp>,
               FoldQdqProduct<FullyConnectedOp>, FoldQdqProduct<MatMulOp>,
               FoldQdqBinary<AddOp>, FoldQdqBinary<SubOp>,
               FoldQdqBinary<MaximumOp>, FoldQdqBinary<MinimumOp>,
               FoldQdqBinary<MulOp>, FoldQdqAvgPool, FoldQdqConcat,
               FoldQdqDataMovement, DequantizeQuantizeToRequant>(
      patterns.getContext());
}
