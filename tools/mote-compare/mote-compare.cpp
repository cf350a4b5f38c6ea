//===- mote-compare.cpp - Per-layer float vs quantized comparison ---------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Runs a float model and its quantized version on the same inputs on the
// reference interpreter, pairs their layers (LayerMatch.h), dequantizes the
// quantized layer outputs and reports, per layer and for the final outputs,
// cosine similarity, SQNR, max and mean absolute error accumulated over all
// samples; with labels, top-1 accuracy of both models and their agreement.
// DESIGN §4: float-vs-quantized agreement is measured, never assumed.
//
//===----------------------------------------------------------------------===//

#include "ErrorStats.h"
#include "LayerMatch.h"
#include "WeightSQNR.h"

#include "Mote/MoteTypeUtils.h"
#include "mote/InitAllDialects.h"
#include "mote/Interp/Interpreter.h"
#include "mote/Support/Npy.h"
#include "mote/Tools/ToolSupport.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <optional>
#include <thread>

using namespace mlir;
using mote::compare::ErrorStats;
using mote::compare::LayerPair;
namespace cl = llvm::cl;

static cl::OptionCategory category("mote-compare options");

static cl::opt<std::string> floatPath(cl::Positional, cl::Required,
                                      cl::desc("<float.mlir>"),
                                      cl::cat(category));
static cl::opt<std::string> quantPath(cl::Positional, cl::Optional,
                                      cl::desc("<quantized.mlir>"),
                                      cl::cat(category));
static cl::list<std::string> synthSqnr(
    "synth-sqnr",
    cl::desc("Instead of comparing two models: the weight SQNR of every "
             "conv / fully-connected layer of the float model under uniform "
             "K*B-bit quantization and K x B-bit residual and learned "
             "synthesis terms (docs/Synthesis.md), per configuration KxB "
             "(repeatable, e.g. --synth-sqnr 2x1 --synth-sqnr 4x1)"),
    cl::value_desc("KxB"), cl::cat(category));
static cl::list<std::string> inputSpecs(
    "input",
    cl::desc("An input: [NAME=]FILE.npy, FILE.npz (each member is the input "
             "of its name) or NAME=FILE.npz (member NAME); unnamed inputs "
             "fill the remaining arguments in order. A leading dimension k "
             "times the argument's holds k samples"),
    cl::value_desc("[NAME=]FILE"), cl::cat(category));
static cl::opt<std::string>
    labelsPath("labels",
               cl::desc("Integer class labels (.npy), one per prediction of "
                        "the first output: reports top-1 accuracy"),
               cl::value_desc("FILE.npy"), cl::cat(category));
static cl::opt<std::string> jsonPath("json",
                                     cl::desc("Write the report as JSON"),
                                     cl::value_desc("FILE.json"),
                                     cl::cat(category));
static cl::opt<int64_t>
    maxSamples("samples", cl::desc("Use only the first N samples (0 = all)"),
               cl::value_desc("N"), cl::init(0), cl::cat(category));
static cl::opt<std::string>
    entry("entry",
          cl::desc("Function to run in both models (default: main, else the "
                   "only function)"),
          cl::value_desc("FUNC"), cl::cat(category));

static int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "mote-compare") << message << "\n";
  return 1;
}

static void warn(const llvm::Twine &message) {
  llvm::WithColor::warning(llvm::errs(), "mote-compare") << message << "\n";
}

//===----------------------------------------------------------------------===//
// Models and inputs
//===----------------------------------------------------------------------===//

static std::string shapeOf(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  return shaped && shaped.hasRank() ? mote::formatShape(shaped.getShape())
                                    : "?";
}

/// Both models must take and return the same things: same argument names
/// and shapes, same number and shapes of results.
static std::string checkSignatures(mote::interp::Interpreter &f,
                                   mote::interp::Interpreter &q) {
  FunctionType ft = f.function().getFunctionType();
  FunctionType qt = q.function().getFunctionType();
  if (ft.getNumInputs() != qt.getNumInputs())
    return "the models take different numbers of arguments: " + floatPath +
           " takes " + std::to_string(ft.getNumInputs()) + ", " + quantPath +
           " takes " + std::to_string(qt.getNumInputs());
  for (unsigned i = 0; i < ft.getNumInputs(); ++i) {
    if (f.argumentName(i) != q.argumentName(i))
      return "argument #" + std::to_string(i) + " is '" + f.argumentName(i) +
             "' in " + floatPath + " but '" + q.argumentName(i) + "' in " +
             quantPath;
    if (shapeOf(ft.getInput(i)) != shapeOf(qt.getInput(i)))
      return "argument '" + f.argumentName(i) + "' has shape " +
             shapeOf(ft.getInput(i)) + " in " + floatPath + " but " +
             shapeOf(qt.getInput(i)) + " in " + quantPath;
  }
  if (ft.getNumResults() != qt.getNumResults())
    return "the models return different numbers of results: " +
           std::to_string(ft.getNumResults()) + " and " +
           std::to_string(qt.getNumResults());
  for (unsigned i = 0; i < ft.getNumResults(); ++i)
    if (shapeOf(ft.getResult(i)) != shapeOf(qt.getResult(i)))
      return "result '" + f.resultName(i) + "' has shape " +
             shapeOf(ft.getResult(i)) + " in " + floatPath + " but " +
             shapeOf(qt.getResult(i)) + " in " + quantPath;
  return "";
}

//===----------------------------------------------------------------------===//
// Running and measuring
//===----------------------------------------------------------------------===//

/// What one sample contributes: error sums per row (layers, then outputs)
/// and the top-1 predictions of both models.
struct SampleResult {
  std::vector<ErrorStats> rows;
  std::vector<int64_t> floatTop1, quantTop1;
};

/// Index of the largest value of each row of `t`'s last dimension.
static std::vector<int64_t> argmaxRows(const mote::interp::Tensor &t) {
  std::vector<int64_t> out;
  if (t.shape.empty() || t.shape.back() < 2)
    return out;
  int64_t classes = t.shape.back();
  for (int64_t base = 0; base + classes <= t.numElements(); base += classes) {
    int64_t best = 0;
    double bestValue = t.realValue(base);
    for (int64_t c = 1; c < classes; ++c)
      if (double v = t.realValue(base + c); v > bestValue)
        bestValue = v, best = c;
    out.push_back(best);
  }
  return out;
}

/// One worker: a float and a quantized interpreter and the reference
/// values of the current sample.
class Worker {
public:
  Worker(const std::vector<LayerPair> &pairs, unsigned numOutputs)
      : pairs(pairs), numOutputs(numOutputs), reference(pairs.size()) {
    for (auto [row, pair] : llvm::enumerate(pairs)) {
      refRows[pair.referenceOp].push_back({pair.result, row});
      testRows[pair.quantOp].push_back({pair.result, row});
    }
  }

  llvm::Error init(func::FuncOp floatFn, func::FuncOp quantFn,
                   const mote::interp::Options &options) {
    auto f = mote::interp::Interpreter::create(floatFn, options);
    if (!f)
      return f.takeError();
    auto q = mote::interp::Interpreter::create(quantFn, options);
    if (!q)
      return q.takeError();
    floatInterp = std::move(*f);
    quantInterp = std::move(*q);
    return llvm::Error::success();
  }

  llvm::Expected<SampleResult> run(llvm::ArrayRef<mote::HostTensor> inputs) {
    SampleResult result;
    result.rows.resize(pairs.size() + numOutputs);
    auto floatOut = floatInterp->runTensors(
        inputs, [&](Operation *op,
                    llvm::ArrayRef<const mote::interp::Tensor *> results) {
          auto it = refRows.find(op);
          if (it == refRows.end())
            return;
          for (auto [r, row] : it->second) {
            const mote::interp::Tensor &t = *results[r];
            std::vector<double> &ref = reference[row];
            ref.resize(t.numElements());
            for (int64_t i = 0, e = t.numElements(); i < e; ++i)
              ref[i] = t.realValue(i);
          }
        });
    if (!floatOut)
      return llvm::createStringError(floatPath + ": " +
                                     llvm::toString(floatOut.takeError()));
    auto quantOut = quantInterp->runTensors(
        inputs, [&](Operation *op,
                    llvm::ArrayRef<const mote::interp::Tensor *> results) {
          auto it = testRows.find(op);
          if (it == testRows.end())
            return;
          for (auto [r, row] : it->second) {
            const mote::interp::Tensor &t = *results[r];
            const std::vector<double> &ref = reference[row];
            if (static_cast<int64_t>(ref.size()) != t.numElements())
              continue;
            for (int64_t i = 0, e = t.numElements(); i < e; ++i)
              result.rows[row].add(ref[i], t.realValue(i));
          }
        });
    if (!quantOut)
      return llvm::createStringError(quantPath + ": " +
                                     llvm::toString(quantOut.takeError()));
    for (unsigned o = 0; o < numOutputs; ++o) {
      const mote::interp::Tensor &f = (*floatOut)[o], &q = (*quantOut)[o];
      ErrorStats &stats = result.rows[pairs.size() + o];
      for (int64_t i = 0, e = std::min(f.numElements(), q.numElements()); i < e;
           ++i)
        stats.add(f.realValue(i), q.realValue(i));
    }
    if (numOutputs) {
      result.floatTop1 = argmaxRows((*floatOut)[0]);
      result.quantTop1 = argmaxRows((*quantOut)[0]);
    }
    return result;
  }

private:
  const std::vector<LayerPair> &pairs;
  unsigned numOutputs;
  std::unique_ptr<mote::interp::Interpreter> floatInterp, quantInterp;
  /// op -> (result index, row) for reference (float) and tested results.
  llvm::DenseMap<Operation *, llvm::SmallVector<std::pair<unsigned, size_t>>>
      refRows, testRows;
  std::vector<std::vector<double>> reference;
};

/// Runs `samples` samples on `workers` threads; results in sample order.
static llvm::Expected<std::vector<SampleResult>>
runAll(func::FuncOp floatFn, func::FuncOp quantFn,
       const std::vector<LayerPair> &pairs, unsigned numOutputs,
       llvm::ArrayRef<mote::HostTensor> inputs, int64_t batch, int64_t samples,
       unsigned workers) {
  workers = std::max(1u, std::min<unsigned>(workers, samples));
  mote::interp::Options options;
  options.threads = workers == 1 ? 0 : 1;
  std::vector<std::unique_ptr<Worker>> pool;
  for (unsigned w = 0; w < workers; ++w) {
    pool.push_back(std::make_unique<Worker>(pairs, numOutputs));
    if (llvm::Error e = pool.back()->init(floatFn, quantFn, options))
      return std::move(e);
  }
  std::vector<SampleResult> results(samples);
  llvm::Error error = mote::tools::forEachSample(
      samples, workers, "mote-compare",
      [&](unsigned w, int64_t i) -> llvm::Error {
        std::vector<mote::HostTensor> sample;
        for (const mote::HostTensor &t : inputs)
          sample.push_back(mote::tools::sliceSample(t, i, batch));
        auto result = pool[w]->run(sample);
        if (!result)
          return result.takeError();
        results[i] = std::move(*result);
        return llvm::Error::success();
      });
  if (error)
    return std::move(error);
  return results;
}

//===----------------------------------------------------------------------===//
// Report
//===----------------------------------------------------------------------===//

/// "1x14x14x8 u8", "16x3x3x8 i8/ch" (per-axis), "1x10 f32".
static std::string shortType(Type type) {
  std::string out = shapeOf(type) + " ";
  auto shaped = dyn_cast<ShapedType>(type);
  if (auto params = mote::getQuantParams(type)) {
    out += (params->isSigned ? "i" : "u") + std::to_string(params->storageBits);
    if (params->isPerAxis())
      out += "/ch";
  } else if (shaped) {
    llvm::raw_string_ostream os(out);
    shaped.getElementType().print(os);
  }
  return out;
}

static std::string typeString(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  type.print(os);
  return s;
}

static std::string formatSqnr(double db) {
  if (std::isinf(db))
    return db > 0 ? "inf" : "-inf";
  return llvm::formatv("{0:F2}", db).str();
}

static llvm::json::Value number(double v) {
  if (std::isfinite(v))
    return v;
  return nullptr; // JSON has no infinity: null means "exact" for SQNR.
}

static llvm::json::Object metrics(const ErrorStats &s) {
  return llvm::json::Object{{"cosine", number(s.cosine())},
                            {"sqnr_db", number(s.sqnrDb())},
                            {"max_abs_err", number(s.maxAbsErr)},
                            {"mean_abs_err", number(s.meanAbsErr())},
                            {"elements", s.count}};
}

struct Row {
  std::string name, kind, type;
  const ErrorStats *stats;
  bool worst = false;
};

static void printTable(llvm::raw_ostream &os, llvm::ArrayRef<Row> rows,
                       llvm::StringRef firstHeader) {
  size_t nameWidth = firstHeader.size(), kindWidth = 4,
         typeWidth = llvm::StringRef("quantized type").size();
  for (const Row &r : rows) {
    nameWidth = std::max(nameWidth, r.name.size());
    kindWidth = std::max(kindWidth, r.kind.size());
    typeWidth = std::max(typeWidth, r.type.size());
  }
  os << llvm::left_justify(firstHeader, nameWidth) << "  "
     << llvm::left_justify("kind", kindWidth) << "  "
     << llvm::left_justify("quantized type", typeWidth)
     << "    cosine   SQNR dB  max abs err  mean abs err\n";
  for (const Row &r : rows) {
    const ErrorStats &s = *r.stats;
    os << llvm::left_justify(r.name, nameWidth) << "  "
       << llvm::left_justify(r.kind, kindWidth) << "  "
       << llvm::left_justify(r.type, typeWidth)
       << llvm::format("  %8.6f  %8s  %11.4g  %12.4g", s.cosine(),
                       formatSqnr(s.sqnrDb()).c_str(), s.maxAbsErr,
                       s.meanAbsErr());
    if (r.worst)
      os << "  <- worst SQNR";
    os << "\n";
  }
}

int main(int argc, char **argv) {
  llvm::InitLLVM y(argc, argv);
  mote::tools::keepFreedMemory();
  cl::opt<int> *threads = mote::tools::adoptThreadsOption(
      category, "Worker threads, one sample each (0 = all cores)");
  cl::list<std::string> &inputShapes =
      mote::tools::inputShapeOption(category);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "mote-compare: per-layer float vs quantized comparison\n\n"
      "Runs a float model and its quantized version on the same inputs on "
      "the reference interpreter, pairs their layers by location (else by "
      "order among ops of the same kind), dequantizes the quantized results "
      "and reports cosine similarity, SQNR, max and mean absolute error per "
      "layer and for the outputs, accumulated over all samples.\n\n"
      "  mote-compare fm.mlir fm.int8.mlir --input input=images.npy \\\n"
      "      --labels labels.npy --json report.json\n\n"
      "With --synth-sqnr KxB it reports, for the float model alone, each "
      "layer's weight SQNR of uniform, residual and learned synthesis at "
      "equal bits:\n\n"
      "  mote-compare fm.onnx --synth-sqnr 2x1 --synth-sqnr 4x1\n");

  if (maxSamples < 0)
    return fail("--samples must be >= 0");
  if (threads && *threads < 0)
    return fail("--threads must be >= 0");

  DialectRegistry registry;
  mote::registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  std::string error;
  // --input-shape applies to whichever of the two models is ONNX.
  auto onnxOptionsFor = [&](llvm::StringRef path) {
    mote::OnnxImportOptions options;
    if (path.ends_with(".onnx"))
      error = mote::tools::parseInputShapes(inputShapes, path, options);
    return options;
  };
  mote::OnnxImportOptions floatOptions = onnxOptionsFor(floatPath);
  if (!error.empty())
    return fail(error);
  OwningOpRef<ModuleOp> floatModule =
      mote::tools::loadModel(floatPath, context, floatOptions, error);
  if (!floatModule)
    return fail(error);
  if (!synthSqnr.empty()) {
    std::vector<mote::compare::SynthConfig> configs;
    for (const std::string &s : synthSqnr) {
      auto c = mote::compare::parseSynthConfig(s);
      if (!c)
        return fail("--synth-sqnr '" + s +
                    "': expected KxB with K terms and B bits per term, each "
                    "in [1, 8] (e.g. 4x1)");
      configs.push_back(*c);
    }
    func::FuncOp fn =
        mote::tools::pickEntry(*floatModule, entry, floatPath, error);
    if (!fn)
      return fail(error);
    llvm::json::Array report =
        mote::compare::reportWeightSQNR(fn, configs, llvm::outs());
    if (!jsonPath.empty()) {
      std::error_code ec;
      llvm::raw_fd_ostream os(jsonPath, ec, llvm::sys::fs::OF_Text);
      if (ec)
        return fail("cannot write '" + jsonPath + "': " + ec.message());
      os << llvm::formatv("{0:2}", llvm::json::Value(llvm::json::Object{
                                       {"model", std::string(floatPath)},
                                       {"synthesis_sqnr", std::move(report)}}))
         << "\n";
    }
    return 0;
  }
  if (quantPath.empty())
    return fail("expected a quantized model after " + floatPath +
                " (or --synth-sqnr KxB)");
  mote::OnnxImportOptions quantOptions = onnxOptionsFor(quantPath);
  if (!error.empty())
    return fail(error);
  OwningOpRef<ModuleOp> quantModule =
      mote::tools::loadModel(quantPath, context, quantOptions, error);
  if (!quantModule)
    return fail(error);
  func::FuncOp floatFn =
      mote::tools::pickEntry(*floatModule, entry, floatPath, error);
  if (!floatFn)
    return fail(error);
  func::FuncOp quantFn =
      mote::tools::pickEntry(*quantModule, entry, quantPath, error);
  if (!quantFn)
    return fail(error);

  // Interpreters that check the models and name the arguments.
  auto floatCheck = mote::interp::Interpreter::create(floatFn, {1});
  if (!floatCheck)
    return fail(floatPath + ": " + llvm::toString(floatCheck.takeError()));
  auto quantCheck = mote::interp::Interpreter::create(quantFn, {1});
  if (!quantCheck)
    return fail(quantPath + ": " + llvm::toString(quantCheck.takeError()));
  error = checkSignatures(**floatCheck, **quantCheck);
  if (!error.empty())
    return fail(error);

  std::vector<mote::HostTensor> inputs;
  error = mote::tools::bindInputs(**floatCheck, inputSpecs, "the models take",
                                  inputs);
  if (!error.empty())
    return fail(error);
  int64_t batch = mote::tools::batchFactor(**floatCheck, inputs, error);
  if (batch == 0)
    return fail(error);
  int64_t samples =
      maxSamples > 0 ? std::min<int64_t>(maxSamples, batch) : batch;

  mote::compare::LayerMatch match =
      mote::compare::matchLayers(floatFn, quantFn);
  for (const std::string &w : match.warnings)
    warn(w);
  unsigned numOutputs = floatFn.getNumResults();
  std::vector<std::string> outputNames;
  for (unsigned o = 0; o < numOutputs; ++o)
    outputNames.push_back((*floatCheck)->resultName(o));

  std::optional<mote::HostTensor> labels;
  if (!labelsPath.empty()) {
    auto read = mote::readNpy(labelsPath);
    if (!read)
      return fail(llvm::toString(read.takeError()));
    if (read->isFloat())
      return fail(labelsPath + ": labels must be integers, got " +
                  mote::dtypeName(read->dtype));
    labels = std::move(*read);
  }

  unsigned workers = threads && *threads > 0
                         ? static_cast<unsigned>(threads->getValue())
                         : std::max(1u, std::thread::hardware_concurrency());
  auto results = runAll(floatFn, quantFn, match.pairs, numOutputs, inputs,
                        batch, samples, workers);
  if (!results)
    return fail(llvm::toString(results.takeError()));

  // Sum in sample order: the report is independent of the thread count.
  std::vector<ErrorStats> total(match.pairs.size() + numOutputs);
  int64_t predictions = 0, floatCorrect = 0, quantCorrect = 0, agree = 0;
  std::vector<int64_t> floatPred, quantPred;
  for (const SampleResult &s : *results) {
    for (auto [t, r] : llvm::zip(total, s.rows))
      t.merge(r);
    llvm::append_range(floatPred, s.floatTop1);
    llvm::append_range(quantPred, s.quantTop1);
  }
  predictions = floatPred.size();
  bool haveTop1 = predictions > 0 && floatPred.size() == quantPred.size();
  if (labels && !haveTop1)
    return fail(labelsPath + ": the first output has no class dimension "
                             "(its last dimension must be > 1)");
  if (labels) {
    int64_t perSample = predictions / samples;
    if (labels->numElements() != perSample * batch)
      return fail(labelsPath + ": holds " + llvm::Twine(labels->numElements()) +
                  " labels, but the inputs hold " +
                  llvm::Twine(perSample * batch) + " predictions (" +
                  llvm::Twine(batch) + " samples × " + llvm::Twine(perSample) +
                  ")");
  }
  for (int64_t i = 0; haveTop1 && i < predictions; ++i) {
    agree += floatPred[i] == quantPred[i];
    if (labels) {
      int64_t label = labels->getInt(i);
      floatCorrect += floatPred[i] == label;
      quantCorrect += quantPred[i] == label;
    }
  }

  // The table.
  size_t worst = match.pairs.size();
  for (size_t i = 0; i < match.pairs.size(); ++i)
    if (worst == match.pairs.size() ||
        total[i].sqnrDb() < total[worst].sqnrDb())
      worst = i;
  std::vector<Row> layerRows, outputRows;
  for (auto [i, pair] : llvm::enumerate(match.pairs))
    layerRows.push_back(
        {pair.name, pair.kind,
         shortType(pair.quantOp->getResult(pair.result).getType()), &total[i],
         i == worst});
  for (unsigned o = 0; o < numOutputs; ++o)
    outputRows.push_back({outputNames[o], "output",
                          shortType(quantFn.getResultTypes()[o]),
                          &total[match.pairs.size() + o], false});
  llvm::raw_ostream &os = llvm::outs();
  os << "mote-compare: " << floatPath << " vs " << quantPath << ", " << samples
     << (samples == 1 ? " sample" : " samples") << "\n\n";
  printTable(os, layerRows, "layer");
  os << "\n";
  printTable(os, outputRows, "output");
  os << "\nsummary: " << match.pairs.size() << " layers compared";
  if (worst < match.pairs.size())
    os << "; worst SQNR " << formatSqnr(total[worst].sqnrDb()) << " dB at "
       << match.pairs[worst].name << " (" << match.pairs[worst].kind << ")";
  os << "\n";
  if (numOutputs)
    os << "output '" << outputNames[0] << "': cosine "
       << llvm::format("%.6f", total[match.pairs.size()].cosine()) << ", SQNR "
       << formatSqnr(total[match.pairs.size()].sqnrDb()) << " dB\n";
  if (haveTop1) {
    os << llvm::format("top-1 agreement: %.2f %% (%lld predictions)",
                       100.0 * agree / predictions,
                       static_cast<long long>(predictions));
    if (labels)
      os << llvm::format("; accuracy: float %.2f %%, quantized %.2f %%",
                         100.0 * floatCorrect / predictions,
                         100.0 * quantCorrect / predictions);
    os << "\n";
  }
  auto describe = [](Operation *op) {
    std::string name = mote::compare::locationName(op->getLoc());
    return (op->getName().getStringRef() + (name.empty() ? "" : "@" + name))
        .str();
  };
  if (!match.unmatchedFloat.empty()) {
    os << "not compared (float only):";
    for (Operation *op : match.unmatchedFloat)
      os << " " << describe(op);
    os << "\n";
  }
  if (!match.unmatchedQuant.empty()) {
    os << "not compared (quantized only):";
    for (Operation *op : match.unmatchedQuant)
      os << " " << describe(op);
    os << "\n";
  }

  if (jsonPath.empty())
    return 0;
  llvm::json::Array layers, outputs, floatOnly, quantOnly;
  for (auto [i, pair] : llvm::enumerate(match.pairs)) {
    llvm::json::Object o = metrics(total[i]);
    o["index"] = static_cast<int64_t>(i);
    o["name"] = pair.name;
    o["kind"] = pair.kind;
    o["float_type"] =
        typeString(pair.referenceOp->getResult(pair.result).getType());
    o["quant_type"] =
        typeString(pair.quantOp->getResult(pair.result).getType());
    o["matched_by"] = pair.matchedBy;
    layers.push_back(std::move(o));
  }
  for (unsigned o = 0; o < numOutputs; ++o) {
    llvm::json::Object obj = metrics(total[match.pairs.size() + o]);
    obj["name"] = outputNames[o];
    obj["type"] = typeString(quantFn.getResultTypes()[o]);
    outputs.push_back(std::move(obj));
  }
  for (Operation *op : match.unmatchedFloat)
    floatOnly.push_back(describe(op));
  for (Operation *op : match.unmatchedQuant)
    quantOnly.push_back(describe(op));
  llvm::json::Object report{
      {"float_model", floatPath.getValue()},
      {"quant_model", quantPath.getValue()},
      {"samples", samples},
      {"layers", std::move(layers)},
      {"outputs", std::move(outputs)},
      {"unmatched", llvm::json::Object{{"float", std::move(floatOnly)},
                                       {"quant", std::move(quantOnly)}}}};
  if (worst < match.pairs.size())
    report["worst_layer"] =
        llvm::json::Object{{"name", match.pairs[worst].name},
                           {"sqnr_db", number(total[worst].sqnrDb())}};
  if (haveTop1) {
    llvm::json::Object top1{{"predictions", predictions},
                            {"agreement", double(agree) / predictions}};
    if (labels) {
      top1["float_accuracy"] = double(floatCorrect) / predictions;
      top1["quant_accuracy"] = double(quantCorrect) / predictions;
    }
    report["top1"] = std::move(top1);
  }
  std::error_code ec;
  llvm::ToolOutputFile out(jsonPath, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return fail(jsonPath + ": cannot write: " + ec.message());
  out.os() << llvm::formatv("{0:2}", llvm::json::Value(std::move(report)))
           << "\n";
  out.keep();
  return 0;
}
