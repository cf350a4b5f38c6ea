//===- MoteAttrUtils.h - Reading and writing constant tensors ---*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Constants reach Mote as `dense<...>` or as `dense_resource<...>` blobs
// (large weights). These helpers read either form into plain vectors and
// create new constants in the form that suits their size, so that no pass
// has to care which one it was given.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_DIALECT_MOTEATTRUTILS_H
#define MOTE_DIALECT_MOTEATTRUTILS_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

namespace mote {

/// Constants with more elements than this are created as dense_resource
/// blobs, smaller ones as readable dense<...> literals.
constexpr int64_t kResourceBlobThreshold = 64;

/// Reads an f32 elements attribute (dense, splat or resource). Returns
/// std::nullopt for other element types or unreadable (elided) data.
std::optional<std::vector<float>> readFloatElements(mlir::Attribute attr);

/// Reads an integer elements attribute of any width as int64 values,
/// sign- or zero-extended as `isSigned` says.
std::optional<std::vector<int64_t>> readIntElements(mlir::Attribute attr,
                                                    bool isSigned);

/// The raw little-endian bytes of an integer elements attribute: `bytes`
/// per element of `width` bits (bits above the width clear), one element
/// for a splat. Dense literals of widths 2..64 (DenseIntOrFPElementsAttr's
/// storage) and resource blobs of whole bytes; std::nullopt otherwise.
struct RawIntElements {
  llvm::ArrayRef<char> data;
  unsigned width = 0, bytes = 0;
  int64_t count = 0;
  bool splat = false;
};
std::optional<RawIntElements> rawIntElements(mlir::Attribute attr);

namespace detail {
template <unsigned Bytes, typename Fn>
void forEachRawInt(const RawIntElements &raw, bool isSigned, Fn &fn) {
  unsigned drop = 64 - raw.width;
  int64_t stored = raw.splat ? std::min<int64_t>(raw.count, 1) : raw.count;
  const char *p = raw.data.data();
  for (int64_t i = 0; i < stored; ++i, p += Bytes) {
    uint64_t v = 0;
    std::memcpy(&v, p, Bytes); // little-endian host
    int64_t x = isSigned ? static_cast<int64_t>(v << drop) >> drop
                         : static_cast<int64_t>((v << drop) >> drop);
    if (!raw.splat)
      fn(i, x);
    else
      for (int64_t j = 0; j < raw.count; ++j)
        fn(j, x);
  }
}
} // namespace detail

/// Calls `fn(index, value)` for every element of an integer elements
/// attribute in order, values sign- or zero-extended as `isSigned` says
/// (readIntElements' values) without building an int64 vector; reads the
/// raw bytes where rawIntElements can. False if `attr` is not readable.
template <typename Fn>
bool forEachIntElement(mlir::Attribute attr, bool isSigned, Fn &&fn) {
  if (std::optional<RawIntElements> raw = rawIntElements(attr)) {
    switch (raw->bytes) {
    case 1: detail::forEachRawInt<1>(*raw, isSigned, fn); return true;
    case 2: detail::forEachRawInt<2>(*raw, isSigned, fn); return true;
    case 4: detail::forEachRawInt<4>(*raw, isSigned, fn); return true;
    case 8: detail::forEachRawInt<8>(*raw, isSigned, fn); return true;
    default: break;
    }
  }
  std::optional<std::vector<int64_t>> values = readIntElements(attr, isSigned);
  if (!values)
    return false;
  for (size_t i = 0; i < values->size(); ++i)
    fn(int64_t(i), (*values)[i]);
  return true;
}

/// Creates an f32 constant payload of `type`, as a resource blob named
/// after `nameHint` if it is large.
mlir::ElementsAttr makeFloatElements(mlir::RankedTensorType type,
                                     llvm::ArrayRef<float> values,
                                     llvm::StringRef nameHint);

/// Creates an integer constant payload of `type` (signless integer
/// elements of width 1–64), truncating each value to the width.
mlir::ElementsAttr makeIntElements(mlir::RankedTensorType type,
                                   llvm::ArrayRef<int64_t> values,
                                   llvm::StringRef nameHint);

} // namespace mote

#endif // MOTE_DIALECT_MOTEATTRUTILS_H
