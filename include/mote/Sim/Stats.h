//===- Stats.h - What a simulated inference costs ---------------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The simulator's figures: event counts (the inputs of the energy model),
// the energy they cost on a target, cycles, time, utilisation, per layer and
// in total, and the engines' timeline for the trace. The timing and the
// events of a program do not depend on the data it runs on, so one Stats
// describes every inference of a program. docs/Simulator.md defines each
// figure; printReport / toJSON / writeChromeTrace present them.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_SIM_STATS_H
#define MOTE_SIM_STATS_H

#include "mote/ISA/ISA.h"
#include "mote/ISA/Program.h"
#include "mote/Target/TargetDescription.h"

#include "llvm/Support/JSON.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace mote::sim {

/// Counted events; each has a price in the target's energy table.
struct Events {
  uint64_t instructions = 0;
  uint64_t digitMacs = 0;          ///< d x d multiply-adds in the MAC array.
  /// Digit-MACs by operand kind: [a_signed][w_signed].
  std::array<std::array<uint64_t, 2>, 2> digitMacsBySign{};
  uint64_t accumulatorUpdates = 0; ///< Shifted adds into an accumulator.
  std::array<uint64_t, kNumSramBuffers> sramReadBytes{};
  std::array<uint64_t, kNumSramBuffers> sramWriteBytes{};
  uint64_t dramReadBytes = 0;
  uint64_t dramWriteBytes = 0;
  /// Vector-unit element operations by target VectorOp.
  std::array<uint64_t, kNumVectorOps> vectorOps{};
  uint64_t lutLookups = 0;

  void add(const Events &other);
};

/// Energy in pJ, by component.
struct EnergyBreakdown {
  double macPJ = 0;
  double accumulatorPJ = 0;
  std::array<double, kNumSramBuffers> sramPJ{}; ///< Reads + writes.
  double dramPJ = 0;
  std::array<double, kNumVectorOps> vectorPJ{};
  double staticPJ = 0;

  double dynamicPJ() const;
  double totalPJ() const { return dynamicPJ() + staticPJ; }
};

/// Prices `events` over `cycles` cycles on `target`.
EnergyBreakdown computeEnergy(const Events &events, uint64_t cycles,
                              const TargetDescription &target);

/// The figures of one layer, or of the whole program.
struct SegmentStats {
  std::string name;
  std::string kind;
  uint64_t firstInstruction = 0;
  uint64_t numInstructions = 0;
  /// First start and last completion of its instructions on any engine.
  uint64_t startCycle = 0, endCycle = 0;
  /// Cycles attributed to it: how far it moved the completion frontier
  /// (max end over it and every earlier layer). Layers' cycles sum to the
  /// total.
  uint64_t cycles = 0;
  /// Cycles each engine spent executing its instructions.
  std::array<uint64_t, isa::kNumEngines> busyCycles{};
  Events events;
  EnergyBreakdown energy;
  uint64_t macs = 0;           ///< The compiler's MACs of the original op.
  uint64_t rooflineCycles = 0; ///< The compiler's lower bound (0: none).

  double micros(double clockMHz) const { return cycles / clockMHz; }
  double energyUJ() const { return energy.totalPJ() * 1e-6; }
  /// Average power over its attributed time, mW.
  double averagePowerMW(double clockMHz) const;
  /// digit-MACs / (cycles x rows x cols).
  double utilisation(const TargetDescription &target) const;
  /// cycles / rooflineCycles (0 when there is no roofline figure).
  double rooflineRatio() const;
};

/// One slice of the trace: consecutive instructions of one layer on one
/// engine.
struct TraceSlice {
  isa::Engine engine = isa::Engine::Load;
  int layer = -1; ///< Index into Stats::layers, -1 outside every layer.
  uint64_t firstInstruction = 0, lastInstruction = 0;
  uint64_t count = 0;
  uint64_t startCycle = 0, endCycle = 0;
};

/// One host segment as the report shows it: what the host runs between the
/// chip's layers, and what the hand-over costs in DRAM traffic. None of it
/// is in the chip's latency or energy.
struct HostSegmentStats {
  unsigned index = 0;
  uint64_t instruction = 0; ///< Index of its HOST instruction.
  uint64_t cycle = 0;       ///< Chip cycle at which the host takes over.
  int afterLayer = -1;      ///< The last layer before it (-1: none).
  uint64_t macs = 0;
  /// Bytes the host reads (its inputs) and writes (its outputs) in DRAM.
  uint64_t readBytes = 0, writeBytes = 0;
  std::vector<isa::HostOp> ops;
};

/// Every host segment, and the host's share of the model.
struct HostStats {
  std::vector<HostSegmentStats> segments;
  uint64_t macs = 0;          ///< MACs run on the host.
  uint64_t boundaryBytes = 0; ///< DRAM bytes the host reads + writes.
  /// What the boundary traffic costs at the target's DRAM rate (pJ): shown
  /// beside the chip's energy, not in it.
  double boundaryPJ = 0;
  size_t numOps() const {
    size_t n = 0;
    for (const HostSegmentStats &s : segments)
      n += s.ops.size();
    return n;
  }
};

/// Every figure of one inference.
struct Stats {
  std::string targetName;
  uint64_t targetHash = 0;
  double clockMHz = 0;
  unsigned macRows = 0, macCols = 0, digitBits = 0;
  /// One inference (the program after its preamble).
  SegmentStats total;
  /// The program-load preamble (e.g. resident weights), paid once per
  /// program load, not per inference; valid if hasProgramLoad.
  bool hasProgramLoad = false;
  SegmentStats programLoad;
  std::vector<SegmentStats> layers;
  std::vector<TraceSlice> slices;
  HostStats host;
};

/// The readable report: per-layer table, totals, energy breakdown.
void printReport(const Stats &stats, const TargetDescription &target,
                 llvm::raw_ostream &os);
/// Every figure as JSON.
llvm::json::Value toJSON(const Stats &stats, const TargetDescription &target);
/// Chrome trace-event JSON (chrome://tracing, Perfetto): one track per
/// engine, one complete ("X") event per slice, timestamps in µs.
llvm::json::Value toChromeTrace(const Stats &stats);

} // namespace mote::sim

#endif // MOTE_SIM_STATS_H
