//===- NpuStage.cpp - motec: the stages owned by other libraries ----------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The glue between motec and the mixed-precision search (lib/Quant), the
// NPU lowering (lib/NPU) and the program export (lib/ISA): the same passes
// mote-opt runs, built in C++ so that motec has no pipeline strings of its
// own for them to drift from.
//
//===----------------------------------------------------------------------===//

#include "Motec.h"

#include "mote/NPU/Passes.h"
#include "mote/NPU/Translate.h"

#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

static llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

std::string mote::motec::mixedPrecisionPipeline(llvm::StringRef calib,
                                                llvm::StringRef target,
                                                double budget,
                                                llvm::StringRef planOut) {
  return llvm::formatv("mote-mixed-precision{{data={0} target={1} "
                       "budget={2} plan-out={3}}",
                       calib, target, budget, planOut)
      .str();
}

llvm::Error mote::motec::lowerToNpu(ModuleOp module, llvm::StringRef target,
                                    llvm::StringRef weights,
                                    llvm::StringRef activations) {
  PassManager pm(module.getContext());
  npu::buildNpuPipeline(pm, target, weights, activations);
  if (failed(pm.run(module)))
    return fail("NPU lowering for target '" + target +
                "' failed (see the diagnostics above)");
  return llvm::Error::success();
}

llvm::Expected<mote::isa::Program>
mote::motec::exportProgram(ModuleOp module) {
  FailureOr<isa::Program> program = npu::translateToProgram(module);
  if (failed(program))
    return fail("cannot export the npu program (see the diagnostics above)");
  if (llvm::Error e = isa::verifyProgram(*program, "motec output"))
    return std::move(e);
  return std::move(*program);
}
