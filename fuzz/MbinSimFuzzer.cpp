//===- MbinSimFuzzer.cpp - libFuzzer target for .mbin/.masm + simulator ---===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Loads arbitrary bytes as a program, exactly as mote-sim does: `.mbin`
// (readMbin) when the bytes start with the magic, `.masm` text (parseMasm)
// otherwise. A program that loads is validated and scheduled against its
// target (sim::Simulator::create: register tracking, SRAM/DRAM bounds, token
// deadlock) and run once on all-zero inputs, host segments included
// (the interpreter runs their mote IR). Every failure must be an
// llvm::Error; a crash, sanitizer report, hang or out-of-memory is a bug.
// Seeds: test/ISA and test/Sim programs and the corrupted binaries of
// scripts/reliability/make_bad_inputs.py.
//
//===----------------------------------------------------------------------===//

#include "mote/ISA/Program.h"
#include "mote/Sim/HostRunner.h"
#include "mote/Sim/Simulator.h"
#include "mote/Target/TargetDescription.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>

using namespace mote;

/// Target descriptions by name, loaded once (the JSON parse would otherwise
/// dominate every execution). Unknown names are remembered as failures.
static const TargetDescription *getTarget(llvm::StringRef name) {
  static llvm::StringMap<std::optional<TargetDescription>> cache;
  auto it = cache.find(name);
  if (it == cache.end()) {
    llvm::Expected<TargetDescription> target = loadTarget(name);
    std::optional<TargetDescription> value;
    if (target)
      value = std::move(*target);
    else
      llvm::consumeError(target.takeError());
    it = cache.try_emplace(name, std::move(value)).first;
  }
  return it->second ? &*it->second : nullptr;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::ArrayRef<uint8_t> bytes(data, size);
  bool binary = size >= 7 && std::memcmp(data, "MOTEBIN", 7) == 0;
  llvm::Expected<isa::Program> program =
      binary ? isa::readMbin(bytes, "fuzz.mbin")
             : isa::parseMasm(llvm::StringRef(
                                  reinterpret_cast<const char *>(data), size),
                              "fuzz.masm");
  if (!program) {
    llvm::consumeError(program.takeError());
    return 0;
  }
  // Names are file-system paths to loadTarget; only the shipped targets
  // are of interest (and a fuzzed path must not read arbitrary files).
  if (program->targetName.find('/') != std::string::npos ||
      program->targetName.find('.') != std::string::npos)
    return 0;
  const TargetDescription *target = getTarget(program->targetName);
  if (!target)
    return 0;
  // Host sections run too: their mote IR is parsed, verified and checked
  // against the descriptors (createInterpreterHostRunner), then executed
  // by the reference interpreter between the NPU segments.
  auto host = sim::createInterpreterHostRunner(*program, "fuzz");
  if (!host) {
    llvm::consumeError(host.takeError());
    return 0;
  }
  auto sim = sim::Simulator::create(std::move(*program), *target, "fuzz",
                                    std::move(*host));
  if (!sim) {
    llvm::consumeError(sim.takeError());
    return 0;
  }
  std::vector<std::vector<uint8_t>> inputs;
  for (const isa::IODesc *desc : (*sim)->inputs())
    inputs.emplace_back(desc->bytes, 0);
  auto outputs = (*sim)->runStorage(inputs);
  if (!outputs)
    llvm::consumeError(outputs.takeError());
  return 0;
}
