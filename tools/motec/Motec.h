//===- Motec.h - The Mote compiler driver's stages --------------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// motec's options and its stages: Pipeline.cpp compiles (import ->
// quantize -> lower -> emit), Evaluate.cpp runs the references and the
// simulator and writes the summary and the JSON report.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_TOOLS_MOTEC_MOTEC_H
#define MOTE_TOOLS_MOTEC_MOTEC_H

#include "mote/ISA/Program.h"
#include "mote/Quant/Synthesis.h"
#include "mote/Support/HostTensor.h"
#include "mote/Target/TargetDescription.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <map>
#include <string>
#include <vector>

namespace mote::motec {

struct Options {
  std::string modelPath, outputPath, target = "mote-default";
  std::string precision = "int8", calib, synth, plan;
  unsigned synthTerms = 2, synthBits = 4;
  /// mote-quant-synthesis min-gain-db (learned only).
  double synthMinGainDb = 1.0;
  double budget = 0.5;
  std::string emit = "mbin", reportPath;
  std::vector<std::string> inputSpecs;
  std::string labels, outputDir;
  bool verify = false, quiet = false, summary = true;
  std::string hostOps = "allow"; ///< --host-ops=allow|error.
  std::string weights = "auto";  ///< --weights=auto|resident|stream.
  std::string activations = "auto"; ///< --activations=auto|dram.
  unsigned threads = 0;
  /// --input-shape, parsed (ONNX models only).
  std::map<std::string, std::vector<int64_t>> inputShapes;
};

/// What the compile stages leave for evaluation and the report.
struct Compiled {
  TargetDescription target;
  /// The float model as imported (for --verify), null if it was quantized.
  mlir::OwningOpRef<mlir::ModuleOp> floatModule;
  /// The quantized, bit-lowered model (the interpreter's reference).
  mlir::OwningOpRef<mlir::ModuleOp> quantModule;
  isa::Program program;
  std::string planPath; ///< Written by --precision=mixed.
  llvm::json::Array stages; ///< {name, seconds} per stage.
  /// --synth: every layer's weight SQNR of each choice and the choice.
  std::vector<quant::SynthesisLayerReport> synthesisLayers;
};

/// Runs the stages motec's options ask for; writes the output file.
/// Returns false in `done` when --emit stopped before the program exists.
llvm::Error compile(const Options &opts, mlir::MLIRContext &context,
                    Compiled &out, bool &haveProgram);

/// Simulates, evaluates --input/--labels/--verify, prints the summary and
/// writes --report.
llvm::Error evaluate(const Options &opts, Compiled &compiled);

/// compile + evaluate.
llvm::Error runMotec(const Options &opts, mlir::MLIRContext &context);

/// The mixed-precision search pass pipeline (module level, no anchor).
std::string mixedPrecisionPipeline(llvm::StringRef calib, llvm::StringRef target,
                                   double budget, llvm::StringRef planOut);
/// Runs the NPU lowering pipeline for `target` on a bit-lowered module.
llvm::Error lowerToNpu(mlir::ModuleOp module, llvm::StringRef target,
                       llvm::StringRef weights = "auto",
                       llvm::StringRef activations = "auto");
/// Converts the module's npu.program to an isa::Program.
llvm::Expected<isa::Program> exportProgram(mlir::ModuleOp module);

/// Progress line on stderr: "motec: [stage] message".
void progress(const Options &opts, llvm::StringRef stage,
              llvm::StringRef message);

} // namespace mote::motec

#endif // MOTE_TOOLS_MOTEC_MOTEC_H
