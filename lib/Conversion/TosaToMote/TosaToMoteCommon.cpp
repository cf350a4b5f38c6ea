//===- TosaToMoteCommon.cpp - Shared helpers of the TOSA conversion -------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#include "TosaToMoteCommon.h"

#include "Mote/MoteAttrUtils.h"
#include "Mote/MoteDialect.h"
#include "Mote/MoteTypeUtils.h"

#include "mlir/IR/Matchers.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace mote::tosa_to_mote {

bool isConverted(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape())
    return false;
  Type element = type.getElementType();
  if (!element.isF32() && !isQuantizedElement(element))
    return false;
  if (isa<BlockArgument>(value))
    return true;
  Operation *def = value.getDefiningOp();
  return def && isa<MoteDialect>(def->getDialect());
}

bool allConverted(ValueRange values) {
  return llvm::all_of(values, [](Value v) { return isConverted(v); });
}

RankedTensorType getTensorType(Value value) {
  return dyn_cast<RankedTensorType>(value.getType());
}

bool isF32Tensor(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  return shaped && shaped.getElementType().isF32();
}

static std::optional<Attribute> constantAttr(Value value) {
  Attribute attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  return attr;
}

bool isConstant(Value value) { return constantAttr(value).has_value(); }

std::optional<std::vector<int64_t>> getConstInts(Value value, bool isUnsigned) {
  auto attr = constantAttr(value);
  if (!attr)
    return std::nullopt;
  if (auto dense = dyn_cast<DenseIntElementsAttr>(*attr)) {
    std::vector<int64_t> values;
    values.reserve(dense.getNumElements());
    for (const APInt &v : dense.getValues<APInt>())
      values.push_back(isUnsigned ? static_cast<int64_t>(v.getZExtValue())
                                  : v.getSExtValue());
    return values;
  }
  return readIntElements(*attr, !isUnsigned);
}

std::optional<std::vector<float>> getConstFloats(Value value) {
  auto attr = constantAttr(value);
  if (!attr)
    return std::nullopt;
  return readFloatElements(*attr);
}

std::optional<int64_t> getZeroPoint(Value value, bool isUnsigned) {
  if (auto floats = getConstFloats(value)) {
    if (floats->size() != 1 || (*floats)[0] != 0.0f)
      return std::nullopt;
    return 0;
  }
  auto ints = getConstInts(value, isUnsigned);
  if (!ints || ints->size() != 1)
    return std::nullopt;
  return (*ints)[0];
}

quant::UniformQuantizedType makeQuantType(MLIRContext *context, unsigned bits,
                                          bool isSigned, double scale,
                                          int64_t zeroPoint, bool narrow) {
  return quant::UniformQuantizedType::get(
      isSigned ? quant::QuantizationFlags::Signed : 0,
      IntegerType::get(context, bits), Float32Type::get(context), scale,
      zeroPoint, numerics::storageMin(bits, isSigned, narrow),
      numerics::storageMax(bits, isSigned));
}

Type makeQuantTypeForScales(MLIRContext *context, unsigned bits, bool isSigned,
                            ArrayRef<double> scales,
                            ArrayRef<int64_t> zeroPoints, int32_t axis) {
  bool uniform = llvm::all_equal(scales) && llvm::all_equal(zeroPoints);
  if (uniform)
    return makeQuantType(context, bits, isSigned, scales.front(),
                         zeroPoints.front());
  return quant::UniformQuantizedPerAxisType::get(
      isSigned ? quant::QuantizationFlags::Signed : 0,
      IntegerType::get(context, bits), Float32Type::get(context), scales,
      zeroPoints, axis, numerics::storageMin(bits, isSigned),
      numerics::storageMax(bits, isSigned));
}

std::optional<numerics::ScaleMultiplier> normalizeMultiplier(int64_t multiplier,
                                                             int64_t shift) {
  if (multiplier <= 0 || multiplier >= (int64_t(1) << 31))
    return std::nullopt;
  while (multiplier < (int64_t(1) << 30)) {
    multiplier <<= 1;
    ++shift;
  }
  if (shift < numerics::kMinShift || shift > numerics::kMaxShift)
    return std::nullopt;
  return numerics::ScaleMultiplier{static_cast<int32_t>(multiplier),
                                   static_cast<int32_t>(shift)};
}

bool reproducesMultiplier(double ratio, numerics::ScaleMultiplier expected) {
  auto got = numerics::computeScaleMultiplier(ratio);
  return got && got->multiplier == expected.multiplier &&
         got->shift == expected.shift;
}

std::string formatScale(double scale) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::format("%g", scale);
  return text;
}

} // namespace mote::tosa_to_mote
