//===- HostRunner.h - Host segments run by the interpreter ------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The HostRunner that mote-sim and motec give the simulator: it parses each
// host segment's mote IR once and runs it with the reference interpreter
// (mote/Interp), so a host segment computes exactly what mote-run computes
// for the same ops on the same integers. Kept out of MoteSim so that the
// simulator library itself needs no MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_SIM_HOSTRUNNER_H
#define MOTE_SIM_HOSTRUNNER_H

#include "mote/ISA/Program.h"
#include "mote/Sim/Simulator.h"

#include "llvm/Support/Error.h"

#include <memory>

namespace mote::sim {

/// Parses and checks every host segment of `program` (each a module with one
/// `func.func` whose arguments and results match the segment's DRAM tensor
/// descriptors in dtype and shape). `what` names the program in messages.
/// Returns null when the program has no host segments.
llvm::Expected<std::shared_ptr<const HostRunner>>
createInterpreterHostRunner(const isa::Program &program, llvm::StringRef what);

} // namespace mote::sim

#endif // MOTE_SIM_HOSTRUNNER_H
