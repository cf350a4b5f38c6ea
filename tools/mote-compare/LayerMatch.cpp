//===- LayerMatch.cpp - Pair the layers of a float and a quantized model --===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#include "LayerMatch.h"

#include "Mote/MoteOps.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"

#include <map>

using namespace mlir;

namespace mote::compare {

bool isComparable(Operation *op) {
  return !isa<mote::ConstantOp, mote::QuantizeOp, mote::DequantizeOp,
              mote::RequantOp, func::ReturnOp>(op) &&
         op->getNumResults() > 0;
}

std::string locationName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (std::string name = locationName(inner); !name.empty())
        return name;
  if (auto site = dyn_cast<CallSiteLoc>(loc))
    return locationName(site.getCallee());
  return "";
}

std::string locationKey(Location loc) {
  if (std::string name = locationName(loc); !name.empty())
    return name;
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    return (file.getFilename().strref() + ":" + llvm::Twine(file.getLine()) +
            ":" + llvm::Twine(file.getColumn()))
        .str();
  return "";
}

/// The group ops are ordered in for the fallback: the quantizer turns
/// nonlinear activations into `lut`, so they share one group.
static llvm::StringRef orderKind(Operation *op) {
  if (isa<mote::SigmoidOp, mote::TanhOp, mote::HardSigmoidOp, mote::HardSwishOp,
          mote::LeakyReluOp, mote::ExpOp, mote::LutOp>(op))
    return "lut";
  return op->getName().stripDialect();
}

static bool sameShapes(Operation *a, Operation *b) {
  if (a->getNumResults() != b->getNumResults())
    return false;
  for (auto [ra, rb] : llvm::zip(a->getResultTypes(), b->getResultTypes())) {
    auto ta = dyn_cast<ShapedType>(ra), tb = dyn_cast<ShapedType>(rb);
    if (!ta || !tb || !ta.hasRank() || !tb.hasRank() ||
        ta.getShape() != tb.getShape())
      return false;
  }
  return true;
}

static std::vector<Operation *> comparableOps(func::FuncOp fn) {
  std::vector<Operation *> ops;
  for (Operation &op : fn.getBody().getOps())
    if (isComparable(&op))
      ops.push_back(&op);
  return ops;
}

LayerMatch matchLayers(func::FuncOp floatFn, func::FuncOp quantFn) {
  std::vector<Operation *> floatOps = comparableOps(floatFn);
  std::vector<Operation *> quantOps = comparableOps(quantFn);
  LayerMatch match;
  llvm::DenseMap<Operation *, Operation *> pairOf; // float -> quant
  llvm::DenseSet<Operation *> quantTaken;
  llvm::DenseMap<Operation *, std::string> how;
  auto tryPair = [&](Operation *f, Operation *q, llvm::StringRef by) {
    if (!sameShapes(f, q)) {
      match.warnings.push_back(("'" + locationKey(f->getLoc()) + "' (" +
                                f->getName().getStringRef() +
                                ") and its quantized counterpart (" +
                                q->getName().getStringRef() +
                                ") have different result shapes; not compared")
                                   .str());
      return;
    }
    pairOf[f] = q;
    quantTaken.insert(q);
    how[f] = by.str();
  };

  // 1. Locations that are unique in both models.
  llvm::StringMap<int> floatCount, quantCount;
  llvm::StringMap<Operation *> quantByKey;
  for (Operation *op : floatOps)
    ++floatCount[locationKey(op->getLoc())];
  for (Operation *op : quantOps) {
    std::string key = locationKey(op->getLoc());
    ++quantCount[key];
    quantByKey[key] = op;
  }
  for (Operation *f : floatOps) {
    std::string key = locationKey(f->getLoc());
    if (key.empty() || floatCount[key] != 1 || quantCount.lookup(key) != 1)
      continue;
    tryPair(f, quantByKey[key], "location");
  }

  // 2. The rest (but clamps) by their order among ops of the same kind,
  //    only where both models have as many of that kind left.
  std::map<std::string,
           std::pair<std::vector<Operation *>, std::vector<Operation *>>>
      groups;
  for (Operation *f : floatOps)
    if (!pairOf.count(f) && !isa<mote::ClampOp>(f))
      groups[orderKind(f).str()].first.push_back(f);
  for (Operation *q : quantOps)
    if (!quantTaken.count(q) && !isa<mote::ClampOp>(q))
      groups[orderKind(q).str()].second.push_back(q);
  for (auto &[kind, group] : groups) {
    auto &[fs, qs] = group;
    if (fs.size() == qs.size()) {
      for (auto [f, q] : llvm::zip(fs, qs))
        tryPair(f, q, "order");
    } else if (!fs.empty() && !qs.empty()) {
      match.warnings.push_back(
          "the float model has " + std::to_string(fs.size()) + " unmatched '" +
          kind + "' ops, the quantized model " + std::to_string(qs.size()) +
          "; give the ops locations to pair them");
    }
  }

  // 3. Clamps follow their producer: the quantized producer is followed by
  //    a clamp too, or the quantizer folded the clamp into its result type.
  llvm::DenseMap<Operation *, Operation *> foldedClamp; // producer -> clamp
  for (Operation *f : floatOps) {
    if (!isa<mote::ClampOp>(f) || pairOf.count(f))
      continue;
    Operation *producer = f->getOperand(0).getDefiningOp();
    auto it = producer ? pairOf.find(producer) : pairOf.end();
    if (it == pairOf.end() || foldedClamp.count(producer))
      continue;
    Value qResult = it->second->getResult(0);
    Operation *qUser =
        qResult.hasOneUse() ? *qResult.getUsers().begin() : nullptr;
    if (qUser && isa<mote::ClampOp>(qUser) && !quantTaken.count(qUser)) {
      tryPair(f, qUser, "producer");
    } else if (producer->getNumResults() == 1 &&
               producer->getResult(0).hasOneUse()) {
      foldedClamp[producer] = f;
    }
  }

  // Emit in the float model's order.
  llvm::StringMap<int> kindCount;
  for (Operation *f : floatOps) {
    std::string kind = f->getName().stripDialect().str();
    int k = kindCount[kind]++;
    auto it = pairOf.find(f);
    if (it == pairOf.end()) {
      if (!llvm::is_contained(llvm::make_second_range(foldedClamp), f))
        match.unmatchedFloat.push_back(f);
      continue;
    }
    std::string name = locationName(f->getLoc());
    if (name.empty())
      name = kind + "#" + std::to_string(k);
    Operation *reference = f;
    if (Operation *clamp = foldedClamp.lookup(f)) {
      reference = clamp;
      kind += "+clamp";
    }
    for (unsigned r = 0; r < f->getNumResults(); ++r) {
      LayerPair pair;
      pair.floatOp = f;
      pair.referenceOp = reference;
      pair.quantOp = it->second;
      pair.result = r;
      pair.name =
          f->getNumResults() > 1 ? name + ":" + std::to_string(r) : name;
      pair.kind = kind;
      pair.matchedBy = how[f];
      match.pairs.push_back(std::move(pair));
    }
  }
  for (Operation *q : quantOps)
    if (!quantTaken.count(q))
      match.unmatchedQuant.push_back(q);
  return match;
}

} // namespace mote::compare
