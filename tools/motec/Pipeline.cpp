//===- Pipeline.cpp - motec's compile stages ------------------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// import -> calibrate -> quantize (or mixed-precision search) [-> synthesis]
// -> bit-width lowering -> NPU lowering -> Program. Every stage is the same
// pass a user can run with mote-opt (the pipeline strings are printed with
// --verbose-stages), so motec adds ordering and defaults, not semantics.
//
//===----------------------------------------------------------------------===//

#include "Motec.h"

#include "Mote/MoteOps.h"
#include "mote/Quant/Passes.h"
#include "mote/Quant/RemarkStream.h"
#include "mote/Tools/ToolSupport.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace mlir;
using namespace mote::motec;

void mote::motec::progress(const Options &opts, llvm::StringRef stage,
                           llvm::StringRef message) {
  if (opts.quiet)
    return;
  llvm::errs() << "motec: [" << stage << "] " << message << "\n";
}

static llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

namespace {
/// Times one stage and records it in the report.
class StageTimer {
public:
  StageTimer(Compiled &c, llvm::StringRef name)
      : compiled(c), name(name.str()),
        start(std::chrono::steady_clock::now()) {}
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start)
        .count();
  }
  ~StageTimer() {
    compiled.stages.push_back(
        llvm::json::Object{{"stage", name}, {"seconds", seconds()}});
  }

private:
  Compiled &compiled;
  std::string name;
  std::chrono::steady_clock::time_point start;
};
} // namespace

/// Runs a textual pass pipeline (nested under builtin.module) on `module`; errors carry the stage name
/// (the passes' own diagnostics, with file and op locations, are printed).
static llvm::Error runPipeline(ModuleOp module, llvm::StringRef stage,
                               const std::string &pipeline,
                               bool showReports = true) {
  // Passes report through remarks at the module's report location (the
  // quantizer's summary, the mixed-precision search's progress): printed
  // as they come unless --quiet. Remarks on single ops (an op kept in
  // float) are left to --report and the host-op list; errors go on to the
  // default handler.
  ScopedDiagnosticHandler reports(module.getContext(), [&](Diagnostic &d) {
    if (d.getSeverity() != DiagnosticSeverity::Remark)
      return failure();
    if (showReports && mote::quant::isReportLocation(d.getLocation()))
      llvm::errs() << d.str() << "\n";
    return success();
  });
  PassManager pm(module.getContext());
  std::string errors;
  llvm::raw_string_ostream os(errors);
  if (failed(parsePassPipeline(pipeline, pm, os)))
    return fail("internal pipeline '" + pipeline + "': " + errors);
  if (failed(pm.run(module)))
    return fail(stage + " failed (see the diagnostics above)");
  return llvm::Error::success();
}

/// True when the model still computes products in float.
static bool needsQuantization(ModuleOp module) {
  bool floatProducts = false;
  module.walk([&](Operation *op) {
    if (!isa<mote::Conv2DOp, mote::FullyConnectedOp, mote::MatMulOp>(op))
      return;
    auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (type && isa<FloatType>(type.getElementType()))
      floatProducts = true;
  });
  return floatProducts;
}

/// Writes `text` to `path` (or stdout for "-").
static llvm::Error writeText(llvm::StringRef path,
                             llvm::function_ref<void(llvm::raw_ostream &)> fn) {
  std::error_code ec;
  llvm::ToolOutputFile file(path, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return fail(path + ": cannot write: " + ec.message());
  fn(file.os());
  file.keep();
  return llvm::Error::success();
}

static llvm::Error writeBytes(llvm::StringRef path,
                              llvm::ArrayRef<uint8_t> bytes) {
  std::error_code ec;
  llvm::ToolOutputFile file(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return fail(path + ": cannot write: " + ec.message());
  file.os().write(reinterpret_cast<const char *>(bytes.data()), bytes.size());
  file.keep();
  return llvm::Error::success();
}


/// Calibration, quantization (uniform or mixed), synthesis.
static llvm::Error quantize(const Options &opts, ModuleOp module,
                            Compiled &out) {
  if (!needsQuantization(module)) {
    progress(opts, "quantize", "model is already quantized: skipping "
                               "calibration and quantization");
    return llvm::Error::success();
  }
  if (opts.calib.empty())
    return fail(opts.modelPath +
                ": the model computes in float and needs calibration data: "
                "pass --calib FILE.npy|FILE.npz|DIR (inputs in the model's "
                "own layout, e.g. a few hundred training samples)");
  static const char *const precisions[] = {"int8", "int4", "w4a8", "mixed"};
  if (!llvm::is_contained(precisions, opts.precision))
    return fail("--precision must be int8, int4, w4a8 or mixed, not '" +
                opts.precision + "'");
  {
    StageTimer timer(out, "calibrate");
    progress(opts, "calibrate", "observing activation ranges on " + opts.calib);
    if (auto e = runPipeline(module, "calibration",
                             "mote-calibrate{data=" + opts.calib + " threads=" +
                                 std::to_string(opts.threads) + "}",
                             /*showReports=*/!opts.quiet))
      return e;
  }
  StageTimer timer(out, "quantize");
  std::string planFile = opts.plan;
  if (opts.precision == "mixed" && planFile.empty()) {
    llvm::SmallString<128> path(opts.outputPath.empty() || opts.outputPath == "-"
                                    ? llvm::StringRef("motec")
                                    : llvm::StringRef(opts.outputPath));
    llvm::sys::path::replace_extension(path, "plan");
    planFile = std::string(path);
    progress(opts, "mixed", "searching per-layer precisions on " + opts.target +
                                " (budget " + llvm::formatv("{0}", opts.budget).str() +
                                " points), plan -> " + planFile);
    if (auto e = runPipeline(
            module, "mixed-precision search",
            mote::motec::mixedPrecisionPipeline(opts.calib, opts.target,
                                                opts.budget, planFile),
            /*showReports=*/!opts.quiet))
      return e;
    out.planPath = planFile;
    return llvm::Error::success();
  }
  std::string quantOpts = "precision=" +
                          (opts.precision == "mixed" ? std::string("int8")
                                                     : opts.precision) +
                          " data=" + opts.calib +
                          " threads=" + std::to_string(opts.threads);
  if (!planFile.empty())
    quantOpts += " plan=" + planFile;
  if (opts.quiet)
    quantOpts += " quiet=true";
  progress(opts, "quantize",
           (planFile.empty() ? opts.precision : "plan " + planFile) +
               ", teacher-guided refinement on the calibration data");
  if (auto e = runPipeline(module, "quantization",
                           "mote-quantize{" + quantOpts + "}"))
    return e;
  out.planPath = planFile;
  return llvm::Error::success();
}

/// --host-ops: every host op is named (a warning, or with `error` the
/// reason motec stops), so that nothing runs on the host unannounced.
static llvm::Error checkHostOps(const Options &opts,
                                const mote::isa::Program &program) {
  std::string list;
  size_t n = 0;
  for (const mote::isa::HostSegment &seg : program.hostSegments)
    for (const mote::isa::HostOp &op : seg.ops) {
      ++n;
      list += "\n  " + op.kind + " '" + op.name + "' (" +
              std::to_string(op.macs) + " MACs)";
    }
  if (n == 0)
    return llvm::Error::success();
  std::string what = std::to_string(n) + " op(s) in " +
                     std::to_string(program.hostSegments.size()) +
                     " host segment(s) cannot run on target '" +
                     program.targetName + "' and run on the host:" + list;
  if (opts.hostOps == "error")
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        opts.modelPath + ": " + what +
            "\n(--host-ops=error; pass --host-ops=allow to run them on the "
            "host)");
  if (!opts.quiet)
    llvm::WithColor::warning(llvm::errs(), "motec") << what << "\n";
  return llvm::Error::success();
}

llvm::Error mote::motec::compile(const Options &opts, MLIRContext &context,
                                 Compiled &out, bool &haveProgram) {
  haveProgram = false;
  static const char *const emits[] = {"mote", "npu", "asm", "mbin"};
  if (!llvm::is_contained(emits, opts.emit))
    return fail("--emit must be mote, npu, asm or mbin, not '" + opts.emit + "'");
  if (opts.outputPath.empty() && opts.emit != "mbin")
    return fail("--emit " + opts.emit + " needs -o FILE (or -o - for stdout)");

  auto target = loadTarget(opts.target);
  if (!target)
    return fail("--target: " + llvm::toString(target.takeError()));
  out.target = std::move(*target);

  OwningOpRef<ModuleOp> module;
  {
    StageTimer timer(out, "import");
    std::string error;
    OnnxImportOptions onnxOptions;
    onnxOptions.inputShapes = opts.inputShapes;
    module = tools::loadModel(opts.modelPath, context, onnxOptions, error);
    if (!module)
      return fail(error);
    progress(opts, "import", "loaded " + opts.modelPath);
  }
  if (needsQuantization(*module))
    out.floatModule = module->clone();
  if (auto e = quantize(opts, *module, out))
    return e;

  if (!opts.synth.empty()) {
    StageTimer timer(out, "synthesis");
    progress(opts, "synthesis",
             opts.synth + ", " + std::to_string(opts.synthTerms) + " terms of " +
                 std::to_string(opts.synthBits) + " bits");
    // Built here rather than parsed, so that its per-layer report comes
    // back in memory for --report.
    MoteQuantSynthesisOptions synthOptions;
    synthOptions.mode = opts.synth;
    synthOptions.terms = opts.synthTerms;
    synthOptions.bits = opts.synthBits;
    synthOptions.minGainDb = opts.synthMinGainDb;
    PassManager pm(module->getContext());
    pm.addNestedPass<func::FuncOp>(
        createMoteQuantSynthesisPass(synthOptions, &out.synthesisLayers));
    if (failed(pm.run(*module)))
      return fail("synthesis failed (see the diagnostics above)");
  }
  {
    StageTimer timer(out, "bitwidth-lowering");
    progress(opts, "lower-bits",
             "digit-plane products for the " +
                 std::to_string(out.target.macArray.digitBits) +
                 "-bit MAC array of " + out.target.name);
    if (auto e = runPipeline(
            *module, "bit-width lowering",
            "func.func(mote-bitwidth-lowering{digit-bits=" +
                std::to_string(out.target.macArray.digitBits) +
                " quiet=true npu-products=true})"))
      return e;
  }
  out.quantModule = module->clone();
  if (opts.emit == "mote")
    return writeText(opts.outputPath,
                     [&](llvm::raw_ostream &os) { module->print(os); });

  {
    StageTimer timer(out, "npu-lowering");
    progress(opts, "npu", "layers, tiling, DRAM plan, weight packing, "
                          "instructions for " + out.target.name);
    if (auto e = mote::motec::lowerToNpu(*module, opts.target, opts.weights,
                                                 opts.activations))
      return e;
  }
  if (opts.emit == "npu")
    return writeText(opts.outputPath,
                     [&](llvm::raw_ostream &os) { module->print(os); });
  {
    StageTimer timer(out, "emit");
    auto program = mote::motec::exportProgram(*module);
    if (!program)
      return program.takeError();
    out.program = std::move(*program);
  }
  if (llvm::Error e = checkHostOps(opts, out.program))
    return e;
  haveProgram = true;
  if (opts.emit == "asm")
    return writeText(opts.outputPath, [&](llvm::raw_ostream &os) {
      isa::printMasm(out.program, os);
    });
  std::string path = opts.outputPath;
  if (path.empty()) {
    llvm::SmallString<128> p(opts.modelPath);
    llvm::sys::path::replace_extension(p, "mbin");
    path = std::string(llvm::sys::path::filename(p));
  }
  std::vector<uint8_t> bytes = isa::writeMbin(out.program);
  if (auto e = writeBytes(path, bytes))
    return e;
  progress(opts, "emit",
           "wrote " + path + " (" + std::to_string(bytes.size()) + " bytes, " +
               std::to_string(out.program.instructions.size()) +
               " instructions)");
  return llvm::Error::success();
}
