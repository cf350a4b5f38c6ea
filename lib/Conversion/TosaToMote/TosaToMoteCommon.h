//===- TosaToMoteCommon.h - Shared helpers of the TOSA conversion -*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The TOSA → mote patterns convert a graph in dataflow order: a pattern
// fires only once every tensor operand it computes on is already a mote
// value, because the scale it assigns to its result (for plain-integer
// TOSA) derives from its operands' scales. Constant operands that only
// parameterise an op (zero points, multipliers, shifts, shapes) are read
// from their attributes and never converted.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_LIB_CONVERSION_TOSATOMOTE_TOSATOMOTECOMMON_H
#define MOTE_LIB_CONVERSION_TOSATOMOTE_TOSATOMOTECOMMON_H

#include "mote/Numerics/Numerics.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/DenseMap.h"
#include <optional>
#include <string>
#include <vector>

namespace mote::tosa_to_mote {

/// State shared by the patterns of one pass run: options and, for every op
/// a pattern declined, why, so that the pass can name the reason when the
/// op is left over.
struct ConversionState {
  bool strictRounding = false;
  llvm::DenseMap<mlir::Operation *, std::string> reasons;
};

/// Base of every TOSA → mote pattern: records match failures with reasons.
template <typename OpTy>
struct TosaPattern : mlir::OpRewritePattern<OpTy> {
  TosaPattern(mlir::MLIRContext *context, ConversionState &state,
              mlir::PatternBenefit benefit = 1)
      : mlir::OpRewritePattern<OpTy>(context, benefit), state(state) {}

  /// Records `reason` as the reason `op` is not converted and fails.
  mlir::LogicalResult fail(mlir::Operation *op, const llvm::Twine &reason) const {
    state.reasons[op] = reason.str();
    return mlir::failure();
  }

  ConversionState &state;
};

/// True once `value` is a mote value: a block argument of a mote tensor
/// type (f32 or quantized) or the result of a mote op.
bool isConverted(mlir::Value value);
bool allConverted(mlir::ValueRange values);

/// The ranked tensor type of `value` (null if it has another type).
mlir::RankedTensorType getTensorType(mlir::Value value);

/// True for a tensor of f32 elements; false for any other element type.
bool isF32Tensor(mlir::Type type);

/// Reads a constant (tosa.const, tosa.const_shape, mote.constant) as
/// integers, sign-extended unless `isUnsigned`.
std::optional<std::vector<int64_t>> getConstInts(mlir::Value value,
                                                 bool isUnsigned = false);
/// Reads an f32 constant (tosa.const or mote.constant).
std::optional<std::vector<float>> getConstFloats(mlir::Value value);
/// True if `value` is a constant of any kind.
bool isConstant(mlir::Value value);

/// Reads a zero-point operand (a one-element constant, integer or float)
/// as an integer; std::nullopt if it is not constant or a fractional float.
std::optional<int64_t> getZeroPoint(mlir::Value value, bool isUnsigned = false);

/// A per-tensor uniform quantized element type with `bits`-bit storage.
mlir::quant::UniformQuantizedType
makeQuantType(mlir::MLIRContext *context, unsigned bits, bool isSigned,
              double scale, int64_t zeroPoint, bool narrow = false);

/// A quantized element type with one scale per slice of `axis`, or a
/// per-tensor type if every scale and zero point is the same.
mlir::Type makeQuantTypeForScales(mlir::MLIRContext *context, unsigned bits,
                                  bool isSigned, llvm::ArrayRef<double> scales,
                                  llvm::ArrayRef<int64_t> zeroPoints,
                                  int32_t axis);

/// Normalises a TOSA rescale multiplier/shift to mote's form (M in
/// [2^30, 2^31), S in [1, 62]) without changing the ratio it stands for.
std::optional<numerics::ScaleMultiplier> normalizeMultiplier(int64_t multiplier,
                                                             int64_t shift);

/// True if mote, recomputing the multiplier for `ratio` with
/// numerics::computeScaleMultiplier, obtains exactly `expected`.
bool reproducesMultiplier(double ratio, numerics::ScaleMultiplier expected);

/// Permutes row-major data of `shape`: out dim i is in dim perms[i].
template <typename T>
std::vector<T> transposeData(llvm::ArrayRef<T> data,
                           llvm::ArrayRef<int64_t> shape,
                           llvm::ArrayRef<int64_t> perms,
                           llvm::SmallVectorImpl<int64_t> &outShape) {
  int64_t rank = shape.size();
  outShape.clear();
  for (int64_t p : perms)
    outShape.push_back(shape[p]);
  llvm::SmallVector<int64_t> inStrides(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d)
    inStrides[d] = inStrides[d + 1] * shape[d + 1];
  std::vector<T> out(data.size());
  llvm::SmallVector<int64_t> index(rank, 0);
  for (size_t i = 0; i < out.size(); ++i) {
    int64_t offset = 0;
    for (int64_t d = 0; d < rank; ++d)
      offset += index[d] * inStrides[perms[d]];
    out[i] = data[offset];
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < outShape[d])
        break;
      index[d] = 0;
    }
  }
  return out;
}

/// Formats a scale for diagnostics ("%g").
std::string formatScale(double scale);

/// Populate functions, one per op family.
void populateConstantPatterns(mlir::RewritePatternSet &patterns,
                              ConversionState &state);
void populateProductPatterns(mlir::RewritePatternSet &patterns,
                             ConversionState &state);
void populateRescalePatterns(mlir::RewritePatternSet &patterns,
                             ConversionState &state);
void populateElementwisePatterns(mlir::RewritePatternSet &patterns,
                                 ConversionState &state);
/// torch-mlir's float dequantize/quantize chains → mote.(de)quantize.
void populateFloatQuantPatterns(mlir::RewritePatternSet &patterns,
                                ConversionState &state);
void populatePoolingPatterns(mlir::RewritePatternSet &patterns,
                             ConversionState &state);
void populateDataMovementPatterns(mlir::RewritePatternSet &patterns,
                                  ConversionState &state);
/// Mote-level cleanups run after conversion (transpose sinking).
void populateLayoutCleanupPatterns(mlir::RewritePatternSet &patterns);

} // namespace mote::tosa_to_mote

#endif // MOTE_LIB_CONVERSION_TOSATOMOTE_TOSATOMOTECOMMON_H
