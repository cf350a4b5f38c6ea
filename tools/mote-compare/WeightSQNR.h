//===- WeightSQNR.h - Weight SQNR of synthesis choices -------------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// mote-compare --synth-sqnr: for every conv2d / fully_connected of a float
// model with a constant weight, the weight SQNR of the quantization
// synthesis choices at equal bits, fitted per output channel on the float
// weights with lib/Quant's own fitting (Synthesis.h): uniform K·b-bit,
// residual and learned K × b-bit terms.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_TOOLS_MOTE_COMPARE_WEIGHTSQNR_H
#define MOTE_TOOLS_MOTE_COMPARE_WEIGHTSQNR_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

namespace mote::compare {

/// A terms × bits configuration, from "KxB".
struct SynthConfig {
  unsigned terms = 0, bits = 0;
};
/// Parses "KxB" (K in [1, 8], B in [1, 8]); empty on error.
std::optional<SynthConfig> parseSynthConfig(llvm::StringRef text);

/// Prints the per-layer table for each configuration and returns it as
/// JSON ({terms, bits, layers: [{name, sqnr_uniform_db, ...}]} each).
llvm::json::Array reportWeightSQNR(mlir::func::FuncOp floatFn,
                                   llvm::ArrayRef<SynthConfig> configs,
                                   llvm::raw_ostream &os);

} // namespace mote::compare

#endif // MOTE_TOOLS_MOTE_COMPARE_WEIGHTSQNR_H
