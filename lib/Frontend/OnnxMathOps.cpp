//===- OnnxMathOps.cpp - ONNX math, reduction and normalization ops --------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Converters for Sqrt, Reciprocal, Log, Erf, Pow (constant exponent),
// ReduceMean/Sum/Max/Min and LayerNormalization. Reductions work in the
// layout their input is in (axes remapped to NHWC), and a mean or max over
// the spatial axes of a rank-4 tensor becomes global pooling, the form the
// quantizer and the NPU already handle. ConvTranspose is in
// OnnxConvTranspose.cpp.
//
//===----------------------------------------------------------------------===//

#include "OnnxImporterImpl.h"

#include "Mote/MoteTypeUtils.h"

#include "llvm/ADT/StringMap.h"

#include <algorithm>

using namespace mlir;
using namespace mote;
using namespace mote::onnx_import;

namespace {

/// A float elementwise function of input 0; the result keeps its layout.
LogicalResult
emitFloatUnary(Importer &im,
               llvm::function_ref<Value(Value in, RankedTensorType type)> build) {
  OnnxValue *x = im.input(0);
  if (!x || failed(requireFloat(im, *x, "input")))
    return failure();
  bool nhwc;
  FailureOr<Value> in = inCurrentLayout(im, *x, nhwc);
  if (failed(in))
    return failure();
  im.defineValue(0, build(*in, tensorType(*in)), x->shape, nhwc);
  return success();
}

template <typename OpT>
LogicalResult convertMathUnary(Importer &im) {
  return emitFloatUnary(im, [&](Value in, RankedTensorType type) -> Value {
    return OpT::create(im.builder, im.loc, type, in);
  });
}

/// Pow(X, Y) with a constant Y that holds one value (or the same value
/// everywhere, broadcasting to X's shape).
LogicalResult convertPow(Importer &im) {
  OnnxValue *x = im.input(0);
  OnnxValue *y = x ? im.input(1) : nullptr;
  if (!y)
    return failure();
  const HostTensor *e = im.constInput(1);
  if (!e || e->numElements() == 0)
    return im.fail() << "the exponent must be a constant — Mote imports Pow "
                        "with a constant exponent only";
  double exponent = e->getDouble(0);
  for (int64_t i = 1, n = e->numElements(); i < n; ++i)
    if (e->getDouble(i) != exponent)
      return im.fail() << "the exponent must hold one value (a scalar or a "
                          "splat); a per-element exponent is not supported";
  auto shape = broadcastShapes(x->shape, y->shape);
  if (!shape || ArrayRef<int64_t>(*shape) != ArrayRef<int64_t>(x->shape))
    return im.fail() << "exponent of shape " << formatShape(y->shape)
                     << " must broadcast to the base's shape "
                     << formatShape(x->shape);
  if (!std::isfinite(exponent))
    return im.fail() << "the exponent " << exponent << " is not finite";
  return emitFloatUnary(im, [&](Value in, RankedTensorType type) -> Value {
    return PowOp::create(im.builder, im.loc, type, in,
                         im.builder.getF32FloatAttr(static_cast<float>(exponent)));
  });
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

enum class ReduceKind { Sum, Mean, Max, Min };

/// The ONNX axes of a Reduce* node, normalised, sorted and distinct: the
/// `axes` attribute (every Reduce* before opset 13, and all but ReduceSum
/// up to opset 17) or the optional constant input 1 (ReduceSum from opset
/// 13). No axes reduce everything, unless `noop_with_empty_axes`.
FailureOr<std::vector<int64_t>> readReduceAxes(Importer &im, ReduceKind kind,
                                               int64_t rank) {
  std::vector<int64_t> axes;
  bool fromInput = kind == ReduceKind::Sum && im.opset >= 13;
  if (fromInput) {
    if (im.hasInput(1)) {
      const HostTensor *t = im.constInput(1);
      if (!t)
        return im.fail() << "axes must be a constant — Mote needs the "
                            "reduced dimensions at compile time";
      axes = tensorInts(*t);
    }
  } else if (auto a = im.attrInts("axes")) {
    axes = *a;
  }
  if (axes.empty()) {
    if (fromInput && im.attrInt("noop_with_empty_axes", 0) != 0)
      return axes;
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
    return axes;
  }
  for (int64_t &a : axes) {
    if (a < -rank || a >= rank)
      return im.fail() << "axis " << a << " is out of range for rank "
                       << rank;
    if (a < 0)
      a += rank;
  }
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end())
    return im.fail() << "axes list a dimension twice";
  return axes;
}

/// Mean or max over H and W of a rank-4 tensor: global pooling in NHWC.
LogicalResult emitGlobalPoolReduce(Importer &im, OnnxValue &x, bool isMax,
                                   bool keepdims) {
  FailureOr<Value> in = im.toNhwc(x);
  if (failed(in))
    return failure();
  auto inType = tensorType(*in);
  int64_t n = inType.getDimSize(0), c = inType.getDimSize(3);
  auto type = RankedTensorType::get({n, 1, 1, c}, inType.getElementType());
  auto &b = im.builder;
  auto kernel = b.getDenseI64ArrayAttr(
      {inType.getDimSize(1), inType.getDimSize(2)});
  auto ones = b.getDenseI64ArrayAttr({1, 1});
  auto zeros = b.getDenseI64ArrayAttr({0, 0, 0, 0});
  Value out;
  if (isMax)
    out = MaxPool2DOp::create(b, im.loc, type, *in, kernel, ones, ones, zeros,
                              b.getBoolAttr(false));
  else
    out = AvgPool2DOp::create(b, im.loc, type, *in, kernel, ones, zeros,
                              b.getBoolAttr(false), b.getBoolAttr(false));
  if (keepdims) {
    im.defineValue(0, out, {n, c, 1, 1}, /*nhwc=*/true);
    return success();
  }
  // [N, 1, 1, C] and [N, C] hold the elements in the same order.
  im.defineValue(0, im.reshape(out, {n, c}), {n, c}, /*nhwc=*/false);
  return success();
}

Value createReduce(Importer &im, ReduceKind kind, RankedTensorType type,
                   Value in, ArrayRef<int64_t> axes, bool keepdims) {
  auto &b = im.builder;
  auto axesAttr = b.getDenseI64ArrayAttr(axes);
  auto keep = b.getBoolAttr(keepdims);
  switch (kind) {
  case ReduceKind::Sum:
    return ReduceSumOp::create(b, im.loc, type, in, axesAttr, keep);
  case ReduceKind::Mean:
    return ReduceMeanOp::create(b, im.loc, type, in, axesAttr, keep);
  case ReduceKind::Max:
    return ReduceMaxOp::create(b, im.loc, type, in, axesAttr, keep);
  case ReduceKind::Min:
    return ReduceMinOp::create(b, im.loc, type, in, axesAttr, keep);
  }
  return {};
}

template <ReduceKind kind>
LogicalResult convertReduce(Importer &im) {
  OnnxValue *x = im.input(0);
  if (!x || failed(requireFloat(im, *x, "input")))
    return failure();
  int64_t rank = x->rank();
  FailureOr<std::vector<int64_t>> axes = readReduceAxes(im, kind, rank);
  if (failed(axes))
    return failure();
  bool keepdims = im.attrInt("keepdims", 1) != 0;
  if (rank == 4 && *axes == std::vector<int64_t>{2, 3} &&
      (kind == ReduceKind::Mean || kind == ReduceKind::Max))
    return emitGlobalPoolReduce(im, *x, kind == ReduceKind::Max, keepdims);

  // ONNX result shape.
  std::vector<int64_t> onnxShape;
  for (int64_t d = 0; d < rank; ++d) {
    bool reduced = std::binary_search(axes->begin(), axes->end(), d);
    if (!reduced)
      onnxShape.push_back(x->shape[d]);
    else if (keepdims)
      onnxShape.push_back(1);
  }
  // Reduce an NHWC value in place when its result reads the same in ONNX
  // order: with keepdims (still NHWC), or when the kept dimensions keep
  // their relative order (e.g. a mean over C or over H and W).
  bool nhwc = rank == 4 && x->value && x->nhwc;
  std::vector<int64_t> mlirAxes = *axes;
  if (nhwc) {
    for (int64_t &a : mlirAxes)
      a = nhwcAxis(a);
    std::sort(mlirAxes.begin(), mlirAxes.end());
    if (!keepdims) {
      std::vector<int64_t> kept;
      for (int64_t d : kToNhwc)
        if (!std::binary_search(axes->begin(), axes->end(), d))
          kept.push_back(d);
      nhwc = std::is_sorted(kept.begin(), kept.end());
      if (!nhwc)
        mlirAxes = *axes;
    }
  }
  FailureOr<Value> in = nhwc ? FailureOr<Value>(x->value) : im.toOnnx(*x);
  if (failed(in))
    return failure();
  ArrayRef<int64_t> inShape = tensorType(*in).getShape();
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    bool reduced = std::binary_search(mlirAxes.begin(), mlirAxes.end(), d);
    if (!reduced)
      shape.push_back(inShape[d]);
    else if (keepdims)
      shape.push_back(1);
  }
  auto type = RankedTensorType::get(shape, im.builder.getF32Type());
  Value out = createReduce(im, kind, type, *in, mlirAxes, keepdims);
  im.defineValue(0, out, onnxShape, nhwc && keepdims);
  return success();
}

//===----------------------------------------------------------------------===//
// LayerNormalization (opset 17)
//===----------------------------------------------------------------------===//

/// The optional Mean and InvStdDev outputs of LayerNormalization, shaped
/// [d_0, ..., d_{axis−1}, 1, ..., 1]: mean(x) and 1 / sqrt(var(x) + ε)
/// over [axis, rank), as the op's function body defines them.
void emitLayerNormStatistics(Importer &im, Value in, int64_t axis,
                             float epsilon, bool wantsMean, bool wantsInvStd) {
  auto &b = im.builder;
  auto inType = tensorType(in);
  int64_t rank = inType.getRank();
  SmallVector<int64_t> axes, shape(inType.getShape());
  for (int64_t d = axis; d < rank; ++d) {
    axes.push_back(d);
    shape[d] = 1;
  }
  auto statType = RankedTensorType::get(shape, b.getF32Type());
  auto axesAttr = b.getDenseI64ArrayAttr(axes);
  Value mean = ReduceMeanOp::create(b, im.loc, statType, in, axesAttr,
                                    b.getBoolAttr(true));
  std::vector<int64_t> onnxShape(shape.begin(), shape.end());
  if (wantsMean)
    im.defineValue(1, mean, onnxShape, /*nhwc=*/false);
  if (!wantsInvStd)
    return;
  Value d = SubOp::create(b, im.loc, inType, in, mean);
  Value sq = PowOp::create(b, im.loc, inType, d, b.getF32FloatAttr(2.0f));
  Value var = ReduceMeanOp::create(b, im.loc, statType, sq, axesAttr,
                                   b.getBoolAttr(true));
  auto scalar = RankedTensorType::get({}, b.getF32Type());
  Value eps = ConstantOp::create(
      b, im.loc, DenseElementsAttr::get(scalar, b.getF32FloatAttr(epsilon)));
  Value sum = AddOp::create(b, im.loc, statType, var, eps);
  Value root = SqrtOp::create(b, im.loc, statType, sum);
  im.defineValue(2, ReciprocalOp::create(b, im.loc, statType, root),
                 onnxShape, /*nhwc=*/false);
}

LogicalResult convertLayerNormalization(Importer &im) {
  OnnxValue *x = im.input(0);
  OnnxValue *scale = x ? im.input(1) : nullptr;
  if (!scale || failed(requireFloat(im, *x, "input")) ||
      failed(requireFloat(im, *scale, "scale")))
    return failure();
  int64_t rank = x->rank();
  int64_t axis = im.attrInt("axis", -1);
  if (axis < -rank || axis >= rank)
    return im.fail() << "axis " << axis << " is out of range for rank "
                     << rank;
  if (axis < 0)
    axis += rank;
  float epsilon = im.attrFloat("epsilon", 1e-5f);
  if (!std::isfinite(epsilon) || epsilon < 0.0f)
    return im.fail() << "epsilon " << epsilon
                     << " must be finite and non-negative";
  ArrayRef<int64_t> normalized = ArrayRef<int64_t>(x->shape).drop_front(axis);
  OnnxValue *bias = nullptr;
  if (im.hasInput(2)) {
    bias = im.input(2);
    if (!bias || failed(requireFloat(im, *bias, "bias")))
      return failure();
  }
  for (OnnxValue *v : {scale, bias}) {
    if (!v)
      continue;
    auto b = broadcastShapes(v->shape, normalized);
    if (v->shape.size() > normalized.size() || !b ||
        ArrayRef<int64_t>(*b) != normalized)
      return im.fail() << (v == scale ? "scale" : "bias") << " of shape "
                       << formatShape(v->shape)
                       << " does not broadcast to the normalized shape "
                       << formatShape(normalized);
  }
  FailureOr<Value> in = im.toOnnx(*x);
  if (failed(in))
    return failure();
  FailureOr<Value> s = im.toOnnx(*scale);
  if (failed(s))
    return failure();
  Value b;
  if (bias) {
    FailureOr<Value> bv = im.toOnnx(*bias);
    if (failed(bv))
      return failure();
    b = *bv;
  }
  Value out = LayerNormOp::create(im.builder, im.loc, tensorType(*in), *in, *s, b,
                                  im.builder.getI64IntegerAttr(axis),
                                  im.builder.getF32FloatAttr(epsilon));
  im.defineValue(0, out, x->shape, /*nhwc=*/false);
  bool wantsMean = im.node->output_size() > 1 && !im.node->output(1).empty();
  bool wantsInvStd = im.node->output_size() > 2 && !im.node->output(2).empty();
  if (wantsMean || wantsInvStd)
    emitLayerNormStatistics(im, *in, axis, epsilon, wantsMean, wantsInvStd);
  return success();
}

} // namespace

OpConverter onnx_import::lookupMathConverter(StringRef opType) {
  static const llvm::StringMap<OpConverter> table = {
      {"Sqrt", convertMathUnary<SqrtOp>},
      {"Reciprocal", convertMathUnary<ReciprocalOp>},
      {"Log", convertMathUnary<LogOp>},
      {"Erf", convertMathUnary<ErfOp>},
      {"Pow", convertPow},
      {"ReduceSum", convertReduce<ReduceKind::Sum>},
      {"ReduceMean", convertReduce<ReduceKind::Mean>},
      {"ReduceMax", convertReduce<ReduceKind::Max>},
      {"ReduceMin", convertReduce<ReduceKind::Min>},
      {"LayerNormalization", convertLayerNormalization},
      {"ConvTranspose", convertConvTranspose},
  };
  auto it = table.find(opType);
  return it == table.end() ? nullptr : it->second;
}
