//===- MoteTypeUtils.h - Shape and quantized-type helpers -------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Shape inference and quantized-type queries shared by the verifiers, the
// builders, the importers, the interpreter and the quantizer, so that every
// part of Mote computes an output shape or reads a scale the same way.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_DIALECT_MOTETYPEUTILS_H
#define MOTE_DIALECT_MOTETYPEUTILS_H

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>
#include <string>

namespace mote {

/// Quantization parameters of a tensor element type, flattened so that
/// per-tensor and per-axis types read the same way (per-tensor: one scale,
/// axis = -1).
struct QuantParams {
  llvm::SmallVector<double, 1> scales;
  llvm::SmallVector<int64_t, 1> zeroPoints;
  int32_t axis = -1;
  unsigned storageBits = 0;
  bool isSigned = true;
  int64_t storageMin = 0;
  int64_t storageMax = 0;

  bool isPerAxis() const { return axis >= 0; }
  double scale(int64_t channel) const {
    return scales[isPerAxis() ? channel : 0];
  }
  int64_t zeroPoint(int64_t channel) const {
    return zeroPoints[isPerAxis() ? channel : 0];
  }
};

/// True for `!quant.uniform` element types (per tensor or per axis).
bool isQuantizedElement(mlir::Type elementType);
/// True if `type` is a shaped type with a quantized element type.
bool isQuantizedTensor(mlir::Type type);

/// Reads the quantization parameters of a uniform quantized element type
/// (or of the element type of a shaped type); std::nullopt for float.
std::optional<QuantParams> getQuantParams(mlir::Type type);

/// The integer type that stores a (possibly quantized) element type.
mlir::Type getStorageElementType(mlir::Type elementType);

/// The DRAM dtype (isa::ioStorage name: "i8", "u8", "i4", "i32", "f32")
/// of a tensor of `type` as a host segment reads or writes it, or "" if it
/// has none (per-axis quantized, or wider than 8 bits but not i32).
std::string dramDtypeName(mlir::Type type);

/// Rebuilds `type` (a shaped type) with its element type's storage type.
mlir::RankedTensorType getStorageTensorType(mlir::RankedTensorType type);

/// Output spatial size of a windowed op along one dimension (convolution
/// and pooling): floor or ceil of (in + padLo + padHi − effKernel) / stride
/// + 1, where effKernel = dilation·(kernel − 1) + 1. With ceil_mode a window
/// must start inside the input or the low padding (ONNX/PyTorch rule).
/// Returns a negative value if the window does not fit.
int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                         int64_t dilation, int64_t padLo, int64_t padHi,
                         bool ceilMode = false);

/// Numpy broadcast of two shapes; std::nullopt if they are incompatible.
std::optional<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b);

/// Formats a shape as "1x8x8x3" for diagnostics.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// The name of a location (a NameLoc, possibly inside a FusedLoc or a
/// CallSiteLoc): the framework node name the importer recorded, or "".
std::string locationName(mlir::Location loc);

/// Relative comparison used to check that derived scales (e.g. a bias scale
/// s_in·s_w) match: |a − b| ≤ 1e-5 · max(|a|, |b|). The tolerance absorbs the
/// f32 → f64 rounding of scales written in text.
bool scalesMatch(double a, double b);

} // namespace mote

#endif // MOTE_DIALECT_MOTETYPEUTILS_H
