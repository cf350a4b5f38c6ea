//===- MoteAttrUtils.cpp - Reading and writing constant tensors ------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#include "Mote/MoteAttrUtils.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <algorithm>
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

std::optional<RawIntElements> rawIntElements(Attribute attr) {
  auto elements = dyn_cast_if_present<ElementsAttr>(attr);
  if (!elements)
    return std::nullopt;
  auto intType = dyn_cast<IntegerType>(elements.getElementType());
  if (!intType)
    return std::nullopt;
  RawIntElements raw;
  raw.width = intType.getWidth();
  raw.bytes = (raw.width + 7) / 8;
  raw.count = elements.getNumElements();
  if (raw.width < 2 || raw.width > 64 ||
      (raw.bytes != 1 && raw.bytes != 2 && raw.bytes != 4 && raw.bytes != 8))
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    // Widths 2..64 are stored one element per whole number of bytes, the
    // bits above the width clear (i1 is bit-packed).
    raw.data = dense.getRawData();
    raw.splat = dense.isSplat();
  } else if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    if (raw.width % 8 != 0)
      return std::nullopt;
    raw.data = resource.getData();
  } else {
    return std::nullopt;
  }
  if (raw.data.size() != (raw.splat ? 1 : size_t(raw.count)) * raw.bytes)
    return std::nullopt;
  return raw;
}

std::optional<std::vector<int64_t>> readIntElements(Attribute attr,
                                                    bool isSigned) {
  auto elements = dyn_cast_if_present<ElementsAttr>(attr);
  if (!elements || !isa<IntegerType>(elements.getElementType()))
    return std::nullopt;
  std::vector<int64_t> values;
  // The raw bytes where they can be read (the NPU lowering reads every
  // weight digit plane several times), else an APInt per element.
  if (rawIntElements(attr)) {
    values.resize(elements.getNumElements());
    forEachIntElement(attr, isSigned,
                      [&](int64_t i, int64_t v) { values[i] = v; });
    return values;
  }
  int64_t count = elements.getNumElements();
  values.reserve(count);
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    for (const APInt &v : dense.getValues<APInt>())
      values.push_back(isSigned ? v.getSExtValue()
                                : static_cast<int64_t>(v.getZExtValue()));
    return values;
  }
  // A resource blob of 3, 5, 6 or 7 bytes per element.
  unsigned width = cast<IntegerType>(elements.getElementType()).getWidth();
  auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
  if (!resource || width % 8 != 0 || width > 64)
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
  if (width >= 2 && width <= 64) {
    // The raw layout DenseElementsAttr::get would build from APInts (one
    // element per whole number of bytes, bits above the width clear; a
    // buffer of equal elements is uniqued as a splat either way), without
    // an APInt per element.
    unsigned bytes = (width + 7) / 8;
    uint64_t mask = width == 64 ? ~uint64_t(0) : (uint64_t(1) << width) - 1;
    std::vector<char> data(values.size() * bytes);
    for (size_t i = 0; i < values.size(); ++i) {
      uint64_t v = static_cast<uint64_t>(values[i]) & mask;
      std::memcpy(data.data() + i * bytes, &v, bytes); // little endian
    }
    return DenseElementsAttr::getFromRawBuffer(type, data);
  }
  SmallVector<APInt> ints;
  ints.reserve(values.size());
  for (int64_t v : values)
    ints.emplace_back(width, static_cast<uint64_t>(v), /*isSigned=*/false,
                      /*implicitTrunc=*/true);
  return DenseElementsAttr::get(type, ints);
}

} // namespace mote
