//===- MixedPrecision.cpp - Energy-aware mixed-precision search -----------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Chooses each layer's (weight bits, activation bits) to minimise the
// target cost model's energy (or latency) under a top-1 budget measured on
// the calibration data (DESIGN §5, docs/MixedPrecision.md). Every trial is
// real: the calibrated float module is cloned, quantized by
// --mote-quantize with a plan (refinements on), run on the interpreter, and
// priced by the simulator on the program the backend compiles from it
// (mote/Quant/CostModel.h priceFunction) — so the search, its verification
// and any later report use one quantizer and the one cost model.
//
//===----------------------------------------------------------------------===//

#include "mote/Quant/Passes.h"

#include "Mote/MoteInterfaces.h"
#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"
#include "mote/Quant/CalibrationData.h"
#include "mote/Quant/CostModel.h"
#include "mote/Quant/Quantize.h"
#include "mote/Quant/RemarkStream.h"
#include "mote/Target/TargetDescription.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/EquivalenceClasses.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Debug.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <set>

namespace mote {
#define GEN_PASS_DEF_MOTEMIXEDPRECISION
#include "mote/Quant/Passes.h.inc"
} // namespace mote

using namespace mlir;
using namespace mote;
using namespace mote::quant;

#define DEBUG_TYPE "mote-mixed-precision"

namespace {

/// One (weight bits, activation bits) choice.
struct Candidate {
  unsigned w = 8, a = 8;
  bool operator==(const Candidate &o) const { return w == o.w && a == o.a; }
  bool operator<(const Candidate &o) const {
    return std::make_pair(w, a) < std::make_pair(o.w, o.a);
  }
  std::string name() const {
    return ("w" + Twine(w) + "a" + Twine(a)).str();
  }
};

constexpr Candidate kBaseline{8, 8};

/// Parses `w8a8,w4a8,...`; error text on failure.
static std::optional<std::vector<Candidate>>
parseCandidates(StringRef text, std::string &error) {
  std::vector<Candidate> out;
  SmallVector<StringRef> items;
  text.split(items, ',', -1, /*KeepEmpty=*/false);
  for (StringRef item : items) {
    item = item.trim();
    Candidate c;
    StringRef rest = item.lower() == item ? item : StringRef();
    auto [wPart, aPart] = rest.drop_front(rest.starts_with("w") ? 1 : 0)
                              .split('a');
    if (!rest.starts_with("w") || wPart.getAsInteger(10, c.w) ||
        aPart.getAsInteger(10, c.a) || c.w < 2 || c.w > 8 || c.a < 2 ||
        c.a > 8) {
      error = ("bad candidate '" + item +
               "': expected WnAm (e.g. w4a8) with bits in [2, 8]")
                  .str();
      return std::nullopt;
    }
    if (!llvm::is_contained(out, c))
      out.push_back(c);
  }
  if (out.empty()) {
    error = "no candidates given";
    return std::nullopt;
  }
  return out;
}


/// The roles ops play in the search.
enum class Role { None, Product, Activation, SameType };

static bool isFloatConstant(Value v) {
  auto c = v.getDefiningOp<ConstantOp>();
  return c && cast<RankedTensorType>(c.getType()).getElementType().isF32();
}

/// The quantizer's kind of each op (QuantizableOpInterface), as the search
/// sees it: products decide weight and activation bits, rescaling and
/// table ops their activation bits, same-type ops follow their producer.
static Role roleOf(Operation *op) {
  auto quantizable = dyn_cast<QuantizableOpInterface>(op);
  if (!quantizable)
    return Role::None;
  switch (quantizable.getQuantizationKind()) {
  case QuantizationKind::Product:
    // Products whose weights are not constants stay in float.
    return isFloatConstant(quantizable.getProductOperands().weight)
               ? Role::Product
               : Role::None;
  case QuantizationKind::Rescale:
  case QuantizationKind::Table:
    return Role::Activation;
  case QuantizationKind::SameType:
    return Role::SameType;
  }
  llvm_unreachable("unknown QuantizationKind");
}

/// A decision unit: ops that take one choice (a layer, or layers tied by a
/// residual add).
struct Group {
  SmallVector<Operation *> ops; ///< Calibrated ops it decides, in order.
  bool hasProduct = false;
  std::vector<Candidate> candidates; ///< Excluding the baseline.
  std::string label;                 ///< For messages: first op's key.
};

/// What one trial measured.
struct Trial {
  double agreement = 0; ///< Top-1 agreement with float, percent.
  double nmse = 0;      ///< Output MSE / mean square of the float output.
  FunctionCost cost;
};

struct MoteMixedPrecisionPass
    : public mote::impl::MoteMixedPrecisionBase<MoteMixedPrecisionPass> {
  using MoteMixedPrecisionBase::MoteMixedPrecisionBase;

  void runOnOperation() override;

private:
  LogicalResult buildGroups(func::FuncOp fn);
  std::string planText(ArrayRef<Candidate> choice) const;
  /// The plan of `choice`, handed to the quantizer in memory.
  PrecisionPlan planOf(ArrayRef<Candidate> choice) const;
  /// The quantizer's settings for every trial and the final run.
  QuantizeConfig quantizeConfig() const;
  FailureOr<Trial> runTrial(ArrayRef<Candidate> choice);
  double costOf(const FunctionCost &c) const {
    return objective == "latency" ? c.total.cycles : c.total.energyPJ();
  }
  LogicalResult writePlan(StringRef path, ArrayRef<Candidate> choice,
                          const Trial &base, const Trial &final);

  TargetDescription targetDesc;
  std::string fnName;
  std::vector<Sample> samples;
  std::vector<std::vector<float>> reference; ///< Float first output per sample.
  std::vector<int64_t> referenceTop1;
  double referencePower = 0;
  std::vector<Group> groups;
  /// Plan key of each decided op, and the group it belongs to.
  llvm::DenseMap<Operation *, std::string> keyOf;
  llvm::DenseMap<Operation *, unsigned> groupOf;
  /// Keys in first-appearance order with their group.
  std::vector<std::pair<std::string, unsigned>> keys;
  std::vector<Operation *> calibOps;
  std::vector<Candidate> candidateList;
  double budgetLoss = 0;
};

} // namespace

//===----------------------------------------------------------------------===//
// Units and ties
//===----------------------------------------------------------------------===//

LogicalResult MoteMixedPrecisionPass::buildGroups(func::FuncOp fn) {
  llvm::DenseMap<Operation *, unsigned> calibIndex;
  for (Operation &op : fn.getBody().front())
    if (op.hasAttr(kCalibAttr)) {
      calibIndex[&op] = calibOps.size();
      calibOps.push_back(&op);
    }
  if (calibOps.empty())
    return fn.emitError() << "mote-mixed-precision: no mote.calib ranges in '"
                          << fn.getSymName()
                          << "'; run --mote-calibrate first";

  // Units: products and ops with their own activation type.
  llvm::EquivalenceClasses<Operation *> ties;
  for (Operation *op : calibOps) {
    Role r = roleOf(op);
    if (r == Role::Product || r == Role::Activation)
      ties.insert(op);
  }
  // The unit that produces `v`, through ops that keep their input's type.
  auto producer = [&](Value v) -> Operation * {
    while (Operation *def = v.getDefiningOp()) {
      if (ties.contains(def))
        return def;
      if (roleOf(def) != Role::SameType)
        return nullptr;
      v = def->getOperand(0);
    }
    return nullptr;
  };
  // Residual branches: the producers of a multi-input rescaling op's
  // operands share one choice (one activation precision).
  for (Operation *op : calibOps) {
    if (!isa<AddOp, SubOp, MulOp, MaximumOp, MinimumOp, ConcatOp>(op))
      continue;
    Operation *first = nullptr;
    for (Value v : op->getOperands())
      if (Operation *p = producer(v)) {
        if (first)
          ties.unionSets(first, p);
        else
          first = p;
      }
  }
  // Same-type ops follow the unit that produces their input; on a function
  // argument, the unit that consumes them (their precision quantizes it).
  llvm::DenseMap<Operation *, Operation *> follows;
  for (Operation *op : calibOps) {
    if (roleOf(op) != Role::SameType)
      continue;
    if (Operation *p = producer(op->getOperand(0))) {
      follows[op] = p;
      continue;
    }
    Operation *cur = op;
    while (cur && !follows.count(op)) {
      Operation *next = nullptr;
      for (Operation *user : cur->getResult(0).getUsers()) {
        if (ties.contains(user)) {
          follows[op] = user;
          break;
        }
        if (roleOf(user) == Role::SameType && !next)
          next = user;
      }
      cur = next;
    }
  }

  llvm::DenseMap<Operation *, unsigned> groupOfLeader;
  for (Operation *op : calibOps) {
    Operation *unit = ties.contains(op) ? op : follows.lookup(op);
    if (!unit)
      continue;
    Operation *leader = ties.getLeaderValue(unit);
    auto [it, inserted] = groupOfLeader.try_emplace(leader, groups.size());
    if (inserted)
      groups.emplace_back();
    Group &g = groups[it->second];
    g.ops.push_back(op);
    g.hasProduct |= roleOf(op) == Role::Product;
    groupOf[op] = it->second;
  }

  // Keys: the location name where it names only ops of one group (and is
  // a plan-file token), else #N.
  llvm::StringMap<std::set<int>> groupsOfName;
  for (Operation *op : calibOps) {
    std::string name = locationName(op->getLoc());
    auto g = groupOf.find(op);
    groupsOfName[name].insert(g == groupOf.end() ? -1 : int(g->second));
  }
  llvm::StringMap<bool> seen;
  for (Operation *op : calibOps) {
    auto g = groupOf.find(op);
    if (g == groupOf.end())
      continue;
    std::string name = locationName(op->getLoc());
    bool usable = !name.empty() && name != "*" && !StringRef(name).contains('#') &&
                  llvm::none_of(name, [](char c) { return isspace(c); }) &&
                  groupsOfName[name].size() == 1;
    std::string key =
        usable ? name : "#" + std::to_string(calibIndex.lookup(op));
    keyOf[op] = key;
    if (!seen[key]) {
      seen[key] = true;
      keys.emplace_back(key, g->second);
    }
  }
  for (Group &g : groups) {
    g.label = keyOf.lookup(g.ops.front());
    // Activation-only units take the candidates' activation widths.
    for (const Candidate &c : candidateList) {
      Candidate k = g.hasProduct ? c : Candidate{8, c.a};
      if (!(k == kBaseline) && !llvm::is_contained(g.candidates, k))
        g.candidates.push_back(k);
    }
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Trials
//===----------------------------------------------------------------------===//

std::string MoteMixedPrecisionPass::planText(ArrayRef<Candidate> choice) const {
  std::string text;
  llvm::raw_string_ostream os(text);
  for (auto &[key, g] : keys)
    os << key << " " << choice[g].w << " " << choice[g].a << "\n";
  os << "* 8 8\n";
  return text;
}

static LogicalResult writeFile(StringRef path, StringRef text,
                               std::string &error) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_Text);
  if (!ec) {
    os << text;
    os.close();
    ec = os.error();
  }
  if (ec) {
    error = (path + ": cannot write: " + ec.message()).str();
    return failure();
  }
  return success();
}

QuantizeConfig MoteMixedPrecisionPass::quantizeConfig() const {
  QuantizeConfig config; // int8 outside the plan, as the plan's `*` line
  config.data = refine ? std::string(data) : std::string();
  config.maxSamples = 0; // Refinements use all data, as the user's run would.
  config.entry = fnName;
  config.threads = threads;
  return config;
}

/// The plan planText writes, keyed as a plan file's lines are.
PrecisionPlan MoteMixedPrecisionPass::planOf(ArrayRef<Candidate> choice) const {
  PrecisionPlan plan;
  for (auto &[key, g] : keys)
    plan.set(key, {choice[g].w, choice[g].a});
  plan.set("*", {kBaseline.w, kBaseline.a});
  return plan;
}

FailureOr<Trial> MoteMixedPrecisionPass::runTrial(ArrayRef<Candidate> choice) {
  ModuleOp module = getOperation();
  MLIRContext *ctx = module.getContext();
  PrecisionPlan plan = planOf(choice);
  LLVM_DEBUG(llvm::dbgs() << "mote-mixed-precision: trial\n"
                          << planText(choice));
  OwningOpRef<ModuleOp> clone(module.clone());
  auto fn = clone->lookupSymbol<func::FuncOp>(fnName);
  // Stamp each decided op with its plan key, so the cost groups by line.
  auto original = module.lookupSymbol<func::FuncOp>(fnName);
  for (auto [o, c] : llvm::zip(original.getBody().front(),
                               fn.getBody().front()))
    if (auto it = keyOf.find(&o); it != keyOf.end())
      c.setAttr(kLayerAttr, StringAttr::get(ctx, it->second));

  std::string diagnostics;
  {
    // The trial's remarks (ops kept in float) are the final run's too:
    // only errors are kept, for the message.
    ScopedDiagnosticHandler handler(ctx, [&](Diagnostic &d) {
      if (d.getSeverity() == DiagnosticSeverity::Error)
        diagnostics += d.str() + "\n";
      return success();
    });
    if (failed(quantizeModule(*clone, quantizeConfig(), plan))) {
      module.emitError() << "mote-mixed-precision: quantizing the trial plan ("
                         << planText(choice) << ") failed: " << diagnostics;
      return failure();
    }
  }
  fn = clone->lookupSymbol<func::FuncOp>(fnName);
  auto interp = interp::Interpreter::create(fn, {threads});
  if (!interp) {
    module.emitError() << "mote-mixed-precision: the quantized trial cannot "
                          "run: "
                       << llvm::toString(interp.takeError());
    return failure();
  }
  Trial t;
  double agree = 0, err = 0;
  for (auto [i, sample] : llvm::enumerate(samples)) {
    auto out = (*interp)->run(sample);
    if (!out) {
      module.emitError() << "mote-mixed-precision: the quantized trial failed "
                            "on sample "
                         << i << ": " << llvm::toString(out.takeError());
      return failure();
    }
    const HostTensor &y = out->front();
    const std::vector<float> &ref = reference[i];
    if (y.numElements() != int64_t(ref.size())) {
      module.emitError("mote-mixed-precision: the quantized output's shape "
                       "differs from the float one");
      return failure();
    }
    int64_t best = 0;
    for (int64_t k = 0; k < y.numElements(); ++k) {
      double v = y.getDouble(k);
      if (v > y.getDouble(best))
        best = k;
      err += (v - ref[k]) * (v - ref[k]);
    }
    agree += best == referenceTop1[i];
  }
  t.agreement = 100.0 * agree / double(samples.size());
  t.nmse = referencePower > 0 ? err / referencePower : 0.0;
  FailureOr<FunctionCost> cost = priceFunction(fn, target, targetDesc);
  if (failed(cost))
    return failure();
  t.cost = std::move(*cost);
  return t;
}

//===----------------------------------------------------------------------===//
// Plan file
//===----------------------------------------------------------------------===//

LogicalResult MoteMixedPrecisionPass::writePlan(StringRef path,
                                                ArrayRef<Candidate> choice,
                                                const Trial &base,
                                                const Trial &final) {
  std::string text;
  llvm::raw_string_ostream os(text);
  double e0 = base.cost.energyUJ(), e1 = final.cost.energyUJ();
  double l0 = base.cost.latencyUs(targetDesc),
         l1 = final.cost.latencyUs(targetDesc);
  auto pct = [](double a, double b) { return b > 0 ? 100.0 * (a - b) / b : 0; };
  os << "# Mote precision plan, written by --mote-mixed-precision; read by\n"
     << "# --mote-quantize=plan=FILE (lines: KEY WEIGHT_BITS ACT_BITS; edit "
        "freely).\n";
  os << "# target: " << targetDesc.name << " (hash "
     << llvm::format_hex(targetDesc.hash(), 18) << "), digit "
     << targetDesc.macArray.digitBits << " bits; objective: " << objective
     << "\n";
  os << llvm::format("# budget: %.2f points of top-1 agreement with float "
                     "lost vs uniform int8, on %zu calibration samples\n",
                     budgetLoss, samples.size());
  os << llvm::format("# measured: int8 %.2f %%, plan %.2f %% agreement -> "
                     "loss %.2f points\n",
                     base.agreement, final.agreement,
                     base.agreement - final.agreement);
  os << llvm::format("# simulated energy: %.4f uJ vs int8 %.4f uJ (%+.1f %%); "
                     "latency %.2f us vs %.2f us (%+.1f %%)\n",
                     e1, e0, pct(e1, e0), l1, l0, pct(l1, l0));
  os << "# candidates: " << candidates << "\n";
  os << "#\n# KEY  WEIGHT_BITS  ACT_BITS    # energy uJ (int8 uJ), group\n";
  size_t width = 8;
  for (auto &[key, g] : keys)
    width = std::max(width, key.size());
  for (auto &[key, g] : keys) {
    const LayerCost *l = final.cost.find(key);
    const LayerCost *l0c = base.cost.find(key);
    os << key << std::string(width + 2 - key.size(), ' ') << choice[g].w
       << "  " << choice[g].a
       << llvm::format("    # %.4f (%.4f)", l ? l->energyPJ() * 1e-6 : 0.0,
                       l0c ? l0c->energyPJ() * 1e-6 : 0.0)
       << " g" << g;
    // More than one unit in a group: tied by a residual add / concat.
    if (llvm::count_if(groups[g].ops, [](Operation *op) {
          Role r = roleOf(op);
          return r == Role::Product || r == Role::Activation;
        }) > 1)
      os << " (tied: residual branches)";
    os << "\n";
  }
  double rest = 0, rest0 = 0;
  for (const LayerCost &l : final.cost.layers)
    if (!llvm::any_of(keys, [&](auto &k) { return k.first == l.key; }))
      rest += l.energyPJ() * 1e-6;
  for (const LayerCost &l : base.cost.layers)
    if (!llvm::any_of(keys, [&](auto &k) { return k.first == l.key; }))
      rest0 += l.energyPJ() * 1e-6;
  os << "*" << std::string(width + 1, ' ') << "8  8"
     << llvm::format("    # %.4f (%.4f) everything else (layers "
                     "without a plan line: pools, adds, copies)\n",
                     rest, rest0);
  std::string error;
  if (failed(writeFile(path, text, error)))
    return getOperation().emitError() << "mote-mixed-precision: " << error;
  return success();
}

//===----------------------------------------------------------------------===//
// The search
//===----------------------------------------------------------------------===//

void MoteMixedPrecisionPass::runOnOperation() {
  ModuleOp module = getOperation();
  auto fail = [&](const Twine &msg) {
    module.emitError() << "mote-mixed-precision: " << msg;
    signalPassFailure();
  };
  if (data.empty())
    return fail("data= is required: the calibration samples the budget is "
                "measured on (.npy, .npz or a directory)");
  if (objective != "energy" && objective != "latency")
    return fail("unknown objective '" + objective +
                "'; expected energy or latency");
  if (!(budget >= 0.0) || budget > 100.0)
    return fail("budget must be in [0, 100] points, got " + std::to_string(double(budget)));
  if (!quantize && planOut.empty())
    return fail("quantize=false needs plan-out=FILE (otherwise the plan is "
                "lost)");
  std::string error;
  auto parsed = parseCandidates(candidates, error);
  if (!parsed)
    return fail(error);
  candidateList = std::move(*parsed);
  auto target = loadTarget(this->target);
  if (!target)
    return fail(llvm::toString(target.takeError()));
  targetDesc = std::move(*target);
  budgetLoss = budget;

  func::FuncOp fn = findEntryFunction(module, entry, "mote-mixed-precision");
  if (!fn)
    return signalPassFailure();
  fnName = fn.getSymName().str();
  if (failed(buildGroups(fn)))
    return signalPassFailure();

  // The float reference on the calibration samples.
  {
    auto interp = interp::Interpreter::create(fn, {threads});
    if (!interp)
      return fail("the float model cannot run: " +
                  llvm::toString(interp.takeError()));
    if (failed(loadCalibrationSamples(fn, **interp, data, maxSamples,
                                      "mote-mixed-precision", samples)))
      return signalPassFailure();
    if (samples.empty())
      return fail("no calibration samples in '" + data + "'");
    for (const Sample &s : samples) {
      auto out = (*interp)->run(s);
      if (!out)
        return fail("the float model failed: " +
                    llvm::toString(out.takeError()));
      const HostTensor &y = out->front();
      std::vector<float> v(y.numElements());
      int64_t best = 0;
      for (int64_t k = 0; k < y.numElements(); ++k) {
        v[k] = float(y.getDouble(k));
        referencePower += double(v[k]) * v[k];
        if (v[k] > v[best])
          best = k;
      }
      reference.push_back(std::move(v));
      referenceTop1.push_back(best);
    }
  }

  // Baseline and sensitivity: each group alone at each candidate.
  std::vector<Candidate> baseChoice(groups.size(), kBaseline);
  FailureOr<Trial> base = runTrial(baseChoice);
  if (failed(base))
    return signalPassFailure();
  double baseCost = costOf(base->cost);
  // Progress and results are remarks: the tool decides where they go.
  RemarkStream err(reportLocation(module));
  err << llvm::format("mixed-precision: %zu samples, %zu decision units, "
                      "int8: agreement %.2f %%, energy %.4f uJ, latency %.2f "
                      "us\n",
                      samples.size(), groups.size(), base->agreement,
                      base->cost.energyUJ(),
                      base->cost.latencyUs(targetDesc));
  struct Sens {
    double saving = 0, loss = 0, nmse = 0;
  };
  // sens[g][c]: c indexes groups[g].candidates; the baseline is all zeros.
  std::vector<std::vector<Sens>> sens(groups.size());
  for (auto [g, group] : llvm::enumerate(groups)) {
    for (const Candidate &c : group.candidates) {
      std::vector<Candidate> choice = baseChoice;
      choice[g] = c;
      FailureOr<Trial> t = runTrial(choice);
      if (failed(t))
        return signalPassFailure();
      Sens s{baseCost - costOf(t->cost), base->agreement - t->agreement,
             t->nmse - base->nmse};
      sens[g].push_back(s);
      err << llvm::format("mixed-precision:   %-28s %s  loss %+.2f  "
                          "output error %+.2e  %s %+.1f %%\n",
                          group.label.c_str(), c.name().c_str(), s.loss,
                          s.nmse, objective.getValue().c_str(),
                          baseCost > 0 ? -100.0 * s.saving / baseCost : 0.0);
    }
  }

  // Greedy multiple-choice knapsack: the step with the most cost saved per
  // unit of predicted damage (loss, then output error) that keeps the
  // summed predicted loss within budget; then verify, backing off the
  // last steps while the measured loss exceeds it.
  std::vector<int> current(groups.size(), -1); // -1 = baseline
  auto sensOf = [&](unsigned g, int c) {
    return c < 0 ? Sens{} : sens[g][c];
  };
  std::set<std::pair<unsigned, int>> forbidden;
  struct Step {
    unsigned g;
    int from, to;
  };
  std::vector<Step> steps;
  auto choiceOf = [&]() {
    std::vector<Candidate> choice(groups.size(), kBaseline);
    for (unsigned g = 0; g < groups.size(); ++g)
      if (current[g] >= 0)
        choice[g] = groups[g].candidates[current[g]];
    return choice;
  };
  FailureOr<Trial> final = base;
  for (unsigned round = 0; round < 2 * groups.size() + 2; ++round) {
    size_t before = steps.size();
    while (true) {
      double predicted = 0;
      for (unsigned g = 0; g < groups.size(); ++g)
        predicted += std::max(sensOf(g, current[g]).loss, 0.0);
      int bestG = -1, bestC = -1;
      double bestRatio = 0;
      for (unsigned g = 0; g < groups.size(); ++g) {
        Sens cur = sensOf(g, current[g]);
        for (int c = 0; c < int(sens[g].size()); ++c) {
          const Sens &s = sens[g][c];
          double gain = s.saving - cur.saving;
          if (gain <= 0 || forbidden.count({g, c}))
            continue;
          double dLoss = std::max(s.loss, 0.0) - std::max(cur.loss, 0.0);
          if (predicted + dLoss > budgetLoss + 1e-9)
            continue;
          double damage = std::max(dLoss, 0.0) +
                          10.0 * std::max(s.nmse - cur.nmse, 0.0) + 1e-9;
          double ratio = gain / damage;
          if (ratio > bestRatio) {
            bestRatio = ratio;
            bestG = g;
            bestC = c;
          }
        }
      }
      if (bestG < 0)
        break;
      steps.push_back({unsigned(bestG), current[bestG], bestC});
      current[bestG] = bestC;
    }
    if (steps.size() == before)
      break;
    // Verify; while over budget, undo one group's latest step: each is
    // tried, and the undo that fits the budget at the lowest cost wins
    // (else the one that recovers the most loss per cost given back).
    final = runTrial(choiceOf());
    if (failed(final))
      return signalPassFailure();
    auto report = [&](StringRef what, const Trial &t) {
      err << llvm::format("mixed-precision: %s: loss %.2f points, %s %+.1f "
                          "%%\n",
                          what.str().c_str(), base->agreement - t.agreement,
                          objective.getValue().c_str(),
                          baseCost > 0
                              ? 100.0 * (costOf(t.cost) - baseCost) / baseCost
                              : 0.0);
    };
    report(("verify " + Twine(steps.size()) + " steps").str(), *final);
    while (base->agreement - final->agreement > budgetLoss + 1e-9 &&
           !steps.empty()) {
      double loss = base->agreement - final->agreement;
      int bestStep = -1;
      bool bestFits = false;
      double bestScore = 0;
      FailureOr<Trial> bestTrial = failure();
      for (int i = int(steps.size()) - 1; i >= 0; --i) {
        const Step &st = steps[i];
        if (current[st.g] != st.to)
          continue; // not the group's latest step
        current[st.g] = st.from;
        FailureOr<Trial> t = runTrial(choiceOf());
        current[st.g] = st.to;
        if (failed(t))
          return signalPassFailure();
        double l = base->agreement - t->agreement;
        bool fits = l <= budgetLoss + 1e-9;
        double given = costOf(t->cost) - costOf(final->cost);
        double score = fits ? -given : (loss - l) / (std::max(given, 0.0) + 1e-9);
        if (bestStep < 0 || (fits && !bestFits) ||
            (fits == bestFits && score > bestScore)) {
          bestStep = i;
          bestFits = fits;
          bestScore = score;
          bestTrial = std::move(t);
        }
      }
      Step undo = steps[bestStep];
      steps.erase(steps.begin() + bestStep);
      forbidden.insert({undo.g, undo.to});
      current[undo.g] = undo.from;
      final = std::move(bestTrial);
      report("back off " + groups[undo.g].label + " " +
                 groups[undo.g].candidates[undo.to].name(),
             *final);
    }
    if (steps.size() <= before)
      break;
  }

  std::vector<Candidate> choice = choiceOf();
  err << llvm::format("mixed-precision: loss %.2f points (budget %.2f), "
                      "energy %.4f uJ vs int8 %.4f uJ (%+.1f %%), latency "
                      "%.2f us vs %.2f us\n",
                      base->agreement - final->agreement, budgetLoss,
                      final->cost.energyUJ(), base->cost.energyUJ(),
                      base->cost.energyUJ() > 0
                          ? 100.0 * (final->cost.energyUJ() -
                                     base->cost.energyUJ()) /
                                base->cost.energyUJ()
                          : 0.0,
                      final->cost.latencyUs(targetDesc),
                      base->cost.latencyUs(targetDesc));
  for (auto [g, group] : llvm::enumerate(groups))
    err << "mixed-precision: choose " << group.label << " ("
        << group.ops.size() << " ops) " << choice[g].name() << "\n";

  if (!planOut.empty() && failed(writePlan(planOut, choice, *base, *final)))
    return signalPassFailure();
  if (!quantize)
    return;
  QuantizeSummary summary;
  if (failed(quantizeModule(module, quantizeConfig(), planOf(choice),
                            &summary)))
    return signalPassFailure();
  summary.print(err);
}
