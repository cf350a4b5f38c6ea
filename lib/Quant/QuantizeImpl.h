//===- QuantizeImpl.h - The quantizer's internal pieces ---------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Shared by the rewrite of one function (QuantizeFunction.cpp), the
// teacher-guided refinements (QuantizeRefinement.cpp) and the entry point
// (Quantize.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_LIB_QUANT_QUANTIZEIMPL_H
#define MOTE_LIB_QUANT_QUANTIZEIMPL_H

#include "mote/Numerics/Numerics.h"
#include "mote/Quant/Calibration.h"
#include "mote/Quant/CalibrationData.h"
#include "mote/Quant/Quantize.h"
#include "mote/Quant/Refinement.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "llvm/ADT/DenseMap.h"

#include <optional>
#include <vector>

namespace llvm {
class ThreadPoolInterface;
} // namespace llvm

namespace mote::quant {

/// Narrowest real range a tensor gets, so that a constant-zero tensor still
/// has a positive scale and sane requantization ratios.
constexpr double kMinRangeWidth = 1e-6;

/// Quantization rules that do not depend on the IR.
struct Rules {
  bool asymmetric = true;
  bool perChannel = true;

  /// Per-tensor activation type for the real range `r` with `bits` bits:
  /// unsigned storage for a non-negative range, else signed; asymmetric with
  /// real 0 exactly representable, or symmetric (zp 0).
  mlir::quant::UniformQuantizedType
  activationType(mlir::MLIRContext *ctx, Range r, unsigned bits) const {
    double lo = std::min(r.lo, 0.0), hi = std::max(r.hi, 0.0);
    if (hi - lo < kMinRangeWidth) {
      if (lo < 0.0)
        lo = hi - kMinRangeWidth;
      else
        hi = lo + kMinRangeWidth;
    }
    mlir::Type f32 = mlir::Float32Type::get(ctx);
    mlir::Type storage = mlir::IntegerType::get(ctx, bits);
    if (lo >= 0.0) {
      int64_t qmax = numerics::storageMax(bits, false);
      double scale = printedScale(hi / qmax);
      return mlir::quant::UniformQuantizedType::get(0, storage, f32, scale, 0,
                                                    0, qmax);
    }
    int64_t qmin = numerics::storageMin(bits, true);
    int64_t qmax = numerics::storageMax(bits, true);
    double scale;
    int64_t zp = 0;
    if (asymmetric) {
      scale = printedScale((hi - lo) / double(qmax - qmin));
      zp = numerics::saturate(
          qmin + static_cast<int64_t>(numerics::roundHalfEven(-lo / scale)),
          qmin, qmax);
    } else {
      scale = printedScale(std::max(-lo, hi) / qmax);
    }
    return mlir::quant::UniformQuantizedType::get(
        mlir::quant::QuantizationFlags::Signed, storage, f32, scale, zp, qmin,
        qmax);
  }
};

/// The float payload of a float `mote.constant`, if `v` is one.
std::optional<std::vector<float>> constantFloats(mlir::Value v);

/// What the refinements need: which are on, their knobs, and the float
/// teacher's input statistics of every conv2d / fully_connected.
struct Refinement {
  bool weightSearch = false, biasCorrection = false, adaround = false;
  ScaleSearchOptions search;
  unsigned adaroundPasses = 4;
  llvm::DenseMap<mlir::Operation *, LayerStatistics> teacher;
  /// Σ over refined channels of the output error dᵀ G d with plain
  /// round-to-nearest max-scaled weights, after refinement, and of the
  /// float output energy wᵀ G w, for the summary line.
  double baseError = 0.0, refinedError = 0.0, energy = 0.0;
  unsigned layers = 0, flips = 0, skippedLayers = 0;
  /// Workers for the channels of a layer (null: one thread).
  llvm::ThreadPoolInterface *pool = nullptr;

  bool any() const { return weightSearch || biasCorrection || adaround; }
};

/// Refines the quantized weights of `op` (weights [O, ...] per output
/// channel along axis 0, or one scale if `perChannel` is false): writes
/// the chosen scales and storage values and, with bias correction, the

/// Runs the float teacher over the calibration data and collects the input
/// statistics of every conv2d / fully_connected with float weights into
/// `r`; `teacherFn` is the function they belong to. Turns the refinements
/// off when none is on or, by default, without data.
mlir::LogicalResult prepareRefinement(mlir::ModuleOp module,
                                      const QuantizeConfig &config,
                                      Refinement &r,
                                      mlir::func::FuncOp &teacherFn);

/// Refines the quantized weights of one layer (weights [O, ...] per output
/// channel along axis 0, or one scale if `perChannel` is false): writes the
/// chosen scales and storage values and, with bias correction, the
/// corrected float bias. `scales` comes in as the max-based scales.
void refineWeights(Refinement &r, const LayerStatistics &stats,
                   llvm::ArrayRef<float> weights, int64_t outChannels,
                   bool perChannel, int64_t qmax,
                   llvm::SmallVectorImpl<double> &scales,
                   std::vector<int64_t> &storage, std::vector<float> *bias);

/// Rewrites one calibrated float function into quantized IR in place;
/// `refinement` is set for the teacher's function when refinements are on.
mlir::LogicalResult quantizeFunction(mlir::func::FuncOp fn, const Rules &rules,
                                     const PrecisionPlan &plan,
                                     Precision defaults, bool useLut,
                                     Refinement *refinement,
                                     QuantizeSummary &summary);

} // namespace mote::quant

#endif // MOTE_LIB_QUANT_QUANTIZEIMPL_H
