//===- mote-target.cpp - Inspect Mote NPU target descriptions -------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// `mote-target NAME|FILE` validates a target description and prints a
// readable summary with its hash; `--json` prints the canonical JSON,
// `--hash` only the hash, `--list` the shipped targets. Exits non-zero with
// every validation error (file and field named) on a bad description.
//
//===----------------------------------------------------------------------===//

#include "mote/Target/TargetDescription.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

static cl::opt<std::string> targetArg(cl::Positional,
                                      cl::desc("<target name or file.json>"));
static cl::opt<bool> printJSON("json",
                               cl::desc("Print the canonical JSON instead"));
static cl::opt<bool> printHash("hash", cl::desc("Print only the hash"));
static cl::opt<bool> listAll("list", cl::desc("List the targets in the target "
                                              "directory ($MOTE_TARGET_DIR)"));

int main(int argc, char **argv) {
  InitLLVM y(argc, argv);
  cl::ParseCommandLineOptions(argc, argv,
                              "Mote NPU target description inspector\n");
  if (listAll) {
    outs() << "target directory: " << mote::targetDirectory() << "\n";
    for (const std::string &name : mote::listTargets())
      outs() << name << "\n";
    return 0;
  }
  if (targetArg.empty()) {
    WithColor::error(errs(), "mote-target")
        << "expected a target name or file; known targets: "
        << join(mote::listTargets(), ", ") << "\n";
    return 1;
  }
  Expected<mote::TargetDescription> target = mote::loadTarget(targetArg);
  if (!target) {
    WithColor::error(errs(), "mote-target")
        << toString(target.takeError()) << "\n";
    return 1;
  }
  if (printHash)
    outs() << format_hex(target->hash(), 18) << "\n";
  else if (printJSON)
    outs() << formatv("{0:2}", target->toJSON()) << "\n";
  else
    target->printSummary(outs());
  return 0;
}
