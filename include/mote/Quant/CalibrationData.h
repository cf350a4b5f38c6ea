//===- CalibrationData.h - Calibration samples for the teacher --*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Loading calibration samples (`data=` of --mote-calibrate and
// --mote-quantize) and running the float teacher over them to collect the
// input statistics of conv / fully_connected layers.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_QUANT_CALIBRATIONDATA_H
#define MOTE_QUANT_CALIBRATIONDATA_H

#include "mote/Interp/Interpreter.h"
#include "mote/Quant/Refinement.h"
#include "mote/Support/HostTensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

#include <string>
#include <vector>

namespace mote::quant {

/// One sample: one float tensor per function argument.
using Sample = std::vector<HostTensor>;

/// The function `entry` names, else `main`, else the only non-external
/// function; emits an error prefixed with `pass` and returns null if none.
mlir::func::FuncOp findEntryFunction(mlir::ModuleOp module,
                                     llvm::StringRef entry,
                                     llvm::StringRef pass);

/// Loads `data` (FILE.npy, FILE.npz or a directory of them; see
/// docs/Quantization.md) as samples of `fn`'s arguments, at most
/// `maxSamples` (0 = all). Errors are emitted on `fn`, prefixed with `pass`.
mlir::LogicalResult loadCalibrationSamples(mlir::func::FuncOp fn,
                                           interp::Interpreter &interp,
                                           llvm::StringRef data,
                                           unsigned maxSamples,
                                           llvm::StringRef pass,
                                           std::vector<Sample> &samples);

/// Input statistics of a conv2d / fully_connected layer: one entry per
/// group (conv groups; a single one for fully_connected). Vectors are the
/// group's im2col patches laid out like the filter's [KH][KW][Cg] (padding
/// reads real 0, as the quantized conv's zero point does), or the rows of
/// a fully_connected input.
struct LayerStatistics {
  int64_t groups = 1;
  std::vector<InputStatistics> perGroup;
};

/// Runs `fn` (float) on the interpreter over `samples` and collects, for
/// every op in `layers` (conv2d or fully_connected), the mean of all its
/// input vectors and the Gram matrix of at most `maxVectors` of them,
/// spread over the samples by a fixed-seed random choice (reproducible).
mlir::LogicalResult
collectLayerStatistics(mlir::func::FuncOp fn, interp::Interpreter &interp,
                       llvm::ArrayRef<Sample> samples,
                       llvm::ArrayRef<mlir::Operation *> layers,
                       int64_t maxVectors,
                       llvm::DenseMap<mlir::Operation *, LayerStatistics> &out,
                       std::string &error,
                       const llvm::DenseSet<mlir::Operation *> *meanOnly = nullptr);

} // namespace mote::quant

#endif // MOTE_QUANT_CALIBRATIONDATA_H
