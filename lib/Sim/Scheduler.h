//===- Scheduler.h - The simulator's scheduler, shared by its files -*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The Scheduler class (validation, timing and events of a program; see
// Schedule.cpp) and the token-queue helpers, declared once for the two
// files that implement it: Schedule.cpp (the timeline, statistics) and
// ResolveOps.cpp (each instruction class against the registers).
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_LIB_SIM_SCHEDULER_H
#define MOTE_LIB_SIM_SCHEDULER_H

#include "SimulatorImpl.h"

#include "llvm/ADT/Twine.h"

#include <array>
#include <string>
#include <vector>

namespace mote::sim::schedule_detail {

using isa::Engine;
using isa::Field;
using llvm::Error;
using llvm::Twine;

constexpr unsigned kLoad = 0, kExec = 1, kStore = 2;
/// Token queues: load->execute, execute->load, execute->store,
/// store->execute.
enum Queue : unsigned { LoadToExec, ExecToLoad, ExecToStore, StoreToExec };
constexpr unsigned kNumQueues = 4;
inline const char *const kQueueNames[kNumQueues] = {
    "load->execute", "execute->load", "execute->store", "store->execute"};
inline const char *const kEngineNames[3] = {"load", "execute", "store"};

/// The queue an engine pops from / pushes to in a direction; -1 if the
/// engine has no neighbour there.
inline int popQueue(unsigned engine, bool prev) {
  if (engine == kExec)
    return prev ? int(LoadToExec) : int(StoreToExec);
  if (engine == kLoad)
    return prev ? -1 : int(ExecToLoad);
  return prev ? int(ExecToStore) : -1;
}
inline int pushQueue(unsigned engine, bool prev) {
  if (engine == kExec)
    return prev ? int(ExecToLoad) : int(ExecToStore);
  if (engine == kLoad)
    return prev ? -1 : int(LoadToExec);
  return prev ? int(StoreToExec) : -1;
}

inline uint64_t ceilDiv(uint64_t a, uint64_t b) { return b ? (a + b - 1) / b : 0; }

inline VectorOp targetVectorOp(isa::VecOp op) {
  switch (op) {
  case isa::VecOp::Requantize:
  case isa::VecOp::Rescale:
  case isa::VecOp::Mul: // a multiply and a requantize: priced as the latter
  case isa::VecOp::Combine: // K + 1 requantizes (and K − 1 adds, counted apart)
    return VectorOp::Requantize;
  case isa::VecOp::Add:
  case isa::VecOp::Sub:
    return VectorOp::Add;
  case isa::VecOp::Max:
  case isa::VecOp::Min:
    return VectorOp::MinMax;
  case isa::VecOp::MaxPool:
  case isa::VecOp::AvgPool:
    return VectorOp::Pool;
  case isa::VecOp::Lut:
    return VectorOp::Lut;
  case isa::VecOp::Clamp:
    return VectorOp::Clamp;
  }
  return VectorOp::Clamp;
}

struct TokenQueue {
  std::vector<uint64_t> pushTime, popTime;
  std::vector<uint32_t> pushedBy;
};

class Scheduler {
public:
  explicit Scheduler(SimulatorImpl &impl)
      : impl(impl), program(impl.program), target(impl.target) {}
  Error run();

private:
  Error fail(uint64_t i, const Twine &message) const;
  std::string describe(uint64_t i) const;
  Error checkSram(uint64_t i, unsigned buffer, uint64_t addr,
                  unsigned __int128 bytes, llvm::StringRef field,
                  llvm::StringRef what, bool checkAlign = true) const;
  /// Checks a DMA's strided footprint against the program's DRAM size and
  /// raises impl.dramTouched to cover it; with `onChip` against the
  /// activation buffer instead. Sets `extent` to the bytes it spans.
  Error checkDram(uint64_t i, int64_t addr, uint64_t rows, uint64_t cols,
                  uint64_t elemBytes, int64_t rowStride, int64_t pixStride,
                  llvm::StringRef strideRegs, bool onChip = false,
                  std::pair<uint64_t, uint64_t> *extent = nullptr);
  Error checkRange(uint64_t i, int64_t value, int64_t lo, int64_t hi,
                   llvm::StringRef reg) const;
  Error checkMultiplier(uint64_t i, uint8_t mulReg, uint8_t shiftReg,
                        llvm::StringRef mulName, llvm::StringRef shiftName,
                        numerics::ScaleMultiplier &out) const;
  /// Resolves instruction i against the current registers: fills `op`
  /// (returns whether it moves data), its latency and events.
  Error resolve(uint64_t i, Op &op, bool &hasOp, uint64_t &latency,
                Events &events);
  Error resolveLoad(uint64_t i, Op &op, uint64_t &latency, Events &ev);
  Error resolveStore(uint64_t i, Op &op, uint64_t &latency, Events &ev);
  Error resolveMatMul(uint64_t i, Op &op, uint64_t &latency, Events &ev);
  Error resolveVec(uint64_t i, Op &op, uint64_t &latency, Events &ev);
  Error deadlock(uint64_t dispatched) const;
  /// Runs instructions [begin, end) through the timeline from reset
  /// registers, empty queues and idle engines, appending to `ops`.
  Error runPhase(uint64_t begin, uint64_t end, std::vector<Op> &ops);
  Error checkTokenDepth(unsigned q, uint64_t k) const;
  void buildStats();

  /// Cycles of an on-chip copy of `bytes` (LOAD/STORE `on_chip`): one
  /// activation-buffer line per cycle, plus one cycle to start
  /// (docs/Simulator.md).
  uint64_t onChipCopyCycles(uint64_t bytes) const {
    return 1 + ceilDiv(bytes, std::max<uint64_t>(
                                  1, target.sram.activationBuffer.lineBytes));
  }
  int64_t reg(unsigned engine, uint8_t r) const { return regs[engine][r]; }
  int64_t field(uint64_t i, Field f) const { return insts[i].get(f); }

  SimulatorImpl &impl;
  const isa::Program &program;
  const TargetDescription &target;
  std::vector<isa::Instruction> insts;
  std::vector<unsigned> engineOf;
  std::vector<int> layerOf;
  std::vector<uint64_t> startOf, endOf, dispatchOf;
  std::vector<Events> eventsOf;
  isa::RegisterFiles regs{};
  std::array<TokenQueue, kNumQueues> queues;
  std::array<std::vector<uint64_t>, 3> engineList;
  std::array<uint64_t, 3> next{};
  /// The open MATMUL chain (ISA.def): its first instruction and the last
  /// one, which set `chain`; the next execute instruction must continue it.
  bool chainOpen = false;
  uint64_t chainFirst = 0, chainLast = 0;
  Op chainHead;
  /// The MATMUL that set `drain` (ISA.def): the next execute instruction
  /// must be the VEC requantize that takes its sums from the array.
  bool drainOpen = false;
  uint64_t drainFrom = 0;
  Op drainHead;
  /// Accumulator-buffer bytes a draining MATMUL's tile names but never
  /// wrote (the simulator stages the sums there), each with that MATMUL:
  /// no instruction may read them before something writes them.
  struct Undefined {
    uint64_t lo, hi, by;
  };
  std::vector<Undefined> undefinedAcc;
  /// Marks accumulator bytes [lo, hi) written (defined) again.
  void accWritten(uint64_t lo, uint64_t hi);
  /// Fails if instruction i reads accumulator bytes [lo, hi) that a
  /// draining MATMUL left undefined.
  Error accRead(uint64_t i, uint64_t lo, uint64_t hi, llvm::StringRef what);
};

} // namespace mote::sim::schedule_detail

#endif // MOTE_LIB_SIM_SCHEDULER_H
