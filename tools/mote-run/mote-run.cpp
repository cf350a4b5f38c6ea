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

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/Timer.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <mutex>
#include <thread>

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory category("mote-run options");

static cl::opt<std::string> modelPath(cl::Positional, cl::Required,
                                      cl::desc("<model.mlir>"),
                                      cl::cat(category));
static cl::list<std::string>
    inputSpecs("input",
               cl::desc("An input: [NAME=]FILE.npy, FILE.npz (each member is "
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
/// `--threads`. libMLIR already registers a hidden `cl::opt<int>` of that
/// name; we adopt it (describing it and showing it in our category) and
/// only create our own when it is absent.
static cl::opt<int> *getThreadsOption() {
  auto &registered = cl::getRegisteredOptions();
  auto it = registered.find("threads");
  cl::opt<int> *opt = nullptr;
  if (it != registered.end())
    opt = dynamic_cast<cl::opt<int> *>(it->second);
  if (!opt && it == registered.end())
    opt = new cl::opt<int>("threads", cl::init(0));
  if (!opt)
    return nullptr;
  opt->setDescription("Worker threads for conv/matmul/FC (0 = all cores)");
  opt->setValueStr("N");
  opt->setHiddenFlag(cl::NotHidden);
  opt->addCategory(category);
  return opt;
}
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

/// Reads one input file into named or unnamed tensors. .npy and .npz now;
/// ONNX TensorProto (.pb) reading comes with the ONNX importer.
static llvm::Expected<std::vector<mote::HostTensor>>
loadInputFile(llvm::StringRef path) {
  if (path.ends_with(".npz"))
    return mote::readNpz(path);
  auto tensor =
      path.ends_with(".pb") ? mote::readTensorProtoFile(path) : mote::readNpy(path);
  if (!tensor)
    return tensor.takeError();
  return std::vector<mote::HostTensor>{std::move(*tensor)};
}

/// Loads a model file into `context`: text (.mlir) or bytecode (.mlirbc)
/// MLIR, or an ONNX model through the importer (with --const bindings).
static OwningOpRef<ModuleOp> loadModel(llvm::StringRef path,
                                       MLIRContext &context,
                                       std::string &error) {
  if (path.ends_with(".onnx")) {
    mote::OnnxImportOptions options;
    for (const std::string &spec : constSpecs) {
      auto [name, file] = llvm::StringRef(spec).split('=');
      if (name.empty() || file.empty()) {
        error = "--const expects NAME=FILE, got '" + spec + "'";
        return nullptr;
      }
      auto tensors = loadInputFile(file);
      if (!tensors) {
        error = llvm::toString(tensors.takeError());
        return nullptr;
      }
      if (tensors->size() != 1) {
        error = (file + ": --const takes one tensor (.pb or .npy)").str();
        return nullptr;
      }
      options.constantInputs[name.str()] = std::move(tensors->front());
    }
    mote::loadOnnxImportDialects(context);
    auto module = mote::importOnnxFile(path, context, options);
    if (failed(module)) {
      error = (path + ": ONNX import failed (see the diagnostics above)").str();
      return nullptr;
    }
    return std::move(*module);
  }
  if (!constSpecs.empty()) {
    error = "--const applies to ONNX models only";
    return nullptr;
  }
  std::string message;
  auto file = openInputFile(path, &message);
  if (!file) {
    error = (path + ": " + message).str();
    return nullptr;
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module) {
    error = (path + ": cannot parse the model (see the diagnostics above)").str();
    return nullptr;
  }
  if (failed(verify(*module))) {
    error = (path + ": the model does not verify (see the diagnostics above)").str();
    return nullptr;
  }
  return module;
}

static func::FuncOp pickEntry(ModuleOp module, std::string &error) {
  if (!entry.empty()) {
    auto fn = module.lookupSymbol<func::FuncOp>(entry);
    if (!fn)
      error = "no function '@" + entry + "' in " + modelPath;
    return fn;
  }
  if (auto fn = module.lookupSymbol<func::FuncOp>("main"))
    return fn;
  auto fns = llvm::to_vector(module.getOps<func::FuncOp>());
  if (fns.size() == 1)
    return fns.front();
  error = modelPath + ": has " + std::to_string(fns.size()) +
          " functions and none is named 'main'; choose one with --entry";
  return nullptr;
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

/// The number of samples in a batched call: inputs whose leading dimension
/// is k times their argument's (and otherwise equal) hold k samples for a
/// model compiled for one (e.g. 10,000 images for a batch-1 classifier).
/// Returns 1 for unbatched inputs, 0 with `error` set for inconsistent ones.
static int64_t batchFactor(func::FuncOp fn,
                           llvm::ArrayRef<mote::HostTensor> inputs,
                           std::string &error) {
  int64_t factor = 1;
  for (auto [i, input] : llvm::enumerate(inputs)) {
    auto type = dyn_cast<RankedTensorType>(fn.getArgumentTypes()[i]);
    if (!type || type.getRank() == 0 ||
        input.shape.size() != static_cast<size_t>(type.getRank()) ||
        llvm::ArrayRef<int64_t>(input.shape) == type.getShape())
      continue;
    int64_t lead = type.getDimSize(0);
    if (lead <= 0 || input.shape[0] % lead != 0 ||
        !llvm::equal(llvm::ArrayRef<int64_t>(input.shape).drop_front(),
                     type.getShape().drop_front()))
      continue; // not a batch: the interpreter reports the shape mismatch
    int64_t k = input.shape[0] / lead;
    if (factor != 1 && k != factor) {
      error = "batched inputs disagree: input #" + std::to_string(i) +
              " holds " + std::to_string(k) + " samples, another " +
              std::to_string(factor);
      return 0;
    }
    factor = k;
  }
  return factor;
}

/// Sample `index` of a batched input holding `samples` samples.
static mote::HostTensor sliceSample(const mote::HostTensor &t, int64_t index,
                                    int64_t samples) {
  mote::HostTensor out;
  out.name = t.name;
  out.dtype = t.dtype;
  out.shape = t.shape;
  out.shape[0] /= samples;
  size_t bytes = t.data.size() / samples;
  out.data.assign(t.data.begin() + index * bytes,
                  t.data.begin() + (index + 1) * bytes);
  return out;
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
  std::atomic<int64_t> next{0}, done{0};
  std::mutex errorMutex;
  std::string firstError;
  auto work = [&](unsigned w) {
    for (int64_t i = next++; i < samples; i = next++) {
      std::vector<mote::HostTensor> sample;
      for (const mote::HostTensor &t : inputs)
        sample.push_back(sliceSample(t, i, samples));
      auto result = interps[w]->run(sample);
      if (!result) {
        std::lock_guard<std::mutex> lock(errorMutex);
        if (firstError.empty())
          firstError = "sample " + std::to_string(i) + ": " +
                       llvm::toString(result.takeError());
        next = samples;
        return;
      }
      outputs[i] = std::move(*result);
      int64_t finished = ++done;
      if (samples >= 100 && finished % (samples / 10) == 0)
        llvm::errs() << "mote-run: " << finished << "/" << samples
                     << " samples\n";
    }
  };
  std::vector<std::thread> threads;
  for (unsigned w = 1; w < workers; ++w)
    threads.emplace_back(work, w);
  work(0);
  for (std::thread &t : threads)
    t.join();
  if (!firstError.empty())
    return llvm::createStringError(llvm::inconvertibleErrorCode(), firstError);
  std::vector<mote::HostTensor> results;
  for (size_t r = 0; r < outputs[0].size(); ++r) {
    mote::HostTensor all = outputs[0][r];
    if (all.shape.empty())
      all.shape.push_back(1);
    all.shape[0] *= samples;
    all.data.reserve(all.data.size() * samples);
    for (int64_t i = 1; i < samples; ++i)
      all.data.insert(all.data.end(), outputs[i][r].data.begin(),
                      outputs[i][r].data.end());
    results.push_back(std::move(all));
  }
  return results;
}

int main(int argc, char **argv) {
  llvm::InitLLVM y(argc, argv);
  cl::opt<int> *threads = getThreadsOption();
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
  OwningOpRef<ModuleOp> module = loadModel(modelPath, context, error);
  if (!module)
    return fail(error);
  func::FuncOp fn = pickEntry(*module, error);
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

  // Map inputs: named ones by argument name, the rest in order.
  unsigned numArgs = fn.getNumArguments();
  std::vector<std::optional<mote::HostTensor>> args(numArgs);
  std::vector<mote::HostTensor> positional;
  auto argIndex = [&](llvm::StringRef name) -> int {
    for (unsigned i = 0; i < numArgs; ++i)
      if ((*interp)->argumentName(i) == name)
        return i;
    return -1;
  };
  for (const std::string &spec : inputSpecs) {
    llvm::StringRef name, path = spec;
    if (!llvm::sys::fs::exists(spec) && spec.find('=') != std::string::npos)
      std::tie(name, path) = llvm::StringRef(spec).split('=');
    auto tensors = loadInputFile(path);
    if (!tensors)
      return fail(llvm::toString(tensors.takeError()));
    // NAME=ARCHIVE.npz with several members takes the member called NAME.
    if (!name.empty() && tensors->size() > 1) {
      auto it = llvm::find_if(*tensors, [&](const mote::HostTensor &t) {
        return t.name == name;
      });
      if (it == tensors->end())
        return fail(path + ": has no member named '" + name + "'");
      mote::HostTensor member = std::move(*it);
      tensors->clear();
      tensors->push_back(std::move(member));
    }
    for (mote::HostTensor &t : *tensors) {
      std::string key = !name.empty() ? name.str() : t.name;
      if (key.empty()) {
        positional.push_back(std::move(t));
        continue;
      }
      int index = argIndex(key);
      if (index < 0) {
        std::string names;
        for (unsigned i = 0; i < numArgs; ++i)
          names += (i ? ", " : "") + (*interp)->argumentName(i);
        return fail(path + ": no input named '" + key + "' (function '@" +
                    fn.getSymName() + "' takes: " + names + ")");
      }
      if (args[index])
        return fail("input '" + key + "' is given twice");
      args[index] = std::move(t);
    }
  }
  size_t next = 0;
  for (unsigned i = 0; i < numArgs && next < positional.size(); ++i)
    if (!args[i])
      args[i] = std::move(positional[next++]);
  if (next < positional.size())
    return fail("too many inputs: function '@" + fn.getSymName() + "' takes " +
                llvm::Twine(numArgs));
  std::vector<mote::HostTensor> inputs;
  for (unsigned i = 0; i < numArgs; ++i) {
    if (!args[i])
      return fail("missing input '" + (*interp)->argumentName(i) +
                  "' (argument #" + llvm::Twine(i) +
                  "); pass it with --input " + (*interp)->argumentName(i) +
                  "=FILE.npy");
    inputs.push_back(std::move(*args[i]));
  }
  auto t3 = Clock::now();

  int64_t samples = batchFactor(fn, inputs, error);
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
