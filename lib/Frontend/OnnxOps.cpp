//===- OnnxOps.cpp - ONNX operator converters -------------------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// One converter per ONNX operator. Activations stay NHWC where the op does
// not care about the layout (elementwise ops, conv, pooling, axis-remapped
// concat/softmax); ops that need ONNX layout semantics get a transpose back,
// and the canonicalizer cancels transpose pairs afterwards.
//
//===----------------------------------------------------------------------===//

#include "OnnxImporterImpl.h"

#include "Mote/MoteTypeUtils.h"

#include "llvm/ADT/StringMap.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;
using namespace mote;
using namespace mote::onnx_import;

namespace {


bool isFloatOnnx(const OnnxValue &v) {
  return v.onnxType == onnx::TensorProto::FLOAT ||
         v.onnxType == onnx::TensorProto::DOUBLE;
}

RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

int64_t product(ArrayRef<int64_t> shape, size_t begin, size_t end) {
  int64_t n = 1;
  for (size_t i = begin; i < end; ++i)
    n *= shape[i];
  return n;
}

/// Rejects runtime integer tensors that carry no quantization parameters.
LogicalResult requireMoteTyped(Importer &im, OnnxValue &v, StringRef what) {
  if (v.value && isa<IntegerType>(tensorType(v.value).getElementType()))
    return im.fail() << what << " is an integer tensor ("
                     << onnxTypeName(v.onnxType)
                     << ") without quantization parameters; Mote computes on "
                        "float or quantized tensors";
  if (!v.value && v.constant && !isFloatDType(v.constant->dtype))
    return im.fail() << what << " is an integer constant ("
                     << dtypeName(v.constant->dtype)
                     << ") used as data; Mote computes on float or quantized "
                        "tensors";
  return success();
}

LogicalResult requireFloat(Importer &im, OnnxValue &v, StringRef what) {
  if (!isFloatOnnx(v))
    return im.fail() << what << " has type " << onnxTypeName(v.onnxType)
                     << "; this operator is supported on float tensors only "
                        "— dequantize (DequantizeLinear) first";
  return success();
}

int64_t normAxis(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

enum class BinKind { Add, Sub, Mul, Div, Max, Min };

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

OnnxValue constantValue(HostTensor t);

/// Emits `a <kind> b` with numpy broadcasting, in NHWC if either operand is
/// a rank-4 NHWC activation and the result has rank 4.
FailureOr<OnnxValue> emitBinary(Importer &im, BinKind kind, OnnxValue &a,
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

OnnxValue constantValue(HostTensor t) {
  OnnxValue v;
  v.shape = t.shape;
  v.onnxType = onnx::TensorProto::FLOAT;
  v.constant = std::move(t);
  return v;
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
  bool nhwc = x->value && x->nhwc;
  Value in = x->value;
  if (!nhwc) {
    FailureOr<Value> v = im.toOnnx(*x);
    if (failed(v))
      return failure();
    in = *v;
  }
  Value out = build(in, tensorType(in));
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

//===----------------------------------------------------------------------===//
// Windows: conv and pooling
//===----------------------------------------------------------------------===//

struct Window {
  SmallVector<int64_t, 2> kernel, strides, dilations;
  SmallVector<int64_t, 4> pad; ///< [top, bottom, left, right]
};

/// Reads strides/dilations/pads/auto_pad for `spatial` input sizes (1 or 2
/// dims) and the given kernel, and lifts 1-D windows to 2-D with H = 1.
FailureOr<Window> readWindow(Importer &im, ArrayRef<int64_t> spatial,
                             ArrayRef<int64_t> kernel, bool ceilMode,
                             bool hasDilations) {
  size_t n = spatial.size();
  auto list = [&](StringRef name, size_t size,
                  int64_t dflt) -> std::optional<std::vector<int64_t>> {
    auto v = im.attrInts(name);
    if (!v)
      return std::vector<int64_t>(size, dflt);
    if (v->size() != size)
      return std::nullopt;
    return v;
  };
  auto strides = list("strides", n, 1);
  auto dilations = hasDilations ? list("dilations", n, 1)
                                : std::optional<std::vector<int64_t>>(
                                      std::vector<int64_t>(n, 1));
  auto pads = list("pads", 2 * n, 0);
  if (!strides || !dilations || !pads) {
    im.fail() << "strides/dilations/pads have the wrong length for " << n
              << " spatial dimensions";
    return failure();
  }
  for (size_t i = 0; i < n; ++i)
    if ((*strides)[i] <= 0 || (*dilations)[i] <= 0 || kernel[i] <= 0) {
      im.fail() << "kernel, strides and dilations must be positive";
      return failure();
    }
  for (int64_t p : *pads)
    if (p < 0) {
      im.fail() << "negative pads are not supported";
      return failure();
    }
  std::string autoPad = im.attrString("auto_pad", "NOTSET");
  std::vector<int64_t> lo(n), hi(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t eff = (*dilations)[i] * (kernel[i] - 1) + 1;
    if (autoPad == "NOTSET") {
      lo[i] = (*pads)[i];
      hi[i] = (*pads)[i + n];
    } else if (autoPad == "VALID") {
      lo[i] = hi[i] = 0;
    } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      int64_t s = (*strides)[i];
      int64_t out = (spatial[i] + s - 1) / s;
      int64_t total = std::max<int64_t>(0, (out - 1) * s + eff - spatial[i]);
      int64_t small = total / 2;
      lo[i] = autoPad == "SAME_UPPER" ? small : total - small;
      hi[i] = total - lo[i];
    } else {
      im.fail() << "auto_pad '" << autoPad
                << "' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID";
      return failure();
    }
    int64_t outSize = windowOutputSize(spatial[i], kernel[i], (*strides)[i],
                                       (*dilations)[i], lo[i], hi[i],
                                       ceilMode);
    if (outSize <= 0) {
      im.fail() << "the " << kernel[i] << "-wide window (dilation "
                << (*dilations)[i] << ") does not fit the padded input of size "
                << spatial[i];
      return failure();
    }
  }
  Window w;
  if (n == 1) {
    w.kernel = {1, kernel[0]};
    w.strides = {1, (*strides)[0]};
    w.dilations = {1, (*dilations)[0]};
    w.pad = {0, 0, lo[0], hi[0]};
  } else {
    w.kernel = {kernel[0], kernel[1]};
    w.strides = {(*strides)[0], (*strides)[1]};
    w.dilations = {(*dilations)[0], (*dilations)[1]};
    w.pad = {lo[0], hi[0], lo[1], hi[1]};
  }
  return w;
}

/// The NHWC form of a rank-3 (NCL, lifted to N,1,L,C) or rank-4 input.
FailureOr<Value> windowInput(Importer &im, OnnxValue &x) {
  if (x.rank() == 4)
    return im.toNhwc(x);
  FailureOr<Value> v = im.toOnnx(x);
  if (failed(v))
    return failure();
  Value lifted = im.reshape(*v, {x.shape[0], x.shape[1], 1, x.shape[2]});
  return im.transpose(lifted, kToNhwc);
}

/// Defines output 0 from an NHWC window result; for 1-D ops drops the H = 1.
void defineWindowOutput(Importer &im, Value out, int64_t inputRank,
                        int32_t onnxType) {
  auto shape = tensorType(out).getShape();
  std::vector<int64_t> onnxShape = permuteShape(shape, kToNchw);
  if (inputRank == 4) {
    im.defineValue(0, out, onnxShape, /*nhwc=*/true, onnxType);
    return;
  }
  std::vector<int64_t> shape3 = {onnxShape[0], onnxShape[1], onnxShape[3]};
  Value back = im.reshape(im.transpose(out, kToNchw), shape3);
  im.defineValue(0, back, shape3, /*nhwc=*/false, onnxType);
}

LogicalResult checkWindowRank(Importer &im, OnnxValue &x) {
  if (x.rank() != 3 && x.rank() != 4)
    return im.fail() << "input has rank " << x.rank()
                     << "; only 1-D and 2-D windows (rank-3 or rank-4 "
                        "inputs) are supported";
  return success();
}

/// Conv, ConvInteger and QLinearConv. Quantization parameters are null for
/// a float conv.
LogicalResult emitConv(Importer &im, int xIdx, int wIdx, int bIdx,
                       const OnnxQuant *xq, const OnnxQuant *wq,
                       Type outElement, int32_t outOnnxType) {
  OnnxValue *x = im.input(xIdx);
  OnnxValue *w = x ? im.input(wIdx) : nullptr;
  if (!w || failed(checkWindowRank(im, *x)))
    return failure();
  if (w->rank() != x->rank())
    return im.fail() << "weight rank " << w->rank()
                     << " does not match input rank " << x->rank();
  int64_t group = im.attrInt("group", 1);
  int64_t channels = x->shape[1], outChannels = w->shape[0];
  if (group <= 0 || channels % group != 0 || outChannels % group != 0 ||
      w->shape[1] != channels / group)
    return im.fail() << "weight shape " << formatShape(w->shape)
                     << " does not fit " << channels << " input channels in "
                     << group << " groups";
  std::vector<int64_t> kernel(w->shape.begin() + 2, w->shape.end());
  if (auto ks = im.attrInts("kernel_shape"))
    if (*ks != kernel)
      return im.fail() << "kernel_shape does not match the weight shape "
                       << formatShape(w->shape);
  std::vector<int64_t> spatial(x->shape.begin() + 2, x->shape.end());
  FailureOr<Window> win = readWindow(im, spatial, kernel, false, true);
  if (failed(win))
    return failure();

  if (xq) {
    if (xq->axis >= 0)
      return im.fail() << "the input must be quantized per tensor";
    if (x->value &&
        failed(im.bindQuantized(*x, im.quantType(*xq, -1), "input x")))
      return failure();
  } else if (failed(requireFloat(im, *x, "input X"))) {
    return failure();
  }
  FailureOr<Value> in = windowInput(im, *x);
  if (failed(in))
    return failure();

  // Weights: OIHW -> OHWI (1-D: OIL -> O,1,L,I).
  std::vector<int64_t> w4 = w->shape;
  if (w->rank() == 3)
    w4 = {w->shape[0], w->shape[1], 1, w->shape[2]};
  Type wElement = wq ? im.quantType(*wq, 0) : im.builder.getF32Type();
  if (wq && wq->axis > 0)
    return im.fail() << "weights may be quantized per tensor or per output "
                        "channel (axis 0) only";
  Value filter;
  if (w->constant) {
    HostTensor t = permuteTensorAs(*w->constant, w4, kToNhwc);
    if (wq) {
      if (isFloatDType(t.dtype))
        return im.fail() << "quantized weight must hold integers";
      filter = im.materializeQuantized(t, wElement, t.name);
    } else {
      if (!isFloatDType(t.dtype))
        return im.fail() << "weight must be float";
      filter = im.materializeFloat(t, t.name);
    }
  } else {
    if (wq && failed(im.bindQuantized(*w, wElement, "weight")))
      return failure();
    if (!wq && failed(requireFloat(im, *w, "weight")))
      return failure();
    FailureOr<Value> wv = im.toOnnx(*w);
    if (failed(wv))
      return failure();
    filter = im.transpose(im.reshape(*wv, w4), kToNhwc);
  }

  Value bias;
  if (im.hasInput(bIdx)) {
    OnnxValue *b = im.input(bIdx);
    if (!b)
      return failure();
    if (b->rank() != 1 || b->shape[0] != outChannels)
      return im.fail() << "bias must have shape [" << outChannels << "], got "
                       << formatShape(b->shape);
    if (xq) {
      const HostTensor *bt = im.constInput(bIdx);
      if (!bt || bt->dtype != DType::I32)
        return im.fail() << "bias must be a constant int32 tensor";
      OnnxQuant bq;
      bq.storage = DType::I32;
      for (int64_t o = 0; o < outChannels; ++o) {
        bq.scales.push_back(xq->scales[0] *
                            wq->scales[wq->axis >= 0 ? o : 0]);
        bq.zeroPoints.push_back(0);
      }
      if (wq->axis >= 0) {
        bq.axis = 0;
      } else {
        bq.scales.resize(1);
        bq.zeroPoints.resize(1);
      }
      bias = im.materializeQuantized(*bt, im.quantType(bq, 0), bt->name);
    } else {
      if (failed(requireFloat(im, *b, "bias")))
        return failure();
      FailureOr<Value> bv = im.toOnnx(*b);
      if (failed(bv))
        return failure();
      bias = *bv;
    }
  }

  auto inType = tensorType(*in);
  int64_t oh = windowOutputSize(inType.getDimSize(1), win->kernel[0],
                                win->strides[0], win->dilations[0],
                                win->pad[0], win->pad[1]);
  int64_t ow = windowOutputSize(inType.getDimSize(2), win->kernel[1],
                                win->strides[1], win->dilations[1],
                                win->pad[2], win->pad[3]);
  auto type = RankedTensorType::get({inType.getDimSize(0), oh, ow, outChannels},
                                    outElement);
  Value out = Conv2DOp::create(
      im.builder, im.loc, type, *in, filter, bias,
      im.builder.getDenseI64ArrayAttr(win->strides),
      im.builder.getDenseI64ArrayAttr(win->dilations),
      im.builder.getDenseI64ArrayAttr(win->pad),
      im.builder.getI64IntegerAttr(group));
  defineWindowOutput(im, out, x->rank(), outOnnxType);
  return success();
}

LogicalResult convertConv(Importer &im) {
  return emitConv(im, 0, 1, 2, nullptr, nullptr, im.builder.getF32Type(),
                  onnx::TensorProto::FLOAT);
}

std::optional<DType> onnxStorage(Importer &im, int idx) {
  if (!im.hasInput(idx))
    return std::nullopt;
  auto it = im.values.find(im.node->input(idx));
  if (it == im.values.end())
    return std::nullopt;
  return dtypeFromOnnx(it->second.onnxType);
}

LogicalResult checkStorage(Importer &im, std::optional<DType> t,
                           StringRef what) {
  if (!t || (*t != DType::U8 && *t != DType::I8))
    return im.fail() << what
                     << " must be a uint8 or int8 tensor for this operator";
  return success();
}

int32_t onnxTypeOf(DType t) {
  switch (t) {
  case DType::I8: return onnx::TensorProto::INT8;
  case DType::U8: return onnx::TensorProto::UINT8;
  case DType::I32: return onnx::TensorProto::INT32;
  default: return onnx::TensorProto::FLOAT;
  }
}

LogicalResult convertQLinearConv(Importer &im) {
  OnnxValue *x = im.input(0);
  OnnxValue *w = x ? im.input(3) : nullptr;
  if (!w)
    return failure();
  auto xs = onnxStorage(im, 0), ws = onnxStorage(im, 3);
  if (failed(checkStorage(im, xs, "x")) || failed(checkStorage(im, ws, "w")))
    return failure();
  auto xq = im.readQuant(1, 2, -1, x->rank(), "x", *xs);
  if (failed(xq))
    return failure();
  auto wq = im.readQuant(4, 5, 0, w->rank(), "w", *ws);
  if (failed(wq))
    return failure();
  std::optional<DType> ys = im.hasInput(7) ? onnxStorage(im, 7) : xs;
  if (failed(checkStorage(im, ys, "y_zero_point")))
    return failure();
  auto yq = im.readQuant(6, 7, -1, x->rank(), "y", *ys);
  if (failed(yq))
    return failure();
  if (yq->axis >= 0)
    return im.fail() << "y must be quantized per tensor";
  return emitConv(im, 0, 3, 8, &*xq, &*wq, im.quantType(*yq, -1),
                  onnxTypeOf(*ys));
}

/// The raw int32 accumulator type of ConvInteger/MatMulInteger.
Type accumulatorType(Importer &im) {
  OnnxQuant acc;
  acc.storage = DType::I32;
  acc.scales = {1.0};
  acc.zeroPoints = {0};
  return im.quantType(acc, -1);
}

LogicalResult convertConvInteger(Importer &im) {
  OnnxValue *x = im.input(0);
  OnnxValue *w = x ? im.input(1) : nullptr;
  if (!w)
    return failure();
  auto xs = onnxStorage(im, 0), ws = onnxStorage(im, 1);
  if (failed(checkStorage(im, xs, "x")) || failed(checkStorage(im, ws, "w")))
    return failure();
  auto xq = im.readQuant(-1, 2, -1, x->rank(), "x", *xs);
  if (failed(xq))
    return failure();
  auto wq = im.readQuant(-1, 3, 0, w->rank(), "w", *ws);
  if (failed(wq))
    return failure();
  return emitConv(im, 0, 1, -1, &*xq, &*wq, accumulatorType(im),
                  onnx::TensorProto::INT32);
}

LogicalResult convertPool(Importer &im, bool isMax) {
  OnnxValue *x = im.input(0);
  if (!x || failed(checkWindowRank(im, *x)) ||
      failed(requireMoteTyped(im, *x, "input")))
    return failure();
  auto kernel = im.attrInts("kernel_shape");
  if (!kernel || kernel->size() != static_cast<size_t>(x->rank() - 2))
    return im.fail() << "kernel_shape must list one size per spatial "
                        "dimension";
  bool ceil = im.attrInt("ceil_mode", 0) != 0;
  if (isMax) {
    if (im.attrInt("storage_order", 0) != 0)
      return im.fail() << "storage_order = 1 (column major) is not supported";
    if (im.node->output_size() > 1 && !im.node->output(1).empty())
      return im.fail() << "the Indices output is not supported";
  }
  std::vector<int64_t> spatial(x->shape.begin() + 2, x->shape.end());
  FailureOr<Window> win = readWindow(im, spatial, *kernel, ceil, isMax);
  if (failed(win))
    return failure();
  FailureOr<Value> in = windowInput(im, *x);
  if (failed(in))
    return failure();
  auto inType = tensorType(*in);
  int64_t oh = windowOutputSize(inType.getDimSize(1), win->kernel[0],
                                win->strides[0], win->dilations[0],
                                win->pad[0], win->pad[1], ceil);
  int64_t ow = windowOutputSize(inType.getDimSize(2), win->kernel[1],
                                win->strides[1], win->dilations[1],
                                win->pad[2], win->pad[3], ceil);
  auto type = RankedTensorType::get(
      {inType.getDimSize(0), oh, ow, inType.getDimSize(3)},
      inType.getElementType());
  auto &b = im.builder;
  Value out;
  if (isMax)
    out = MaxPool2DOp::create(b, im.loc, type, *in,
                              b.getDenseI64ArrayAttr(win->kernel),
                              b.getDenseI64ArrayAttr(win->strides),
                              b.getDenseI64ArrayAttr(win->dilations),
                              b.getDenseI64ArrayAttr(win->pad),
                              b.getBoolAttr(ceil));
  else
    out = AvgPool2DOp::create(
        b, im.loc, type, *in, b.getDenseI64ArrayAttr(win->kernel),
        b.getDenseI64ArrayAttr(win->strides), b.getDenseI64ArrayAttr(win->pad),
        b.getBoolAttr(im.attrInt("count_include_pad", 0) != 0),
        b.getBoolAttr(ceil));
  defineWindowOutput(im, out, x->rank(), x->onnxType);
  return success();
}

LogicalResult convertMaxPool(Importer &im) { return convertPool(im, true); }
LogicalResult convertAveragePool(Importer &im) {
  return convertPool(im, false);
}

LogicalResult convertGlobalPool(Importer &im, bool isMax) {
  OnnxValue *x = im.input(0);
  if (!x || failed(checkWindowRank(im, *x)) ||
      failed(requireMoteTyped(im, *x, "input")))
    return failure();
  FailureOr<Value> in = windowInput(im, *x);
  if (failed(in))
    return failure();
  auto inType = tensorType(*in);
  SmallVector<int64_t, 2> kernel = {inType.getDimSize(1),
                                    inType.getDimSize(2)};
  auto type = RankedTensorType::get({inType.getDimSize(0), 1, 1,
                                     inType.getDimSize(3)},
                                    inType.getElementType());
  auto &b = im.builder;
  SmallVector<int64_t, 2> ones = {1, 1};
  SmallVector<int64_t, 4> zeros = {0, 0, 0, 0};
  Value out;
  if (isMax)
    out = MaxPool2DOp::create(b, im.loc, type, *in,
                              b.getDenseI64ArrayAttr(kernel),
                              b.getDenseI64ArrayAttr(ones),
                              b.getDenseI64ArrayAttr(ones),
                              b.getDenseI64ArrayAttr(zeros),
                              b.getBoolAttr(false));
  else
    out = AvgPool2DOp::create(b, im.loc, type, *in,
                              b.getDenseI64ArrayAttr(kernel),
                              b.getDenseI64ArrayAttr(ones),
                              b.getDenseI64ArrayAttr(zeros),
                              b.getBoolAttr(false), b.getBoolAttr(false));
  defineWindowOutput(im, out, x->rank(), x->onnxType);
  return success();
}

LogicalResult convertGlobalAveragePool(Importer &im) {
  return convertGlobalPool(im, false);
}
LogicalResult convertGlobalMaxPool(Importer &im) {
  return convertGlobalPool(im, true);
}

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

//===----------------------------------------------------------------------===//
// Quantize / dequantize
//===----------------------------------------------------------------------===//

LogicalResult convertDequantizeLinear(Importer &im) {
  OnnxValue *x = im.input(0);
  if (!x)
    return failure();
  std::optional<DType> storage = dtypeFromOnnx(x->onnxType);
  if (!storage || (*storage != DType::U8 && *storage != DType::I8 &&
                   *storage != DType::I32))
    return im.fail() << "x has type " << onnxTypeName(x->onnxType)
                     << "; DequantizeLinear supports uint8, int8 and int32";
  int64_t axis = im.opset >= 13 ? im.attrInt("axis", 1) : -1;
  auto q = im.readQuant(1, 2, axis, x->rank(), "x", *storage);
  if (failed(q))
    return failure();
  if (q->axis >= 0 && im.opset < 13)
    return im.fail() << "per-axis parameters need opset 13 or newer";
  if (q->axis >= 0 && q->scales.size() != static_cast<size_t>(x->shape[q->axis]))
    return im.fail() << q->scales.size() << " scales do not match dimension "
                     << q->axis << " of size " << x->shape[q->axis];
  Value in;
  bool nhwc = false;
  if (!x->value && x->constant) {
    if (isFloatDType(x->constant->dtype))
      return im.fail() << "x must hold integers";
    in = im.materializeQuantized(*x->constant, im.quantType(*q, q->axis),
                                 x->constant->name);
  } else {
    nhwc = x->nhwc && x->rank() == 4;
    int64_t mlirAxis = q->axis >= 0 && nhwc ? nhwcAxis(q->axis) : q->axis;
    if (failed(im.bindQuantized(*x, im.quantType(*q, mlirAxis), "x")))
      return failure();
    in = x->value;
  }
  auto type = tensorType(in).clone(im.builder.getF32Type());
  Value out = DequantizeOp::create(im.builder, im.loc, type, in);
  im.defineValue(0, out, x->shape, nhwc, onnx::TensorProto::FLOAT);
  return success();
}

LogicalResult convertQuantizeLinear(Importer &im) {
  OnnxValue *x = im.input(0);
  if (!x || failed(requireFloat(im, *x, "x")))
    return failure();
  std::optional<DType> storage =
      im.hasInput(2) ? onnxStorage(im, 2) : std::optional<DType>(DType::U8);
  if (failed(checkStorage(im, storage, "y_zero_point")))
    return failure();
  int64_t axis = im.opset >= 13 ? im.attrInt("axis", 1) : -1;
  auto q = im.readQuant(1, 2, axis, x->rank(), "y", *storage);
  if (failed(q))
    return failure();
  if (q->axis >= 0 && q->scales.size() != static_cast<size_t>(x->shape[q->axis]))
    return im.fail() << q->scales.size() << " scales do not match dimension "
                     << q->axis << " of size " << x->shape[q->axis];
  bool nhwc = x->value && x->nhwc;
  Value in = x->value;
  if (!nhwc) {
    FailureOr<Value> v = im.toOnnx(*x);
    if (failed(v))
      return failure();
    in = *v;
  }
  int64_t mlirAxis = q->axis >= 0 && nhwc ? nhwcAxis(q->axis) : q->axis;
  auto type = tensorType(in).clone(im.quantType(*q, mlirAxis));
  Value out = QuantizeOp::create(im.builder, im.loc, type, in);
  im.defineValue(0, out, x->shape, nhwc, onnxTypeOf(*storage));
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

/// Reshapes a runtime tensor (constants are folded elsewhere) in ONNX layout.
LogicalResult emitReshape(Importer &im, OnnxValue &x,
                          std::vector<int64_t> shape) {
  if (product(shape, 0, shape.size()) != product(x.shape, 0, x.shape.size()))
    return im.fail() << "cannot reshape " << formatShape(x.shape) << " to "
                     << formatShape(shape);
  if (x.constant && !x.value) {
    HostTensor t = *x.constant;
    t.shape = shape;
    im.defineConstant(0, std::move(t));
    im.values[im.node->output(0)].onnxType = x.onnxType;
    return success();
  }
  if (failed(requireMoteTyped(im, x, "input")))
    return failure();
  FailureOr<Value> v = im.toOnnx(x);
  if (failed(v))
    return failure();
  im.defineValue(0, im.reshape(*v, shape), shape, false, x.onnxType);
  return success();
}

} // namespace

/// Resolves ONNX Reshape's 0 (copy) and -1 (infer) entries.
static FailureOr<std::vector<int64_t>>
resolveReshape(Importer &im, ArrayRef<int64_t> in, std::vector<int64_t> shape,
               bool allowZero) {
  int64_t known = 1, inferAt = -1;
  int64_t total = product(in, 0, in.size());
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 0 && !allowZero) {
      if (i >= in.size()) {
        im.fail() << "shape entry " << i << " is 0 (copy) but the input has "
                  << "rank " << in.size();
        return failure();
      }
      shape[i] = in[i];
    }
    if (shape[i] == -1) {
      if (inferAt >= 0) {
        im.fail() << "shape has more than one -1";
        return failure();
      }
      inferAt = i;
      continue;
    }
    if (shape[i] < 0) {
      im.fail() << "shape entry " << shape[i] << " is invalid";
      return failure();
    }
    known *= shape[i];
  }
  if (inferAt >= 0) {
    if (known == 0 || total % known != 0) {
      im.fail() << "cannot infer the -1 entry reshaping "
                << formatShape(in) << " (" << total << " elements)";
      return failure();
    }
    shape[inferAt] = total / known;
  }
  return shape;
}

namespace {

LogicalResult convertReshape(Importer &im) {
  OnnxValue *x = im.input(0);
  if (!x)
    return failure();
  const HostTensor *s = im.constInput(1);
  if (!s)
    return im.fail() << "the target shape must be a constant (or fold to one "
                        "at import) — Mote needs static shapes";
  auto shape = resolveReshape(im, x->shape, tensorInts(*s),
                              im.attrInt("allowzero", 0) != 0);
  if (failed(shape))
    return failure();
  return emitReshape(im, *x, *shape);
}

LogicalResult convertFlatten(Importer &im) {
  OnnxValue *x = im.input(0);
  if (!x)
    return failure();
  int64_t axis = normAxis(im.attrInt("axis", 1), x->rank());
  if (axis < 0 || axis > x->rank())
    return im.fail() << "axis out of range";
  return emitReshape(im, *x,
                     {product(x->shape, 0, axis),
                      product(x->shape, axis, x->shape.size())});
}

LogicalResult convertSqueeze(Importer &im) {
  OnnxValue *x = im.input(0);
  auto axes = x ? readAxes(im, 1) : FailureOr<std::vector<int64_t>>(failure());
  if (failed(axes))
    return failure();
  std::vector<bool> drop(x->rank(), false);
  if (axes->empty()) {
    for (int64_t i = 0; i < x->rank(); ++i)
      drop[i] = x->shape[i] == 1;
  }
  for (int64_t a : *axes) {
    a = normAxis(a, x->rank());
    if (a < 0 || a >= x->rank() || x->shape[a] != 1)
      return im.fail() << "cannot squeeze axis " << a << " of shape "
                       << formatShape(x->shape);
    drop[a] = true;
  }
  std::vector<int64_t> shape;
  for (int64_t i = 0; i < x->rank(); ++i)
    if (!drop[i])
      shape.push_back(x->shape[i]);
  return emitReshape(im, *x, shape);
}

LogicalResult convertUnsqueeze(Importer &im) {
  OnnxValue *x = im.input(0);
  auto axes = x ? readAxes(im, 1) : FailureOr<std::vector<int64_t>>(failure());
  if (failed(axes))
    return failure();
  int64_t rank = x->rank() + axes->size();
  std::vector<bool> isNew(rank, false);
  for (int64_t a : *axes) {
    a = normAxis(a, rank);
    if (a < 0 || a >= rank || isNew[a])
      return im.fail() << "invalid or repeated axis in unsqueeze";
    isNew[a] = true;
  }
  std::vector<int64_t> shape;
  size_t j = 0;
  for (int64_t i = 0; i < rank; ++i)
    shape.push_back(isNew[i] ? 1 : x->shape[j++]);
  return emitReshape(im, *x, shape);
}

LogicalResult convertTranspose(Importer &im) {
  OnnxValue *x = im.input(0);
  if (!x || failed(requireMoteTyped(im, *x, "input")))
    return failure();
  std::vector<int64_t> perm;
  if (auto p = im.attrInts("perm")) {
    perm = *p;
  } else {
    for (int64_t i = x->rank() - 1; i >= 0; --i)
      perm.push_back(i);
  }
  std::vector<bool> seen(x->rank(), false);
  if (static_cast<int64_t>(perm.size()) != x->rank())
    return im.fail() << "perm has " << perm.size() << " entries for rank "
                     << x->rank();
  for (int64_t p : perm) {
    if (p < 0 || p >= x->rank() || seen[p])
      return im.fail() << "perm is not a permutation";
    seen[p] = true;
  }
  FailureOr<Value> v = im.toOnnx(*x);
  if (failed(v))
    return failure();
  im.defineValue(0, im.transpose(*v, perm), permuteShape(x->shape, perm),
                 false, x->onnxType);
  return success();
}

LogicalResult convertConcat(Importer &im) {
  std::vector<OnnxValue *> ins;
  for (int i = 0; i < im.numInputs(); ++i) {
    if (!im.hasInput(i))
      continue;
    OnnxValue *v = im.input(i);
    if (!v || failed(requireMoteTyped(im, *v, "input")))
      return failure();
    ins.push_back(v);
  }
  if (ins.empty())
    return im.fail() << "has no inputs";
  int64_t rank = ins[0]->rank();
  int64_t axis = normAxis(im.attrInt("axis", 0), rank);
  if (axis < 0 || axis >= rank)
    return im.fail() << "axis out of range for rank " << rank;
  std::vector<int64_t> shape = ins[0]->shape;
  shape[axis] = 0;
  bool nhwc = false;
  for (OnnxValue *v : ins) {
    if (v->rank() != rank)
      return im.fail() << "inputs have different ranks";
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && v->shape[d] != ins[0]->shape[d])
        return im.fail() << "input shapes " << formatShape(ins[0]->shape)
                         << " and " << formatShape(v->shape)
                         << " differ outside the concat axis";
    shape[axis] += v->shape[axis];
    nhwc |= rank == 4 && v->value && v->nhwc;
  }
  SmallVector<Value> operands;
  for (OnnxValue *v : ins) {
    FailureOr<Value> o = im.broadcastOperand(*v, rank, nhwc);
    if (failed(o))
      return failure();
    operands.push_back(*o);
  }
  Type element = tensorType(operands[0]).getElementType();
  for (Value o : operands)
    if (tensorType(o).getElementType() != element)
      return im.fail() << "inputs have different element types";
  auto type = RankedTensorType::get(nhwc ? permuteShape(shape, kToNhwc)
                                         : shape,
                                    element);
  Value out = ConcatOp::create(
      im.builder, im.loc, type, operands,
      im.builder.getI64IntegerAttr(nhwc ? nhwcAxis(axis) : axis));
  im.defineValue(0, out, shape, nhwc, ins[0]->onnxType);
  return success();
}

LogicalResult convertPad(Importer &im) {
  OnnxValue *x = im.input(0);
  if (!x || failed(requireMoteTyped(im, *x, "input")))
    return failure();
  std::string mode = im.attrString("mode", "constant");
  if (mode != "constant")
    return im.fail() << "mode '" << mode
                     << "' is not supported; only constant padding is";
  std::vector<int64_t> pads;
  float value = 0.0f;
  if (im.opset < 11) {
    pads = im.attrInts("pads").value_or(std::vector<int64_t>());
    value = im.attrFloat("value", 0.0f);
  } else {
    const HostTensor *p = im.constInput(1);
    if (!p)
      return im.fail() << "pads must be a constant";
    pads = tensorInts(*p);
    if (im.hasInput(2)) {
      const HostTensor *v = im.constInput(2);
      if (!v || v->numElements() != 1)
        return im.fail() << "constant_value must be a constant scalar";
      value = v->getDouble(0);
    }
  }
  int64_t rank = x->rank();
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return im.fail() << "pads has " << pads.size() << " entries for rank "
                     << rank;
  for (int64_t p : pads)
    if (p < 0)
      return im.fail() << "negative pads (cropping) are not supported";
  bool nhwc = rank == 4 && x->value && x->nhwc;
  Value in = x->value;
  if (!nhwc) {
    FailureOr<Value> v = im.toOnnx(*x);
    if (failed(v))
      return failure();
    in = *v;
  }
  std::vector<int64_t> onnxShape = x->shape;
  for (int64_t d = 0; d < rank; ++d)
    onnxShape[d] += pads[d] + pads[d + rank];
  SmallVector<int64_t> motePads;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t src = nhwc ? kToNhwc[d] : d;
    motePads.push_back(pads[src]);
    motePads.push_back(pads[src + rank]);
  }
  auto type = RankedTensorType::get(
      nhwc ? permuteShape(onnxShape, kToNhwc) : onnxShape,
      tensorType(in).getElementType());
  Value out = PadOp::create(im.builder, im.loc, type, in,
                            im.builder.getDenseI64ArrayAttr(motePads),
                            im.builder.getF32FloatAttr(value));
  im.defineValue(0, out, onnxShape, nhwc, x->onnxType);
  return success();
}

/// Softmax and LogSoftmax (`OpT` is SoftmaxOp or LogSoftmaxOp): both share
/// the axis default and, before opset 13, the coerce-to-2-D semantics.
template <typename OpT>
LogicalResult convertSoftmax(Importer &im) {
  OnnxValue *x = im.input(0);
  if (!x || failed(requireFloat(im, *x, "input")))
    return failure();
  int64_t rank = x->rank();
  int64_t axis = normAxis(im.attrInt("axis", im.opset >= 13 ? -1 : 1), rank);
  if (axis < 0 || axis >= rank)
    return im.fail() << "axis out of range for rank " << rank;
  auto f32 = im.builder.getF32Type();
  if (im.opset >= 13 || axis == rank - 1) {
    bool nhwc = rank == 4 && x->value && x->nhwc;
    Value in = x->value;
    if (!nhwc) {
      FailureOr<Value> v = im.toOnnx(*x);
      if (failed(v))
        return failure();
      in = *v;
    }
    Value out =
        OpT::create(im.builder, im.loc, tensorType(in), in,
                    im.builder.getI64IntegerAttr(nhwc ? nhwcAxis(axis) : axis));
    im.defineValue(0, out, x->shape, nhwc);
    return success();
  }
  // Before opset 13: softmax of the input coerced to 2-D at `axis`.
  FailureOr<Value> v = im.toOnnx(*x);
  if (failed(v))
    return failure();
  std::vector<int64_t> flat = {product(x->shape, 0, axis),
                               product(x->shape, axis, rank)};
  Value in = im.reshape(*v, flat);
  Value out = OpT::create(im.builder, im.loc, RankedTensorType::get(flat, f32),
                          in, im.builder.getI64IntegerAttr(1));
  im.defineValue(0, im.reshape(out, x->shape), x->shape, false);
  return success();
}

LogicalResult convertConstant(Importer &im) {
  const onnx::AttributeProto *a = nullptr;
  for (const auto &attr : im.node->attribute())
    a = &attr;
  if (!a || im.node->attribute_size() != 1)
    return im.fail() << "must have exactly one value attribute";
  HostTensor t;
  const std::string &name = a->name();
  if (name == "value") {
    std::string error;
    if (!tensorFromProto(a->t(), t, error))
      return im.fail() << "value " << error;
  } else if (name == "value_float") {
    t = tensorFromDoubles(DType::F32, {}, {a->f()});
  } else if (name == "value_floats") {
    std::vector<double> v(a->floats().begin(), a->floats().end());
    t = tensorFromDoubles(DType::F32, {static_cast<int64_t>(v.size())}, v);
  } else if (name == "value_int") {
    t = tensorFromInts(DType::I64, {}, {a->i()});
  } else if (name == "value_ints") {
    std::vector<int64_t> v(a->ints().begin(), a->ints().end());
    t = tensorFromInts(DType::I64, {static_cast<int64_t>(v.size())}, v);
  } else {
    return im.fail() << "attribute '" << name << "' is not supported";
  }
  t.name = im.node->output_size() ? im.node->output(0) : im.nodeName;
  im.defineConstant(0, std::move(t));
  return success();
}

const llvm::StringMap<Converter> &converters() {
  static const llvm::StringMap<Converter> table = {
      {"Add", convertBinary<BinKind::Add>},
      {"Sub", convertBinary<BinKind::Sub>},
      {"Mul", convertBinary<BinKind::Mul>},
      {"Div", convertBinary<BinKind::Div>},
      {"Max", convertVariadic<BinKind::Max>},
      {"Min", convertVariadic<BinKind::Min>},
      {"Sum", convertVariadic<BinKind::Add>},
      {"Relu", convertRelu},
      {"Clip", convertClip},
      {"LeakyRelu", convertLeakyRelu},
      {"PRelu", convertPRelu},
      {"HardSigmoid", convertHardSigmoid},
      {"HardSwish", convertSimpleUnary<HardSwishOp>},
      {"Sigmoid", convertSimpleUnary<SigmoidOp>},
      {"Tanh", convertSimpleUnary<TanhOp>},
      {"Exp", convertSimpleUnary<ExpOp>},
      {"Elu", convertElu},
      {"Selu", convertSelu},
      {"Softplus", convertSimpleUnary<SoftplusOp>},
      {"Identity", convertIdentity},
      {"Dropout", convertDropout},
      {"Cast", convertCast},
      {"Conv", convertConv},
      {"QLinearConv", convertQLinearConv},
      {"ConvInteger", convertConvInteger},
      {"MaxPool", convertMaxPool},
      {"AveragePool", convertAveragePool},
      {"GlobalAveragePool", convertGlobalAveragePool},
      {"GlobalMaxPool", convertGlobalMaxPool},
      {"MatMul", convertMatMul},
      {"QLinearMatMul", convertQLinearMatMul},
      {"MatMulInteger", convertMatMulInteger},
      {"Gemm", convertGemm},
      {"BatchNormalization", convertBatchNorm},
      {"QuantizeLinear", convertQuantizeLinear},
      {"DequantizeLinear", convertDequantizeLinear},
      {"Reshape", convertReshape},
      {"Flatten", convertFlatten},
      {"Squeeze", convertSqueeze},
      {"Unsqueeze", convertUnsqueeze},
      {"Transpose", convertTranspose},
      {"Concat", convertConcat},
      {"Pad", convertPad},
      {"Softmax", convertSoftmax<SoftmaxOp>},
      {"LogSoftmax", convertSoftmax<LogSoftmaxOp>},
      {"Constant", convertConstant},
  };
  return table;
}

} // namespace

LogicalResult onnx_import::convertOnnxNode(Importer &im) {
  if (Converter shapeOp = findShapeOpConverter(im.node->op_type()))
    return shapeOp(im);
  if (OpConverter math = lookupMathConverter(im.node->op_type()))
    return math(im);
  auto it = converters().find(im.node->op_type());
  if (it == converters().end() || !it->second)
    return im.fail() << "operator '" << im.node->op_type()
                     << "' is not supported by the Mote importer — see "
                        "docs/ONNX.md for the supported operators, or "
                        "rewrite the model without it";
  return it->second(im);
}
