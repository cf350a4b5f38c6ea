//===- Passes.h - Mote calibration and quantization passes ------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_QUANT_PASSES_H
#define MOTE_QUANT_PASSES_H

#include "Mote/MoteDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mote {

/// The discardable attribute that carries a calibrated range [lo, hi].
constexpr const char *kCalibAttr = "mote.calib";

#define GEN_PASS_DECL
#include "mote/Quant/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "mote/Quant/Passes.h.inc"

namespace quant {
struct SynthesisLayerReport;
struct QuantizeSummary;
} // namespace quant

/// --mote-quantize that hands its summary (ops in integers, ops kept in
/// float, refinement figures) to the caller instead of emitting remarks.
std::unique_ptr<mlir::Pass>
createMoteQuantizePass(const MoteQuantizeOptions &options,
                       quant::QuantizeSummary *sink);

/// --mote-quant-synthesis that also hands its per-layer report to the
/// caller (motec's --report) in memory: `*sink` receives one entry per
/// layer, in block order.
std::unique_ptr<mlir::Pass>
createMoteQuantSynthesisPass(const MoteQuantSynthesisOptions &options,
                             std::vector<quant::SynthesisLayerReport> *sink);

} // namespace mote

#endif // MOTE_QUANT_PASSES_H
