//===- Quantize.h - Post-training quantization as a library -----*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// What --mote-quantize does, callable in memory: the mixed-precision search
// quantizes trial plans through it without files or nested pass managers,
// and motec reads the summary back instead of parsing stderr.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_QUANT_QUANTIZE_H
#define MOTE_QUANT_QUANTIZE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"

#include <map>
#include <optional>
#include <string>

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace mote::quant {

/// Weight and activation bits of one op.
struct Precision {
  unsigned weightBits = 8, actBits = 8;
};

/// Per-layer precisions (docs/MixedPrecision.md). Keys are an op's location
/// name or its index among the function's calibrated ops; `fallback` is the
/// plan's `*` line.
struct PrecisionPlan {
  std::optional<Precision> fallback;
  llvm::StringMap<Precision> byName;
  std::map<unsigned, Precision> byIndex;

  /// Sets the precision of a plan KEY: `*`, `#N` or a location name.
  void set(llvm::StringRef key, Precision p);
};

/// Parses plan text (`KEY WEIGHT_BITS ACT_BITS` lines, `#` comments; KEY a
/// location name, `#N` or `*`). `source` names the text in errors.
mlir::LogicalResult parsePrecisionPlan(llvm::StringRef text,
                                       llvm::StringRef source,
                                       PrecisionPlan &plan, std::string &error);
/// Reads and parses a plan file.
mlir::LogicalResult readPrecisionPlan(llvm::StringRef path, PrecisionPlan &plan,
                                      std::string &error);

/// The quantizer's settings: --mote-quantize's options.
struct QuantizeConfig {
  Precision defaults;
  bool perChannel = true;
  bool asymmetric = true;
  bool useLut = true;
  /// Teacher-guided refinements. Unset: on when `data` is given, else off;
  /// set to true without `data`: an error.
  std::optional<bool> weightSearch, biasCorrection, adaround;
  std::string data;        ///< Calibration samples for the refinements.
  unsigned maxSamples = 0; ///< 0 = all.
  std::string entry;       ///< The function `data` feeds.
  unsigned threads = 0;    ///< 0 = all cores.
  unsigned searchVectors = 4096, searchSteps = 20, adaroundPasses = 4;
  double searchLowest = 0.5;
  double refineMaxGops = 4.0;
};

/// What one quantization did, for the tools to report.
struct QuantizeSummary {
  unsigned integerOps = 0;
  /// Ops kept in float, as `name@location`.
  llvm::SmallVector<std::string> keptInFloat;
  /// Refinements that ran (weight-search, adaround, bias-correction).
  llvm::SmallVector<std::string> refinements;
  unsigned refinedLayers = 0, roundingFlips = 0, cappedLayers = 0;
  /// Output error relative to the float outputs' energy on the sampled
  /// teacher inputs, summed over the refined layers: plain rounding, then
  /// refined.
  double baseError = 0, refinedError = 0;

  /// The `quantize:` line and, after refinements, the `refine:` line.
  void print(llvm::raw_ostream &os) const;
};

/// Quantizes every function of `module` (calibrated by --mote-calibrate)
/// in place. Errors are emitted as diagnostics on the IR.
mlir::LogicalResult quantizeModule(mlir::ModuleOp module,
                                   const QuantizeConfig &config,
                                   const PrecisionPlan &plan,
                                   QuantizeSummary *summary = nullptr);

} // namespace mote::quant

#endif // MOTE_QUANT_QUANTIZE_H
