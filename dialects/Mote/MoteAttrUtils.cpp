//===- MoteAttrUtils.cpp - Reading and writing constant tensors ------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#include "Mote/MoteAttrUtils.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>

using namespace mlir;

namespace mote {

std::optional<std::vector<float>> readFloatElements(Attribute attr) {
  auto elements = dyn_cast_if_present<ElementsAttr>(attr);
  if (!elements || !elements.getElementType().isF32())
    return std::nullopt;
  int64_t count = elements.getNumElements();
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    auto values = dense.getValues<float>();
    return std::vector<float>(values.begin(), values.end());
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    ArrayRef<char> data = resource.getData();
    if (static_cast<int64_t>(data.size()) != count * 4)
      return std::nullopt;
    std::vector<float> values(count);
    std::memcpy(values.data(), data.data(), data.size());
    return values;
  }
  return std::nullopt;
}

std::optional<std::vector<int64_t>> readIntElements(Attribute attr,
                                                    bool isSigned) {
  auto elements = dyn_cast_if_present<ElementsAttr>(attr);
  if (!elements)
    return std::nullopt;
  auto intType = dyn_cast<IntegerType>(elements.getElementType());
  if (!intType)
    return std::nullopt;
  unsigned width = intType.getWidth();
  int64_t count = elements.getNumElements();
  std::vector<int64_t> values;
  values.reserve(count);
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    for (const APInt &v : dense.getValues<APInt>())
      values.push_back(isSigned ? v.getSExtValue()
                                : static_cast<int64_t>(v.getZExtValue()));
    return values;
  }
  auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
  if (!resource || width % 8 != 0)
    return std::nullopt;
  ArrayRef<char> data = resource.getData();
  unsigned bytes = width / 8;
  if (static_cast<int64_t>(data.size()) != count * bytes)
    return std::nullopt;
  for (int64_t i = 0; i < count; ++i) {
    uint64_t raw = 0;
    std::memcpy(&raw, data.data() + i * bytes, bytes); // little endian host
    if (isSigned && width < 64 && (raw >> (width - 1)) & 1)
      raw |= ~uint64_t(0) << width;
    values.push_back(static_cast<int64_t>(raw));
  }
  return values;
}

ElementsAttr makeFloatElements(RankedTensorType type, ArrayRef<float> values,
                               StringRef nameHint) {
  if (type.getNumElements() > kResourceBlobThreshold)
    return DenseResourceElementsAttr::get(
        type, nameHint,
        HeapAsmResourceBlob::allocateAndCopyInferAlign<float>(values));
  return DenseElementsAttr::get(type, values);
}

ElementsAttr makeIntElements(RankedTensorType type, ArrayRef<int64_t> values,
                             StringRef nameHint) {
  unsigned width = cast<IntegerType>(type.getElementType()).getWidth();
  if (type.getNumElements() > kResourceBlobThreshold && width % 8 == 0) {
    unsigned bytes = width / 8;
    std::vector<char> data(values.size() * bytes);
    for (size_t i = 0; i < values.size(); ++i)
      std::memcpy(data.data() + i * bytes, &values[i], bytes); // little endian
    return DenseResourceElementsAttr::get(
        type, nameHint,
        HeapAsmResourceBlob::allocateAndCopyWithAlign(data, bytes));
  }
  SmallVector<APInt> ints;
  ints.reserve(values.size());
  for (int64_t v : values)
    ints.emplace_back(width, static_cast<uint64_t>(v), /*isSigned=*/false,
                      /*implicitTrunc=*/true);
  return DenseElementsAttr::get(type, ints);
}

} // namespace mote
