//===- OnnxProductOps.cpp - ONNX matrix-product converters ----------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// MatMul, QLinearMatMul, MatMulInteger, Gemm and BatchNormalization:
// products become fully connected layers or matmuls, BatchNormalization
// a per-channel scale and shift.
//
//===----------------------------------------------------------------------===//

#include "OnnxImporterImpl.h"

#include "Mote/MoteTypeUtils.h"

#include "llvm/ADT/StringSwitch.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;
using namespace mote;
using namespace mote::onnx_import;

namespace {

//===----------------------------------------------------------------------===//
// Products
//===----------------------------------------------------------------------===//

/// A matmul operand: float, or quantized with `qElement` (integer constants
/// are materialised with that type, runtime inputs are bound to it).
FailureOr<Value> productOperand(Importer &im, OnnxValue &v, Type qElement,
                                StringRef what) {
  if (!qElement) {
    if (failed(requireFloat(im, v, what)))
      return failure();
    return im.toOnnx(v);
  }
  if (!v.value && v.constant) {
    if (isFloatDType(v.constant->dtype)) {
      im.fail() << what << " must hold integers";
      return failure();
    }
    return im.materializeQuantized(*v.constant, qElement, v.constant->name);
  }
  if (failed(im.bindQuantized(v, qElement, what)))
    return failure();
  return im.toOnnx(v);
}

/// mote.matmul with an explicit result type. (MatMulOp's custom
/// (elementType, lhs, rhs) builder shadows the generated (resultType, lhs,
/// rhs) one, so the generic form is used.)
Value createMatMul(Importer &im, RankedTensorType type, Value lhs, Value rhs) {
  return MatMulOp::create(im.builder, im.loc, TypeRange{type},
                          ValueRange{lhs, rhs});
}

/// numpy matmul of a and b, including 1-D operands.
LogicalResult emitMatMul(Importer &im, OnnxValue &a, OnnxValue &b, Type aq,
                         Type bq, Type outElement, int32_t outOnnxType) {
  if (a.rank() < 1 || b.rank() < 1)
    return im.fail() << "operands must have rank 1 or more";
  FailureOr<Value> l = productOperand(im, a, aq, "A");
  if (failed(l))
    return failure();
  FailureOr<Value> r = productOperand(im, b, bq, "B");
  if (failed(r))
    return failure();
  std::vector<int64_t> as = a.shape, bs = b.shape;
  if (as.size() == 1)
    as.insert(as.begin(), 1);
  if (bs.size() == 1)
    bs.push_back(1);
  if (as.back() != bs[bs.size() - 2])
    return im.fail() << "inner dimensions of " << formatShape(a.shape)
                     << " and " << formatShape(b.shape) << " do not match";
  auto batch = broadcastShapes(ArrayRef<int64_t>(as).drop_back(2),
                               ArrayRef<int64_t>(bs).drop_back(2));
  if (!batch)
    return im.fail() << "batch dimensions of " << formatShape(a.shape)
                     << " and " << formatShape(b.shape) << " do not broadcast";
  std::vector<int64_t> outShape(batch->begin(), batch->end());
  outShape.push_back(as[as.size() - 2]);
  outShape.push_back(bs.back());
  Value lhs = im.reshape(*l, as), rhs = im.reshape(*r, bs);
  Value out = createMatMul(im, RankedTensorType::get(outShape, outElement),
                           lhs, rhs);
  std::vector<int64_t> onnxShape = outShape;
  if (b.rank() == 1)
    onnxShape.pop_back();
  if (a.rank() == 1)
    onnxShape.erase(onnxShape.end() - (b.rank() == 1 ? 1 : 2));
  out = im.reshape(out, onnxShape);
  im.defineValue(0, out, onnxShape, false, outOnnxType);
  return success();
}

/// A float matrix times a constant (or dequantized constant) matrix is a
/// dense layer: import it as mote.fully_connected with the weight stored
/// output-major, as Gemm does, so that it quantizes per output channel and
/// runs on the NPU's MATMUL path like any classifier head. Null if `b` is
/// not such a weight.
static FailureOr<Value> matMulAsFullyConnected(Importer &im, OnnxValue &a,
                                               OnnxValue &b) {
  if (!isFloatOnnx(a) || !isFloatOnnx(b) || a.rank() != 2 || b.rank() != 2 ||
      a.shape[1] != b.shape[0])
    return Value();
  bool constWeight = b.constant.has_value();
  bool dqWeight = !b.constant && b.value && b.value.getDefiningOp<DequantizeOp>();
  if (!constWeight && !dqWeight)
    return Value();
  FailureOr<Value> lhs = im.toOnnx(a);
  if (failed(lhs))
    return failure();
  Value weight;
  if (constWeight) {
    HostTensor w = permuteTensor(*b.constant, {1, 0});
    w.name = b.constant->name;
    weight = im.materializeFloat(w, w.name);
  } else {
    FailureOr<Value> bv = im.toOnnx(b);
    if (failed(bv))
      return failure();
    weight = im.transpose(*bv, {1, 0});
  }
  auto type = RankedTensorType::get({a.shape[0], b.shape[1]},
                                    im.builder.getF32Type());
  return FullyConnectedOp::create(im.builder, im.loc, type, *lhs, weight,
                                  Value())
      .getResult();
}

LogicalResult convertMatMul(Importer &im) {
  OnnxValue *a = im.input(0);
  OnnxValue *b = a ? im.input(1) : nullptr;
  if (!b)
    return failure();
  FailureOr<Value> fc = matMulAsFullyConnected(im, *a, *b);
  if (failed(fc))
    return failure();
  if (*fc) {
    std::vector<int64_t> shape = {a->shape[0], b->shape[1]};
    im.defineValue(0, *fc, shape, false, onnx::TensorProto::FLOAT);
    return success();
  }
  return emitMatMul(im, *a, *b, {}, {}, im.builder.getF32Type(),
                    onnx::TensorProto::FLOAT);
}

LogicalResult convertQLinearMatMul(Importer &im) {
  OnnxValue *a = im.input(0);
  OnnxValue *b = a ? im.input(3) : nullptr;
  if (!b)
    return failure();
  auto as = onnxStorage(im, 0), bs = onnxStorage(im, 3);
  if (failed(checkStorage(im, as, "a")) || failed(checkStorage(im, bs, "b")))
    return failure();
  auto aq = im.readQuant(1, 2, -1, a->rank(), "a", *as);
  if (failed(aq))
    return failure();
  auto bq = im.readQuant(4, 5, b->rank() - 1, b->rank(), "b", *bs);
  if (failed(bq))
    return failure();
  std::optional<DType> ys = im.hasInput(7) ? onnxStorage(im, 7) : as;
  if (failed(checkStorage(im, ys, "y_zero_point")))
    return failure();
  auto yq = im.readQuant(6, 7, -1, a->rank(), "y", *ys);
  if (failed(yq))
    return failure();
  if (aq->axis >= 0 || yq->axis >= 0)
    return im.fail() << "a and y must be quantized per tensor";
  return emitMatMul(im, *a, *b, im.quantType(*aq, -1),
                    im.quantType(*bq, b->rank() - 1), im.quantType(*yq, -1),
                    onnxTypeOf(*ys));
}

LogicalResult convertMatMulInteger(Importer &im) {
  OnnxValue *a = im.input(0);
  OnnxValue *b = a ? im.input(1) : nullptr;
  if (!b)
    return failure();
  auto as = onnxStorage(im, 0), bs = onnxStorage(im, 1);
  if (failed(checkStorage(im, as, "A")) || failed(checkStorage(im, bs, "B")))
    return failure();
  auto aq = im.readQuant(-1, 2, -1, a->rank(), "a", *as);
  if (failed(aq))
    return failure();
  auto bq = im.readQuant(-1, 3, b->rank() - 1, b->rank(), "b", *bs);
  if (failed(bq))
    return failure();
  if (aq->axis >= 0)
    return im.fail() << "a_zero_point must be a scalar (per-row zero points "
                        "are not supported)";
  return emitMatMul(im, *a, *b, im.quantType(*aq, -1),
                    im.quantType(*bq, b->rank() - 1), accumulatorType(im),
                    onnx::TensorProto::INT32);
}

LogicalResult convertGemm(Importer &im) {
  OnnxValue *a = im.input(0);
  OnnxValue *b = a ? im.input(1) : nullptr;
  if (!b || failed(requireFloat(im, *a, "A")) ||
      failed(requireFloat(im, *b, "B")))
    return failure();
  if (a->rank() != 2 || b->rank() != 2)
    return im.fail() << "A and B must be matrices, got "
                     << formatShape(a->shape) << " and "
                     << formatShape(b->shape);
  float alpha = im.attrFloat("alpha", 1.0f), beta = im.attrFloat("beta", 1.0f);
  bool transA = im.attrInt("transA", 0), transB = im.attrInt("transB", 0);
  int64_t m = transA ? a->shape[1] : a->shape[0];
  int64_t k = transA ? a->shape[0] : a->shape[1];
  int64_t kb = transB ? b->shape[1] : b->shape[0];
  int64_t n = transB ? b->shape[0] : b->shape[1];
  if (k != kb)
    return im.fail() << "inner dimensions of A " << formatShape(a->shape)
                     << " and B " << formatShape(b->shape)
                     << " do not match (transA=" << transA
                     << ", transB=" << transB << ")";
  FailureOr<Value> av = im.toOnnx(*a);
  if (failed(av))
    return failure();
  Value lhs = transA ? im.transpose(*av, {1, 0}) : *av;
  auto f32 = im.builder.getF32Type();
  auto outType = RankedTensorType::get({m, n}, f32);

  if (im.opset < 11 && !im.hasInput(2))
    return im.fail() << "C is required before opset 11 — the model is "
                        "malformed";
  OnnxValue *c = im.hasInput(2) ? im.input(2) : nullptr;
  if (im.hasInput(2) && !c)
    return failure();
  if (c && failed(requireFloat(im, *c, "C")))
    return failure();
  OnnxValue result;
  result.shape = {m, n};
  bool cDone = false;
  // A dequantized constant B (QDQ models) is a fully connected layer too:
  // mote-fold-qdq turns it into a quantized one.
  Value dqWeight;
  if (!b->constant && b->value && alpha == 1.0f &&
      b->value.getDefiningOp<DequantizeOp>()) {
    FailureOr<Value> bv = im.toOnnx(*b);
    if (failed(bv))
      return failure();
    dqWeight = transB ? *bv : im.transpose(*bv, {1, 0});
  }
  if (b->constant || dqWeight) {
    // Fully connected: weight [N, K] (output-major), alpha folded in.
    std::optional<HostTensor> w;
    if (!dqWeight) {
      HostTensor wt =
          transB ? *b->constant : permuteTensor(*b->constant, {1, 0});
      std::vector<double> wv = tensorDoubles(wt);
      for (double &x : wv)
        x *= alpha;
      w = tensorFromDoubles(DType::F32, {n, k}, wv);
      w->name = b->constant->name;
    }
    Value bias;
    if (c && !c->constant && c->value && beta == 1.0f && c->rank() == 1 &&
        c->shape[0] == n && c->value.getDefiningOp<DequantizeOp>()) {
      bias = c->value;
      cDone = true;
    } else if (c && c->constant && c->constant->numElements() > 0 &&
        (c->constant->numElements() == 1 ||
         (c->shape.back() == n && c->constant->numElements() == n))) {
      std::vector<double> cv = tensorDoubles(*c->constant);
      std::vector<double> bv(n);
      for (int64_t i = 0; i < n; ++i)
        bv[i] = beta * cv[cv.size() == 1 ? 0 : i];
      HostTensor bt = tensorFromDoubles(DType::F32, {n}, bv);
      bt.name = c->constant->name;
      bias = im.materializeFloat(bt, bt.name);
      cDone = true;
    }
    Value weight = w ? im.materializeFloat(*w, w->name) : dqWeight;
    result.value =
        FullyConnectedOp::create(im.builder, im.loc, outType, lhs, weight, bias);
  } else {
    FailureOr<Value> bv = im.toOnnx(*b);
    if (failed(bv))
      return failure();
    Value rhs = transB ? im.transpose(*bv, {1, 0}) : *bv;
    result.value = createMatMul(im, outType, lhs, rhs);
    if (alpha != 1.0f) {
      OnnxValue s = constantValue(tensorFromDoubles(DType::F32, {}, {alpha}));
      auto scaled = emitBinary(im, BinKind::Mul, result, s);
      if (failed(scaled))
        return failure();
      result = *scaled;
    }
  }
  if (c && !cDone) {
    OnnxValue cv = *c;
    if (beta != 1.0f) {
      if (cv.constant) {
        std::vector<double> d = tensorDoubles(*cv.constant);
        for (double &x : d)
          x *= beta;
        cv = constantValue(tensorFromDoubles(DType::F32, cv.shape, d));
      } else {
        OnnxValue s = constantValue(tensorFromDoubles(DType::F32, {}, {beta}));
        auto scaled = emitBinary(im, BinKind::Mul, cv, s);
        if (failed(scaled))
          return failure();
        cv = *scaled;
      }
    }
    auto sum = emitBinary(im, BinKind::Add, result, cv);
    if (failed(sum))
      return failure();
    if (sum->shape != result.shape)
      return im.fail() << "C of shape " << formatShape(c->shape)
                       << " does not broadcast to the result ["
                       << m << "x" << n << "]";
    result = *sum;
  }
  im.define(0, std::move(result));
  return success();
}

LogicalResult convertBatchNorm(Importer &im) {
  OnnxValue *x = im.input(0);
  if (!x || failed(requireFloat(im, *x, "input")))
    return failure();
  if (im.attrInt("training_mode", 0) != 0)
    return im.fail() << "training_mode = 1 is not supported — export the "
                        "model in eval mode";
  for (int i = 1; i < im.node->output_size(); ++i)
    if (!im.node->output(i).empty())
      return im.fail() << "running mean/variance outputs (training mode) are "
                          "not supported";
  if (x->rank() < 2)
    return im.fail() << "input must have rank 2 or more";
  // Versions 6 and 7 have `spatial` (default 1: statistics per channel);
  // spatial = 0 normalizes per element and is not supported.
  if (im.opset < 9 && im.attrInt("spatial", 1) == 0)
    return im.fail() << "spatial = 0 (per-element statistics) is not "
                        "supported — export with spatial = 1 or opset 9+";
  int64_t c = x->shape[1];
  std::vector<std::vector<double>> params;
  static const char *names[] = {"scale", "B", "mean", "var"};
  for (int i = 1; i <= 4; ++i) {
    const HostTensor *t = im.constInput(i);
    if (!t || !isFloatDType(t->dtype) || t->numElements() != c)
      return im.fail() << names[i - 1] << " must be a constant float tensor "
                       << "of " << c << " elements";
    params.push_back(tensorDoubles(*t));
  }
  double eps = im.attrFloat("epsilon", 1e-5f);
  std::vector<double> mul(c), add(c);
  for (int64_t i = 0; i < c; ++i) {
    double var = params[3][i] + eps;
    if (!(var > 0))
      return im.fail() << "variance + epsilon of channel " << i
                       << " is not positive";
    mul[i] = params[0][i] / std::sqrt(var);
    add[i] = params[1][i] - params[2][i] * mul[i];
  }
  std::vector<int64_t> shape(x->rank() - 1, 1);
  shape[0] = c;
  OnnxValue mulV = constantValue(tensorFromDoubles(DType::F32, shape, mul));
  OnnxValue addV = constantValue(tensorFromDoubles(DType::F32, shape, add));
  mulV.constant->name = im.nodeName + "_scale";
  addV.constant->name = im.nodeName + "_shift";
  auto scaled = emitBinary(im, BinKind::Mul, *x, mulV);
  if (failed(scaled))
    return failure();
  auto shifted = emitBinary(im, BinKind::Add, *scaled, addV);
  if (failed(shifted))
    return failure();
  im.define(0, std::move(*shifted));
  return success();
}

} // namespace

Converter onnx_import::findProductConverter(StringRef opType) {
  return llvm::StringSwitch<Converter>(opType)
      .Case("MatMul", convertMatMul)
      .Case("QLinearMatMul", convertQLinearMatMul)
      .Case("MatMulInteger", convertMatMulInteger)
      .Case("Gemm", convertGemm)
      .Case("BatchNormalization", convertBatchNorm)
      .Default(nullptr);
}
