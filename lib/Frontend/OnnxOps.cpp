//===- OnnxOps.cpp - ONNX operator converters -------------------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// One converter per ONNX operator. Activations stay NHWC where the op does
// not care about the layout (elementwise ops, conv, pooling, axis-remapped
// concat/softmax); ops that need ONNX layout semantics get a transpose back,
// and the canonicalizer cancels transpose pairs afterwards. This file holds
// the helpers the converter files share, QuantizeLinear/DequantizeLinear,
// the data-movement and layout operators, Softmax, Constant and the
// dispatch; OnnxElementwiseOps.cpp, OnnxConvPoolOps.cpp,
// OnnxProductOps.cpp, OnnxMathOps.cpp and OnnxShapeOps.cpp the others.
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

bool onnx_import::isFloatOnnx(const OnnxValue &v) {
  return v.onnxType == onnx::TensorProto::FLOAT ||
         v.onnxType == onnx::TensorProto::DOUBLE;
}

RankedTensorType onnx_import::tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

int64_t onnx_import::product(ArrayRef<int64_t> shape, size_t begin, size_t end) {
  int64_t n = 1;
  for (size_t i = begin; i < end; ++i)
    n *= shape[i];
  return n;
}

/// Rejects runtime integer tensors that carry no quantization parameters.
LogicalResult onnx_import::requireMoteTyped(Importer &im, OnnxValue &v, StringRef what) {
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

LogicalResult onnx_import::requireFloat(Importer &im, OnnxValue &v, StringRef what) {
  if (!isFloatOnnx(v))
    return im.fail() << what << " has type " << onnxTypeName(v.onnxType)
                     << "; this operator is supported on float tensors only "
                        "— dequantize (DequantizeLinear) first";
  return success();
}

int64_t onnx_import::normAxis(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

FailureOr<Value> onnx_import::inCurrentLayout(Importer &im, OnnxValue &x,
                                              bool &nhwc) {
  nhwc = x.value && x.nhwc;
  if (nhwc)
    return x.value;
  return im.toOnnx(x);
}

std::optional<DType> onnx_import::onnxStorage(Importer &im, int idx) {
  if (!im.hasInput(idx))
    return std::nullopt;
  auto it = im.values.find(im.node->input(idx));
  if (it == im.values.end())
    return std::nullopt;
  return dtypeFromOnnx(it->second.onnxType);
}

LogicalResult onnx_import::checkStorage(Importer &im, std::optional<DType> t,
                           StringRef what) {
  if (!t || (*t != DType::U8 && *t != DType::I8))
    return im.fail() << what
                     << " must be a uint8 or int8 tensor for this operator";
  return success();
}

int32_t onnx_import::onnxTypeOf(DType t) {
  switch (t) {
  case DType::I8: return onnx::TensorProto::INT8;
  case DType::U8: return onnx::TensorProto::UINT8;
  case DType::I32: return onnx::TensorProto::INT32;
  default: return onnx::TensorProto::FLOAT;
  }
}

/// The raw int32 accumulator type of ConvInteger/MatMulInteger.
Type onnx_import::accumulatorType(Importer &im) {
  OnnxQuant acc;
  acc.storage = DType::I32;
  acc.scales = {1.0};
  acc.zeroPoints = {0};
  return im.quantType(acc, -1);
}

namespace {

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
  bool nhwc;
  FailureOr<Value> current = inCurrentLayout(im, *x, nhwc);
  if (failed(current))
    return failure();
  Value in = *current;
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
  for (auto find : {findElementwiseConverter, findConvPoolConverter,
                    findProductConverter})
    if (Converter convert = find(im.node->op_type()))
      return convert(im);
  auto it = converters().find(im.node->op_type());
  if (it == converters().end() || !it->second)
    return im.fail() << "operator '" << im.node->op_type()
                     << "' is not supported by the Mote importer — see "
                        "docs/ONNX.md for the supported operators, or "
                        "rewrite the model without it";
  return it->second(im);
}
