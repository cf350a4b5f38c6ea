//===- OnnxElementwiseOps.cpp - ONNX elementwise converters ---------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The converters of ONNX's elementwise operators: arithmetic with numpy
// broadcasting (in NHWC where an operand is an NHWC activation), clamps
// and activations, Identity, Cast and Dropout.
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
// Elementwise
//===----------------------------------------------------------------------===//


Value createBinary(Importer &im, BinKind kind, Type type, Value l, Value r) {
  switch (kind) {
  case BinKind::Add: return AddOp::create(im.builder, im.loc, type, l, r);
  case BinKind::Sub: return SubOp::create(im.builder, im.loc, type, l, r);
  case BinKind::Mul: return MulOp::create(im.builder, im.loc, type, l, r);
  case BinKind::Div: return DivOp::create(im.builder, im.loc, type, l, r);
  case BinKind::Max: return MaximumOp::create(im.builder, im.loc, type, l, r);
  case BinKind::Min: return MinimumOp::create(im.builder, im.loc, type, l, r);
  }
  return {};
}




template <BinKind kind>
LogicalResult convertBinary(Importer &im) {
  OnnxValue *a = im.input(0);
  OnnxValue *b = a ? im.input(1) : nullptr;
  if (!b)
    return failure();
  // Version 6 (and older) broadcasts B only with `broadcast = 1`, aligned
  // at `axis` of A rather than at its trailing dims: give B the trailing
  // unit dims that make numpy broadcasting mean the same.
  OnnxValue legacyB;
  if (im.opset < 7 && im.attrInt("broadcast", 0) != 0 && im.attr("axis")) {
    int64_t axis = normAxis(im.attrInt("axis", 0), a->rank());
    int64_t trailing = a->rank() - axis - b->rank();
    if (axis < 0 || trailing < 0)
      return im.fail() << "legacy broadcast axis " << im.attrInt("axis", 0)
                       << " does not fit B of shape " << formatShape(b->shape)
                       << " into A of shape " << formatShape(a->shape);
    if (trailing > 0) {
      legacyB = *b;
      legacyB.shape.insert(legacyB.shape.end(), trailing, 1);
      if (legacyB.constant && !legacyB.value) {
        legacyB.constant->shape = legacyB.shape;
      } else {
        FailureOr<Value> v = im.toOnnx(*b);
        if (failed(v))
          return failure();
        legacyB.value = im.reshape(*v, legacyB.shape);
        legacyB.nhwc = false;
      }
      b = &legacyB;
    }
  }
  FailureOr<OnnxValue> out = emitBinary(im, kind, *a, *b);
  if (failed(out))
    return failure();
  im.define(0, std::move(*out));
  return success();
}

/// Sum, Max, Min: a left fold of the binary op over all inputs.
template <BinKind kind>
LogicalResult convertVariadic(Importer &im) {
  OnnxValue *first = im.input(0);
  if (!first)
    return failure();
  OnnxValue acc = *first;
  for (int i = 1; i < im.numInputs(); ++i) {
    OnnxValue *next = im.input(i);
    if (!next)
      return failure();
    FailureOr<OnnxValue> out = emitBinary(im, kind, acc, *next);
    if (failed(out))
      return failure();
    acc = std::move(*out);
  }
  im.define(0, std::move(acc));
  return success();
}

/// A layout-agnostic unary op: the result keeps the input's layout.
LogicalResult
convertUnary(Importer &im,
             llvm::function_ref<Value(Value in, RankedTensorType type)> build,
             bool floatOnly = true) {
  OnnxValue *x = im.input(0);
  if (!x || failed(requireMoteTyped(im, *x, "input")) ||
      (floatOnly && failed(requireFloat(im, *x, "input"))))
    return failure();
  bool nhwc;
  FailureOr<Value> in = inCurrentLayout(im, *x, nhwc);
  if (failed(in))
    return failure();
  Value out = build(*in, tensorType(*in));
  im.defineValue(0, out, x->shape, nhwc, x->onnxType);
  return success();
}

LogicalResult emitClamp(Importer &im, float lo, float hi) {
  return convertUnary(
      im,
      [&](Value in, RankedTensorType type) -> Value {
        return ClampOp::create(im.builder, im.loc, type, in,
                               im.builder.getF32FloatAttr(lo),
                               im.builder.getF32FloatAttr(hi));
      },
      /*floatOnly=*/false);
}

LogicalResult convertRelu(Importer &im) {
  return emitClamp(im, 0.0f, std::numeric_limits<float>::infinity());
}

LogicalResult convertClip(Importer &im) {
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();
  if (im.opset < 11) {
    lo = im.attrFloat("min", lo);
    hi = im.attrFloat("max", hi);
  } else {
    for (int i : {1, 2}) {
      if (!im.hasInput(i))
        continue;
      const HostTensor *t = im.constInput(i);
      if (!t || t->numElements() != 1)
        return im.fail() << (i == 1 ? "min" : "max")
                         << " must be a constant scalar — Mote maps Clip "
                            "to a clamp with fixed bounds";
      (i == 1 ? lo : hi) = static_cast<float>(t->getDouble(0));
    }
  }
  if (lo > hi)
    return im.fail() << "min " << lo << " is greater than max " << hi;
  return emitClamp(im, lo, hi);
}

template <typename OpT>
LogicalResult convertSimpleUnary(Importer &im) {
  return convertUnary(im, [&](Value in, RankedTensorType type) -> Value {
    return OpT::create(im.builder, im.loc, type, in);
  });
}

LogicalResult convertLeakyRelu(Importer &im) {
  float alpha = im.attrFloat("alpha", 0.01f);
  return convertUnary(im, [&](Value in, RankedTensorType type) -> Value {
    return LeakyReluOp::create(im.builder, im.loc, type, in,
                               im.builder.getF32FloatAttr(alpha));
  });
}

LogicalResult convertElu(Importer &im) {
  float alpha = im.attrFloat("alpha", 1.0f);
  return convertUnary(im, [&](Value in, RankedTensorType type) -> Value {
    return EluOp::create(im.builder, im.loc, type, in,
                         im.builder.getF32FloatAttr(alpha));
  });
}

LogicalResult convertSelu(Importer &im) {
  // The defaults are the float32 values of the ONNX operator spec.
  float alpha = im.attrFloat("alpha", 1.67326319217681884765625f);
  float gamma = im.attrFloat("gamma", 1.05070102214813232421875f);
  return convertUnary(im, [&](Value in, RankedTensorType type) -> Value {
    return SeluOp::create(im.builder, im.loc, type, in,
                          im.builder.getF32FloatAttr(alpha),
                          im.builder.getF32FloatAttr(gamma));
  });
}

LogicalResult convertHardSigmoid(Importer &im) {
  float alpha = im.attrFloat("alpha", 0.2f);
  float beta = im.attrFloat("beta", 0.5f);
  return convertUnary(im, [&](Value in, RankedTensorType type) -> Value {
    return HardSigmoidOp::create(im.builder, im.loc, type, in,
                                 im.builder.getF32FloatAttr(alpha),
                                 im.builder.getF32FloatAttr(beta));
  });
}

LogicalResult convertPRelu(Importer &im) {
  OnnxValue *x = im.input(0);
  OnnxValue *slope = x ? im.input(1) : nullptr;
  if (!slope || failed(requireFloat(im, *x, "input")) ||
      failed(requireFloat(im, *slope, "slope")))
    return failure();
  // Opset 6 PRelu (PyTorch's old exports) applies a 1-D slope of size C
  // per channel (axis 1), not by numpy broadcasting: give a constant slope
  // the shape [C, 1, ..., 1] that numpy broadcasting needs.
  OnnxValue perChannel;
  if (im.opset < 7 && slope->isConstant() && slope->rank() == 1 &&
      x->rank() > 2 && slope->shape[0] == x->shape[1] && slope->shape[0] > 1) {
    perChannel = *slope;
    perChannel.value = nullptr;
    perChannel.shape.assign(x->rank() - 1, 1);
    perChannel.shape[0] = slope->shape[0];
    perChannel.constant->shape = perChannel.shape;
    slope = &perChannel;
  }
  auto shape = broadcastShapes(x->shape, slope->shape);
  if (!shape || ArrayRef<int64_t>(*shape) != ArrayRef<int64_t>(x->shape))
    return im.fail() << "slope of shape " << formatShape(slope->shape)
                     << " does not broadcast to the input shape "
                     << formatShape(x->shape);
  bool nhwc = x->rank() == 4 && x->value && x->nhwc;
  FailureOr<Value> in = im.broadcastOperand(*x, x->rank(), nhwc);
  if (failed(in))
    return failure();
  FailureOr<Value> s = im.broadcastOperand(*slope, x->rank(), nhwc);
  if (failed(s))
    return failure();
  Value out = PReluOp::create(im.builder, im.loc, tensorType(*in), *in, *s);
  im.defineValue(0, out, x->shape, nhwc);
  return success();
}

LogicalResult convertIdentity(Importer &im) {
  OnnxValue *x = im.input(0);
  if (!x)
    return failure();
  im.define(0, *x);
  return success();
}

LogicalResult convertCast(Importer &im) {
  OnnxValue *x = im.input(0);
  if (!x)
    return failure();
  int64_t to = im.attrInt("to", 0);
  // A cast of a quantized tensor to its own storage type (PyTorch writes
  // QuantizeLinear → Cast(uint8) → DequantizeLinear) is the identity.
  if (x->value && x->onnxType == to &&
      isQuantizedTensor(x->value.getType())) {
    im.define(0, *x);
    return success();
  }
  bool toFloat = to == onnx::TensorProto::FLOAT || to == onnx::TensorProto::DOUBLE;
  if (!isFloatOnnx(*x) || !toFloat)
    return im.fail() << "cast of a runtime " << onnxTypeName(x->onnxType)
                     << " tensor to " << onnxTypeName(to)
                     << " is not supported; only float-to-float casts (which "
                        "fold away) and casts of constants are";
  OnnxValue out = *x;
  out.onnxType = onnx::TensorProto::FLOAT;
  im.define(0, std::move(out));
  return success();
}

LogicalResult convertDropout(Importer &im) {
  // The ratio is an attribute before opset 12 and input #1 from 12; it does
  // not matter at inference but must be a probability. Version 6 also has
  // `is_test`; Mote imports inference graphs, where Dropout is the identity
  // whatever it says (as in ONNX Runtime).
  float ratio = 0.5f;
  if (im.opset < 12) {
    ratio = im.attrFloat("ratio", 0.5f);
  } else if (im.hasInput(1)) {
    const HostTensor *r = im.constInput(1);
    if (!r || r->numElements() != 1)
      return im.fail() << "ratio must be a constant scalar";
    ratio = static_cast<float>(r->getDouble(0));
  }
  if (!(ratio >= 0.0f && ratio < 1.0f))
    return im.fail() << "ratio " << ratio << " is not in [0, 1)";
  if (im.opset >= 12 && im.hasInput(2)) {
    const HostTensor *training = im.constInput(2);
    if (!training || training->numElements() != 1)
      return im.fail() << "training_mode must be a constant";
    if (training->getInt(0) != 0)
      return im.fail() << "training_mode is true; Mote imports inference "
                          "graphs only — export the model in eval mode";
  }
  OnnxValue *x = im.input(0);
  if (!x)
    return failure();
  im.define(0, *x);
  // The mask of an inference-mode dropout is all true.
  if (im.node->output_size() > 1 && !im.node->output(1).empty()) {
    std::vector<int64_t> ones(product(x->shape, 0, x->shape.size()), 1);
    im.defineConstant(1, tensorFromInts(DType::Bool, x->shape, ones));
  }
  return success();
}

} // namespace

/// Emits `a <kind> b` with numpy broadcasting, in NHWC if either operand is
/// a rank-4 NHWC activation and the result has rank 4.
FailureOr<OnnxValue> onnx_import::emitBinary(Importer &im, BinKind kind, OnnxValue &a,
                                OnnxValue &b) {
  if (failed(requireFloat(im, a, "operand A")) ||
      failed(requireFloat(im, b, "operand B")))
    return failure();
  // x / c with a constant c of finite non-zero values is x · (1/c): a
  // product quantizes (and runs on the NPU's vector unit), a division has
  // no integer form. The float result differs from ONNX's by at most an
  // ulp per element.
  OnnxValue reciprocal;
  if (kind == BinKind::Div && b.isConstant() && b.constant->isFloat()) {
    HostTensor inv = HostTensor::zeros(DType::F32, b.constant->shape);
    bool ok = true;
    for (int64_t i = 0, n = inv.numElements(); i < n && ok; ++i) {
      double v = b.constant->getDouble(i);
      ok = v != 0 && std::isfinite(v) && std::isfinite(1.0 / v);
      float r = float(1.0 / v);
      std::memcpy(inv.data.data() + 4 * i, &r, 4);
    }
    if (ok) {
      reciprocal = constantValue(std::move(inv));
      return emitBinary(im, BinKind::Mul, a, reciprocal);
    }
  }
  // Max(x, c) / Min(x, c) against one constant c (the clamp TensorFlow
  // exports write for ReLU6 and friends) is a clamp: it then fuses into
  // the producer's output clamp on the NPU instead of running as a vector
  // op against a constant tensor. Only where c does not widen x's shape.
  if (kind == BinKind::Max || kind == BinKind::Min) {
    OnnxValue *x = &a, *c = &b;
    if (a.isConstant())
      std::swap(x, c);
    if (!x->isConstant() && x->value && c->isConstant() &&
        c->constant->isFloat() && c->constant->numElements() > 0 &&
        [&] {
          auto s = broadcastShapes(x->shape, c->shape);
          return s && llvm::equal(*s, x->shape);
        }()) {
      double v = c->constant->getDouble(0);
      bool splat = !std::isnan(v);
      for (int64_t i = 1, n = c->constant->numElements(); i < n && splat; ++i)
        splat = c->constant->getDouble(i) == v;
      if (splat) {
        float inf = std::numeric_limits<float>::infinity();
        float lo = kind == BinKind::Max ? float(v) : -inf;
        float hi = kind == BinKind::Max ? inf : float(v);
        OnnxValue out = *x;
        out.value = ClampOp::create(im.builder, im.loc, x->value.getType(),
                                    x->value, im.builder.getF32FloatAttr(lo),
                                    im.builder.getF32FloatAttr(hi));
        return out;
      }
    }
  }
  auto shape = broadcastShapes(a.shape, b.shape);
  if (!shape) {
    im.fail() << "operands of shapes " << formatShape(a.shape) << " and "
              << formatShape(b.shape) << " do not broadcast";
    return failure();
  }
  int64_t rank = shape->size();
  bool nhwc = rank == 4 && ((a.value && a.nhwc) || (b.value && b.nhwc));
  FailureOr<Value> l = im.broadcastOperand(a, rank, nhwc);
  if (failed(l))
    return failure();
  FailureOr<Value> r = im.broadcastOperand(b, rank, nhwc);
  if (failed(r))
    return failure();
  std::vector<int64_t> resultShape(shape->begin(), shape->end());
  auto type = RankedTensorType::get(
      nhwc ? permuteShape(resultShape, kToNhwc) : resultShape,
      im.builder.getF32Type());
  OnnxValue out;
  out.value = createBinary(im, kind, type, *l, *r);
  out.shape = resultShape;
  out.nhwc = nhwc;
  return out;
}

OnnxValue onnx_import::constantValue(HostTensor t) {
  OnnxValue v;
  v.shape = t.shape;
  v.onnxType = onnx::TensorProto::FLOAT;
  v.constant = std::move(t);
  return v;
}

Converter onnx_import::findElementwiseConverter(StringRef opType) {
  return llvm::StringSwitch<Converter>(opType)
      .Case("Add", convertBinary<BinKind::Add>)
      .Case("Sub", convertBinary<BinKind::Sub>)
      .Case("Mul", convertBinary<BinKind::Mul>)
      .Case("Div", convertBinary<BinKind::Div>)
      .Case("Max", convertVariadic<BinKind::Max>)
      .Case("Min", convertVariadic<BinKind::Min>)
      .Case("Sum", convertVariadic<BinKind::Add>)
      .Case("Relu", convertRelu)
      .Case("Clip", convertClip)
      .Case("LeakyRelu", convertLeakyRelu)
      .Case("PRelu", convertPRelu)
      .Case("HardSigmoid", convertHardSigmoid)
      .Case("HardSwish", convertSimpleUnary<HardSwishOp>)
      .Case("Sigmoid", convertSimpleUnary<SigmoidOp>)
      .Case("Tanh", convertSimpleUnary<TanhOp>)
      .Case("Exp", convertSimpleUnary<ExpOp>)
      .Case("Elu", convertElu)
      .Case("Selu", convertSelu)
      .Case("Softplus", convertSimpleUnary<SoftplusOp>)
      .Case("Identity", convertIdentity)
      .Case("Dropout", convertDropout)
      .Case("Cast", convertCast)
      .Default(nullptr);
}
