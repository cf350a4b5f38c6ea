//===- SimulatorImpl.h - The Simulator's private state ----------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_LIB_SIM_SIMULATORIMPL_H
#define MOTE_LIB_SIM_SIMULATORIMPL_H

#include "Machine.h"
#include "Plan.h"

#include "mote/ISA/Program.h"
#include "mote/Sim/Simulator.h"
#include "mote/Sim/Stats.h"
#include "mote/Target/TargetDescription.h"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace mote::sim {

struct SimulatorImpl {
  isa::Program program;
  TargetDescription target;
  std::string what;
  /// Resolved operations in a valid execution order (see Schedule.cpp).
  std::vector<Op> ops;
  /// The program-load preamble's operations (Program::preambleInstructions),
  /// run once on a machine before its first inference.
  std::vector<Op> preambleOps;
  Stats stats;
  std::vector<const isa::IODesc *> inputs, outputs;
  /// One past the highest DRAM byte the program can touch (constants, I/O,
  /// every DMA): what a run allocates, so that a program declaring a huge
  /// `.dram` but using little of it costs only what it uses.
  uint64_t dramTouched = 0;
  /// Runs the host segments (null: the program has none, or only its
  /// statistics are wanted).
  std::shared_ptr<const HostRunner> host;
  /// How runs execute `ops` (RunPlan.cpp), and the initial DRAM image:
  /// made by the first run (preparePlan), so that a simulator made for its
  /// statistics alone (tile pricing makes hundreds) never allocates them.
  mutable std::once_flag planOnce;
  mutable Plan plan;
  mutable std::vector<uint8_t> dramImage;
  /// Machines of finished runs, restored and reused by the next ones.
  mutable std::mutex poolMutex;
  mutable std::vector<std::unique_ptr<Machine>> idleMachines;
};

/// Validates `impl.program` against `impl.target`, schedules it on the
/// three engines and fills `impl.ops` and `impl.stats`.
llvm::Error schedule(SimulatorImpl &impl);

/// Builds `impl.plan` and `impl.dramImage` once (after schedule; called by
/// acquireMachine, thread-safe).
void preparePlan(const SimulatorImpl &impl);
/// A machine in the initial state of a run: pooled and restored, or new.
std::unique_ptr<Machine> acquireMachine(const SimulatorImpl &impl);
/// Returns a machine to the pool.
void releaseMachine(const SimulatorImpl &impl, std::unique_ptr<Machine> m);
/// Executes the program on `m`.
llvm::Error runPlan(const SimulatorImpl &impl, Machine &m);
/// Executes the program on every machine of `batch`, step by step (each
/// step on every machine before the next), the MATMUL steps sharing the
/// first machine's prepared weights.
llvm::Error runPlanBatch(const SimulatorImpl &impl,
                         llvm::ArrayRef<Machine *> batch);
/// Makes runPlan execute every operation one at a time with the reference
/// semantics of Execute.cpp (tests compare the two paths).
void setReferenceExecution(bool on);

} // namespace mote::sim

#endif // MOTE_LIB_SIM_SIMULATORIMPL_H
