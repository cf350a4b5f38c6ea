//===- MoteFolds.cpp - Mote folders and canonicalization patterns ----------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Only exact rewrites live here. In particular dequantize(quantize(x)) is
// never folded to x: that would silently drop quantization noise (the
// upstream quant canonicalizer's pitfall).
//
//===----------------------------------------------------------------------===//

#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"
#include "mote/Numerics/Numerics.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>

using namespace mlir;
using namespace mote;

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// Elementwise identities (float only: quantized ops may rescale)
//===----------------------------------------------------------------------===//

OpFoldResult AddOp::fold(FoldAdaptor) {
  if (getLhs().getType() == getType() && !isQuantizedTensor(getType()) &&
      matchPattern(getRhs(), m_AnyZeroFloat()))
    return getLhs();
  return {};
}

OpFoldResult MulOp::fold(FoldAdaptor) {
  if (getLhs().getType() == getType() && !isQuantizedTensor(getType()) &&
      matchPattern(getRhs(), m_OneFloat()))
    return getLhs();
  return {};
}

/// clamp(-inf, +inf) is the identity; clamp(clamp(x)) intersects the ranges
/// (exact also on quantized tensors, where both bounds map monotonically).
OpFoldResult ClampOp::fold(FoldAdaptor) {
  float lo = getMin().convertToFloat(), hi = getMax().convertToFloat();
  if (std::isinf(lo) && lo < 0 && std::isinf(hi) && hi > 0)
    return getInput();
  if (auto inner = getInput().getDefiningOp<ClampOp>()) {
    float innerLo = inner.getMin().convertToFloat();
    float innerHi = inner.getMax().convertToFloat();
    float newLo = std::max(lo, innerLo), newHi = std::min(hi, innerHi);
    if (newLo > newHi)
      return {};
    setMinAttr(FloatAttr::get(getMinAttr().getType(), newLo));
    setMaxAttr(FloatAttr::get(getMaxAttr().getType(), newHi));
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  return {};
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1 && getInputs()[0].getType() == getType())
    return getInputs()[0];
  return {};
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // Reshaping a constant only relabels its shape.
  auto storageType = getStorageTensorType(getType());
  if (auto dense = dyn_cast_if_present<DenseElementsAttr>(adaptor.getInput()))
    return dense.reshape(storageType);
  if (auto resource =
          dyn_cast_if_present<DenseResourceElementsAttr>(adaptor.getInput()))
    return DenseResourceElementsAttr::get(storageType,
                                          resource.getRawHandle());
  return {};
}

namespace {
/// reshape(reshape(x)) -> reshape(x).
struct FoldReshapeChain : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<ReshapeOp>();
    if (!inner)
      return failure();
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), inner.getInput());
    return success();
  }
};

/// transpose(transpose(x, p1), p2) -> transpose(x, p1 ∘ p2).
struct FoldTransposeChain : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<TransposeOp>();
    if (!inner)
      return failure();
    SmallVector<int64_t> composed;
    for (int64_t p : op.getPerms())
      composed.push_back(inner.getPerms()[p]);
    rewriter.replaceOpWithNewOp<TransposeOp>(
        op, op.getType(), inner.getInput(),
        rewriter.getDenseI64ArrayAttr(composed));
    return success();
  }
};
/// transpose(pad(x)) -> pad(transpose(x)) with the pads permuted, so that
/// a pad written in the framework's NCHW before the importer's layout
/// transpose reaches the NHWC convolution it feeds.
struct SwapPadTranspose : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto pad = op.getInput().getDefiningOp<PadOp>();
    if (!pad || !pad->hasOneUse())
      return failure();
    auto inType = cast<RankedTensorType>(pad.getInput().getType());
    ArrayRef<int64_t> perms = op.getPerms();
    ArrayRef<int64_t> pads = pad.getPads();
    SmallVector<int64_t> shape, newPads;
    for (int64_t p : perms) {
      shape.push_back(inType.getDimSize(p));
      newPads.push_back(pads[2 * p]);
      newPads.push_back(pads[2 * p + 1]);
    }
    auto transposed = TransposeOp::create(
        rewriter, op.getLoc(), inType.clone(shape), pad.getInput(),
        op.getPermsAttr());
    rewriter.replaceOpWithNewOp<PadOp>(op, op.getType(), transposed,
                                       rewriter.getDenseI64ArrayAttr(newPads),
                                       pad.getValueAttr());
    return success();
  }
};

/// conv2d(pad(x, 0)) -> conv2d(x) with the padding added to the conv's
/// own: an explicit ONNX/TOSA `Pad` before a convolution (Keras "same"
/// padding at stride 2 is asymmetric, which Conv's symmetric pads cannot
/// express in torch) would otherwise be a separate layer. Exact: a
/// zero-valued pad stores the zero point, which is what conv padding reads.
struct FoldPadIntoConv : OpRewritePattern<Conv2DOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(Conv2DOp op,
                                PatternRewriter &rewriter) const override {
    auto pad = op.getInput().getDefiningOp<PadOp>();
    if (!pad || pad.getValue().convertToFloat() != 0.0f)
      return failure();
    ArrayRef<int64_t> p = pad.getPads();
    // NHWC: only H and W may be padded.
    if (p.size() != 8 || p[0] || p[1] || p[6] || p[7])
      return failure();
    if (pad.getInput().getType().getElementType() !=
        pad.getType().getElementType())
      return failure();
    ArrayRef<int64_t> cp = op.getPad();
    SmallVector<int64_t> merged = {cp[0] + p[2], cp[1] + p[3], cp[2] + p[4],
                                   cp[3] + p[5]};
    rewriter.modifyOpInPlace(op, [&] {
      op.getInputMutable().assign(pad.getInput());
      op.setPad(merged);
    });
    return success();
  }
};
} // namespace

void Conv2DOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                           MLIRContext *context) {
  results.add<FoldPadIntoConv>(context);
}

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<FoldReshapeChain>(context);
}

void TransposeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<FoldTransposeChain, SwapPadTranspose>(context);
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  for (auto [i, p] : llvm::enumerate(getPerms()))
    if (static_cast<int64_t>(i) != p)
      return {};
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

OpFoldResult PadOp::fold(FoldAdaptor) {
  if (llvm::all_of(getPads(), [](int64_t p) { return p == 0; }) &&
      getInput().getType() == getType())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

/// quantize(dequantize(q)) -> q when the types agree (exact); a constant
/// float tensor quantizes at compile time with the one numerics definition.
OpFoldResult QuantizeOp::fold(FoldAdaptor adaptor) {
  if (auto dq = getInput().getDefiningOp<DequantizeOp>())
    if (dq.getInput().getType() == getType())
      return dq.getInput();
  auto dense = dyn_cast_if_present<DenseElementsAttr>(adaptor.getInput());
  if (!dense)
    return {};
  RankedTensorType type = getType();
  QuantParams q = *getQuantParams(type);
  auto storage = cast<IntegerType>(getStorageElementType(type.getElementType()));
  // Elements between consecutive steps of the quantized axis share a scale.
  int64_t inner = 1;
  if (q.isPerAxis())
    for (int64_t d = q.axis + 1; d < type.getRank(); ++d)
      inner *= type.getDimSize(d);
  SmallVector<APInt> values;
  values.reserve(type.getNumElements());
  int64_t index = 0;
  for (float x : dense.getValues<float>()) {
    int64_t channel = q.isPerAxis() ? (index / inner) % q.scales.size() : 0;
    int64_t v = numerics::quantize(x, q.scale(channel), q.zeroPoint(channel),
                                   q.storageMin, q.storageMax);
    values.emplace_back(storage.getWidth(), v, /*isSigned=*/q.isSigned);
    ++index;
  }
  return DenseElementsAttr::get(getStorageTensorType(type), values);
}

OpFoldResult RequantOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}
