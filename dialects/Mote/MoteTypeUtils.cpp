//===- MoteTypeUtils.cpp - Shape and quantized-type helpers ---------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#include "Mote/MoteTypeUtils.h"

#include "llvm/Support/raw_ostream.h"
#include <cmath>

using namespace mlir;

namespace mote {

bool isQuantizedElement(Type elementType) {
  return isa<quant::UniformQuantizedType, quant::UniformQuantizedPerAxisType>(
      elementType);
}

bool isQuantizedTensor(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  return shaped && isQuantizedElement(shaped.getElementType());
}

std::optional<QuantParams> getQuantParams(Type type) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    type = shaped.getElementType();
  auto qtype = dyn_cast<quant::QuantizedType>(type);
  if (!qtype)
    return std::nullopt;
  QuantParams params;
  params.storageBits = qtype.getStorageTypeIntegralWidth();
  params.isSigned = qtype.isSigned();
  params.storageMin = qtype.getStorageTypeMin();
  params.storageMax = qtype.getStorageTypeMax();
  if (auto uniform = dyn_cast<quant::UniformQuantizedType>(qtype)) {
    params.scales.push_back(uniform.getScale());
    params.zeroPoints.push_back(uniform.getZeroPoint());
    return params;
  }
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(qtype)) {
    params.scales.assign(perAxis.getScales().begin(),
                         perAxis.getScales().end());
    params.zeroPoints.assign(perAxis.getZeroPoints().begin(),
                             perAxis.getZeroPoints().end());
    params.axis = perAxis.getQuantizedDimension();
    return params;
  }
  return std::nullopt;
}

Type getStorageElementType(Type elementType) {
  if (auto qtype = dyn_cast<quant::QuantizedType>(elementType))
    return qtype.getStorageType();
  return elementType;
}

RankedTensorType getStorageTensorType(RankedTensorType type) {
  return type.clone(getStorageElementType(type.getElementType()));
}

int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                         int64_t dilation, int64_t padLo, int64_t padHi,
                         bool ceilMode) {
  if (stride <= 0 || dilation <= 0 || kernel <= 0)
    return -1;
  int64_t effKernel = dilation * (kernel - 1) + 1;
  int64_t span = in + padLo + padHi - effKernel;
  if (span < 0)
    return -1;
  if (!ceilMode)
    return span / stride + 1;
  int64_t out = (span + stride - 1) / stride + 1;
  // The last window must start inside the input or its low padding.
  if ((out - 1) * stride >= in + padLo)
    --out;
  return out;
}

std::optional<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> a,
                                                    ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return std::nullopt;
    result[i] = da == 1 ? db : da;
  }
  return result;
}

std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  if (shape.empty())
    os << "scalar";
  llvm::interleave(shape, os, "x");
  return text;
}

bool scalesMatch(double a, double b) {
  return std::fabs(a - b) <= 1e-5 * std::max(std::fabs(a), std::fabs(b));
}

} // namespace mote

std::string mote::locationName(mlir::Location loc) {
  if (auto name = mlir::dyn_cast<mlir::NameLoc>(loc))
    return name.getName().str();
  if (auto fused = mlir::dyn_cast<mlir::FusedLoc>(loc))
    for (mlir::Location inner : fused.getLocations())
      if (std::string n = locationName(inner); !n.empty())
        return n;
  if (auto call = mlir::dyn_cast<mlir::CallSiteLoc>(loc))
    return locationName(call.getCallee());
  return "";
}

