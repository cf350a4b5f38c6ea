//===- OnnxConstFold.cpp - Import-time folding of shape arithmetic ----------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Exporters compute shapes at run time (Shape → Gather → Concat → Reshape,
// Cast, arithmetic on int64 tensors). Mote has static shapes and no integer
// tensors, so every such chain is evaluated here on host tensors, and only
// its result (a constant) reaches the converters.
//
//===----------------------------------------------------------------------===//

#include "OnnxImporterImpl.h"

#include "Mote/MoteTypeUtils.h"

#include "llvm/ADT/StringSwitch.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mote;
using namespace mote::onnx_import;

namespace {

int64_t numElements(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// Index of the element of a tensor of `shape` (broadcast into `outShape`)
/// that output element `linear` reads.
int64_t broadcastIndex(ArrayRef<int64_t> shape, ArrayRef<int64_t> outShape,
                       int64_t linear) {
  int64_t index = 0, stride = 1;
  size_t offset = outShape.size() - shape.size();
  for (size_t i = outShape.size(); i-- > 0;) {
    int64_t coord = linear % outShape[i];
    linear /= outShape[i];
    if (i >= offset) {
      int64_t d = shape[i - offset];
      if (d != 1)
        index += coord * stride;
      stride *= d;
    }
  }
  return index;
}

/// Elementwise fold of Add/Sub/Mul/Div/Equal/Where-style ops.
bool foldElementwise(Importer &im, StringRef op, bool &failedOut) {
  int n = op == "Where" ? 3 : 2;
  std::vector<const HostTensor *> ins;
  for (int i = 0; i < n; ++i)
    ins.push_back(im.constInput(i));
  std::optional<SmallVector<int64_t>> shape =
      SmallVector<int64_t>(ins[0]->shape.begin(), ins[0]->shape.end());
  for (int i = 1; i < n && shape; ++i)
    shape = broadcastShapes(*shape, ins[i]->shape);
  if (!shape) {
    im.fail() << "constant operands do not broadcast";
    failedOut = true;
    return true;
  }
  std::vector<int64_t> outShape(shape->begin(), shape->end());
  int64_t count = numElements(outShape);
  const HostTensor &a = *ins[op == "Where" ? 1 : 0];
  const HostTensor &b = *ins[op == "Where" ? 2 : 1];
  bool isFloat = isFloatDType(a.dtype) || isFloatDType(b.dtype);
  bool compare = op == "Equal" || op == "Less" || op == "Greater";
  DType outType = compare ? DType::Bool : a.dtype;
  if (op == "Div" && !isFloat) {
    for (int64_t i = 0; i < b.numElements(); ++i)
      if (b.getInt(i) == 0) {
        im.fail() << "integer division by zero in constant folding";
        failedOut = true;
        return true;
      }
  }
  std::vector<double> fout(isFloat ? count : 0);
  std::vector<int64_t> iout(isFloat ? 0 : count);
  for (int64_t i = 0; i < count; ++i) {
    int64_t ia = broadcastIndex(a.shape, outShape, i);
    int64_t ib = broadcastIndex(b.shape, outShape, i);
    if (op == "Where") {
      bool c = ins[0]->getInt(broadcastIndex(ins[0]->shape, outShape, i));
      if (isFloat)
        fout[i] = c ? a.getDouble(ia) : b.getDouble(ib);
      else
        iout[i] = c ? a.getInt(ia) : b.getInt(ib);
      continue;
    }
    if (isFloat) {
      double x = a.getDouble(ia), y = b.getDouble(ib);
      fout[i] = op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y
                : op == "Div" ? x / y : op == "Max" ? std::max(x, y)
                : op == "Min" ? std::min(x, y) : op == "Less" ? double(x < y)
                : op == "Greater" ? double(x > y) : static_cast<double>(x == y);
    } else {
      int64_t x = a.getInt(ia), y = b.getInt(ib);
      iout[i] = op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y
                : op == "Div" ? x / y : op == "Max" ? std::max(x, y)
                : op == "Min" ? std::min(x, y) : op == "Less" ? int64_t(x < y)
                : op == "Greater" ? int64_t(x > y)
                                  : static_cast<int64_t>(x == y);
    }
  }
  HostTensor out = isFloat && !compare
                       ? tensorFromDoubles(outType, outShape, fout)
                   : isFloat ? [&] {
                       std::vector<int64_t> v(fout.begin(), fout.end());
                       return tensorFromInts(outType, outShape, v);
                     }()
                             : tensorFromInts(outType, outShape, iout);
  im.defineConstant(0, std::move(out));
  return true;
}

bool foldShape(Importer &im, bool &failedOut) {
  OnnxValue *x = im.input(0);
  if (!x) {
    failedOut = true;
    return true;
  }
  int64_t rank = x->rank();
  int64_t start = im.attrInt("start", 0), end = im.attrInt("end", rank);
  if (start < 0)
    start += rank;
  if (end < 0)
    end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, start, rank);
  std::vector<int64_t> dims(x->shape.begin() + start, x->shape.begin() + end);
  im.defineConstant(0, tensorFromInts(DType::I64,
                                      {static_cast<int64_t>(dims.size())},
                                      dims));
  return true;
}

bool foldGather(Importer &im, bool &failedOut) {
  const HostTensor &data = *im.constInput(0);
  const HostTensor &indices = *im.constInput(1);
  int64_t rank = data.shape.size();
  int64_t axis = im.attrInt("axis", 0);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank || isFloatDType(indices.dtype)) {
    im.fail() << "invalid axis or indices";
    failedOut = true;
    return true;
  }
  std::vector<int64_t> outShape(data.shape.begin(), data.shape.begin() + axis);
  outShape.insert(outShape.end(), indices.shape.begin(), indices.shape.end());
  outShape.insert(outShape.end(), data.shape.begin() + axis + 1,
                  data.shape.end());
  int64_t outer = numElements(ArrayRef<int64_t>(data.shape).take_front(axis));
  int64_t inner =
      numElements(ArrayRef<int64_t>(data.shape).drop_front(axis + 1));
  int64_t dim = data.shape[axis];
  size_t es = dtypeSize(data.dtype);
  HostTensor out = HostTensor::zeros(data.dtype, outShape);
  int64_t nIdx = indices.numElements();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < nIdx; ++j) {
      int64_t idx = indices.getInt(j);
      if (idx < 0)
        idx += dim;
      if (idx < 0 || idx >= dim) {
        im.fail() << "index " << indices.getInt(j)
                  << " is out of range for dimension of size " << dim;
        failedOut = true;
        return true;
      }
      std::memcpy(out.data.data() + ((o * nIdx + j) * inner) * es,
                  data.data.data() + ((o * dim + idx) * inner) * es,
                  inner * es);
    }
  out.name = data.name;
  im.defineConstant(0, std::move(out));
  return true;
}

bool foldSlice(Importer &im, bool &failedOut) {
  const HostTensor &data = *im.constInput(0);
  FailureOr<SliceBox> box = readSlice(im, data.shape);
  if (failed(box)) {
    failedOut = true;
    return true;
  }
  im.defineConstant(0, sliceHost(data, *box));
  return true;
}

bool foldConcat(Importer &im, bool &failedOut) {
  std::vector<const HostTensor *> ins;
  for (int i = 0; i < im.numInputs(); ++i)
    if (im.hasInput(i))
      ins.push_back(im.constInput(i));
  int64_t rank = ins[0]->shape.size();
  int64_t axis = im.attrInt("axis", 0);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank) {
    im.fail() << "axis out of range";
    failedOut = true;
    return true;
  }
  std::vector<int64_t> shape = ins[0]->shape;
  shape[axis] = 0;
  for (const HostTensor *t : ins) {
    if (static_cast<int64_t>(t->shape.size()) != rank ||
        t->dtype != ins[0]->dtype) {
      im.fail() << "constant inputs differ in rank or type";
      failedOut = true;
      return true;
    }
    shape[axis] += t->shape[axis];
  }
  int64_t outer = numElements(ArrayRef<int64_t>(shape).take_front(axis));
  int64_t inner = numElements(ArrayRef<int64_t>(shape).drop_front(axis + 1));
  size_t es = dtypeSize(ins[0]->dtype);
  HostTensor out = HostTensor::zeros(ins[0]->dtype, shape);
  char *dst = out.data.data();
  for (int64_t o = 0; o < outer; ++o)
    for (const HostTensor *t : ins) {
      size_t bytes = t->shape[axis] * inner * es;
      if (bytes) // an empty input has no buffer: memcpy(dst, nullptr, 0) is UB
        std::memcpy(dst, t->data.data() + o * bytes, bytes);
      dst += bytes;
    }
  im.defineConstant(0, std::move(out));
  return true;
}

bool foldCast(Importer &im, bool &failedOut) {
  const HostTensor &x = *im.constInput(0);
  std::optional<DType> to = dtypeFromOnnx(im.attrInt("to", 0));
  if (!to) {
    im.fail() << "cast to " << onnxTypeName(im.attrInt("to", 0))
              << " is not supported";
    failedOut = true;
    return true;
  }
  HostTensor out =
      isFloatDType(*to)
          ? tensorFromDoubles(*to, x.shape, tensorDoubles(x))
          : (isFloatDType(x.dtype)
                 ? tensorFromDoubles(*to, x.shape, tensorDoubles(x))
                 : tensorFromInts(*to, x.shape, tensorInts(x)));
  out.name = x.name;
  im.defineConstant(0, std::move(out));
  return true;
}

/// Folded constants are materialised whole: beyond this many elements
/// (64 MiB of f32, already far beyond any on-chip memory) a hostile shape
/// would exhaust memory: the importer, the MLIR attribute and the broadcast
/// copies each hold one (the fuzzer found 2^28 needing over 2 GB).
constexpr int64_t kMaxFoldedElements = int64_t(1) << 24;

bool foldConstantOfShape(Importer &im, bool &failedOut) {
  std::vector<int64_t> shape = tensorInts(*im.constInput(0));
  int64_t elements = 1;
  for (int64_t d : shape) {
    if (d < 0) {
      im.fail() << "negative dimension";
      failedOut = true;
      return true;
    }
    if (d > 0 && elements > kMaxFoldedElements / d) {
      im.fail() << "output shape " << formatShape(shape)
                << " has more than 2^24 elements; Mote does not fold "
                   "constants that large";
      failedOut = true;
      return true;
    }
    elements *= d;
  }
  HostTensor fill = tensorFromDoubles(DType::F32, {1}, {0.0});
  if (const auto *a = im.attr("value")) {
    std::string error;
    if (!tensorFromProto(a->t(), fill, error) || fill.numElements() != 1) {
      im.fail() << "value must be a one-element tensor";
      failedOut = true;
      return true;
    }
  }
  HostTensor out = HostTensor::zeros(fill.dtype, shape);
  size_t es = dtypeSize(fill.dtype);
  for (int64_t i = 0, n = out.numElements(); i < n; ++i)
    std::memcpy(out.data.data() + i * es, fill.data.data(), es);
  im.defineConstant(0, std::move(out));
  return true;
}

bool foldRange(Importer &im, bool &failedOut) {
  const HostTensor &s = *im.constInput(0), &l = *im.constInput(1),
                   &d = *im.constInput(2);
  double start = s.getDouble(0), limit = l.getDouble(0), delta = d.getDouble(0);
  if (delta == 0) {
    im.fail() << "delta is zero";
    failedOut = true;
    return true;
  }
  double count = std::ceil((limit - start) / delta);
  if (!std::isfinite(count) || count > double(kMaxFoldedElements)) {
    im.fail() << "start, limit and delta give " << count
              << " elements; Mote folds at most 2^24";
    failedOut = true;
    return true;
  }
  int64_t n = std::max<int64_t>(0, static_cast<int64_t>(count));
  std::vector<double> v(n);
  for (int64_t i = 0; i < n; ++i)
    v[i] = start + i * delta;
  im.defineConstant(0, tensorFromDoubles(s.dtype, {n}, v));
  return true;
}

bool foldUnaryMath(Importer &im, StringRef op) {
  const HostTensor &x = *im.constInput(0);
  std::vector<double> v = tensorDoubles(x);
  for (double &e : v)
    e = op == "Neg" ? -e : op == "Sqrt" ? std::sqrt(e)
        : op == "Relu" ? std::max(0.0, e) : op == "Floor" ? std::floor(e)
        : op == "Ceil" ? std::ceil(e) : std::fabs(e);
  HostTensor out = tensorFromDoubles(x.dtype, x.shape, v);
  out.name = x.name;
  im.defineConstant(0, std::move(out));
  return true;
}

bool foldTranspose(Importer &im) {
  const HostTensor &x = *im.constInput(0);
  std::vector<int64_t> perm;
  if (auto p = im.attrInts("perm"))
    perm = *p;
  else
    for (int64_t i = x.shape.size() - 1; i >= 0; --i)
      perm.push_back(i);
  std::vector<bool> seen(x.shape.size(), false);
  if (perm.size() != x.shape.size())
    return false;
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(seen.size()) || seen[p])
      return false; // The converter reports it.
    seen[p] = true;
  }
  im.defineConstant(0, permuteTensor(x, perm));
  return true;
}

} // namespace

bool onnx_import::foldOnnxNode(Importer &im, bool &failedOut) {
  StringRef op = im.node->op_type();
  if (op == "Shape")
    return foldShape(im, failedOut);
  if (op == "Size") {
    OnnxValue *x = im.input(0);
    if (!x) {
      failedOut = true;
      return true;
    }
    im.defineConstant(0, tensorFromInts(DType::I64, {}, {numElements(x->shape)}));
    return true;
  }
  // A folder reads its required inputs without looking: check them here
  // (the fuzzer found a two-input Range).
  int required = llvm::StringSwitch<int>(op)
                     .Cases({"Add", "Sub", "Mul", "Div", "Equal", "Less",
                             "Greater", "Gather"},
                            2)
                     .Cases({"Where", "Slice", "Range"}, 3)
                     .Cases({"Concat", "Cast", "ConstantOfShape", "Neg", "Sqrt",
                             "Relu", "Floor", "Ceil", "Abs", "Transpose",
                             "Identity"},
                            1)
                     .Default(0);
  // Slice takes starts and ends as attributes before opset 10.
  if (op == "Slice" && im.opset < 10)
    required = 1;
  for (int i = 0; i < required; ++i)
    if (!im.hasInput(i)) {
      im.fail() << "input " << i << " is missing (" << op << " takes at least "
                << required << ")";
      failedOut = true;
      return true;
    }
  // Everything else folds only if all present inputs are constants.
  bool any = false;
  for (int i = 0; i < im.numInputs(); ++i) {
    if (!im.hasInput(i))
      continue;
    any = true;
    if (!im.constInput(i))
      return false;
  }
  if (!any)
    return false;
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" ||
      op == "Equal" || op == "Less" || op == "Greater" || op == "Where")
    return foldElementwise(im, op, failedOut);
  // Two-input Max/Min of constants (exporters clamp shape values with them).
  if ((op == "Max" || op == "Min") && im.numInputs() == 2 &&
      im.hasInput(0) && im.hasInput(1))
    return foldElementwise(im, op, failedOut);
  if (op == "Gather")
    return foldGather(im, failedOut);
  if (op == "Slice")
    return foldSlice(im, failedOut);
  if (op == "Concat")
    return foldConcat(im, failedOut);
  if (op == "Cast")
    return foldCast(im, failedOut);
  if (op == "ConstantOfShape")
    return foldConstantOfShape(im, failedOut);
  if (op == "Range")
    return foldRange(im, failedOut);
  if (op == "Neg" || op == "Sqrt" || op == "Relu" || op == "Floor" ||
      op == "Ceil" || op == "Abs")
    return foldUnaryMath(im, op);
  if (op == "Transpose")
    return foldTranspose(im);
  if (op == "Identity") {
    im.define(0, *im.input(0));
    return true;
  }
  return false;
}
