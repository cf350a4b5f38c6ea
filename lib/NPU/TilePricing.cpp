//===- TilePricing.cpp - Tiles chosen by the simulator's prices -----------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The tiler's first-order estimate (Tiling.cpp) ranks every tile that
// fits; the final choice is priced by the one cost model, the simulator
// (issue 15). Each layer is emitted alone, as emission will emit it, in
// the context of a provisional memory plan made with the estimate's tiles
// (whether its tensors are on chip changes what its instructions move),
// and scheduled: energy per inference decides, then cycles. A candidate
// whose slots reach into on-chip tensors live at the layer is charged their
// round trip through DRAM (the plan, made again afterwards with the final
// tiles, would have to move them). Layers inside a cascade keep the
// estimate's tile.
//
//===----------------------------------------------------------------------===//

#include "Emitter.h"

#include "mote/Sim/Simulator.h"

#include "llvm/ADT/STLExtras.h"

#include "llvm/Support/Debug.h"

#include <limits>

#define DEBUG_TYPE "mote-tile-pricing"

using namespace mlir;
using namespace mote;
using namespace mote::npu;
using namespace mote::npu::emit_detail;

namespace {
struct Price {
  double energyPJ = 0;
  uint64_t cycles = 0;
};

/// Emits layer `l` alone under `plan` and schedules it; nothing if the
/// simulator refuses it (the candidate is then not chosen).
std::optional<Price> priceLayer(const Network &net, const TargetDescription &t,
                                const MemoryPlan &plan, const Layer &l,
                                bool residentWeights, MLIRContext *ctx) {
  OpBuilder dry(ctx);
  Block scratch;
  dry.setInsertionPointToEnd(&scratch);
  Network &mutableNet = const_cast<Network &>(net);
  Emitter e(t, mutableNet, dry, UnknownLoc::get(ctx));
  e.dram = plan.addr;
  e.onChip = plan.onChip;
  e.residentWeights = residentWeights;
  // The schedule's statistics do not depend on the data: weight blocks
  // are placed, not packed.
  e.measureOnly = true;
  e.buildSteps(l);
  std::vector<Instruction> body = e.protocol();
  std::vector<Instruction> preamble;
  e.regs.clear();
  for (const Emitter::ResidentLoad &r : e.residentLoads)
    e.loadBlock(preamble, r.sram, r.dram, r.bytes);
  isa::Program p;
  p.targetName = t.name;
  p.targetHash = t.hash();
  p.preambleInstructions = preamble.size();
  body.push_back(isa::make(isa::Opcode::Finish));
  for (const std::vector<Instruction> *list : {&preamble, &body})
    for (const Instruction &i : *list) {
      llvm::Expected<isa::Word128> word = isa::encode(i);
      if (!word) {
        llvm::consumeError(word.takeError());
        return std::nullopt;
      }
      p.instructions.push_back(*word);
    }
  p.constants.assign(e.imageTop, 0);
  p.dramBytes = std::max<uint64_t>(
      {uint64_t(plan.top), uint64_t(e.imageTop),
       uint64_t(alignTo(plan.constBytes, 64)), 64});
  isa::LayerInfo info;
  info.name = l.name;
  info.kind = l.kindName;
  info.firstInstruction = preamble.size();
  info.numInstructions = body.size() - 1;
  p.layers.push_back(info);
  auto sim = sim::Simulator::create(std::move(p), t, "tile pricing");
  if (!sim) {
    llvm::consumeError(sim.takeError());
    return std::nullopt;
  }
  const sim::SegmentStats &total = (*sim)->stats().total;
  return Price{total.energy.totalPJ(), total.cycles};
}
} // namespace

void mote::npu::priceTiles(Network &net, const TargetDescription &t,
                           ArrayRef<int64_t> unpinned, MLIRContext *ctx) {
  MemoryPlan plan = planMemory(net, t, constantBytes(net, t, ctx),
                               ActivationMode::Auto);
  bool resident = plan.constBytes <= int64_t(t.sram.weightBuffer.bytes);
  int64_t n = net.layers.size();
  // The on-chip tensors live at each layer, with what moving one to DRAM
  // would cost per byte (written once, read by each reader).
  struct Resident {
    int64_t addr, bytes, accesses;
  };
  std::vector<std::vector<Resident>> live(n);
  const auto &e = t.energy;
  double dramExtraPJ =
      (e.dram.readPJPerByte + e.dram.writePJPerByte) / 2 -
      (e.activationBuffer.readPJPerByte + e.activationBuffer.writePJPerByte) / 2;
  // A band's bytes are its band buffer's; a whole tensor's its own.
  auto bytesOf = [&](Value v) {
    auto it = plan.bandBytes.find(v);
    return it != plan.bandBytes.end() ? it->second : tensorBytes(net, v);
  };
  auto ranges = planLiveRanges(net, plan);
  for (auto &[v, addr] : plan.onChip) {
    auto [first, last] = ranges.lookup(v);
    Resident r{addr, bytesOf(v), 1 + tensorReaders(net, v)};
    for (int64_t i = std::max<int64_t>(first, 0); i <= last && i < n; ++i)
      live[i].push_back(r);
  }
  for (int64_t i : unpinned) {
    Layer &l = net.layers[i];
    if (l.kind == LayerKind::Host || l.kind == LayerKind::Copy ||
        l.kind == LayerKind::Interpolate ||
        llvm::any_of(plan.cascades, [&](const Cascade &c) {
          return i >= c.first && i <= c.last;
        }))
      continue;
    std::vector<TileChoice> choices = tileChoices(l, t);
    // The short list: the estimate's best few, the best of whole rows, the
    // best that loads each weight block once.
    std::vector<const TileChoice *> list;
    for (const TileChoice &c : choices)
      if (list.size() < 4)
        list.push_back(&c);
    for (bool rows : {true, false})
      for (const TileChoice &c : choices)
        if (rows ? c.wholeRows : c.weightsOnce) {
          if (!llvm::is_contained(list, &c))
            list.push_back(&c);
          break;
        }
    // The estimate counts cycles, where small tiles overlap their loads
    // best; the energy of re-reading each weight plane and the input halo
    // per tile it does not see. So the largest tiles are priced too: the
    // best of the three tallest whole-row tiles, and the fewest steps.
    llvm::SmallVector<int64_t> heights;
    for (const TileChoice &c : choices)
      if (c.wholeRows)
        heights.push_back(c.th);
    llvm::sort(heights, std::greater<int64_t>());
    heights.erase(llvm::unique(heights), heights.end());
    heights.truncate(std::min<size_t>(heights.size(), 3));
    auto add = [&](std::vector<TileChoice>::const_iterator it) {
      if (it != choices.end() && !llvm::is_contained(list, &*it))
        list.push_back(&*it);
    };
    for (int64_t th : heights)
      add(llvm::find_if(choices, [&](const TileChoice &c) {
        return c.wholeRows && c.th == th;
      }));
    add(llvm::min_element(choices, [](const TileChoice &a, const TileChoice &b) {
      return a.steps < b.steps;
    }));
    Layer trial = l;
    std::optional<Price> best;
    const TileChoice *bestChoice = nullptr;
    for (const TileChoice *c : list) {
      trial.th = c->th, trial.tw = c->tw, trial.tc = c->tc, trial.cc = c->cc;
      // The layer's own on-chip tensors are moved above the candidate's
      // slots for its pricing (to DRAM if they no longer fit).
      int64_t slots = slotBytes(trial, t);
      MemoryPlan context = plan;
      int64_t next = alignTo(slots, 64);
      SmallVector<Value, 4> touched = layerInputs(trial);
      for (auto [out, bytes] : layerOutputs(trial))
        touched.push_back(out);
      for (Value v : touched) {
        auto it = context.onChip.find(v);
        if (it == context.onChip.end() || it->second >= slots)
          continue;
        int64_t bytes = bytesOf(v);
        if (next + bytes <= int64_t(t.sram.activationBuffer.bytes)) {
          it->second = next;
          next = alignTo(next + bytes, 64);
        } else {
          context.onChip.erase(it);
          context.addr[v] = context.top;
          context.top += alignTo(bytes, 64);
        }
      }
      std::optional<Price> price =
          priceLayer(net, t, context, trial, resident, ctx);
      if (!price)
        continue;
      // Slots reaching into on-chip tensors live here would push them out
      // when the plan is made again, if the buffer cannot hold the slots
      // and every tensor live here at once (otherwise the plan places them
      // above the slots): then each such tensor is charged a round trip
      // through DRAM instead of the buffer.
      int64_t together = alignTo(slots, 64);
      for (const Resident &r : live[i])
        together += alignTo(r.bytes, 64);
      if (together > int64_t(t.sram.activationBuffer.bytes))
        for (const Resident &r : live[i])
          if (r.addr < slots)
            price->energyPJ += double(r.bytes) * r.accesses * dramExtraPJ;
      LLVM_DEBUG(llvm::dbgs() << l.name << ": tile [" << c->th << ", " << c->tw
                              << ", " << c->tc << ", " << c->cc << "] "
                              << price->energyPJ << " pJ, " << price->cycles
                              << " cycles\n");
      if (!best || price->energyPJ < best->energyPJ ||
          (price->energyPJ == best->energyPJ && price->cycles < best->cycles)) {
        best = price;
        bestChoice = c;
      }
    }
    if (bestChoice)
      l.th = bestChoice->th, l.tw = bestChoice->tw, l.tc = bestChoice->tc,
      l.cc = bestChoice->cc;
  }
}
