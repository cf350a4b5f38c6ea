//===- ToolSupport.cpp - Shared pieces of the interpreter tools ------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#include "mote/Tools/ToolSupport.h"

#include "Mote/MoteTypeUtils.h"
#include "mote/Support/Npy.h"

#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <atomic>
#include <mutex>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <optional>
#include <thread>

using namespace mlir;
namespace cl = llvm::cl;

namespace mote::tools {

void keepFreedMemory() {
#ifdef __GLIBC__
  // The largest threshold glibc accepts on 64-bit hosts (HEAP_MAX / 2).
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

cl::opt<int> *adoptThreadsOption(cl::OptionCategory &category,
                                 llvm::StringRef description) {
  auto &registered = cl::getRegisteredOptions();
  auto it = registered.find("threads");
  cl::opt<int> *opt = nullptr;
  if (it != registered.end())
    opt = dynamic_cast<cl::opt<int> *>(it->second);
  if (!opt && it == registered.end())
    opt = new cl::opt<int>("threads", cl::init(0));
  if (!opt)
    return nullptr;
  opt->setDescription(description);
  opt->setValueStr("N");
  opt->setHiddenFlag(cl::NotHidden);
  opt->addCategory(category);
  return opt;
}

cl::list<std::string> &inputShapeOption(cl::OptionCategory &category) {
  // Created on first use (not a global of this library) so that only the
  // tools that ask for it have it; never destroyed, like cl globals.
  static cl::list<std::string> *option = new cl::list<std::string>(
      "input-shape",
      cl::desc("ONNX models only: the shape of graph input NAME, e.g. "
               "image=1x3x224x224; resolves symbolic dimensions (a symbolic "
               "leading dimension defaults to 1); repeatable"),
      cl::value_desc("NAME=D0xD1x..."), cl::cat(category));
  return *option;
}

std::string parseInputShapes(llvm::ArrayRef<std::string> specs,
                             llvm::StringRef modelPath,
                             OnnxImportOptions &options) {
  for (const std::string &spec : specs) {
    auto [name, dims] = llvm::StringRef(spec).rsplit('=');
    auto bad = [&](const llvm::Twine &why) {
      return (modelPath + ": --input-shape '" + spec + "': " + why +
              " — expected NAME=D0xD1x... with positive sizes, e.g. "
              "image=1x3x224x224")
          .str();
    };
    if (name.empty() || dims.empty() || !llvm::StringRef(spec).contains('='))
      return bad("no input name or no shape");
    std::vector<int64_t> shape;
    llvm::SmallVector<llvm::StringRef> parts;
    dims.split(parts, 'x');
    for (llvm::StringRef part : parts) {
      int64_t d;
      if (part.trim().getAsInteger(10, d))
        return bad("'" + part + "' is not a number (input '" + name + "')");
      if (d <= 0 || d > (int64_t(1) << 31))
        return bad("dimension " + llvm::Twine(d) + " of input '" + name +
                   "' is not in [1, 2^31]");
      shape.push_back(d);
    }
    if (!options.inputShapes.emplace(name.str(), shape).second)
      return (modelPath + ": --input-shape gives input '" + name +
              "' twice")
          .str();
  }
  return "";
}

llvm::Expected<std::vector<HostTensor>> readTensorFile(llvm::StringRef path) {
  if (path.ends_with(".npz"))
    return readNpz(path);
  auto tensor =
      path.ends_with(".pb") ? readTensorProtoFile(path) : readNpy(path);
  if (!tensor)
    return tensor.takeError();
  return std::vector<HostTensor>{std::move(*tensor)};
}

OwningOpRef<ModuleOp> loadModel(llvm::StringRef path, MLIRContext &context,
                                const OnnxImportOptions &onnxOptions,
                                std::string &error) {
  if (path.ends_with(".onnx")) {
    loadOnnxImportDialects(context);
    // Print the importer's diagnostics as mote-translate does
    // ("MODEL.onnx:0:0: error: node ..."), notes included (a symbolic
    // batch dimension set to 1); MLIR's default handler prints errors only.
    llvm::SourceMgr sourceMgr;
    SourceMgrDiagnosticHandler handler(sourceMgr, &context);
    auto module = importOnnxFile(path, context, onnxOptions);
    if (failed(module)) {
      error = (path + ": ONNX import failed (see the diagnostics above)").str();
      return nullptr;
    }
    return std::move(*module);
  }
  if (!onnxOptions.constantInputs.empty()) {
    error = "--const applies to ONNX models only";
    return nullptr;
  }
  if (!onnxOptions.inputShapes.empty()) {
    error = (path + ": --input-shape applies to ONNX models only (an MLIR "
                    "model's shapes are in its types)")
                .str();
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
    error =
        (path + ": cannot parse the model (see the diagnostics above)").str();
    return nullptr;
  }
  if (failed(verify(*module))) {
    error = (path + ": the model does not verify (see the diagnostics above)")
                .str();
    return nullptr;
  }
  return module;
}

func::FuncOp pickEntry(ModuleOp module, llvm::StringRef entry,
                       llvm::StringRef path, std::string &error) {
  if (!entry.empty()) {
    auto fn = module.lookupSymbol<func::FuncOp>(entry);
    if (!fn)
      error = ("no function '@" + entry + "' in " + path).str();
    return fn;
  }
  if (auto fn = module.lookupSymbol<func::FuncOp>("main"))
    return fn;
  auto fns = llvm::to_vector(module.getOps<func::FuncOp>());
  if (fns.size() == 1)
    return fns.front();
  error = (path + ": has " + llvm::Twine(fns.size()) +
           " functions and none is named 'main'; choose one with --entry")
              .str();
  return nullptr;
}

std::string bindInputs(const interp::Interpreter &interp,
                       llvm::ArrayRef<std::string> specs,
                       llvm::StringRef takers,
                       std::vector<HostTensor> &inputs) {
  unsigned numArgs = interp.function().getNumArguments();
  std::vector<std::optional<HostTensor>> args(numArgs);
  std::vector<HostTensor> positional;
  auto argIndex = [&](llvm::StringRef name) -> int {
    for (unsigned i = 0; i < numArgs; ++i)
      if (interp.argumentName(i) == name)
        return i;
    return -1;
  };
  for (const std::string &spec : specs) {
    llvm::StringRef name, path = spec;
    if (!llvm::sys::fs::exists(spec) && spec.find('=') != std::string::npos)
      std::tie(name, path) = llvm::StringRef(spec).split('=');
    auto tensors = readTensorFile(path);
    if (!tensors)
      return llvm::toString(tensors.takeError());
    // NAME=ARCHIVE.npz with several members takes the member called NAME.
    if (!name.empty() && tensors->size() > 1) {
      auto it = llvm::find_if(
          *tensors, [&](const HostTensor &t) { return t.name == name; });
      if (it == tensors->end())
        return (path + ": has no member named '" + name + "'").str();
      HostTensor member = std::move(*it);
      tensors->clear();
      tensors->push_back(std::move(member));
    }
    for (HostTensor &t : *tensors) {
      std::string key = !name.empty() ? name.str() : t.name;
      if (key.empty()) {
        positional.push_back(std::move(t));
        continue;
      }
      int index = argIndex(key);
      if (index < 0) {
        std::string names;
        for (unsigned i = 0; i < numArgs; ++i)
          names += (i ? ", " : "") + interp.argumentName(i);
        return (path + ": no input named '" + key + "' (" + takers + ": " +
                names + ")")
            .str();
      }
      if (args[index])
        return "input '" + key + "' is given twice";
      args[index] = std::move(t);
    }
  }
  size_t next = 0;
  for (unsigned i = 0; i < numArgs && next < positional.size(); ++i)
    if (!args[i])
      args[i] = std::move(positional[next++]);
  if (next < positional.size())
    return ("too many inputs: " + takers + " " + llvm::Twine(numArgs)).str();
  for (unsigned i = 0; i < numArgs; ++i) {
    if (!args[i])
      return "missing input '" + interp.argumentName(i) + "' (argument #" +
             std::to_string(i) + "); pass it with --input " +
             interp.argumentName(i) + "=FILE.npy";
    inputs.push_back(std::move(*args[i]));
  }
  return "";
}

int64_t batchFactor(const interp::Interpreter &interp,
                    llvm::ArrayRef<HostTensor> inputs, std::string &error) {
  func::FuncOp fn = interp.function();
  int64_t factor = 1;
  for (auto [i, input] : llvm::enumerate(inputs)) {
    auto type = dyn_cast<RankedTensorType>(fn.getArgumentTypes()[i]);
    if (!type)
      continue;
    llvm::ArrayRef<int64_t> shape(input.shape);
    if (shape == type.getShape())
      continue;
    int64_t lead = type.getRank() ? type.getDimSize(0) : 0;
    if (lead <= 0 || shape.size() != static_cast<size_t>(type.getRank()) ||
        shape[0] % lead != 0 ||
        shape.drop_front() != type.getShape().drop_front()) {
      error = "input '" + interp.argumentName(i) + "' (argument #" +
              std::to_string(i) + "): expected shape " +
              formatShape(type.getShape()) + " or a batch [k·" +
              std::to_string(lead) + ", ...] of it, got " +
              formatShape(shape);
      return 0;
    }
    int64_t k = shape[0] / lead;
    if (factor != 1 && k != factor) {
      error = "batched inputs disagree: input '" + interp.argumentName(i) +
              "' holds " + std::to_string(k) + " samples, another " +
              std::to_string(factor);
      return 0;
    }
    factor = k;
  }
  return factor;
}

llvm::Error
forEachSample(int64_t samples, unsigned workers, llvm::StringRef tool,
              llvm::function_ref<llvm::Error(unsigned, int64_t)> body,
              llvm::StringRef unit) {
  bool perSample = unit == "samples";
  std::atomic<int64_t> next{0}, done{0};
  std::mutex errorMutex;
  std::string firstError;
  auto work = [&](unsigned w) {
    for (int64_t i = next++; i < samples; i = next++) {
      if (llvm::Error e = body(w, i)) {
        std::lock_guard<std::mutex> lock(errorMutex);
        if (firstError.empty())
          firstError = (samples > 1 && perSample
                            ? "sample " + std::to_string(i) + ": "
                            : std::string()) +
                       llvm::toString(std::move(e));
        next = samples;
        return;
      }
      int64_t finished = ++done;
      if (samples >= 100 && finished % (samples / 10) == 0)
        llvm::errs() << tool << ": " << finished << "/" << samples << " "
                     << unit << "\n";
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
  return llvm::Error::success();
}

HostTensor sliceSample(const HostTensor &tensor, int64_t index,
                       int64_t samples) {
  if (samples == 1)
    return tensor;
  HostTensor out;
  out.name = tensor.name;
  out.dtype = tensor.dtype;
  out.shape = tensor.shape;
  out.shape[0] /= samples;
  size_t bytes = tensor.data.size() / samples;
  out.data.assign(tensor.data.begin() + index * bytes,
                  tensor.data.begin() + (index + 1) * bytes);
  return out;
}

std::vector<HostTensor>
stackSamples(llvm::ArrayRef<std::vector<HostTensor>> perSample) {
  std::vector<HostTensor> results;
  if (perSample.empty())
    return results;
  int64_t samples = int64_t(perSample.size());
  for (size_t r = 0; r < perSample[0].size(); ++r) {
    HostTensor all = perSample[0][r];
    if (samples > 1) {
      if (all.shape.empty())
        all.shape.push_back(1);
      all.shape[0] *= samples;
      all.data.reserve(all.data.size() * samples);
      for (int64_t i = 1; i < samples; ++i)
        all.data.insert(all.data.end(), perSample[i][r].data.begin(),
                        perSample[i][r].data.end());
    }
    results.push_back(std::move(all));
  }
  return results;
}

} // namespace mote::tools
