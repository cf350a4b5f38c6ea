//===- Simulator.h - Functional, cycle and energy simulator -----*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The Mote NPU simulator (DESIGN §7, docs/Simulator.md). `create` validates
// a Program against a target and schedules it once: it decodes every
// instruction, tracks the configuration registers, checks every SRAM and
// DRAM access and alignment, runs the three engines' timelines through the
// dependency tokens (detecting deadlock and token-queue overflow) and counts
// the energy events. None of that depends on the data, so the result is a
// resolved operation list in a valid execution order plus one Stats. `run`
// then executes that list bit-exactly (include/mote/ISA/ISA.def semantics,
// integer math through mote/Numerics) on one sample; it is const and
// thread-safe, so one Simulator serves a whole batch on all cores.
//
// In-process use (e.g. motec --simulate):
//   auto sim = sim::Simulator::create(program, target, "model.mbin");
//   if (!sim) ...;
//   auto outputs = (*sim)->run(inputs);            // float, framework layout
//   sim::printReport((*sim)->stats(), target, llvm::outs());
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_SIM_SIMULATOR_H
#define MOTE_SIM_SIMULATOR_H

#include "mote/ISA/Program.h"
#include "mote/Sim/Stats.h"
#include "mote/Support/HostTensor.h"
#include "mote/Target/TargetDescription.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <vector>

namespace mote::sim {

struct SimulatorImpl;

/// Runs a program's host segments (DESIGN §6: ops the chip cannot run, kept
/// where they stand). MoteSim itself needs no MLIR; the runner that parses
/// each segment's mote IR and executes it with the reference interpreter's
/// kernels is mote::sim::createInterpreterHostRunner (MoteSimHost).
class HostRunner {
public:
  virtual ~HostRunner();
  /// Runs segment `index` of the program on one inference's DRAM: reads its
  /// inputs there and writes its outputs there (HostSegment descriptors,
  /// already bounds-checked against `dram`). Called from several threads at
  /// once, each with its own DRAM.
  virtual llvm::Error run(unsigned index,
                          llvm::MutableArrayRef<uint8_t> dram) const = 0;
};

class Simulator {
public:
  /// Validates and schedules `program` for `target`. `what` names the
  /// program in messages (a file path). Errors name the instruction index,
  /// its layer and the offending field. A program with host segments needs
  /// `host` to run (its timing and statistics do not).
  static llvm::Expected<std::unique_ptr<Simulator>>
  create(isa::Program program, TargetDescription target, llvm::StringRef what,
         std::shared_ptr<const HostRunner> host = nullptr);
  ~Simulator();

  const isa::Program &program() const;
  const TargetDescription &target() const;
  /// Timing and energy of one inference (data-independent).
  const Stats &stats() const;
  /// The program's inputs and outputs, in Program::io order.
  llvm::ArrayRef<const isa::IODesc *> inputs() const;
  llvm::ArrayRef<const isa::IODesc *> outputs() const;

  /// One inference on DRAM images: `inputs[i]` holds IODesc::bytes bytes for
  /// inputs()[i]; returns the DRAM image of every output.
  llvm::Expected<std::vector<std::vector<uint8_t>>>
  runStorage(llvm::ArrayRef<std::vector<uint8_t>> inputs) const;

  /// One inference on host tensors in the framework layout, one per
  /// inputs() entry, in order. Float tensors are quantized (or, with `raw`,
  /// integer tensors hold storage values); outputs are dequantized float32
  /// (or, with `raw`, the storage dtype), named by IODesc::name.
  llvm::Expected<std::vector<HostTensor>>
  run(llvm::ArrayRef<HostTensor> inputs, bool raw = false) const;

  /// Several inferences at once, batch-major: each step of the program
  /// runs on every sample before the next, so the samples share its
  /// prepared weights while they are in cache (one machine per sample; a
  /// few samples per call are enough). The results are those of run() on
  /// each sample.
  llvm::Expected<std::vector<std::vector<std::vector<uint8_t>>>>
  runStorageBatch(
      llvm::ArrayRef<std::vector<std::vector<uint8_t>>> batch) const;
  llvm::Expected<std::vector<std::vector<HostTensor>>>
  runBatch(llvm::ArrayRef<std::vector<HostTensor>> batch,
           bool raw = false) const;

  /// Machines a batch of this program may take per call without much more
  /// than 64 MiB of state (at least 1, at most 8).
  unsigned batchMachines() const;

private:
  explicit Simulator(std::unique_ptr<SimulatorImpl> impl);
  std::unique_ptr<SimulatorImpl> impl;
};

/// Host <-> DRAM conversion of one I/O tensor (DESIGN §8): framework layout,
/// permuted by IODesc::dramPerm; float values quantized with
/// numerics::quantize into the storage range of IODesc::dtype, or with `raw`
/// integer values checked against it. Errors name the input.
llvm::Expected<std::vector<uint8_t>> packInput(const isa::IODesc &desc,
                                               const HostTensor &tensor,
                                               bool raw);
HostTensor unpackOutput(const isa::IODesc &desc,
                        llvm::ArrayRef<uint8_t> bytes, bool raw);
/// Checks an I/O descriptor (dtype, shape, permutation, byte size, DRAM
/// range) against a program of `dramBytes` bytes.
llvm::Error verifyIODesc(const isa::IODesc &desc, uint64_t dramBytes);

} // namespace mote::sim

#endif // MOTE_SIM_SIMULATOR_H
