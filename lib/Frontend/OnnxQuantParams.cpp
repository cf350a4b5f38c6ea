//===- OnnxQuantParams.cpp - QDQ scales and zero points -------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Reads QuantizeLinear / DequantizeLinear scales and zero points into
// !quant.uniform types, and binds a QDQ pair's value to its quantized type
// (docs/ONNX.md, "Quantized models").
//
//===----------------------------------------------------------------------===//

#include "OnnxImporterImpl.h"

#include "Mote/MoteTypeUtils.h"

#include "mlir/Dialect/Quant/IR/Quant.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mote;
using namespace mote::onnx_import;

static void storageRange(DType t, int64_t &lo, int64_t &hi) {
  switch (t) {
  case DType::I8:
    lo = -128;
    hi = 127;
    return;
  case DType::U8:
    lo = 0;
    hi = 255;
    return;
  case DType::I16:
    lo = -32768;
    hi = 32767;
    return;
  case DType::U16:
    lo = 0;
    hi = 65535;
    return;
  default:
    lo = std::numeric_limits<int32_t>::min();
    hi = std::numeric_limits<int32_t>::max();
    return;
  }
}

FailureOr<OnnxQuant> Importer::readQuant(int scaleIdx, int zpIdx, int64_t axis,
                                         int64_t rank, StringRef what,
                                         std::optional<DType> storage) {
  OnnxQuant q;
  if (scaleIdx >= 0) {
    const HostTensor *scale = constInput(scaleIdx);
    if (!scale) {
      fail() << what << " scale '"
             << (hasInput(scaleIdx) ? node->input(scaleIdx) : "")
             << "' is not a constant — scales must be initializers, Constant "
                "nodes or bound with --const NAME=FILE";
      return failure();
    }
    if (!isFloatDType(scale->dtype)) {
      fail() << what << " scale must be float, got " << dtypeName(scale->dtype);
      return failure();
    }
    q.scales = tensorDoubles(*scale);
    if (scale->shape.size() > 1 || q.scales.empty()) {
      fail() << what << " scale must be a scalar or a 1-D tensor";
      return failure();
    }
    for (double s : q.scales)
      if (!std::isfinite(s) || s <= 0 || s < 1e-30) {
        fail() << what << " scale " << s
               << " is not a positive finite number — fix the model's "
                  "quantization parameters";
        return failure();
      }
  } else {
    q.scales = {1.0};
  }
  q.storage = storage.value_or(DType::U8);
  if (hasInput(zpIdx)) {
    const HostTensor *zp = constInput(zpIdx);
    if (!zp) {
      fail() << what << " zero point '" << node->input(zpIdx)
             << "' is not a constant — zero points must be initializers, "
                "Constant nodes or bound with --const NAME=FILE";
      return failure();
    }
    if (!storage) {
      if (zp->dtype != DType::U8 && zp->dtype != DType::I8 &&
          zp->dtype != DType::I32) {
        fail() << what << " zero point has type " << dtypeName(zp->dtype)
               << "; only uint8, int8 and int32 are supported";
        return failure();
      }
      q.storage = zp->dtype;
    }
    q.zeroPoints = tensorInts(*zp);
    if (zp->shape.size() > 1) {
      fail() << what << " zero point must be a scalar or a 1-D tensor";
      return failure();
    }
  } else {
    q.zeroPoints = {0};
  }
  int64_t lo, hi;
  storageRange(q.storage, lo, hi);
  for (int64_t z : q.zeroPoints)
    if (z < lo || z > hi) {
      fail() << what << " zero point " << z << " is out of range [" << lo
             << ", " << hi << "] of " << dtypeName(q.storage);
      return failure();
    }
  size_t n = std::max(q.scales.size(), q.zeroPoints.size());
  if ((q.scales.size() != n && q.scales.size() != 1) ||
      (q.zeroPoints.size() != n && q.zeroPoints.size() != 1)) {
    fail() << what << " has " << q.scales.size() << " scales but "
           << q.zeroPoints.size() << " zero points";
    return failure();
  }
  q.scales.resize(n, q.scales[0]);
  q.zeroPoints.resize(n, q.zeroPoints[0]);
  if (n > 1) {
    if (axis < 0)
      axis += rank;
    if (axis < 0 || axis >= rank) {
      fail() << what << " axis " << axis << " is out of range for rank "
             << rank;
      return failure();
    }
    q.axis = axis;
  }
  return q;
}

Type Importer::quantType(const OnnxQuant &q, int64_t mlirAxis) {
  int64_t lo, hi;
  storageRange(q.storage, lo, hi);
  bool isSigned = q.storage == DType::I8 || q.storage == DType::I16 ||
                  q.storage == DType::I32;
  unsigned bits = dtypeSize(q.storage) * 8;
  unsigned flags = isSigned ? quant::QuantizationFlags::Signed : 0;
  Type storage = builder.getIntegerType(bits);
  Type f32 = builder.getF32Type();
  if (q.axis >= 0)
    return quant::UniformQuantizedPerAxisType::get(
        flags, storage, f32, q.scales, q.zeroPoints, mlirAxis, lo, hi);
  return quant::UniformQuantizedType::get(flags, storage, f32, q.scales[0],
                                          q.zeroPoints[0], lo, hi);
}

static bool sameQuantType(Type a, Type b) {
  auto pa = getQuantParams(a), pb = getQuantParams(b);
  if (!pa || !pb || pa->storageBits != pb->storageBits ||
      pa->isSigned != pb->isSigned || pa->axis != pb->axis ||
      pa->scales.size() != pb->scales.size() ||
      pa->zeroPoints != pb->zeroPoints)
    return false;
  for (size_t i = 0; i < pa->scales.size(); ++i)
    if (!scalesMatch(pa->scales[i], pb->scales[i]))
      return false;
  return true;
}

LogicalResult Importer::bindQuantized(OnnxValue &v, Type elementType,
                                      StringRef what) {
  if (!v.value) {
    return fail() << what << " must be a runtime tensor or an integer constant";
  }
  auto type = cast<RankedTensorType>(v.value.getType());
  Type current = type.getElementType();
  if (isa<IntegerType>(current)) {
    // A graph input whose quantized type is first known here.
    auto arg = dyn_cast<BlockArgument>(v.value);
    if (!arg || arg.getOwner()->getParentOp() != func)
      return fail() << what << " is an integer tensor that is not quantized";
    arg.setType(type.clone(elementType));
    return success();
  }
  if (!isQuantizedElement(current))
    return fail() << what << " is a float tensor but the op expects "
                  << elementType
                  << " — insert QuantizeLinear before it in the model";
  if (!sameQuantType(current, elementType))
    return fail() << what << " has type " << current
                  << " from its producer, but this op reads it as "
                  << elementType
                  << "; reinterpreting storage with other scales is not "
                     "supported";
  return success();
}
