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
