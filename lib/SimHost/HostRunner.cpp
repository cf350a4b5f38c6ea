//===- HostRunner.cpp - Host segments run by the reference interpreter ----===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Each host segment is parsed once into its own module; every run takes an
// Interpreter for that segment from a small pool (an Interpreter is not
// thread-safe, the simulator runs samples on all cores), binds the input
// tensors straight from DRAM as raw storage (quantized) or float32, runs
// the interpreter's kernels and writes the results back to DRAM in the same
// form. The interpreter is the reference, so a host segment is bit-exact
// with mote-run on the same IR by construction.
//
//===----------------------------------------------------------------------===//

#include "mote/Sim/HostRunner.h"

#include "mote/InitAllDialects.h"
#include "mote/Interp/Interpreter.h"

#include "Mote/MoteTypeUtils.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/SourceMgr.h"

#include <cstring>
#include <mutex>

using namespace mlir;
using namespace mote;
using namespace mote::sim;
using llvm::Error;
using llvm::Twine;

namespace {

Error makeError(const Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// The HostTensor dtype that carries `storage` raw (the interpreter's form).
DType hostDType(const isa::IOStorage &storage) {
  if (storage.isFloat)
    return DType::F32;
  if (storage.bytes == 4)
    return DType::I32;
  return storage.isSigned ? DType::I8 : DType::U8;
}

struct Segment {
  OwningOpRef<ModuleOp> module;
  func::FuncOp fn;
  std::mutex mutex;
  std::vector<std::unique_ptr<interp::Interpreter>> idle;
};

class InterpreterHostRunner final : public HostRunner {
public:
  InterpreterHostRunner(const isa::Program &program, std::string what)
      : descs(program.hostSegments), what(std::move(what)) {
    DialectRegistry registry;
    registerAllDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }

  Error load() {
    for (size_t i = 0; i < descs.size(); ++i) {
      const isa::HostSegment &desc = descs[i];
      auto seg = std::make_unique<Segment>();
      std::string label = (what + ": host segment " + Twine(i)).str();
      // Parse errors are collected, not printed: the message names the file.
      std::string diagnostics;
      {
        ScopedDiagnosticHandler handler(&context, [&](Diagnostic &d) {
          llvm::raw_string_ostream os(diagnostics);
          os << (diagnostics.empty() ? "" : "; ") << d.str();
          return success();
        });
        seg->module = parseSourceString<ModuleOp>(desc.module, &context);
        if (seg->module && failed(mlir::verify(*seg->module)))
          seg->module = nullptr;
      }
      if (!seg->module)
        return makeError(label + ": its mote IR does not parse: " +
                         diagnostics);
      auto fns = seg->module->getOps<func::FuncOp>();
      if (std::distance(fns.begin(), fns.end()) != 1)
        return makeError(label + ": expected exactly one func.func");
      seg->fn = *fns.begin();
      FunctionType type = seg->fn.getFunctionType();
      if (type.getNumInputs() != desc.inputs.size() ||
          type.getNumResults() != desc.outputs.size())
        return makeError(label + ": the function takes " +
                         Twine(type.getNumInputs()) + " and returns " +
                         Twine(type.getNumResults()) +
                         " tensors, the descriptors list " +
                         Twine(desc.inputs.size()) + " and " +
                         Twine(desc.outputs.size()));
      for (bool input : {true, false})
        for (size_t k = 0; k < (input ? desc.inputs : desc.outputs).size();
             ++k) {
          const isa::HostTensorDesc &t = (input ? desc.inputs : desc.outputs)[k];
          Type ty = input ? type.getInput(k) : type.getResult(k);
          auto shaped = dyn_cast<RankedTensorType>(ty);
          if (!shaped || shaped.getShape() != ArrayRef<int64_t>(t.shape) ||
              dramDtypeName(ty) != t.dtype)
            return makeError(label + (input ? ": input " : ": output ") +
                             Twine(k) + " is declared " + t.dtype + " " +
                             formatShape(t.shape) + " but the function has " +
                             (shaped ? formatShape(shaped.getShape()) : "?") +
                             " " + dramDtypeName(ty));
        }
      // The interpreter holds every value whole: a type no real segment
      // needs would only exhaust memory (a corrupted or fuzzed program).
      std::string tooLarge;
      seg->fn.walk([&](Operation *op) {
        for (Type t : op->getResultTypes())
          if (auto shaped = dyn_cast<RankedTensorType>(t);
              shaped && shaped.hasStaticShape() &&
              shaped.getNumElements() > kMaxHostElements && tooLarge.empty())
            tooLarge = (Twine("'") + op->getName().getStringRef() +
                        "' makes a tensor of " +
                        Twine(shaped.getNumElements()) +
                        " elements, more than the host runner's " +
                        Twine(kMaxHostElements))
                           .str();
      });
      if (!tooLarge.empty())
        return makeError(label + ": " + tooLarge);
      // One interpreter now, so that unsupported ops fail at load time.
      auto interp = interp::Interpreter::create(seg->fn, options());
      if (!interp)
        return makeError(label + ": " + llvm::toString(interp.takeError()));
      seg->idle.push_back(std::move(*interp));
      segments.push_back(std::move(seg));
    }
    return Error::success();
  }

  Error run(unsigned index, llvm::MutableArrayRef<uint8_t> dram) const override {
    const isa::HostSegment &desc = descs[index];
    Segment &seg = *segments[index];
    std::unique_ptr<interp::Interpreter> interp;
    {
      std::lock_guard<std::mutex> lock(seg.mutex);
      if (!seg.idle.empty()) {
        interp = std::move(seg.idle.back());
        seg.idle.pop_back();
      }
    }
    if (!interp) {
      auto created = interp::Interpreter::create(seg.fn, options());
      if (!created)
        return created.takeError();
      interp = std::move(*created);
    }
    std::vector<HostTensor> inputs;
    for (const isa::HostTensorDesc &t : desc.inputs) {
      HostTensor h;
      h.dtype = hostDType(*isa::ioStorage(t.dtype));
      h.shape.assign(t.shape.begin(), t.shape.end());
      h.data.assign(dram.begin() + t.dramAddr,
                    dram.begin() + t.dramAddr + t.bytes);
      inputs.push_back(std::move(h));
    }
    auto results = interp->run(inputs);
    {
      std::lock_guard<std::mutex> lock(seg.mutex);
      seg.idle.push_back(std::move(interp));
    }
    if (!results)
      return results.takeError();
    for (size_t k = 0; k < desc.outputs.size(); ++k) {
      const isa::HostTensorDesc &t = desc.outputs[k];
      const HostTensor &h = (*results)[k];
      isa::IOStorage storage = *isa::ioStorage(t.dtype);
      uint8_t *out = dram.data() + t.dramAddr;
      int64_t n = h.numElements();
      if (uint64_t(n) * storage.bytes != t.bytes)
        return makeError("output " + Twine(k) + " has " + Twine(n) +
                         " elements, its DRAM buffer " + Twine(t.bytes) +
                         " bytes");
      for (int64_t e = 0; e < n; ++e) {
        if (storage.isFloat) {
          float f = float(h.getDouble(e));
          std::memcpy(out + e * 4, &f, 4);
        } else if (storage.bytes == 4) {
          int32_t v = int32_t(h.getInt(e));
          std::memcpy(out + e * 4, &v, 4);
        } else {
          out[e] = uint8_t(h.getInt(e));
        }
      }
    }
    return Error::success();
  }

private:
  /// 2^26 elements (256 MiB as int32): far above any activation of a model
  /// a low-power chip runs, far below what would exhaust the host.
  static constexpr int64_t kMaxHostElements = int64_t(1) << 26;

  /// The simulator runs samples on every core; a segment runs inline.
  static interp::Options options() {
    interp::Options o;
    o.threads = 1;
    return o;
  }

  /// A copy: the simulator takes the program by value.
  std::vector<isa::HostSegment> descs;
  std::string what;
  /// Threading stays enabled: several simulator threads run interpreters
  /// on this context at once, and its uniquers must take their locks.
  MLIRContext context;
  std::vector<std::unique_ptr<Segment>> segments;
};

} // namespace

llvm::Expected<std::shared_ptr<const HostRunner>>
mote::sim::createInterpreterHostRunner(const isa::Program &program,
                                       llvm::StringRef what) {
  if (program.hostSegments.empty())
    return std::shared_ptr<const HostRunner>();
  auto runner = std::make_shared<InterpreterHostRunner>(program, what.str());
  if (Error e = runner->load())
    return std::move(e);
  return std::shared_ptr<const HostRunner>(std::move(runner));
}
