//===- Evaluate.cpp - motec: simulate, verify, summarise ------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// After compiling, motec hands the program to the simulator: its schedule
// gives latency, energy and power (data-independent), `--input` runs data
// through it on all cores, `--labels` turns the outputs into top-1
// accuracy, and `--verify` runs the float and quantized references
// (interpreter) on the same inputs and prints how the three agree,
// including whether the simulator is bit-exact with the quantized IR.
//
//===----------------------------------------------------------------------===//

#include "Motec.h"

#include "mote/Interp/Interpreter.h"
#include "mote/Sim/HostRunner.h"
#include "mote/Sim/Simulator.h"
#include "mote/Support/Npy.h"
#include "mote/Tools/ToolSupport.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <thread>

using namespace mote;
using namespace mote::motec;

static llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

using Samples = std::vector<std::vector<HostTensor>>; // [sample][tensor]

static unsigned workerCount(const Options &opts, int64_t samples) {
  unsigned w = opts.threads ? opts.threads
                            : std::max(1u, std::thread::hardware_concurrency());
  return unsigned(std::max<int64_t>(1, std::min<int64_t>(w, samples)));
}

/// Reads --input specs and binds them to the program's inputs (by name,
/// else in order); returns the number of samples they hold.
static llvm::Expected<int64_t>
bindSimInputs(const Options &opts, const sim::Simulator &sim,
              std::vector<HostTensor> &bound) {
  auto descs = sim.inputs();
  std::vector<std::optional<HostTensor>> slots(descs.size());
  size_t next = 0;
  for (const std::string &spec : opts.inputSpecs) {
    llvm::StringRef name, path = spec;
    if (!llvm::sys::fs::exists(spec) && spec.find('=') != std::string::npos)
      std::tie(name, path) = llvm::StringRef(spec).split('=');
    auto tensors = tools::readTensorFile(path);
    if (!tensors)
      return tensors.takeError();
    for (HostTensor &t : *tensors) {
      std::string key = !name.empty() ? name.str() : t.name;
      size_t index = descs.size();
      for (size_t i = 0; i < descs.size(); ++i)
        if (!key.empty() && descs[i]->name == key)
          index = i;
      if (index == descs.size()) {
        while (next < slots.size() && slots[next])
          ++next;
        if (next == slots.size())
          return fail(path + ": more inputs than the model's " +
                      llvm::Twine(descs.size()));
        index = next;
      }
      slots[index] = std::move(t);
    }
  }
  int64_t samples = 0;
  for (size_t i = 0; i < slots.size(); ++i) {
    if (!slots[i])
      return fail("--input: missing input '" + descs[i]->name + "'");
    int64_t per = 1, have = int64_t(slots[i]->numElements());
    for (int64_t d : descs[i]->shape)
      per *= d;
    if (per <= 0 || have % per != 0)
      return fail("--input '" + descs[i]->name + "': " + llvm::Twine(have) +
                  " elements is not a multiple of the input's " +
                  llvm::Twine(per));
    int64_t k = have / per;
    if (samples && k != samples)
      return fail("--input: inputs hold different numbers of samples");
    samples = k;
    bound.push_back(std::move(*slots[i]));
    bound.back().shape.assign(descs[i]->shape.begin(), descs[i]->shape.end());
    if (k > 1)
      bound.back().shape[0] *= k;
  }
  return samples;
}

/// Sample `i` of every input, shaped as the model's.
static std::vector<HostTensor> sampleOf(llvm::ArrayRef<HostTensor> inputs,
                                        int64_t i, int64_t samples) {
  std::vector<HostTensor> out;
  for (const HostTensor &t : inputs)
    out.push_back(tools::sliceSample(t, i, samples));
  return out;
}

static llvm::Expected<Samples> runSimulator(const Options &opts,
                                            const sim::Simulator &sim,
                                            llvm::ArrayRef<HostTensor> inputs,
                                            int64_t samples) {
  Samples outputs(samples);
  llvm::Error e = tools::forEachSample(
      samples, workerCount(opts, samples), "motec: simulator",
      [&](unsigned, int64_t i) -> llvm::Error {
        auto r = sim.run(sampleOf(inputs, i, samples));
        if (!r)
          return r.takeError();
        outputs[i] = std::move(*r);
        return llvm::Error::success();
      });
  if (e)
    return std::move(e);
  return outputs;
}

static llvm::Expected<Samples> runReference(const Options &opts,
                                            mlir::ModuleOp module,
                                            llvm::StringRef what,
                                            llvm::ArrayRef<HostTensor> inputs,
                                            int64_t samples) {
  std::string error;
  mlir::func::FuncOp fn = tools::pickEntry(module, "", opts.modelPath, error);
  if (!fn)
    return fail(error);
  unsigned workers = workerCount(opts, samples);
  std::vector<std::unique_ptr<interp::Interpreter>> interps;
  interp::Options single;
  single.threads = 1;
  for (unsigned w = 0; w < workers; ++w) {
    auto in = interp::Interpreter::create(fn, single);
    if (!in)
      return in.takeError();
    interps.push_back(std::move(*in));
  }
  Samples outputs(samples);
  llvm::Error e = tools::forEachSample(
      samples, workers, ("motec: " + what).str(),
      [&](unsigned w, int64_t i) -> llvm::Error {
        auto r = interps[w]->run(sampleOf(inputs, i, samples));
        if (!r)
          return r.takeError();
        outputs[i] = std::move(*r);
        return llvm::Error::success();
      });
  if (e)
    return std::move(e);
  return outputs;
}

/// Output 0 of every sample as doubles, concatenated.
static std::vector<double> flatOutput(const Samples &s, size_t index = 0) {
  std::vector<double> v;
  for (const auto &sample : s)
    if (index < sample.size())
      for (int64_t i = 0, e = sample[index].numElements(); i < e; ++i)
        v.push_back(sample[index].getDouble(i));
  return v;
}

static int64_t argmax(const HostTensor &t) {
  int64_t best = 0;
  for (int64_t i = 1, e = t.numElements(); i < e; ++i)
    if (t.getDouble(i) > t.getDouble(best))
      best = i;
  return best;
}

namespace {
struct Agreement {
  double cosine = 0, sqnrDb = 0, maxAbs = 0;
  int64_t exact = 0, total = 0, top1Same = 0;
};
} // namespace

static Agreement agree(const Samples &ref, const Samples &test) {
  Agreement a;
  std::vector<double> r = flatOutput(ref), t = flatOutput(test);
  double dot = 0, rr = 0, tt = 0, err = 0;
  for (size_t i = 0; i < r.size() && i < t.size(); ++i) {
    dot += r[i] * t[i];
    rr += r[i] * r[i];
    tt += t[i] * t[i];
    double d = r[i] - t[i];
    err += d * d;
    a.maxAbs = std::max(a.maxAbs, std::fabs(d));
    a.exact += r[i] == t[i];
  }
  a.total = int64_t(std::min(r.size(), t.size()));
  a.cosine = rr > 0 && tt > 0 ? dot / std::sqrt(rr * tt) : (rr == tt ? 1 : 0);
  a.sqnrDb = err > 0 ? 10 * std::log10(rr / err) : INFINITY;
  for (size_t i = 0; i < ref.size() && i < test.size(); ++i)
    a.top1Same += !ref[i].empty() && !test[i].empty() &&
                  argmax(ref[i][0]) == argmax(test[i][0]);
  return a;
}

static llvm::json::Object toJSON(const Agreement &a, int64_t samples) {
  return llvm::json::Object{
      {"cosine", a.cosine},
      {"sqnr_db", std::isfinite(a.sqnrDb) ? llvm::json::Value(a.sqnrDb)
                                          : llvm::json::Value(nullptr)},
      {"max_abs_error", a.maxAbs},
      {"bit_exact", a.exact == a.total},
      {"equal_elements", a.exact},
      {"elements", a.total},
      {"top1_agreement", samples ? double(a.top1Same) / samples : 0.0}};
}

static void printAgreement(llvm::StringRef what, const Agreement &a,
                           int64_t samples) {
  llvm::outs() << llvm::format("  %-26s cosine %.6f  SQNR ", what.str().c_str(),
                               a.cosine);
  if (std::isfinite(a.sqnrDb))
    llvm::outs() << llvm::format("%6.2f dB", a.sqnrDb);
  else
    llvm::outs() << "   inf dB";
  llvm::outs() << llvm::format("  max |err| %.6g  top-1 agree %.2f %%",
                               a.maxAbs, 100.0 * a.top1Same / samples);
  if (a.exact == a.total)
    llvm::outs() << "  (bit-exact)";
  else
    llvm::outs() << "  (" << (a.total - a.exact) << " of " << a.total
                 << " elements differ)";
  llvm::outs() << "\n";
}

static llvm::Expected<double> accuracy(const Options &opts,
                                       const Samples &outputs) {
  auto read = readNpy(opts.labels);
  if (!read)
    return read.takeError();
  const HostTensor &labels = *read;
  if (int64_t(labels.numElements()) != int64_t(outputs.size()))
    return fail(opts.labels + ": " + llvm::Twine(labels.numElements()) +
                " labels for " + llvm::Twine(outputs.size()) + " samples");
  int64_t right = 0;
  for (size_t i = 0; i < outputs.size(); ++i)
    right += !outputs[i].empty() && argmax(outputs[i][0]) == labels.getInt(i);
  return 100.0 * right / double(outputs.size());
}

static llvm::Error writeOutputs(const Options &opts, const Samples &outputs) {
  if (opts.outputDir.empty() || outputs.empty())
    return llvm::Error::success();
  if (std::error_code ec = llvm::sys::fs::create_directories(opts.outputDir))
    return fail(opts.outputDir + ": cannot create directory: " + ec.message());
  std::vector<HostTensor> stacked = tools::stackSamples(outputs);
  for (size_t r = 0; r < stacked.size(); ++r) {
    const HostTensor &all = stacked[r];
    llvm::SmallString<128> path(opts.outputDir);
    llvm::sys::path::append(path, (all.name.empty() ? "output_" +
                                                          std::to_string(r)
                                                    : all.name) +
                                      ".npy");
    if (llvm::Error e = writeNpy(path, all))
      return e;
  }
  return llvm::Error::success();
}

llvm::Error mote::motec::evaluate(const Options &opts, Compiled &compiled) {
  progress(opts, "simulate", "scheduling the program on " +
                                 compiled.target.name);
  std::string what =
      opts.outputPath.empty() ? opts.modelPath : opts.outputPath;
  auto host = sim::createInterpreterHostRunner(compiled.program, what);
  if (!host)
    return host.takeError();
  auto created = sim::Simulator::create(compiled.program, compiled.target,
                                        what, std::move(*host));
  if (!created)
    return created.takeError();
  const sim::Simulator &simulator = **created;
  const sim::Stats &stats = simulator.stats();
  llvm::json::Object report;
  report["model"] = opts.modelPath;
  report["target"] = compiled.target.name;
  report["precision"] = opts.precision;
  if (!opts.synth.empty()) {
    report["synthesis"] = opts.synth;
    // Weight SQNR of uniform, pow2, residual and learned at equal bits.
    llvm::json::Array layers;
    for (const quant::SynthesisLayerReport &r : compiled.synthesisLayers)
      layers.push_back(quant::toJSON(r));
    report["synthesis_layers"] = std::move(layers);
  }
  if (!compiled.planPath.empty())
    report["plan"] = compiled.planPath;
  report["stages"] = llvm::json::Array(compiled.stages);
  report["simulator"] = sim::toJSON(stats, compiled.target);
  llvm::json::Array ios;
  for (const isa::IODesc &io : compiled.program.io)
    ios.push_back(llvm::json::Object{
        {"name", io.name},
        {"direction", io.isInput ? "input" : "output"},
        {"shape", llvm::json::Array(io.shape)},
        {"dtype", io.dtype},
        {"scale", io.scale},
        {"zero_point", io.zeroPoint}});
  report["io"] = std::move(ios);
  report["instructions"] = int64_t(compiled.program.instructions.size());
  report["dram_bytes"] = int64_t(compiled.program.dramBytes);

  if (opts.summary) {
    llvm::outs() << "== " << opts.modelPath << " on " << compiled.target.name
                 << " (" << opts.precision
                 << (opts.synth.empty() ? "" : ", synth " + opts.synth)
                 << ")\n";
    sim::printReport(stats, compiled.target, llvm::outs());
    if (!compiled.synthesisLayers.empty()) {
      // Weight SQNR at equal bits: what each choice would cost in fidelity.
      auto db = [](double v) {
        return std::isnan(v)   ? std::string("-")
               : std::isinf(v) ? std::string("exact")
                               : llvm::formatv("{0:F2}", v).str();
      };
      llvm::outs() << llvm::format("synthesis: weight SQNR (dB) at %u x %u "
                                   "bits per layer\n",
                                   opts.synthTerms, opts.synthBits)
                   << llvm::format("  %-32s %9s %9s %9s  %s\n", "layer",
                                   "uniform", "residual", "learned", "chosen");
      for (const quant::SynthesisLayerReport &r : compiled.synthesisLayers)
        llvm::outs() << llvm::format("  %-32s %9s %9s %9s  %s\n",
                                     r.name.c_str(), db(r.uniform).c_str(),
                                     db(r.residual).c_str(),
                                     db(r.learned).c_str(), r.chosen.c_str());
    }
  }

  if (!opts.inputSpecs.empty()) {
    std::vector<HostTensor> inputs;
    auto samples = bindSimInputs(opts, simulator, inputs);
    if (!samples)
      return samples.takeError();
    progress(opts, "simulate", "running " + std::to_string(*samples) +
                                   " sample(s) on the simulator");
    auto simOut = runSimulator(opts, simulator, inputs, *samples);
    if (!simOut)
      return simOut.takeError();
    if (auto e = writeOutputs(opts, *simOut))
      return e;
    llvm::json::Object data{{"samples", *samples}};
    if (!opts.labels.empty()) {
      auto acc = accuracy(opts, *simOut);
      if (!acc)
        return acc.takeError();
      data["top1_simulator"] = *acc;
      if (opts.summary)
        llvm::outs() << llvm::format("accuracy (simulator, %lld samples): "
                                     "top-1 %.2f %%\n",
                                     (long long)*samples, *acc);
    }
    if (opts.verify) {
      if (opts.summary)
        llvm::outs() << "verification on " << *samples << " sample(s):\n";
      auto quantRef = runReference(opts, *compiled.quantModule,
                                   "quantized reference", inputs, *samples);
      if (!quantRef)
        return quantRef.takeError();
      Agreement simVsQuant = agree(*quantRef, *simOut);
      if (opts.summary)
        printAgreement("simulator vs quantized IR", simVsQuant, *samples);
      data["simulator_vs_quantized"] = toJSON(simVsQuant, *samples);
      if (compiled.floatModule) {
        auto floatRef = runReference(opts, *compiled.floatModule,
                                     "float reference", inputs, *samples);
        if (!floatRef)
          return floatRef.takeError();
        Agreement quantVsFloat = agree(*floatRef, *quantRef);
        Agreement simVsFloat = agree(*floatRef, *simOut);
        if (opts.summary) {
          printAgreement("quantized IR vs float", quantVsFloat, *samples);
          printAgreement("simulator vs float", simVsFloat, *samples);
        }
        data["quantized_vs_float"] = toJSON(quantVsFloat, *samples);
        data["simulator_vs_float"] = toJSON(simVsFloat, *samples);
        if (!opts.labels.empty()) {
          auto accF = accuracy(opts, *floatRef);
          auto accQ = accuracy(opts, *quantRef);
          if (!accF)
            return accF.takeError();
          if (!accQ)
            return accQ.takeError();
          data["top1_float"] = *accF;
          data["top1_quantized_ir"] = *accQ;
          if (opts.summary)
            llvm::outs() << llvm::format(
                "accuracy: float %.2f %%, quantized IR %.2f %%\n", *accF,
                *accQ);
        }
      }
      if (simVsQuant.exact != simVsQuant.total)
        return fail("verification failed: the simulator's outputs differ "
                    "from the quantized IR's (a compiler or simulator bug; "
                    "please report it with the model)");
    }
    report["data"] = std::move(data);
  }

  if (!opts.reportPath.empty()) {
    std::error_code ec;
    llvm::raw_fd_ostream os(opts.reportPath, ec);
    if (ec)
      return fail(opts.reportPath + ": cannot write: " + ec.message());
    os << llvm::formatv("{0:2}", llvm::json::Value(std::move(report))) << "\n";
  }
  return llvm::Error::success();
}

llvm::Error mote::motec::runMotec(const Options &opts,
                                  mlir::MLIRContext &context) {
  Compiled compiled;
  bool haveProgram = false;
  if (auto e = compile(opts, context, compiled, haveProgram))
    return e;
  if (!haveProgram)
    return llvm::Error::success();
  if (opts.verify && opts.inputSpecs.empty())
    return fail("--verify needs --input data to compare on");
  return evaluate(opts, compiled);
}
