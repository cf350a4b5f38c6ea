//===- Translate.h - npu IR -> mote::isa::Program ---------------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_NPU_TRANSLATE_H
#define MOTE_NPU_TRANSLATE_H

#include "mote/ISA/Program.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"

namespace mote::npu {

/// Converts the module's single `npu.program` to an isa::Program: every
/// instruction op through the generic field table, the constant image from
/// the `npu.data` segments, I/O descriptors, layers with their estimate
/// and instruction ranges, host ops. Emits an error and fails on bad IR.
mlir::FailureOr<isa::Program> translateToProgram(mlir::ModuleOp module);

/// `mote-translate --npu-to-mbin` / `--npu-to-masm`: parses `input` (npu
/// IR), converts and writes the .mbin (or .masm) to `output`. Returns the
/// process exit code; errors name the file.
int translateNpuFile(llvm::StringRef input, llvm::StringRef output, bool masm);

} // namespace mote::npu

#endif // MOTE_NPU_TRANSLATE_H
