//===- mote-sim.cpp - Run a compiled program on the Mote NPU simulator ----===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Loads an .mbin (or .masm), validates it against its target, runs it
// bit-exactly on float (or --raw integer) inputs in the framework's layout
// and reports latency, energy, power and utilisation per layer (text,
// --stats JSON, --trace Chrome trace). A batch of samples for a batch-1
// program runs in parallel on all cores; the figures are those of one
// inference (they do not depend on the data).
//
//===----------------------------------------------------------------------===//

#include "mote/ISA/Program.h"
#include "mote/Sim/HostRunner.h"
#include "mote/Sim/Simulator.h"
#include "mote/Support/Npy.h"
#include "mote/Target/TargetDescription.h"
#include "mote/Tools/ToolSupport.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <optional>
#include <thread>

using namespace mote;
namespace cl = llvm::cl;

static cl::OptionCategory category("mote-sim options");

static cl::opt<std::string> programPath(cl::Positional, cl::Required,
                                        cl::desc("<program.mbin|program.masm>"),
                                        cl::cat(category));
static cl::list<std::string> inputSpecs(
    "input",
    cl::desc("An input: [NAME=]FILE.npy, FILE.pb or FILE.npz (members by "
             "name). NAME is the program input's name; unnamed inputs fill "
             "the remaining inputs in order. A leading dimension k times the "
             "input's holds k samples"),
    cl::value_desc("[NAME=]FILE"), cl::cat(category));
static cl::opt<std::string>
    outputDir("output-dir",
              cl::desc("Write each output to DIR/NAME.npy (float32 in the "
                       "framework's layout; storage dtype with --raw)"),
              cl::value_desc("DIR"), cl::cat(category));
/// `--stats FILE` (DESIGN §8). LLVM owns a boolean `-stats` option, so the
/// spelling is rewritten to this one before parsing (see main).
static cl::opt<std::string>
    statsPath("stats-file",
              cl::desc("Write every figure as JSON (also spelled --stats "
                       "FILE.json)"),
              cl::value_desc("FILE.json"), cl::cat(category));
static cl::opt<std::string>
    tracePath("trace",
              cl::desc("Write the engines' timeline as a Chrome/Perfetto "
                       "trace"),
              cl::value_desc("FILE.json"), cl::cat(category));
static cl::opt<bool>
    raw("raw",
        cl::desc("Inputs and outputs are integer storage values (no "
                 "quantization/dequantization)"),
        cl::cat(category));
static cl::opt<std::string> targetSpec(
    "target",
    cl::desc("Target name or description file (default: the target the "
             "program records)"),
    cl::value_desc("NAME|FILE.json"), cl::cat(category));
static cl::opt<bool> quiet("quiet", cl::desc("Do not print the report"),
                           cl::cat(category));
static cl::opt<bool> printOutputs("print-outputs",
                                  cl::desc("Print every output element"),
                                  cl::cat(category));
static cl::opt<unsigned> batchMajor(
    "batch-major",
    cl::desc("Samples each worker runs batch-major, every instruction on all "
             "of them before the next (default 1, sample by sample: faster "
             "on the hosts measured, docs/Simulator.md; at most 8 and about "
             "64 MiB of machine state). Results do not depend on it"),
    cl::init(1), cl::value_desc("N"), cl::cat(category));
static cl::opt<bool> printTime("time",
                               cl::desc("Print load/schedule/run wall times "
                                        "and simulated MACs per host second"),
                               cl::cat(category));

static int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "mote-sim") << message << "\n";
  return 1;
}

static std::string fileNameFor(llvm::StringRef name) {
  std::string out;
  for (char c : name)
    out += (llvm::isAlnum(c) || c == '-' || c == '_' || c == '.') ? c : '_';
  return out.empty() ? "output" : out;
}

static std::string shapeString(llvm::ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

static llvm::Expected<isa::Program> loadProgram(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return llvm::createStringError(buffer.getError(),
                                   path + ": " + buffer.getError().message());
  llvm::StringRef bytes = (*buffer)->getBuffer();
  if (path.ends_with(".masm"))
    return isa::parseMasm(bytes, path);
  return isa::readMbin(
      llvm::ArrayRef<uint8_t>(
          reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size()),
      path);
}

/// Binds --input specs to the program's inputs (by name, npz member name,
/// then in order).
static std::string bindInputs(const sim::Simulator &sim,
                              std::vector<HostTensor> &bound) {
  auto descs = sim.inputs();
  std::vector<std::optional<HostTensor>> args(descs.size());
  std::vector<std::string> argPaths(descs.size()), positionalPaths;
  std::vector<HostTensor> positional;
  auto names = [&] {
    std::string s;
    for (size_t i = 0; i < descs.size(); ++i)
      s += (i ? ", " : "") + descs[i]->name;
    return s;
  };
  for (const std::string &spec : inputSpecs) {
    llvm::StringRef name, path = spec;
    if (spec.find('=') != std::string::npos)
      std::tie(name, path) = llvm::StringRef(spec).split('=');
    auto tensors = tools::readTensorFile(path);
    if (!tensors)
      return llvm::toString(tensors.takeError());
    if (!name.empty() && tensors->size() > 1) {
      auto it = llvm::find_if(*tensors,
                              [&](const HostTensor &t) { return t.name == name; });
      if (it == tensors->end())
        return (path + ": has no member named '" + name + "'").str();
      HostTensor member = std::move(*it);
      tensors->assign(1, std::move(member));
    }
    for (HostTensor &t : *tensors) {
      std::string key = !name.empty() ? name.str() : t.name;
      if (key.empty()) {
        positional.push_back(std::move(t));
        positionalPaths.push_back(path.str());
        continue;
      }
      auto it = llvm::find_if(
          descs, [&](const isa::IODesc *d) { return d->name == key; });
      if (it == descs.end())
        return (path + ": no input named '" + key +
                "' (the program takes: " + names() + ")")
            .str();
      size_t index = it - descs.begin();
      if (args[index])
        return "input '" + key + "' is given twice";
      args[index] = std::move(t);
      argPaths[index] = path.str();
    }
  }
  size_t next = 0;
  for (size_t i = 0; i < args.size() && next < positional.size(); ++i)
    if (!args[i]) {
      argPaths[i] = positionalPaths[next];
      args[i] = std::move(positional[next++]);
    }
  if (next < positional.size())
    return "too many inputs: the program takes " +
           std::to_string(descs.size()) + " (" + names() + ")";
  for (size_t i = 0; i < args.size(); ++i) {
    if (!args[i])
      return "missing input '" + descs[i]->name + "' (shape " +
             shapeString(descs[i]->shape) + "); pass --input " +
             descs[i]->name + "=FILE.npy";
    // NaN has no quantized value (numerics would make it the zero point):
    // name the file rather than simulate made-up data.
    if (args[i]->isFloat())
      for (int64_t e = 0, n = args[i]->numElements(); e < n; ++e)
        if (std::isnan(args[i]->getDouble(e)))
          return argPaths[i] + ": input '" + descs[i]->name + "' element " +
                 std::to_string(e) +
                 " is NaN, which the quantized input cannot hold";
    bound.push_back(std::move(*args[i]));
  }
  return "";
}

/// Samples in the inputs: k when every input's leading dimension is k
/// times its descriptor's and the rest agree; 0 with `error` otherwise.
static int64_t batchFactor(const sim::Simulator &sim,
                           llvm::ArrayRef<HostTensor> inputs,
                           std::string &error) {
  int64_t k = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const isa::IODesc &d = *sim.inputs()[i];
    const HostTensor &t = inputs[i];
    int64_t ki = -1;
    if (llvm::ArrayRef<int64_t>(t.shape) == llvm::ArrayRef<int64_t>(d.shape))
      ki = 1;
    else if (!d.shape.empty() && t.shape.size() == d.shape.size() &&
             d.shape[0] > 0 && t.shape[0] % d.shape[0] == 0 &&
             t.shape[0] > 0 &&
             std::equal(t.shape.begin() + 1, t.shape.end(),
                        d.shape.begin() + 1))
      ki = t.shape[0] / d.shape[0];
    if (ki < 0) {
      error = "input '" + d.name + "': expected shape " +
              shapeString(d.shape) + " (or a batch of such samples), got " +
              shapeString(t.shape);
      return 0;
    }
    if (k && ki != k) {
      error = "input '" + d.name + "' holds " + std::to_string(ki) +
              " samples but an earlier input holds " + std::to_string(k);
      return 0;
    }
    k = ki;
  }
  return k ? k : 1;
}

static void printSummary(const HostTensor &t) {
  int64_t n = t.numElements();
  double mn = INFINITY, mx = -INFINITY, sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    double v = t.getDouble(i);
    mn = std::min(mn, v);
    mx = std::max(mx, v);
    sum += v;
  }
  llvm::outs() << t.name << ": shape " << shapeString(t.shape) << " "
               << dtypeName(t.dtype);
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

static llvm::Error writeJSON(llvm::StringRef path, llvm::json::Value value) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return llvm::createStringError(ec, path + ": " + ec.message());
  os << llvm::formatv("{0:2}", value) << "\n";
  return llvm::Error::success();
}

int main(int argc, char **argv) {
  llvm::InitLLVM y(argc, argv);
  // `--stats FILE` / `--stats=FILE` -> `--stats-file=FILE`.
  std::vector<std::string> rewritten;
  for (int i = 0; i < argc; ++i) {
    llvm::StringRef arg = argv[i];
    llvm::StringRef rest = arg;
    if (i > 0 && (rest.consume_front("--stats") || rest.consume_front("-stats"))) {
      if (rest.empty() && i + 1 < argc) {
        rewritten.push_back(std::string("--stats-file=") + argv[++i]);
        continue;
      }
      if (rest.starts_with("=")) {
        rewritten.push_back(("--stats-file" + rest).str());
        continue;
      }
    }
    rewritten.push_back(arg.str());
  }
  std::vector<const char *> args;
  for (const std::string &a : rewritten)
    args.push_back(a.c_str());
  argc = int(args.size());
  cl::opt<int> *threads = tools::adoptThreadsOption(
      category, "Worker threads for a batch of samples (0 = all cores)");
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, args.data(),
      "mote-sim: run a compiled Mote NPU program on the simulator\n\n"
      "Validates the program against its target, executes it bit-exactly "
      "and reports cycles, time, energy, power and MAC-array utilisation "
      "per layer (docs/Simulator.md).\n\n"
      "  mote-sim model.mbin --input x=image.npy --output-dir out/\n"
      "  mote-sim model.mbin --input images.npy --stats s.json --trace t.json\n\n"
      "Inputs are float arrays in the framework's layout (e.g. NCHW), "
      "quantized with the program's input parameters; outputs are "
      "dequantized float32 .npy files. --raw exchanges integer storage "
      "values instead.\n");

  using Clock = std::chrono::steady_clock;
  auto seconds = [](Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
  };
  auto t0 = Clock::now();
  auto program = loadProgram(programPath);
  if (!program)
    return fail(llvm::toString(program.takeError()));
  std::string targetName =
      targetSpec.empty() ? program->targetName : targetSpec.getValue();
  if (targetName.empty())
    return fail(programPath + ": the program records no target name; pass "
                              "--target NAME|FILE.json");
  auto target = loadTarget(targetName);
  if (!target)
    return fail(programPath +
                (targetSpec.empty() ? ": the program's target: " : ": ") +
                llvm::toString(target.takeError()));
  auto t1 = Clock::now();
  auto host = sim::createInterpreterHostRunner(*program, programPath);
  if (!host)
    return fail(llvm::toString(host.takeError()));
  auto sim = sim::Simulator::create(std::move(*program), std::move(*target),
                                    programPath, std::move(*host));
  if (!sim)
    return fail(llvm::toString(sim.takeError()));
  const sim::Simulator &simulator = **sim;
  auto t2 = Clock::now();

  std::vector<HostTensor> inputs;
  std::string error = bindInputs(simulator, inputs);
  if (!error.empty())
    return fail(error);
  int64_t samples = batchFactor(simulator, inputs, error);
  if (samples == 0)
    return fail(error);
  if (threads && *threads < 0)
    return fail("--threads must be >= 0");
  unsigned workers = threads && *threads > 0
                         ? unsigned(threads->getValue())
                         : std::max(1u, std::thread::hardware_concurrency());
  workers = unsigned(std::max<int64_t>(1, std::min<int64_t>(workers, samples)));

  // With --batch-major N each worker runs groups of N samples batch-major
  // (Simulator::runBatch): a step on every sample of the group before the
  // next step.
  int64_t group = std::max<int64_t>(
      1, std::min<int64_t>({int64_t(batchMajor), simulator.batchMachines(),
                            (samples + workers - 1) / workers}));
  int64_t groups = (samples + group - 1) / group;
  std::vector<std::vector<HostTensor>> outputs(samples);
  llvm::Error runError = tools::forEachSample(
      groups, workers, "mote-sim",
      [&](unsigned, int64_t g) -> llvm::Error {
        std::vector<std::vector<HostTensor>> batch;
        for (int64_t i = g * group; i < std::min(samples, (g + 1) * group);
             ++i) {
          batch.emplace_back();
          for (const HostTensor &t : inputs)
            batch.back().push_back(tools::sliceSample(t, i, samples));
        }
        auto result = simulator.runBatch(batch, raw);
        if (!result)
          return llvm::createStringError(
              llvm::inconvertibleErrorCode(),
              (samples > 1 ? "samples " + std::to_string(g * group) + ".." +
                                 std::to_string(g * group + batch.size() - 1) +
                                 ": "
                           : std::string()) +
                  llvm::toString(result.takeError()));
        for (size_t k = 0; k < batch.size(); ++k)
          outputs[g * group + k] = std::move((*result)[k]);
        return llvm::Error::success();
      },
      group > 1 ? "groups of " + std::to_string(group) + " samples"
                : std::string("samples"));
  if (runError)
    return fail(llvm::toString(std::move(runError)));
  auto t3 = Clock::now();

  // Stack the samples' outputs along dimension 0.
  std::vector<HostTensor> results = tools::stackSamples(outputs);
  if (!outputDir.empty())
    if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
      return fail(outputDir + ": cannot create directory: " + ec.message());
  for (const HostTensor &t : results) {
    printSummary(t);
    if (outputDir.empty())
      continue;
    llvm::SmallString<128> path(outputDir);
    llvm::sys::path::append(path, fileNameFor(t.name) + ".npy");
    if (llvm::Error e = writeNpy(path, t))
      return fail(llvm::toString(std::move(e)));
  }

  const sim::Stats &stats = simulator.stats();
  if (!quiet) {
    if (samples > 1)
      llvm::outs() << samples << " samples; figures are per inference\n";
    sim::printReport(stats, simulator.target(), llvm::outs());
  }
  if (!statsPath.empty())
    if (llvm::Error e =
            writeJSON(statsPath, sim::toJSON(stats, simulator.target())))
      return fail(llvm::toString(std::move(e)));
  if (!tracePath.empty())
    if (llvm::Error e = writeJSON(tracePath, sim::toChromeTrace(stats)))
      return fail(llvm::toString(std::move(e)));
  if (printTime) {
    double run = seconds(t2, t3);
    double macs = double(stats.total.events.digitMacs) * double(samples);
    llvm::errs() << llvm::format(
        "time: load %.3f s, schedule %.3f s, run %.3f s (%lld samples, %u "
        "threads); %.3g simulated digit-MACs per host second\n",
        seconds(t0, t1), seconds(t1, t2), run, (long long)samples, workers,
        run > 0 ? macs / run : 0.0);
  }
  return 0;
}
