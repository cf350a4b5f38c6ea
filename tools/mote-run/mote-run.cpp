//===- mote-run.cpp - Run a model on the reference interpreter ------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Loads a model, feeds it .npy/.npz inputs, runs it on the reference
// interpreter (lib/Interp) and writes every result as DIR/NAME.npy with a
// one-line summary. On quantized IR this is the bit-exact reference that
// mote-sim is checked against.
//
//===----------------------------------------------------------------------===//

#include "mote/Frontend/OnnxImporter.h"
#include "mote/InitAllDialects.h"
#include "mote/Interp/Interpreter.h"
#include "mote/Support/Npy.h"
#include "mote/Tools/ToolSupport.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Timer.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <thread>

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory category("mote-run options");

static cl::opt<std::string> modelPath(cl::Positional, cl::Required,
                                      cl::desc("<model.mlir|model.mlirbc|model.onnx>"),
                                      cl::cat(category));
static cl::list<std::string>
    inputSpecs("input",
               cl::desc("An input: [NAME=]FILE.npy or FILE.pb, FILE.npz (each member is "
                        "the input of its name) or NAME=FILE.npz (member "
                        "NAME). NAME matches an "
                        "argument's mote.name (or input_N); unnamed inputs "
                        "fill the remaining arguments in order"),
               cl::value_desc("[NAME=]FILE"), cl::cat(category));
static cl::list<std::string> constSpecs(
    "const",
    cl::desc("ONNX models only: bind graph input NAME to the data in FILE "
             "(.pb or .npy) at import, as a constant (weights, scales, zero "
             "points or shapes that a model takes as graph inputs)"),
    cl::value_desc("NAME=FILE"), cl::cat(category));
static cl::opt<std::string>
    outputDir("output-dir",
              cl::desc("Write each result to DIR/NAME.npy (NAME from the "
                       "result's mote.name, else output_N)"),
              cl::value_desc("DIR"), cl::cat(category));
static cl::opt<std::string>
    entry("entry",
          cl::desc("Function to run (default: main, else the only function)"),
          cl::value_desc("FUNC"), cl::cat(category));
static cl::opt<bool> printTime("time",
                               cl::desc("Print load/prepare/run wall times"),
                               cl::cat(category));
static cl::opt<bool> printOutputs("print-outputs",
                                  cl::desc("Print every output element"),
                                  cl::cat(category));

static int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "mote-run") << message << "\n";
  return 1;
}

/// A file name for an output: path separators and odd characters → '_'.
static std::string fileNameFor(llvm::StringRef name) {
  std::string out;
  for (char c : name)
    out += (llvm::isAlnum(c) || c == '-' || c == '_' || c == '.') ? c : '_';
  return out.empty() ? "output" : out;
}

static void printSummary(const mote::HostTensor &t) {
  int64_t n = t.numElements();
  double mn = INFINITY, mx = -INFINITY, sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    double v = t.getDouble(i);
    mn = std::min(mn, v);
    mx = std::max(mx, v);
    sum += v;
  }
  llvm::outs() << t.name << ": shape " << mote::formatShape(t.shape) << " "
               << mote::dtypeName(t.dtype);
  if (n > 0)
    llvm::outs() << llvm::format(" min %g max %g mean %g", mn, mx, sum / n);
  llvm::outs() << "\n";
  if (!printOutputs)
    return;
  llvm::outs() << "  [";
  for (int64_t i = 0; i < n; ++i) {
    if (i)
      llvm::outs() << ", ";
    if (t.isFloat())
      llvm::outs() << llvm::format("%.9g", t.getDouble(i));
    else
      llvm::outs() << t.getInt(i);
  }
  llvm::outs() << "]\n";
}

/// Runs `samples` samples on `workers` threads, one single-threaded
/// interpreter each, and concatenates the results along dimension 0.
static llvm::Expected<std::vector<mote::HostTensor>>
runBatched(func::FuncOp fn, llvm::ArrayRef<mote::HostTensor> inputs,
           int64_t samples, unsigned workers) {
  workers = std::max(1u, std::min<unsigned>(workers, samples));
  std::vector<std::unique_ptr<mote::interp::Interpreter>> interps;
  mote::interp::Options single;
  single.threads = 1;
  for (unsigned w = 0; w < workers; ++w) {
    auto interp = mote::interp::Interpreter::create(fn, single);
    if (!interp)
      return interp.takeError();
    interps.push_back(std::move(*interp));
  }
  std::vector<std::vector<mote::HostTensor>> outputs(samples);
  llvm::Error error = mote::tools::forEachSample(
      samples, workers, "mote-run", [&](unsigned w, int64_t i) -> llvm::Error {
        std::vector<mote::HostTensor> sample;
        for (const mote::HostTensor &t : inputs)
          sample.push_back(mote::tools::sliceSample(t, i, samples));
        auto result = interps[w]->run(sample);
        if (!result)
          return result.takeError();
        outputs[i] = std::move(*result);
        return llvm::Error::success();
      });
  if (error)
    return std::move(error);
  return mote::tools::stackSamples(outputs);
}

int main(int argc, char **argv) {
  llvm::InitLLVM y(argc, argv);
  mote::tools::keepFreedMemory();
  cl::opt<int> *threads = mote::tools::adoptThreadsOption(
      category, "Worker threads for conv/matmul/FC (0 = all cores)");
  cl::list<std::string> &inputShapes =
      mote::tools::inputShapeOption(category);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "mote-run: run a mote model on the reference interpreter\n\n"
      "Feeds numpy arrays to the model's entry function, runs it (float IR "
      "in f32; quantized IR bit-exactly, as mote-sim must) and writes each "
      "result as a .npy file.\n\n"
      "  mote-run model.mlir --input x=image.npy --output-dir out/\n"
      "  mote-run model.mlir --input a.npy --input b.npy --print-outputs\n"
      "  mote-run model.onnx --input image=images.npy --output-dir out/\n\n"
      "ONNX models (.onnx) are imported first; inputs may also be ONNX "
      "TensorProto files (.pb), and --const binds graph inputs that hold "
      "weights or quantization parameters. An input whose leading dimension "
      "is k times the argument's holds k samples: they run in parallel, one "
      "per core, and the outputs are concatenated (e.g. 10,000 images "
      "through a batch-1 classifier).\n\n"
      "A float argument takes float32/float64 data. A quantized argument "
      "takes integer storage values (checked against the storage range) or "
      "float data, which is quantized with the argument's scale and zero "
      "point. Float results are written as float32, quantized ones as their "
      "storage dtype (int8, uint8, int16, uint16, int32).\n");

  using Clock = std::chrono::steady_clock;
  auto seconds = [](Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
  };
  auto t0 = Clock::now();
  DialectRegistry registry;
  mote::registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  std::string error;
  mote::OnnxImportOptions onnxOptions;
  error = mote::tools::parseInputShapes(inputShapes, modelPath, onnxOptions);
  if (!error.empty())
    return fail(error);
  for (const std::string &spec : constSpecs) {
    auto [name, file] = llvm::StringRef(spec).split('=');
    if (name.empty() || file.empty())
      return fail("--const expects NAME=FILE, got '" + spec + "'");
    auto tensors = mote::tools::readTensorFile(file);
    if (!tensors)
      return fail(llvm::toString(tensors.takeError()));
    if (tensors->size() != 1)
      return fail(file + ": --const takes one tensor (.pb or .npy)");
    onnxOptions.constantInputs[name.str()] = std::move(tensors->front());
  }
  OwningOpRef<ModuleOp> module =
      mote::tools::loadModel(modelPath, context, onnxOptions, error);
  if (!module)
    return fail(error);
  func::FuncOp fn = mote::tools::pickEntry(*module, entry, modelPath, error);
  if (!fn)
    return fail(error);
  auto t1 = Clock::now();

  mote::interp::Options options;
  if (threads && *threads < 0)
    return fail("--threads must be >= 0");
  options.threads = threads ? static_cast<unsigned>(threads->getValue()) : 0;
  auto interp = mote::interp::Interpreter::create(fn, options);
  if (!interp)
    return fail(modelPath + ": " + llvm::toString(interp.takeError()));
  auto t2 = Clock::now();

  std::vector<mote::HostTensor> inputs;
  error = mote::tools::bindInputs(
      **interp, inputSpecs, ("function '@" + fn.getSymName() + "' takes").str(),
      inputs);
  if (!error.empty())
    return fail(error);
  auto t3 = Clock::now();

  int64_t samples = mote::tools::batchFactor(**interp, inputs, error);
  if (samples == 0)
    return fail(error);
  unsigned workers = options.threads ? options.threads
                                     : std::thread::hardware_concurrency();
  auto results = samples == 1 ? (*interp)->run(inputs)
                              : runBatched(fn, inputs, samples, workers);
  if (!results)
    return fail(modelPath + ": " + llvm::toString(results.takeError()));
  auto t4 = Clock::now();

  if (!outputDir.empty()) {
    if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
      return fail(outputDir + ": cannot create directory: " + ec.message());
  }
  for (const mote::HostTensor &t : *results) {
    printSummary(t);
    if (outputDir.empty())
      continue;
    llvm::SmallString<128> path(outputDir);
    llvm::sys::path::append(path, fileNameFor(t.name) + ".npy");
    if (llvm::Error e = mote::writeNpy(path, t))
      return fail(llvm::toString(std::move(e)));
  }
  if (printTime)
    llvm::errs() << llvm::format(
        "time: load %.3f s, prepare %.3f s, inputs %.3f s, run %.3f s\n",
        seconds(t0, t1), seconds(t1, t2), seconds(t2, t3), seconds(t3, t4));
  return 0;
}
