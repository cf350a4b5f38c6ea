//===- motec.cpp - The Mote compiler driver -------------------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The whole pipeline in one command (DESIGN §8): import (ONNX or MLIR),
// calibrate, quantize (uniform, W4A8 or an energy-aware mixed plan),
// optionally synthesize multi-term weights, lower bit widths to the
// target's digit, lower to `npu` instructions and emit the `.mbin`. Each
// stage prints one progress line; `--emit` stops at any stage; at the end
// the simulator schedules the program and the summary gives latency,
// energy, power, host ops and a per-layer table; with `--input` it also
// runs data through the simulator (accuracy with `--labels`), and
// `--verify` holds float reference, quantized reference and simulator
// against each other.
//
//===----------------------------------------------------------------------===//

#include "Motec.h"

#include "mote/InitAllDialects.h"
#include "mote/InitAllPasses.h"
#include "mote/Tools/ToolSupport.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"

using namespace mote::motec;
namespace cl = llvm::cl;

static cl::OptionCategory category("motec options");

static cl::opt<std::string> modelPath(cl::Positional, cl::Required,
                                      cl::desc("<model.onnx|model.mlir>"),
                                      cl::cat(category));
static cl::opt<std::string>
    outputPath("o", cl::desc("Output file (.mbin; .masm / .mlir by --emit)"),
               cl::value_desc("FILE"), cl::cat(category));
static cl::opt<std::string>
    target("target", cl::desc("Target: a shipped name (mote-target --list) "
                              "or a description file"),
           cl::value_desc("NAME|FILE.json"), cl::init("mote-default"),
           cl::cat(category));
static cl::opt<std::string> precision(
    "precision",
    cl::desc("int8, int4, w4a8 (4-bit weights, 8-bit activations) or mixed "
             "(energy-aware per-layer search under --budget)"),
    cl::init("int8"), cl::cat(category));
static cl::opt<std::string> calib(
    "calib",
    cl::desc("Calibration data in the model's input layout: FILE.npy (a "
             "batch), FILE.npz or a directory of .npy files"),
    cl::value_desc("DIR|FILE.npy|FILE.npz"), cl::cat(category));
static cl::opt<std::string>
    synth("synth",
          cl::desc("Multi-term weight synthesis: pow2 (exact bit slicing), "
                   "learned (least squares) or residual (greedy)"),
          cl::cat(category));
static cl::opt<unsigned> synthTerms("synth-terms",
                                    cl::desc("Terms per weight (--synth)"),
                                    cl::init(2), cl::cat(category));
static cl::opt<unsigned> synthBits("synth-bits",
                                   cl::desc("Bits per term (--synth)"),
                                   cl::init(4), cl::cat(category));
static cl::opt<double> synthMinGainDb(
    "synth-min-gain-db",
    cl::desc("--synth learned: use learned terms for a layer only where their "
             "weight SQNR beats uniform (terms x bits)-bit quantization by "
             "this many dB (else pow2 terms)"),
    cl::init(1.0), cl::cat(category));
static cl::opt<std::string>
    plan("plan", cl::desc("Per-layer precision plan (as written by "
                          "--precision=mixed; editable)"),
         cl::value_desc("FILE"), cl::cat(category));
static cl::opt<double> budget(
    "budget",
    cl::desc("--precision=mixed: allowed top-1 loss in points vs int8, "
             "measured on the calibration data"),
    cl::init(0.5), cl::cat(category));
static cl::opt<std::string> emit(
    "emit",
    cl::desc("Stop after a stage and write it: mote (quantized, bit-lowered "
             "IR), npu (instruction IR), asm (.masm text), mbin (default)"),
    cl::init("mbin"), cl::cat(category));
static cl::opt<std::string>
    reportPath("report", cl::desc("Write every figure as JSON"),
               cl::value_desc("FILE.json"), cl::cat(category));
static cl::list<std::string> inputSpecs(
    "input",
    cl::desc("Run these inputs through the simulator after compiling: "
             "[NAME=]FILE.npy|.pb|.npz, a leading dimension k times the "
             "model's holds k samples"),
    cl::value_desc("[NAME=]FILE"), cl::cat(category));
static cl::opt<std::string>
    labels("labels",
           cl::desc("Integer class labels (.npy) for the --input samples: "
                    "report top-1 accuracy"),
           cl::value_desc("FILE.npy"), cl::cat(category));
static cl::opt<bool> verify(
    "verify",
    cl::desc("With --input: run the float reference, the quantized reference "
             "(interpreter) and the simulator and print their agreement"),
    cl::cat(category));
static cl::opt<std::string>
    outputDir("output-dir",
              cl::desc("Write the simulator's outputs for --input here"),
              cl::value_desc("DIR"), cl::cat(category));
static cl::opt<std::string> hostOps(
    "host-ops",
    cl::desc("Ops the chip cannot run: 'allow' (default) keeps them on the "
             "host where they stand, with a warning naming each; 'error' "
             "refuses the model"),
    cl::value_desc("allow|error"), cl::init("allow"), cl::cat(category));
static cl::opt<std::string> weights(
    "weights",
    cl::desc("Where the weights live: 'auto' (default) keeps them resident "
             "in the weight buffer when they fit, 'resident' requires it "
             "(loaded once per program load, reported as program_load), "
             "'stream' loads them per layer, per inference"),
    cl::value_desc("auto|resident|stream"), cl::init("auto"),
    cl::cat(category));
static cl::opt<std::string> activations(
    "activations",
    cl::desc("Where the activations live between layers: 'auto' (default) "
             "keeps every tensor only NPU layers touch in the activation "
             "buffer when it fits (model inputs, outputs and host-segment "
             "tensors stay in DRAM); 'dram' passes every one through DRAM"),
    cl::value_desc("auto|dram"), cl::init("auto"), cl::cat(category));
static cl::opt<bool> quiet("quiet", cl::desc("Only errors and the summary"),
                           cl::cat(category));
static cl::opt<bool> noSummary("no-summary",
                               cl::desc("Do not print the summary"),
                               cl::cat(category));

int main(int argc, char **argv) {
  llvm::InitLLVM y(argc, argv);
  mote::tools::keepFreedMemory();
  cl::opt<int> *threads = mote::tools::adoptThreadsOption(
      category, "Worker threads for calibration, quantization, references "
                "and the simulator (0 = all cores; the output does not "
                "depend on it)");
  cl::list<std::string> &inputShapes = mote::tools::inputShapeOption(category);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "motec: compile a model for the Mote NPU\n\n"
      "Takes a float ONNX or mote/TOSA-derived MLIR model (or an already "
      "quantized one) through: import -> calibrate -> quantize [-> synthesize] "
      "-> bit-width lowering to the target's digit -> NPU lowering (layer "
      "fusion, tiling, DRAM planning, weight packing, double buffering) -> "
      ".mbin, and prints the simulator's latency, energy and power.\n\n"
      "  motec model.onnx --calib calib.npy -o model.mbin\n"
      "  motec model.onnx --calib calib.npy --precision w4a8 --target mote-d2 "
      "-o m.mbin\n"
      "  motec model.onnx --calib calib.npy --precision mixed --budget 0.5 "
      "-o m.mbin   (writes m.plan)\n"
      "  motec model.onnx --calib calib.npy --input test.npy --labels "
      "labels.npy --verify -o m.mbin\n"
      "  motec model.onnx --calib calib.npy --emit asm -o m.masm\n\n"
      "Run the result with `mote-sim m.mbin --input x.npy`.\n");

  Options opts;
  opts.modelPath = modelPath;
  opts.outputPath = outputPath;
  opts.target = target;
  opts.precision = precision;
  opts.calib = calib;
  opts.synth = synth;
  opts.synthTerms = synthTerms;
  opts.synthBits = synthBits;
  opts.synthMinGainDb = synthMinGainDb;
  opts.plan = plan;
  opts.budget = budget;
  opts.emit = emit;
  opts.reportPath = reportPath;
  opts.inputSpecs.assign(inputSpecs.begin(), inputSpecs.end());
  opts.labels = labels;
  opts.verify = verify;
  opts.outputDir = outputDir;
  opts.quiet = quiet;
  if (hostOps != "allow" && hostOps != "error") {
    llvm::WithColor::error(llvm::errs(), "motec")
        << "--host-ops must be 'allow' or 'error', got '" << hostOps << "'\n";
    return 1;
  }
  opts.hostOps = hostOps;
  if (weights != "auto" && weights != "resident" && weights != "stream") {
    llvm::WithColor::error(llvm::errs(), "motec")
        << "--weights must be 'auto', 'resident' or 'stream', got '"
        << weights << "'\n";
    return 1;
  }
  opts.weights = weights;
  if (activations != "auto" && activations != "dram") {
    llvm::WithColor::error(llvm::errs(), "motec")
        << "--activations must be 'auto' or 'dram', got '" << activations
        << "'\n";
    return 1;
  }
  opts.activations = activations;
  opts.summary = !noSummary;
  if (threads && *threads < 0) {
    llvm::WithColor::error(llvm::errs(), "motec") << "--threads must be >= 0\n";
    return 1;
  }
  opts.threads = threads ? static_cast<unsigned>(threads->getValue()) : 0;
  {
    mote::OnnxImportOptions shapes;
    std::string error =
        mote::tools::parseInputShapes(inputShapes, modelPath, shapes);
    if (!error.empty()) {
      llvm::WithColor::error(llvm::errs(), "motec") << error << "\n";
      return 1;
    }
    opts.inputShapes = std::move(shapes.inputShapes);
  }

  mlir::DialectRegistry registry;
  mote::registerAllDialects(registry);
  mote::registerAllPasses();
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();
  if (llvm::Error e = runMotec(opts, context)) {
    llvm::WithColor::error(llvm::errs(), "motec") << llvm::toString(std::move(e))
                                                  << "\n";
    return 1;
  }
  return 0;
}
