//===- NPUOps.h - NPU dialect operations ------------------------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_DIALECT_NPUOPS_H
#define MOTE_DIALECT_NPUOPS_H

#include "mote/ISA/ISA.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"

#include "NPU/NPUOpsDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "NPU/NPUOpsAttrs.h.inc"

#define GET_OP_CLASSES
#include "NPU/NPUOps.h.inc"

namespace mote {
struct TargetDescription;
} // namespace mote

namespace mote::npu {

/// The program attribute describing target `t` (NPUBase.td).
TargetAttr getTargetAttr(mlir::MLIRContext *context,
                         const TargetDescription &t);

/// The ISA opcode of an instruction op, or nullopt for non-instructions.
std::optional<isa::Opcode> getOpcode(mlir::Operation *op);

/// Reads an instruction op's field attributes into an isa::Instruction
/// (generic over ISA.def: one attribute per FieldInfo, by name). Emits an
/// error on `op` and fails for a missing, mistyped or out-of-range field.
mlir::FailureOr<isa::Instruction> toInstruction(mlir::Operation *op);

/// Sets every field attribute of `inst` on `state` (the reverse).
void setFieldAttrs(mlir::OperationState &state, const isa::Instruction &inst);

/// Creates the op for `inst` at the builder's insertion point.
mlir::Operation *createInstruction(mlir::OpBuilder &builder,
                                   mlir::Location loc,
                                   const isa::Instruction &inst);

} // namespace mote::npu

#endif // MOTE_DIALECT_NPUOPS_H
